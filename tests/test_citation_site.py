"""The built site's citations: what Zotero and Google Scholar read from each story and quotation
page, and the downloads beside each story."""

from __future__ import annotations

import json
import os
import re

import gates
import pytest
from bs4 import BeautifulSoup
from conftest import copy_project, run_build

from tests.test_citation_formats import bibtex_fields, ris_records

HIGHWIRE_DATE = re.compile(r"\d{4}/\d{2}/\d{2}")


def highwire(page) -> dict[str, list[str]]:
    """The ``citation_*`` meta tags of a page as Zotero's Embedded Metadata translator reads them:
    every ``meta[name^=citation_]`` in the document, names lowercased, values in order."""
    doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    tags: dict[str, list[str]] = {}
    for meta in doc.select("meta[name]"):
        name = meta["name"].lower()
        if name.startswith("citation_"):
            tags.setdefault(name, []).append(meta.get("content", ""))
    return tags


def story_pages(site):
    pages = sorted((site / "stories").glob("*/index.html"))
    assert pages, "no story page"
    return pages


def quote_pages(site):
    return [p for p in sorted((site / "quotes").glob("*/index.html")) if p.parent.name != "unattributed"]


def test_every_story_and_quotation_page_has_title_date_and_url(site):
    pages = story_pages(site) + quote_pages(site)
    assert len(pages) > len(story_pages(site)), "no quotation page"
    for page in pages:
        tags = highwire(page)
        where = page.relative_to(site)
        assert len(tags.get("citation_title", [])) == 1 and tags["citation_title"][0].strip(), where
        assert HIGHWIRE_DATE.fullmatch(tags["citation_publication_date"][0]), where
        url = f"/{page.parent.relative_to(site).as_posix()}/"
        assert tags["citation_public_url"] == [url] and tags["citation_fulltext_html_url"] == [url], where
        assert tags["citation_language"] == ["en"], where


def test_story_tags_match_its_byline_and_publisher(site):
    for page in story_pages(site):
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        tags = highwire(page)
        assert tags["citation_title"] == [doc.h1.get_text()]
        assert tags["citation_journal_title"] == [doc.select_one(".kicker a").get_text()]
        byline = doc.select_one(".story-header .byline")
        expected = byline.get_text().removeprefix("By ").split(", ") if byline else []
        assert tags.get("citation_author", []) == expected
        assert doc.select_one("time")["datetime"].replace("-", "/") == tags["citation_publication_date"][0]


def test_story_downloads_parse_and_agree_with_the_page(site):
    for page in story_pages(site):
        folder, tags = page.parent, highwire(page)
        slug, url = folder.name, tags["citation_public_url"][0]
        year = tags["citation_publication_date"][0][:4]

        kind, key, fields = bibtex_fields((folder / "cite.bib").read_text(encoding="utf-8"))
        assert (kind, key) == ("article", slug)
        assert fields["title"] == "{" + tags["citation_title"][0] + "}"  # seed titles have no TeX specials
        assert fields["url"] == url and fields["year"] == year
        assert fields["journal"] == tags["citation_journal_title"][0]

        (record,) = ris_records((folder / "cite.ris").read_text(encoding="utf-8"))
        values = dict(record)
        assert {"TY", "TI", "PY", "UR", "ER"} <= values.keys()
        assert values["TI"] == tags["citation_title"][0] and values["PY"] == year and values["UR"] == url
        assert [v for t, v in record if t == "AU"] == [
            ", ".join(reversed(a.rsplit(" ", 1))) for a in tags.get("citation_author", [])
        ]

        (item,) = json.loads((folder / "cite.json").read_text(encoding="utf-8"))
        assert item["id"] == slug and item["type"] == "article-newspaper"
        assert item["title"] == tags["citation_title"][0] and item["URL"] == url
        assert item["issued"]["date-parts"][0] == [int(n) for n in tags["citation_publication_date"][0].split("/")]
        assert item["container-title"] == tags["citation_journal_title"][0]


