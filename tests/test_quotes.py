"""Quotations: extraction, attribution and cross-story linking measured against hand-written gold."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.analysis.quotes.analysis import analyze
from newsarchive.analysis.quotes.extraction import extract_quotes
from newsarchive.analysis.quotes.model import QuoteOccurrence
from newsarchive.analysis.quotes.printings import printed_text, printings
from newsarchive.analysis.quotes.statements import cross_reference, word_diff
from newsarchive.errors import Problem
from newsarchive.formats.story_file import load_story, parse_story
from newsarchive.model.story import Archive, Paragraph, Story

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"


def load_gold(name: str) -> tuple[dict, list[Story]]:
    gold = json.loads((GOLD / name).read_text(encoding="utf-8"))
    return gold, [load_story(ROOT / path) for path in gold["stories"]]


def relative(stories: list[Story]) -> list[Story]:
    """Story paths as in the gold file (relative to the repository)."""
    for s in stories:
        s.path = str(Path(s.path).relative_to(ROOT))
    return stories


def precision_recall(found: set, expected: set) -> tuple[float, float]:
    hits = len(found & expected)
    return (hits / len(found) if found else 1.0), (hits / len(expected) if expected else 1.0)


def measure(gold: dict, stories: list[Story]) -> dict[str, tuple[float, float]]:
    """Precision and recall of fragments, speakers and cross-story links against ``gold``."""
    analysis = analyze(Archive(stories))
    occurrences = [(q, o) for q in analysis.quotes for o in q.occurrences]
    # fragments by story and text (a multi-paragraph quote's later fragments are in later paragraphs)
    found_texts = {(o.story, f.text) for _, o in occurrences for f in o.fragments}
    gold_texts = {(g["story"], text) for g in gold["quotes"] for text in g["fragments"]}
    found_speakers = {(o.story, o.paragraph, o.speaker) for _, o in occurrences}
    gold_speakers = {(g["story"], g["paragraph"], g["speaker"]) for g in gold["quotes"]}
    found_links = {
        frozenset([(a.story, a.paragraph), (b.story, b.paragraph)])
        for q, a in occurrences
        for b in q.occurrences
        if (a.story, a.paragraph) < (b.story, b.paragraph)
    }
    gold_links = {frozenset((x["story"], x["paragraph"]) for x in pair) for pair in gold["links"]}
    statements = {(o.story, o.paragraph, tuple(f.text for f in o.fragments)) for _, o in occurrences}
    gold_statements = {(g["story"], g["paragraph"], tuple(g["fragments"])) for g in gold["quotes"]}
    return {
        "fragments": precision_recall(found_texts, gold_texts),
        "statements": precision_recall(statements, gold_statements),
        "speakers": precision_recall(found_speakers, gold_speakers),
        "links": precision_recall(found_links, gold_links),
    }


@pytest.mark.parametrize("gold_file", ["seed_quotes.json", "fixture_quotes.json"])
def test_every_quotation_found_with_its_speaker_and_links(gold_file):
    gold, stories = load_gold(gold_file)
    scores = measure(gold, stories)
    assert scores == {name: (1.0, 1.0) for name in scores}, scores


@pytest.mark.parametrize("gold_file", ["seed_quotes.json", "fixture_quotes.json"])
def test_gold_fragments_are_printed_text(gold_file):
    gold, stories = load_gold(gold_file)
    bodies = {s.slug: s.body_text for s in stories}
    for g in gold["quotes"]:
        for text in g["fragments"]:
            assert text in bodies[g["story"]], text


@pytest.mark.parametrize("gold_file", ["seed_quotes.json", "fixture_quotes.json"])
def test_scare_quotes_names_and_editorial_insertions_are_not_statements(gold_file):
    gold, stories = load_gold(gold_file)
    texts = {f.text for s in stories for o in extract_quotes(s)[0] for f in o.fragments}
    assert not texts & set(gold["not_quotes"])


def test_fixture_warnings_name_path_and_line_of_bad_quotes():
    gold, stories = load_gold("fixture_quotes.json")
    analysis = analyze(Archive(relative(stories)))
    where = {f"{p.path}:{p.line}" for p in analysis.problems}
    assert where == set(gold["warnings"])
    unclosed = next(p for p in analysis.problems if "never closed" in p.message)
    assert str(unclosed).startswith("tests/fixtures/stories/school-bus-contract.md:18: ")


def test_seed_statement_printed_twice_is_one_quote_with_marked_variants():
    gold, stories = load_gold("seed_quotes.json")
    quotes = analyze(Archive(stories)).quotes
    shared = [q for q in quotes if len(q.occurrences) > 1]
    assert len(shared) == 1
    quote = shared[0]
    assert quote.speaker == "mary-beth-heffernan"
    # the canonical text is the longest printing: all three sentences, the MOU wording
    assert quote.text.startswith("It has become clear now that this program is going to be mandatory")
    assert "sign the MOU with ICE." in quote.text and quote.text.endswith("concerns that are raised.")
    for variant in gold["variants"]:
        n = next(
            i
            for i, o in enumerate(quote.occurrences)
            if (o.story, o.paragraph) == (variant["story"], variant["paragraph"])
        )
        ops = quote.diffs[n]
        assert [op.text for op in ops if op.op == "insert"] == variant["inserted"]
        assert [op.text for op in ops if op.op == "delete"] == variant["deleted"]
    cbs = next(i for i, o in enumerate(quote.occurrences) if o.story.startswith("immigration"))
    assert all(op.op == "equal" for op in quote.diffs[cbs])


def test_quote_id_is_speaker_slug_and_hash_and_does_not_depend_on_story_order():
    _, stories = load_gold("seed_quotes.json")
    ids = [q.id for q in analyze(Archive(list(stories))).quotes]
    shuffled = list(reversed(stories))
    random.Random(3).shuffle(shuffled)
    assert ids == [q.id for q in analyze(Archive(shuffled)).quotes]
    assert all(re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{8}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    heffernan = next(q for q in analyze(Archive(stories)).quotes if len(q.occurrences) == 2)
    assert heffernan.id.startswith("mary-beth-heffernan-")
    assert heffernan.url == f"quotes/{heffernan.id}/"


def test_to_json_matches_archive_schema():
    _, stories = load_gold("seed_quotes.json")
    data = analyze(Archive(stories)).to_json()
    schema = json.loads((ROOT / "docs" / "archive.schema.json").read_text())
    for key in ("quotes", "people", "organizations"):
        jsonschema.validate(data[key], {"$defs": schema["$defs"], **schema["properties"][key]})
    occurrence = data["quotes"][0]["occurrences"][0]
    assert set(occurrence) == {"story", "paragraph", "text", "url"}
    assert occurrence["url"] == f"stories/{occurrence['story']}/#{occurrence['paragraph']}"


def test_fragment_spans_cover_the_marks_in_the_paragraph():
    _, stories = load_gold("seed_quotes.json")
    analysis = analyze(Archive(stories))
    spans = analysis.quote_spans()
    assert spans
    for slug, pid, span in spans:
        printed = Archive(stories).story(slug).paragraph(pid).text[span.start : span.end]
        assert printed[0] in '"“' and printed[-1] in '"”'
        assert span.kind == "quote" and span.href.startswith("quotes/")


def test_analyze_changes_only_comment_cites():
    _, stories = load_gold("seed_quotes.json")
    archive = Archive(stories)
    before = copy.deepcopy(archive.stories)
    analyze(archive)
    assert archive.stories == before


def test_split_quote_is_one_statement_of_two_fragments():
    story = parse_story(
        'Title: T\nDate: 2012-01-01\n\n"We will build it," Jane Roe said Monday. "And we will pay for it."\n', "t.md"
    )
    (occ,), problems = extract_quotes(story)
    assert [f.text for f in occ.fragments] == ["We will build it,", "And we will pay for it."]
    assert occ.speaker == "jane-roe" and problems == []


def test_stray_closing_mark_keeps_quote_with_unknown_speaker_and_warns():
    story = parse_story("Title: T\nDate: 2012-01-01\n\nThe plan is dead, Jane Roe said.” Nobody disagreed.\n", "t.md")
    (occ,), problems = extract_quotes(story)
    assert occ.speaker is None and occ.text == "The plan is dead, Jane Roe said."
    assert [str(p).split(": ")[0] for p in problems] == ["t.md:4"]


def test_unattributed_sentence_in_quotes_warns():
    story = parse_story(
        "Title: T\nDate: 2012-01-01\n\nThe hall was quiet.\n\n“We have waited long enough for this.”\n", "t.md"
    )
    (occ,), problems = extract_quotes(story)
    assert occ.speaker is None
    assert len(problems) == 1 and problems[0].line == 6 and "no attribution" in problems[0].message


def test_different_speakers_are_not_merged():
    story_a = parse_story('Title: A\nDate: 2012-01-01\n\n"The budget is balanced," Jane Roe said.\n', "a.md")
    story_b = parse_story('Title: B\nDate: 2012-01-02\n\n"The budget is balanced," John Doe said.\n', "b.md")
    quotes = cross_reference(extract_quotes(story_a)[0] + extract_quotes(story_b)[0])
    assert sorted(q.speaker for q in quotes) == ["jane-roe", "john-doe"]


def test_word_diff_marks_insertions_and_deletions():
    ops = word_diff("we will sign the (agreement) with ICE.", "We will sign the MOU with ICE.")
    assert [(o.op, o.text) for o in ops] == [
        ("equal", "we will sign the"),
        ("delete", "MOU"),
        ("insert", "(agreement)"),
        ("equal", "with ICE."),
    ]


def _printings_of(*texts: str):
    """The printings of the one statement the stories with bodies ``texts`` print, by story slug."""
    stories = [
        parse_story(f"Title: {n}\nDate: 2012-01-0{n + 1}\n\n{body}\n", f"s{n}.md") for n, body in enumerate(texts)
    ]
    by_slug = {s.slug: s for s in stories}
    (quote,) = cross_reference([occ for s in stories for occ in extract_quotes(s)[0]])
    return {p.occurrence.story: p for p in printings(quote, lambda slug, pid: by_slug[slug].paragraph(pid).text)}


def test_each_printing_is_shown_exactly_as_printed_with_the_attribution_left_out():
    shown = _printings_of(
        "“We can’t wait for the budget, and we won’t,” Jane Roe said. “It is late.”",
        '"We can\'t wait for the budget," Jane Roe, the mayor, said on Monday. "It is very late."',
    )
    first, second = (shown[slug] for slug in sorted(shown))
    (parts,) = first.paragraphs
    assert [p.text for p in parts] == ["“We can’t wait for the budget, and we won’t,”", "“It is late.”"]
    assert parts[1].left_out == "Jane Roe said."
    assert printed_text(parts) == "“We can’t wait for the budget, and we won’t,” […] “It is late.”"
    assert printed_text(parts, marks=False) == "We can’t wait for the budget, and we won’t, […] It is late."
    (parts,) = second.paragraphs
    assert [p.text for p in parts] == ['"We can\'t wait for the budget,"', '"It is very late."']
    assert parts[1].left_out == "Jane Roe, the mayor, said on Monday."
    assert first.fullest and not second.fullest
    # compared with the fullest, without changing a character of either: the apostrophes and the
    # quotation marks are not differences; the words are
    for part in second.paragraphs[0]:
        assert "".join(text for text, _ in part.pieces) == part.text
    marked = [text for part in second.paragraphs[0] for text, only in part.pieces if only]
    assert marked == ["very"]
    assert second.lacks == ["and we won’t,”"]
    assert all(not only for part in first.paragraphs[0] for _, only in part.pieces)


def test_a_statement_running_into_the_next_paragraph_keeps_its_paragraphs():
    shown = _printings_of("“The plan is good,” Roe said. “It will pass.\n\n“And it will last.”")
    (printing,) = shown.values()
    assert [[p.text for p in parts] for parts in printing.paragraphs] == [
        ["“The plan is good,”", "“It will pass."],
        ["“And it will last.”"],
    ]
    assert printing.paragraphs[1][0].left_out == ""  # nothing printed between the two paragraphs


TOKENS = st.sampled_from(
    [
        '"',
        "“",
        "”",
        "‘",
        "’",
        ",",
        ".",
        ":",
        " ",
        "said",
        "he",
        "she",
        "according to",
        "Gov.",
        "Jane Roe",
        "Roe",
        "the",
        "coalition",
        "Coalition",
        "(ICE)",
        "of",
        "and",
        "'s",
        "told",
        "Department",
        "\u00a0",
        "—",
        "[x]",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.lists(TOKENS, max_size=30).map(" ".join), st.text(max_size=60)), min_size=1, max_size=4))
def test_extract_quotes_never_raises_on_any_paragraph_text(texts):
    paragraphs = [Paragraph(f"p{n + 1}", text, 10 + 2 * n) for n, text in enumerate(texts)]
    story = Story("x.md", "x", "X", dt.datetime(2012, 1, 1), paragraphs=paragraphs)
    occurrences, problems = extract_quotes(story)
    assert all(isinstance(p, Problem) and p.path == "x.md" and p.line in {q.line for q in paragraphs} for p in problems)
    for occ in occurrences:
        for f in occ.fragments:
            assert 0 <= f.start <= f.end <= len(story.paragraph(f.paragraph).text)
    cross_reference(occurrences)


def test_attribution_before_the_quote_with_according_to():
    story = parse_story(
        'Title: T\nDate: 2012-01-01\n\nAccording to Jane Roe, "the tenants were never told about the sale."\n', "t.md"
    )
    (occ,), problems = extract_quotes(story)
    assert (occ.speaker, occ.attribution, problems) == ("jane-roe", "according", [])


def test_unknown_speaker_printing_does_not_join_two_speakers():
    texts = [
        ('"The budget is balanced and the books are closed," Jane Roe said.', "2012-01-01"),
        ('"The budget is balanced and the books are closed."', "2012-01-02"),
        ('"The budget is balanced and the books are closed," John Doe said.', "2012-01-03"),
    ]
    occurrences = []
    for n, (body, date) in enumerate(texts):
        story = parse_story(f"Title: S{n}\nDate: {date}\n\n{body}\n", f"s{n}.md")
        occurrences += extract_quotes(story)[0]
    quotes = cross_reference(occurrences)
    assert sorted(q.speaker for q in quotes) == ["jane-roe", "john-doe"]
    (jane,) = [q for q in quotes if q.speaker == "jane-roe"]
    assert [o.story for o in jane.occurrences] == ["s0", "s1"]


def _generated(n: int, seed: int) -> list[Story]:
    from bench.corpus import Corpus

    corpus = Corpus(n, seed=seed)
    return [parse_story(corpus.story(i)[1], f"seed{seed}/s{i}.md") for i in range(n)]


def _occurrences(stories: list[Story]) -> list[QuoteOccurrence]:
    return [occ for story in stories for occ in extract_quotes(story)[0]]


def _counts(occurrences: list[QuoteOccurrence]) -> dict[str, int]:
    stats: dict[str, int] = {}
    cross_reference(occurrences, stats=stats)
    return stats


def test_cross_reference_candidates_grow_linearly():
    """Guards the scaling without timing: two 200-story archives together (400 stories, the same
    templates and vocabulary) propose about as many pairs as the two apart, not twice as many."""
    one, two = _occurrences(_generated(200, 1)), _occurrences(_generated(200, 2))
    apart = [_counts(one), _counts(two)]
    together = _counts(one + two)
    for key in ("candidates", "comparisons"):
        mean = (apart[0][key] + apart[1][key]) / 2
        assert mean > 0 and together[key] / mean < 2.5, (key, apart, together)


def test_a_sentence_printed_in_every_story_does_not_make_comparisons_quadratic():
    def stories(n: int) -> list[Story]:
        out = []
        for i in range(n):
            body = f'"We have to do better. Clause number {i} stays in the plan for {i} years," Jane Roe said.'
            out.append(parse_story(f"Title: S{i}\nDate: 2012-01-01\n\n{body}\n", f"s{i}.md"))
        return out

    small, large = _counts(_occurrences(stories(150))), _counts(_occurrences(stories(300)))
    assert large["candidates"] / small["candidates"] < 2.5 and large["comparisons"] / small["comparisons"] < 2.5
    # every statement shares one of its two sentences: same speaker, so one quote, as the rule says
    assert len(cross_reference(_occurrences(stories(150)))) == 1


def _candidates_by_the_rule(sentences: list[list[str]]) -> list[list[int]]:
    """The candidate rule of ``cross_reference`` written plainly: each sentence's RAREST rarest
    3-word runs (fewest printings, then alphabetical; none in more than SHINGLE_CAP printings)
    propose the printings sharing MIN_SHARED of the statement's chosen runs (or all of them
    when it has fewer); a sentence printed verbatim proposes its next NEIGHBORS printings."""
    from collections import Counter

    from newsarchive.analysis.quotes import statements

    runs = [[statements._runs(s) for s in sents] for sents in sentences]
    df = Counter(sh for r in runs for sh in set().union(*r))
    found: list[set[int]] = [set() for _ in sentences]
    for n, sents in enumerate(sentences):
        rarest = set()
        for sentence_runs in runs[n]:
            ranked = sorted(sentence_runs, key=lambda sh: (df[sh], sh))[: statements.RAREST]
            rarest |= {sh for sh in ranked if df[sh] <= statements.SHINGLE_CAP}
        needed = min(statements.MIN_SHARED, len(rarest))
        for m in range(len(sentences)):
            if m != n and runs[m]:
                shared = rarest & set().union(*runs[m])
                if shared and len(shared) >= needed:
                    found[min(n, m)].add(max(n, m))
        for sentence in set(sents):
            later = [m for m in range(n + 1, len(sentences)) if sentence in sentences[m]]
            found[n].update(later[: statements.NEIGHBORS])
    return [sorted(f) for f in found]


@pytest.mark.parametrize("cap, rarest, shared", [(100, 4, 2), (2, 1, 2), (3, 2, 3), (100, 1, 3)])
def test_candidates_follow_the_rule(monkeypatch, cap, rarest, shared):
    """The candidate search skips the runs only one printing has: it proposes exactly what the
    rule says, with the module's numbers and with others (fewer rarest runs than needed)."""
    from newsarchive.analysis.quotes import statements

    monkeypatch.setattr(statements, "SHINGLE_CAP", cap)
    monkeypatch.setattr(statements, "RAREST", rarest)
    monkeypatch.setattr(statements, "MIN_SHARED", shared)
    rng = random.Random(cap * 100 + rarest)
    words = "the a of to police said we will not be going back there again today county officials".split()
    for _ in range(150):
        printings = [
            [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(1, 3))]
            for _ in range(rng.randint(1, 30))
        ]
        assert statements._candidates(printings) == _candidates_by_the_rule(printings), printings


