"""wire_copy: find the wire text stories share and publish it once, with the printings aligned.

Thin glue over ``newsarchive.analysis.wire`` (detection, alignment) and ``newsarchive.pages.wire_diagram``.
"""

from __future__ import annotations

import marshal
import os
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from slugify import slugify

from newsarchive.analysis.wire.alignment import align_words
from newsarchive.analysis.wire.model import (
    WireAnalysis,
    inputs_digest,
    params_from_settings,
    story_from_inputs,
    wire_inputs,
)
from newsarchive.analysis.wire.passages import based_on, find_wire_passages, mark_stories, row_words
from newsarchive.errors import ArchiveError
from newsarchive.formats.story_file import load_story
from newsarchive.model.story import COMPARE_URL, EVENT_URL, MARSHAL_VERSION
from newsarchive.pages.render import alignment_html, quoted
from newsarchive.pages.wire_diagram import diagram_inputs, render_svg
from newsarchive.site.analysis_memo import AnalysisMemo, memo_in_cache, memo_key
from newsarchive.site.forked_call import ForkedCall, forking_helps
from newsarchive.site.progress import TimedStages, paused_gc, progress, report, report_reuse

WIRE_INDEX_URL = "wire/"
DIAGRAM_NAME = "wire-diagram.svg"
MEMO_NAME = "wire-analysis.pickle"  # in CACHE_PATH (newsarchive.site.analysis_memo)


class _Early:
    """The wire detection started when Pelican starts (``initialized``), in a forked child that
    reads the story files itself: it runs while Pelican reads the stories on the other core."""

    pending: ForkedCall | None = None


_early = _Early()


def start_early(pelican) -> None:
    """``initialized`` receiver: read the story files and find the wire passages in a forked
    child, while this process reads them too (Pelican's reading is one core's work). The
    generator takes the child's result only if the child read what Pelican read
    (:func:`~newsarchive.analysis.wire.model.inputs_digest`); otherwise, or with ``ARCHIVE_PARALLEL_ANALYSIS =
    False``, it finds the passages itself, from Pelican's stories."""
    settings = pelican.settings
    _early.pending = None
    if not (settings.get("ARCHIVE_PARALLEL_ANALYSIS", True) and forking_helps()):
        return
    try:
        params = params_from_settings(settings.get("WIRE_PARAMS"))
    except ArchiveError:
        return  # reported by the generator, where the build stops
    root = Path(settings["PATH"])
    paths = sorted(p for folder in settings["ARTICLE_PATHS"] for p in (root / folder).rglob("*.md"))
    # the paths as Pelican's reader gives them to load_story (relative to the working directory)
    relative = [Path(os.path.relpath(p)) for p in paths]
    _early.pending = ForkedCall(_read_and_find, relative, root, params, settings)


def _read_and_find(paths: list[Path], root: Path, params, settings) -> tuple[str, bytes] | None:
    """(digest of what the analysis read, the analysis as ``marshal`` bytes of
    :meth:`~newsarchive.analysis.wire.model.WireAnalysis.to_plain`); None when a file cannot be read
    (the build reports it).

    What the analysis reads of each story file (:func:`~newsarchive.analysis.wire.model.wire_inputs`) is
    kept in the memo under the file's path, size and modification time, as Pelican's content
    cache keeps its articles: a rebuild parses only the files that changed. A file edited
    without changing either is caught by the digest, which the build compares with that of the
    stories Pelican read."""
    memo = memo_in_cache(settings, MEMO_NAME)
    try:
        read = [_inputs(memo, path, root) for path in paths]
    except (ArchiveError, OSError):
        return None
    report_reuse("wire: story files", memo.hits, memo.misses)
    inputs = [one for one, _ in read]
    stories = [story_from_inputs(one) for one in inputs]
    for story, (_, file_key) in zip(stories, read, strict=True):
        if file_key is not None:  # what the story says is what its file said: the file's key will do
            memo.know_story_key(story, file_key)
    analysis = _find(stories, params, memo)
    return inputs_digest(inputs), marshal.dumps(analysis.to_plain(), MARSHAL_VERSION)


def _inputs(memo: AnalysisMemo, path: Path, root: Path) -> tuple[tuple, str | None]:
    """What the analysis reads of the story file ``path``, and the key it is kept under (the
    file's path, size and modification time; None when the memo keeps nothing)."""
    if not memo.keeps:
        return wire_inputs(load_story(path, root)), None
    st = path.stat()
    key = memo_key("story file", str(path), str(root), st.st_size, st.st_mtime_ns)
    return memo.get(key, lambda: wire_inputs(load_story(path, root))), key


def _find(stories, params, memo: AnalysisMemo) -> WireAnalysis:
    """The wire analysis, with each story's sentences kept in ``memo`` (saved for the next build)."""
    hits, misses = memo.hits, memo.misses
    with paused_gc():  # millions of small acyclic objects: full collections would rescan them all
        analysis = find_wire_passages(stories, params, memo)
    report_reuse("wire: story sentences", memo.hits - hits, memo.misses - misses)
    memo.save()
    return analysis


def _analysis(stories, settings) -> WireAnalysis:
    """The early child's analysis if it read these stories; else one made here. A bad
    ``WIRE_PARAMS`` fails here, in the build's process."""
    params = params_from_settings(settings.get("WIRE_PARAMS"))
    pending, _early.pending = _early.pending, None
    found = pending.result() if pending is not None else None
    if found is not None and found[0] == inputs_digest(map(wire_inputs, stories)):
        report("wire: analysis in a forked child", pending.child_seconds or 0.0)
        return WireAnalysis.from_plain(marshal.loads(found[1]))
    return _find(stories, params, memo_in_cache(settings, MEMO_NAME))


