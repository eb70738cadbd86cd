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

import datetime as dt
import hashlib
import itertools
import marshal
import math
import re
import unicodedata
import uuid
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from functools import lru_cache, partial
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel

from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.errors import ArchiveError, Problem
from newsarchive.model.story import MARSHAL_VERSION, WIRE_URL, Note, Paragraph, Span, Story

WORD_RE = re.compile(r"\w+(?:['’ʼ‘`]\w+)*")
APOSTROPHES_RE = re.compile(r"['’ʼ‘`]")
# a sentence ends at . ! or ? (plus closing quotes/brackets), before space and a capital or digit
SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’»)\]]*\s+")
OPENING_RE = re.compile(r"[\"'“‘«(\[]*")
LAST_WORD_RE = re.compile(r"(\w+)$")
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
    max_shingle_df: int = 100  # n-grams in more distinct sentences than this are stock phrases: ignored
    max_candidates: int = 8  # candidate partners kept per sentence (best shared rare n-grams first)
    min_shingle_overlap: float = 0.5  # a candidate shares this fraction of the shorter sentence's n-grams
    min_similarity: float = 0.6  # local-alignment score / words of the shorter sentence, to accept
    min_match_words: int = 6  # an accepted pair also aligns at least this many words
    single_match_similarity: float = 0.8  # two stories sharing just one sentence need this similarity
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
        if not 0 < self.min_similarity <= 1 or not 0 < self.single_match_similarity <= 1:
            raise ValueError("wire parameters min_similarity and single_match_similarity must be in (0, 1]")
        if (
            self.min_shared_shingles < 1
            or self.max_shingle_df < 2
            or self.min_match_words < 1
            or self.max_candidates < 1
        ):
            raise ValueError(
                "wire parameters min_shared_shingles >= 1, max_shingle_df >= 2, min_match_words >= 1, max_candidates >= 1"
            )
        if self.max_sentence_words < 2 * self.shingle_size or not 4 <= self.id_length <= 40:
            raise ValueError("wire parameters max_sentence_words >= 2 * shingle_size, id_length 4..40")


def params_from_settings(overrides: dict[str, Any] | None, path: str = "pelicanconf.py") -> WireParams:
    """``WireParams(**overrides)``, with unknown names or bad values reported as ArchiveError."""
    try:
        return WireParams(**(overrides or {}))
    except (TypeError, ValueError) as err:
        raise ArchiveError(path, None, f"WIRE_PARAMS: {err}") from None


@dataclass(slots=True)
class Witness:
    """One printing of a wire passage: a run of sentences in one story, text as printed."""

    story: str  # slug
    paragraphs: list[str]  # paragraph ids, in order
    text: str  # the sentences as printed; paragraphs joined by a blank line
    similarity: float  # local-alignment similarity to the passage's canonical text (0-1)
    spans: dict[str, tuple[int, int]]  # paragraph id -> (start, end) character offsets

    def to_json(self) -> dict[str, Any]:
        return {"story": self.story, "paragraphs": self.paragraphs, "text": self.text, "similarity": self.similarity}


@dataclass(slots=True)
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