def _quotes_of(body: str) -> list[tuple[str, str | None]]:
    """(text, speaker) of each quotation of a one-story archive whose body is ``body``."""
    story = parse_story(f"Title: T\nDate: 2012-01-01\n\n{body}\n", "t.md")
    return [(o.text, o.speaker) for o in extract_quotes(story)[0]]


def test_double_apostrophes_as_news_databases_print_them_are_quotation_marks():
    body = (
        "Mayor Dana Ortiz spoke on Monday.\n\n"
        "''We will not stop,'' Ms. Ortiz said. ''The 'green line' runs on time.''\n\n"
        "She called the plan ''reckless.''"
    )
    assert _quotes_of(body) == [
        ("We will not stop, The 'green line' runs on time.", "dana-ortiz"),
        ("reckless.", "dana-ortiz"),
    ]


@pytest.mark.parametrize(
    "marked",
    ["„Wir schaffen das nicht mehr“", "«Wir schaffen das nicht mehr»", "»Wir schaffen das nicht mehr«"],
)
def test_low_high_marks_and_guillemets_pair_by_shape(marked):
    assert _quotes_of(f"{marked}, said Jane Roe.") == [("Wir schaffen das nicht mehr", "jane-roe")]


def test_short_partial_quotations_in_an_attributed_sentence_are_quotations():
    body = 'Mayor Dana Ortiz said the plan was "reckless" and "unfair." Council member Tom Reyes called it "bold."'
    assert _quotes_of(body) == [("reckless", "dana-ortiz"), ("unfair.", "dana-ortiz"), ("bold.", "tom-reyes")]