def compare_url(a: str, b: str) -> str:
    return COMPARE_URL.format(a=a, b=b)


class WireGenerator(TimedStages, Generator):
    stage_name = "wire"
    write_in_background = True  # its pages are written by a forked child (archive_core/background_writing.py)

    def _generate_context(self):
        archive = self.context["archive"]
        self.analysis = analysis = _analysis(archive.stories, self.settings)
        mark_stories(archive.stories, analysis)
        for slug, urls in based_on(archive.stories, analysis).items():
            if urls:
                archive.story(slug).data["wire_based_on"] = urls
        archive.sections["wire"] = analysis.passages
        archive.warnings.extend(analysis.problems)
        self.stories = {s.slug: s for s in archive.stories}
        self.diagrams = {}
        passages_of = defaultdict(list)  # story slug -> the passages it carries, in analysis order
        for n, passage in enumerate(analysis.passages):
            for slug in passage.stories:
                passages_of[slug].append(n)
        for event in self.context.get("events", []):
            seen = Counter(n for s in event.stories for n in set(passages_of[s.slug]))
            shared = [analysis.passages[n] for n in sorted(seen) if seen[n] >= 2]
            if shared:
                self.diagrams[event.slug] = (event, shared)
        pairs_of = defaultdict(list)  # one pass over the pairs, not one per story (quadratic at 10k)
        for pair in analysis.pairs:
            pairs_of[pair.a].append(pair)
            if pair.b != pair.a:
                pairs_of[pair.b].append(pair)
        self.context.update(
            wire=analysis,
            wire_diagrams={slug: EVENT_URL.format(slug=slug) + DIAGRAM_NAME for slug in self.diagrams},
            wire_pairs_of={slug: pairs_of[slug] for slug in analysis.shares_with if analysis.shares_with[slug]},
        )

    def _generate_output(self, writer):
        site = self.settings.get("SITEURL", "")
        analysis, stories = self.analysis, self.stories
        write = writer.write_file
        write(WIRE_INDEX_URL + "index.html", self.get_template("wire_index"), self.context, page_name=WIRE_INDEX_URL)
        for passage in progress(analysis.passages, "wire pages"):
            write(
                passage.url + "index.html",
                self.get_template("wire_passage"),
                self.context,
                passage=passage,
                source_story=stories[passage.witnesses[0].story],
                variants=Deferred(aligned_witnesses, passage, stories),
                page_name=passage.url,
            )
        for pair in analysis.pairs:
            url = compare_url(pair.a, pair.b)
            write(
                url + "index.html",
                self.get_template("compare"),
                self.context,
                pair=pair,
                story_a=stories[pair.a],
                story_b=stories[pair.b],
                sections=Deferred(compare_sections, pair, stories[pair.a], stories[pair.b]),
                page_name=url,
            )
        for slug, (event, passages) in self.diagrams.items():
            writer.write_made(
                EVENT_URL.format(slug=slug) + DIAGRAM_NAME,
                diagram_inputs(event.stories, passages, url_prefix=f"{site}/"),
                partial(render_svg, event.stories, passages, url_prefix=f"{site}/"),
            )


class Deferred:
    """An iterable made when a template iterates it: a page reused from the last build
    (archive_core's incremental writing) never pays for its word alignments."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __iter__(self):
        return iter(self.fn(*self.args))


def aligned_witnesses(passage, stories):
    """``(witness, story, alignment HTML)`` for every printing of ``passage``."""
    source = passage.witnesses[0]
    return [(w, stories[w.story], alignment_html(align_words(source.text, w.text), "both")) for w in passage.witnesses]


def compare_sections(pair, a, b):
    """The comparison of ``pair`` in reading order, as sections a template shows in turn:
    ``("shared", row, a HTML, b HTML)`` for paragraphs lined up across the stories, each side its
    own text with the words the other story does not print as ``<ins>`` (the marks mean what they
    mean on wire and quotation pages: *added* against the text it is compared with); and
    ``("apart", a paragraph ids, b paragraph ids)`` for each run of paragraphs between them that
    only one story prints."""
    sections, apart_a, apart_b = [], [], []

    def close_run():
        if apart_a or apart_b:
            sections.append(("apart", tuple(apart_a), tuple(apart_b)))
            apart_a.clear()
            apart_b.clear()

    for row in pair.rows:
        if row.a and row.b:
            close_run()
            ops = row_words(row, a, b)
            sections.append(("shared", row, alignment_html(_swapped(ops), "b"), alignment_html(ops, "b")))
        else:
            apart_a.extend(row.a)
            apart_b.extend(row.b)
    close_run()
    return sections


def _swapped(ops):
    """A word alignment seen from its other side: what one text inserts the other deletes."""
    turn = {"insert": "delete", "delete": "insert"}
    return [(turn.get(op, op), b_text, a_text) for op, a_text, b_text in ops]


def add_template_globals(generator):
    generator.env.globals.update(compare_url=compare_url, slugify=slugify)
    generator.env.filters["quoted"] = quoted


def get_generators(pelican):
    return WireGenerator


signals.generator_init.connect(add_template_globals)
signals.get_generators.connect(get_generators)
signals.initialized.connect(start_early)


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