@dataclass(slots=True)
class PairRow:
    """One row of a side-by-side comparison: paragraphs of a and of b (either may be empty).
    Tuples: a 10,000-story archive has 399,399 rows, 385,160 of them with one paragraph and no
    passage, and an empty tuple is shared where an empty list is an object of its own."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    passages: tuple[str, ...] = ()


@dataclass(slots=True)
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

    def to_plain(self) -> tuple:
        """The analysis as plain tuples, lists and dicts (``marshal`` takes them, ten times faster
        than ``pickle`` takes the dataclasses: how the early child hands it over); see
        :meth:`from_plain`."""
        return (
            [
                (p.id, p.text, [(w.story, w.paragraphs, w.text, w.similarity, w.spans) for w in p.witnesses])
                for p in self.passages
            ],
            self.share,
            self.shares_with,
            [
                (
                    q.a,
                    q.b,
                    q.passages,
                    [(r.a, r.b, r.passages) for r in q.rows],
                    q.only_a,
                    q.only_b,
                    q.words_only_a,
                    q.words_only_b,
                )
                for q in self.pairs
            ],
            [(p.path, p.line, p.message) for p in self.problems],
            self.aligner_calls,
        )

    @classmethod
    def from_plain(cls, plain: tuple) -> WireAnalysis:
        passages, share, shares_with, pairs, problems, calls = plain
        return cls(
            [WirePassage(pid, text, [Witness(*w) for w in witnesses]) for pid, text, witnesses in passages],
            share,
            shares_with,
            [StoryPair(a, b, ps, [PairRow(*r) for r in rows], *rest) for a, b, ps, rows, *rest in pairs],
            [Problem(*p) for p in problems],
            calls,
        )


# ---------------------------------------------------------------------------------------------
# what the analysis reads of a story


def wire_inputs(story: Story) -> tuple:
    """Everything :func:`find_wire_passages` reads of ``story``, as plain data: its path, slug,
    date, publisher, credit line, rights notice, dateline and paragraphs. The early child of
    ``plugins/wire_copy`` keeps it per story file, so a rebuild need not parse the files again."""
    paragraphs = tuple((p.id, p.text, p.line) for p in story.paragraphs)
    return (
        story.path,
        story.slug,
        story.date.isoformat(),
        story.publisher,
        story.credit,
        story.rights,
        story.dateline,
        paragraphs,
    )


def story_from_inputs(inputs: tuple) -> Story:
    """A story holding only its :func:`wire_inputs` (no title, comments...): enough to analyse."""
    path, slug, date, publisher, credit, rights, dateline, paragraphs = inputs
    return Story(
        path,
        slug,
        "",
        dt.datetime.fromisoformat(date),
        publisher=publisher,
        credit=credit,
        rights=rights,
        dateline=dateline,
        paragraphs=[Paragraph(*p) for p in paragraphs],
    )


def inputs_digest(inputs: Iterable[tuple]) -> str:
    """A hash of the stories' :func:`wire_inputs`, in a fixed order: the same stories give the same
    digest however (and by which process) they were read, in whatever order."""
    h = hashlib.blake2b(digest_size=16)
    for one in sorted(inputs, key=lambda t: (t[2], t[1])):
        h.update(marshal.dumps(one, MARSHAL_VERSION))
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# text: tokens and sentences


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


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, whitespace trimmed."""
    spans, start = [], 0
    for m in SENTENCE_END_RE.finditer(text):
        after = OPENING_RE.match(text, m.end()).end()
        following = text[after : after + 1]
        if not following or not (following.isupper() or following.isdigit()):
            continue
        if m.group().startswith(".") and not m.group().startswith(".."):
            before = LAST_WORD_RE.search(text, start, m.start())
            if before and (before.group(1).casefold() in ABBREVIATIONS or len(before.group(1)) == 1):
                continue
        spans.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    if text[start:].strip():
        end = len(text.rstrip())
        spans.append((start + len(text[start:]) - len(text[start:].lstrip()), end))
    return spans


@dataclass(slots=True)
class Sentence:
    story: int  # index into the analysed stories
    paragraph: int  # index into story.paragraphs
    start: int
    end: int
    tokens: list[int]  # token ids (``_Tokens.words`` gives the normalized words back)


