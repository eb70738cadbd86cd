"""Shared wire text: passages that two or more stories print, found despite light edits.

The pipeline (``docs/WIRE.md`` explains each choice and parameter):

1. Split every paragraph into sentences (very long sentences into chunks) and each sentence
   into normalized word tokens (case-folded, apostrophes and quote styles dropped, hyphens
   split). Normalization is only for matching: every text handed back is as printed.
2. Candidates: an inverted index of word n-grams ("shingles"), built by sorting hashed
   n-grams with numpy. Two sentences are a candidate pair when they share at least
   ``min_shared_shingles`` n-grams; n-grams found in more than ``max_shingle_df`` sentences
   are stock phrases and ignored. No sentence is compared with every other.
3. Verify each candidate with a local alignment on word tokens (an LCS alignment from
   rapidfuzz, scored with gap penalties, best-scoring stretch kept). Accepted pairs are
   extended to neighbouring sentences, so an edited sentence next to a shared one is found
   even when it shares no n-gram.
4. Matches between two stories that follow each other in both become runs; runs that print
   the same sentences are merged, across all stories, into one canonical passage with one
   witness per printing (a paragraph repeated inside one story gives two witnesses).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel

from .errors import ArchiveError, Problem
from .story import WIRE_URL, Note, Span, Story

WORD_RE = re.compile(r"\w+(?:['’ʼ‘`]\w+)*")
APOSTROPHES_RE = re.compile(r"['’ʼ‘`]")
# a sentence ends at . ! or ? (plus closing quotes/brackets), before space and a capital or digit
SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’»)\]]*\s+")
OPENING_RE = re.compile(r"[\"'“‘«(\[]*")
# common abbreviations after which a period does not end a sentence (titles, months, states...)
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gov sen rep lt gen col sgt capt cmdr adm maj cpl pvt det insp supt rev hon
    st mt ft jr sr inc corp co ltd bros no nos vs etc approx dept univ assn est
    jan feb mar apr jun jul aug sep sept oct nov dec
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev
    okla ore pa tenn tex vt va wash wis wyo""".split()
)
# odd 64-bit multipliers for hashing token-id n-grams (fixed, so results are reproducible)
SHINGLE_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD]
    + [0xC4CEB9FE1A85EC53 + 2 * k for k in range(27)],
    dtype=np.uint64,
)


@dataclass(frozen=True)
class WireParams:
    """Tunable parameters of wire-text detection; ``WireParams(**WIRE_PARAMS)`` from settings.

    The defaults are tuned on the seed stories and the synthetic reprints (``docs/WIRE.md``).
    """

    shingle_size: int = 4  # words per n-gram used to find candidate sentence pairs
    min_shared_shingles: int = 2  # a sentence pair is a candidate if it shares this many n-grams
    max_shingle_df: int = 100  # n-grams in more sentences than this are stock phrases: ignored
    min_similarity: float = 0.6  # local-alignment score / words of the shorter sentence, to accept
    min_match_words: int = 6  # an accepted pair also aligns at least this many words
    gap_penalty: float = 1.0  # score lost per word of an unmatched stretch (max of the two sides)
    max_sentence_words: int = 120  # longer "sentences" (unpunctuated text) are cut into chunks
    id_length: int = 8  # hex digits of the passage id hash (w-xxxxxxxx)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            expected = float if f.type in ("float", float) else int
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"wire parameter {f.name} must be a number, got {value!r}")
            if expected is int and value != int(value):
                raise ValueError(f"wire parameter {f.name} must be a whole number, got {value!r}")
        if not 2 <= self.shingle_size <= len(SHINGLE_MULTIPLIERS):
            raise ValueError(f"wire parameter shingle_size must be 2..{len(SHINGLE_MULTIPLIERS)}")
        if not 0 < self.min_similarity <= 1:
            raise ValueError("wire parameter min_similarity must be in (0, 1]")
        if self.min_shared_shingles < 1 or self.max_shingle_df < 2 or self.min_match_words < 1:
            raise ValueError("wire parameters min_shared_shingles >= 1, max_shingle_df >= 2, min_match_words >= 1")
        if self.max_sentence_words < 2 * self.shingle_size or not 4 <= self.id_length <= 40:
            raise ValueError("wire parameters max_sentence_words >= 2 * shingle_size, id_length 4..40")


