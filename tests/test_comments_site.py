"""The reader thread as published: nesting, permalinks, counts, commenters, JSON-LD, archive.json."""

import json
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, copy_project

CBS = "immigration-check-awaits-mass-arrestees"

# (id, parent, author) for every comment of the seed thread, read off the capture.
SEED_THREAD = [("1", None, "John Joseph Grimes"), ("2", None, "come on"), ("3", None, "Ellen"), ("4", None, "Scooby")]
SEED_THREAD += [("5", None, "DStein"), ("6", None, "Denise"), ("7", None, "fffefefefef"), ("8", None, "ffefefefe")]
SEED_THREAD += [("9", None, "kasser"), ("10", None, "Buzz"), ("11", None, "jean"), ("12", None, "Joe")]
SEED_THREAD += [("13", None, "cynic"), ("14", None, "cynic"), ("15", None, "jack1"), ("16", None, "mark")]
SEED_THREAD += [("16.1", "16", "cynic"), ("16.1.1", "16.1", "mark"), ("17", None, "mark")]
SEED_THREAD += [("18", None, "David P. McConnell"), ("19", None, "richard g king"), ("20", None, "richard g king")]


def story_page(site, slug=CBS):
    return BeautifulSoup((site / "stories" / slug / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_story_page_shows_the_whole_thread_with_permalinks(site):
    page = story_page(site)
    heads = page.select(".comment-head")
    assert [h["id"] for h in heads] == ["comment-" + cid.replace(".", "-") for cid, _, _ in SEED_THREAD]
    assert [h.select_one(".comment-author").get_text() for h in heads] == [a for _, _, a in SEED_THREAD]
    assert "23 comments declared by the source, 22 archived." in page.select_one(".comments .notice").get_text(" ")


def test_replies_are_nested_under_their_parent(site):
    page = story_page(site)
    reply = page.find(id="comment-16-1").find_parent("li", class_="comment-item")
    parent_item = reply.find_parent("li", class_="comment-item")
    assert parent_item.select_one(".comment-head")["id"] == "comment-16"
    deepest = page.find(id="comment-16-1-1").find_parent("li", class_="comment-item")
    assert deepest.find_parent("li", class_="comment-item") is reply
    context = deepest.select_one(".comment-context")
    assert context.a["href"] == "#comment-16-1" and "cynic" in context.get_text()


def test_inferred_reply_and_empty_comment_are_shown(site):
    page = story_page(site)
    seven = page.find(id="comment-7").find_parent("article")
    assert seven.select_one(".comment-context a")["href"] == "#comment-6"
    assert "inferred" in seven.select_one(".comment-context").get_text()
    nineteen = page.find(id="comment-19").find_parent("article")
    assert nineteen.select_one(".comment-empty").get_text() == "Empty comment: the source shows no text."


def test_comment_text_is_kept_as_written(site):
    page = story_page(site)
    eleven = page.find(id="comment-11").find_parent("article").select_one(".comment-body p").get_text()
    assert "expeditiously.\nFinally, we fine the bejesus out of EVERY company" in eleven
    one = page.find(id="comment-1").find_parent("article").select_one(".comment-body p").get_text()
    assert one.startswith("Why wouldn’t they be foing that already?")


def test_commenters_index_collects_each_authors_comments(site):
    index = BeautifulSoup((site / "commenters" / "index.html").read_text(encoding="utf-8"), "html.parser")
    counts = {li.a.get_text(): li.select_one(".meta").get_text() for li in index.select(".commenter-index li")}
    assert counts["cynic"] == "3 comments" and counts["mark"] == "3 comments"
    assert counts["richard g king"] == "2 comments" and counts["Ellen"] == "1 comment"
    href = next(li.a["href"] for li in index.select(".commenter-index li") if li.a.get_text() == "mark")
    assert href == "/commenters/m/#mark"
    group = BeautifulSoup((site / "commenters" / "m" / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in group.find(id="mark").find_parent("section").select(".commenter-comments a")]
    assert links == [f"/stories/{CBS}/#comment-16", f"/stories/{CBS}/#comment-16-1-1", f"/stories/{CBS}/#comment-17"]


def test_json_ld_comments_have_parent_items(site):
    page = story_page(site)
    article = next(
        d
        for d in (json.loads(s.string) for s in page.find_all("script", type="application/ld+json"))
        if d["@type"] == "NewsArticle"
    )
    assert article["commentCount"] == 22
    by_id = {c["@id"].rsplit("#", 1)[1]: c for c in article["comment"]}
    assert by_id["comment-16-1-1"]["parentItem"] == {"@id": by_id["comment-16-1"]["@id"]}
    assert by_id["comment-1"]["parentItem"] == {"@id": article["@id"]}
    assert by_id["comment-16-1"]["author"] == {"@type": "Person", "name": "cynic"}


def test_archive_json_comments(site):
    data = json.loads((site / "archive.json").read_text(encoding="utf-8"))
    story = next(s for s in data["stories"] if s["slug"] == CBS)
    comments = story["comments"]
    assert comments["declared"] == 23 and len(comments["items"]) == 22
    items = {c["id"]: c for c in comments["items"]}
    assert items["16.1"]["parent"] == "16" and items["16.1"]["author"] == "cynic"
    assert items["16.1"]["url"] == f"stories/{CBS}/#comment-16-1"
    assert items["7"]["reply_to_inferred"] == "6" and items["16.1"]["reply_to_inferred"] is None
    assert items["19"]["text"] == ""
    assert [(c["id"], c["parent"], c["author"]) for c in comments["items"]] == SEED_THREAD


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> SimpleNamespace:
    """The seeds, a new story with a pasted thread (tests/fixtures/new_story.md) and
    ``COMMENTER_OWN_PAGE_FROM = 3``, built twice into the same ``output`` as an archivist would
    (``archive build`` in the project): each build's finished process and story pages."""
    project = copy_project(tmp_path_factory.mktemp("grown") / "project", "COMMENTER_OWN_PAGE_FROM = 3")
    shutil.copy(ROOT / "tests" / "fixtures" / "new_story.md", project / "content" / "stories" / "new.md")
    cmd = [sys.executable, "-m", "newsarchive.site.build", "--content", "content", "--output", "output", "--no-search"]
    builds, pages = [], []
    for _ in range(2):
        done = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=dict(os.environ, COLUMNS="250"))
        assert done.returncode == 0, done.stderr
        builds.append(done)
        pages.append({p: p.read_bytes() for p in (project / "output" / "stories").rglob("*.html")})
    return SimpleNamespace(project=project, site=project / "output", builds=builds, pages=pages)


def test_pasted_thread_in_a_new_story_builds_and_stays_inert(grown):
    page = story_page(grown.site, "lowell-council-approves-budget")
    heads = page.select(".comment-head")
    assert [h["id"] for h in heads] == ["comment-1", "comment-1-1", "comment-2"]
    assert heads[2].select_one(".comment-author").get_text() == "<b>Sam</b>"
    body = page.find(id="comment-2").find_parent("article").select_one(".comment-body")
    assert body.find("script") is None and "<script>window.__xss = 1</script>" in body.get_text()
    assert "3 comments archived, as declared by the source." in page.select_one(".comments .notice").get_text(" ")


def test_permalink_opens_the_comment_in_a_browser(site, serve, page):
    base = serve(site)
    page.goto(f"{base}/stories/{CBS}/#comment-16-1")
    target = page.locator(":target")
    assert target.get_attribute("id") == "comment-16-1"
    assert target.is_visible() and target.evaluate("el => el.getBoundingClientRect().top") < 200
    page.click("#comment-16-1-1 ~ * a, .comment-context a[href='#comment-16-1']")
    assert page.url.endswith("#comment-16-1")
    page.click("#comment-7 ~ .comment-context a, article:has(#comment-7) .comment-context a")
    assert page.url.endswith("#comment-6")
    assert page.errors == [] and page.dialogs == []


def test_threads_come_from_pelicans_cache_on_a_rebuild_and_their_problems_are_reported_every_time(grown):
    """A thread is parsed as its story file is read (comment_threads' ``story_read`` receiver),
    so Pelican's content cache keeps it: a rebuild takes the stories from the cache and writes
    the same pages. A thread with problems (the seed's declared 23, archived 22) is parsed on
    every build instead, so its warning is printed every time."""
    for done in grown.builds:
        assert "23 comments declared by the source, 22 archived (1 not in the capture)" in done.stderr + done.stdout
    assert list((grown.project / "cache").rglob("*Reader*")), "Pelican kept no content cache"
    assert grown.pages[0] == grown.pages[1] and len(grown.pages[0]) >= 3


def test_a_commenter_with_many_comments_gets_a_page_and_keeps_the_letter_page_entry(grown):
    site = grown.site
    own = BeautifulSoup((site / "commenters" / "m" / "mark" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert own.h1.get_text() == "mark" and own.select_one(".kicker a[href='/commenters/m/#mark']")
    links = [a["href"] for a in own.select(".commenter-comments a")]
    assert links == [f"/stories/{CBS}/#comment-16", f"/stories/{CBS}/#comment-16-1-1", f"/stories/{CBS}/#comment-17"]
    # the letter page keeps mark's entry (the permalink) with the count, linking to the page
    group = BeautifulSoup((site / "commenters" / "m" / "index.html").read_text(encoding="utf-8"), "html.parser")
    entry = group.find(id="mark").find_parent("section")
    assert entry.select_one("a.commenter-page")["href"] == "/commenters/m/mark/"
    assert entry.select_one("a.commenter-page").get_text() == "3 comments" and not entry.select(".commenter-comments")
    # fewer comments: listed on the letter page as before, no page of their own
    king = BeautifulSoup((site / "commenters" / "r" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(king.find(id="richard-g-king").find_parent("section").select(".commenter-comments li")) == 2
    assert sorted(p.parent.name for p in site.glob("commenters/*/*/index.html")) == ["cynic", "mark"]
    index = BeautifulSoup((site / "commenters" / "index.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = {li.a.get_text(): li.a["href"] for li in index.select(".commenter-index li")}
    assert hrefs["mark"] == "/commenters/m/mark/" and hrefs["Ellen"] == "/commenters/e/#ellen"
