"""Turn a raw capture (the text an archivist saved from a news page) into a story file.

Pure functions: bytes in, story-file text and a line-by-line account out. Nothing here
touches the file system; ``archive import`` (:mod:`newsarchive.cli`) does the writing.

How a capture is read. Its lines are grouped into *blocks* (runs of non-blank lines, i.e.
paragraphs). Reading from the top:

* **Headline** -- the first block is the headline when it is a single line that is short
  (at most 20 words and 150 characters), does not end like a sentence (no final ``.`` ``,``
  ``;`` ``:``, unless the last word is an abbreviation such as ``U.S.`` or ``Mass.``), is not
  itself a dateline, credit, rights, media or date line, and is followed by a paragraph that
  starts with a dateline or like a sentence (capital letter, digit, quotation mark or
  parenthesis), possibly after byline/date lines. Otherwise there is no headline and the
  title must come from the archivist (``--title``).
* **Date line** -- a one-line block before the first paragraph such as ``December 17, 2010``
  or ``Posted: Friday, Dec. 17, 2010 3:45 PM`` gives ``Date:``.
* **Credit** -- one-line blocks that are bylines (``By JANE DOE, Associated Press Writer``),
  ``Staff and wire reports`` or ``... contributed to this report.`` give ``Credit:``. A
  "contributed to this report" sentence inside the rights notice gives ``Credit:`` too.
* **Rights** -- a block with a copyright notice (``©``, ``All rights reserved``, or a line
  opening with ``Copyright``) gives ``Rights:``, verbatim.
* **Media** -- a short one-line block standing for video or audio (``NAME reports.``,
  ``NAME talks with ...``, ``Watch: ...``) goes to ``## Media`` with its position.
* **Dateline** -- the start of the first paragraph (``BOSTON—``, ``BOSTON (CBS/AP) —``,
  ``LOWELL, Mass. —``) gives ``Dateline:``; the paragraph keeps the text as printed.
* **Comments** -- a ``Comments (N)`` (or ``N Comments``) line opens the comment thread; the
  thread's lines are kept exactly as captured.
* **Boilerplate** -- from the comment form (``Leave a Reply``, ``Leave a Comment``, ``Post a
  Comment``...) to the end, every line is dropped (listed under ``## Dropped boilerplate``).
* Everything else is body text, one paragraph per block, each line stripped of surrounding
  whitespace.

Every capture line lands in exactly one place, recorded as a :class:`LinePlace`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from newsarchive.errors import ArchiveError, Problem
from newsarchive.formats.markdown_body import escape_line
from newsarchive.formats.story_file import SECTION_RE, parse_date, parse_story, text_lines
from newsarchive.model.story import url_slug

# --- what the lines of a capture can be -------------------------------------------------

DASH = r"(?:—|–|--|\s-\s)"
DATELINE_RE = re.compile(
    r"^(?P<dateline>[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]*)*"  # BOSTON, ST. LOUIS, WINSTON-SALEM
    r"(?:,\s+[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*)*)?"  # , Mass.
    r"(?:\s*\([^()]{1,40}\))?)"  # (CBS/AP)
    rf"\s*{DASH}\s*"
)
COMMENTS_RE = re.compile(
    r"^(?:(?:Comments|Responses|Replies)(?:\s*\((?P<count>\d+)\))?"
    r"|(?P<number>\d+)\s+(?:Comments?|Responses?|Replies|Reply)(?:\s+to\s+.*)?)$",
    re.IGNORECASE,
)
BOILERPLATE_START_RE = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|add your comment|write a comment)\b",
    re.IGNORECASE,
)
RIGHTS_RE = re.compile(r"©|all rights reserved|^\(?\s*copyright\b", re.IGNORECASE)
CONTRIBUTED_RE = re.compile(r"contributed to this (?:report|story|article)\.?\)?$", re.IGNORECASE)
CONTRIBUTED_SENTENCE_RE = re.compile(
    r"(?:^|(?<=[.!?(]\s)|(?<=\())([A-Z][^.()]*contributed to this (?:report|story|article)\.)"
)
STAFF_WIRE_RE = re.compile(
    r"^(?:(?:compiled\s+)?from\s+)?(?:staff|wire|news service|staff and wire|wire and staff|staff and news service)s?\s+reports\.?$",
    re.IGNORECASE,
)
BYLINE_RE = re.compile(r"^(?:By|BY)\s+[A-Z]")
MEDIA_VERB_RE = re.compile(
    r"^(?P<who>\S.*?)\s+(?P<verb>reports|reported|has more|has the story|has details"
    r"|talks|talked|speaks|spoke|chats|chatted)\b(?P<rest>.*)$"
)
MEDIA_LABEL_RE = re.compile(r"^[\[(]?(?:watch|listen|video|audio)\b\s*[:\])|-]", re.IGNORECASE)
SENTENCE_START_RE = re.compile(r"^[\"“‘'«„(\[0-9]")  # or a capital letter of any script
ABBREVIATION_END_RE = re.compile(r"(?:^|\s)(?:(?:[A-Za-z]\.){2,}|[A-Z][a-z]{0,4}\.)$")
MONTHS = "january february march april may june july august september october november december".split()
DATE_LINE_RE = re.compile(
    r"^(?:(?:posted|published|updated)(?:\s+on)?:?\s*)?"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
    r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?"
    r"(?:\s+[A-Z]{2,4})?$",
    re.IGNORECASE,
)
NOTHING_AFTER_HEADLINE = "no story text follows it"
HEADLINE_MAX_WORDS = 40
HEADLINE_MAX_CHARS = 300
MEDIA_MAX_WORDS = 25
CREDIT_MAX_WORDS = 30
# C0 control characters that never occur in captured text (tab, newline, CR, FF are fine)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# a text with more control characters than this share of its characters is binary data; fewer are
# strays (an ESC from a terminal, a BEL from an old system): left out of the story, kept in the capture
STRAY_CONTROLS = 0.01

# story-file header order, and the order of the Sources entries
METADATA_ORDER = (
    ("title", "Title"),
    ("date", "Date"),
    ("modified", "Modified"),
    ("slug", "Slug"),
    ("publisher", "Publisher"),
    ("authors", "Authors"),
    ("source_url", "Source_url"),
    ("lang", "Lang"),
    ("dateline", "Dateline"),
    ("credit", "Credit"),
    ("rights", "Rights"),
    ("event", "Event"),
    ("capture", "Capture"),
    ("capture_sha256", "Capture_sha256"),
    ("captured", "Captured"),
    ("capture_record", "Capture_record"),
)
SOURCE_ORDER = (
    "title", "date", "modified", "publisher", "authors", "source_url", "lang", "event", "dateline", "credit",
    "rights", "captured", "capture_record", "comments",
)  # fmt: skip
# fields a saved page or web archive may give (CaptureReading.found), besides title and date
FOUND_FIELDS = ("modified", "authors", "lang", "captured", "capture_record")


@dataclass(frozen=True)
class LinePlace:
    """Where one capture line went: ``body p3``, ``metadata Rights``, ``media after p2``,
    ``comments``, ``dropped`` or ``blank``."""

    line: int
    place: str
    note: str = ""
    text: str = ""  # the line itself, for captures whose lines are a rendering (saved web pages)

    def __str__(self) -> str:
        return (
            f"line {self.line} -> {self.place}"
            + (f" ({self.note})" if self.note else "")
            + (f" | {self.text}" if self.text else "")
        )


@dataclass
class CaptureReading:
    """What :func:`read_capture` found in a capture, before any archivist metadata."""

    path: str
    sha256: str
    headline: str = ""
    not_headline_reason: str = ""  # why line 1 is not a headline, for the --title error
    date: str = ""  # YYYY-MM-DD[ HH:MM], from a date line
    dateline: str = ""
    credit: str = ""
    rights: str = ""
    paragraphs: list[list[str]] = field(default_factory=list)  # stripped lines of each paragraph
    # each body block as Markdown lines, written as they are (a saved page's body); when empty,
    # the paragraphs are written escaped, so that they read back as captured
    markdown: list[list[str]] = field(default_factory=list)
    paragraph_lines: list[int] = field(default_factory=list)  # capture line where each starts
    media: list[tuple[str | None, str]] = field(default_factory=list)  # (after pN or None, text)
    comments_heading: str | None = None
    comments_declared: int | None = None
    comment_lines: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    places: list[LinePlace] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # metadata a saved page or web archive gives: field -> (value, how it was found, e.g. json-ld)
    found: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchivistMetadata:
    """Metadata the archivist supplies on the command line; None means "not given"."""

    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    source_url: str | None = None
    slug: str | None = None
    event: str | None = None
    captured: str | None = None  # when the capture was made (a later version of a story needs it)


@dataclass
class ImportedStory:
    """A story file ready to be written as ``stories/<slug>.md``."""

    slug: str
    text: str
    capture_name: str  # relative to content/, e.g. captures/000_x.txt
    reading: CaptureReading


# --- decoding -----------------------------------------------------------------------------


def decode_capture(data: bytes, path: str) -> str:
    """The capture's text, or an :class:`ArchiveError` saying why it is not UTF-8 text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArchiveError(path, 1, "this looks like UTF-16 text; re-save the capture as UTF-8")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ArchiveError(path, line, "binary data (a NUL byte), not a text capture")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        byte = data[err.start]
        raise ArchiveError(path, line, f"not valid UTF-8 (byte 0x{byte:02X}); {_encoding_hint(data)}") from None
    text = text.removeprefix("\ufeff")
    controls = CONTROL_RE.findall(text)
    if len(controls) > max(2, len(text) * STRAY_CONTROLS):
        control = CONTROL_RE.search(text)
        line = text[: control.start()].count("\n") + 1
        raise ArchiveError(
            path, line, f"control character U+{ord(control.group()):04X}: binary data, not a text capture"
        )
    if not CONTROL_RE.sub("", text).strip():
        raise ArchiveError(path, 1, "empty capture: the file has no text")
    return text