def params_from_settings(overrides: dict[str, Any] | None, path: str = "pelicanconf.py") -> WireParams:
    """``WireParams(**overrides)``, with unknown names or bad values reported as ArchiveError."""
    try:
        return WireParams(**(overrides or {}))
    except (TypeError, ValueError) as err:
        raise ArchiveError(path, None, f"WIRE_PARAMS: {err}") from None


@dataclass
class Witness:
    """One printing of a wire passage: a run of sentences in one story, text as printed."""

    story: str  # slug
    paragraphs: list[str]  # paragraph ids, in order
    text: str  # the sentences as printed; paragraphs joined by a blank line
    similarity: float  # local-alignment similarity to the passage's canonical text (0-1)
    spans: dict[str, tuple[int, int]]  # paragraph id -> (start, end) character offsets

    def to_json(self) -> dict[str, Any]:
        return {"story": self.story, "paragraphs": self.paragraphs, "text": self.text, "similarity": self.similarity}


@dataclass
class WirePassage:
    """A canonical shared passage, plus every witness. The canonical text is the source's printing
    (the witness another witness credits, see ``_source_index``), else the earliest; it is
    ``witnesses[0]``. The id comes from the earliest printing, so it does not move."""

    id: str
    text: str
    witnesses: list[Witness]

    @property
    def url(self) -> str:
        return WIRE_URL.format(id=self.id)

    @property
    def stories(self) -> list[str]:
        return list(dict.fromkeys(w.story for w in self.witnesses))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "witnesses": [w.to_json() for w in self.witnesses]}


@dataclass
class PairRow:
    """One row of a side-by-side comparison: paragraphs of a and of b (either may be empty)."""

    a: list[str]
    b: list[str]
    passages: list[str] = field(default_factory=list)


@dataclass
class StoryPair:
    """Two stories that share wire text; ``a`` is the earlier one (date, then slug)."""

    a: str
    b: str
    passages: list[str]  # ids of the passages both print
    rows: list[PairRow]  # paragraph-to-paragraph alignment, in reading order
    only_a: list[str]  # paragraphs of a with no wire text shared with b (b cut or a added them)
    only_b: list[str]  # paragraphs of b with no wire text shared with a (b added them)
    words_only_a: int  # words of a's shared paragraphs that b does not print
    words_only_b: int  # words of b's shared paragraphs that a does not print

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WireAnalysis:
    passages: list[WirePassage]
    share: dict[str, float]  # slug -> fraction of the story's words in shared passages
    shares_with: dict[str, list[str]]  # slug -> slugs it shares wire text with
    pairs: list[StoryPair]
    problems: list[Problem]
    aligner_calls: int = 0  # sentence pairs verified by alignment (for benchmarks)

    def to_json(self) -> dict[str, Any]:
        return {"wire": [p.to_json() for p in self.passages]}

    def pair(self, a: str, b: str) -> StoryPair:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        raise KeyError((a, b))


# ---------------------------------------------------------------------------------------------
# text: tokens and sentences


def normalize_word(word: str) -> str:
    """The matching key of a word: NFKC, case-folded, apostrophes of any style removed."""
    return APOSTROPHES_RE.sub("", unicodedata.normalize("NFKC", word).casefold())


