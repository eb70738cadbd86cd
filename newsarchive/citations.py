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
A citation names the quotation it falls on (a :class:`~newsarchive.quotes.Quote` id) or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from .story import STORY_URL, Story

if TYPE_CHECKING:
    from .quotes import Quote

MIN_QUOTED_WORDS = 5
MIN_RUN_WORDS = 8
MIN_SCORE = 90.0
SHINGLE = 4
QUOTE_MARKS = '"“”„«»'
WORD_RE = re.compile(r"[\w]+(?:['’][\w]+)*")


@dataclass
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


def _words(text: str) -> _Words:
    found = list(WORD_RE.finditer(text))
    return _Words([m.group().lower().replace("’", "'") for m in found], [m.span() for m in found])


def quoted_passages(text: str) -> list[tuple[int, int]]:
    """Character spans of the text between quotation marks, paired in order whatever their shape."""
    marks = [i for i, ch in enumerate(text) if ch in QUOTE_MARKS]
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


def _shingles(keys: list[str]) -> set[tuple[str, ...]]:
    return {tuple(keys[i : i + SHINGLE]) for i in range(len(keys) - SHINGLE + 1)}


def _quote_at(quotes: list[Quote], story: str, pid: str, start: int, end: int) -> str | None:
    for q in quotes:
        for occ in q.occurrences:
            if occ.story != story:
                continue
            for frag in occ.fragments:
                if frag.paragraph == pid and frag.start < end and start < frag.end:
                    return q.id
    return None


def find_citations(stories: list[Story], quotes: list[Quote]) -> list[Citation]:
    """Every (comment, story paragraph) pair where a comment quotes or nearly repeats a paragraph.

    Reads ``story.comments`` (already parsed); changes nothing.
    """
    paragraphs = [(s.slug, p.id, p.text, _words(p.text)) for s in stories for p in s.paragraphs]
    by_shingle: dict[tuple[str, ...], set[int]] = {}
    for n, (_, _, _, words) in enumerate(paragraphs):
        for sh in _shingles(words.keys):
            by_shingle.setdefault(sh, set()).add(n)
    citations: list[Citation] = []
    for story in stories:
        for comment in story.comments:
            found: dict[tuple[str, str], Citation] = {}
            for text in comment.paragraphs:
                for start, end in quoted_passages(text):
                    passage = text[start:end].strip()
                    candidates = set().union(*(by_shingle.get(sh, set()) for sh in _shingles(_words(passage).keys)))
                    for n in sorted(candidates):
                        slug, pid, ptext, _ = paragraphs[n]
                        span = _quoted_match(passage, ptext)
                        if span:
                            found.setdefault(
                                (slug, pid), Citation(story.slug, comment.id, slug, pid, None, passage, *span, "quoted")
                            )
                words = _words(text)
                candidates = set().union(*(by_shingle.get(sh, set()) for sh in _shingles(words.keys)))
                for n in sorted(candidates):
                    slug, pid, ptext, pwords = paragraphs[n]
                    run = _verbatim_run(words, pwords)
                    if run and (slug, pid) not in found:
                        a0, a1, b0, b1 = run
                        typed = text[words.spans[a0][0] : words.spans[a1 - 1][1]]
                        span = (pwords.spans[b0][0], pwords.spans[b1 - 1][1])
                        found[(slug, pid)] = Citation(story.slug, comment.id, slug, pid, None, typed, *span, "verbatim")
            cites = list(found.values())
            if any(c.target == story.slug for c in cites):
                cites = [c for c in cites if c.target == story.slug]
            for c in cites:
                c.quote = _quote_at(quotes, c.target, c.paragraph, c.start, c.end)
            citations.extend(cites)
    return citations
