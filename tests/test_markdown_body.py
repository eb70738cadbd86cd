"""Story bodies are Markdown: blocks, plain text, marks on text nodes, cleaning, escaping captured text."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.errors import ArchiveError
from newsarchive.formats import markdown_body
from newsarchive.formats.capture_import import ArchivistMetadata, import_capture
from newsarchive.formats.markdown_body import escape_line, read_body
from newsarchive.formats.story_file import parse_story
from newsarchive.model.story import Paragraph, Span
from newsarchive.pages.render import block_html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
XSS_PAYLOADS = (FIXTURES / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()


def body(text: str, first_line: int = 1) -> list:
    return read_body(list(enumerate(text.split("\n"), first_line)))


def story(body_text: str) -> object:
    return parse_story(f"Title: T\nDate: 2011-01-02\n\n{body_text}\n", "s.md")


def rendered_text(paragraph: Paragraph, spans=None) -> str:
    """The text a reader sees of a rendered block, as the analyses read it."""
    return BeautifulSoup(str(block_html(paragraph, spans)), "html.parser").get_text()


# --- each construct is one block with its plain text ----------------------------------------------


def test_each_markdown_construct_is_one_block_numbered_in_order():
    s = story(
        "Intro with **bold**, _em_ and a [link](https://example.org/a).\n"
        "A wrapped line.\n\n"
        "## A subhead\n\n"
        "- Great Brook Valley branch\n- Frances Perkins branch\n\n"
        "1. first\n2. second\n\n"
        "> A block quote\n> over two lines.\n\n"
        "| Town | Votes |\n| --- | ---: |\n| Lowell | 7 |\n\n"
        "Plain last paragraph."
    )
    tags = [BeautifulSoup(p.html or "<p></p>", "html.parser").find().name for p in s.paragraphs]
    assert tags == ["p", "h2", "ul", "ol", "blockquote", "table", "p"]
    assert [p.id for p in s.paragraphs] == [f"p{k}" for k in range(1, 8)]
    assert [p.text for p in s.paragraphs] == [
        "Intro with bold, em and a link. A wrapped line.",
        "A subhead",
        "Great Brook Valley branch\nFrances Perkins branch",
        "first\nsecond",
        "A block quote over two lines.",
        "Town\tVotes\nLowell\t7",
        "Plain last paragraph.",
    ]
    assert [p.line for p in s.paragraphs] == [4, 7, 9, 12, 15, 18, 22]
    assert s.paragraphs[-1].html == ""  # a paragraph of text alone renders as it always did
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer">link</a>' in s.paragraphs[0].html


def test_a_plain_paragraph_renders_exactly_as_before():
    p = Paragraph("p1", "AT&T said <no> “yes”", 1)
    spans = [Span(0, 4, "entity", "organizations/att/")]
    assert (
        str(block_html(p, spans))
        == '<p><a class="mark-entity" href="/organizations/att/">AT&amp;T</a> said &lt;no&gt; “yes”</p>'
    )


def test_a_link_or_emphasis_inside_a_quotation_does_not_split_it():
    s = story('"We made *hard* choices [today](https://example.org)," Mayor Jane Doe said.')
    p = s.paragraphs[0]
    assert p.text == '"We made hard choices today," Mayor Jane Doe said.'
    quote = Span(0, p.text.index(",") + 2, "quote", "quotes/q1/")
    html = str(block_html(p, [quote]))
    doc = BeautifulSoup(html, "html.parser")
    assert rendered_text(p, [quote]) == p.text
    # the mark is cut at the elements' edges; inside the story's own link it is no link
    assert "".join(m.get_text() for m in doc.select(".mark-quote")) == p.text[: quote.end]
    assert not doc.select("a a") and doc.select("a > span.mark-quote")
    assert doc.select("em > a.mark-quote")


def test_the_section_names_start_sections_other_subheads_are_the_body():
    s = story("First.\n\n## Background\n\nMore.\n\n## Media ##\n\nStill body.\n\n## Media\n\n- after p2: X reports.")
    assert [p.text for p in s.paragraphs] == ["First.", "Background", "More.", "Media", "Still body."]
    assert [m.after for m in s.media] == ["p2"]


def test_comments_stay_plain_text():
    s = story("Body.\n\n## Comments (1)\n\n  1. **Bold** says:\n\n    A [link](https://x.org) and <b>tag</b>.")
    assert [line for _, line in s.comment_lines if line.strip()][1].strip() == "A [link](https://x.org) and <b>tag</b>."


# --- images ---------------------------------------------------------------------------------------


def test_a_local_image_is_a_figure_published_beside_the_story(tmp_path):
    (tmp_path / "stories").mkdir()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "mill.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "stories" / "x.md").write_text(
        'Title: T\nDate: 2011-01-02\n\n![The old mill](../images/mill.jpg "The mill in 1910")\n\nText.\n'
    )
    s = parse_story((tmp_path / "stories" / "x.md").read_text(), str(tmp_path / "stories" / "x.md"), tmp_path)
    assert s.images == [("images/mill.jpg", "images/mill.jpg")]
    assert s.paragraphs[0].text == "The mill in 1910"
    assert (
        s.paragraphs[0].html
        == '<figure><img alt="The old mill" src="images/mill.jpg"><figcaption>The mill in 1910</figcaption></figure>'
    )


def test_an_image_beside_the_story_file_is_published_beside_the_story(tmp_path):
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "branch.jpg").write_bytes(b"\xff\xd8")
    path = tmp_path / "stories" / "x.md"
    path.write_text("Title: T\nDate: 2011-01-02\n\n![The branch](branch.jpg)\n")
    s = parse_story(path.read_text(), str(path), tmp_path)
    assert s.images == [("stories/branch.jpg", "branch.jpg")]
    assert 'src="branch.jpg"' in s.paragraphs[0].html


def test_a_missing_image_is_an_error_at_its_line(tmp_path):
    (tmp_path / "stories").mkdir()
    path = tmp_path / "stories" / "x.md"
    path.write_text("Title: T\nDate: 2011-01-02\n\nText.\n\n![gone](gone.png)\n")
    with pytest.raises(ArchiveError) as err:
        parse_story(path.read_text(), str(path), tmp_path)
    assert err.value.line == 6 and "no file content/stories/gone.png" in str(err.value)


def test_an_external_image_becomes_a_link():
    p = story("![Map](https://example.org/map.png)").paragraphs[0]
    assert p.text == "Map" and '<a href="https://example.org/map.png"' in p.html and "<img" not in p.html


# --- raw HTML is cleaned --------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_raw_html_in_a_body_keeps_nothing_that_runs(payload):
    for block in body(f"Before.\n\n{payload}\n\nA paragraph with {payload} inside."):
        doc = BeautifulSoup(block.html or "<p></p>", "html.parser")
        for el in doc.find_all(True):
            assert el.name not in ("script", "iframe", "object", "embed", "style", "svg", "math", "meta", "link")
            for name, value in el.attrs.items():
                assert not name.startswith("on") and name != "style", (payload, block.html)
                if name in ("href", "src"):
                    assert not value.strip().lower().startswith(("javascript", "data", "vbscript")), block.html


# --- escaping captured text -----------------------------------------------------------------------

TRICKY = [
    "1. A numbered start",
    "2010. A year and a period",
    "# Not a subhead",
    "> Not a quote",
    "- Not a list",
    "+ Not a list",
    "* Not a list",
    "*not emphasis* and _not_ either",
    "`not code`",
    "<b>not a tag</b> &amp; not an entity &copy;",
    "[not a link](https://example.org)",
    "back\\slash \\* and \\\\",
    "---",
    "===",
    "a | b | c",
    "![not an image](x.png)",
    "<https://not.an.autolink>",
    "tab\there",
]


@pytest.mark.parametrize("line", TRICKY)
def test_an_escaped_line_reads_back_as_typed(line):
    [block] = body(escape_line(line))
    assert block.text == line
    assert rendered_text(Paragraph("p1", block.text, 1, block.html)) == line


def test_escaped_lines_of_one_paragraph_read_back_joined():
    lines = ["First line", "---", "| a | b |", "|---|---|", "=== under"]
    [block] = body("\n".join(map(escape_line, lines)))
    assert block.text == " ".join(lines)


LINE_TEXT = (
    st.text(
        alphabet=st.one_of(
            st.sampled_from(list("#>-+*_`<>&[]()!\\|=:.~ 0123456789aZ\t")),
            st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(LINE_TEXT, min_size=1, max_size=4), min_size=1, max_size=4))
def test_any_escaped_paragraphs_read_back_character_for_character(paragraphs):
    source = "\n\n".join("\n".join(map(escape_line, lines)) for lines in paragraphs)
    blocks = body(source)
    assert [b.text for b in blocks] == [" ".join(lines) for lines in paragraphs]
    for b in blocks:
        assert rendered_text(Paragraph("p", b.text, 1, b.html)) == b.text


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "captures").glob("*.txt")))
def test_every_capture_fixture_imports_to_blocks_equal_to_its_paragraphs(name):
    path = FIXTURES / "captures" / name
    try:
        imported = import_capture(path.read_bytes(), str(path), ArchivistMetadata(title="T", date="2011-01-02"))
    except ArchiveError:
        return  # refused captures are tested in test_capture_import
    parsed = parse_story(imported.text, "s.md")
    assert [p.text for p in parsed.paragraphs] == [" ".join(lines) for lines in imported.reading.paragraphs]


@pytest.mark.parametrize("path", sorted((ROOT / "content" / "stories").glob("*.md")))
def test_the_seed_stories_read_as_markdown_give_the_paragraphs_the_old_format_gave(path):
    """The old format: blank-line separated paragraphs, wrapped lines joined with a space."""
    text = path.read_text(encoding="utf-8")
    body_text = text.split("\n\n", 1)[1].split("\n## ", 1)[0]
    old = [" ".join(line.strip() for line in chunk.splitlines()) for chunk in body_text.split("\n\n") if chunk.strip()]
    s = parse_story(text, str(path))
    assert [p.text for p in s.paragraphs] == old
    assert all(p.html == "" for p in s.paragraphs)


PLAIN_LINE = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PLAIN_LINE, st.just("")), min_size=1, max_size=12))
def test_a_body_of_text_alone_reads_as_markdown_would_read_it(texts):
    lines = list(enumerate(texts, 5))
    if not all(markdown_body._plain_line(text) for _, text in lines):
        return
    fast = [(b.text, b.html) for b in read_body(lines)]
    slow = [(b.text, b.html) for b in markdown_body.read_html(markdown_body._markdown_html("\n".join(texts)), lines)]
    assert fast == slow


def test_a_body_line_that_reads_like_a_section_heading_imports_escaped():
    path = FIXTURES / "captures" / "section_heading_in_body.txt"
    imported = import_capture(path.read_bytes(), str(path), ArchivistMetadata(date="2011-01-02"))
    assert "\n\\## Media\n" in imported.text
    parsed = parse_story(imported.text, "s.md")
    assert [p.text for p in parsed.paragraphs][1] == "## Media" and parsed.media == []
