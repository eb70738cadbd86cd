"""Read a story file (``content/stories/*.md``) into a :class:`~newsarchive.model.story.Story`.

The format is documented in ``docs/ARCHIVING.md``. In short::

    Title: Headline as published
    Date: 2010-12-17
    Publisher: ...                     (other ``Key: value`` metadata lines)

    First paragraph, exactly as published (the body is Markdown: **emphasis**, [links](...),
    ## subheads, lists, block quotes, images, tables).

    Second paragraph.

    ## Media
    - after p2: WBZ-TV's Ron Sanders reports.

    ## Comments (23)
      1. Author says:

        Comment body, pasted as captured.

    ## Dropped boilerplate
    Leave a Reply

Every problem raises :class:`~newsarchive.errors.ArchiveError` with ``path:line``. Lines are
counted as editors count them (:func:`text_lines`): a form feed, a vertical tab or U+2028 inside
a line is part of its text. A UTF-8 byte order mark at the
start of the file is read as no text, as ``archive import`` reads one in a capture.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import re
import stat
import unicodedata
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from markupsafe import Markup
from slugify import slugify
from unidecode import unidecode

from newsarchive.errors import ArchiveError
from newsarchive.formats.markdown_body import read_body
from newsarchive.formats.pelican_article import ARTICLE_SUFFIXES, apply_metadata, load_article
from newsarchive.model.story import MAX_SLUG_LENGTH, Capture, Media, Paragraph, Story, url_slug

REQUIRED = ("title", "date")
KNOWN_SOURCES = ("capture", "archivist")
# fields of Story filled straight from metadata of the same name
TEXT_FIELDS = (
    "publisher",
    "source_url",
    "dateline",
    "credit",
    "rights",
    "event",
    "capture_record",
)
# dates kept as written, which may carry a UTC offset after their time (Date and Modified are
# read as dates: Story.date, and Story.modified by formats/pelican_article.py)
DATE_FIELDS = ("captured",)
UTC_OFFSET_RE = re.compile(r"(?<=\d:\d\d)(?::\d\d)?\s*(?P<offset>Z|UTC|[+-]\d\d:?\d\d)$")
SECTION_RE = re.compile(r"^##\s+(?P<name>[^(]+?)\s*(?:\((?P<count>[^)]*)\))?\s*$")
META_RE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):\s*(?P<value>.*)$")
SOURCE_URL_RE = re.compile(r"https?://[^\s\"'<>`]+", re.I)
MEDIA_RE = re.compile(r"^-\s+(?:after\s+(?P<after>p\d+)|(?P<first>before p1)):\s*(?P<text>.+)$")
SECTIONS = ("media", "comments", "dropped boilerplate")
CAPTURES_DIR = "captures"
# The largest story an archive takes (docs/ARCHIVING.md). Every analysis is linear in the text it
# reads but the alignment of two printings of one passage (analysis/wire), quadratic in the passage's
# length: a body of 200,000 characters (about 33,000 words, longer than any newspaper story)
# keeps that under 200 MB. The whole file, comments included, is read in linear time and memory.
MAX_BODY_CHARACTERS = 200_000
MAX_STORY_CHARACTERS = 4_000_000
# Metadata Pelican makes a page of, named by its own slug of the value: /publishers/<slug>/, /tags/<slug>/
PELICAN_SLUGGED = ("publisher", "tags")
# captures are published as static files: these names a browser would run as a page of the site
LIVE_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht", ".svg", ".xml", ".xht")


def parse_date(value: str, path: str, line: int) -> dt.datetime:
    """``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD HH:MM +05:00``: the date and time as
    published (the wall-clock time where it was published; :func:`utc_offset` gives the zone)."""
    value = value.strip()
    m = UTC_OFFSET_RE.search(value)
    if m:
        value = value[: m.start("offset")].strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ArchiveError(
        path, line, f"unparseable date {value!r} (expected YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM +HH:MM)"
    )


def utc_offset(value: str) -> str:
    """The UTC offset a date value ends with, as ``+HH:MM`` (``Z`` and ``UTC`` are ``+00:00``); "" if none."""
    m = UTC_OFFSET_RE.search(value.strip())
    if not m:
        return ""
    offset = m["offset"]
    if offset in ("Z", "UTC"):
        return "+00:00"
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def parse_sources(value: str, path: str, line: int) -> dict[str, str]:
    """``title=archivist, dateline=capture`` -> {"title": "archivist", ...}."""
    sources = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key, sep, origin = item.partition("=")
        origin = origin.strip().lower()
        if not sep or origin.partition(":")[0] not in KNOWN_SOURCES:
            raise ArchiveError(
                path, line, f"bad Sources entry {item!r}: write field=capture, field=capture:HOW or field=archivist"
            )
        sources[key.strip().lower()] = origin
    return sources


def read_text(path: Path) -> str:
    """The file's text, less a leading byte order mark."""
    try:
        data = path.read_bytes()
    except OSError as err:  # a broken link, a file the build may not read...
        raise ArchiveError(str(path), None, f"cannot read the story file: {err.strerror}") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ArchiveError(str(path), line, "not valid UTF-8 text; save the file as UTF-8") from None


