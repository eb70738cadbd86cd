"""The wire SVG: valid standalone XML, one column per story, one connection per passage, escaped."""

from __future__ import annotations

import copy
import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from newsarchive.analysis.wire.passages import find_wire_passages
from newsarchive.formats.story_file import load_story
from newsarchive.model.story import Paragraph, Story
from newsarchive.pages.wire_diagram import diagram_inputs, paragraph_numbers, render_svg

ROOT = Path(__file__).resolve().parent.parent
NS = {"svg": "http://www.w3.org/2000/svg"}
WIRE = "The regional water board voted on Monday to raise rates for the first time since the drought of 2002."


def seeds() -> list[Story]:
    stories = [load_story(p) for p in sorted((ROOT / "content/stories").glob("*.md"))]
    return sorted(stories, key=lambda s: (s.date, s.slug))


def make_story(slug: str, title: str, publisher: str, *paragraphs: str) -> Story:
    story = Story(f"{slug}.md", slug, title, dt.datetime(2011, 1, 1), publisher=publisher)
    story.paragraphs = [Paragraph(f"p{k}", text, k) for k, text in enumerate(paragraphs, start=1)]
    return story


def test_seed_diagram_is_a_valid_accessible_svg_with_columns_links_and_connections():
    stories = seeds()
    analysis = find_wire_passages(stories)
    svg = render_svg(stories, analysis.passages, url_prefix="/")
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS) is not None
    assert root.find(f"svg:desc[@id='{desc_id}']", NS) is not None
    columns = root.findall("svg:g[@class='story']", NS)
    assert len(columns) == len(stories)
    column_text = [" ".join(t.text for t in col.iter("{http://www.w3.org/2000/svg}text")) for col in columns]
    assert column_text[0].startswith("CBS Boston / WBZ") and "The Associated Press" in column_text[1]
    links = root.findall("svg:g[@class='wire-link']", NS)
    assert len(links) == len(analysis.passages) == 3
    for link, passage in zip(links, analysis.passages, strict=True):
        assert link.find("svg:a", NS).get("href") == f"/wire/{passage.id}/"
        assert link.findall("svg:a/svg:path", NS)
    hrefs = [a.get("href") for a in columns[1].iter("{http://www.w3.org/2000/svg}a")]
    assert "/stories/mass-police-to-join-immigration-checks-program/#p17" in hrefs
    boxes = columns[1].findall(".//svg:rect[@class='paragraph']", NS)
    assert len(boxes) == len(stories[1].paragraphs)
    tips = [a.find("svg:title", NS).text for a in columns[1].findall("svg:a", NS)[1:]]
    assert tips[0].startswith("The Associated Press ¶1 (")  # tooltips name the outlet and paragraph
    heights = {tip.split(" (")[0]: float(box.get("height")) for tip, box in zip(tips, boxes, strict=True)}
    assert heights["The Associated Press ¶7"] > heights["The Associated Press ¶4"]  # longer: taller
    assert "<script" not in svg and root.find("svg:g[@class='legend']", NS) is not None
    assert svg == render_svg(stories, analysis.passages, url_prefix="/")  # deterministic


def test_titles_and_texts_are_escaped_and_a_repeat_in_one_story_is_drawn():
    a = make_story("a", 'Rates <rise> & "tempers" flare', "Gazette & Sons", WIRE, "Local reaction was mixed.", WIRE)
    b = make_story("b", "Water </text><script>x</script>", "<b>Herald</b>", "Intro line here.", WIRE)
    analysis = find_wire_passages([a, b])
    svg = render_svg([a, b], analysis.passages, url_prefix="../../")
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Gazette & Sons" in texts and "<b>Herald</b>" in texts
    assert 'Rates <rise> & "tempers" flare' in " ".join(texts)  # wrapped to the column, escaped
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    [link] = root.findall("svg:g[@class='wire-link']", NS)
    assert len(link.findall("svg:a/svg:path", NS)) == 2  # three witnesses: two bands
    assert link.find("svg:a", NS).get("href").startswith("../../wire/w-")


def test_witnesses_of_stories_not_drawn_are_left_out():
    a = make_story("a", "A", "P", WIRE)
    b = make_story("b", "B", "Q", "Intro line here.", WIRE)
    analysis = find_wire_passages([a, b])
    root = ET.fromstring(render_svg([a], analysis.passages).encode("utf-8"))
    assert root.findall("svg:g[@class='wire-link']", NS) == []
    assert ET.fromstring(render_svg([], []).encode("utf-8")).get("role") == "img"


def test_what_the_diagram_reads_is_in_its_inputs():
    """A build keeps last build's SVG when ``diagram_inputs`` are unchanged: every edit that
    changes the picture changes them."""
    stories = seeds()
    passages = find_wire_passages(stories).passages

    def retitle(s):
        s[0].title += " (updated)"

    def republish(s):
        s[1].publisher = "Another Paper"

    def reword(s):
        s[1].paragraphs[3].text = s[1].paragraphs[3].text.replace(" ", "  ", 1) + " More words here."

    def renumber(s):
        s[0].paragraphs[0].id = "p99"

    for edit in (retitle, republish, reword, renumber):
        edited = copy.deepcopy(stories)
        edit(edited)
        assert render_svg(edited, passages, "/") != render_svg(stories, passages, "/"), edit.__name__
        assert diagram_inputs(edited, passages, "/") != diagram_inputs(stories, passages, "/"), edit.__name__
    assert diagram_inputs(stories, passages, "/") != diagram_inputs(stories, passages[1:], "/")
    assert diagram_inputs(stories, passages, "/") != diagram_inputs(stories, passages, "/site/")


def test_readers_see_outlets_and_paragraph_numbers_never_ids():
    stories = seeds()
    passages = find_wire_passages(stories).passages
    root = ET.fromstring(render_svg(stories, passages, url_prefix="/").encode("utf-8"))
    shown = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    shown += [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert not [t for t in shown if re.search(r"\bw-[0-9a-f]{6,}|\bp\d+\b", t)]
    boxes = [t for t in shown if re.fullmatch(r"¶\d+", t)]
    assert "¶17" in boxes and "¶10" in boxes  # the boxes are numbered as on the story pages
    legend = " ".join(t.text for t in root.find("svg:g[@class='legend']", NS).iter("{http://www.w3.org/2000/svg}text"))
    assert "CBS Boston / WBZ ¶10" in legend and "The Associated Press ¶17" in legend
    assert '“"' not in legend  # a passage that opens a quotation is not quoted twice
    sizes = [float(t.get("font-size", root.get("font-size"))) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert min(sizes) >= 11 and float(root.get("width")) <= 346  # two stories fit a phone at 11 px or more


def test_paragraph_numbers_are_written_as_ranges():
    assert paragraph_numbers([3, 2, 5, 6, 7]) == "¶2–3, ¶5–7"
    assert paragraph_numbers([4]) == "¶4"
