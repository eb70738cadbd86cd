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
from collections.abc import Iterator
from dataclasses import dataclass, field
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


def _windows(keys: list[str]) -> Iterator[tuple[str, ...]]:
    """The ``SHINGLE``-word runs of ``keys``, in order."""
    return zip(*(keys[i:] for i in range(SHINGLE)), strict=False)


def _shingles(keys: list[str]) -> set[tuple[str, ...]]:
    return set(_windows(keys))


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


def _probes(stories: list[Story]) -> list[_Probe]:
    """Every probe of every comment, in the order the citations are looked for."""
    out = []
    for si, story in enumerate(stories):
        for ci, comment in enumerate(story.comments):
            for text in comment.paragraphs:
                for start, end in quoted_passages(text):
                    out.append(_Probe(si, ci, text, text[start:end].strip()))
                out.append(_Probe(si, ci, text, None))
    return out


def _find_candidates(stories: list[Story], probes: list[_Probe]) -> list[tuple[int, int]]:
    """Fill each probe's ``candidates`` (global paragraph numbers); return (story, paragraph) of each number.

    The comments' 4-word runs are indexed (not the stories': they are far more numerous), then the
    story paragraphs are read once. A run found in more than ``SHINGLE_CAP`` paragraphs proposes
    only paragraphs of the comment's own story, so a stock phrase costs nothing.
    """
    by_shingle: dict[tuple[str, ...], list[int]] = {}
    for k, probe in enumerate(probes):
        for sh in _shingles(_keys(probe.passage if probe.passage is not None else probe.text)):
            by_shingle.setdefault(sh, []).append(k)
    places: list[tuple[int, int]] = []
    hits: list[tuple[int, int, set[tuple[str, ...]]]] = []  # (paragraph number, story, shared runs)
    df: dict[tuple[str, ...], int] = {}
    for si, story in enumerate(stories):
        for pi, para in enumerate(story.paragraphs):
            keys = _keys(para.text)
            if not by_shingle.keys().isdisjoint(_windows(keys)):  # most share none: no need for their set
                shared = by_shingle.keys() & _shingles(keys)
                for sh in shared:
                    df[sh] = df.get(sh, 0) + 1
                hits.append((len(places), si, shared))
            places.append((si, pi))
    for n, si, shared in hits:
        found: set[int] = set()
        for sh in shared:
            common = df[sh] > SHINGLE_CAP
            found.update(k for k in by_shingle[sh] if not common or probes[k].story == si)
        for k in found:
            probes[k].candidates.append(n)  # hits are in paragraph order, so candidates stay sorted
    return places


def find_citations(stories: list[Story], quotes: list[Quote], stats: dict[str, int] | None = None) -> list[Citation]:
    """Every (comment, story paragraph) pair where a comment quotes or nearly repeats a paragraph.

    Reads ``story.comments`` (already parsed); changes nothing. Only paragraphs sharing a 4-word
    run with the comment are compared (see :func:`_find_candidates`); ``stats``, when given,
    receives the number of ``comparisons``.
    """
    probes = _probes(stories)
    places = _find_candidates(stories, probes)
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
    ``quotes.analyze`` finds them with no quotes, beside the quotation analysis, and names
    the quotes after."""
    quote_index = _quote_index(quotes)
    for c in citations:
        c.quote = _quote_at(quote_index, c.target, c.paragraph, c.start, c.end)
    return citations
