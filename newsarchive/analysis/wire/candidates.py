"""Step 2 of the wire analysis: candidate sentence pairs from an inverted index of hashed word
n-grams ("shingles"), built by sorting with numpy; then each candidate verified and extended
to neighbouring sentences."""

from __future__ import annotations

import itertools

import numpy as np

from newsarchive.analysis.wire.alignment import aligned_score
from newsarchive.analysis.wire.model import WireParams
from newsarchive.analysis.wire.sentences import Sentence
from newsarchive.analysis.words import SHINGLE_MULTIPLIERS

# ---------------------------------------------------------------------------------------------
# candidates: inverted index of hashed word n-grams


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, not ``np.unique``'s hash table: faster on millions of int64)."""
    return distinct_sorted(np.sort(values))


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of the sorted array ``values``."""
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def candidate_pairs(
    sentences: list[Sentence],
    params: WireParams,
    texts: np.ndarray | None = None,
    word_hashes: np.ndarray | None = None,
) -> np.ndarray:
    """Sorted keys ``i * len(sentences) + j`` (i < j) of the sentence pairs worth aligning.

    Hash every n-gram of every sentence (numpy, vectorized) and sort by hash: an inverted
    index. An n-gram printed in more than ``max_shingle_df`` distinct sentence texts (``texts``:
    one id per distinct token sequence, so a sentence reprinted verbatim counts once) is a stock
    phrase and casts no vote. Within each posting list (in reading order) every sentence votes
    for its next ``max_candidates`` sentences only, so a long list costs linear work, not
    quadratic; a vote weighs 1 / (texts in the list): rare shared n-grams count most. Pairs with
    at least ``min_shared_shingles`` votes are candidates, and each sentence keeps its
    ``max_candidates`` best (highest vote weight, then nearest). An n-gram's hash is made from
    ``word_hashes`` (a hash of each token id's word, ``Tokens.word_hashes``), else from the ids.
    """
    n, size, window = len(sentences), params.shingle_size, params.max_candidates
    none = np.zeros(0, dtype=np.int64)
    lengths = np.fromiter((len(s.tokens) for s in sentences), dtype=np.int64, count=n)
    total = int(lengths.sum())
    if total < size:
        return none
    # Memory: an array of one value per token of the archive is large, so no more of them live at
    # once than needed, and sentence numbers are 32-bit.
    token_ids = np.fromiter(itertools.chain.from_iterable(s.tokens for s in sentences), dtype=np.intp, count=total)
    token_ids = word_hashes[token_ids] if word_hashes is not None else token_ids.astype(np.uint64) + np.uint64(1)
    last = total - size + 1
    with np.errstate(over="ignore"):
        hashes = np.zeros(last, dtype=np.uint64)
        term = np.empty(last, dtype=np.uint64)
        for k in range(size):
            hashes += np.multiply(token_ids[k : k + last], SHINGLE_MULTIPLIERS[k], out=term)
    del token_ids, term
    owner = np.repeat(np.arange(n, dtype=np.int32), lengths)
    within = owner[:last] == owner[size - 1 :]
    hashes, owner = hashes[within], owner[:last][within]
    del within
    order = np.argsort(hashes, kind="stable")  # by hash, then sentence (owner is in reading order)
    hashes, owner = hashes[order], owner[order]
    del order
    fresh = np.ones(len(hashes), dtype=bool)
    fresh[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])  # one entry per (n-gram, sentence)
    hashes, owner = hashes[fresh], owner[fresh]
    if len(hashes) < 2:
        return none
    head = np.r_[True, hashes[1:] != hashes[:-1]]
    del hashes
    group = np.cumsum(head) - 1  # posting list of each entry
    starts = np.flatnonzero(head)
    sizes = np.diff(np.r_[starts, len(owner)])
    texts = np.arange(n, dtype=np.int64) if texts is None else texts
    distinct = _distinct(group * (int(texts.max()) + 1) + texts[owner]) // (int(texts.max()) + 1)
    df = np.bincount(distinct, minlength=len(starts))  # distinct sentence texts per n-gram
    del distinct
    usable = (sizes >= 2) & (df <= params.max_shingle_df)
    entry = np.flatnonzero(usable[group])
    position = entry - starts[group[entry]]  # place of the entry in its posting list
    left_in_list = sizes[group[entry]] - position - 1
    vote = (1.0 / df[group[entry]]).astype(np.float32)
    keys, votes = [], []
    for step in range(1, window + 1):
        ok = left_in_list >= step
        if not ok.any():
            break
        at = entry[ok]
        keys.append(owner[at].astype(np.int64) * n + owner[at + step])
        votes.append(vote[ok])
    del entry, position, left_in_list, vote, group, owner, starts, sizes, df, usable, head
    if not keys:
        return none
    all_keys, all_votes = np.concatenate(keys), np.concatenate(votes)
    del keys, votes
    order = np.argsort(all_keys, kind="stable")
    all_keys = all_keys[order]
    all_votes = all_votes[order]
    del order
    begins = np.flatnonzero(np.r_[True, all_keys[1:] != all_keys[:-1]])
    pair_keys, counts = all_keys[begins], np.diff(np.r_[begins, len(all_keys)])
    score = np.add.reduceat(all_votes.astype(np.float64), begins)
    del all_keys, all_votes
    first, second = pair_keys // n, pair_keys % n
    shingles = np.maximum(lengths - size + 1, 1)
    enough = (counts >= params.min_shared_shingles) & (
        counts >= params.min_shingle_overlap * np.minimum(shingles[first], shingles[second])
    )
    pair_keys, score, first, second = pair_keys[enough], score[enough], first[enough], second[enough]
    keep = np.zeros(len(pair_keys), dtype=bool)
    for side in (first, second):  # each sentence's best max_candidates pairs
        ranked = np.lexsort((second - first, -score, side))
        grouped = side[ranked]
        begins = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        rank = np.arange(len(ranked)) - np.repeat(begins, np.diff(np.r_[begins, len(ranked)]))
        keep[ranked[rank < params.max_candidates]] = True
    return pair_keys[keep]


# ---------------------------------------------------------------------------------------------
# the analysis


class UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def match_sentences(
    sentences: list[Sentence], params: WireParams, texts: np.ndarray, prefix: Prefixes, word_hashes: np.ndarray
) -> tuple[dict[tuple[int, int], float], int]:
    """Verified sentence pairs {(i, j): similarity} and the number of alignments computed.

    Candidates are verified in order; each accepted pair queues its neighbours (same order in
    both stories, or shifted by one on a side for a split or merge) unless they are
    candidates anyway or were already tried, or one of the two sentences is in
    ``NEIGHBOUR_MATCHES_PER_SENTENCE * max_candidates`` matches already. Two printings of the
    same pair of sentence texts (a verbatim reprint) are aligned once.

    Cost: at most ``2 * max_candidates`` candidates per sentence, and a neighbour pair is
    tried only for sentences under that bound of matches, so the pairs tried, the matches and
    the memory grow linearly with the number of sentences, however often a text repeats (a
    paragraph printed 400 times in one story made every pair of its sentences a match).
    """
    n = len(sentences)
    candidates = candidate_pairs(sentences, params, texts, word_hashes).tolist()
    is_candidate = set(candidates)
    tried: set[int] = set()
    known: dict[tuple[int, int], tuple[float, int]] = {}  # (text, text) -> (similarity, aligned words)
    matches: dict[tuple[int, int], float] = {}
    matched = [0] * n  # matches each sentence is in
    most = NEIGHBOUR_MATCHES_PER_SENTENCE * params.max_candidates
    text_of = texts.tolist()
    calls = 0

    def verify(i: int, j: int, stack: list[tuple[int, int]]) -> None:
        nonlocal calls
        key = (text_of[i], text_of[j])
        result = known.get(key)
        if result is None:
            calls += 1
            si, sj = sentences[i], sentences[j]
            result = known[key] = aligned_score(si.tokens, sj.tokens, prefix[i], prefix[j], params.gap_penalty)
        similarity, aligned = result
        if similarity < params.min_similarity or aligned < params.min_match_words:
            return
        matches[(i, j)] = similarity
        matched[i] += 1
        matched[j] += 1
        si, sj = sentences[i].story, sentences[j].story
        for di, dj in ((1, 1), (-1, -1), (1, 0), (0, 1), (-1, 0), (0, -1)):
            ni, nj = i + di, j + dj
            if 0 <= ni < n and 0 <= nj < n and ni != nj:
                if sentences[ni].story == si and sentences[nj].story == sj:
                    stack.append((min(ni, nj), max(ni, nj)))

    for key in candidates:
        stack: list[tuple[int, int]] = []
        verify(key // n, key % n, stack)
        while stack:
            i, j = stack.pop()
            key = i * n + j
            if key in tried or key in is_candidate or matched[i] >= most or matched[j] >= most:
                continue
            tried.add(key)
            verify(i, j, stack)
    return matches, calls


# A sentence in this many times ``max_candidates`` matches gains no more from its neighbours'
# matches (``match_sentences``): a sentence printed in that many stories is wire copy already.
NEIGHBOUR_MATCHES_PER_SENTENCE = 4


class Prefixes:
    """Prefix sums of token weights per sentence, computed on first use (most are never aligned)."""

    def __init__(self, sentences: list[Sentence], weights: list[float]):
        self.sentences, self.weights = sentences, weights
        self.cache: dict[int, list[float]] = {}

    def __getitem__(self, i: int) -> list[float]:
        found = self.cache.get(i)
        if found is None:
            weights = self.weights
            found = self.cache[i] = list(
                itertools.accumulate((weights[t] for t in self.sentences[i].tokens), initial=0.0)
            )
        return found

    def of(self, tokens: list[int]) -> list[float]:
        weights = self.weights
        return list(itertools.accumulate((weights[t] for t in tokens), initial=0.0))
