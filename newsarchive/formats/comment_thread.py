"""Turn a story's raw comments section into a structured thread of :class:`Comment`.

The raw section (``Story.comment_lines``) is a comment thread pasted as captured::

      16. mark says:

        It's a pretty good start. ...

        1. cynic says:

          Mark…and what of those that are here legally? ...

  17. mark says:

Reading rules (see ``docs/ARCHIVING.md`` for the archivist's view):

* **Headers.** A comment starts at a line ``N. Author says:`` (``N)`` works too; ``says:`` in any case).
  Text after ``says:`` on the same line is the first line of the body. The author is everything
  between the number and the first `` says:``, kept exactly as written (digits, dots, colons and all).
  A numbered line without ``says:`` is body text (a list inside a comment), with one exception:
  when comment bodies are indented deeper than their headers, a short numbered line sitting back at
  a header's indentation and carrying exactly the next number there is read as a header that lost
  its ``says:`` (with a warning).
* **Dates.** A header may carry the comment's date in parentheses between ``says`` and the colon:
  ``N. Author says (2011-06-15 07:12 -04:00):`` -- ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or
  ``YYYY-MM-DD HH:MM:SS``, optionally followed by a space and a UTC offset ``+HH:MM``. Only a
  parenthesis that opens with ``YYYY-MM-DD`` right after ``says`` is a date; a comment's own text never
  sits there (it follows the colon), and a body line shaped like that is read as a header only under
  the rules above. A date-shaped parenthesis that is not one of these forms (``(2011-13-45)``,
  ``(2011-06-15 at noon)``) is an error located on the header line; the comment is still read, undated.
* **Nesting.** When header lines differ in indentation, indentation decides: a header indented
  deeper than the current comment is a reply to it; otherwise it is a sibling of the nearest open
  comment indented at least as far. When every header has the same indentation (the thread was
  pasted without it), the numbering decides: a header carrying the next number of an open level
  continues the deepest such level, a ``1.`` opens replies to the latest comment. Numbers that fit
  nowhere go to the level they repeat or the nearest level below them, with a warning.
  Headers with text after ``says:`` are only taken as headers where their number fits exactly (or
  before the first comment); otherwise they stay body text, with a warning.
* **Ids.** A comment's id is its position path (``16``, ``16.1``, ``16.1.1``): the n-th comment at
  its level, so ids are unique even when the printed numbers skip or repeat (which is warned about).
  ``Comment.number`` keeps the number as printed.
* **Bodies.** Lines after a header belong to it until the next header. Leading and trailing
  whitespace of each line is layout and is dropped; every other character is kept as written.
  Blank lines separate paragraphs. A single line break inside a paragraph is kept as ``"\\n"``
  inside that paragraph string (renderers show it as a line break); it is not a new paragraph.
  A comment with no body text keeps ``paragraphs == []``.
* **Nothing is dropped silently.** Text before the first header belongs to no comment: it is left out
  of the thread and each such block is reported as a :class:`Problem` naming its lines. Every other
  line ends up in a comment. All oddities (numbering gaps, repeats, orphaned replies, a missing
  ``says:``, a declared count that differs from the archived one) are warnings, never errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from slugify import slugify

from newsarchive.errors import Problem
from newsarchive.model.story import Comment, Story

TAB_WIDTH = 4
# "16. mark says:" / "3) Dr. J: 2.0 says: text on the same line"; author may be empty ("5. says:")
# "16. mark says (2010-12-17 14:05 -05:00):" carries the comment's date (see the module docstring)
HEADER_RE = re.compile(
    r"(?P<number>[0-9]{1,9})[.)]\s+(?:(?P<author>.*?)\s+)?says"
    r"(?:\s*\((?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[^()]*))\))?:(?P<rest>.*)",
    re.I | re.S,
)
# a numbered line without "says:": "3. something"
ITEM_RE = re.compile(r"(?P<number>[0-9]{1,9})[.)]\s+(?P<text>\S.*)", re.S)
MAX_BARE_AUTHOR = 80  # a numbered line longer than this is never read as a header without "says:"

# implicit replies: "Denise – if you", "Mark…and", "Joe: no", "@ellen you"
STRONG_SEPARATOR = r"(?:\s*(?:[–—:…]|\.\.\.|--)|\s+-|-(?=\s))"
COMMA_SEPARATOR = r"\s*,"


@dataclass
class Thread:
    """A parsed comment thread: the comments in captured order and the warnings about them."""

    comments: list[Comment]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Header:
    number: int
    author: str
    rest: str  # text after "says:" on the same line; "" when there is none
    has_says: bool = True
    date: str = ""  # the date in parentheses after "says", as written; "" when there is none


@dataclass
class _Open:
    """A comment on the path from the top level to the latest comment."""

    comment: Comment
    header_indent: int
    body_indent: int | None = None


@dataclass
class _Level:
    """The replies to one comment (or the top-level comments): how far their numbering got."""

    count: int = 0
    last: int | None = None  # the highest number printed so far
    numbers: dict[int, str] = field(default_factory=dict)  # printed number -> id of the first comment with it

    @property
    def expected(self) -> int:
        return 1 if self.last is None else self.last + 1


def _indent(raw: str) -> int:
    """Columns of leading whitespace, tabs advancing to the next multiple of TAB_WIDTH."""
    prefix = raw[: len(raw) - len(raw.lstrip())]
    return len(prefix.expandtabs(TAB_WIDTH))


def _read_header(text: str) -> _Header | None:
    m = HEADER_RE.fullmatch(text)
    if not m:
        return None
    return _Header(int(m["number"]), (m["author"] or "").strip(), m["rest"].strip(), date=(m["date"] or "").strip())


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class _ThreadBuilder:
    """Reads the section line by line; see the module docstring for the rules it applies."""

    def __init__(self, path: str, header_indents: set[int]):
        self.path = path
        self.indented = len(header_indents) > 1  # indentation carries the nesting
        self.top_indent = min(header_indents, default=0)
        self.comments: list[Comment] = []
        self.problems: list[Problem] = []
        self.stack: list[_Open] = []
        self.levels: dict[str | None, _Level] = {}
        self.paragraph: list[str] = []
        self.bodies_indented = False
        self.preamble: list[tuple[int, str]] = []  # current block of text before the first comment

    # -- warnings -------------------------------------------------------------------------------
    def warn(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # -- lines ----------------------------------------------------------------------------------
    def blank(self) -> None:
        self.end_paragraph()
        self.end_preamble_block()

    def line(self, n: int, raw: str) -> None:
        text = raw.strip()
        indent = _indent(raw)
        header = _read_header(text)
        if header is None:
            header = self.header_without_says(text, indent)
        if header is not None and self.add_comment(header, indent, n):
            return
        self.add_body(text, indent, n)

    def finish(self, declared: int | None, heading_line: int | None) -> Thread:
        self.end_paragraph()
        self.end_preamble_block()
        if declared is not None and declared != len(self.comments):
            archived = len(self.comments)
            gap = declared - archived
            detail = f"{gap} not in the capture" if gap > 0 else f"{-gap} more than declared"
            self.warn(heading_line, f"{declared} comments declared by the source, {archived} archived ({detail})")
        return Thread(self.comments, self.problems)

    # -- bodies ---------------------------------------------------------------------------------
    def end_paragraph(self) -> None:
        if self.paragraph:
            self.stack[-1].comment.paragraphs.append("\n".join(self.paragraph))
            self.paragraph = []

    def add_body(self, text: str, indent: int, n: int) -> None:
        if not self.stack:
            self.preamble.append((n, text))
            return
        current = self.stack[-1]
        if current.body_indent is None:
            current.body_indent = indent
            self.bodies_indented = self.bodies_indented or indent > current.header_indent
        self.paragraph.append(text)

    def end_preamble_block(self) -> None:
        if not self.preamble:
            return
        first, text = self.preamble[0]
        last = self.preamble[-1][0]
        self.warn(
            first,
            f"text before the first comment belongs to no comment and is left out of the thread: "
            f"{'line' if first == last else 'lines'} {_span(first, last)} ({_plural(len(self.preamble), 'line')}) "
            f"starting {_short(text)}",
        )
        self.preamble = []

    # -- headers --------------------------------------------------------------------------------
    def level(self, depth: int) -> _Level:
        parent = self.stack[depth - 1].comment.id if depth else None
        return self.levels.setdefault(parent, _Level())

    def header_without_says(self, text: str, indent: int) -> _Header | None:
        """A short numbered line back at a header's indentation, carrying the next number there."""
        m = ITEM_RE.fullmatch(text)
        if not m or not self.stack or not self.bodies_indented or len(m["text"]) > MAX_BARE_AUTHOR:
            return None
        current = self.stack[-1]
        body_indent = current.body_indent if current.body_indent is not None else current.header_indent + 1
        if indent >= body_indent:
            return None
        number = int(m["number"])
        for depth in reversed(range(len(self.stack))):
            if self.stack[depth].header_indent == indent and self.level(depth).expected == number:
                return _Header(number, m["text"].strip(), "", has_says=False)
        return None

    def choose_depth(self, number: int, indent: int) -> int:
        """Depth of a new header: 0 is top level, len(stack) a reply to the latest comment."""
        if self.indented:
            for depth, open_ in enumerate(self.stack):
                if open_.header_indent >= indent:
                    return depth
            return len(self.stack)
        depths = range(len(self.stack) + 1)
        exact = [d for d in depths if self.level(d).expected == number]
        if exact:
            return max(exact)
        repeated = [d for d in depths if number in self.level(d).numbers]
        if repeated:
            return max(repeated)
        ahead = [d for d in depths if number > self.level(d).expected]
        if ahead:
            return min(ahead, key=lambda d: (number - self.level(d).expected, -d))
        return 0

    def add_comment(self, header: _Header, indent: int, n: int) -> bool:
        """Open a comment for ``header``; False when a header with same-line text does not fit here."""
        depth = self.choose_depth(header.number, indent)
        level = self.level(depth)
        if header.rest and self.stack and level.expected != header.number:
            where = self.stack[-1].comment.id
            self.warn(
                n,
                f"line reads like a comment header numbered {header.number}, but that number does not continue "
                f"the thread's numbering here (expected {level.expected}); kept as body text of comment {where}",
            )
            return False
        self.end_paragraph()
        self.end_preamble_block()
        parent = self.stack[depth - 1] if depth else None
        parent_id = parent.comment.id if parent else None
        cid = f"{parent_id}.{level.count + 1}" if parent_id else str(level.count + 1)
        comment = Comment(
            id=cid,
            parent=parent_id,
            author=header.author,
            paragraphs=[],
            number=header.number,
            position=len(self.comments) + 1,
            line=n,
            depth=depth,
        )
        if header.date:
            self.read_date(comment, header.date)
        self.check_numbering(level, comment)
        self.check_nesting(parent, comment, indent)
        if not header.has_says:
            self.warn(n, f"comment {cid} has no 'says:' after the author; read {header.author!r} as its author")
        elif not header.author:
            self.warn(n, f"comment {cid} has no author name before 'says:'")
        level.count += 1
        level.last = header.number if level.last is None else max(level.last, header.number)
        level.numbers.setdefault(header.number, cid)
        self.comments.append(comment)
        del self.stack[depth:]
        self.stack.append(_Open(comment, indent))
        if header.rest:
            self.paragraph.append(header.rest)
        return True

    def read_date(self, comment: Comment, written: str) -> None:
        """Set the comment's date from its header, or report a malformed one (and leave it unset)."""
        try:
            comment.date_iso = comment_date_iso(written)
        except ValueError as err:
            self.warn(comment.line, f"comment {comment.id}: {err}")
            return
        comment.date = written

    def check_numbering(self, level: _Level, comment: Comment) -> None:
        number, expected, cid = comment.number, level.expected, comment.id
        if number == expected:
            return
        scope = "top-level comments" if comment.parent is None else f"replies to comment {comment.parent}"
        if number in level.numbers:
            message = f"number {number} repeats comment {level.numbers[number]} among {scope}; kept as comment {cid}"
        elif number > expected:
            missing = number - expected
            start = f"numbering of {scope} starts at {number}" if level.last is None else None
            start = start or f"numbering of {scope} jumps from {level.last} to {number}"
            message = (
                f"{start}: {_plural(missing, 'comment')} ({_span(expected, number - 1)}) missing from the capture; "
                f"this one is kept as comment {cid}"
            )
        else:
            after = f"after {level.last}" if level.last is not None else f"where {expected} was expected"
            message = f"{scope} out of order: number {number} {after}; kept as comment {cid}"
        self.warn(comment.line, message)

    def check_nesting(self, parent: _Open | None, comment: Comment, indent: int) -> None:
        if not self.indented:
            return
        if parent is None and indent > self.top_indent:
            self.warn(
                comment.line,
                f"comment {comment.id} is indented as a reply, but no earlier comment can be its parent; "
                "kept as a top-level comment",
            )
        elif parent is not None:
            body = parent.body_indent
            if body is not None and body > parent.header_indent and indent > body:
                self.warn(
                    comment.line,
                    f"comment {comment.id} is indented deeper than a reply to comment {parent.comment.id}: "
                    f"the reply it answers is missing from the capture; kept as a reply to {parent.comment.id}",
                )


