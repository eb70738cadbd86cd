"""wire_copy: find the wire text stories share and publish it once, with the printings aligned.

Thin glue over ``newsarchive.wire_text`` (detection, alignment) and ``newsarchive.wire_diagram``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from slugify import slugify

from newsarchive.analysis_memo import memo_in_cache
from newsarchive.forked_call import ForkedCall
from newsarchive.progress import TimedStages, progress, report, report_reuse
from newsarchive.render import alignment_html
from newsarchive.story import COMPARE_URL, EVENT_URL
from newsarchive.wire_diagram import render_svg
from newsarchive.wire_text import (
    WireAnalysis,
    align_words,
    based_on,
    find_wire_passages,
    mark_stories,
    params_from_settings,
    row_words,
)

WIRE_INDEX_URL = "wire/"
DIAGRAM_NAME = "wire-diagram.svg"
MEMO_NAME = "wire-analysis.pickle"  # in CACHE_PATH (newsarchive.analysis_memo)
PENDING = "wire_analysis_pending"  # context key of the analysis running in a forked child


def start_analysis(core_generator) -> None:
    """``archive_ready`` receiver: find the wire passages in a forked child while the comment and
    quotation analyses run here. The detection reads only what the reader set (paragraphs, slug,
    publisher, credit lines), which those analyses do not change; the result is the same either
    way (tested). ``ARCHIVE_PARALLEL_ANALYSIS = False`` runs it in this process."""
    context, settings = core_generator.context, core_generator.settings
    in_child = settings.get("ARCHIVE_PARALLEL_ANALYSIS", True)
    context[PENDING] = _detection(context["archive"].stories, settings, in_child)


def _detection(stories, settings, in_child: bool) -> ForkedCall:
    """The wire detection of ``stories``, started in a forked child when ``in_child`` (and the
    machine allows it). A bad ``WIRE_PARAMS`` fails here, in the build's process."""
    params = params_from_settings(settings.get("WIRE_PARAMS"))
    return ForkedCall(_find, stories, params, settings, enabled=in_child)


def _find(stories, params, settings) -> WireAnalysis:
    """The wire analysis, with each story's sentences kept in Pelican's cache folder."""
    memo = memo_in_cache(settings, MEMO_NAME)
    analysis = find_wire_passages(stories, params, memo)
    report_reuse("wire: story sentences", memo.hits, memo.misses)
    memo.save()
    return analysis


def compare_url(a: str, b: str) -> str:
    return COMPARE_URL.format(a=a, b=b)


class WireGenerator(TimedStages, Generator):
    stage_name = "wire"
    write_in_background = True  # its pages are written by a forked child (archive_core/background_writing.py)

    def _generate_context(self):
        archive = self.context["archive"]
        pending = self.context.pop(PENDING, None)
        if pending is None:  # nobody started it (archive_ready not sent): run it here
            pending = _detection(archive.stories, self.settings, in_child=False)
        self.analysis = analysis = pending.result()
        if pending.child_seconds is not None:
            report("wire: analysis in a forked child", pending.child_seconds)
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
                rows=Deferred(aligned_rows, pair, stories[pair.a], stories[pair.b]),
                page_name=url,
            )
        out = Path(self.output_path)
        mine = getattr(writer, "mine", lambda: True)  # two processes may share these pages (archive_core)
        for slug, (event, passages) in self.diagrams.items():
            if not mine():
                continue
            target = out / EVENT_URL.format(slug=slug) / DIAGRAM_NAME
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_svg(event.stories, passages, url_prefix=f"{site}/"), encoding="utf-8")


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


def aligned_rows(pair, a, b):
    """``(row, left HTML, right HTML)`` for every row of ``pair`` (None, None where a side is empty)."""
    rows = []
    for row in pair.rows:
        if row.a and row.b:
            ops = row_words(row, a, b)
            rows.append((row, alignment_html(ops, "a"), alignment_html(ops, "b")))
        else:
            rows.append((row, None, None))
    return rows


def add_template_globals(generator):
    generator.env.globals.update(compare_url=compare_url, slugify=slugify)


def get_generators(pelican):
    return WireGenerator


signals.generator_init.connect(add_template_globals)
signals.get_generators.connect(get_generators)
signals.signal("archive_ready").connect(start_analysis)


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