def text_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor numbers them: each ends at ``\n`` (or ``\r\n``), and
    nowhere else. ``str.splitlines`` also splits at form feeds, vertical tabs, U+2028 and
    others, and every line number after one would be wrong."""
    lines = text.removesuffix("\n").split("\n")
    return [line.removesuffix("\r") for line in lines] if "\r" in text else lines


def parse_story(text: str, path: str, content_root: Path | None = None) -> Story:
    """Parse story-file ``text``. With ``content_root``, check the capture's sha256 too."""
    if len(text) > MAX_STORY_CHARACTERS:
        line = text.count("\n", 0, MAX_STORY_CHARACTERS) + 1
        raise ArchiveError(
            path, line, f"the story file passes {MAX_STORY_CHARACTERS:,} characters here, the most a story may have"
        )
    lines = text_lines(text.removeprefix("\ufeff"))
    if not any(line.strip() for line in lines):
        raise ArchiveError(path, 1, "empty story file")

    # 1. metadata header: Key: value lines up to the first blank line
    metadata: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        m = META_RE.match(lines[i])
        if not m:
            raise ArchiveError(path, i + 1, f"expected a 'Key: value' metadata line, got {lines[i]!r}")
        key = m["key"].lower()
        if key in metadata:
            raise ArchiveError(path, i + 1, f"metadata {m['key']!r} given twice (first on line {meta_lines[key]})")
        metadata[key], meta_lines[key] = m["value"].strip(), i + 1
        i += 1
    for key in REQUIRED:
        if not metadata.get(key):
            raise ArchiveError(path, meta_lines.get(key, 1), f"missing required metadata {key.title()!r}")

    for key in PELICAN_SLUGGED:
        given = metadata.get(key, "")
        names = given.split(";" if ";" in given else ",") if key == "tags" else [given]  # as Pelican splits them
        for name in names:
            page = _pelican_slug(name)
            if name.strip() and not page:
                raise ArchiveError(
                    path, meta_lines[key], f"{key.title()} {name.strip()!r} has no letter or digit to name its page by"
                )
            if len(page) > MAX_SLUG_LENGTH:
                raise ArchiveError(
                    path,
                    meta_lines[key],
                    f"{key.title()} is too long to name a page: at most {MAX_SLUG_LENGTH} letters",
                )
    story = Story(
        path=path,
        slug=story_slug(metadata, meta_lines, path),
        title=metadata["title"],
        date=parse_date(metadata["date"], path, meta_lines["date"]),
        metadata=metadata,
        metadata_lines=meta_lines,
    )
    for name in TEXT_FIELDS:
        setattr(story, name, metadata.get(name, ""))
    story.date_offset = utc_offset(metadata["date"])
    for name in DATE_FIELDS:
        if metadata.get(name):
            parse_date(metadata[name], path, meta_lines[name])
            setattr(story, name, metadata[name])
    if story.source_url and not SOURCE_URL_RE.fullmatch(story.source_url):
        raise ArchiveError(
            path,
            meta_lines["source_url"],
            f"Source_url must be an http:// or https:// address, got {story.source_url!r}",
        )
    if "sources" in metadata:
        story.sources = parse_sources(metadata["sources"], path, meta_lines["sources"])
    if "capture" in metadata:
        story.capture = _capture(metadata, meta_lines, path, content_root)
    elif "capture_sha256" in metadata:
        raise ArchiveError(path, meta_lines["capture_sha256"], "Capture_sha256 given without Capture")

    # 2. the body (Markdown), then the named sections
    section = "body"
    seen: dict[str, int] = {}
    body: list[tuple[int, str]] = []
    for n, raw in enumerate(lines[i:], start=i + 1):
        line = raw.rstrip()
        heading = SECTION_RE.match(line)
        if heading and (section != "body" or heading["name"].strip().lower() in SECTIONS):
            name = heading["name"].strip().lower()
            if name not in SECTIONS:
                raise ArchiveError(
                    path,
                    n,
                    f"unknown section {line!r} (expected '## Media', '## Comments (N)' or '## Dropped boilerplate')",
                )
            if name in seen:
                raise ArchiveError(path, n, f"section {line!r} appears twice (first on line {seen[name]})")
            seen[name], section = n, name
            if name == "comments":
                story.comments_line = n
                count = heading["count"]
                if count is not None:
                    if not count.strip().isdigit():
                        raise ArchiveError(path, n, f"comment count {count!r} is not a number")
                    story.comments_declared = int(count)
            continue
        if section == "body":
            body.append((n, raw))
        elif section == "media":
            if line.strip():
                story.media.append(_media(line, n, path))
        elif section == "comments":
            story.comment_lines.append((n, line))
        elif line.strip():  # dropped boilerplate: kept verbatim
            story.dropped.append(line)
    image = partial(_local_image, story, path, content_root)
    printed = 0  # characters of the blocks so far
    for k, block in enumerate(read_body(body, image), start=1):
        story.paragraphs.append(Paragraph(f"p{k}", block.text, block.line, block.html))
        printed += len(block.text)
        if printed > MAX_BODY_CHARACTERS:
            raise ArchiveError(
                path,
                block.line,
                f"the story's paragraphs pass {MAX_BODY_CHARACTERS:,} characters here, the most a story may print",
            )
    if not story.paragraphs:
        raise ArchiveError(path, i + 1, "story has no body paragraphs")
    apply_metadata(story)
    known = {p.id for p in story.paragraphs}
    for media in story.media:
        if media.after and media.after not in known:
            raise ArchiveError(
                path, media.line, f"media placeholder follows {media.after}, but the story has no such paragraph"
            )
    return story