COMMENT_DATE_RE = re.compile(
    r"(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})(?: (?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(?: (?P<offset>[+-][0-9]{2}:[0-9]{2}))?)?"
)


def comment_date_iso(written: str) -> str:
    """``2011-06-15``, ``2011-06-15 07:12`` or ``2011-06-15 07:12:30``, a time optionally followed by a
    UTC offset `` -04:00``, -> ISO 8601 (``2011-06-15T07:12-04:00``). Raises ValueError for anything else."""
    m = COMMENT_DATE_RE.fullmatch(written)
    expected = "expected YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS, a time optionally followed by +HH:MM"
    if not m:
        raise ValueError(f"unparseable date {written!r} ({expected})")
    time, offset = m["time"] or "", m["offset"] or ""
    try:
        dt.datetime.strptime(
            f"{m['day']} {time or '00:00'}"[:19], "%Y-%m-%d %H:%M:%S" if time.count(":") == 2 else "%Y-%m-%d %H:%M"
        )
        if offset:
            dt.datetime.strptime(offset.replace(":", ""), "%z")
    except ValueError:
        raise ValueError(f"impossible date {written!r} ({expected})") from None
    return m["day"] + (f"T{time}" if time else "") + offset


def parse_thread(
    lines: list[tuple[int, str]], path: str, declared: int | None = None, *, heading_line: int | None = None
) -> Thread:
    """Parse raw ``(line_number, text)`` lines of a comments section into a :class:`Thread`.

    ``declared`` is the count the source printed ("Comments (23)"); a different archived count is a
    warning located at ``heading_line`` (default: the line just above the section's first line, which is
    where ``story_file`` found the heading). Never raises for bad input: everything odd is a Problem.
    """
    header_indents = {_indent(raw) for _, raw in lines if _read_header(raw.strip())}
    builder = _ThreadBuilder(str(path), header_indents)
    for n, raw in lines:
        if raw.strip():
            builder.line(n, raw)
        else:
            builder.blank()
    if heading_line is None and lines:
        heading_line = lines[0][0] - 1 or None
    return builder.finish(declared, heading_line)


