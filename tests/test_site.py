"""The built seed archive, as a visitor and a machine reader meet it."""

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_with_settings, copy_project, run_build
from test_build_faults import wait_until_gone

from newsarchive.site.build import check_record, leftovers, lock_file, search_cache
from plugins.quotes_people.plugin import QuotesGenerator

CBS = "immigration-check-awaits-mass-arrestees"
AP = "mass-police-to-join-immigration-checks-program"
EVENT = "massachusetts-joins-secure-communities"
NEW = "lowell-council-approves-budget"  # tests/fixtures/new_story.md
NEW_EVENT = "lowell-budget-2011"


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def test_home_lists_both_stories_and_the_event(site):
    home = soup(site, "index.html")
    links = {a["href"] for a in home.select("main a")}
    assert {f"/stories/{CBS}/", f"/stories/{AP}/", f"/events/{EVENT}/"} <= links


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    """A copy of the project grown by a story with an event of its own (tests/fixtures/new_story.md,
    added with no code change), with one story a page on the home page (DEFAULT_PAGINATION = 1),
    built with the search index: the project, its site in ``output/``, the build's detached
    removals done."""
    project = copy_project(tmp_path_factory.mktemp("grown") / "project", "DEFAULT_PAGINATION = 1")
    shutil.copy(ROOT / "tests" / "fixtures" / "new_story.md", project / "content" / "stories" / "new.md")
    done = run_build(project / "content", project / "output", cwd=project)
    assert done.returncode == 0, done.stderr
    wait_until_gone(leftovers(project / "output"))  # the search index's scratch shards, removed without waiting
    return project


def test_the_events_are_on_the_first_page_of_stories_only(grown):
    """The home page lists the events, then the newest stories; its later pages (one story a page
    here) list stories only."""
    site = grown / "output"
    first, second, third = (soup(site, rel) for rel in ("index.html", "page/2/index.html", "page/3/index.html"))
    assert {f"/events/{NEW_EVENT}/", f"/events/{EVENT}/"} <= {a["href"] for a in first.select("#events-heading ~ ul a")}
    assert second.find(id="events-heading") is None and third.find(id="events-heading") is None
    assert [a["href"] for a in first.select(".story-list .story-link")] == [f"/stories/{NEW}/"]
    assert [a["href"] for a in second.select(".story-list .story-link")] == [f"/stories/{CBS}/"]
    assert [a["href"] for a in third.select(".story-list .story-link")] == [f"/stories/{AP}/"]
    assert second.select_one(".pagination a[rel=prev]")["href"] == "/index.html"


def test_story_page_has_anchored_paragraphs_as_published(site):
    page = soup(site, f"stories/{AP}/index.html")
    paras = page.select(".story-body .para")
    assert [p["id"] for p in paras] == [f"p{i}" for i in range(1, 18)]
    assert paras[0].p.get_text() == (
        "BOSTON—The Massachusetts State Police will participate in a federal program that automatically checks the "
        "immigration status of those who are arrested, the state's top state public safety official announced Friday."
    )
    assert page.h1.get_text() == "Mass. police to join immigration checks program"


def test_story_page_shows_provenance(site):
    page = soup(site, f"stories/{CBS}/index.html")
    prov = page.select_one(".provenance").get_text(" ", strip=True)
    for expected in (
        "CBS Boston / WBZ",
        "Friday, December 17, 2010",
        "BOSTON (CBS/AP)",
        "http://boston.cbslocal.com/2010/12/17/immigration-check-awaits-mass-arrestees/",
        "The Associated Press contributed to this report.",
        "(TM and © Copyright 2010 CBS Radio Inc.",
        "cfa101fc6b7869ca34ec58e835c87987591019939811191f2516c47867489fa8",
        "supplied by the archivist",
        "from the capture",
        "Leave a Reply",
    ):
        assert expected in prov, expected
    capture_link = page.select_one('.provenance a[href$=".txt"]')["href"]
    published = site / capture_link.lstrip("/")
    assert hashlib.sha256(published.read_bytes()).hexdigest() == (
        "cfa101fc6b7869ca34ec58e835c87987591019939811191f2516c47867489fa8"
    )
    assert [m.get_text(" ", strip=True) for m in page.select(".media-placeholder")] == [
        "Video or audio, not archived: WBZ-TV’s Ron Sanders reports.",
        "Video or audio, not archived: WBZ News Radio’s Lana Jones talks with immigration advocates about the change.",
    ]


def test_event_page_links_all_coverage(site):
    page = soup(site, f"events/{EVENT}/index.html")
    assert page.h1.get_text() == "Massachusetts joins Secure Communities"
    assert {a["href"] for a in page.select(".story-list a")} == {f"/stories/{CBS}/", f"/stories/{AP}/"}
    assert "Friday, December 17, 2010" in page.get_text()


def test_story_json_ld_is_a_news_article(site):
    page = soup(site, f"stories/{CBS}/index.html")
    data = [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]
    article = next(d for d in data if d["@type"] == "NewsArticle")
    assert article["headline"] == "Immigration Check Awaits Mass. Arrestees"
    assert article["datePublished"] == "2010-12-17"
    assert article["dateline"] == "BOSTON (CBS/AP)"
    assert article["publisher"] == {"@type": "Organization", "name": "CBS Boston / WBZ"}