def story_slug(metadata: dict[str, str], meta_lines: dict[str, int], path: str) -> str:
    """The ``Slug:`` given, if it is a URL slug (lowercase letters, digits, hyphens, at most
    MAX_SLUG_LENGTH characters: one folder of ``stories/``, nothing else); else the title's
    :func:`~newsarchive.model.story.url_slug`."""
    slug = metadata.get("slug")
    if not slug:
        return url_slug(metadata["title"], "story")
    if slugify(slug) != slug:
        hint = f": try {url_slug(slug, 'story')!r}" if slugify(slug) else ""
        raise ArchiveError(
            path, meta_lines["slug"], f"slug {slug!r} is not a URL slug (lowercase letters, digits, hyphens){hint}"
        )
    if len(slug) > MAX_SLUG_LENGTH:
        raise ArchiveError(
            path, meta_lines["slug"], f"slug is {len(slug)} characters long: at most {MAX_SLUG_LENGTH}, please"
        )
    return slug


def _pelican_slug(value: str) -> str:
    """What Pelican's slugify (default settings) keeps of ``value``: empty when its page would
    have no name of its own."""
    kept = unidecode(unicodedata.normalize("NFKC", Markup(value).striptags()))
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", kept, flags=re.ASCII).strip())


IMAGE_PREFIXES = ("{static}", "{attach}", "{filename}")


