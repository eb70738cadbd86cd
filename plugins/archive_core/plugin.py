"""archive_core: read story files into the shared Story model, build the Archive, publish
story/event pages, archive.json and sitemap.xml.

Thin glue: the parsing and models live in the ``newsarchive`` package.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
from contextlib import ExitStack
from functools import partial
from html import escape
from pathlib import Path

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator
from pelican.readers import MarkdownReader

from newsarchive.analysis.versions import changes_line, diff, headline_diff, since_first
from newsarchive.formats import archive_json
from newsarchive.formats.story_file import load_story
from newsarchive.formats.story_versions import captured_iso, versions_changed
from newsarchive.formats.updates_feed import UPDATES_FEED, updates_atom
from newsarchive.model.events import group_events
from newsarchive.model.story import EVENT_URL, Archive, Note, Story, url_slug
from newsarchive.pages.render import alignment_html, block_html, xml_text
from newsarchive.pages.structured_data import news_article
from newsarchive.site.progress import Phases, TimedStages, paused_gc, stage

from . import background_writing, incremental_writing, machine_faults

log = logging.getLogger(__name__)

# Sent with the ArchiveGenerator once context["archive"] and context["events"] exist, before the
# other plugins' analyses: a plugin can start work that needs only the stories as read (the
# incremental writer takes their digests here). Receivers connect by name: signal("archive_ready").
archive_ready = signals.signal("archive_ready")

# Sent with each Story as the StoryReader reads its file (not when Pelican takes the story from
# its content cache): a receiver may add to the Story what depends on that file alone, and
# Pelican's cache keeps it for the next build (comment_threads parses the thread here).
story_read = signals.signal("story_read")


def _is_story(settings: dict, source_path: str) -> bool:
    rel = os.path.relpath(source_path, settings["PATH"])
    return any(rel == p or rel.startswith(p.rstrip("/") + os.sep) for p in settings["ARTICLE_PATHS"])


class ArticleAsStory:
    """Mixed into one of Pelican's readers: a file under ``ARTICLE_PATHS`` becomes a Pelican
    article carrying its :class:`Story` as ``article.story`` (a story file, or an article in
    reStructuredText or HTML: ``newsarchive.formats.story_file.load_story``). Other files
    (``content/pages/``) are read by the reader itself."""

    def read(self, source_path):
        if not _is_story(self.settings, source_path):
            return super().read(source_path)
        story = load_story(Path(os.path.relpath(source_path)), Path(self.settings["PATH"]))
        story_read.send(story)
        return "", story_metadata(self, story)  # the HTML is made when asked for: see story_content()


class StoryReader(ArticleAsStory, MarkdownReader):
    """Story files (and plain Pelican Markdown articles) under ``ARTICLE_PATHS``."""


def story_metadata(reader, story: Story) -> dict:
    """The Pelican metadata of a story's article: its Story, and what Pelican lists and feeds by.
    The category is the publisher (``NO_PUBLISHER`` when none is named); the feed's author is the
    byline, else the publisher. What Pelican shows of it (feeds, listings) is given as XML can
    carry it (``xml_text``); the Story keeps the text as published."""
    metadata = {
        "title": xml_text(story.title),
        "date": reader.process_metadata("date", story.date.strftime("%Y-%m-%d %H:%M")),
        "slug": story.slug,
        "summary": f"<p>{escape(xml_text(story.summary or story.paragraphs[0].text), quote=False)}</p>",
        "category": reader.process_metadata("category", xml_text(story.publisher_label)),
        "story": story,
    }
    byline = ", ".join(story.authors) or story.publisher
    if byline:
        metadata["authors"] = reader.process_metadata("authors", xml_text(byline))
    if story.modified:
        metadata["modified"] = reader.process_metadata("modified", story.modified.strftime("%Y-%m-%d %H:%M"))
    if story.status:
        metadata["status"] = story.status
    if story.lang:
        metadata["lang"] = story.lang
    if story.metadata.get("tags"):
        metadata["tags"] = reader.process_metadata("tags", xml_text(story.metadata["tags"]))
    return metadata


def story_html(story: Story) -> str:
    """A story's blocks as HTML with their ids (a block with markup in a ``<div>``), as XML can
    carry them (for the feeds)."""
    return "\n".join(
        f'<div id="{p.id}">{xml_text(p.html)}</div>'
        if p.html
        else f'<p id="{p.id}">{escape(xml_text(p.text), quote=False)}</p>'
        for p in story.paragraphs
    )


def story_content(instance) -> None:
    """``content_object_init`` receiver: a story article's ``content`` is made from its Story when
    asked for (Pelican calls ``_get_content``), not kept from reading to the end of the build.
    The theme renders story pages from the Story itself; only the Atom feeds ask, for their 100
    newest entries each. Kept, the HTML would be a second copy of every paragraph, and pickling
    it into Pelican's reader cache would attach a UTF-8 copy to each non-ASCII one."""
    story = getattr(instance, "story", None)
    if isinstance(story, Story):
        instance._get_content = partial(story_html, story)