@pytest.mark.parametrize("kind", ["story", "quotation"])
def test_cite_box_has_three_styles_and_links_the_downloads(site, kind):
    page = story_pages(site)[0] if kind == "story" else quote_pages(site)[0]
    doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    box = doc.select_one("details.cite-box")
    assert box.summary.get_text() == f"Cite this {kind}"
    assert [dt.get_text() for dt in box.select("dt")] == ["Chicago", "MLA", "APA"]
    url = highwire(page)["citation_public_url"][0]
    for dd in box.select("dd"):
        assert url in dd.get_text()
    links = [a["href"] for a in box.select(".cite-downloads a")]
    if kind == "story":
        assert links == [url + name for name in ("cite.bib", "cite.ris", "cite.json")]
    else:
        assert links == [] and "quoted in" in box.select("dd")[0].get_text()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_open_cite_box_is_axe_clean_and_its_downloads_are_served(browser, site, serve, scheme):
    """In Chromium, in both colour schemes: the box opens, axe finds no WCAG AA violation in it,
    and each download link fetches its file from the served site."""
    base = serve(site)
    context = gates.axe_context(browser, color_scheme=scheme)
    page = context.new_page()
    try:
        for path in (story_pages(site)[0], quote_pages(site)[0]):
            page.goto(base + f"/{path.parent.relative_to(site).as_posix()}/")
            page.click("details.cite-box summary")
            assert page.locator("details.cite-box dd").first.is_visible()
            result = page.evaluate(
                "tags => axe.run('details.cite-box', {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
            )
            assert not result["violations"], [(v["id"], [n["html"] for n in v["nodes"]]) for v in result["violations"]]
            for href in page.eval_on_selector_all(".cite-downloads a", "links => links.map(a => a.href)"):
                response = page.request.get(href)
                assert response.ok and response.body() == (site / href.removeprefix(base + "/")).read_bytes()
    finally:
        context.close()


@pytest.mark.browser
def test_the_citation_prints_in_full(browser, site, serve):
    """On paper (print media, theme/static/css/print.css) the closed box shows its strings."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(serve(site) + f"/{story_pages(site)[0].parent.relative_to(site).as_posix()}/")
        chicago = page.locator("details.cite-box dd").first
        assert not chicago.is_visible()
        page.emulate_media(media="print")
        assert chicago.is_visible()
    finally:
        context.close()


HOSTILE_STORY = """Title: Budget {100%} \\\\input{x} & "Cuts" <script>alert(1)</script>
Date: 2011-03-04
Slug: hostile-budget-story
Publisher: The Daily {Planet}
Authors: Jane Q. Doe, John Smith

The council voted on the budget.
"""


def test_a_story_with_a_byline_and_hostile_metadata_builds_citations_that_parse(tmp_path):
    """A real build of a story whose byline names two people and whose title and publisher hold
    TeX specials and markup: one citation_author each, and downloads that still parse."""
    project = copy_project(tmp_path / "project")
    (project / "content" / "stories" / "hostile.md").write_text(HOSTILE_STORY, encoding="utf-8")
    done = run_build(
        project / "content", project / "output", "--no-search", cwd=project, env=dict(os.environ, SITEURL="")
    )
    assert done.returncode == 0, done.stderr
    folder = project / "output" / "stories" / "hostile-budget-story"
    tags = highwire(folder / "index.html")
    title = 'Budget {100%} \\\\input{x} & "Cuts" <script>alert(1)</script>'
    assert tags["citation_title"] == [title] and tags["citation_author"] == ["Jane Q. Doe", "John Smith"]
    assert tags["citation_language"] == ["en"] and tags["citation_journal_title"] == ["The Daily {Planet}"]

    _, key, fields = bibtex_fields((folder / "cite.bib").read_text(encoding="utf-8"))
    assert key == "hostile-budget-story" and fields["author"] == "Doe, Jane Q. and Smith, John"
    assert (
        fields["title"]
        == '{Budget \\{100\\%\\} \\textbackslash{}\\textbackslash{}input\\{x\\} \\& "Cuts" <script>alert(1)</script>}'
    )
    assert fields["journal"] == "The Daily \\{Planet\\}"
    (record,) = ris_records((folder / "cite.ris").read_text(encoding="utf-8"))
    assert dict(record)["TI"] == title and [v for t, v in record if t == "AU"] == ["Doe, Jane Q.", "Smith, John"]
    (item,) = json.loads((folder / "cite.json").read_text(encoding="utf-8"))
    assert item["title"] == title and item["language"] == "en"
    box = BeautifulSoup((folder / "index.html").read_text(encoding="utf-8"), "html.parser").select_one(".cite-box")
    assert not box.find("script") and title in box.select("dd")[0].get_text()