def test_quoted_names_titles_and_words_cited_as_words_are_not_quotations():
    body = (
        'Mayor Dana Ortiz said she watched "The Late Show" and "Good Morning Riverton" on Monday. '
        'Critics dubbed the levy the "harbor tax." The phrase "fiscal cliff" was never used.'
    )
    assert _quotes_of(body) == []


def test_markup_addresses_bylines_and_captions_in_quotes_are_not_quotations():
    body = (
        'Watch it at <a href="http://video.example.com">the site</a>. '
        'Her handle is "@janeroe" and the link "example.com/x9".\n\n'
        'MUSEUMS—"Harbor museum to close at the end of May," by the Gazette\'s Tom Reyes: '
        '"The museum, which opened in 1961, will close its doors for good."\n\n'
        "“Stop the tolls now, vote no on the bridge” (2005) — “Our harbor, our money” (2009)."
    )
    assert _quotes_of(body) == []


def test_a_closing_mark_after_a_bidirectional_mark_opens_a_quotation():
    assert _quotes_of("\u202a”We will keep the harbor open,” said Jane Roe.") == [
        ("We will keep the harbor open,", "jane-roe")
    ]


def test_she_said_goes_to_the_woman_named_before_not_the_nearer_man():
    body = (
        "Mayor Dana Ortiz met Mr. Tom Reyes on Monday. She asked about the harbor.\n\n"
        "Mr. Reyes spoke first about the budget.\n\n"
        '"We will not back down," she said.'
    )
    assert _quotes_of(body) == [("We will not back down,", "dana-ortiz")]