def parse_story_thread(story: Story) -> Thread:
    """The thread of ``story``'s comments section, implicit replies inferred; for a story with
    versions, the latest capture's thread followed by the comments earlier captures printed and
    the latest does not (``Comment.removed``). Does not modify ``story``."""
    thread = parse_thread(story.comment_lines, story.path, story.comments_declared, heading_line=story.comments_line)
    infer_replies(thread.comments)
    if story.versions:  # the comments of earlier captures the latest no longer shows are kept
        from newsarchive.analysis.versions import removed_comments

        thread.comments += removed_comments(story.versions, thread.comments)
    return thread


STRONG_RE = re.compile(STRONG_SEPARATOR)
COMMA_RE = re.compile(COMMA_SEPARATOR)


def _addresses(body: str, author: str) -> bool:
    """Does ``body`` open by addressing ``author`` ("Denise – ...", "Mark…", "Joe, ...", "@ellen ...")?

    The name must be followed right away by a separator: a dash, colon or ellipsis for any name; a comma
    only for one-word names (so an author called "come on" is not addressed by "Come on, people").
    Case-insensitive.
    """
    text, name = body.casefold(), author.casefold()
    if text.startswith("@" + name):
        rest = text[len(name) + 1 :]
        return not rest[:1] or not (rest[0].isalnum() or rest[0] == "_")
    if not text.startswith(name):
        return False
    rest = text[len(name) :]
    if STRONG_RE.match(rest):
        return True
    return len(author.split()) == 1 and COMMA_RE.match(rest) is not None


