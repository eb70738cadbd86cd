"""Comments that quote a story are linked to the paragraph (and quotation) they quote."""

from __future__ import annotations

import json
from pathlib import Path

from newsarchive.analysis.comment_citations import find_citations, quoted_passages
from newsarchive.analysis.quotes.analysis import analyze
from newsarchive.formats.story_file import load_story
from newsarchive.model.story import Archive, Comment

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "content" / "stories").glob("*.md"))
FIXTURES = ROOT / "tests" / "fixtures" / "stories"
CBS = "immigration-check-awaits-mass-arrestees"


def comment(cid: str, author: str, *paragraphs: str) -> Comment:
    n = int(cid.split(".")[0])
    return Comment(cid, None, author, list(paragraphs), n, n, 100 + n)


# Seed comments, pasted from the CBS story's thread (18 quotes the story; the others do not).
SEED_COMMENTS = [
    comment(
        "4",
        "Scooby",
        "The caption says Mass State Police will now check….what about local and city Police…I’m sure they won’t be happy for that extra paperwork…but maybe the local and city don’t have to check at all?????",
    ),
    comment(
        "5",
        "DStein",
        "It’s about time!! Looks like Deval Patrick realized this was going to become mandatory anyway. Does this mean the Feds are actually going to put a stop to sanctuary cities? I hope so.",
    ),
    comment(
        "12",
        "Joe",
        "I too found it disturbing that Immigration Checks have not been taking place, especially since 911.",
    ),
    comment("15", "jack1", "IT’S ABOUT TIME!!!!!!!!!!!!!!!!!!!!"),
    comment(
        "18",
        "David P. McConnell",
        "” 75 percent to 78 percent of those being deported are non-criminals.”",
        "Am I the only one here who see’s a problem with this statement? If they are here ILLEGALLY hence illegal immigrants, doesn’t that make them criminal already? Just what is the definition of illegal?",
    ),
]


def seed_archive() -> Archive:
    archive = Archive([load_story(p) for p in SEEDS])
    archive.story(CBS).comments = list(SEED_COMMENTS)
    return archive


def test_comment_18_cites_the_cbs_paragraph_it_quotes():
    gold = json.loads((ROOT / "tests" / "gold" / "seed_quotes.json").read_text(encoding="utf-8"))
    archive = seed_archive()
    analysis = analyze(archive)
    found = [(c.story, c.comment, c.target, c.paragraph, c.quote) for c in analysis.citations]
    expected = [(g["story"], g["comment"], g["target"], g["paragraph"], g["quote"]) for g in gold["citations"]]
    assert found == expected
    cbs = archive.story(CBS)
    assert cbs.comment("18").cites == [{"story": CBS, "paragraph": "p4", "quote": None}]
    assert all(c.cites == [] for c in cbs.comments if c.id != "18")
    citation = analysis.citations[0]
    paragraph = cbs.paragraph("p4").text
    assert (
        paragraph[citation.start : citation.end] == "75 percent to 78 percent of those being deported are non-criminals"
    )
    assert citation.kind == "quoted" and citation.comment_url == f"stories/{CBS}/#comment-18"
    story, pid, note = analysis.citation_notes()[0]
    assert (story, pid, note.text) == (CBS, "p4", "Quoted in comment 18")


def test_stray_closing_mark_opens_the_quoted_passage_in_a_comment():
    text = "” 75 percent to 78 percent of those being deported are non-criminals.”"
    ((start, end),) = quoted_passages(text)
    assert text[start:end].strip() == "75 percent to 78 percent of those being deported are non-criminals."


def fixture_archive(*comments_by_story: tuple[str, list[Comment]]) -> Archive:
    archive = Archive([load_story(p) for p in sorted(FIXTURES.glob("*.md"))])
    for slug, comments in comments_by_story:
        archive.story(slug).comments = comments
    return archive


def test_quoted_comment_links_to_the_quotation_in_its_own_story():
    archive = fixture_archive(
        (
            "harbor-fee-wire",
            [
                comment(
                    "1", "salt", 'Okafor says "nobody gets a free ride on the harbor" but my slip fee went up twice.'
                )
            ],
        )
    )
    analysis = analyze(archive)
    (cite,) = analysis.citations
    okafor = next(q for q in analysis.quotes if q.text.startswith("This fee is how we pay"))
    assert (cite.target, cite.paragraph, cite.quote) == ("harbor-fee-wire", "p2", okafor.id)


