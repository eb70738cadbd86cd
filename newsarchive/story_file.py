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

Every problem raises :class:`~newsarchive.errors.ArchiveError` with ``path:line``. Lines are
counted as editors count them (:func:`text_lines`): a form feed, a vertical tab or U+2028 inside
a line is part of its text. A UTF-8 byte order mark at the
start of the file is read as no text, as ``archive import`` reads one in a capture.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path, PurePosixPath

from markupsafe import Markup
from slugify import slugify
from unidecode import unidecode

from .errors import ArchiveError
from .story import MAX_SLUG_LENGTH, Capture, Media, Paragraph, Story, url_slug

REQUIRED = ("title", "date")
KNOWN_SOURCES = ("capture", "archivist")
# fields of Story filled straight from metadata of the same name
TEXT_FIELDS = ("publisher", "source_url", "dateline", "credit", "rights", "event")
SECTION_RE = re.compile(r"^##\s+(?P<name>[^(]+?)\s*(?:\((?P<count>[^)]*)\))?\s*$")
META_RE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*):\s*(?P<value>.*)$")
SOURCE_URL_RE = re.compile(r"https?://[^\s\"'<>`]+", re.I)
MEDIA_RE = re.compile(r"^-\s+(?:after\s+(?P<after>p\d+)|(?P<first>before p1)):\s*(?P<text>.+)$")
SECTIONS = ("media", "comments", "dropped boilerplate")
CAPTURES_DIR = "captures"
# The largest story an archive takes (docs/ARCHIVING.md). Every analysis is linear in the text it
# reads but the alignment of two printings of one passage (wire_text), quadratic in the passage's
# length: a body of 200,000 characters (about 33,000 words, longer than any newspaper story)
# keeps that under 200 MB. The whole file, comments included, is read in linear time and memory.
MAX_BODY_CHARACTERS = 200_000
MAX_STORY_CHARACTERS = 4_000_000
# Metadata Pelican makes a page of, named by its own slug of the value: /publishers/<slug>/, /tags/<slug>/
PELICAN_SLUGGED = ("publisher", "tags")


def parse_date(value: str, path: str, line: int) -> dt.datetime:
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    raise ArchiveError(path, line, f"unparseable date {value!r} (expected YYYY-MM-DD or YYYY-MM-DD HH:MM)")


def parse_sources(value: str, path: str, line: int) -> dict[str, str]:
    """``title=archivist, dateline=capture`` -> {"title": "archivist", ...}."""
    sources = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key, sep, origin = item.partition("=")
        origin = origin.strip().lower()
        if not sep or origin not in KNOWN_SOURCES:
            raise ArchiveError(path, line, f"bad Sources entry {item!r}: write field=capture or field=archivist")
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
    body = 0  # characters of the paragraphs so far

    def flush() -> None:
        nonlocal body
        if para:
            pid = f"p{len(story.paragraphs) + 1}"
            story.paragraphs.append(Paragraph(pid, " ".join(para), para_line))
            para.clear()
            body += len(story.paragraphs[-1].text)
            if body > MAX_BODY_CHARACTERS:
                raise ArchiveError(
                    path,
                    para_line,
                    f"the story's paragraphs pass {MAX_BODY_CHARACTERS:,} characters here, the most a story may print",
                )

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


def story_slug(metadata: dict[str, str], meta_lines: dict[str, int], path: str) -> str:
    """The ``Slug:`` given, if it is a URL slug (lowercase letters, digits, hyphens, at most
    MAX_SLUG_LENGTH characters: one folder of ``stories/``, nothing else); else the title's
    :func:`~newsarchive.story.url_slug`."""
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
    return parse_story(read_text(path), str(path), content_root)
