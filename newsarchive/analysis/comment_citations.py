"""Reader comments that quote a story: link the comment to the paragraph it quotes.

A comment cites a paragraph when either

* text it puts in quotation marks (any of ``" “ ”``; comments are typed carelessly, so marks are
  paired in order whatever their shape, and a stray closing mark opens) has at least
  ``MIN_QUOTED_WORDS`` words and matches part of the paragraph with a ``rapidfuzz`` partial
  ratio of at least ``MIN_SCORE`` after normalizing case, punctuation and quote marks; or
* it repeats, without marks, a run of at least ``MIN_RUN_WORDS`` words of the paragraph nearly
  verbatim (at least 80% of the run's words in the same order, gaps of at most two words).

Short common phrases ("about time", "sanctuary cities") are below both thresholds. When the
comment's own story has the passage, only that story is cited; otherwise every story that has it.
A citation names the quotation it falls on (a :class:`~newsarchive.analysis.quotes.model.Quote` id) or None.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from rapidfuzz import fuzz

from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.analysis.words import SHINGLE_MULTIPLIERS, word_hash
from newsarchive.model.story import STORY_URL, Story

if TYPE_CHECKING:
    from newsarchive.analysis.quotes.model import Quote

MIN_QUOTED_WORDS = 5
MIN_RUN_WORDS = 8
MIN_SCORE = 90.0
SHINGLE = 4
SHINGLE_CAP = 50  # a 4-word run in more story paragraphs than this proposes only the comment's own story
QUOTE_MARKS = '"“”„«»'
WORD_RE = re.compile(r"[\w]+(?:['’][\w]+)*")
MARK_RE = re.compile("|".join(map(re.escape, QUOTE_MARKS)))  # alternatives: found faster than a [class]


@dataclass(slots=True)
class Citation:
    """Comment ``comment`` on story ``story`` quotes paragraph ``paragraph`` of story ``target``."""

    story: str
    comment: str
    target: str
    paragraph: str
    quote: str | None
    text: str  # the comment's words that cite, as typed
    start: int  # span of the cited words in the target paragraph
    end: int
    kind: str  # "quoted" (inside quote marks) | "verbatim" (a long run of the same words)

    @property
    def comment_url(self) -> str:
        return STORY_URL.format(slug=self.story) + "#comment-" + self.comment.replace(".", "-")

    def to_json(self) -> dict[str, Any]:
        """The ``cites`` item of a comment in archive.json."""
        return {"story": self.target, "paragraph": self.paragraph, "quote": self.quote}


@dataclass
class _Words:
    keys: list[str]
    spans: list[tuple[int, int]]


def _keys(text: str) -> list[str]:
    """The ``keys`` of :func:`_words`, without the spans (the words lowered in one string: the same keys)."""
    words = WORD_RE.findall(text)
    return " ".join(words).lower().replace("’", "'").split(" ") if words else []


def _words(text: str) -> _Words:
    found = list(WORD_RE.finditer(text))
    return _Words([m.group().lower().replace("’", "'") for m in found], [m.span() for m in found])


def quoted_passages(text: str) -> list[tuple[int, int]]:
    """Character spans of the text between quotation marks, paired in order whatever their shape."""
    marks = [m.start() for m in MARK_RE.finditer(text)]
    spans = [(marks[k] + 1, marks[k + 1]) for k in range(0, len(marks) - 1, 2)]
    if len(marks) % 2:
        spans.append((marks[-1] + 1, len(text)))
    return spans


def _quoted_match(passage: str, para: str) -> tuple[int, int] | None:
    """Span in ``para`` that the quoted ``passage`` matches, or None."""
    q = _words(passage)
    if len(q.keys) < MIN_QUOTED_WORDS:
        return None
    p = _words(para)
    q_text, p_text = " ".join(q.keys), " ".join(p.keys)
    if not p_text:
        return None
    found = fuzz.partial_ratio_alignment(q_text, p_text, score_cutoff=MIN_SCORE)
    if found is None:
        return None
    first = p_text[: found.dest_start].count(" ")
    last = p_text[: max(found.dest_end - 1, found.dest_start)].count(" ")
    return p.spans[first][0], p.spans[last][1]


def _verbatim_run(comment: _Words, para: _Words) -> tuple[int, int, int, int] | None:
    """(comment word start, end, paragraph word start, end) of the longest near-verbatim run, or None."""
    blocks = [
        b for b in SequenceMatcher(None, comment.keys, para.keys, autojunk=False).get_matching_blocks() if b.size >= 3
    ]
    best = None
    k = 0
    while k < len(blocks):
        a0, b0, matched = blocks[k].a, blocks[k].b, blocks[k].size
        a1, b1 = a0 + blocks[k].size, b0 + blocks[k].size
        while k + 1 < len(blocks) and blocks[k + 1].a - a1 <= 2 and 0 <= blocks[k + 1].b - b1 <= 2:
            k += 1
            a1, b1 = blocks[k].a + blocks[k].size, blocks[k].b + blocks[k].size
            matched += blocks[k].size
        if a1 - a0 >= MIN_RUN_WORDS and matched / (a1 - a0) >= 0.8 and (best is None or a1 - a0 > best[1] - best[0]):
            best = (a0, a1, b0, b1)
        k += 1
    return best


def _quote_index(quotes: list[Quote]) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """(story, paragraph) -> (start, end, quote id) of every printed fragment, in quote order."""
    index: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for q in quotes:
        for occ in q.occurrences:
            for frag in occ.fragments:
                index.setdefault((occ.story, frag.paragraph), []).append((frag.start, frag.end, q.id))
    return index


def _quote_at(index: dict, story: str, pid: str, start: int, end: int) -> str | None:
    return next((qid for a, b, qid in index.get((story, pid), []) if a < end and start < b), None)


@dataclass
class _Probe:
    """One thing a comment may cite with: a quoted passage, or a whole comment paragraph (verbatim runs)."""

    story: int  # index of the comment's story
    comment: int  # index of the comment in the story
    text: str  # the comment paragraph
    passage: str | None  # the quoted passage, or None for a verbatim probe
    candidates: list[int] = field(default_factory=list)  # story paragraphs sharing a 4-word run


# --- candidates: which comment probes and story paragraphs share a 4-word run --------------------
# Every story paragraph and every probe is reduced to the 64-bit hashes of its 4-word runs (a hash
# of each word, from its text, mixed by position). What a story gives (its paragraphs' runs, its
# comments' probes and theirs) depends on its file alone and is kept in ``memo``; the archive-wide
# join is numpy work over the hashes.

RUN_MULTIPLIERS = SHINGLE_MULTIPLIERS[:SHINGLE]  # the wire detection's n-gram hash


class _WordHashes(dict):
    """word -> :func:`~newsarchive.analysis.words.word_hash`, made once per word."""

    def __missing__(self, word: str) -> int:
        self[word] = value = word_hash(word)
        return value


def _run_hashes(texts: list[str], words: _WordHashes) -> tuple[list[int], bytes]:
    """For each text, the number of distinct 4-word runs of its keys; and their hashes, sorted
    within each text, one text after another (uint64 bytes). One numpy pass for all ``texts``."""
    keys = [_keys(text) for text in texts]
    lengths = [len(k) for k in keys]
    total = sum(lengths)
    last = total - SHINGLE + 1
    if last <= 0:
        return [0] * len(texts), b""
    h = np.fromiter(map(words.__getitem__, itertools.chain.from_iterable(keys)), dtype=np.uint64, count=total)
    owner = np.repeat(np.arange(len(texts)), lengths)
    runs = sum(h[k : k + last] * RUN_MULTIPLIERS[k] for k in range(SHINGLE))
    within = owner[:last] == owner[SHINGLE - 1 :]  # runs across two texts are none
    runs, owner = runs[within], owner[:last][within]
    order = np.lexsort((runs, owner))
    runs, owner = runs[order], owner[order]
    distinct = np.ones(len(runs), dtype=bool)  # no run at all when every text is under 4 words
    distinct[1:] = (runs[1:] != runs[:-1]) | (owner[1:] != owner[:-1])
    runs, owner = runs[distinct], owner[distinct]
    return np.bincount(owner, minlength=len(texts)).tolist(), runs.tobytes()


def _story_runs(story: Story, words: _WordHashes) -> tuple:
    """What the candidate search needs of one story: its probes as ``(comment, paragraph, start,
    end)`` (start -1: the whole paragraph, verbatim), their runs, and its paragraphs' runs."""
    refs, texts = [], []
    for ci, comment in enumerate(story.comments):
        for pj, text in enumerate(comment.paragraphs):
            for start, end in quoted_passages(text):
                refs.append((ci, pj, start, end))
                texts.append(text[start:end].strip())
            refs.append((ci, pj, -1, -1))
            texts.append(text)
    probe_counts, probe_runs = _run_hashes(texts, words)
    para_counts, para_runs = _run_hashes([p.text for p in story.paragraphs], words)
    return refs, probe_counts, probe_runs, para_counts, para_runs