def _encoding_hint(data: bytes) -> str:
    """A guess at the encoding of non-UTF-8 bytes, with what to do about it."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "re-save the capture as UTF-8"
    if any(0x80 <= b <= 0x9F for b in data):
        return "it looks like cp1252 / Windows-1252 text (curly quotes or dashes from a Windows program); re-save it as UTF-8, e.g. iconv -f cp1252 -t utf-8"
    return "it looks like Latin-1 / cp1252 / Windows-1252 text; re-save it as UTF-8, e.g. iconv -f cp1252 -t utf-8"


# --- line classification ------------------------------------------------------------------


def find_dateline(text: str) -> str:
    """The dateline a paragraph opens with (``BOSTON (CBS/AP)``), or ""."""
    m = DATELINE_RE.match(text)
    return m["dateline"].strip() if m else ""


def starts_like_sentence(text: str) -> bool:
    """True when ``text`` opens with a capital letter (of any script), a digit, a quotation mark
    or a parenthesis."""
    return bool(text) and (text[0].isupper() or bool(SENTENCE_START_RE.match(text)))


def ends_like_sentence(text: str) -> bool:
    """True when ``text`` ends with sentence punctuation that is not an abbreviation."""
    if not text or text[-1] not in ".,;:":
        return False
    return not (text[-1] == "." and ABBREVIATION_END_RE.search(text))


def is_credit(text: str) -> bool:
    """A byline or credit line: ``By JANE DOE``, ``Staff and wire reports``, ``X contributed to this report.``"""
    words = text.split()
    if STAFF_WIRE_RE.match(text):
        return True
    if BYLINE_RE.match(text) and len(words) <= 10 and not ends_like_sentence(text):
        return True
    return bool(CONTRIBUTED_RE.search(text)) and len(words) <= CREDIT_MAX_WORDS


def is_rights(text: str) -> bool:
    return bool(RIGHTS_RE.search(text))


def is_media(text: str) -> bool:
    """A short line standing for a video or audio clip: ``NAME reports.``, ``NAME talks with ...``."""
    words = text.split()
    if len(words) > MEDIA_MAX_WORDS or text[-1] in ",;:?!":
        return False
    if MEDIA_LABEL_RE.match(text):
        return True
    m = MEDIA_VERB_RE.match(text)
    if not m:
        return False
    who = m["who"].split()
    if not 2 <= len(who) <= 8 or not all(w[0].isupper() or w[0].isdigit() for w in who):
        return False
    rest = m["rest"]
    if m["verb"] in ("talks", "talked", "speaks", "spoke", "chats", "chatted"):
        return bool(re.match(r"^\s+(?:with|to)\s", rest))
    return bool(re.fullmatch(r"(?:\s+(?:from|on|live)\b[^.]*)?\.?", rest))


def read_date_line(text: str) -> str:
    """``December 17, 2010`` -> ``2010-12-17`` (with `` HH:MM`` when a time is given); "" if not a date."""
    m = DATE_LINE_RE.match(text)
    if not m:
        return ""
    month = next((i for i, name in enumerate(MONTHS, 1) if name.startswith(m["month"].lower())), None)
    if month is None:  # a month's name or its abbreviation (Dec, Sept)
        return ""
    try:
        date = dt.date(int(m["year"]), month, int(m["day"]))
    except ValueError:
        return ""
    if m["hour"] is None:
        return date.isoformat()
    hour, minute = int(m["hour"]), int(m["minute"])
    if m["ampm"]:
        hour = hour % 12 + (12 if m["ampm"][0].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return date.isoformat()
    return f"{date.isoformat()} {hour:02d}:{minute:02d}"


def comments_heading(text: str) -> tuple[str, int | None] | None:
    """``Comments (23)`` -> (``Comments (23)``, 23); None when the line is no comments heading."""
    m = COMMENTS_RE.match(text)
    if not m:
        return None
    count = m["count"] or m["number"]
    return text, int(count) if count is not None else None


def headline_problem(text: str) -> str:
    """Why the line ``text`` cannot be a headline, or "" when it can. News databases print a
    headline and its deck on one line (``Headline; Deck that says more.``, the deck capitalized):
    the length and sentence-end rules apply to the headline before the ``; ``."""
    head, _, deck = text.partition("; ")
    if not deck[:1].isupper():
        head = text
    if len(head) > HEADLINE_MAX_CHARS or len(head.split()) > HEADLINE_MAX_WORDS:
        return "it is too long for a headline"
    if find_dateline(text):
        return "it opens with a dateline"
    if ends_like_sentence(head):
        return "it ends like a sentence"
    if not any(ch.isalpha() for ch in text):
        return "it has no words"
    if is_credit(text) or is_rights(text) or is_media(text) or read_date_line(text) or comments_heading(text):
        return "it is a byline, credit, rights, media or date line"
    return ""


# --- reading a capture ----------------------------------------------------------------------


@dataclass
class _Block:
    start: int  # 1-based line number of the first line
    lines: list[str]

    @property
    def numbers(self) -> range:
        return range(self.start, self.start + len(self.lines))

    @property
    def first(self) -> str:
        return self.lines[0].strip()


def _blocks(lines: list[str], first: int, last: int, one_per_line: bool = False) -> list[_Block]:
    """Runs of non-blank lines among capture lines ``first..last`` (1-based, inclusive); with
    ``one_per_line``, each non-blank line is a block of its own."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for n in range(first, last + 1):
        if lines[n - 1].strip():
            if current is None or one_per_line:
                current = _Block(n, [])
                blocks.append(current)
            current.lines.append(lines[n - 1])
        else:
            current = None
    return blocks


