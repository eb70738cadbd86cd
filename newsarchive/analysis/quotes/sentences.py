"""Sentences and words of printed text as the quotation analysis reads them: where sentences
start (an abbreviation such as "Gov." or an initial does not end one), and the normalized form
that printings are matched on (no bracketed insertions, quotation marks, punctuation or case).
Pure functions of their text.
"""

from __future__ import annotations

import functools
import re

ABBREVIATIONS = set(
    """gov sen rep lt dr mr mrs ms st jr sr gen atty dist prof rev sgt capt det mass inc co corp no vs
    jan feb mar apr aug sept sep oct nov dec calif conn""".split()
)
BOUNDARY_RE = re.compile(r"[.!?…][\"”’)]*\s+(?=[\"“(\[]?[A-Z0-9])")


def _is_boundary(text: str, m: re.Match) -> bool:
    """Is this match of BOUNDARY_RE a sentence end, not an abbreviation ("Gov.", "P.", "U.S.")?"""
    end = m.start()
    if text[end] != ".":
        return True
    start = end  # the word before the mark: the run of word characters and dots (r"[\w.]+") ending there
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    if start == end:
        return True
    w = text[start:end]
    return not (w.lower() in ABBREVIATIONS or (len(w) == 1 and w.isupper()) or "." in w)


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start in ``text`` (always includes 0)."""
    return list(_sentence_starts(text))


@functools.lru_cache(maxsize=4096)
def _sentence_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in BOUNDARY_RE.finditer(text) if _is_boundary(text, m)))


def split_sentences(text: str) -> list[str]:
    starts = sentence_starts(text) + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, starts[1:], strict=False) if text[a:b].strip()]


BRACKETED_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
PUNCTUATION_RE = re.compile(r"[^\w\s]")
WORD_RE = re.compile(r"\w+")


def normalize(text: str) -> str:
    """For matching printings: no bracketed insertions, quote marks, punctuation or case."""
    text = BRACKETED_RE.sub(" ", text)
    text = text.replace("’", "'").replace("‘", "'").lower()
    text = PUNCTUATION_RE.sub(" ", text.replace("'", ""))
    return " ".join(text.split())


@functools.lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    """A word as :func:`word_diff` compares it."""
    return normalize(word) or word


def _word_count(text: str) -> int:
    return len(WORD_RE.findall(text))