def story_block(article, paragraph, spans, site_url: str) -> Markup:
    """A block of ``article``'s story as HTML with its marks; the links Pelican writes as
    ``{filename}``/``{static}`` in a body are made the published addresses, as Pelican does."""
    html = block_html(paragraph, spans, site_url)
    if "{" in paragraph.html:
        html = Markup(article._update_content(str(html), site_url))
    return html


def add_reader(readers):
    readers.reader_classes["md"] = StoryReader
    for extension in ("rst", "html", "htm"):
        base = readers.reader_classes.get(extension)
        if base is not None:
            readers.reader_classes[extension] = type(f"Story{base.__name__}", (ArticleAsStory, base), {})


def _fresh(story: Story) -> Story:
    """The cached Story with everything analysis adds cleared, so a rebuild starts clean (what
    ``story_read`` receivers added, from the file alone, stays)."""
    story.spans, story.notes, story.data = {}, {}, {}
    return story


def _note_changes(story: Story) -> None:
    """A note under each paragraph of a story with versions that its first version did not print
    as it is: "added in a later version" or "changed since version 1", linking the changes."""
    if not story.versions:
        return
    url = story.changes_url(1, len(story.versions))
    for pid, op in since_first(story.versions).items():
        text = "added after version 1" if op == "added" else "changed since version 1"
        story.add_note(pid, Note(f"{text}: what changed", url))


