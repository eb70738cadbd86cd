"""Shared wire text: seed gold, synthetic precision/recall, candidate economy, bad input."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import random
import re
from pathlib import Path

import pytest

from newsarchive.analysis import words as word_keys
from newsarchive.analysis.wire import candidates as wire_candidates
from newsarchive.analysis.wire import passages as wire_passages
from newsarchive.analysis.wire import sentences as wire_sentences
from newsarchive.analysis.wire.alignment import align_words
from newsarchive.analysis.wire.model import (
    WireAnalysis,
    WireParams,
    inputs_digest,
    params_from_settings,
    story_from_inputs,
    wire_inputs,
)
from newsarchive.analysis.wire.passages import find_wire_passages, mark_stories, row_words
from newsarchive.analysis.wire.sentences import sentence_spans
from newsarchive.errors import ArchiveError
from newsarchive.formats.story_file import load_story, parse_story
from newsarchive.model.story import Paragraph, Story
from tests.synthetic_wire import evaluate as evaluate_synthetic
from tests.synthetic_wire import make_corpus

ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((ROOT / "tests/gold/seed_wire.json").read_text(encoding="utf-8"))


def make_story(slug: str, *paragraphs: str, day: int = 1) -> Story:
    story = Story(f"content/stories/{slug}.md", slug, slug.replace("-", " ").title(), dt.datetime(2011, 1, day))
    story.paragraphs = [Paragraph(f"p{k}", text, 10 + 2 * k) for k, text in enumerate(paragraphs, start=1)]
    return story


@pytest.fixture(scope="module")
def seeds() -> dict[str, Story]:
    stories = {s.slug: s for s in (load_story(p) for p in sorted((ROOT / "content/stories").glob("*.md")))}
    return {key: stories[slug] for key, slug in GOLD["stories"].items()}


@pytest.fixture(scope="module")
def seed_analysis(seeds):
    return find_wire_passages(list(seeds.values()))


def sentence_at(story: Story, ref: dict) -> tuple[str, tuple[int, int]]:
    """The (paragraph id, sentence span) of the gold sentence that starts with ref['sentence']."""
    text = story.paragraph(ref["paragraph"]).text
    at = text.index(ref["sentence"])
    span = next((s, e) for s, e in sentence_spans(text) if s <= at < e)
    return ref["paragraph"], span


def covers(witness, pid: str, span: tuple[int, int]) -> bool:
    if pid not in witness.spans:
        return False
    start, end = witness.spans[pid]
    return min(end, span[1]) - max(start, span[0]) >= (span[1] - span[0]) / 2


def passages_covering(analysis, story: Story, pid: str, span) -> set[str]:
    return {p.id for p in analysis.passages for w in p.witnesses if w.story == story.slug and covers(w, pid, span)}


# --- the seeds -----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", GOLD["shared"], ids=[e["name"][:40] for e in GOLD["shared"]])
def test_every_gold_seed_passage_is_found_in_both_stories(seeds, seed_analysis, entry):
    ap = passages_covering(seed_analysis, seeds["ap"], *sentence_at(seeds["ap"], entry["ap"]))
    cbs = passages_covering(seed_analysis, seeds["cbs"], *sentence_at(seeds["cbs"], entry["cbs"]))
    assert ap & cbs, f"{entry['name']}: not found as one shared passage"


@pytest.mark.parametrize("entry", GOLD["not_shared"], ids=[e["name"][:40] for e in GOLD["not_shared"]])
def test_sentences_sharing_only_names_do_not_match(seeds, seed_analysis, entry):
    ap = passages_covering(seed_analysis, seeds["ap"], *sentence_at(seeds["ap"], entry["ap"]))
    cbs = passages_covering(seed_analysis, seeds["cbs"], *sentence_at(seeds["cbs"], entry["cbs"]))
    assert not ap & cbs, f"{entry['name']}: falsely matched"


def test_seed_precision_nothing_outside_the_gold_is_marked_as_wire(seeds, seed_analysis):
    gold = {(key, *sentence_at(seeds[key], e[key])) for e in GOLD["shared"] for key in ("ap", "cbs")}
    for key, story in seeds.items():
        for para in story.paragraphs:
            for span in sentence_spans(para.text):
                found = bool(passages_covering(seed_analysis, story, para.id, span))
                assert found == ((key, para.id, span) in gold), f"{key} {para.id} {para.text[span[0] : span[1]][:60]!r}"


def test_seed_passages_are_deduplicated_with_witnesses_as_printed(seeds, seed_analysis):
    assert len(seed_analysis.passages) == 3  # fingerprint+drawn fire run, Heffernan quote, closing line
    for passage in seed_analysis.passages:
        assert re.fullmatch(r"w-[0-9a-f]{8}", passage.id)
        assert sorted(w.story for w in passage.witnesses) == sorted(s.slug for s in seeds.values())
        for w in passage.witnesses:
            story = seeds["ap"] if w.story == seeds["ap"].slug else seeds["cbs"]
            for pid, (start, end) in w.spans.items():
                assert story.paragraph(pid).text[start:end] in w.text  # text as printed, not normalized
            assert 0.5 < w.similarity <= 1.0
    run = next(p for p in seed_analysis.passages if "fingerprint" in p.text)
    assert {w.story: w.paragraphs for w in run.witnesses} == {seeds["cbs"].slug: ["p2", "p3"], seeds["ap"].slug: ["p3"]}
    # the earliest witness (date, then slug: the CBS story) gives the canonical text
    # the CBS story credits The Associated Press, so the AP printing is the source and canonical text
    assert run.witnesses[0].story == seeds["ap"].slug
    assert (
        run.text.startswith("The Immigration and Customs Enforcement program allows")
        and "The state agreed" not in run.text
    )
    cbs_witness = next(w for w in run.witnesses if w.story == seeds["cbs"].slug)
    assert cbs_witness.text.startswith("It allows arrestees’ fingerprint")


def test_seed_share_pairs_and_json(seeds, seed_analysis):
    ap, cbs = seeds["ap"].slug, seeds["cbs"].slug
    assert 0.1 < seed_analysis.share[ap] < seed_analysis.share[cbs] < 0.5  # CBS is shorter: more of it is wire
    assert seed_analysis.shares_with == {ap: [cbs], cbs: [ap]}
    pair = seed_analysis.pair(ap, cbs)
    assert (pair.a, pair.b) == (cbs, ap)
    shared_rows = [(row.a, row.b) for row in pair.rows if row.a and row.b]
    assert shared_rows == [(("p2", "p3"), ("p3",)), (("p8",), ("p5",)), (("p10",), ("p17",))]
    assert "p1" in pair.only_a and "p1" in pair.only_b and "p6" in pair.only_a  # the ledes; CBS's own context
    assert pair.words_only_a > 0 and pair.words_only_b > 0
    shown = [p for row in pair.rows for p in row.a] + [p for row in pair.rows for p in row.b]
    assert sorted(shown) == sorted([p.id for p in seeds["cbs"].paragraphs] + [p.id for p in seeds["ap"].paragraphs])
    ops = row_words(pair.rows[[r.a for r in pair.rows].index(("p10",))], seeds["cbs"], seeds["ap"])
    assert ops == [("equal", seeds["cbs"].paragraph("p10").text, seeds["ap"].paragraph("p17").text)]
    data = json.loads(json.dumps(seed_analysis.to_json()))
    assert set(data) == {"wire"} and len(data["wire"]) == 3
    assert set(data["wire"][0]["witnesses"][0]) == {"story", "paragraphs", "text", "similarity"}


def test_mark_stories_adds_wire_spans_notes_and_share(seeds, seed_analysis):
    stories = list(seeds.values())
    fresh = [load_story(Path(s.path)) for s in stories]
    mark_stories(fresh, seed_analysis)
    cbs = next(s for s in fresh if s.slug == seeds["cbs"].slug)
    assert [sp.kind for sp in cbs.spans["p2"]] == ["wire"]
    assert cbs.spans["p2"][0].href.startswith("wire/w-")
    assert cbs.notes["p2"][0].href == cbs.spans["p2"][0].href
    assert cbs.data["wire_share"] == seed_analysis.share[cbs.slug]


def test_passage_ids_are_stable_across_runs_and_unrelated_additions(seeds, seed_analysis):
    extra = make_story("unrelated-story", "A ferry to the islands resumed service on Tuesday after a winter break.")
    again = find_wire_passages([extra, *seeds.values()])
    assert [p.id for p in again.passages] == [p.id for p in seed_analysis.passages]
    assert again.share["unrelated-story"] == 0.0


# --- alignment for display -----------------------------------------------------------------------


def test_align_words_tolerates_quote_and_punctuation_style_but_returns_text_as_printed():
    a = '"It has become clear," Heffernan said. "We will sign the (agreement) with ICE."'
    b = "“It has become clear. We will sign the MOU with ICE,” Heffernan said in a written statement."
    ops = align_words(a, b)
    assert ops[0] == ("equal", '"It has become clear,"', "“It has become clear.")
    assert ("replace", "(agreement)", "MOU") in ops
    assert {op for op, _, _ in ops} <= {"equal", "insert", "delete", "replace"}
    assert " ".join(x for _, x, _ in ops if x) == a  # each side joins back to the input
    assert " ".join(y for _, _, y in ops if y) == b


def test_align_words_edge_cases():
    assert align_words("", "") == []
    assert align_words("", "new words") == [("insert", "", "new words")]
    assert align_words("old words", "") == [("delete", "old words", "")]
    assert align_words("Arrestees’ prints — checked", "arrestees' prints - checked") == [
        ("equal", "Arrestees’ prints — checked", "arrestees' prints - checked")
    ]


# --- synthetic reprints with known edits ---------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_precision_and_recall(seed):
    corpus = make_corpus(200, seed=seed)
    scores = evaluate_synthetic(corpus, find_wire_passages(corpus.stories))
    assert min(scores.values()) >= 0.95, scores


def test_synthetic_corpus_is_deterministic_and_has_every_edit_kind():
    first, second = make_corpus(60, seed=3), make_corpus(60, seed=3)
    assert [p.text for s in first.stories for p in s.paragraphs] == [
        p.text for s in second.stories for p in s.paragraphs
    ]
    assert [p.text for p in make_corpus(60, seed=4).stories[0].paragraphs] != [
        p.text for p in first.stories[0].paragraphs
    ]
    big = make_corpus(200, seed=0)
    for kind in ("substitute", "delete", "insert", "pronoun", "trim", "split", "merge", "drop", "local", "curly"):
        assert big.edits[kind] > 0, kind
    assert big.gold_sentences() and big.gold_pairs()


def test_candidates_are_found_without_comparing_all_sentence_pairs(monkeypatch):
    corpus = make_corpus(200, seed=5)
    calls = []
    real = wire_passages.aligned_score
    counted = lambda *args: calls.append(1) or real(*args)  # noqa: E731
    monkeypatch.setattr(wire_candidates, "aligned_score", counted)  # sentence pairs
    monkeypatch.setattr(wire_passages, "aligned_score", counted)  # witness scores
    analysis = find_wire_passages(corpus.stories)
    n = sum(len(sentence_spans(p.text)) for s in corpus.stories for p in s.paragraphs)
    assert n > 1000
    assert 0 < analysis.aligner_calls <= len(calls) < (n * n / 2) / 20  # sentence pairs + witness scores


# --- bad input -----------------------------------------------------------------------------------


def test_empty_and_one_sentence_stories_are_handled():
    empty = make_story("empty")
    blank = make_story("blank", "   ", "—")
    one = make_story("one", "Officials closed the bridge.")
    analysis = find_wire_passages([empty, blank, one])
    assert analysis.passages == [] and analysis.pairs == [] and analysis.problems == []
    assert analysis.share == {"empty": 0.0, "blank": 0.0, "one": 0.0}
    assert find_wire_passages([]).to_json() == {"wire": []}


def test_exact_duplicate_stories_are_reported_not_analysed():
    text = "The harbor board voted on Monday to dredge the north channel before the spring fishing season opens."
    first = make_story("first", text, "A second paragraph about the channel depth and the cost of the dredging work.")
    copy = make_story(
        "copy", text.upper(), "A second paragraph about the channel depth and the cost of the dredging work!"
    )
    copy.date = dt.datetime(2011, 1, 2)
    analysis = find_wire_passages([copy, first])
    assert len(analysis.problems) == 1
    problem = analysis.problems[0]
    assert problem.path == copy.path and problem.line == 12 and "duplicate of content/stories/first.md" in str(problem)
    assert analysis.passages == [] and analysis.share["copy"] == 0.0


def test_paragraph_repeated_inside_one_story_counts_as_two_witnesses():
    repeated = "The county assessor said the new valuation rules would raise taxes on waterfront homes by a third."
    story = make_story("repeats", repeated, "Residents packed the hearing on Thursday night.", repeated)
    analysis = find_wire_passages([story])
    [passage] = analysis.passages
    assert [(w.story, w.paragraphs) for w in passage.witnesses] == [("repeats", ["p1"]), ("repeats", ["p3"])]
    assert analysis.pairs == [] and analysis.share["repeats"] > 0.8


def test_a_twenty_thousand_word_paragraph_is_handled():
    rng = random.Random(1)
    vocab = [f"word{k}" for k in range(3000)]
    huge = " ".join(rng.choice(vocab) for _ in range(20_000))
    excerpt = " ".join(huge.split()[5000:5300])
    analysis = find_wire_passages([make_story("huge", huge), make_story("excerpt", "Intro text here.", excerpt, day=2)])
    assert analysis.pairs and analysis.pairs[0].a == "huge"
    assert 0.9 < analysis.share["excerpt"] <= 1.0
    ops = align_words(huge, excerpt)
    assert sum(len(a.split()) for op, a, _ in ops if op == "equal") == 300


# --- parameters ----------------------------------------------------------------------------------


def test_params_take_overrides_from_settings_and_reject_bad_ones():
    assert WireParams(**{"shingle_size": 5, "min_similarity": 0.7}).shingle_size == 5
    assert params_from_settings(None) == WireParams()
    with pytest.raises(ArchiveError, match=r"pelicanconf.py: WIRE_PARAMS: .*unexpected keyword.*shingles"):
        params_from_settings({"shingles": 3})
    with pytest.raises(ArchiveError, match="min_similarity"):
        params_from_settings({"min_similarity": 1.5})
    with pytest.raises(ArchiveError, match="whole number"):
        params_from_settings({"shingle_size": 4.5})


def test_stricter_params_change_the_result(seeds):
    strict = find_wire_passages(list(seeds.values()), WireParams(min_similarity=0.99))
    assert len(strict.passages) < 3


def test_a_credited_printing_is_the_source_and_the_crediting_story_is_based_on_it(seeds, seed_analysis):
    from newsarchive.analysis.wire.passages import based_on, credits

    assert credits(seeds["cbs"], seeds["ap"]) and not credits(seeds["ap"], seeds["cbs"])
    assert all(p.witnesses[0].story == seeds["ap"].slug for p in seed_analysis.passages)
    reprints = based_on(list(seeds.values()), seed_analysis)
    assert reprints[seeds["ap"].slug] == []
    assert sorted(reprints[seeds["cbs"].slug]) == sorted(p.url for p in seed_analysis.passages)


def test_without_credits_the_earliest_printing_is_canonical():
    source = parse_story(
        "Title: A\nDate: 2011-01-01\nPublisher: One\n\n"
        "The county board voted on Tuesday to close three rural libraries by the end of the summer.\n",
        "a.md",
    )
    reprint = parse_story(
        "Title: B\nDate: 2011-01-02\nPublisher: Two\n\n"
        "The county board voted Tuesday to close three rural libraries by the end of summer.\n",
        "b.md",
    )
    analysis = find_wire_passages([reprint, source])
    (passage,) = analysis.passages
    assert passage.witnesses[0].story == "a"


# --- scale: no snowballing passages, linear work -------------------------------------------------


def test_a_sentence_recurring_in_many_stories_is_one_passage_and_near_misses_stay_apart():
    stock = "The harbor commission will meet again next month to review the dredging contract for the north channel."
    near_misses = [  # each shares most words with the stock sentence or with the previous near-miss
        "The harbor commission will meet again next week to review the paving contract for the south road.",
        "The zoning commission will meet again next week to review the paving contract for the south road.",
        "The zoning board will gather again next week to review the paving contract for the south road.",
        "The zoning board will gather again next week to debate the lighting budget for the south road.",
        "The zoning board will gather again on Friday to debate the lighting budget for the east park.",
    ]
    stories = [make_story(f"stock-{k:02d}", f"Unrelated opening number {k} about town {k}.", stock) for k in range(40)]
    stories += [make_story(f"near-{k}", text, day=2) for k, text in enumerate(near_misses)]
    analysis = find_wire_passages(stories)
    stock_passage = next(p for p in analysis.passages if "dredging" in p.text)
    assert sorted(w.story for w in stock_passage.witnesses) == [f"stock-{k:02d}" for k in range(40)]
    assert all(w.similarity == 1.0 for w in stock_passage.witnesses)
    assert max(len(p.witnesses) for p in analysis.passages) == 40
    assert not any("near-4" in p.stories and "stock-00" in p.stories for p in analysis.passages)
    # pairs come from direct matches, capped per sentence: not all 40 * 39 / 2 pairs of stock stories
    assert len(analysis.pairs) <= 40 * WireParams().max_candidates


def test_aligner_calls_grow_about_linearly_with_the_corpus():
    small = find_wire_passages(make_corpus(200, seed=11).stories).aligner_calls
    large = find_wire_passages(make_corpus(400, seed=11).stories).aligner_calls
    assert 0 < small and large / small < 2.5, (small, large)


def test_candidates_per_sentence_are_capped_when_many_sentences_are_alike():
    text = "The river authority approved a new flood wall for the old mill district on Monday."
    stories = [make_story(f"s{k:03d}", text.replace("Monday", f"day {k}")) for k in range(90)]
    tokens = wire_sentences.Tokens()
    sentences = [s for k, st in enumerate(stories) for s in wire_sentences.story_sentences(k, st, 120, tokens)]
    candidates = wire_candidates.candidate_pairs(sentences, WireParams())
    assert 0 < len(candidates) <= 90 * WireParams().max_candidates < 90 * 89 / 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "—",
        "Secure Communities, the program's “fingerprint” check, starts Tuesday.",
        "rock’n’roll O'Neil ｆｕｌｌ-width ﬁne x`y İstanbul ǅemal 3.5 per-cent",
    ],
)
def test_word_count_counts_the_words_that_words_returns(text):
    assert word_keys.word_count(text) == len(word_keys.words(text))


def test_sentences_kept_in_a_memo_give_the_same_analysis(tmp_path):
    from newsarchive.site.analysis_memo import AnalysisMemo

    stories = make_corpus(60, seed=5).stories
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    cold = find_wire_passages(stories, memo=memo).to_json()
    memo.save()
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    assert find_wire_passages(stories, memo=memo).to_json() == cold == find_wire_passages(stories).to_json()
    assert (memo.hits, memo.misses) == (len(stories), 0)


def test_word_ids_kept_from_other_stories_give_the_analysis_a_cold_build_gives(tmp_path):
    """The memo keeps the vocabulary between builds, so a rebuild numbers words otherwise than a
    cold build (words of stories since removed come first, new words last): same passages."""
    from newsarchive.site.analysis_memo import AnalysisMemo

    earlier, stories = make_corpus(40, seed=9).stories, make_corpus(60, seed=5).stories
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    find_wire_passages(earlier + stories[:30], memo=memo)
    memo.save()
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    warm = find_wire_passages(stories, memo=memo)
    assert memo.hits == 30 and warm.passages
    assert warm.to_json() == find_wire_passages(stories).to_json()


def test_a_word_that_normalizes_to_several_stays_one_token():
    """NFKC turns some single characters into words with spaces between them (U+FDFA): still one
    token, as each printed word is."""
    story = make_story("s1", "He wrote \ufdfa twice. Then \ufdfa again.")
    tokens = wire_sentences.Tokens()
    first, second = wire_sentences.story_sentences(0, story, 120, tokens)
    assert len(first.tokens) == 4 and first.tokens[2] == second.tokens[1]
    assert " " in tokens.words[first.tokens[2]]


# --- what the early child of plugins/wire_copy reads and hands back ------------------------------


def test_stories_rebuilt_from_their_wire_inputs_give_the_same_analysis(seeds):
    """wire_inputs holds everything the analysis reads: the early child analyses stories made from
    it alone (no title, no comments), and must find what the build would find."""
    texts = (
        "The county board voted on Tuesday to close three rural libraries by the end of the summer. "
        "Members said the budget left them no other choice this year.",
        "A freight train carrying grain derailed near the river crossing early Sunday, spilling its load "
        "across both tracks. Nobody was hurt, the railroad said.",
        "The state's highest court ruled that the city may not charge fees for public records requests "
        "filed by email. The decision applies to every town.",
    )
    crediting = []  # a later printing is the source only because the earlier one credits it
    for n, field in enumerate(("Credit", "Rights", "Dateline")):
        for day, publisher, line in ((1, "Herald", f"{field}: Wire {n} contributed\n"), (2, f"Wire {n}", "")):
            header = f"Title: {field} {day}\nDate: 2011-01-0{day}\nPublisher: {publisher}\n{line}\n"
            body = texts[n] if day == 1 else texts[n].replace(" the ", " ", 1)  # lightly edited
            crediting.append(parse_story(header + body + "\n", f"{field}-{day}.md"))
    duplicate = make_story("copy", *(p.text for p in seeds["cbs"].paragraphs), day=28)  # a problem, with a line
    stories = make_corpus(120, seed=6).stories + list(seeds.values()) + crediting + [duplicate]
    full = find_wire_passages(stories)
    light = find_wire_passages([story_from_inputs(wire_inputs(s)) for s in stories])
    assert light.to_plain() == full.to_plain() and full.passages and full.pairs and full.problems
    sources = {p.witnesses[0].story for p in full.passages if p.witnesses[0].story.endswith("-2")}
    assert sources == {"credit-2", "rights-2", "dateline-2"}  # credit, rights and dateline were read


def test_the_analysis_comes_back_whole_from_its_plain_form(seeds):
    copy = make_story("copy", *(p.text for p in seeds["cbs"].paragraphs), day=28)
    analysis = find_wire_passages([*seeds.values(), copy])
    again = WireAnalysis.from_plain(marshal.loads(marshal.dumps(analysis.to_plain(), 2)))
    assert again == analysis and analysis.problems and analysis.pairs[0].rows
    assert type(again.pairs[0].rows[0].a) is tuple and type(again.passages[0].witnesses[0].spans) is dict


def test_the_inputs_digest_is_what_the_analysis_reads_not_what_the_build_adds():
    from newsarchive.formats.comment_thread import parse_story_thread
    from newsarchive.model.story import Span
    from newsarchive.site.content_loader import load_content

    def digest(stories):
        return inputs_digest(map(wire_inputs, stories))

    first = load_content(ROOT / "content").stories
    again = load_content(ROOT / "content").stories
    assert digest(first) == digest(list(reversed(again)))  # order of reading does not count
    story = again[0]
    story.comments, story.comment_lines, story.comments_parsed = parse_story_thread(story).comments, [], True
    story.add_span("p1", Span(0, 4, "quote"))
    story.data["wire_share"] = 0.5
    story.title += " (updated)"  # the analysis does not read titles
    assert digest(again) == digest(first)
    story.paragraphs[0].text += " "
    assert digest(again) != digest(first)
    story.paragraphs[0].text = story.paragraphs[0].text[:-1]
    story.credit += " Edited."
    assert digest(again) != digest(first)


def test_sentences_share_one_int_object_per_word_id():
    """Token ids over 256 are objects of their own: one per token took 90 MB at 10,000 stories,
    where one per word of the vocabulary will do."""
    words = [f"word{k}" for k in range(400)]  # ids past the interpreter's cached small ints
    tokens = wire_sentences.Tokens()
    first = make_story("s1", " ".join(words) + ".")
    second = make_story("s2", " ".join(reversed(words)) + ".")
    a = [t for s in wire_sentences.story_sentences(0, first, 1000, tokens) for t in s.tokens]
    b = [t for s in wire_sentences.story_sentences(1, second, 1000, tokens) for t in s.tokens]
    assert sorted(a) == sorted(b) and max(a) > 256
    assert all(x is y for x, y in zip(sorted(a), sorted(b), strict=True))