def read_capture(data: bytes, path: str) -> CaptureReading:
    """Read a capture's bytes: every line classified (see the module docstring).

    Raises :class:`ArchiveError` (``path:line``) for text that cannot become a story: not
    UTF-8, binary, empty, no body, a comments heading with no comments, or a line the story
    file could not hold (it would read as a ``## Section`` heading).
    """
    text = decode_capture(data, path)
    reading = CaptureReading(path=path, sha256=hashlib.sha256(data).hexdigest())
    captured_lines = text_lines(text)
    lines = [CONTROL_RE.sub("", line) for line in captured_lines]
    places: dict[int, LinePlace] = {}

    def place(n: int, where: str, note: str = "") -> None:
        places[n] = LinePlace(n, where, note)

    # boilerplate: from the comment form to the end
    first_text = next(n for n, line in enumerate(lines, 1) if line.strip())
    end = len(lines)
    for n in range(first_text + 1, len(lines) + 1):
        if BOILERPLATE_START_RE.match(lines[n - 1].strip()):
            for m in range(n, len(lines) + 1):
                line = lines[m - 1].rstrip()
                if line.strip():
                    reading.dropped.append(line)
                    place(m, "dropped")
            end = n - 1
            break

    # the comment thread: from a "Comments (N)" line to the boilerplate
    article_end = end
    for n in range(first_text + 1, end + 1):
        heading = comments_heading(lines[n - 1].strip())
        if heading:
            reading.comments_heading, reading.comments_declared = heading
            place(n, "comments", "heading")
            _read_thread(reading, lines, n, end, place)
            article_end = n - 1
            break

    texts = [n for n in range(1, article_end + 1) if lines[n - 1].strip()]
    one_per_line = len(texts) > 1 and texts[-1] - texts[0] + 1 == len(texts)  # no blank line between
    _read_article(reading, _blocks(lines, 1, article_end, one_per_line), place)
    if not reading.paragraphs:
        raise ArchiveError(path, first_text, "no story body: the capture has no paragraph of story text")
    if reading.not_headline_reason == NOTHING_AFTER_HEADLINE and not headline_problem(reading.paragraphs[0][0]):
        raise ArchiveError(path, first_text, "no story body: the capture has a headline but no story text after it")
    reading.warnings.extend(unclosed_quotes(reading, path))
    for n in range(1, len(lines) + 1):
        places.setdefault(n, LinePlace(n, "blank"))
        if lines[n - 1] != captured_lines[n - 1]:
            spot = places[n]
            note = "control character left out" + (f"; {spot.note}" if spot.note else "")
            places[n] = LinePlace(n, spot.place, note)
    reading.places = [places[n] for n in sorted(places)]
    _check_storable(reading, lines)
    return reading


