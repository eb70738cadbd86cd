"""Step 4 of the wire analysis, and the whole pipeline: matches become runs, runs printing the
same sentences become one passage with a witness per printing; story pairs; marks on stories."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from newsarchive.analysis.memo import Memo
from newsarchive.analysis.wire.alignment import align_words, aligned_score
from newsarchive.analysis.wire.candidates import Prefixes, UnionFind, distinct_sorted, match_sentences
from newsarchive.analysis.wire.model import PairRow, StoryPair, WireAnalysis, WireParams, WirePassage, Witness
from newsarchive.analysis.wire.sentences import Sentence, Tokens, story_sentences
from newsarchive.errors import Problem
from newsarchive.model.story import Note, Span, Story


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
        uf = UnionFind(len(pair_matches))
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
    tokens = Tokens.kept_in(memo) if memo is not None else Tokens()
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
    prefix = Prefixes(sentences, _idf(sentences, len(tokens.words)))
    matches, calls = match_sentences(sentences, params, texts, prefix, tokens.word_hashes())
    runs = _runs(matches, sentences, params.single_match_similarity)
    segments = _segments(runs)
    run_segments = [(_segment_of(segments, run.x[0]), _segment_of(segments, run.y[0])) for run in runs]

    def segment_tokens(k: int) -> list[int]:
        return [t for s in sentences[segments[k][0] : segments[k][1] + 1] for t in s.tokens]

    def similar(k: int, centre: int) -> bool:
        nonlocal calls
        calls += 1
        a, b = segment_tokens(k), segment_tokens(centre)
        similarity, aligned = aligned_score(a, b, prefix.of(a), prefix.of(b), params.gap_penalty)
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
            score = aligned_score(t, toks[source], prefix.of(t), canonical, params.gap_penalty)[0]
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
    keys.sort()  # in place, and no other array as long: one key per token of the archive
    df = np.bincount(distinct_sorted(keys) % size, minlength=vocabulary)
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
    uf = UnionFind(na + len(b.paragraphs))
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