def test_a_name_modifying_another_is_not_the_subject():
    body = (
        "Ortiz campaign manager Tom Reyes, a veteran strategist, spoke after Mayor Dana Ortiz left.\n\n"
        '"We expected this," he said.'
    )
    assert _quotes_of(body) == [("We expected this,", "tom-reyes")]


def test_party_and_group_words_are_not_people():
    body = 'The vote split the Democrats. "We lost," Democrats said. "It is over," Jane Roe said.'
    assert _quotes_of(body) == [("We lost,", None), ("It is over,", "jane-roe")]


def test_the_subject_before_a_relative_clause_or_appositive_speaks():
    body = (
        'Jane Roe, who met Tom Reyes after the count, told volunteers, "We will be back next year." '
        '"We lost," Ana Ruiz, an aide to Mayor Dana Ortiz, said.'
    )
    assert _quotes_of(body) == [("We will be back next year.", "jane-roe"), ("We lost,", "ana-ruiz")]


def test_more_reporting_verbs_and_names_with_a_first_initial():
    body = (
        'Jane Roe proclaimed at the town hall, "The harbor stays open." '
        '"And it will," Roe went on. "It is settled," J. Gerald Hobart said.'
    )
    assert _quotes_of(body) == [
        ("The harbor stays open.", "jane-roe"),
        ("And it will,", "jane-roe"),
        ("It is settled,", "j-gerald-hobart"),
    ]


