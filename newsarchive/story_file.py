"""Read a story file (``content/stories/*.md``) into a :class:`~newsarchive.story.Story`.

The format is documented in ``docs/ARCHIVING.md``. In short::

    Title: Headline as published
    Date: 2010-12-17
    Publisher: ...                     (other ``Key: value`` metadata lines)

    First paragraph, exactly as published.

    Second paragraph.

    ## Media
    - after p2: WBZ-TV's Ron Sanders reports.

    ## Comments (23)
      1. Author says:

        Comment body, pasted as captured.

    ## Dropped boilerplate
    Leave a Reply

Every problem raises :class:`~newsarchive.errors.ArchiveError` with ``path:line``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from slugify import slugify

from .errors import ArchiveError
from .story import Capture, Media, Paragraph, Story

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
    "byline",
    "language",
    "capture_record",
)
# dates that may carry a UTC offset after their time: Date, Modified, Captured
DATE_FIELDS = ("modified", "captured")
UTC_OFFSET_RE = re.compile(r"(?<=\d:\d\d)(?::\d\d)?\s*(?P<offset>Z|UTC|[+-]\d\d:?\d\d)$")
SECTION_RE = re.compile(r"^##\s+(?P<name>[^(]+?)\s*(?:\((?P<count>[^)]*)\))?\s*$")
META_RE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):\s*(?P<value>.*)$")
SOURCE_URL_RE = re.compile(r"https?://[^\s\"'<>`]+", re.I)
MEDIA_RE = re.compile(r"^-\s+(?:after\s+(?P<after>p\d+)|(?P<first>before p1)):\s*(?P<text>.+)$")
SECTIONS = ("media", "comments", "dropped boilerplate")
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
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ArchiveError(str(path), line, "not valid UTF-8 text; save the file as UTF-8") from None


def parse_story(text: str, path: str, content_root: Path | None = None) -> Story:
    """Parse story-file ``text``. With ``content_root``, check the capture's sha256 too."""
    lines = text.splitlines()
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

    story = Story(
        path=path,
        slug=metadata.get("slug") or slugify(metadata["title"]),
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

    # 2. body paragraphs, then the named sections
    section = "body"
    seen: dict[str, int] = {}
    para: list[str] = []
    para_line = 0

    def flush() -> None:
        if para:
            pid = f"p{len(story.paragraphs) + 1}"
            story.paragraphs.append(Paragraph(pid, " ".join(para), para_line))
            para.clear()

    for n, raw in enumerate(lines[i:], start=i + 1):
        line = raw.rstrip()
        heading = SECTION_RE.match(line)
        if heading:
            name = heading["name"].strip().lower()
            if name not in SECTIONS:
                raise ArchiveError(
                    path,
                    n,
                    f"unknown section {line!r} (expected '## Media', '## Comments (N)' or '## Dropped boilerplate')",
                )
            if name in seen:
                raise ArchiveError(path, n, f"section {line!r} appears twice (first on line {seen[name]})")
            flush()
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
            if line.strip():
                if not para:
                    para_line = n
                para.append(line.strip())
            else:
                flush()
        elif section == "media":
            if line.strip():
                story.media.append(_media(line, n, path))
        elif section == "comments":
            story.comment_lines.append((n, line))
        elif line.strip():  # dropped boilerplate: kept verbatim
            story.dropped.append(line)
    flush()
    if not story.paragraphs:
        raise ArchiveError(path, i + 1, "story has no body paragraphs")
    known = {p.id for p in story.paragraphs}
    for media in story.media:
        if media.after and media.after not in known:
            raise ArchiveError(
                path, media.line, f"media placeholder follows {media.after}, but the story has no such paragraph"
            )
    return story


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
    if capture.path.lower().endswith(LIVE_PAGE_SUFFIXES):
        raise ArchiveError(
            path,
            line,
            f"capture {capture.path!r} would be served as a live web page of the archive; keep it as "
            f"{capture.path.rsplit('/', 1)[-1]}.txt (archive import does) and name that here",
        )
    if content_root is not None:
        file = content_root / capture.path
        if not file.is_file():
            raise ArchiveError(path, line, f"capture file {capture.path!r} not found under {content_root}")
        actual = hashlib.sha256(file.read_bytes()).hexdigest()
        if actual != recorded:
            raise ArchiveError(
                path,
                meta_lines["capture_sha256"],
                f"capture {capture.path} has sha256 {actual}, but the story records {recorded}",
            )
    return capture


def load_story(path: Path, content_root: Path | None = None) -> Story:
    return parse_story(read_text(path), str(path), content_root)