def _story_runs_key(memo: Memo, story: Story) -> str:
    return memo_key("citation runs", memo.story_key(story), [c.paragraphs for c in story.comments])


def _candidate_pairs(stories: list[Story], memo: Memo) -> tuple[list[_Probe], list[tuple[int, int]]]:
    """The probes with candidates (each with its sorted ``candidates``, global paragraph numbers)
    and (story, paragraph) of each paragraph number.

    A run found in more than ``SHINGLE_CAP`` paragraphs proposes only paragraphs of the probe's
    own story, so a stock phrase costs nothing."""
    words = _WordHashes()
    found = [memo.get(partial(_story_runs_key, memo, story), partial(_story_runs, story, words)) for story in stories]
    refs = [(si, ref) for si, story_found in enumerate(found) for ref in story_found[0]]
    places = [(si, pi) for si, story_found in enumerate(found) for pi in range(len(story_found[3]))]
    probe_story = np.repeat(np.arange(len(found), dtype=np.int32), [len(f[1]) for f in found])
    para_story = np.repeat(np.arange(len(found), dtype=np.int32), [len(f[3]) for f in found])
    c_hash = np.frombuffer(b"".join(f[2] for f in found), dtype=np.uint64)
    c_owner = np.repeat(np.arange(len(probe_story), dtype=np.int32), [c for f in found for c in f[1]])
    # the stories' runs that some probe has (most have none), story by story: the runs of all the
    # stories are never held at once
    known = np.unique(c_hash)
    p_hash, p_owner, first = [], [], 0
    for f in found:
        runs = np.frombuffer(f[4], dtype=np.uint64)
        owner = np.repeat(np.arange(first, first + len(f[3]), dtype=np.int32), f[3])
        first += len(f[3])
        if len(known) and len(runs):
            shared = known[np.minimum(np.searchsorted(known, runs), len(known) - 1)] == runs
            p_hash.append(runs[shared])
            p_owner.append(owner[shared])
    del found, known
    para_runs = (
        np.concatenate(p_hash) if p_hash else np.zeros(0, dtype=np.uint64),
        np.concatenate(p_owner) if p_owner else np.zeros(0, dtype=np.int32),
    )
    probe_of, para_of = _shared_runs((c_hash, c_owner), para_runs, probe_story, para_story)
    probes: list[_Probe] = []
    last = -1  # the probe the last pair was of
    for k, n in zip(probe_of.tolist(), para_of.tolist(), strict=True):
        if k != last:
            si, (ci, pj, start, end) = refs[k]
            text = stories[si].comments[ci].paragraphs[pj]
            probes.append(_Probe(si, ci, text, text[start:end].strip() if start >= 0 else None))
            last = k
        probes[-1].candidates.append(n)
    return probes, places