class ArchiveGenerator(TimedStages, Generator):
    """Builds the Archive from the articles (first of the plugin generators) and writes the
    archive-wide outputs once every plugin has added its part."""

    stage_name = "core"

    def _generate_context(self):
        articles = [a for a in self.context.get("articles", []) if hasattr(a, "story")]
        for article in articles:
            if article.story.versions and versions_changed(article.story):  # the cache's copy is stale
                article.story = load_story(Path(article.story.path), Path(self.settings["PATH"]))
                story_read.send(article.story)
            article.story = _fresh(article.story)
            _note_changes(article.story)
        archive = Archive([a.story for a in articles])
        self.context["archive"] = archive
        _unlisted.clear()  # hidden stories: their pages are written, no listing (nor the sitemap) has them
        _unlisted.update(a.url.rstrip("/") for a in self.context.get("hidden_articles", []))
        self.context["article_by_slug"] = {a.slug: a for a in articles}
        self.events = group_events(archive.stories)
        self.context["events"] = self.events
        archive.sections["events"] = self.events
        archive_ready.send(self)

    def _generate_output(self, writer):
        # pages other plugins write that no listing has (the quotes_people plugin's moved entities)
        _unlisted.update(url.rstrip("/") for url in self.context.get("unlisted_pages", []))
        for problem in self.context["archive"].warnings:  # every plugin's analysis has run by now
            log.warning("%s", problem)
        for event in self.events:
            writer.write_file(
                event.url + "index.html", self.get_template("event"), self.context, event=event, page_name=event.url
            )
        writer.write_file("events/index.html", self.get_template("events"), self.context, page_name="events/")
        self._write_versions(writer)
        self._publish_images()
        # A story's part of archive.json reads what its page's key covers: the part the last build
        # wrote under the same key is copied from its archive.json, not encoded again
        archive, articles = self.context["archive"], self.context["article_by_slug"]
        keys = {s.slug: incremental_writing.page_key(articles[s.slug].save_as) for s in archive.stories}
        path = Path(self.output_path) / "archive.json"
        partial_path = path.with_name(".archive.json.partial")
        with incremental_writing.kept_parts("archive.json", keys) as kept, open(partial_path, "wb") as fp:

            def kept_part(story):
                part = kept(story.slug)
                if part is not None and incremental_writing.checking() and archive_json.story_part(story) != part:
                    raise SystemExit(
                        f"error: archive.json: the part of {story.slug} reused from the last build differs from "
                        "what encoding it now gives: its page's recipe in newsarchive/site/page_reuse.py misses something"
                    )
                return part

            parts = archive_json.write(archive, fp, kept_part)
        os.replace(partial_path, path)
        incremental_writing.record_parts("archive.json", path, keys, parts)

    def _write_versions(self, writer) -> None:
        """A page for each version of a story with several, a page of what changed between any
        two of them, and the updates feed (feeds/updates.atom.xml) when a story has versions."""
        articles = self.context["article_by_slug"]
        stories = self.context["archive"].stories
        for story in stories:
            article = articles[story.slug]
            for version in story.versions:
                url = story.version_url(version.number)
                writer.write_file(
                    url + "index.html", self.get_template("story_version"), self.context,
                    article=article, story=story, version=version, page_name=url,
                )  # fmt: skip
                for old in story.versions[: version.number - 1]:
                    url = story.changes_url(old.number, version.number)
                    writer.write_file(
                        url + "index.html", self.get_template("story_changes"), self.context,
                        article=article, story=story, old=old, new=version, page_name=url,
                        rows=diff(old.story, version.story), headline=headline_diff(old.story, version.story),
                    )  # fmt: skip
        feed = Path(self.output_path) / UPDATES_FEED
        if not any(story.versions for story in stories):  # no feed without an entry (nor a link to one)
            feed.unlink(missing_ok=True)
            return
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_text(updates_atom(stories, self.settings.get("SITEURL", ""), self.settings["SITENAME"]), "utf-8")

    def _publish_images(self) -> None:
        """Each image a story's body shows, copied beside the story: ``stories/<slug>/<path>``."""
        for story in self.context["archive"].stories:
            for source, published in story.images:
                dest = Path(self.output_path) / story.url / published
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(self.path) / source, dest)


SOURCE_LABELS = {"capture": "from the capture", "archivist": "supplied by the archivist"}


def source_note(story: Story, field: str) -> Markup:
    """Where a metadata value came from, as a small note (empty when not recorded)."""
    origin, _, how = story.sources.get(field, "").partition(":")
    if origin not in SOURCE_LABELS:
        return Markup("")
    label = SOURCE_LABELS[origin] + (f": {how}" if how else "")
    return Markup(' <span class="source-note">({})</span>').format(label)


def add_template_globals(generator):
    generator.env.globals.update(
        story_json_ld=news_article,
        event_url=lambda name: EVENT_URL.format(slug=url_slug(name, "event")),
        source_note=source_note,
        story_block=story_block,
        alignment_html=alignment_html,
        changes_line=changes_line,
        captured_iso=captured_iso,
    )


def get_generators(pelican):
    return ArchiveGenerator


_unlisted: set[str] = set()  # the folders of the pages of hidden stories


def write_sitemap(pelican):
    """sitemap.xml listing every HTML page written, sorted, with no timestamps."""
    background_writing.wait_for_child(pelican)  # every page must be written before the listing
    out = Path(pelican.output_path)
    site = pelican.settings.get("SITEURL", "")
    urls = []
    with stage("core: listing the pages for the sitemap"):
        written = incremental_writing.files_written()
        folders = sorted(_folders_with_index(out) if written is None else _index_folders(written, out))
    for rel in folders:
        if rel not in _unlisted:
            urls.append(f"{site}/" if rel == "." else f"{site}/{rel}/")
    body = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls)
    (out / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n",
        encoding="utf-8",
    )