def _read_thread(reading: CaptureReading, lines: list[str], heading: int, end: int, place) -> None:
    """Keep the thread's lines as captured, without leading and trailing blank lines."""
    filled = [n for n in range(heading + 1, end + 1) if lines[n - 1].strip()]
    if not filled:
        if reading.comments_declared == 0:
            return
        raise ArchiveError(reading.path, heading, f"{lines[heading - 1].strip()!r} heading, but no comments follow it")
    for n in range(filled[0], filled[-1] + 1):
        reading.comment_lines.append(lines[n - 1].rstrip())
        place(n, "comments")


def _read_article(reading: CaptureReading, blocks: list[_Block], place) -> None:
    """Headline, date, credit, rights, media and body paragraphs, in capture order."""
    credits: list[str] = []
    rights: list[str] = []
    if blocks:
        reading.not_headline_reason = _headline_reason(blocks)
        if not reading.not_headline_reason:
            reading.headline = blocks[0].first
            place(blocks[0].start, "metadata Title")
            blocks = blocks[1:]
    rights_lines: list[int] = []
    for block in blocks:
        one_line = len(block.lines) == 1
        if any(is_rights(line.strip()) for line in block.lines):
            rights.extend(line.strip() for line in block.lines)
            rights_lines.extend(block.numbers)
            for n in block.numbers:
                place(n, "metadata Rights")
        elif one_line and is_credit(block.first):
            credits.append(block.first)
            place(block.start, "metadata Credit")
        elif one_line and is_media(block.first):
            after = f"p{len(reading.paragraphs)}" if reading.paragraphs else None
            reading.media.append((after, block.first))
            place(block.start, f"media after {after}" if after else "media before p1")
        elif one_line and not reading.paragraphs and not reading.date and read_date_line(block.first):
            reading.date = read_date_line(block.first)
            place(block.start, "metadata Date")
        else:
            pid = f"p{len(reading.paragraphs) + 1}"
            reading.paragraphs.append([line.strip() for line in block.lines])
            reading.paragraph_lines.append(block.start)
            note = ""
            if pid == "p1":
                reading.dateline = find_dateline(block.first)
                note = f"dateline {reading.dateline}" if reading.dateline else ""
            for n in block.numbers:
                place(n, f"body {pid}", note if n == block.start else "")
    reading.rights = " ".join(rights)
    reading.credit = "; ".join(credits)
    if not reading.credit and reading.rights:
        m = CONTRIBUTED_SENTENCE_RE.search(reading.rights)
        if m:
            reading.credit = m.group(1)
            place(rights_lines[0], "metadata Rights", "also Credit")