def _local_image(story: Story, path: str, content_root: Path | None, src: str, line: int) -> str:
    """An image of the body that is a file under ``content/``: ``src`` relative to the story
    file's folder, or to ``content/`` when it starts with ``/`` (Pelican's ``{static}``,
    ``{attach}`` and ``{filename}`` prefixes are read the same way). It is published beside the
    story: at ``stories/<slug>/<its path from the story file's folder>``, or from ``content/``
    when it is not under that folder. Returns that address, relative to the story's page."""
    ref = unquote(src.split("#", 1)[0].split("?", 1)[0])
    ref = next((ref[len(p) :] for p in IMAGE_PREFIXES if ref.startswith(p)), ref)
    folder = "stories"
    if content_root is not None:
        folder = os.path.relpath(os.path.dirname(os.path.abspath(path)), os.path.abspath(content_root))
        folder = folder.replace(os.sep, "/")
    rel = posixpath.normpath(ref.lstrip("/") if ref.startswith("/") else posixpath.join(folder, ref))
    if rel.startswith("../") or rel in (".", ".."):
        raise ArchiveError(path, line, f"image {src!r} is outside content/")
    if content_root is not None and not (content_root / rel).is_file():
        raise ArchiveError(path, line, f"image {src!r}: no file content/{rel}")
    published = posixpath.relpath(rel, folder)
    if published.startswith("../"):
        published = rel
    if (rel, published) not in story.images:
        story.images.append((rel, published))
    return quote(published)


def _media(line: str, n: int, path: str) -> Media:
    m = MEDIA_RE.match(line.strip())
    if not m:
        raise ArchiveError(path, n, f"media lines read '- after pN: text' or '- before p1: text', got {line.strip()!r}")
    return Media(m["text"].strip(), m["after"], n)


def _capture(metadata: dict[str, str], meta_lines: dict[str, int], path: str, content_root: Path | None) -> Capture:
    line = meta_lines["capture"]
    recorded = metadata.get("capture_sha256", "").lower()
    if not re.fullmatch(r"[0-9a-f]{64}", recorded):
        raise ArchiveError(
            path,
            meta_lines.get("capture_sha256", line),
            "Capture needs Capture_sha256: the 64-hex-digit sha256 of the capture file",
        )
    capture = Capture(metadata["capture"], recorded)
    parts = PurePosixPath(capture.path).parts
    if len(parts) < 2 or parts[0] != CAPTURES_DIR or any(part in (".", "..") for part in parts) or "\\" in capture.path:
        raise ArchiveError(
            path,
            line,
            f"capture {capture.path!r} is not a path under {CAPTURES_DIR}/ (write {CAPTURES_DIR}/<file name>)",
        )
    if capture.path.lower().endswith(LIVE_PAGE_SUFFIXES):
        raise ArchiveError(
            path,
            line,
            f"capture {capture.path!r} would be served as a live web page of the archive; keep it as "
            f"{capture.path.rsplit('/', 1)[-1]}.txt (archive import does) and name that here",
        )
    if content_root is not None:
        file = content_root / capture.path
        wrong = _not_a_regular_file(content_root, parts)
        if wrong:
            raise ArchiveError(path, line, f"capture file {capture.path!r} {wrong}")
        actual = hashlib.sha256(file.read_bytes()).hexdigest()
        if actual != recorded:
            raise ArchiveError(
                path,
                meta_lines["capture_sha256"],
                f"capture {capture.path} has sha256 {actual}, but the story records {recorded}",
            )
    return capture


def _not_a_regular_file(root: Path, parts: tuple[str, ...]) -> str:
    """Why ``root/<parts>`` is not a regular file reached through folders with no symbolic link
    on the way (a link may lead out of ``root``), or "" when it is one."""
    here = root
    for n, part in enumerate(parts):
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except OSError:
            return f"not found under {root}"
        if stat.S_ISLNK(mode):
            return f"is reached through a symbolic link: only regular files inside {CAPTURES_DIR}/ are read"
        if not (stat.S_ISREG(mode) if n == len(parts) - 1 else stat.S_ISDIR(mode)):
            return "is not a regular file"
    return ""


def load_story(path: Path, content_root: Path | None = None) -> Story:
    """The story in ``path``: a story file, or a Pelican article in reStructuredText or HTML.
    With ``content_root``, a story file's later versions are read too (``Versions:``)."""
    if path.suffix in ARTICLE_SUFFIXES:
        return load_article(path, content_root)
    story = parse_story(read_text(path), str(path), content_root)
    if content_root is not None and "versions" in story.metadata:
        from newsarchive.formats.story_versions import read_versions

        read_versions(story, content_root)
    return story
