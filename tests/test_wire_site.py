"""Shared wire copy as published: passage pages, comparison, story marks, diagram, JSON-LD."""

import json
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup

CBS = "immigration-check-awaits-mass-arrestees"
AP = "mass-police-to-join-immigration-checks-program"
PAIR = f"{CBS}--{AP}"


def soup(site, rel):
    return BeautifulSoup((site / rel / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_each_shared_passage_has_a_page_with_every_witness(site):
    wire = json.loads((site / "archive.json").read_text(encoding="utf-8"))["wire"]
    assert len(wire) == 3
    closing = next(p for p in wire if p["text"].startswith("Since ICE began the program"))
    page = soup(site, f"wire/{closing['id']}")
    assert {a["href"] for a in page.select(".witness h3 a")} == {f"/stories/{AP}/#p17", f"/stories/{CBS}/#p10"}


def test_story_states_its_wire_share_and_marks_wire_paragraphs(site):
    page = soup(site, f"stories/{CBS}")
    summary = page.select_one(".wire-summary").get_text(" ", strip=True)
    assert summary.startswith("34% of this story is wire copy shared with:")
    assert f"/compare/{PAIR}/" in {a["href"] for a in page.select(".wire-summary a")}
    assert page.find(id="p10").select_one(".mark-wire") is not None
    assert page.find(id="p1").select_one(".mark-wire") is None  # the ledes are different writing


def test_comparison_page_aligns_the_two_versions(site):
    page = soup(site, f"compare/{PAIR}")
    shared = page.select("tr.shared")
    assert len(shared) == 3
    heffernan = next(r for r in shared if "MOU" in r.get_text())
    assert "MOU" in {d.get_text() for d in heffernan.select("del")}
    assert "(agreement)" in {i.get_text() for i in heffernan.select("ins")}


def test_reprint_is_based_on_the_wire_passages(site):
    def article(slug):
        data = [
            json.loads(s.string) for s in soup(site, f"stories/{slug}").find_all("script", type="application/ld+json")
        ]
        return next(d for d in data if d["@type"] == "NewsArticle")

    assert len(article(CBS)["isBasedOn"]) == 3 and all("/wire/w-" in u for u in article(CBS)["isBasedOn"])
    assert "isBasedOn" not in article(AP)


def test_event_page_links_the_svg_diagram(site):
    event = soup(site, "events/massachusetts-joins-secure-communities")
    img = event.select_one(".wire-diagram img")
    assert img["src"] == "/events/massachusetts-joins-secure-communities/wire-diagram.svg" and img["alt"]
    svg = ET.parse(site / img["src"].lstrip("/")).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("role") == "img"
    assert svg.find("{http://www.w3.org/2000/svg}script") is None


def test_the_early_analysis_is_taken_only_if_it_read_the_files_pelican_read():
    """wire_copy's child reads the story files itself while Pelican reads them: a result from other
    text (a file edited meanwhile) is not used; the build finds the passages from its own stories."""
    from pathlib import Path

    from newsarchive.content_loader import load_content
    from newsarchive.story import file_digest
    from newsarchive.wire_text import find_wire_passages
    from plugins.wire_copy import plugin

    content = Path(__file__).resolve().parent.parent / "content"
    stories, edited = load_content(content).stories, load_content(content).stories
    edited[0].paragraphs = edited[0].paragraphs[:1]  # the wire copy is gone from this version

    class Early:  # what the forked child hands back
        child_seconds = 1.0

        def __init__(self, read, analysis=None):
            self.read, self.analysis = read, analysis

        def result(self):
            return file_digest(self.read), self.analysis or find_wire_passages(self.read)

    assert find_wire_passages(edited).passages == []
    plugin._early.pending = Early(edited)
    assert plugin._analysis(stories, {}).to_json() == find_wire_passages(stories).to_json() != {}
    plugin._early.pending = Early(load_content(content).stories, "the child's analysis")
    assert plugin._analysis(stories, {}) == "the child's analysis"
    assert plugin._early.pending is None  # taken once