def _headline_reason(blocks: list[_Block]) -> str:
    """ "" when the first block is the headline (see the module docstring), else why not."""
    first = blocks[0]
    if len(first.lines) > 1:
        return "it runs on into the next line, like a paragraph"
    reason = headline_problem(first.first)
    if reason:
        return reason
    for block in blocks[1:]:
        text = block.first
        if len(block.lines) == 1 and (is_credit(text) or read_date_line(text)):
            continue
        if find_dateline(text) or starts_like_sentence(text):
            return ""
        return "the text after it does not start like a story paragraph"
    return NOTHING_AFTER_HEADLINE


def unclosed_quotes(reading: CaptureReading, path: str) -> list[Problem]:
    """Warnings for paragraphs that open a quotation and never close it.

    A paragraph that leaves a quotation open is fine when the next paragraph opens with a
    quotation mark (the newspaper convention for a quotation running over paragraphs).
    """
    warnings = []
    for i, lines in enumerate(reading.paragraphs):
        following = reading.paragraphs[i + 1][0] if i + 1 < len(reading.paragraphs) else ""
        for opening, closing in (("“", "”"), ('"', '"')):
            where = _unclosed(lines, opening, closing)
            if where is None or following.startswith(opening):
                continue
            offset, column = where
            warnings.append(
                Problem(
                    path,
                    reading.paragraph_lines[i] + offset,
                    f"warning: quotation opened at column {column} ({opening}) is never closed",
                )
            )
    return warnings


