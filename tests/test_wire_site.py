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
    shared = page.select(".compare-shared")
    assert len(shared) == 3
    heffernan = next(r for r in shared if "MOU" in r.get_text())
    left, right = heffernan.select(".compare-side")
    assert "MOU" in {i.get_text() for i in left.select("ins")}  # each side its own words, none struck out
    assert "(agreement)" in {i.get_text() for i in right.select("ins")}
    assert not page.select("main del")
    folded = [p for d in page.select("details.compare-apart") for p in d.select(".compare-only p")]
    assert len(folded) == 6 + 14  # every paragraph the other story does not share, folded


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
    import marshal
    from pathlib import Path

    from newsarchive.analysis.wire.model import WireAnalysis, inputs_digest, wire_inputs
    from newsarchive.analysis.wire.passages import find_wire_passages
    from newsarchive.site.content_loader import load_content
    from plugins.wire_copy import plugin

    content = Path(__file__).resolve().parent.parent / "content"
    stories, edited = load_content(content).stories, load_content(content).stories
    edited[0].paragraphs = edited[0].paragraphs[:1]  # the wire copy is gone from this version

    class Early:  # what the forked child hands back
        child_seconds = 1.0

        def __init__(self, read, analysis=None):
            self.read, self.analysis = read, analysis or find_wire_passages(read)

        def result(self):
            return inputs_digest(map(wire_inputs, self.read)), marshal.dumps(self.analysis.to_plain(), 2)

    assert find_wire_passages(edited).passages == []
    plugin._early.pending = Early(edited)
    assert plugin._analysis(stories, {}).to_json() == find_wire_passages(stories).to_json() != {}
    marked = WireAnalysis([], {"marked": 1.0}, {}, [], [], 7)  # the child's analysis, recognisable
    plugin._early.pending = Early(load_content(content).stories, marked)
    assert plugin._analysis(stories, {}) == marked
    assert plugin._early.pending is None  # taken once


def test_the_early_child_parses_only_the_story_files_that_changed(tmp_path, monkeypatch):
    """A rebuild's child takes each unchanged file's wire inputs from the memo (path, size,
    modification time), parses the rest, and finds what a cold analysis finds. A file edited
    behind the memo's back (same size and time) gives a digest the build does not accept."""
    import marshal
    import os
    import shutil
    from pathlib import Path

    from newsarchive.analysis.wire.model import WireParams, inputs_digest, wire_inputs
    from newsarchive.analysis.wire.passages import find_wire_passages
    from newsarchive.site.content_loader import load_content
    from plugins.wire_copy import plugin

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", content)
    paths = sorted((content / "stories").glob("*.md"))
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}
    parsed = []
    load_story = plugin.load_story
    monkeypatch.setattr(plugin, "load_story", lambda path, root: parsed.append(path) or load_story(path, root))

    def child():
        digest, data = plugin._read_and_find(paths, content, WireParams(), settings)
        return digest, marshal.loads(data)

    cold = child()
    assert len(parsed) == len(paths) and cold[1] == find_wire_passages(load_content(content).stories).to_plain()
    parsed.clear()
    assert child() == cold and parsed == []
    os.utime(paths[0], ns=(paths[0].stat().st_atime_ns, paths[0].stat().st_mtime_ns + 10**9))
    assert child() == cold and parsed == [paths[0]]

    st = paths[0].stat()
    text = paths[0].read_text(encoding="utf-8")
    paths[0].write_text(text.replace("the ", "THE ", 1), encoding="utf-8")  # same size
    os.utime(paths[0], ns=(st.st_atime_ns, st.st_mtime_ns))
    stale = child()
    assert stale[0] == cold[0]  # the child cannot tell...
    assert inputs_digest(map(wire_inputs, load_content(content).stories)) != stale[0]  # ...the build can


def test_the_early_child_finds_what_an_edited_story_file_now_says(tmp_path):
    """The child keeps each story's sentences under its file's key (path, size, modification
    time): a file edited between builds has another key, so its sentences are found again and
    the result is a cold analysis of what the files say now."""
    import marshal
    import shutil
    from pathlib import Path

    from newsarchive.analysis.wire.model import WireParams
    from newsarchive.analysis.wire.passages import find_wire_passages
    from newsarchive.formats.story_file import load_story
    from newsarchive.site.content_loader import load_content
    from plugins.wire_copy import plugin

    content = tmp_path / "content"
    shutil.copytree(Path(__file__).resolve().parent.parent / "content", content)
    paths = sorted((content / "stories").glob("*.md"))
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}

    def child():
        return marshal.loads(plugin._read_and_find(paths, content, WireParams(), settings)[1])

    assert child()[0]  # the seeds share wire passages
    path = next(p for p in paths if not load_story(p, content).media)  # no placeholder names a paragraph
    text = path.read_text(encoding="utf-8")
    for paragraph in load_story(path, content).paragraphs[1:]:  # the story keeps its first paragraph
        text = text.replace(f"\n{paragraph.text}\n", "\n", 1)
    path.write_text(text, encoding="utf-8")
    now = find_wire_passages(load_content(content).stories)
    assert now.passages == [] and child() == now.to_plain()
