"""The one data model every part of the archive reads and extends.

A :class:`Story` is what a story file in ``content/stories/`` says: metadata, paragraphs with
stable ids, media placeholders, the raw comments section, dropped boilerplate. Analysis
modules add to it (parsed comments, annotations on paragraphs, plugin data); the
:class:`Archive` holds all stories plus the archive-wide sections (quotes, people, wire...).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from slugify import slugify

# The published URL scheme (site-relative; each page is <url>index.html). A URL, once
# published, never changes: ids are derived from content that does not move.
STORY_URL = "stories/{slug}/"
EVENT_URL = "events/{slug}/"
QUOTE_URL = "quotes/{id}/"
# Quotations with no identified speaker (never a quote id: those end in -<hash>).
UNATTRIBUTED_QUOTES_URL = "quotes/unattributed/"
PERSON_URL = "people/{slug}/"
ORGANIZATION_URL = "organizations/{slug}/"
WIRE_URL = "wire/{id}/"
COMPARE_URL = "compare/{a}--{b}/"
# a story's versions (each capture of one page) and what changed between two of them
VERSION_URL = "stories/{slug}/versions/{number}/"
CHANGES_URL = "stories/{slug}/changes/{a}-{b}/"
CAPTURE_URL = "{path}"  # captures are published at their content path: captures/<name>.txt
# What every page says of a story with no publisher; its listing is /publishers/publisher-not-recorded/.
NO_PUBLISHER = "Publisher not recorded"

# A slug is one folder name in a URL; a comparison page joins two (COMPARE_URL), and a file name
# holds at most 255 bytes.
MAX_SLUG_LENGTH = 120


def url_slug(text: str, kind: str) -> str:
    """``text`` as a URL slug (lowercase ASCII letters, digits, hyphens), never empty and at most
    MAX_SLUG_LENGTH characters; the same text always gives the same slug.

    Text with nothing to transliterate (emoji, punctuation) gives ``<kind>-`` and 12 hex digits of
    its sha256; a slug too long is cut and ends with those 12 digits, so texts that differ after
    the cut keep different slugs."""
    slug = slugify(text)
    if slug and len(slug) <= MAX_SLUG_LENGTH:
        return slug
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug[: MAX_SLUG_LENGTH - 13].rstrip('-') or kind}-{digest}"


@functools.cache
def field_values(cls: type, but: str = "") -> Callable[[Any], tuple]:
    """A getter of the values of the fields of the dataclass ``cls`` (less the field ``but``), as
    a tuple (``cls`` has two fields or more besides ``but``)."""
    return operator.attrgetter(*(f.name for f in fields(cls) if f.name != but))


_Record = TypeVar("_Record")


def _pickled_by_fields(cls: type[_Record]) -> type[_Record]:
    """Pickle instances of the dataclass ``cls`` as its fields' values, given back to its
    constructor. Pickle's own way for a class with ``__slots__`` stores a dict of slot names per
    instance and sets them one by one, slower to save and to load, and Pelican's content cache
    holds every paragraph and comment of every story."""
    values = field_values(cls)

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


@_pickled_by_fields
@dataclass(slots=True)
class Paragraph:
    """One block of the body (a paragraph, subhead, list, block quote, figure, table), kept
    exactly as printed. ``id`` is its anchor: p1, p2, ... ``text`` is its plain text, what
    the analyses and search read; ``html`` its cleaned HTML when it has markup, ``""`` for a
    paragraph of text alone (see ``newsarchive.formats.markdown_body``)."""

    id: str
    text: str
    line: int
    html: str = ""


@_pickled_by_fields
@dataclass(slots=True)
class Span:
    """A marked stretch of a paragraph's text (a quotation, a wire passage, a name...).

    ``start``/``end`` are character offsets into the paragraph text. ``href`` is
    site-relative. Renderers escape all text; spans only add links and classes.
    """

    start: int
    end: int
    kind: str
    href: str | None = None
    title: str = ""


@_pickled_by_fields
@dataclass(slots=True)
class Note:
    """A line shown under a paragraph ("quoted in comment 18", "wire passage w3")."""

    text: str
    href: str | None = None


@_pickled_by_fields
@dataclass(slots=True)
class Media:
    """A media placeholder that stood for video or audio, kept with its position."""

    text: str
    after: str | None  # id of the paragraph it followed; None if before the first
    line: int


@_pickled_by_fields
@dataclass(slots=True)
class Comment:
    """A reader comment. ``id`` is its position path in the thread: 16, 16.1, 16.1.1."""

    id: str
    parent: str | None
    author: str
    paragraphs: list[str]
    number: int  # the number printed beside it
    position: int  # 1-based order in the thread as captured
    line: int
    depth: int = 0
    reply_to_inferred: str | None = None
    cites: list[dict[str, Any]] = field(default_factory=list)
    date: str = ""  # when it was posted, as written in the story file ("2011-06-15 07:12 -04:00"); "" if unknown
    date_iso: str = ""  # the same date in ISO 8601 ("2011-06-15T07:12-04:00"), for datetime attributes and JSON
    removed: int = 0  # a comment of an earlier capture: the number of the first version without it

    @property
    def anchor(self) -> str:
        return "comment-" + self.id.replace(".", "-")

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@_pickled_by_fields
@dataclass(slots=True)
class Capture:
    path: str  # relative to content/, e.g. captures/000_x.txt
    sha256: str


@_pickled_by_fields
@dataclass(slots=True)
class Version:
    """One capture of a story's page: version 1 is the story file itself, later ones are the
    files its ``Versions:`` line lists (docs/ARCHIVING.md). ``story`` is that file as read;
    ``changes`` says in short phrases what changed from the version before ("headline changed",
    "2 paragraphs added"), ``corrections`` the ids of the correction, editor's note and update
    paragraphs this version adds."""

    number: int
    story: Story
    changes: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    stamp: tuple[int, int] = (0, 0)  # its file's modification time (ns) and size when read

    @property
    def captured(self) -> str:
        return self.story.captured

    @property
    def capture(self) -> Capture | None:
        return self.story.capture


@_pickled_by_fields
@dataclass(slots=True)
class Story:
    path: str  # the story file, as given to the loader
    slug: str
    title: str
    date: dt.datetime
    publisher: str = ""
    source_url: str = ""
    dateline: str = ""
    credit: str = ""
    rights: str = ""
    event: str = ""
    capture: Capture | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> "capture" | "archivist"
    paragraphs: list[Paragraph] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    comments_declared: int | None = None
    comments_line: int | None = None  # line of the "## Comments" heading
    comment_lines: list[tuple[int, str]] = field(default_factory=list)  # raw section, until parsed
    comments: list[Comment] = field(default_factory=list)
    comments_parsed: bool = False  # comment_lines were parsed into comments (and let go)
    dropped: list[str] = field(default_factory=list)
    # the files under content/ the body shows: (path under content/, path published beside the story)
    images: list[tuple[str, str]] = field(default_factory=list)
    # Pelican's standard metadata (newsarchive.formats.pelican_article)
    authors: list[str] = field(default_factory=list)  # the byline
    modified: dt.datetime | None = None
    summary: str = ""  # plain text, shown on listings
    lang: str = ""
    status: str = ""  # "", "published", "draft" or "hidden"
    metadata: dict[str, str] = field(default_factory=dict)  # every header field, raw
    metadata_lines: dict[str, int] = field(default_factory=dict)
    spans: dict[str, list[Span]] = field(default_factory=dict)  # paragraph id -> spans
    notes: dict[str, list[Note]] = field(default_factory=dict)  # paragraph id -> notes
    data: dict[str, Any] = field(default_factory=dict)  # plugin additions for archive.json
    source_digest: str = ""  # what the file says, hashed as it was read (page_reuse.source_digest)
    # from saved web pages and web archives (docs/ARCHIVING.md)
    date_offset: str = ""  # the UTC offset of ``date`` when the source gives one, "+HH:MM"
    modified_offset: str = ""  # likewise of ``modified``
    captured: str = ""  # when the capture was made (a web archive record's date)
    capture_record: str = ""  # the web archive record the capture is (WARC-Record-ID)
    # every capture of the story's page, oldest first, when it has more than one (the story
    # then reads as its latest version: see newsarchive.story_versions)
    versions: list[Version] = field(default_factory=list)

    @property
    def url(self) -> str:
        return STORY_URL.format(slug=self.slug)

    @property
    def publisher_label(self) -> str:
        """The publisher, or the one wording for a story that names none."""
        return self.publisher or NO_PUBLISHER

    def version_url(self, number: int) -> str:
        return VERSION_URL.format(slug=self.slug, number=number)

    def changes_url(self, a: int, b: int) -> str:
        return CHANGES_URL.format(slug=self.slug, a=a, b=b)

    @property
    def body_text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    def paragraph(self, pid: str) -> Paragraph:
        """Paragraph ``pN`` (ids are positional: p1 is paragraphs[0])."""
        if pid[:1] == "p" and pid[1:].isdigit() and 0 < int(pid[1:]) <= len(self.paragraphs):
            found = self.paragraphs[int(pid[1:]) - 1]
            if found.id == pid:
                return found
        raise KeyError(pid)

    def comment(self, cid: str) -> Comment:
        for c in self.comments:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def add_span(self, pid: str, span: Span) -> None:
        self.spans.setdefault(pid, []).append(span)

    def add_note(self, pid: str, note: Note) -> None:
        self.notes.setdefault(pid, []).append(note)


# marshal's format 2 writes equal values as equal bytes; later formats mark strings that are
# interned or shared, which depends on how the values were made (found by a test: a digest taken
# twice of the same values differed). Every digest of marshalled values uses it.
MARSHAL_VERSION = 2


@dataclass
class Archive:
    """All stories, in (date, slug) order, plus archive-wide sections added by plugins.

    ``sections`` maps a top-level archive.json key ("quotes", "people", "wire", ...) to a
    list of JSON-ready dicts (or objects with ``to_json()``); each plugin owns its keys.
    """

    stories: list[Story]
    sections: dict[str, list[Any]] = field(default_factory=dict)
    warnings: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stories.sort(key=lambda s: (s.date, s.slug))
        self._by_slug = {s.slug: s for s in self.stories}

    def story(self, slug: str) -> Story:
        return self._by_slug[slug]
