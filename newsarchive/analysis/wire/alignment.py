"""Step 3 of the wire analysis: a local alignment of two sentences' word tokens (rapidfuzz's LCS
alignment scored with gap penalties, best-scoring stretch kept)."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from rapidfuzz.distance import Indel

from newsarchive.analysis.words import PIECE_RE, words

# ---------------------------------------------------------------------------------------------
# alignment


def local_similarity(
    a: list[str], b: list[str], gap_penalty: float = 1.0, weights: dict[str, float] | None = None
) -> tuple[float, int]:
    """Best local alignment of two token lists: (score / weight of the shorter, aligned words).

    The alignment is rapidfuzz's LCS alignment; along it, each run of equal words scores its
    words' weights and each unmatched stretch costs ``gap_penalty`` times the weight of its
    heavier side. The best-scoring stretch (Kadane) is the local alignment, so a trimmed or
    merged sentence still matches the part it shares, while scattered shared names and stock
    phrases do not. ``weights`` (word -> weight, default 1) are inverse document frequencies
    in :func:`find_wire_passages`: rare words count more than "the" or a much-used name.
    """
    return aligned_score(a, b, prefix_weights(a, weights), prefix_weights(b, weights), gap_penalty)


def prefix_weights(tokens: list[str], weights: dict[str, float] | None) -> list[float]:
    """Running sums of token weights: the weight of tokens[i:j] is prefix[j] - prefix[i]."""
    return list(itertools.accumulate((1.0 if weights is None else weights.get(t, 1.0) for t in tokens), initial=0.0))


def aligned_score(
    a: list[str], b: list[str], wa: list[float], wb: list[float], gap_penalty: float
) -> tuple[float, int]:
    if not a or not b:
        return 0.0, 0
    best = score = 0.0
    best_words = run_words = 0
    gap_a = gap_b = 0.0
    for tag, i1, i2, j1, j2 in Indel.opcodes(a, b).as_list():
        if tag != "equal":
            gap_a += wa[i2] - wa[i1]
            gap_b += wb[j2] - wb[j1]
            continue
        if gap_a or gap_b:
            score -= gap_penalty * max(gap_a, gap_b)
            gap_a = gap_b = 0.0
            if score <= 0:
                score, run_words = 0.0, 0
        score += wa[i2] - wa[i1]
        run_words += i2 - i1
        if score > best:
            best, best_words = score, run_words
    return min(1.0, best / min(wa[-1], wb[-1])), best_words


def idf_weights(sentences: list[list[str]]) -> dict[str, float]:
    """Word -> log(1 + sentences / sentences containing the word): rare words weigh more."""
    df: dict[str, int] = defaultdict(int)
    for tokens in sentences:
        for t in set(tokens):
            df[t] += 1
    n = len(sentences)
    return {t: math.log1p(n / d) for t, d in df.items()}


@lru_cache(maxsize=1 << 16)
def _piece_key(piece: str) -> str:
    """The matching key of one whitespace-separated piece (cached: the same words recur on every page)."""
    key = " ".join(words(piece))
    if not key:  # pure punctuation: match dashes and quotes of any style
        key = re.sub(r"[\"'“”‘’«»`]", '"', re.sub(r"[‐-―−-]+", "-", unicodedata.normalize("NFKC", piece)))
    return key


def _word_pieces(text: str) -> list[tuple[int, int, str]]:
    """Whitespace-separated pieces of ``text`` as (start, end, matching key)."""
    return [(m.start(), m.end(), _piece_key(m.group())) for m in PIECE_RE.finditer(text)]


def align_words(a: str, b: str) -> list[tuple[str, str, str]]:
    """Word-by-word alignment for display: ``[(op, a_text, b_text), ...]``.

    ``op`` is equal, insert, delete or replace over whitespace-separated words. Words match
    when equal after normalization (case, punctuation, quote and apostrophe style); the texts
    returned are slices of ``a`` and ``b`` as printed, so joining each side with spaces gives
    the input back (up to whitespace).
    """
    pa, pb = _word_pieces(a), _word_pieces(b)
    ops: list[tuple[str, int, int, int, int]] = []
    for op in Indel.opcodes([k for *_, k in pa], [k for *_, k in pb]):
        i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
        if op.tag != "equal" and ops and ops[-1][0] != "equal":  # merge delete+insert into replace
            _, pi1, _, pj1, _ = ops.pop()
            i1, j1 = pi1, pj1
        tag = op.tag if op.tag == "equal" else "replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert"
        ops.append((tag, i1, i2, j1, j2))

    def text(src: str, pieces: list[tuple[int, int, str]], i: int, j: int) -> str:
        return src[pieces[i][0] : pieces[j - 1][1]] if j > i else ""

    return [(tag, text(a, pa, i1, i2), text(b, pb, j1, j2)) for tag, i1, i2, j1, j2 in ops]