def infer_replies(comments: list[Comment]) -> None:
    """Set ``reply_to_inferred`` on comments that open by addressing an earlier commenter by name.

    The link goes to the addressed author's nearest earlier comment (never the comment itself, never a
    later one, never one by the same author). Author names match case-insensitively; when several
    match, the longest name wins. The link is only set when it differs from the explicit ``parent``
    (a reply that names the comment it already answers gains nothing); otherwise it is ``None``.
    Names shorter than two characters are never matched. One pass, keeping each author's latest comment.
    """
    latest: dict[str, Comment] = {}  # casefolded author -> their latest comment so far
    for comment in sorted(comments, key=lambda c: c.position):
        comment.reply_to_inferred = None
        own = comment.author.strip().casefold()
        if comment.paragraphs:
            body = comment.paragraphs[0].lstrip()
            first = body[1:2] if body.startswith("@") else body[:1]
            best: Comment | None = None
            for name, earlier in latest.items():
                if name == own or name[:1] != first.casefold() or not _addresses(body, earlier.author.strip()):
                    continue
                if best is None or len(name) > len(best.author.strip()):
                    best = earlier
            if best is not None and best.id != comment.parent:
                comment.reply_to_inferred = best.id
        if len(own) >= 2:
            latest[own] = comment


@lru_cache(maxsize=1 << 16)  # called for every comment on every page that links its author
def commenter_slug(author: str) -> str:
    """A stable, never-empty URL slug for a commenter (``commenters.Commenter.url``).

    Names that differ only in case or punctuation share a slug (and so a page). A name with nothing
    sluggable in it ("???", "") gets ``commenter-`` plus a short hash of the name as written.
    """
    slug = slugify(author, max_length=80, word_boundary=True)
    if slug:
        return slug
    return "commenter-" + hashlib.sha256(author.strip().encode("utf-8", "surrogatepass")).hexdigest()[:10]