def test_titles_across_the_archive_give_a_person_a_gender():
    from newsarchive.analysis.entities.find import find_entities

    other = parse_story(
        "Title: O\nDate: 2012-01-01\n\nMs. Dana Ortiz and Mr. Tom Reyes voted. Ms. Ortiz left, Mr. Reyes stayed.\n",
        "o.md",
    )
    story = parse_story(
        "Title: T\nDate: 2012-01-02\n\nDana Ortiz met Tom Reyes and Mark Hale.\n\n"
        "Tom Reyes said little.\n\n"
        '"We will win," she said.\n',
        "t.md",
    )
    index = find_entities([other, story])
    assert [o.speaker for o in extract_quotes(story, index)[0]] == ["dana-ortiz"]


def test_a_clause_ending_in_a_colon_introduces_the_next_quotation():
    body = 'At the town hall, Jane Roe proclaimed, "The harbor stays open." The mayor added: "We will pay for it."'
    assert [speaker for _, speaker in _quotes_of(body)] == ["jane-roe"]


def test_a_day_or_a_passive_clause_after_a_quotation_is_not_its_attribution():
    body = 'Mayor Jane Roe called the plan a "fine start" Monday, a day after the clerk was charged with fraud.'
    assert _quotes_of(body) == [("fine start", "jane-roe")]