def _shared_runs(probe_runs, para_runs, probe_story: np.ndarray, para_story: np.ndarray):
    """(probe, paragraph) pairs, sorted and distinct, that share a run (``para_runs`` holds only
    runs some probe has); a run in more than ``SHINGLE_CAP`` paragraphs counts only within the
    probe's own story."""
    (c_hash, c_owner), (p_hash, p_owner) = probe_runs, para_runs
    order = np.argsort(p_hash, kind="stable")
    p_hash, p_owner = p_hash[order], p_owner[order]
    starts = np.searchsorted(p_hash, c_hash, side="left")
    df = np.searchsorted(p_hash, c_hash, side="right") - starts  # paragraphs holding each probe run
    found = df > 0
    c_owner, starts, df = c_owner[found], starts[found], df[found]
    total = int(df.sum())
    probe = np.repeat(c_owner, df)
    para = p_owner[np.repeat(starts - np.cumsum(df) + df, df) + np.arange(total)]
    common = np.repeat(df > SHINGLE_CAP, df)
    ok = ~common | (probe_story[probe] == para_story[para])
    size = max(len(para_story), 1)
    pairs = np.unique(probe[ok].astype(np.int64) * size + para[ok])
    return pairs // size, pairs % size


def find_citations(
    stories: list[Story], quotes: list[Quote], stats: dict[str, int] | None = None, memo: Memo | None = None
) -> list[Citation]:
    """Every (comment, story paragraph) pair where a comment quotes or nearly repeats a paragraph.

    Reads ``story.comments`` (already parsed); changes nothing. Only paragraphs sharing a 4-word
    run with the comment are compared (see :func:`_candidate_pairs`); ``stats``, when given,
    receives the number of ``comparisons``. With ``memo``, each story's runs are kept for the
    next build.
    """
    probes, places = _candidate_pairs(stories, memo or Memo())
    citations: list[Citation] = []
    comparisons = 0
    k = 0
    while k < len(probes):
        si, ci = probes[k].story, probes[k].comment
        story, comment = stories[si], stories[si].comments[ci]
        found: dict[tuple[str, str], Citation] = {}
        while k < len(probes) and (probes[k].story, probes[k].comment) == (si, ci):
            probe = probes[k]
            words = _words(probe.text) if probe.passage is None and probe.candidates else None
            for n in probe.candidates:
                target = stories[places[n][0]]
                para = target.paragraphs[places[n][1]]
                slug, pid = target.slug, para.id
                comparisons += 1
                if probe.passage is not None:
                    span = _quoted_match(probe.passage, para.text)
                    if span:
                        cite = Citation(story.slug, comment.id, slug, pid, None, probe.passage, *span, "quoted")
                        found.setdefault((slug, pid), cite)
                    continue
                pwords = _words(para.text)
                run = _verbatim_run(words, pwords)
                if run and (slug, pid) not in found:
                    a0, a1, b0, b1 = run
                    typed = probe.text[words.spans[a0][0] : words.spans[a1 - 1][1]]
                    span = (pwords.spans[b0][0], pwords.spans[b1 - 1][1])
                    found[(slug, pid)] = Citation(story.slug, comment.id, slug, pid, None, typed, *span, "verbatim")
            k += 1
        cites = list(found.values())
        if any(c.target == story.slug for c in cites):
            cites = [c for c in cites if c.target == story.slug]
        citations.extend(cites)
    if stats is not None:
        stats["comparisons"] = stats.get("comparisons", 0) + comparisons
    return name_quotes(citations, quotes)


def name_quotes(citations: list[Citation], quotes: list[Quote]) -> list[Citation]:
    """Set each citation's ``quote`` to the quotation it falls on (None: none of ``quotes``);
    returns ``citations``. Apart from this, citations do not depend on the quotations, so
    ``quotes.analysis.analyze`` finds them with no quotes, beside the quotation analysis, and names
    the quotes after."""
    quote_index = _quote_index(quotes)
    for c in citations:
        c.quote = _quote_at(quote_index, c.target, c.paragraph, c.start, c.end)
    return citations
