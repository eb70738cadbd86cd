"""Any Pelican article is a story: Pelican's standard metadata on a :class:`Story`, and articles
in reStructuredText or HTML read into one.

A story file's header may carry Pelican's own keys besides the archive's:

- ``Author``/``Authors``: the byline (names separated by ``,``, or by ``;`` when any is there);
- ``Modified``: shown beside the date;
- ``Summary``: plain text shown on listings (and the feeds' summary);
- ``Category``: **the publisher**. The archive's categories are its publishers
  (``/publishers/<slug>/``), so ``Category: Lowell Sun`` is ``Publisher: Lowell Sun``;
  ``Publisher`` wins when both are given (and ``archive lint`` notes the Category unused);
- ``Lang``: the language of the story, marked on its page;
- ``Status``: ``draft`` (not published), ``hidden`` (its page is written, no listing links
  it) or ``published``, as Pelican does.

An article in reStructuredText (``.rst``) or HTML (``.html``) under ``content/stories/`` is read
by Pelican's own reader and its HTML body split into blocks like a Markdown body's
(:func:`newsarchive.formats.markdown_body.read_html`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from newsarchive.errors import ArchiveError, Problem
from newsarchive.formats.markdown_body import read_html
from newsarchive.model.story import Paragraph, Story

STATUSES = ("published", "draft", "hidden")
PELICAN_KEYS = {"author", "authors", "category", "lang"}  # besides those the story format reads itself
ARTICLE_SUFFIXES = (".rst", ".html", ".htm")


def names(value: str) -> list[str]:
    """``"A, B"`` or ``"Smith, J.; Doe, K."`` -> the names (Pelican's way of splitting Authors)."""
    return [name.strip() for name in value.split(";" if ";" in value else ",") if name.strip()]


def apply_metadata(story: Story) -> None:
    """Fill ``story``'s authors, modified, summary, lang, status (and its publisher from
    ``Category``) from its raw metadata. A value the archive cannot use is left out
    (:func:`metadata_notes` says so)."""
    from newsarchive.formats.story_file import parse_date, utc_offset

    meta = story.metadata
    story.authors = names(meta.get("authors") or meta.get("author") or "")
    story.summary = meta.get("summary", "")
    story.lang = meta.get("lang", "")
    status = meta.get("status", "").strip().lower()
    story.status = status if status in STATUSES else ""
    if meta.get("modified") and story.modified is None:
        try:
            story.modified = parse_date(meta["modified"], story.path, 0)
            story.modified_offset = utc_offset(meta["modified"])
        except ArchiveError:
            story.modified = None
    if not story.publisher and meta.get("category"):
        story.publisher = meta["category"]


def metadata_notes(story: Story) -> list[Problem]:
    """``path:line`` notes for Pelican metadata the archive cannot use."""
    from newsarchive.formats.story_file import parse_date

    meta, lines, notes = story.metadata, story.metadata_lines, []

    def note(key: str, message: str) -> None:
        notes.append(Problem(story.path, lines.get(key, 1), "note: " + message))

    if meta.get("status") and meta["status"].strip().lower() not in STATUSES:
        note("status", f"Status {meta['status']!r} is not draft, hidden or published: the story is published")
    if meta.get("modified") and story.modified is None:
        try:
            parse_date(meta["modified"], story.path, 0)
        except ArchiveError:
            note("modified", f"Modified {meta['modified']!r} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM): not shown")
    category, publisher = meta.get("category", ""), meta.get("publisher", "")
    if category and publisher and category != publisher:
        note(
            "category", f"Category {category!r} not used: the publisher is {publisher!r} (Category names the publisher)"
        )
    if meta.get("author") and meta.get("authors"):
        note("author", "both Author and Authors given: the byline is Authors")
    return notes


def _text(value: Any) -> str:
    """A metadata value as Pelican's reader gave it, as text."""
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return re.sub(r"<[^>]*>", "", str(value)).strip()


def story_from_article(
    path: str, html: str, metadata: dict[str, Any], source: str, content_root: Path | None = None
) -> Story:
    """The Story of a Pelican article read by Pelican's reader: its body ``html`` and processed
    ``metadata``; ``source`` is the file's text (for line numbers)."""
    from newsarchive.formats.story_file import _local_image, story_slug, text_lines

    lines = text_lines(source)
    meta = {key.lower(): _text(value) for key, value in metadata.items() if value not in (None, "")}
    meta_lines = {}
    for key in meta:
        pattern = re.compile(rf"^\s*:?{re.escape(key)}:|name=[\"']{re.escape(key)}[\"']", re.I)
        meta_lines[key] = next((n for n, line in enumerate(lines, 1) if pattern.search(line)), 1)
    for key in ("title", "date"):
        if not meta.get(key):
            raise ArchiveError(path, 1, f"missing required metadata {key.title()!r}")
    date = metadata["date"]
    story = Story(
        path=path,
        slug=story_slug(meta, meta_lines, path),
        title=meta["title"],
        date=dt.datetime(date.year, date.month, date.day, date.hour, date.minute, date.second),
        metadata=meta,
        metadata_lines=meta_lines,
    )
    for name in ("publisher", "source_url", "dateline", "credit", "rights", "event"):
        setattr(story, name, meta.get(name, ""))
    if isinstance(metadata.get("modified"), dt.datetime):
        m = metadata["modified"]
        story.modified = dt.datetime(m.year, m.month, m.day, m.hour, m.minute, m.second)
    apply_metadata(story)
    numbered = list(enumerate(lines, 1))
    image = lambda src, line: _local_image(story, path, content_root, src, line)  # noqa: E731
    for k, block in enumerate(read_html(html, numbered, image), start=1):
        story.paragraphs.append(Paragraph(f"p{k}", block.text, block.line, block.html))
    if not story.paragraphs:
        raise ArchiveError(path, 1, "story has no body paragraphs")
    return story


def load_article(path: Path, content_root: Path | None = None) -> Story:
    """A ``.rst`` or ``.html`` article, read by Pelican's reader for its kind."""
    from pelican.readers import HTMLReader, RstReader
    from pelican.settings import DEFAULT_CONFIG

    settings = dict(DEFAULT_CONFIG, PATH=str(content_root or path.parent))
    settings["DOCUTILS_SETTINGS"] = {"report_level": 5, "halt_level": 5}
    reader = RstReader(settings) if path.suffix == ".rst" else HTMLReader(settings)
    try:
        source = path.read_text(encoding="utf-8")
        html, metadata = reader.read(str(path))
    except UnicodeDecodeError:
        raise ArchiveError(str(path), 1, "not valid UTF-8 text; save the file as UTF-8") from None
    except Exception as err:  # a reader's own error, reported at the file
        raise ArchiveError(str(path), 1, f"Pelican's reader could not read it: {err}") from None
    return story_from_article(str(path), html, metadata, source, content_root)