def test_the_one_spoken_to_is_not_the_subject_and_a_quoted_clause_may_run_on():
    body = (
        'Mayor Jane Roe spoke to reporters. "We will win," she told Channel Five. '
        '"The cost comes from" the fees, she said, not from the rates.'
    )
    assert _quotes_of(body) == [
        ("We will win,", "jane-roe"),
        ("The cost comes from", "jane-roe"),
    ]


def test_a_pronoun_that_opens_the_clause_is_its_subject():
    body = (
        "Rev. Tom Reyes spoke Monday.\n\n"
        'Last spring, he endorsed Mayor Dana Ortiz over Jane Roe and said, "Roe never fixed the pier."\n\n'
        'Driving back, he told his wife, Ana Reyes, that the count would be "a long night."'
    )
    assert [speaker for _, speaker in _quotes_of(body)] == ["tom-reyes", "tom-reyes"]


def test_a_link_is_no_quotation_even_after_a_speech_verb():
    body = 'According to the Gazette, "http://example.com/story" has it. Jane Roe wrote, "@janeroe_news".'
    assert _quotes_of(body) == []


def _speakers_of(body: str) -> list[tuple[str, str | None, str | None]]:
    """(text, speaker, speaker kind) of each quotation of a one-story archive whose body is ``body``."""
    story = parse_story(f"Title: T\nDate: 2012-01-01\n\n{body}\n", "t.md")
    return [(o.text, o.speaker, o.speaker_kind) for o in extract_quotes(story)[0]]


