"""Versions of a story: later captures of an archived page, imported, checked, compared, built."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, run_build

from newsarchive.analysis.versions import align_paragraphs, changes, is_correction, removed_comments
from newsarchive.cli import main
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.story_file import parse_story
from newsarchive.formats.version_import import free_capture_name, with_version
from newsarchive.model.story import Version
from newsarchive.site.content_loader import lint_content
from tests.test_quality_gates import feed_problems

FIXTURES = Path(__file__).parent / "fixtures" / "captures"
CBS = "immigration-check-awaits-mass-arrestees"
CBS_URL = "http://boston.cbslocal.com/2010/12/17/immigration-check-awaits-mass-arrestees/"
LATER = FIXTURES / "cbs_later.txt"  # the CBS seed edited: headline, +1 -1 paragraph, a quote corrected, +2 comments
THIRD = FIXTURES / "cbs_third.txt"  # LATER with a correction paragraph added and its last comment gone


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def content(tmp_path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(ROOT / "content", dest)
    return dest


def add(content: Path, capture: Path, *options: str) -> int:
    return main(["import", "--quiet", "--content", str(content), str(capture), *options])


def story(text: str, title: str = "Headline") -> object:
    return parse_story(f"Title: {title}\nDate: 2020-01-01\n\n{text}\n", "s.md")


# --- comparing two versions ---------------------------------------------------------------


def test_paragraphs_line_up_as_same_changed_added_and_removed():
    old = ["The mayor spoke on Monday.", "The council voted 5-2 for the budget.", "Nobody else spoke."]
    new = ["The mayor spoke on Monday.", "The council voted 6-1 for the budget.", "The vote came late.", "Done."]
    rows = [(r.op, r.old, r.new) for r in align_paragraphs(old, new)]
    assert rows == [
        ("same", 0, 0),
        ("changed", 1, 1),
        ("removed", 2, None),
        ("added", None, 2),
        ("added", None, 3),
    ]


def test_changes_say_what_changed_in_a_line():
    old = story("First paragraph here.\n\nSecond one, about the vote.", "Old headline")
    new = story(
        "First paragraph here.\n\nSecond one, about the late vote.\n\nA new one.\n\n"
        "Correction: An earlier version misstated the vote.",
        "New headline",
    )
    assert changes(old, new) == ["headline changed", "2 paragraphs added", "1 paragraph changed", "1 correction added"]
    assert changes(old, old) == []


@pytest.mark.parametrize(
    "text, marked",
    [
        ("Correction: An earlier version misspelled her name.", True),
        ("Editor’s note: This story was updated.", True),
        ("UPDATE: Police said Tuesday the man was released.", True),
        ("This story has been corrected to show the right date.", True),
        ("The correction came late, the mayor said.", False),
        ("Updates will follow.", False),
    ],
)
def test_corrections_are_paragraphs_marked_as_such(text, marked):
    assert is_correction(text) is marked


def test_a_versions_line_is_added_and_every_other_line_kept():
    text = "Title: T\r\nDate: 2020-01-01\r\nEvent: Kept\r\n\r\nBody.\r\n"
    once = with_version(text, "versions/t/2.md")
    assert once == "Title: T\r\nDate: 2020-01-01\r\nEvent: Kept\r\nVersions: versions/t/2.md\r\n\r\nBody.\r\n"
    assert with_version(once, "versions/t/3.md").count("Versions: versions/t/2.md, versions/t/3.md\r\n") == 1


def test_a_capture_is_never_replaced_by_other_bytes(tmp_path):
    (tmp_path / "captures").mkdir()
    (tmp_path / "captures" / "a.txt").write_bytes(b"old")
    same = hashlib.sha256(b"old").hexdigest()
    other = hashlib.sha256(b"new").hexdigest()
    assert free_capture_name(tmp_path, "captures/a.txt", same) == "captures/a.txt"
    assert free_capture_name(tmp_path, "captures/a.txt", other) == f"captures/a_{other[:12]}.txt"
    assert free_capture_name(tmp_path, "captures/b.txt", other) == "captures/b.txt"


def test_a_comment_a_later_capture_drops_is_kept_and_marked():
    thread = "## Comments (2)\n\n  1. Ann says:\n\n    First.\n\n  2. {} says:\n\n    {}\n"
    first = story("Body.\n\n" + thread.format("Bob", "Second."))
    later = story("Body.\n\n" + thread.format("Cy", "Third."))
    latest = parse_story_thread(later).comments
    removed = removed_comments([Version(1, first), Version(2, later)], latest)
    assert [(c.id, c.author, c.text, c.removed, c.parent) for c in removed] == [("3", "Bob", "Second.", 2, None)]
    assert removed_comments([Version(1, first), Version(2, first)], parse_story_thread(first).comments) == []


# --- archive import -----------------------------------------------------------------------


def test_a_later_capture_of_the_same_url_adds_a_version(content, capsys):
    story_file = content / "stories" / f"{CBS}.md"
    before = story_file.read_text("utf-8")
    assert add(content, LATER, "--url", CBS_URL, "--captured", "2010-12-18 09:30 -05:00") == 0
    after = story_file.read_text("utf-8")
    assert after.replace(f"Versions: versions/{CBS}/2.md\n", "") == before  # the archivist's lines all kept
    version = (content / "versions" / CBS / "2.md").read_text("utf-8")
    assert "Captured: 2010-12-18 09:30 -05:00" in version and "Capture: captures/cbs_later.txt" in version
    assert (content / "captures" / "cbs_later.txt").read_bytes() == LATER.read_bytes()
    stories, problems, _ = lint_content(content)
    assert problems == []
    assert len(stories) == 2  # still one story of the CBS page

    snapshot = tree(content)
    assert add(content, LATER, "--version-of", CBS, "--captured", "2010-12-19 09:30") == 0  # the same bytes
    assert tree(content) == snapshot
    assert "nothing added" in capsys.readouterr().err

    assert add(content, THIRD, "--version-of", CBS, "--captured", "2010-12-19 09:30 -05:00") == 0
    assert f"Versions: versions/{CBS}/2.md, versions/{CBS}/3.md" in story_file.read_text("utf-8")


@pytest.mark.parametrize(
    "options, message",
    [
        (("--url", CBS_URL), "when was this capture made?"),
        (("--url", CBS_URL, "--captured", "2010-12-18 09:30 -05:00"), "the same time as version 2"),
        (("--url", CBS_URL, "--captured", "2010-12-18 09:00 -05:00"), "before version 2"),
        (("--version-of", CBS, "--url", "https://example.com/other", "--captured", "2010-12-19"), "the same page"),
        (("--version-of", "no-such-story", "--captured", "2010-12-19"), "no story has that slug"),
    ],
)
def test_bad_versions_are_refused_with_nothing_written(content, capsys, options, message):
    assert add(content, LATER, "--url", CBS_URL, "--captured", "2010-12-18 09:30 -05:00") == 0
    capsys.readouterr()
    snapshot = tree(content)
    assert add(content, THIRD, *options) == 1
    err = capsys.readouterr().err.splitlines()
    assert re.match(rf"^{re.escape(str(THIRD))}: .*{re.escape(message)}", err[0]), err
    assert "Traceback" not in "\n".join(err)
    assert tree(content) == snapshot


def test_force_never_destroys_a_capture(content, tmp_path):
    original = (content / "captures" / "001_ad09dda9ef47575d.txt").read_bytes()
    other = tmp_path / "001_ad09dda9ef47575d.txt"  # the same file name, other bytes, another page
    other.write_bytes(LATER.read_bytes())
    options = ("--slug", CBS, "--force", "--url", "https://example.com/elsewhere", "--date", "2010-12-18")
    assert add(content, other, *options) == 0
    assert (content / "captures" / "001_ad09dda9ef47575d.txt").read_bytes() == original
    kept = f"captures/001_ad09dda9ef47575d_{hashlib.sha256(other.read_bytes()).hexdigest()[:12]}.txt"
    assert (content / kept).read_bytes() == other.read_bytes()
    assert f"Capture: {kept}" in (content / "stories" / f"{CBS}.md").read_text("utf-8")


def test_lint_and_build_refuse_versions_out_of_order(content, tmp_path):
    assert add(content, LATER, "--url", CBS_URL, "--captured", "2010-12-18 09:30 -05:00") == 0
    version = content / "versions" / CBS / "2.md"
    version.write_text(version.read_text("utf-8").replace("Captured: 2010-12-18 09:30 -05:00", "Captured: 2010-12-16"))
    _, problems, _ = lint_content(content)
    assert [str(p) for p in problems] == [
        f"{version}:10: captured 2010-12-16, before the story was published (2010-12-17)"
    ]
    built = run_build(content, tmp_path / "out", "--no-search")
    assert built.returncode != 0 and str(problems[0]) in built.stdout + built.stderr


# --- through a real build -------------------------------------------------------------------


@pytest.fixture(scope="module")
def versioned_site(tmp_path_factory) -> tuple[Path, dict]:
    """The seed archive with two later captures of the CBS story, built."""
    root = tmp_path_factory.mktemp("versions")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    assert add(content, LATER, "--url", CBS_URL, "--captured", "2010-12-18 09:30 -05:00") == 0
    assert add(content, THIRD, "--version-of", CBS, "--captured", "2010-12-19 10:00 -05:00") == 0
    built = run_build(content, root / "output", "--no-search")
    assert built.returncode == 0, built.stderr
    return root / "output", json.loads((root / "output" / "archive.json").read_text("utf-8"))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<(?!/?(?:ins|del)\b)[^>]+>", " ", html))


def test_one_story_with_its_versions_in_archive_json(versioned_site):
    _, archive = versioned_site
    schema = json.loads((ROOT / "docs" / "archive.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(archive)
    assert [s["slug"] for s in archive["stories"]].count(CBS) == 1
    cbs = next(s for s in archive["stories"] if s["slug"] == CBS)
    assert [(v["number"], v["captured"], v["capture"]["path"]) for v in cbs["versions"]] == [
        (1, None, "captures/001_ad09dda9ef47575d.txt"),
        (2, "2010-12-18T09:30:00-05:00", "captures/cbs_later.txt"),
        (3, "2010-12-19T10:00:00-05:00", "captures/cbs_third.txt"),
    ]
    assert cbs["versions"][1]["changes"] == [
        "headline changed",
        "1 paragraph added",
        "1 paragraph removed",
        "1 paragraph changed",
    ]
    assert cbs["versions"][2]["corrections"] == ["p10"]
    assert cbs["versions"][2]["capture"]["sha256"] == hashlib.sha256(THIRD.read_bytes()).hexdigest()
    assert cbs["paragraphs"] == cbs["versions"][2]["paragraphs"]  # the story reads as its latest version
    assert cbs["event"] == "Massachusetts joins Secure Communities"  # the archivist's metadata kept
    ap = next(s for s in archive["stories"] if s["slug"] != CBS)
    assert len(ap["versions"]) == 1 and ap["versions"][0]["changes"] == []


def test_the_analyses_see_one_story(versioned_site):
    _, archive = versioned_site
    for passage in archive["wire"]:  # no version is a wire witness of its own story
        slugs = [w["story"] for w in passage["witnesses"]]
        assert len(slugs) == len(set(slugs))
    printings = [
        o for q in archive["quotes"] for o in q["occurrences"] if "will sign the" in o["text"] and o["story"] == CBS
    ]
    assert len(printings) == 1 and "memorandum of understanding with ICE" in printings[0]["text"]  # one printing
    cbs = next(s for s in archive["stories"] if s["slug"] == CBS)
    comments = cbs["comments"]["items"]
    authors = [c["author"] for c in comments]
    assert authors.count("Harbor Watcher") == 1 and authors.count("John Joseph Grimes") == 1  # counted once
    gone = [c for c in comments if c["author"] == "Quincy Reader"]  # printed by version 2 only
    assert [(c["id"], c.get("removed_in_version")) for c in gone] == [("22", 3)]
    assert sum("removed_in_version" in c for c in comments) == 1


def test_the_diff_page_shows_word_changes(versioned_site):
    output, _ = versioned_site
    page = text_of((output / "stories" / CBS / "changes" / "1-2" / "index.html").read_text("utf-8"))
    assert "sign the <del>MOU</del> <ins>memorandum of understanding</ins> with ICE" in page
    assert "<ins>A spokesman for Gov. Deval Patrick said" in page
    assert "<del>Since ICE began the program in October 2008" in page
    assert "<ins>Mass. Police To Check</ins> Immigration" in page  # the headline
    story_page = text_of((output / "stories" / CBS / "index.html").read_text("utf-8"))
    assert "headline changed, 1 paragraph added, 1 paragraph removed, 1 paragraph changed" in story_page
    assert "Correction: An earlier version of this story misstated" in story_page
    assert story_page.count("changed since version 1: what changed") == 1  # the corrected quotation
    assert story_page.count("added after version 1: what changed") == 2  # a paragraph, the correction
    for number in (1, 2, 3):
        assert (output / "stories" / CBS / "versions" / str(number) / "index.html").is_file()
    feed = (output / "feeds" / "updates.atom.xml").read_text("utf-8")
    assert feed.count("<entry>") == 2 and f"/stories/{CBS}/changes/2-3/" in feed
    assert feed_problems(output, "") == []  # every feed parses, entries complete, links resolve


def test_a_reader_follows_the_versions_in_a_browser(versioned_site, serve, page):
    output, _ = versioned_site
    base = serve(output)
    page.goto(f"{base}/stories/{CBS}/")
    page.get_by_role("link", name="what changed").first.click()
    page.wait_for_url(f"**/stories/{CBS}/changes/1-2/")
    assert page.locator("del", has_text="MOU").first.is_visible()
    assert page.locator("ins", has_text="memorandum of understanding").first.is_visible()
    page.get_by_role("link", name="Version 2", exact=True).click()
    page.wait_for_url(f"**/stories/{CBS}/versions/2/")
    assert page.locator("h1").inner_text() == "Mass. Police To Check Immigration Status Of Everyone They Arrest"
    page.goto(f"{base}/stories/{CBS}/#comments")
    assert page.locator(".comment-removed").count() == 1
    assert page.errors == [] and page.dialogs == []


def test_an_edited_version_file_is_read_again(versioned_site):
    """Last in this file: it edits the built archive's content (Pelican's cache keeps the story by
    its own file, which did not change)."""
    output, _ = versioned_site
    version = output.parent / "content" / "versions" / CBS / "3.md"
    version.write_text(version.read_text("utf-8").replace("It is a memorandum of understanding.", "It is an MOU."))
    built = run_build(output.parent / "content", output, "--no-search")
    assert built.returncode == 0, built.stderr
    cbs = next(s for s in json.loads((output / "archive.json").read_text("utf-8"))["stories"] if s["slug"] == CBS)
    assert cbs["paragraphs"][9]["text"].endswith("It is an MOU.")