def _unclosed(lines: list[str], opening: str, closing: str) -> tuple[int, int] | None:
    """(line offset, 1-based column) of a quotation mark left open, or None."""
    depth, where = 0, None
    for offset, line in enumerate(lines):
        for column, ch in enumerate(line, 1):
            if ch == opening and (opening != closing or depth == 0):
                if depth == 0:
                    where = (offset, column)
                depth += 1
            elif ch == closing and depth:
                depth -= 1
    return where if depth else None


def _check_storable(reading: CaptureReading, lines: list[str]) -> None:
    """A line written verbatim into a section must not read as a ``## Section`` heading there
    (body lines are written escaped: ``\\## Media``)."""
    for spot in reading.places:
        if spot.place.startswith(("comments", "dropped")) and spot.note != "heading":
            text = lines[spot.line - 1].rstrip()
            if SECTION_RE.match(text):
                raise ArchiveError(
                    reading.path,
                    spot.line,
                    f"line {text!r} would read as a '## Section' heading in the story file; edit the capture",
                )


# --- writing the story file ---------------------------------------------------------------


def build_story(reading: CaptureReading, given: ArchivistMetadata, capture_name: str) -> ImportedStory:
    """The story-file text for ``reading`` plus the archivist's metadata.

    Archivist values win over what the capture says; ``Sources:`` records which is which.
    """
    path = reading.path
    metadata: dict[str, str] = {}
    sources: dict[str, str] = {}

    def take(key: str, archivist: str | None, captured: str) -> None:
        how = reading.found.get(key, ("", ""))[1]
        if archivist is not None and archivist.strip():
            metadata[key], sources[key] = archivist.strip(), "archivist"
        elif captured:
            metadata[key], sources[key] = captured, f"capture:{how}" if how else "capture"

    take("title", given.title, reading.headline)
    if "title" not in metadata:
        if reading.found or reading.not_headline_reason == "the page declares no title":
            raise ArchiveError(path, None, "no title: the page declares none; give the title with --title")
        reason = reading.not_headline_reason or "the capture has no headline"
        raise ArchiveError(path, 1, f"no headline: line 1 is not a headline ({reason}); give the title with --title")
    take("date", given.date, reading.date)
    if "date" not in metadata:
        if reading.found:
            raise ArchiveError(
                path,
                None,
                "no publication date found in the page; give it with --date YYYY-MM-DD (or YYYY-MM-DD HH:MM)",
            )
        raise ArchiveError(path, 1, "no date line in the capture; give the publication date with --date YYYY-MM-DD")
    parse_date(metadata["date"], path, 1)
    title_slug = url_slug(metadata["title"], "story")
    metadata["slug"] = given.slug.strip() if given.slug and given.slug.strip() else title_slug
    take("publisher", given.publisher, reading.found.get("publisher", ("", ""))[0])
    take("source_url", given.source_url, reading.found.get("source_url", ("", ""))[0])
    for key in FOUND_FIELDS:
        take(key, given.captured if key == "captured" else None, reading.found.get(key, ("", ""))[0])
    take("dateline", None, reading.dateline)
    take("credit", None, reading.credit)
    take("rights", None, reading.rights)
    take("event", given.event, "")
    metadata["capture"] = capture_name
    metadata["capture_sha256"] = reading.sha256
    if reading.comments_heading is not None:
        how = reading.found.get("comments", ("", ""))[1]
        sources["comments"] = f"capture:{how}" if how else "capture"

    out = [f"{label}: {metadata[key]}" for key, label in METADATA_ORDER if key in metadata]
    out.append("Sources: " + ", ".join(f"{key}={sources[key]}" for key in SOURCE_ORDER if key in sources))
    for lines in reading.markdown or [list(map(escape_line, lines)) for lines in reading.paragraphs]:
        out += ["", *lines]  # the body is Markdown: captured text is written escaped
    if reading.media:
        out += ["", "## Media", ""]
        out += [f"- {'after ' + after if after else 'before p1'}: {text}" for after, text in reading.media]
    if reading.comments_heading is not None:
        count = f" ({reading.comments_declared})" if reading.comments_declared is not None else ""
        out += ["", f"## Comments{count}"]
        if reading.comment_lines:
            out += ["", *reading.comment_lines]
    if reading.dropped:
        out += ["", "## Dropped boilerplate", "", *reading.dropped]
    text = "\n".join(out) + "\n"
    try:
        parse_story(text, f"stories/{metadata['slug']}.md")
    except ArchiveError as err:  # a line of the capture the story file cannot hold as it is
        raise ArchiveError(
            path, None, f"the story made from this capture would not read back: {err.problem.message}"
        ) from None
    return ImportedStory(metadata["slug"], text, capture_name, reading)


def capture_name_for(path: str) -> str:
    """Where a capture is kept, relative to content/: ``captures/<its file name>``; a saved web
    page under a name no web server serves as a live page (``page.html.txt``)."""
    from newsarchive.formats import html_page

    if html_page.is_html_page(path):
        return f"captures/{html_page.kept_name(path)}"
    return f"captures/{PurePath(path).name}"


def read_any(data: bytes, path: str) -> CaptureReading:
    """Read a capture of any kind: a saved web page by its extension, else a text capture."""
    from newsarchive.formats import html_page

    if html_page.is_html_page(path):
        return html_page.read_page(data, path)
    return read_capture(data, path)


def import_capture(
    data: bytes, path: str, given: ArchivistMetadata | None = None, capture_name: str | None = None
) -> ImportedStory:
    """Capture bytes -> story file: :func:`read_any` then :func:`build_story`."""
    reading = read_any(data, path)
    return build_story(reading, given or ArchivistMetadata(), capture_name or capture_name_for(path))
