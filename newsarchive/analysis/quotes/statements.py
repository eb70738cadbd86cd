"""One statement, several printings: :func:`cross_reference` merges the printings of the same
statement across stories into one :class:`~newsarchive.analysis.quotes.model.Quote`, with a
canonical text and a word-level difference of each printing against it (:func:`word_diff`). Only
printings that share rare 3-word runs or a whole sentence are compared, so the cost grows linearly
with the archive.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections import Counter
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from newsarchive.analysis.quotes.model import DiffOp, Quote, QuoteOccurrence
from newsarchive.analysis.quotes.sentences import _word_count, _word_key, normalize

SENTENCE_MATCH = 85  # rapidfuzz ratio at which two normalized sentences are the same sentence
RAREST = 4  # each sentence proposes the printings that share its rarest this many 3-word runs ...
MIN_SHARED = 2  # ... at least this many of them (of the whole statement)
SHINGLE_CAP = 100  # a 3-word run in more printings than this is too common to propose them for comparison
NEIGHBORS = 8  # a sentence printed verbatim in many statements: each is compared with its next this many


def _sentence_match(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if fuzz.ratio(a, b) >= SENTENCE_MATCH:
        return True
    return min(len(a.split()), len(b.split())) >= 6 and fuzz.token_set_ratio(a, b) >= 95


def _same_statement(a: list[str], b: list[str]) -> bool:
    """At least half of the shorter printing's sentences are in the other."""
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    matched = sum(1 for s in shorter if any(_sentence_match(s, t) for t in longer))
    return matched > 0 and 2 * matched >= len(shorter)


def _runs(sentence: str) -> set[str]:
    """The 3-word runs of one sentence (a shorter sentence is one run)."""
    words = sentence.split()
    if len(words) < 3:
        return {" ".join(words)}
    return set(map(" ".join, zip(words, words[1:], words[2:], strict=False)))


def _merge_sentences(base: list[str], others: list[list[str]]) -> list[str]:
    """The base printing's sentences, with sentences only other printings carry put in their place."""
    merged = list(base)
    if not others:  # a statement printed once
        return merged
    keys = [normalize(t) for t in merged]
    for sentences in others:
        pos = -1
        for s in sentences:
            key = normalize(s)
            hit = next((j for j, t in enumerate(keys) if _sentence_match(key, t)), None)
            if hit is not None:
                pos = hit
            else:
                merged.insert(pos + 1, s)
                keys.insert(pos + 1, key)
                pos += 1
    return merged


def word_diff(printed: str, canonical: str) -> list[DiffOp]:
    """Word-level difference of one printing against the canonical text (case, marks and punctuation ignored)."""
    a, b = printed.split(), canonical.split()
    ops: list[DiffOp] = []

    def emit(op: str, words: list[str]) -> None:
        if not words:
            return
        if ops and ops[-1].op == op:
            ops[-1].text += " " + " ".join(words)
        else:
            ops.append(DiffOp(op, " ".join(words)))

    keys_a, keys_b = [_word_key(w) for w in a], [_word_key(w) for w in b]
    if keys_a == keys_b:  # what SequenceMatcher would say, without building it
        emit("equal", a)
        return ops
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            emit("equal", a[i1:i2])
        else:
            emit("delete", b[j1:j2])
            emit("insert", a[i1:i2])
    return ops


def _quote_id(speaker: str | None, first_sentence: str, taken: set[str]) -> str:
    digest = hashlib.sha1(normalize(first_sentence).encode()).hexdigest()[:8]
    base = f"{speaker or 'unknown'}-{digest}"
    qid, n = base, 2
    while qid in taken:
        qid, n = f"{base}-{n}", n + 1
    taken.add(qid)
    return qid


def _candidates(sentences: list[list[str]]) -> list[list[int]]:
    """For each printing, the later printings worth comparing with it (see :func:`cross_reference`)."""
    runs = [[_runs(sentence) for sentence in sents] for sents in sentences]
    printing_runs = [set().union(*r) for r in runs]
    df = Counter(itertools.chain.from_iterable(printing_runs))  # the number of printings with each run
    shared = {sh for sh, count in df.items() if count > 1}  # the others are in one printing only
    by_shingle: dict[str, list[int]] = {}  # the printings with each shared run
    by_sentence: dict[str, list[int]] = {}
    for n, sents in enumerate(sentences):
        for sh in printing_runs[n] & shared:
            by_shingle.setdefault(sh, []).append(n)
        for sentence in set(sents):
            by_sentence.setdefault(sentence, []).append(n)
    found: list[set[int]] = [set() for _ in sentences]
    for n, sents in enumerate(sentences):
        rarest = _rarest_shared(runs[n], df, shared)
        if rarest:  # most printings share no rare run
            proposed = [m for sh in rarest[0] for m in by_shingle[sh] if m != n]
            needed = min(MIN_SHARED, rarest[1])
            for m, count in Counter(proposed).items():
                if count >= needed:
                    found[min(n, m)].add(max(n, m))
        for sentence in set(sents):  # a sentence printed verbatim: its next few printings, however common it is
            posting = by_sentence[sentence]
            k = bisect.bisect_right(posting, n)
            found[n].update(posting[k : k + NEIGHBORS])
    return [sorted(f) for f in found]


