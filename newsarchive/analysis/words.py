"""Words as the text analyses match them: tokens, matching keys, stable 64-bit hashes.

Normalization is only for matching: every text handed back is as printed. Shared by the wire
analysis and the comments' citations."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

WORD_RE = re.compile(r"\w+(?:['’ʼ‘`]\w+)*")
APOSTROPHES_RE = re.compile(r"['’ʼ‘`]")
# odd 64-bit multipliers for hashing token-id n-grams (fixed, so results are reproducible)
SHINGLE_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD]
    + [0xC4CEB9FE1A85EC53 + 2 * k for k in range(27)],
    dtype=np.uint64,
)


PIECE_RE = re.compile(r"\S+")


@lru_cache(maxsize=1 << 17)
def normalize_word(word: str) -> str:
    """The matching key of a word: NFKC, case-folded, apostrophes of any style removed."""
    return APOSTROPHES_RE.sub("", unicodedata.normalize("NFKC", word).casefold())


def words(text: str) -> list[str]:
    """Normalized word tokens of ``text`` (punctuation, quotes and hyphens are separators)."""
    return [normalize_word(m.group()) for m in WORD_RE.finditer(text)]


def word_count(text: str) -> int:
    """``len(words(text))``, without normalizing each word (a tenth of the time)."""
    return len(WORD_RE.findall(text))


def word_hash(word: str) -> int:
    """A 64-bit hash of a word's text, the same in every process (n-gram hashes are made of these)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