class _Tokens:
    """Word ids: each normalized word gets one id, in order of first appearance.

    With a memo, the vocabulary is kept between builds (:meth:`kept_in`, :meth:`keep_in`) and the
    memo keeps each story's sentences as ids (:func:`story_sentences`): a rebuild looks up only
    the words of changed stories. Nothing depends on the numbering but equality: shingles are
    hashed from the words themselves (:meth:`word_hashes`), so ids kept from earlier builds give
    the analysis a cold build gives."""

    MEMO_KEY = "wire vocabulary"

    def __init__(self, words: list[str] | None = None, generation: str | None = None) -> None:
        self.words: list[str] = words or []  # id -> normalized word
        self.ids: dict[str, int] = {word: n for n, word in enumerate(self.words)}  # normalized word -> id
        # names this numbering in memo keys: ids kept under another vocabulary are never read
        self.generation = generation or uuid.uuid4().hex
        self._ints: list[int] = []  # n -> the int n: one object per id (see decoded)

    @classmethod
    def kept_in(cls, memo: Memo) -> _Tokens:
        """The vocabulary the last build kept in ``memo`` (a new one if it kept none)."""
        kept = memo.kept(cls.MEMO_KEY)
        return cls(kept[1], kept[0]) if kept else cls()

    def keep_in(self, memo: Memo) -> None:
        memo.keep(self.MEMO_KEY, (self.generation, self.words))

    def of(self, joined: str) -> list[int]:
        """Ids of the normalized words of :func:`sentence_words` (joined by WORD_SEPARATOR)."""
        ids, words = self.ids, self.words
        out = []
        for word in joined.split(WORD_SEPARATOR):
            token = ids.get(word)
            if token is None:
                token = ids[word] = len(words)
                words.append(word)
            out.append(token)
        return out

    def encoded(self, found: list[tuple[int, int, int, str]]) -> tuple[list[tuple[int, int, int, int]], bytes]:
        """:func:`sentence_words` as ``(paragraph, start, end, word count)`` rows and the ids of
        all their words as 32-bit integers: what the memo keeps of a story."""
        rows, ids = [], array("I")
        for pi, start, end, joined in found:
            tokens = self.of(joined)
            rows.append((pi, start, end, len(tokens)))
            ids.extend(tokens)
        return rows, ids.tobytes()

    def decoded(self, encoded: bytes) -> list[int]:
        """The ids of :meth:`encoded`'s bytes, as a list. Every list holds the same int object
        for the same id: an int over 256 is an object of 32 bytes, and one per token took 90 MB
        at 10,000 stories (7.4 million tokens, 7,371 words; the wire analysis's peak went from
        928 to 838 MB)."""
        ids = array("I")
        ids.frombytes(encoded)
        shared = self._ints
        if len(shared) < len(self.words):
            shared.extend(range(len(shared), len(self.words)))
        return list(map(shared.__getitem__, ids))

    def word_hashes(self) -> np.ndarray:
        """A 64-bit hash of each word (by id), from its text alone."""
        return np.array([word_hash(w) for w in self.words], dtype=np.uint64)