def words(text: str) -> list[str]:
    """Normalized word tokens of ``text`` (punctuation, quotes and hyphens are separators)."""
    return [normalize_word(m.group()) for m in WORD_RE.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, whitespace trimmed."""
    spans, start = [], 0
    for m in SENTENCE_END_RE.finditer(text):
        rest = text[m.end() :]
        following = rest[OPENING_RE.match(rest).end() :][:1]
        if not following or not (following.isupper() or following.isdigit()):
            continue
        if m.group().startswith(".") and not m.group().startswith(".."):
            before = re.search(r"(\w+)$", text[start : m.start()])
            if before and (before.group(1).casefold() in ABBREVIATIONS or len(before.group(1)) == 1):
                continue
        spans.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    if text[start:].strip():
        end = len(text.rstrip())
        spans.append((start + len(text[start:]) - len(text[start:].lstrip()), end))
    return spans


@dataclass
class Sentence:
    story: int  # index into the analysed stories
    paragraph: int  # index into story.paragraphs
    start: int
    end: int
    tokens: list[str]
    weights: list[float] = field(default_factory=list)  # prefix sums of token weights


def story_sentences(story_index: int, story: Story, max_words: int, vocab: dict[str, str]) -> list[Sentence]:
    """Sentences of a story in reading order; sentences over ``max_words`` become chunks."""
    out = []
    for pi, para in enumerate(story.paragraphs):
        for s_start, s_end in sentence_spans(para.text):
            matches = list(WORD_RE.finditer(para.text, s_start, s_end))
            for c in range(0, len(matches), max_words):
                chunk = matches[c : c + max_words]
                start = s_start if c == 0 else chunk[0].start()
                end = s_end if c + max_words >= len(matches) else chunk[-1].end()
                tokens = [vocab.setdefault(t, t) for t in (normalize_word(m.group()) for m in chunk)]
                out.append(Sentence(story_index, pi, start, end, tokens))
    return out


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
    return _aligned_score(a, b, prefix_weights(a, weights), prefix_weights(b, weights), gap_penalty)


def prefix_weights(tokens: list[str], weights: dict[str, float] | None) -> list[float]:
    """Running sums of token weights: the weight of tokens[i:j] is prefix[j] - prefix[i]."""
    return list(itertools.accumulate((1.0 if weights is None else weights.get(t, 1.0) for t in tokens), initial=0.0))


def _aligned_score(
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


def _word_pieces(text: str) -> list[tuple[int, int, str]]:
    """Whitespace-separated pieces of ``text`` as (start, end, matching key)."""
    pieces = []
    for m in re.finditer(r"\S+", text):
        key = " ".join(words(m.group()))
        if not key:  # pure punctuation: match dashes and quotes of any style
            key = re.sub(r"[\"'“”‘’«»`]", '"', re.sub(r"[‐-―−-]+", "-", unicodedata.normalize("NFKC", m.group())))
        pieces.append((m.start(), m.end(), key))
    return pieces


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


# ---------------------------------------------------------------------------------------------
# candidates: inverted index of hashed word n-grams


def candidate_pairs(sentences: list[Sentence], params: WireParams) -> np.ndarray:
    """Sorted keys ``i * len(sentences) + j`` of the sentence pairs (i < j) sharing >= min_shared_shingles n-grams that are not stock phrases.

    Hash every n-gram of every sentence (numpy, vectorized), sort by hash, and pair up the
    sentences within each run of equal hashes. The work grows with the number of shared
    n-grams, not with the square of the number of sentences.
    """
    n = params.shingle_size
    vocab: dict[str, int] = {}
    token_ids = np.fromiter((vocab.setdefault(t, len(vocab)) for s in sentences for t in s.tokens), dtype=np.uint64)
    owner = np.repeat(np.arange(len(sentences), dtype=np.int64), [len(s.tokens) for s in sentences])
    none = np.zeros(0, dtype=np.int64)
    if len(token_ids) < n:
        return none
    last = len(token_ids) - n + 1
    with np.errstate(over="ignore"):
        hashes = np.zeros(last, dtype=np.uint64)
        for k in range(n):
            hashes += (token_ids[k : k + last] + np.uint64(1)) * SHINGLE_MULTIPLIERS[k]
    within = owner[:last] == owner[n - 1 :]
    hashes, owner = hashes[within], owner[:last][within]
    order = np.lexsort((owner, hashes))  # by hash, then sentence
    hashes, owner = hashes[order], owner[order]
    fresh = np.ones(len(hashes), dtype=bool)
    fresh[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])  # one entry per (n-gram, sentence)
    hashes, owner = hashes[fresh], owner[fresh]
    if not len(hashes):
        return none
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    lengths = np.diff(np.r_[starts, len(hashes)])
    keys = []
    for length in np.unique(lengths[(lengths >= 2) & (lengths <= params.max_shingle_df)]):
        members = owner[starts[lengths == length][:, None] + np.arange(length)]
        left, right = np.triu_indices(length, 1)
        keys.append((members[:, left] * len(sentences) + members[:, right]).ravel())
    if not keys:
        return none
    pair_keys, counts = np.unique(np.concatenate(keys), return_counts=True)
    return pair_keys[counts >= params.min_shared_shingles]


# ---------------------------------------------------------------------------------------------
# the analysis


class _UnionFind:
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


def _match_sentences(sentences: list[Sentence], params: WireParams) -> tuple[dict[tuple[int, int], float], int]:
    """Verified sentence pairs {(i, j): similarity} and the number of alignments computed.

    Candidates are verified in order; each accepted pair queues its neighbours (same order in
    both stories, or shifted by one on a side for a split or merge) unless they are
    candidates anyway or were already tried.
    """
    n = len(sentences)
    candidates = candidate_pairs(sentences, params)
    extended: set[int] = set()
    matches: dict[tuple[int, int], float] = {}
    calls = 0

    def verify(i: int, j: int, stack: list[tuple[int, int]]) -> None:
        nonlocal calls
        calls += 1
        si, sj = sentences[i], sentences[j]
        similarity, aligned = _aligned_score(si.tokens, sj.tokens, si.weights, sj.weights, params.gap_penalty)
        if similarity < params.min_similarity or aligned < params.min_match_words:
            return
        matches[(i, j)] = similarity
        for di, dj in ((1, 1), (-1, -1), (1, 0), (0, 1), (-1, 0), (0, -1)):
            ni, nj = i + di, j + dj
            if 0 <= ni < n and 0 <= nj < n and ni != nj:
                if sentences[ni].story == si.story and sentences[nj].story == sj.story:
                    stack.append((min(ni, nj), max(ni, nj)))

    def is_candidate(key: int) -> bool:
        at = int(np.searchsorted(candidates, key))
        return at < len(candidates) and int(candidates[at]) == key

    for key in candidates.tolist():
        stack: list[tuple[int, int]] = []
        verify(key // n, key % n, stack)
        while stack:
            i, j = stack.pop()
            if i * n + j in extended or is_candidate(i * n + j):
                continue
            extended.add(i * n + j)
            verify(i, j, stack)
    return matches, calls


@dataclass
class _Run:
    """Consecutive matched sentences between two stories: inclusive sentence ranges."""

    x: tuple[int, int]
    y: tuple[int, int]


def _runs(matches: dict[tuple[int, int], float], sentences: list[Sentence]) -> list[_Run]:
    """Group matches into runs: (i, j) and (i', j') join when i'-i and j'-j are both 0 or 1."""
    by_pair: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, j in matches:
        by_pair[(sentences[i].story, sentences[j].story)].append((i, j))
    runs = []
    for pair_matches in by_pair.values():
        pair_matches.sort()
        uf = _UnionFind(len(pair_matches))
        index = {m: k for k, m in enumerate(pair_matches)}
        for k, (i, j) in enumerate(pair_matches):
            for di, dj in ((1, 1), (1, 0), (0, 1)):
                other = index.get((i + di, j + dj))
                if other is not None:
                    uf.union(k, other)
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for k, m in enumerate(pair_matches):
            groups[uf.find(k)].append(m)
        for group in groups.values():
            xs, ys = [i for i, _ in group], [j for _, j in group]
            runs.append(_Run((min(xs), max(xs)), (min(ys), max(ys))))
    return runs


def _segments(runs: list[_Run]) -> list[tuple[int, int]]:
    """Merge overlapping sentence ranges (not merely adjacent ones) into sorted segments."""
    ranges = sorted({r for run in runs for r in (run.x, run.y)})
    segments: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if segments and lo <= segments[-1][1]:
            segments[-1] = (segments[-1][0], max(segments[-1][1], hi))
        else:
            segments.append((lo, hi))
    return segments


def _segment_of(segments: list[tuple[int, int]], sentence: int) -> int:
    """Index of the segment containing ``sentence`` (binary search)."""
    lo, hi = 0, len(segments) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if segments[mid][0] <= sentence:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _witness(stories: list[Story], sentences: list[Sentence], seg: tuple[int, int]) -> Witness:
    story = stories[sentences[seg[0]].story]
    spans: dict[str, tuple[int, int]] = {}
    for s in sentences[seg[0] : seg[1] + 1]:
        pid = story.paragraphs[s.paragraph].id
        start, end = spans.get(pid, (s.start, s.end))
        spans[pid] = (min(start, s.start), max(end, s.end))
    text = "\n\n".join(story.paragraph(pid).text[a:b] for pid, (a, b) in spans.items())
    return Witness(story.slug, list(spans), text, 1.0, spans)


def _passage_id(tokens: list[str], length: int, taken: set[str]) -> str:
    digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
    while "w-" + digest[:length] in taken and length < len(digest):
        length += 1  # a collision: the later passage takes a longer id
    return "w-" + digest[:length]


def _duplicates(stories: list[Story]) -> tuple[list[Story], list[Problem]]:
    """Drop stories whose text is an exact duplicate (after normalization) of an earlier one."""
    seen: dict[str, Story] = {}
    kept, problems = [], []
    for story in stories:
        key = " ".join(words(story.body_text))
        if key and key in seen:
            first = seen[key]
            line = story.paragraphs[0].line if story.paragraphs else None
            problems.append(
                Problem(
                    story.path,
                    line,
                    f"story text is an exact duplicate of {first.path} ({first.slug}); left out of the wire analysis",
                )
            )
            continue
        seen.setdefault(key, story)
        kept.append(story)
    return kept, problems


def _publisher_key(story: Story) -> str:
    return re.sub(r"^the\s+", "", story.publisher.strip(), flags=re.I).casefold()


def credits(story: Story, other: Story) -> bool:
    """Does ``story`` credit ``other``'s publisher in its credit line, rights notice or dateline?"""
    name = _publisher_key(other)
    if not name or name == _publisher_key(story):
        return False
    return name in " ".join((story.credit, story.rights, story.dateline)).casefold()


def _source_index(witness_stories: list[Story]) -> int:
    """Which printing is the source: one whose publisher another witness credits (a reprint's "The
    Associated Press contributed to this report" credits the agency) and which credits no other
    witness's publisher; else the earliest. Linear in witnesses (times distinct publishers)."""
    keys = [_publisher_key(s) for s in witness_stories]
    names = set(filter(None, keys))
    credited: set[str] = set()  # publishers some other witness credits
    crediting: set[str] = set()  # publishers whose stories credit another witness's publisher
    for story, key in zip(witness_stories, keys, strict=True):
        text = " ".join((story.credit, story.rights, story.dateline)).casefold()
        for name in names:
            if name != key and name in text:
                credited.add(name)
                crediting.add(key)
    for k, key in enumerate(keys):
        if key in credited and key not in crediting:
            return k
    return 0


def based_on(stories: list[Story], analysis: WireAnalysis) -> dict[str, list[str]]:
    """slug -> URLs of the wire passages the story reprints (every witness but the source's)."""
    result: dict[str, list[str]] = {s.slug: [] for s in stories}
    for passage in analysis.passages:
        for w in passage.witnesses[1:]:
            if w.story != passage.witnesses[0].story and passage.url not in result.setdefault(w.story, []):
                result[w.story].append(passage.url)
    return result


def find_wire_passages(stories: list[Story], params: WireParams | None = None) -> WireAnalysis:
    """Find the wire passages ``stories`` share, their witnesses, wire shares and story pairs."""
    params = params or WireParams()
    ordered = sorted(stories, key=lambda s: (s.date, s.slug))
    kept, problems = _duplicates(ordered)
    vocab: dict[str, str] = {}
    sentences = [s for k, story in enumerate(kept) for s in story_sentences(k, story, params.max_sentence_words, vocab)]
    weights = idf_weights([s.tokens for s in sentences])
    for s in sentences:
        s.weights = prefix_weights(s.tokens, weights)
    matches, calls = _match_sentences(sentences, params)
    runs = _runs(matches, sentences)
    segments = _segments(runs)

    uf = _UnionFind(len(segments))
    run_segments = []
    for run in runs:
        sx, sy = _segment_of(segments, run.x[0]), _segment_of(segments, run.y[0])
        uf.union(sx, sy)
        run_segments.append((sx, sy))
    components: dict[int, list[int]] = defaultdict(list)
    for k in range(len(segments)):
        components[uf.find(k)].append(k)

    passages: list[WirePassage] = []
    passage_of_segment: dict[int, str] = {}
    taken: set[str] = set()
    covered = [0] * len(kept)
    for members in sorted(components.values(), key=lambda m: segments[m[0]][0]):
        if len(members) < 2:
            continue
        witnesses = [_witness(kept, sentences, segments[k]) for k in members]
        tokens = [[t for s in sentences[segments[k][0] : segments[k][1] + 1] for t in s.tokens] for k in members]
        source = _source_index([kept[sentences[segments[k][0]].story] for k in members])
        for w, toks in zip(witnesses, tokens, strict=True):
            w.similarity = round(local_similarity(toks, tokens[source], params.gap_penalty, weights)[0], 3)
        pid = _passage_id(tokens[0], params.id_length, taken)  # from the earliest printing: stable
        taken.add(pid)
        witnesses.insert(0, witnesses.pop(source))
        passages.append(WirePassage(pid, witnesses[0].text, witnesses))
        for k, toks in zip(members, tokens, strict=True):
            passage_of_segment[k] = pid
            covered[sentences[segments[k][0]].story] += len(toks)

    share: dict[str, float] = {s.slug: 0.0 for s in ordered}
    for k, story in enumerate(kept):
        total = len(words(story.body_text))
        share[story.slug] = round(covered[k] / total, 4) if total else 0.0

    pairs = _story_pairs(kept, sentences, segments, runs, run_segments, passage_of_segment)
    shares_with: dict[str, list[str]] = {s.slug: [] for s in ordered}
    for pair in pairs:
        shares_with[pair.a].append(pair.b)
        shares_with[pair.b].append(pair.a)
    return WireAnalysis(passages, share, shares_with, pairs, problems, calls)


def _story_pairs(
    stories: list[Story],
    sentences: list[Sentence],
    segments: list[tuple[int, int]],
    runs: list[_Run],
    run_segments: list[tuple[int, int]],
    passage_of_segment: dict[int, str],
) -> list[StoryPair]:
    by_pair: dict[tuple[int, int], list[tuple[_Run, str]]] = defaultdict(list)
    for run, (sx, _) in zip(runs, run_segments, strict=True):
        a, b = sentences[run.x[0]].story, sentences[run.y[0]].story
        if a != b and sx in passage_of_segment:
            by_pair[(a, b)].append((run, passage_of_segment[sx]))
    pairs = []
    for (a, b), pair_runs in sorted(by_pair.items()):
        pairs.append(_story_pair(stories[a], stories[b], sentences, pair_runs))
    return pairs


def _story_pair(a: Story, b: Story, sentences: list[Sentence], pair_runs: list[tuple[_Run, str]]) -> StoryPair:
    """Side-by-side rows: paragraphs joined by shared runs form a row; the rest stand alone."""
    na = len(a.paragraphs)
    uf = _UnionFind(na + len(b.paragraphs))
    row_passages: dict[int, set[str]] = defaultdict(set)
    linked = set()
    for run, pid in pair_runs:
        paras = [sentences[i].paragraph for i in range(run.x[0], run.x[1] + 1)]
        paras += [na + sentences[j].paragraph for j in range(run.y[0], run.y[1] + 1)]
        for p in paras:
            uf.union(paras[0], p)
        linked.update(paras)
        row_passages[paras[0]].add(pid)
    groups: dict[int, list[int]] = defaultdict(list)
    for p in sorted(linked):
        groups[uf.find(p)].append(p)
    passages_of_group: dict[int, set[str]] = defaultdict(set)
    for p, pids in row_passages.items():
        passages_of_group[uf.find(p)] |= pids

    rows: list[PairRow] = []
    emitted_b: set[int] = set()

    def flush_b(upto: int) -> None:
        for q in range(upto):
            if q not in emitted_b and na + q not in linked:
                rows.append(PairRow([], [b.paragraphs[q].id]))
                emitted_b.add(q)

    group_at = {min(g): g for g in groups.values()}
    for p in range(na):
        if p in group_at:
            g = group_at[p]
            bs = [q - na for q in g if q >= na]
            flush_b(min(bs))
            emitted_b.update(bs)
            rows.append(
                PairRow(
                    [a.paragraphs[q].id for q in g if q < na],
                    [b.paragraphs[q].id for q in bs],
                    sorted(passages_of_group[uf.find(p)]),
                )
            )
        elif p not in linked:
            rows.append(PairRow([a.paragraphs[p].id], []))
    flush_b(len(b.paragraphs))

    words_only_a = words_only_b = 0
    for row in rows:
        if row.a and row.b:
            wa = words(" ".join(a.paragraph(p).text for p in row.a))
            wb = words(" ".join(b.paragraph(p).text for p in row.b))
            common = (len(wa) + len(wb) - Indel.distance(wa, wb)) // 2
            words_only_a += len(wa) - common
            words_only_b += len(wb) - common
    return StoryPair(
        a.slug,
        b.slug,
        sorted({pid for _, pid in pair_runs}),
        rows,
        [r.a[0] for r in rows if not r.b],
        [r.b[0] for r in rows if not r.a],
        words_only_a,
        words_only_b,
    )


def row_words(row: PairRow, a: Story, b: Story) -> list[tuple[str, str, str]]:
    """Word alignment of one comparison row (its a paragraphs against its b paragraphs)."""
    return align_words("\n\n".join(a.paragraph(p).text for p in row.a), "\n\n".join(b.paragraph(p).text for p in row.b))


def mark_stories(stories: list[Story], analysis: WireAnalysis) -> None:
    """Record the analysis on the stories: a ``wire`` span and note per witness, ``data``."""
    by_slug = {s.slug: s for s in stories}
    for passage in analysis.passages:
        others = len(passage.stories) - 1
        for w in passage.witnesses:
            story = by_slug.get(w.story)
            if story is None:
                continue
            for pid, (start, end) in w.spans.items():
                story.add_span(pid, Span(start, end, "wire", passage.url, f"wire passage {passage.id}"))
            label = f"wire passage {passage.id}, printed by {others} other stor{'y' if others == 1 else 'ies'}"
            story.add_note(w.paragraphs[0], Note(label, passage.url))
    for slug, story in by_slug.items():
        story.data["wire_share"] = analysis.share.get(slug, 0.0)
        story.data["wire_shares_with"] = analysis.shares_with.get(slug, [])