def test_archive_json_validates_and_holds_every_paragraph(site):
    data = json.loads((site / "archive.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "docs" / "archive.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    stories = {s["slug"]: s for s in data["stories"]}
    assert set(stories) == {CBS, AP}
    cbs = stories[CBS]
    assert cbs["url"] == f"stories/{CBS}/" and cbs["date"] == "2010-12-17"
    assert cbs["capture"] == {
        "path": "captures/001_ad09dda9ef47575d.txt",
        "sha256": "cfa101fc6b7869ca34ec58e835c87987591019939811191f2516c47867489fa8",
    }
    assert len(stories[AP]["paragraphs"]) == 17 and stories[AP]["source_url"] is None
    assert data["events"][0]["stories"] == [CBS, AP]  # same day: ordered by slug


def test_schema_rejects_a_malformed_archive():
    schema = json.loads((ROOT / "docs" / "archive.schema.json").read_text(encoding="utf-8"))
    bad = {"version": 1, "stories": [{"slug": "Not A Slug", "title": "", "paragraphs": []}]}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert errors


def test_feed_sitemap_and_pelican_indexes_exist(site):
    assert (site / "feeds" / "all.atom.xml").is_file()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"/stories/{CBS}/</loc>" in sitemap and f"/events/{EVENT}/</loc>" in sitemap
    for rel in ("stories/index.html", "publishers/index.html", "tags/index.html", "events/index.html"):
        assert (site / rel).is_file(), rel


def test_the_sitemap_lists_every_page_of_the_site(site):
    """The sitemap is made from the files both writing processes wrote: it lists every folder
    holding an index.html, and nothing else."""
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    listed = {re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]*)</loc>", sitemap)}
    pages = {"/" + p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html")}
    assert listed == {page.replace("/./", "/") for page in pages} and len(listed) > 20


def test_failed_build_leaves_previous_output_untouched(grown, tmp_path):
    project = tmp_path / "project"
    subprocess.run(["cp", "-a", str(grown), str(project)], check=True)  # its output, caches and records
    out = project / "output"
    before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    bad = project / "content" / "stories" / "broken.md"
    bad.write_text("Title: Broken\nDate: 2010-02-30\n\nBody.\n", encoding="utf-8")
    done = run_build(project / "content", out, cwd=project)
    assert done.returncode != 0
    assert f"{bad}:2: unparseable date '2010-02-30'" in done.stderr
    assert "Traceback" not in done.stderr
    after = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
    # no temporary output left behind; the search index's shards and the record of the story
    # files that parsed cleanly are kept for the next build (and the file builds lock)
    assert set(project.glob(".output*")) == {search_cache(out), check_record(out), lock_file(out)}


def test_a_failure_while_writing_in_the_background_fails_the_build(tmp_path):
    """Quotation pages are written by a forked child (plugins/archive_core/background_writing.py):
    when it fails, the build fails too, and output/ is left alone."""
    project = copy_project(tmp_path / "project")
    template = project / "theme" / "templates" / "quote.html"
    broken = template.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}{{ no_such() }}")
    template.write_text(broken, encoding="utf-8")
    done = run_build(project / "content", project / "output", "--no-search", cwd=project)
    assert done.returncode != 0
    assert "writing pages in the background failed: UndefinedError" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / "output").exists()
    left = set(project.glob(".output*")) - {check_record(project / "output"), lock_file(project / "output")}
    assert not left, "no temporary output left behind"


@pytest.mark.parametrize(
    "setting, message",
    [
        (
            'WIRE_PARAMS = {"shingles": 4}',
            "pelicanconf.py: WIRE_PARAMS: WireParams.__init__() got an unexpected keyword",
        ),
        ("COMMENTER_OWN_PAGE_FROM = 0", "pelicanconf.py: COMMENTER_OWN_PAGE_FROM: expected a whole number, 1 or more"),
    ],
)
def test_a_bad_setting_stops_the_build_with_its_message_alone(tmp_path, setting, message):
    done = build_with_settings(tmp_path / "project", setting, "--no-search")
    assert done.returncode == 1 and not done.output.exists()
    assert done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr and "CRITICAL" not in done.stderr


def test_a_bad_entity_page_setting_stops_the_quotes_analysis_with_its_message_alone(capsys):
    """ENTITY_STORIES_PER_PAGE is checked as COMMENTER_OWN_PAGE_FROM is (``count_setting``, in a
    ``TimedStages`` analysis), whose bad value the test above sends through a real build: here,
    that the quotes' analysis checks it first thing and stops Pelican's process with its message
    alone, as that build's comments analysis does."""
    generator = object.__new__(QuotesGenerator)
    generator.settings, generator.context = {"ENTITY_STORIES_PER_PAGE": "100"}, {}
    with pytest.raises(SystemExit) as stop:
        generator.generate_context()
    assert stop.value.code == 1
    assert capsys.readouterr().err == (
        "pelicanconf.py: ENTITY_STORIES_PER_PAGE: expected a whole number, 1 or more, not '100'\n"
    )


def test_bad_capture_checksum_stops_the_build(tmp_path):
    project = copy_project(tmp_path / "project")
    capture = project / "content" / "captures" / "000_27d64d4e6c716b97.txt"
    capture.write_bytes(capture.read_bytes() + b"\nedited")
    done = run_build(project / "content", project / "output", cwd=project)
    assert done.returncode == 1 and not (project / "output").exists()
    assert (
        "mass-police-to-join-immigration-checks-program.md:8: capture captures/000_27d64d4e6c716b97.txt" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_new_story_builds_with_no_code_change(grown):
    page = soup(grown / "output", f"stories/{NEW}/index.html")
    assert page.select_one("#p1") is not None
    assert (grown / "output" / "events" / NEW_EVENT / "index.html").is_file()
