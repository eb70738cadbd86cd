"""A saved page's article keeps its structure as the Markdown of the story body
(newsarchive.formats.page_markdown, through html_page.read_page)."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

from newsarchive import cli
from newsarchive.formats.capture_import import import_capture
from newsarchive.formats.html_page import read_page, render_lines
from newsarchive.formats.page_markdown import link_target, markdown_blocks
from newsarchive.formats.story_file import parse_story

HEAD = (
    "<meta charset='utf-8'><title>Lowell council approves budget</title>"
    "<meta property='og:site_name' content='Lowell Sun'>"
    "<meta property='article:published_time' content='2011-06-14T21:05:00-04:00'>"
    "<link rel='canonical' href='https://www.lowellsun.example/2011/06/14/budget/'>"
)
ARTICLE = """
<p>The city council of Lowell voted <strong>seven to two</strong> on Tuesday night to approve a budget of
three hundred million dollars, <a href="/2011/06/13/preview/">as expected</a> by most observers in the city.</p>
<h2>What the budget cuts</h2>
<p>The plan cuts funding for <em>two libraries</em> and <a href="javascript:alert(1)">adds six officers</a> to the
police department, which had asked for ten.</p>
<ul><li>The Pawtucketville branch library closes on Saturdays</li><li>Summer hours end</li>
<li>Two crossing guards are cut from the school budget</li></ul>
<blockquote><p>“We made hard choices, and we made them together,” said Mayor Jane Doe after the vote.</p></blockquote>
<h2>Comments</h2>
<p>Councilor John Roe, who voted against it, said the plan relied on estimates the state had not confirmed
and that <a href="https://state.example/revenue?year=2011&amp;q=(draft)">the state's own figures</a> disagreed.</p>
"""
PAGE = (
    f"<!DOCTYPE html><html lang='en'><head>{HEAD}</head><body><nav><a href='/'>Home</a></nav>"
    f"<main><article><h1>Lowell council approves budget</h1>{ARTICLE}</article></main>"
    "<footer><p>Privacy policy</p></footer></body></html>"
).encode()


@pytest.fixture(scope="module")
def story():
    imported = import_capture(PAGE, "lowell.html")
    return imported.text, parse_story(imported.text, f"stories/{imported.slug}.md")


def test_the_body_keeps_subheads_lists_quotes_links_and_emphasis_as_markdown(story):
    text, _ = story
    assert "voted **seven to two** on Tuesday" in text
    assert "[as expected](https://www.lowellsun.example/2011/06/13/preview/)" in text  # resolved
    assert "## What the budget cuts ##" in text
    assert "- The Pawtucketville branch library closes on Saturdays\n- Summer hours end\n" in text
    assert "> “We made hard choices, and we made them together,” said Mayor Jane Doe after the vote." in text
    assert "*two libraries*" in text


def test_each_top_level_block_is_one_numbered_paragraph_with_its_plain_text(story):
    _, parsed = story
    assert [p.id for p in parsed.paragraphs] == [f"p{n}" for n in range(1, 8)]
    assert [p.html[:4] for p in parsed.paragraphs] == ["<p>T", "<h2>", "<p>T", "<ul>", "<blo", "<h2>", "<p>C"]
    assert parsed.paragraphs[0].text.startswith("The city council of Lowell voted seven to two on Tuesday")
    assert parsed.paragraphs[3].text == (
        "The Pawtucketville branch library closes on Saturdays\nSummer hours end\n"
        "Two crossing guards are cut from the school budget"
    )
    assert parsed.paragraphs[4].text == (
        "“We made hard choices, and we made them together,” said Mayor Jane Doe after the vote."
    )


def test_a_subhead_named_like_a_section_stays_a_subhead_of_the_body(story):
    text, parsed = story
    assert "## Comments ##" in text
    assert parsed.paragraphs[5].text == "Comments"
    assert not parsed.comments


def test_link_targets_stay_inert_and_exact(story):
    text, parsed = story
    assert "javascript" not in text and "adds six officers to the" in text
    assert "(https://state.example/revenue?year=2011&q=%28draft%29)" in text
    html = parsed.paragraphs[6].html
    assert 'href="https://state.example/revenue?year=2011&amp;q=%28draft%29"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


@pytest.mark.parametrize(
    "target, base, expected",
    [
        ("/a/b", "https://x.example/news/", "https://x.example/a/b"),
        ("c d", "https://x.example/news/", "https://x.example/news/c%20d"),
        ("javascript:alert(1)", "https://x.example/", ""),
        ("JavaScript:alert(1)", "", ""),
        ("data:text/html,<script>", "https://x.example/", ""),
        ("#top", "https://x.example/", ""),
        ("/relative", "", ""),
        ("mailto:a@b.example", "", ""),
    ],
)
def test_only_http_addresses_become_links(target, base, expected):
    assert link_target(target, base) == expected


def test_every_rendered_line_is_placed_and_list_items_are_body_lines():
    reading = read_page(PAGE, "lowell.html")
    lines = render_lines(lxml.html.fromstring(PAGE))
    assert [spot.line for spot in reading.places] == list(range(1, len(lines) + 1))
    where = {spot.text: spot.place for spot in reading.places}
    assert where["Summer hours end"] == "body p4"  # a short item is found in its list
    assert where["What the budget cuts"] == "body p2"
    assert where["Comments"] == "body p6"
    assert where["Privacy policy"] == "dropped"


def blocks(xml: str) -> list[list[str]]:
    return markdown_blocks(etree.fromstring(xml), "https://x.example/")


def test_nested_lists_quotes_tables_and_line_breaks():
    assert blocks("<body><list rend='ol'><item>one<list rend='ul'><item>inner</item></list></item>"
                  "<item>two</item></list></body>") == [["1. one", "    - inner", "2. two"]]  # fmt: skip
    assert blocks("<body><quote><p>first</p><p>second</p></quote></body>") == [["> first", ">", "> second"]]
    assert blocks("<body><table><row><cell>City</cell><cell>Votes</cell></row><row><cell>Lowell|East</cell>"
                  "<cell>7</cell></row></table></body>") == [["| City | Votes |", "| --- | --- |", "| Lowell\\|East | 7 |"]]  # fmt: skip
    assert blocks("<body><p>Line one<lb/>line two</p></body>") == [["Line one<br>line two"]]
    assert blocks("<body><list rend='ul'><item>a</item></list><list rend='ul'><item>b</item></list></body>") == [
        ["- a", "- b"]
    ]


def test_text_markdown_would_read_is_escaped_and_emphasis_edges_are_kept_outside_the_marks():
    assert blocks("<body><p>2010. A *star* <hi rend='#b'>bold </hi>end</p></body>") == [
        ["2010\\. A \\*star\\* **bold** end"]
    ]
    assert blocks("<body><p>- not a list &lt;b&gt;</p></body>") == [["\\- not a list &lt;b>"]]
    assert blocks("<body><head rend='h1'>Media</head></body>") == [["## Media ##"]]
    assert blocks("<body><div><p>in a div</p><hi rend='#i'>loose</hi> text</div></body>") == [
        ["in a div"],
        ["*loose* text"],
    ]


def test_lint_captures_checks_the_markup_of_the_body_too(tmp_path, capsys):
    saved = tmp_path / "lowell.html"
    saved.write_bytes(PAGE)
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(saved), "--content", str(content)]) == 0
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 0
    story = content / "stories" / "lowell-council-approves-budget.md"
    story.write_text(story.read_text(encoding="utf-8").replace("**seven to two**", "seven to two"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 1
    assert "body differs from what captures/lowell.html.txt gives from paragraph p1 on" in capsys.readouterr().out


def test_a_quotation_in_a_block_quote_of_the_page_is_found_with_its_speaker(story):
    from newsarchive.analysis.quotes.extraction import extract_quotes

    _, parsed = story
    quotes, _ = extract_quotes(parsed)
    [quote] = quotes
    assert (quote.fragments[0].paragraph, quote.fragments[0].text, quote.speaker_name) == (
        "p5",
        "We made hard choices, and we made them together,",
        "Jane Doe",
    )


def test_lint_captures_accepts_a_page_imported_before_bodies_kept_their_structure(tmp_path, capsys):
    from newsarchive.formats.markdown_body import escape_line

    saved = tmp_path / "lowell.html"
    saved.write_bytes(PAGE)
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(saved), "--content", str(content)]) == 0
    story = content / "stories" / "lowell-council-approves-budget.md"
    text = story.read_text(encoding="utf-8")
    header, _, rest = text.partition("\n\n")
    parsed = parse_story(text, "stories/lowell-council-approves-budget.md")
    plain = [escape_line(line) for p in parsed.paragraphs for line in p.text.splitlines()]  # one paragraph a line
    body_end = rest.index("## Dropped boilerplate")
    story.write_text(header + "\n\n" + "\n\n".join(plain) + "\n\n" + rest[body_end:], encoding="utf-8")
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 0
    story.write_text(story.read_text(encoding="utf-8").replace("seven to two", "7-2"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 1
    assert "body differs" in capsys.readouterr().out
