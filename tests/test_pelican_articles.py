"""Any Pelican article publishes as a story: a plain Pelican Markdown article, a reStructuredText
article, a draft and a hidden story, built beside the seeds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import gates
import pytest
from conftest import copy_project, run_build

from newsarchive.errors import ArchiveError
from newsarchive.formats.story_file import load_story, parse_story
from newsarchive.model.story import NO_PUBLISHER
from newsarchive.site.content_loader import lint_content as lint

PELICAN_MARKDOWN = """\
Title: Library branches to close on Saturdays
Date: 2011-03-02 10:20
Modified: 2011-03-04
Category: Worcester Telegram
Tags: libraries, budget
Authors: Jane Roe, John Poe
Summary: Two branches of the Worcester library will close on Saturdays.

**Worcester** will close two library branches on Saturdays, the [city announcement](https://example.org/news) said.

## Which branches

- Great Brook Valley branch
- Frances Perkins branch

> "We had *no* choice about the branches," the library director Ann Lee said.

| Branch | Hours cut |
| --- | ---: |
| Great Brook Valley | 8 |

![The Frances Perkins branch]({static}/images/branch.gif "The Frances Perkins branch in 2010")

See also [the immigration story]({filename}immigration-check-awaits-mass-arrestees.md).
"""

RST_ARTICLE = """\
Council approves budget
#######################

:date: 2011-06-14 20:00
:modified: 2011-06-15
:category: Lowell Sun
:tags: budget, council
:authors: Sam Smith
:lang: en-US
:summary: The council approved the budget.

LOWELL — The City Council voted *7-2* Tuesday night to approve a `budget <https://example.org/b>`_.

"We made hard choices," Mayor Jane Doe said.

- first item
- second item

.. image:: {static}/images/branch.gif
   :alt: The branch
"""

NO_PUBLISHER_STORY = (
    "Title: Nobody's story\nDate: 2011-01-07\nSlug: nobodys-story\n\nA story that names no publisher.\n"
)


def add_articles(content: Path) -> None:
    (content / "images").mkdir(exist_ok=True)
    (content / "images" / "branch.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    stories = content / "stories"
    (stories / "library-branches.md").write_text(PELICAN_MARKDOWN, encoding="utf-8")
    (stories / "council-budget.rst").write_text(RST_ARTICLE, encoding="utf-8")
    (stories / "a-draft.md").write_text("Title: A draft\nDate: 2011-01-05\nStatus: draft\n\nNot yet.\n")
    (stories / "a-hidden.md").write_text("Title: A hidden one\nDate: 2011-01-06\nStatus: hidden\n\nHidden text.\n")
    (stories / "nobodys-story.md").write_text(NO_PUBLISHER_STORY)


@pytest.fixture(scope="module")
def articles_site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("articles") / "project")
    add_articles(project / "content")
    done = run_build(project / "content", project / "output", env=dict(os.environ, SITEURL=""), cwd=project)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return project / "output"


def page(site: Path, slug: str):
    return gates.soup(site / "stories" / slug / "index.html")


def test_a_plain_pelican_markdown_article_publishes_with_its_metadata(articles_site):
    doc = page(articles_site, "library-branches-to-close-on-saturdays")
    assert doc.select_one(".kicker").get_text() == "Worcester Telegram"  # Category names the publisher
    assert doc.select_one(".byline").get_text() == "By Jane Roe, John Poe"
    assert "Updated" in doc.select_one(".story-header .meta").get_text()
    assert (articles_site / "publishers" / "worcester-telegram" / "index.html").exists()
    assert (articles_site / "tags" / "libraries" / "index.html").exists()
    home = gates.soup(articles_site / "index.html")
    assert "Two branches of the Worcester library will close on Saturdays." in home.get_text()


def test_each_markdown_construct_renders_as_markdown_with_its_anchor(articles_site):
    doc = page(articles_site, "library-branches-to-close-on-saturdays")
    blocks = doc.select(".story-body .para")
    assert [b["id"] for b in blocks] == [f"p{k}" for k in range(1, 8)]
    kinds = [next(c.name for c in b.children if getattr(c, "name", None) and c.name != "a") for b in blocks]
    assert kinds == ["p", "h2", "ul", "blockquote", "table", "figure", "p"]
    assert blocks[0].select_one("p > strong").get_text() == "Worcester"
    assert blocks[0].select_one('p > a[href="https://example.org/news"]').get_text() == "city announcement"
    assert [li.get_text() for li in blocks[2].select("li")] == ["Great Brook Valley branch", "Frances Perkins branch"]
    image = blocks[5].select_one("figure img")
    assert (articles_site / "stories" / "library-branches-to-close-on-saturdays" / image["src"]).is_file()
    assert blocks[5].select_one("figcaption").get_text() == "The Frances Perkins branch in 2010"
    assert blocks[6].select_one("p > a")["href"] == "/stories/immigration-check-awaits-mass-arrestees/"
    # the quotation with an emphasis inside is one quotation, found on the block quote's plain text
    quotes = json.loads((articles_site / "archive.json").read_text(encoding="utf-8"))["quotes"]
    assert any(q["text"].startswith("We had no choice about the branches") for q in quotes)


def test_a_restructuredtext_article_publishes_as_a_story(articles_site):
    """It has a Lang of its own (not the site's DEFAULT_LANG) and is still at /stories/<slug>/."""
    doc = page(articles_site, "council-approves-budget")
    assert doc.select_one("article.story")["lang"] == "en-US"
    assert doc.select_one(".kicker").get_text() == "Lowell Sun"
    assert doc.select_one(".byline").get_text() == "By Sam Smith"
    assert doc.select_one("#p1 em").get_text() == "7-2"
    assert [li.get_text() for li in doc.select("#p3 li")] == ["first item", "second item"]
    assert (articles_site / "stories" / "council-approves-budget" / doc.select_one("#p4 img")["src"]).is_file()
    assert doc.select_one("a.mark-person").get_text() == "Mayor Jane Doe"  # the analyses read it too


def test_drafts_are_not_published_and_hidden_stories_are_not_listed(articles_site):
    assert not (articles_site / "stories" / "a-draft").exists()
    assert not (articles_site / "drafts").exists()
    assert (articles_site / "stories" / "a-hidden-one" / "index.html").exists()
    listings = (articles_site / "index.html").read_text() + (articles_site / "stories" / "index.html").read_text()
    listings += (articles_site / "sitemap.xml").read_text() + (articles_site / "feeds" / "all.atom.xml").read_text()
    assert "a-hidden-one" not in listings and "a-draft" not in listings


def test_a_story_without_publisher_dateline_or_capture_says_so_one_way(articles_site):
    doc = page(articles_site, "nobodys-story")
    text = doc.get_text(" ")
    assert "None" not in text
    assert doc.select_one(".kicker").get_text() == NO_PUBLISHER
    provenance = {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in doc.select(".provenance dt")}
    assert provenance["Publisher"] == provenance["Dateline"] == provenance["Original URL"] == "Not recorded"
    assert provenance["Raw capture"].startswith("Not recorded")
    listing = gates.soup(articles_site / "stories" / "index.html").get_text()
    assert NO_PUBLISHER in listing
    assert (articles_site / "publishers" / "publisher-not-recorded" / "index.html").exists()


def test_the_articles_site_has_no_broken_links(articles_site):
    assert not gates.link_problems(articles_site, "")


def test_lint_accepts_the_articles_and_notes_metadata_it_cannot_use(tmp_path):
    content = copy_project(tmp_path / "project") / "content"
    add_articles(content)
    stories, problems, notes = lint(content)
    assert problems == []
    assert len(stories) == 7
    (content / "stories" / "odd.md").write_text(
        "Title: Odd\nDate: 2011-01-08\nPublisher: A\nCategory: B\nStatus: maybe\nModified: soon\n\nText.\n"
    )
    _, problems, notes = lint(content)
    odd = [str(n) for n in notes if "odd.md" in n.path]
    assert problems == []
    assert any(":4: note: Category 'B' not used" in n for n in odd), odd
    assert any(":5: note: Status 'maybe'" in n for n in odd), odd
    assert any(":6: note: Modified 'soon'" in n for n in odd), odd


@pytest.mark.parametrize(
    "header, byline",
    [
        ("Author: Jane Roe", ["Jane Roe"]),
        ("Authors: Jane Roe, John Poe", ["Jane Roe", "John Poe"]),
        ("Authors: Roe, Jane; Poe, John", ["Roe, Jane", "Poe, John"]),
    ],
)
def test_author_or_authors_is_the_byline(header, byline):
    story = parse_story(f"Title: T\nDate: 2011-01-02\n{header}\n\nText.\n", "s.md")
    assert story.authors == byline


def test_category_is_the_publisher_unless_a_publisher_is_named():
    assert parse_story("Title: T\nDate: 2011-01-02\nCategory: Sun\n\nText.\n", "s.md").publisher == "Sun"
    named = parse_story("Title: T\nDate: 2011-01-02\nCategory: Sun\nPublisher: Star\n\nText.\n", "s.md")
    assert named.publisher == "Star"


def test_an_html_article_reads_as_a_story_and_its_body_is_cleaned(tmp_path):
    (tmp_path / "stories").mkdir()
    path = tmp_path / "stories" / "page.html"
    path.write_text(
        "<html><head><title>An HTML article</title>\n"
        '<meta name="date" content="2011-02-03">\n<meta name="authors" content="Ann Lee">\n</head>\n'
        '<body><p>First <em>paragraph</em>.</p>\n<script>window.__xss=1</script>\n<p onclick="x()">Second.</p>\n'
        "</body></html>\n"
    )
    story = load_story(path, tmp_path)
    assert (story.title, story.date.date().isoformat(), story.authors) == ("An HTML article", "2011-02-03", ["Ann Lee"])
    assert [p.text for p in story.paragraphs] == ["First paragraph.", "Second."]
    assert "script" not in "".join(p.html for p in story.paragraphs) and story.paragraphs[1].html == ""


def test_a_restructuredtext_article_without_a_date_is_a_located_error(tmp_path):
    (tmp_path / "stories").mkdir()
    path = tmp_path / "stories" / "undated.rst"
    path.write_text("Undated\n#######\n\nText.\n")
    with pytest.raises(ArchiveError) as err:
        load_story(path, tmp_path)
    assert err.value.line == 1 and "missing required metadata 'Date'" in str(err.value)