def test_an_organization_that_speaks_is_the_speaker():
    body = (
        "The American Civil Liberties Union (ACLU) sued the county in May.\n\n"
        "“The county cannot jail people for being poor,” the ACLU said in a statement.\n\n"
        "The Harbor Boaters Association met on Monday.\n\n"
        "A spokesman for the Harbor Boaters Association said the group was “disappointed by the vote.”"
    )
    assert _speakers_of(body) == [
        ("The county cannot jail people for being poor,", "american-civil-liberties-union", "organization"),
        ("disappointed by the vote.", "harbor-boaters-association", "organization"),
    ]


def test_a_person_named_in_the_attribution_speaks_before_the_organization():
    body = (
        "The Harbor Boaters Association met on Monday.\n\n"
        "“We lost this round,” said Dana Ortiz, president of the Harbor Boaters Association."
    )
    assert _speakers_of(body) == [("We lost this round,", "dana-ortiz", "person")]


def test_an_organization_spoken_to_or_about_is_not_the_speaker():
    body = (
        "The Harbor Boaters Association met on Monday.\n\n"
        "The plan, backed by the Harbor Boaters Association, was called “a giveaway to the marinas.”\n\n"
        "“We will appeal the ruling,” someone told the Harbor Boaters Association."
    )
    assert [speaker for _, speaker, _ in _speakers_of(body)] == [None, None]


def test_quotation_json_names_the_kind_of_its_speaker():
    story = parse_story(
        "Title: T\nDate: 2012-01-01\n\nThe Harbor Boaters Association (HBA) met.\n\n"
        "“We will appeal,” the HBA said.\n\n“The fee is fair,” Mayor Dana Ortiz said.\n",
        "t.md",
    )
    quotes = analyze(Archive([story])).to_json()["quotes"]
    assert [(q["speaker"], q["speaker_kind"]) for q in quotes] == [
        ("harbor-boaters-association", "organization"),
        ("dana-ortiz", "person"),
    ]


def test_an_opening_mark_typed_where_the_closing_one_belongs_closes_the_quotation():
    body = "“The pier can wait until spring,“ said Mayor Dana Ortiz, who chairs the board."
    assert _quotes_of(body) == [("The pier can wait until spring,", "dana-ortiz")]


def test_one_word_after_a_quotation_and_before_its_verb_names_the_speaker():
    body = (
        '"I am calling from the campaign. How are you today?" Ruiz, who retired from the plant, said into the phone.\n\n'
        '"We are talking with supporters like you."'
    )
    assert _quotes_of(body) == [
        ("I am calling from the campaign. How are you today?", "ruiz"),
        ("We are talking with supporters like you.", "ruiz"),
    ]
