"""Candidate names in a paragraph: capitalized runs with their offsets (leading function words
dropped, "X and the Y" and "Dana Ortiz of the Urban Institute" split, a possessive noted), and
title matches ("Gov. Patrick"). Offsets are offsets in the paragraph as printed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from newsarchive.analysis.entities.lexicon import (
    CHUNK_RE,
    CONNECTORS,
    GROUP_HEADS,
    LEADING_STOP,
    ORG_WORDS,
    TITLE_HINT_RE,
    TITLE_RE,
)
from newsarchive.analysis.entities.names import _is_name, _is_org_name


def _titles(text: str) -> list[re.Match]:
    """Matches of TITLE_RE in ``text``."""
    return list(TITLE_RE.finditer(text)) if TITLE_HINT_RE.search(text) else []


@dataclass
class _Chunk:
    start: int
    end: int
    text: str
    possessive: bool = False


def _chunks(text: str) -> list[_Chunk]:
    """Capitalized runs of a text, leading function words stripped, "X and the Y" split."""
    out = []
    for m in CHUNK_RE.finditer(text):
        at = m.start()
        for start, end, words, poss in _split_cached(m.group()):
            out.append(_Chunk(at + start, at + end, words, poss))
    return out


@functools.lru_cache(maxsize=65536)
def _split_cached(chunk: str) -> tuple[tuple[int, int, str, bool], ...]:
    """:func:`_split_chunk` at offset 0, remembered: the same names recur in story after story."""
    return tuple((c.start, c.end, c.text, c.possessive) for c in _split_chunk(0, chunk))


def _split_chunk(start: int, chunk: str) -> list[_Chunk]:
    words = [(m.start() + start, m.group()) for m in re.finditer(r"\S+", chunk)]
    while words and (
        words[0][1] in LEADING_STOP
        or words[0][1] in CONNECTORS
        or (words[0][1] in GROUP_HEADS and words[1:2] and words[1][1] in CONNECTORS)
    ):
        words.pop(0)
    while words and words[-1][1] in CONNECTORS:
        words.pop()
    if not words:
        return []
    lowered = [w.lower() for _, w in words]
    # "X and the Y" always names two things; "X and Y" does unless it ends in an organization word
    # ("Immigration and Customs Enforcement") and X does not ("Boston Police Department and ICE").
    strong = [i for i, w in enumerate(lowered) if w == "and" and lowered[i + 1 : i + 2] == ["the"]]
    weak = [
        i for i, w in enumerate(lowered) if w == "and" and (lowered[i - 1] in ORG_WORDS or lowered[-1] not in ORG_WORDS)
    ]
    for i in strong or weak:
        if 0 < i < len(words) - 1:
            right = words[i + 2 :] if i in strong else words[i + 1 :]
            if not right:
                return _make(words[:i])
            return _split_chunk(words[0][0], _join(words[:i], words[0][0])) + _split_chunk(
                right[0][0], _join(right, right[0][0])
            )
    # "Dana Ortiz of the Urban Institute": a person's name, then the organization they speak for
    if "of" in lowered:
        i = lowered.index("of")
        right = words[i + 2 :] if lowered[i + 1 : i + 2] == ["the"] else words[i + 1 :]
        head = " ".join(w for _, w in words[:i])
        if right and 2 <= i <= 3 and _is_name(head) and _is_org_name(" ".join(w for _, w in right)):
            return _make(words[:i]) + _make(right)
    return _make(words)


def _join(words: list[tuple[int, str]], start: int) -> str:
    """Words back into text, keeping their offsets relative to ``start``."""
    chars = [" "] * (words[-1][0] + len(words[-1][1]) - start)
    for pos, w in words:
        chars[pos - start : pos - start + len(w)] = w
    return "".join(chars)


def _make(words: list[tuple[int, str]]) -> list[_Chunk]:
    if not words:
        return []
    start = words[0][0]
    last_start, last = words[-1]
    possessive = False
    m = re.search(r"['’]s?$", last)
    if m:
        last, possessive = last[: m.start()], True
    if not last:
        return []
    end = last_start + len(last)
    text = " ".join(w for _, w in words[:-1]) + (" " if len(words) > 1 else "") + last
    return [_Chunk(start, end, text, possessive)]


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