def _rarest_shared(runs: list[set[str]], df: Counter, shared: set[str]) -> tuple[set[str], int] | None:
    """Of the ``RAREST`` rarest runs of each sentence of a printing (fewest printings, then
    alphabetical; none in more than ``SHINGLE_CAP``), those other printings have too; and a
    count of all of them that gives :func:`_candidates` the same ``min(MIN_SHARED, count)``.
    None when no other printing has one.

    A run only this printing has comes before every shared run, so a sentence with ``RAREST``
    of them proposes nothing, and only shared runs need sorting (most are not). Such runs still count, but no other printing can have them: with
    one among the chosen, another printing shares fewer than the count, and only ``MIN_SHARED``
    decides. So the count is the shared runs chosen, plus one when there is such a run."""
    chosen: set[str] = set()
    alone = False  # a run only this printing has is among the rarest
    for sentence_runs in runs:
        common = sentence_runs & shared
        room = RAREST - (len(sentence_runs) - len(common))
        alone = alone or len(common) < len(sentence_runs)
        if room > 0:
            ranked = sorted([(df[sh], sh) for sh in common])[:room]  # tuples compare in C: no key function
            chosen.update(sh for count, sh in ranked if count <= SHINGLE_CAP)
    return (chosen, len(chosen) + alone) if chosen else None


def cross_reference(
    occurrences: list[QuoteOccurrence],
    stats: dict[str, int] | None = None,
    sentences: list[tuple[list[str], list[str]]] | None = None,
) -> list[Quote]:
    """Merge printings of the same statement into one :class:`Quote` each.

    Two occurrences are one statement when their speakers agree (or one is unknown) and at least
    half of the shorter one's sentences match sentences of the other (normalized: bracketed
    insertions, quote marks, punctuation and case ignored; rapidfuzz ratio >= 85). A statement
    never gets two known speakers: an unknown-speaker printing joins one statement, not two.
    Only printings that share ``MIN_SHARED`` of the ``RAREST`` rarest 3-word runs of each sentence
    of either (a run in more than ``SHINGLE_CAP`` printings proposes none), or the same normalized sentence
    (the next ``NEIGHBORS`` printings of it), are compared, so the cost grows linearly with the
    archive. The canonical text is the longest printing with sentences
    only other printings have merged in. Quotes come in the order of their earliest occurrence
    (story date, slug, paragraph). ``stats``, when given, receives the numbers of ``candidates``
    (pairs proposed) and ``comparisons`` (pairs compared: the others were already one quote or had
    two speakers). ``sentences``, when given, holds each occurrence's ``sentences()`` and their
    :func:`normalize` forms (the analysis memo keeps them).
    """
    order = sorted(range(len(occurrences)), key=lambda n: occurrences[n].sort_key)
    occs = [occurrences[n] for n in order]
    if sentences is None:
        sentences = [(printed, [normalize(s) for s in printed]) for printed in (o.sentences() for o in occurrences)]
    printed = [sentences[n][0] for n in order]  # each is used up to three times
    sentences = [sentences[n][1] for n in order]
    parent = list(range(len(occs)))
    speaker = [o.speaker_key for o in occs]  # the known speaker of each group, at its root

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    comparisons = 0
    proposed = _candidates(sentences)
    for n, candidates in enumerate(proposed):
        for m in candidates:
            a, b = find(n), find(m)
            if a == b or (speaker[a] and speaker[b] and speaker[a] != speaker[b]):
                continue
            comparisons += 1
            if _same_statement(sentences[n], sentences[m]):
                parent[b] = a
                speaker[a] = speaker[a] or speaker[b]
    if stats is not None:
        stats["candidates"] = stats.get("candidates", 0) + sum(len(c) for c in proposed)
        stats["comparisons"] = stats.get("comparisons", 0) + comparisons
    groups: dict[int, list[int]] = {}
    for n in range(len(occs)):
        groups.setdefault(find(n), []).append(n)
    quotes: list[Quote] = []
    taken: set[str] = set()
    for members in sorted(groups.values(), key=lambda g: g[0]):
        group = [occs[n] for n in members]
        base = max(members, key=lambda n: (_word_count(occs[n].text), -members.index(n)))
        merged = _merge_sentences(printed[base], [printed[n] for n in members if n != base])
        canonical = " ".join(merged)
        speakers = Counter(o.speaker_key for o in group if o.speaker)
        kind, speaker = speakers.most_common(1)[0][0] if speakers else (None, None)
        first = (printed[members[0]] or [group[0].text])[0]
        quote = Quote(_quote_id(speaker, first, taken), speaker, canonical, group, speaker_kind=kind)
        quote.diffs = [word_diff(o.text, canonical) for o in group]
        quote.fullest = members.index(base)
        quotes.append(quote)
    return quotes