def _index_folders(files: list[str], out: Path) -> set[str]:
    """The folders (``.`` for ``out`` itself) of the ``index.html`` files among ``files``
    (absolute paths under ``out``), as POSIX paths relative to ``out``: the pages this build
    wrote, without walking the output's files."""
    root = os.path.abspath(out)
    found = set()
    for path in files:
        folder, name = os.path.split(path)
        if name == "index.html":
            rel = folder[len(root) + 1 :] if folder.startswith(root + os.sep) else os.path.relpath(folder, root)
            found.add(rel.replace(os.sep, "/") or ".")
    return found


def _folders_with_index(out: Path) -> list[str]:
    """Every folder under ``out`` (``.`` for itself) holding an ``index.html``, as a POSIX path
    relative to ``out``. Walks with ``os.scandir`` and joins paths as strings, which is faster
    than ``Path.rglob`` or ``os.walk`` with ``os.path.relpath`` on a large site."""
    found = []
    stack = [(str(out), ".")]
    while stack:
        folder, rel = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, entry.name if rel == "." else f"{rel}/{entry.name}"))
                elif entry.name == "index.html":
                    found.append(rel)
    return found


class _ArticlesById(list):
    """A list of articles whose ``in`` is a set lookup by identity (what ``in`` on a list of
    Pelican's articles, which define no ``__eq__``, amounts to)."""

    def __init__(self, articles) -> None:
        super().__init__(articles)
        self._ids = {id(a) for a in self}

    def __contains__(self, article) -> bool:
        return id(article) in self._ids


def quick_listing_membership(generator):
    """``article_generator_finalized`` receiver. Pelican writes each category, tag and author
    page with ``[a for a in self.dates if a in articles]``: a scan of the group's list for each
    of the archive's articles: quadratic time, most of it spent on author pages this site does
    not write. The groups' lists answer ``in`` from a set
    instead; the pages are the same."""
    for groups in (generator.categories, generator.authors):
        for n, (group, articles) in enumerate(groups):
            groups[n] = (group, _ArticlesById(articles))
    for tag, articles in generator.tags.items():
        generator.tags[tag] = _ArticlesById(articles)


def finish_writing(pelican):
    """Every page is written (the forked writer's too): record their keys for the next build."""
    background_writing.wait_for_child(pelican)
    incremental_writing.finish(pelican)


# Stage timings of Pelican's own work (NEWSARCHIVE_TIMINGS=1, read by the benchmark).
PHASES = Phases()


def reading_started(pelican):
    """``initialized`` receiver: Pelican loads its content cache and reads the stories with the
    cyclic garbage collector paused, as the analyses run (newsarchive.site.progress.TimedStages):
    reading makes many objects and almost no cyclic garbage. The stage starts before the articles'
    generator is made, so that loading the cache (in that generator's ``__init__``, before its
    ``article_generator_init``) runs paused too."""
    PHASES.start("pelican: reading stories")
    _reading.enter_context(paused_gc())


def reading_done(generator):
    gc.freeze()  # the stories live until the build ends
    _reading.close()  # the collector as it was when reading started
    PHASES.stop("pelican: reading stories")


_reading = ExitStack()  # the paused_gc() of the reading under way


def writing_started(generators):
    PHASES.start("pelican: writing stories and listings")


def writing_done(generator, writer=None):
    PHASES.stop("pelican: writing stories and listings")


signals.all_generators_finalized.connect(background_writing.remember_generators)
signals.all_generators_finalized.connect(incremental_writing.start)
signals.get_writer.connect(incremental_writing.writer_class)
signals.get_writer.connect(background_writing.fork_writer)
archive_ready.connect(incremental_writing.remember_sources)
story_read.connect(incremental_writing.digest_when_read)
signals.finalized.connect(background_writing.wait_for_child)
signals.initialized.connect(reading_started)
signals.article_generator_finalized.connect(reading_done)
signals.article_generator_finalized.connect(quick_listing_membership)
signals.all_generators_finalized.connect(writing_started)
signals.article_writer_finalized.connect(writing_done)
signals.readers_init.connect(add_reader)
signals.content_object_init.connect(story_content)
signals.generator_init.connect(add_template_globals)
signals.get_generators.connect(get_generators)
signals.finalized.connect(write_sitemap)
signals.finalized.connect(finish_writing)


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
    machine_faults.register()