def word_hash(word: str) -> int:
    """A 64-bit hash of a word's text, the same in every process (n-gram hashes are made of these)."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


# Joins a sentence's normalized words: no word holds it (NFKC can turn a word into several, with
# spaces between them, but never makes a NUL).
WORD_SEPARATOR = "\x00"


def sentence_words(story: Story, max_words: int) -> list[tuple[int, int, int, str]]:
    """Sentences of a story in reading order as (paragraph index, start, end, its normalized words
    joined by WORD_SEPARATOR); sentences over ``max_words`` become chunks. Depends on the story
    alone: kept between builds (``analysis_memo``)."""
    out = []
    for pi, para in enumerate(story.paragraphs):
        text = para.text
        for s_start, s_end in sentence_spans(text):
            printed = WORD_RE.findall(text, s_start, s_end)
            if len(printed) <= max_words:
                if printed:
                    out.append((pi, s_start, s_end, WORD_SEPARATOR.join(map(normalize_word, printed))))
                continue
            matches = list(WORD_RE.finditer(text, s_start, s_end))
            for c in range(0, len(matches), max_words):
                chunk = matches[c : c + max_words]
                start = s_start if c == 0 else chunk[0].start()
                end = s_end if c + max_words >= len(matches) else chunk[-1].end()
                out.append((pi, start, end, WORD_SEPARATOR.join(normalize_word(m.group()) for m in chunk)))
    return out


def story_sentences(
    story_index: int, story: Story, max_words: int, tokens: _Tokens, memo: Memo | None = None
) -> list[Sentence]:
    """Sentences of a story in reading order; sentences over ``max_words`` become chunks."""
    memo = memo or Memo()
    rows, encoded = memo.get(
        partial(_sentences_key, memo, story, max_words, tokens.generation),
        lambda: tokens.encoded(sentence_words(story, max_words)),
    )
    ids = tokens.decoded(encoded)
    out, at = [], 0
    for pi, start, end, count in rows:
        out.append(Sentence(story_index, pi, start, end, ids[at : at + count]))
        at += count
    return out


def _sentences_key(memo: Memo, story: Story, max_words: int, generation: str) -> str:
    return memo_key("sentences", memo.story_key(story), max_words, generation)


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


# ---------------------------------------------------------------------------------------------
# candidates: inverted index of hashed word n-grams


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, not ``np.unique``'s hash table: faster on millions of int64)."""
    return _distinct_sorted(np.sort(values))


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
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
    ``word_hashes`` (a hash of each token id's word, ``_Tokens.word_hashes``), else from the ids.
    """
    n, size, window = len(sentences), params.shingle_size, params.max_candidates
    none = np.zeros(0, dtype=np.int64)
    lengths = np.fromiter((len(s.tokens) for s in sentences), dtype=np.int64, count=n)
    total = int(lengths.sum())
    if total < size:
        return none
    # Memory: at 10,000 stories each array of one value per token (7.4 million) takes 59 MB as
    # 64-bit numbers, so no more of them live at once than needed, and sentence numbers are 32-bit.
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


def _match_sentences(
    sentences: list[Sentence], params: WireParams, texts: np.ndarray, prefix: _Prefixes, word_hashes: np.ndarray
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
            result = known[key] = _aligned_score(si.tokens, sj.tokens, prefix[i], prefix[j], params.gap_penalty)
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
# matches (``_match_sentences``): a sentence printed in that many stories is wire copy already.
NEIGHBOUR_MATCHES_PER_SENTENCE = 4


class _Prefixes:
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


@dataclass
class _Run:
    """Consecutive matched sentences between two stories: inclusive sentence ranges."""

    x: tuple[int, int]
    y: tuple[int, int]


def _runs(matches: dict[tuple[int, int], float], sentences: list[Sentence], single_similarity: float) -> list[_Run]:
    """Group matches into runs: (i, j) and (i', j') join when i'-i and j'-j are both 0 or 1.

    Two different stories that share one sentence only, matched below ``single_similarity``,
    share no wire text: one loosely similar sentence is chance (stock wording), not a reprint.
    """
    by_pair: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, j in matches:
        by_pair[(sentences[i].story, sentences[j].story)].append((i, j))
    runs = []
    for (a, b), pair_matches in by_pair.items():
        one = len({i for i, _ in pair_matches}) < 2 or len({j for _, j in pair_matches}) < 2
        if a != b and one and max(matches[m] for m in pair_matches) < single_similarity:
            continue
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


def _cluster(
    segments: list[tuple[int, int]],
    run_segments: list[tuple[int, int]],
    runs: list[_Run],
    similar: Callable[[int, int], bool],
) -> list[list[int]]:
    """Group segments into passages around a centre, without chaining through weak links.

    Segments are taken in reading order (earliest story first). A segment joins the passage of
    a linked earlier segment only if it is linked to that passage's centre (its first segment)
    directly, or aligns with the centre (``similar``); otherwise it is the centre of a new
    passage. A centre nobody joined joins the passage of its best-linked segment (one hop).
    So A~B~C~D, each a weak link, never makes one passage; a sentence printed verbatim in N
    stories is one passage with N witnesses. Returns the passages' member lists (>= 2 each).
    """
    links: list[dict[int, int]] = [{} for _ in segments]  # segment -> {linked segment: sentences matched}
    for run, (sx, sy) in zip(runs, run_segments, strict=True):
        if sx != sy:
            weight = run.x[1] - run.x[0] + run.y[1] - run.y[0] + 2
            links[sx][sy] = links[sy][sx] = max(weight, links[sx].get(sy, 0))
    passage_of = [-1] * len(segments)
    centres: list[int] = []
    members: list[list[int]] = []
    for s in range(len(segments)):
        earlier = sorted(((w, -t, t) for t, w in links[s].items() if t < s), reverse=True)
        chosen = next((passage_of[t] for _, _, t in earlier if centres[passage_of[t]] == t), None)
        if chosen is None:
            tried = set()
            for _, _, t in earlier:
                p = passage_of[t]
                if p in tried:
                    continue
                tried.add(p)
                if similar(s, centres[p]):
                    chosen = p
                    break
                if len(tried) >= 2:
                    break
        if chosen is None:
            chosen = len(centres)
            centres.append(s)
            members.append([])
        passage_of[s] = chosen
        members[chosen].append(s)
    for p, group in enumerate(members):
        if len(group) == 1 and links[group[0]]:
            s = group[0]
            target = passage_of[max(links[s], key=lambda t: (links[s][t], -t))]
            if target != p:
                members[target].append(s)
                passage_of[s] = target
                group.clear()
    return [sorted(group) for group in members if len(group) >= 2]


def _passage_id(tokens: list[str], length: int, taken: set[str]) -> str:
    digest = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
    while "w-" + digest[:length] in taken and length < len(digest):
        length += 1  # a collision: the later passage takes a longer id
    return "w-" + digest[:length]


def _duplicates(
    stories: list[Story], sentences: list[list[Sentence]]
) -> tuple[list[Story], list[list[Sentence]], list[Problem]]:
    """Drop stories whose text is an exact duplicate (after normalization) of an earlier one."""
    seen: dict[tuple[int, ...], Story] = {}
    kept, kept_sentences, problems = [], [], []
    for story, sents in zip(stories, sentences, strict=True):
        key = tuple(t for s in sents for t in s.tokens)
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
        kept_sentences.append(sents)
    return kept, kept_sentences, problems


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


def find_wire_passages(
    stories: list[Story], params: WireParams | None = None, memo: Memo | None = None
) -> WireAnalysis:
    """Find the wire passages ``stories`` share, their witnesses, wire shares and story pairs.
    With ``memo``, each story's sentences are taken from it where unchanged
    (:mod:`newsarchive.analysis.memo`), and the vocabulary they are numbered in is kept in it.

    The analysis makes millions of small acyclic objects (sentences, token lists): a caller that
    runs it on a large archive may pause the cyclic garbage collector meanwhile
    (:func:`newsarchive.site.progress.paused_gc`), as the build does.
    """
    params = params or WireParams()
    ordered = sorted(stories, key=lambda s: (s.date, s.slug))
    tokens = _Tokens.kept_in(memo) if memo is not None else _Tokens()
    kept, story_sents, problems = _duplicates(
        ordered, [story_sentences(0, s, params.max_sentence_words, tokens, memo) for s in ordered]
    )
    if memo is not None:
        tokens.keep_in(memo)
    sentences: list[Sentence] = []
    for k, sents in enumerate(story_sents):
        for s in sents:
            s.story = k
        sentences.extend(sents)
    del story_sents
    texts = _text_ids(sentences)
    prefix = _Prefixes(sentences, _idf(sentences, len(tokens.words)))
    matches, calls = _match_sentences(sentences, params, texts, prefix, tokens.word_hashes())
    runs = _runs(matches, sentences, params.single_match_similarity)
    segments = _segments(runs)
    run_segments = [(_segment_of(segments, run.x[0]), _segment_of(segments, run.y[0])) for run in runs]

    def segment_tokens(k: int) -> list[int]:
        return [t for s in sentences[segments[k][0] : segments[k][1] + 1] for t in s.tokens]

    def similar(k: int, centre: int) -> bool:
        nonlocal calls
        calls += 1
        a, b = segment_tokens(k), segment_tokens(centre)
        similarity, aligned = _aligned_score(a, b, prefix.of(a), prefix.of(b), params.gap_penalty)
        return similarity >= params.min_similarity and aligned >= params.min_match_words

    passages: list[WirePassage] = []
    passage_of_segment: dict[int, str] = {}
    taken: set[str] = set()
    covered = [0] * len(kept)
    for members in _cluster(segments, run_segments, runs, similar):
        witnesses = [_witness(kept, sentences, segments[k]) for k in members]
        toks = [segment_tokens(k) for k in members]
        source = _source_index([kept[sentences[segments[k][0]].story] for k in members])
        canonical = prefix.of(toks[source])
        for w, t in zip(witnesses, toks, strict=True):
            score = _aligned_score(t, toks[source], prefix.of(t), canonical, params.gap_penalty)[0]
            w.similarity = round(score, 3)
        pid = _passage_id([tokens.words[t] for t in toks[0]], params.id_length, taken)  # earliest printing: stable
        taken.add(pid)
        witnesses.insert(0, witnesses.pop(source))
        passages.append(WirePassage(pid, witnesses[0].text, witnesses))
        for k, t in zip(members, toks, strict=True):
            passage_of_segment[k] = pid
            covered[sentences[segments[k][0]].story] += len(t)

    words_in = [0] * len(kept)
    for s in sentences:
        words_in[s.story] += len(s.tokens)
    share: dict[str, float] = {s.slug: 0.0 for s in ordered}
    for k, story in enumerate(kept):
        share[story.slug] = round(covered[k] / words_in[k], 4) if words_in[k] else 0.0

    witness_count = {p.id: len(p.stories) for p in passages}
    pairs = _story_pairs(kept, sentences, runs, run_segments, passage_of_segment, witness_count, params.max_candidates)
    shares_with: dict[str, list[str]] = {s.slug: [] for s in ordered}
    for pair in pairs:
        shares_with[pair.a].append(pair.b)
        shares_with[pair.b].append(pair.a)
    return WireAnalysis(passages, share, shares_with, pairs, problems, calls)


def _text_ids(sentences: list[Sentence]) -> np.ndarray:
    """One id per distinct token sequence: printings of the same sentence text share an id."""
    ids: dict[tuple[int, ...], int] = {}
    return np.fromiter(
        (ids.setdefault(tuple(s.tokens), len(ids)) for s in sentences), dtype=np.int64, count=len(sentences)
    )


def _idf(sentences: list[Sentence], vocabulary: int) -> list[float]:
    """Token id -> log(1 + sentences / sentences containing the word): rare words weigh more."""
    n, size = len(sentences), max(vocabulary, 1)
    lengths = np.fromiter((len(s.tokens) for s in sentences), dtype=np.int64, count=n)
    keys = np.repeat(np.arange(n, dtype=np.int64), lengths)  # sentence * size + token: one per (sentence, word)
    keys *= size
    keys += np.fromiter(itertools.chain.from_iterable(s.tokens for s in sentences), dtype=np.int64, count=len(keys))
    keys.sort()  # in place, and no other array as long: 7.4 million keys at 10,000 stories
    df = np.bincount(_distinct_sorted(keys) % size, minlength=vocabulary)
    return [math.log1p(n / d) if d else 1.0 for d in df.tolist()]


def _story_pairs(
    stories: list[Story],
    sentences: list[Sentence],
    runs: list[_Run],
    run_segments: list[tuple[int, int]],
    passage_of_segment: dict[int, str],
    witnesses: dict[str, int],
    stock_witnesses: int,
) -> list[StoryPair]:
    """Story pairs from the direct sentence matches (runs) between two stories: linear in the runs.

    Two stories whose only shared text is one sentence of a stock passage (printed by more than
    ``stock_witnesses`` stories: a much-quoted line, boilerplate) are no pair: the passage page
    already lists every printing, and a comparison page per pair of them would be quadratic.
    """
    by_pair: dict[tuple[int, int], list[tuple[_Run, set[str]]]] = defaultdict(list)
    for run, (sx, sy) in zip(runs, run_segments, strict=True):
        a, b = sentences[run.x[0]].story, sentences[run.y[0]].story
        pids = {passage_of_segment[k] for k in (sx, sy) if k in passage_of_segment}
        if a != b and pids:
            by_pair[(a, b)].append((run, pids))
    for key in [k for k, v in by_pair.items() if len(v) == 1]:
        run, pids = by_pair[key][0]
        if run.x[0] == run.x[1] and run.y[0] == run.y[1] and min(witnesses[p] for p in pids) > stock_witnesses:
            del by_pair[key]
    first_sentence: dict[int, int] = {}
    for i in range(len(sentences) - 1, -1, -1):
        first_sentence[sentences[i].story] = i
    paragraph_tokens: dict[int, list[list[int]]] = {}

    def tokens_of(story: int) -> list[list[int]]:
        """Token ids of each paragraph of ``story``, from its sentences (no re-tokenizing)."""
        if story not in paragraph_tokens:
            paras: list[list[int]] = [[] for _ in stories[story].paragraphs]
            i = first_sentence.get(story, len(sentences))
            while i < len(sentences) and sentences[i].story == story:
                paras[sentences[i].paragraph].extend(sentences[i].tokens)
                i += 1
            paragraph_tokens[story] = paras
        return paragraph_tokens[story]

    pairs = []
    for (a, b), pair_runs in sorted(by_pair.items()):
        pairs.append(_story_pair(stories[a], stories[b], sentences, pair_runs, tokens_of(a), tokens_of(b)))
    return pairs


def _story_pair(
    a: Story,
    b: Story,
    sentences: list[Sentence],
    pair_runs: list[tuple[_Run, set[str]]],
    tokens_a: list[list[int]],
    tokens_b: list[list[int]],
) -> StoryPair:
    """Side-by-side rows: paragraphs joined by shared runs form a row; the rest stand alone.
    ``tokens_a`` / ``tokens_b``: token ids of each paragraph (tokenized once, not per pair)."""
    na = len(a.paragraphs)
    uf = _UnionFind(na + len(b.paragraphs))
    row_passages: dict[int, set[str]] = defaultdict(set)
    linked = set()
    for run, pids in pair_runs:
        paras = [sentences[i].paragraph for i in range(run.x[0], run.x[1] + 1)]
        paras += [na + sentences[j].paragraph for j in range(run.y[0], run.y[1] + 1)]
        for p in paras:
            uf.union(paras[0], p)
        linked.update(paras)
        row_passages[paras[0]] |= pids
    groups: dict[int, list[int]] = defaultdict(list)
    for p in sorted(linked):
        groups[uf.find(p)].append(p)
    passages_of_group: dict[int, set[str]] = defaultdict(set)
    for p, pids in row_passages.items():
        passages_of_group[uf.find(p)] |= pids

    rows: list[PairRow] = []
    emitted_b: set[int] = set()
    next_b = 0  # b paragraphs before this one are all emitted or linked

    def flush_b(upto: int) -> None:
        nonlocal next_b
        for q in range(next_b, upto):
            if q not in emitted_b and na + q not in linked:
                rows.append(PairRow((), (b.paragraphs[q].id,)))
                emitted_b.add(q)
        next_b = max(next_b, upto)

    group_at = {min(g): g for g in groups.values()}
    for p in range(na):
        if p in group_at:
            g = group_at[p]
            bs = [q - na for q in g if q >= na]
            flush_b(min(bs))
            emitted_b.update(bs)
            rows.append(
                PairRow(
                    tuple(a.paragraphs[q].id for q in g if q < na),
                    tuple(b.paragraphs[q].id for q in bs),
                    tuple(sorted(passages_of_group[uf.find(p)])),
                )
            )
        elif p not in linked:
            rows.append(PairRow((a.paragraphs[p].id,), ()))
    flush_b(len(b.paragraphs))

    index_a = {p.id: k for k, p in enumerate(a.paragraphs)}
    index_b = {p.id: k for k, p in enumerate(b.paragraphs)}
    words_only_a = words_only_b = 0
    for row in rows:
        if row.a and row.b:
            wa = [t for p in row.a for t in tokens_a[index_a[p]]]
            wb = [t for p in row.b for t in tokens_b[index_b[p]]]
            common = (len(wa) + len(wb) - Indel.distance(wa, wb)) // 2
            words_only_a += len(wa) - common
            words_only_b += len(wb) - common
    return StoryPair(
        a.slug,
        b.slug,
        sorted(set().union(*(pids for _, pids in pair_runs))),
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
                story.add_span(pid, Span(start, end, "wire", passage.url, "Shared wire copy"))
            label = f"Shared wire copy, also printed by {others} other stor{'y' if others == 1 else 'ies'}"
            story.add_note(w.paragraphs[0], Note(label, passage.url))
    for slug, story in by_slug.items():
        story.data["wire_share"] = analysis.share.get(slug, 0.0)
        story.data["wire_shares_with"] = analysis.shares_with.get(slug, [])
