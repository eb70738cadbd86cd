"""Quotation marks as printed, and the quoted stretches (segments) of a paragraph.

Marks pair by shape: curly ``“`` opens and ``”`` closes; a straight ``"`` opens when no quotation
is open and closes otherwise; ``''`` as news databases print them (read through :func:`mark_view`),
``„low-high“`` and ``»...«`` pair by shape. Single quotes are apostrophes or nested quotes: never
segments. A stray or unclosed mark still gives a segment (its other end missing), never an error.
Every offset is an offset in the printed paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

OPEN_MARKS = "“„«"
CLOSE_MARKS = "”»"
MARK_RE = re.compile(f'[{OPEN_MARKS}{CLOSE_MARKS}"]')


@dataclass
class _Segment:
    open_at: int | None  # None: a stray closing mark
    close_at: int | None  # None: never closed in this paragraph
    start: int  # span of the fragment (marks included)
    end: int
    inner: tuple[int, int]  # span of the words inside


DOUBLE_APOSTROPHE_RE = re.compile(r"'{2,3}")
# A closing mark that pairs with an opening one besides the usual closers (CLOSE_MARKS and a straight
# '"'): German „low-high“ marks and »reversed guillemets«.
OWN_CLOSER = {"„": "“", "»": "«"}


def mark_view(text: str) -> str:
    """``text`` with each pair of apostrophes that news databases print for a double quotation
    mark turned into a curly mark and a space (an opening one before a word: ``“ We``; a closing
    one after it: ``stop, ” she``). Same length and offsets, so spans found in the view are spans
    of the printed text."""
    if "''" not in text:
        return text
    chars = list(text)
    for m in DOUBLE_APOSTROPHE_RE.finditer(text):
        a, b = m.span()
        opening = a == 0 or text[a - 1].isspace() or text[a - 1] in "([{—–-/"
        if b - a == 3 and opening:  # the double mark, then a nested single one
            b -= 1
        elif b - a == 3:  # a nested single quote closes, then the double one
            a += 1
        if opening and b < len(text) and not text[b].isspace():
            chars[a:b] = "“ "
        elif not opening:
            chars[a:b] = " ”"
    return "".join(chars)


def _invisible(ch: str) -> bool:
    """A format character such as a bidirectional mark (U+202A): no more than a space before a mark."""
    return unicodedata.category(ch) == "Cf"


def _segments(text: str) -> list[_Segment]:
    """Quoted stretches of one paragraph (its :func:`mark_view`), pairing marks by shape (see
    the module docstring)."""
    pairs: list[tuple[int | None, int | None]] = []
    open_at = None
    for mark in MARK_RE.finditer(text):  # only the marks matter: skip the letters between them
        i, ch = mark.start(), mark.group()
        if open_at is not None and ch == OWN_CLOSER.get(text[open_at]):
            pairs.append((open_at, i))
            open_at = None
        elif ch == "“" and open_at is not None and text[i - 1] in ",.!?" and not text[i + 1 : i + 2].strip():
            pairs.append((open_at, i))  # an opening mark typed where the closing one belongs: “We won,“ she said
            open_at = None
        elif ch in OPEN_MARKS or (ch == '"' and open_at is None):
            if open_at is None:
                open_at = i
        elif ch in CLOSE_MARKS or ch == '"':
            if open_at is not None:
                pairs.append((open_at, i))
                open_at = None
            elif (i == 0 or text[i - 1].isspace() or _invisible(text[i - 1])) and text[i + 1 : i + 2].isalnum():
                open_at = i  # a closing mark typed where an opening one belongs
            else:
                pairs.append((None, i))
    if open_at is not None:
        pairs.append((open_at, None))
    segments, prev_end = [], 0
    for o, c in pairs:
        begin = o + 1 if o is not None else prev_end
        finish = c if c is not None else len(text)
        while begin < finish and text[begin].isspace():
            begin += 1
        while finish > begin and text[finish - 1].isspace():
            finish -= 1
        start = o if o is not None else begin
        end = c + 1 if c is not None else len(text)
        segments.append(_Segment(o, c, start, end, (begin, finish)))
        prev_end = end
    return segments