def test_comment_quoting_another_story_cites_that_story():
    archive = fixture_archive(
        (
            "harbor-fee-vote",
            [comment("3", "deckhand", 'Whitcomb said it best: "a fee is not a plan, and the boaters know it."')],
        )
    )
    analysis = analyze(archive)
    (cite,) = analysis.citations
    whitcomb = next(q for q in analysis.quotes if "boaters know it" in q.text)
    assert (cite.story, cite.target, cite.paragraph, cite.quote) == (
        "harbor-fee-vote",
        "harbor-fee-wire",
        "p4",
        whitcomb.id,
    )


def test_long_verbatim_run_without_marks_is_a_citation_short_phrases_are_not():
    archive = fixture_archive(
        (
            "school-bus-contract",
            [
                comment(
                    "1",
                    "mom3",
                    "So the MTA will run Riverton's school buses starting in September and nobody asked us?",
                ),
                comment("2", "dad", 'Another "boat tax" in disguise. The district says it saves money.'),
                comment("3", "gran", "Our kids, our buses. The answers were good ones? Hardly."),
            ],
        )
    )
    cites = find_citations(archive.stories, [])
    assert [(c.comment, c.target, c.paragraph, c.kind, c.quote) for c in cites] == [
        ("1", "school-bus-contract", "p1", "verbatim", None)
    ]
    paragraph = archive.story("school-bus-contract").paragraph("p1").text
    assert paragraph[cites[0].start : cites[0].end] == "MTA) will run Riverton's school buses starting in September"


def test_no_comments_no_citations():
    archive = Archive([load_story(p) for p in SEEDS])
    assert analyze(archive).citations == []


def _stock_archive(n: int) -> list:
    """``n`` stories that all print one stock sentence, each with a comment quoting it and one quoting its own
    story's sentence."""
    from newsarchive.formats.story_file import parse_story

    stock = "The council will meet again next month to take up the budget and the harbor fee."
    stories = []
    for i in range(n):
        own = f"Councilor number {i} said the vote on item {i} would come after {i} more hearings."
        text = f"Title: Story {i}\nDate: 2012-01-01\n\n{stock}\n\n{own}\n"
        story = parse_story(text, f"s{i}.md")
        story.comments = [comment("1", "a", f'"{stock}" Again?'), comment("2", "b", f'So "{own}" Really.')]
        stories.append(story)
    return stories


def test_citation_comparisons_grow_linearly_even_for_a_sentence_in_every_story():
    """Guards the scaling without timing: twice the stories, about twice the comparisons."""
    counts = []
    for n in (100, 200):
        stats: dict[str, int] = {}
        stories = _stock_archive(n)
        cites = find_citations(stories, [], stats=stats)
        counts.append(stats["comparisons"])
        # each comment cites its own story only (its own story prints the passage)
        assert sorted((c.story, c.comment, c.target, c.paragraph) for c in cites) == sorted(
            (s.slug, cid, s.slug, pid) for s in stories for cid, pid in (("1", "p1"), ("2", "p2"))
        )
    assert counts[0] > 0 and counts[1] / counts[0] < 2.5


def test_keys_are_the_words_lowered_one_by_one():
    from newsarchive.analysis.comment_citations import WORD_RE, _keys

    for text in ["", "“—”", "Don’t STOP, O’Neil's ΟΔΟΣ ΣΑΣ İstanbul ß ǅ", "the Governor’s ‘plan’ — 100%"]:
        assert _keys(text) == [w.lower().replace("’", "'") for w in WORD_RE.findall(text)], text


def test_citations_found_with_last_builds_runs_equal_a_cold_search(tmp_path):
    """Each story's 4-word runs are kept between builds (a memo): a rebuild that reads them,
    with a story added, finds what a search without them finds."""
    from newsarchive.site.analysis_memo import AnalysisMemo

    stories = _stock_archive(30)
    path = tmp_path / "citation-runs.pickle"
    cold = find_citations(stories[:-1], [])
    first = AnalysisMemo(path)
    assert find_citations(stories[:-1], [], memo=first) == cold
    first.save()
    assert path.is_file()
    memo = AnalysisMemo.load(path)
    assert find_citations(stories, [], memo=memo) == find_citations(stories, [])
    assert (memo.hits, memo.misses) == (29, 1)
    assert len(find_citations(stories, [])) == 2 * 30
