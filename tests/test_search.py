"""Site search (Pagefind, docs/SEARCH.md): what is indexed, and the search page in Chromium.

The non-browser tests read the built index itself (Pagefind's page fragments), so they check
what a visitor can actually find, over whatever pages the build produced.
"""

from __future__ import annotations

import datetime
import gzip
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, copy_project, run_build
from playwright.sync_api import expect

from newsarchive.site.build import index_site

CBS = "immigration-check-awaits-mass-arrestees"
AP = "mass-police-to-join-immigration-checks-program"
# Pages that are things (one story, event, person...), as opposed to listings of things. Quotation
# pages are not indexed: each quotation is a hit on its speaker's page (or on quotes/unattributed/).
ENTITY_PAGE = re.compile(
    r"^((stories|events|people|organizations|wire)/[^/]+|(people|organizations)/[^/]+/quotes/page/\d+|quotes/unattributed)/index\.html$"
)
TYPES = {"story", "comment", "quote", "person", "organization", "wire passage", "event"}
RESULT_TAGS = {"LI", "P", "H2", "A", "UL", "MARK"}


def indexed(site: Path) -> dict[str, dict]:
    """Pagefind's record of every indexed page, by URL (a fragment is gzip of b"pagefind_dcd" + JSON)."""
    records = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd"), path
        record = json.loads(raw[len(b"pagefind_dcd") :])
        records[record["url"]] = record
    return records


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts)


# --- what is indexed ------------------------------------------------------------------------------


def test_only_entity_pages_are_indexed(site):
    pages = html_pages(site)
    with_body = {rel for rel in pages if soup(site / rel).select_one("[data-pagefind-body]")}
    listings = [rel for rel in pages if rel in with_body and not ENTITY_PAGE.match(rel)]
    assert listings == [], "index/listing pages must not carry data-pagefind-body"
    assert {rel for rel in pages if ENTITY_PAGE.match(rel)} <= with_body
    assert "search/index.html" in pages and "search/index.html" not in with_body

    records = indexed(site)
    urls = {url.lstrip("/") + "index.html" for url in records}
    assert urls == with_body
    assert {f"stories/{CBS}/index.html", f"stories/{AP}/index.html"} <= urls
    for record in records.values():
        assert record["meta"]["type"] in TYPES
        assert record["meta"]["type"] in record["filters"]["type"]
        assert set(record["filters"]["type"]) <= TYPES
        assert record["meta"]["title"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["meta"].get("date", "")), record["url"]
    for rel in with_body:  # a page without the date sort would stop the merge of the search index
        sorts = [el["data-pagefind-sort"] for el in soup(site / rel).select("[data-pagefind-sort]")]
        assert any(s.startswith(("date:", "date[")) for s in sorts), rel


def test_quotations_are_hits_on_their_speakers_page_not_pages_of_their_own(site):
    records = indexed(site)
    assert not [url for url in records if url.startswith("/quotes/")]
    quotes = json.loads((site / "archive.json").read_text(encoding="utf-8"))["quotes"]
    assert quotes
    for quote in quotes:
        record = records[f"/people/{quote['speaker']}/"]
        assert f"quote-{quote['id']}" in {a["id"] for a in record["anchors"]}
        assert {"person", "quote"} <= set(record["filters"]["type"])
        assert any(o["text"].split()[-1] in record["content"] for o in quote["occurrences"])  # as printed


def test_navigation_and_boilerplate_are_not_indexed(site):
    for record in indexed(site).values():
        text = record["content"]
        for boilerplate in ("Skip to content", "Search the archive", "Machine-readable archive", "Provenance"):
            assert boilerplate not in text, (record["url"], boilerplate)
        assert "¶" not in text


def test_story_pages_carry_filters_meta_and_sort(site):
    records = indexed(site)
    stories = [rel for rel in html_pages(site) if rel.startswith("stories/") and ENTITY_PAGE.match(rel)]
    assert stories
    for rel in stories:
        page = soup(site / rel)
        record = records["/" + rel.removesuffix("index.html")]
        date = page.select_one(".story-header time")["datetime"]
        assert record["meta"] == {"type": "story", "title": page.h1.get_text(), "date": date}
        assert record["filters"]["publisher"] == [page.select_one(".story-header .kicker").get_text(strip=True)]
        assert record["filters"]["year"] == [date[:4]]
        assert page.select_one(".story-header [data-pagefind-sort]")["data-pagefind-sort"] == "date[datetime]"
        authors = {a.get_text(strip=True) for a in page.select(".comment-author")}
        assert set(record["filters"].get("commenter", [])) == authors
        assert ("comment" in record["filters"]["type"]) == bool(authors)
        anchors = {a["id"] for a in record["anchors"]}
        assert {p["id"] for p in page.select(".story-body .para")} <= anchors
        assert {h["id"] for h in page.select(".comment [id]")} <= anchors


def test_search_page_without_javascript_points_to_the_indexes(site):
    page = soup(site / "search/index.html")
    noscript = page.select_one("noscript")
    assert "needs JavaScript" in noscript.get_text()
    assert {"/stories/", "/events/", "/publishers/"} <= {a["href"] for a in noscript.select("a")}
    assert page.select_one('form[role="search"] input[name="q"]')["id"] == page.select_one("label[for]")["for"]
    assert not page.select("script:not([src])"), "no inline scripts (CSP)"


# --- in the browser -------------------------------------------------------------------------------


def wait_for_status(page, start: str = "") -> str:
    """The status line once it says something (starting with ``start``); CSP forbids wait_for_function."""
    expect(page.locator("#search-status")).to_have_text(re.compile("^" + re.escape(start) + "."))
    return page.inner_text("#search-status")


def hit_links(page) -> list[str]:
    return page.eval_on_selector_all("#search-results .hit-link", "els => els.map(e => e.getAttribute('href'))")


def search(page, base: str, query: str) -> str:
    page.goto(f"{base}/search/?{query}")
    return wait_for_status(page)


def assert_clean(page):
    assert page.errors == [] and page.dialogs == []


def test_query_deep_links_to_the_paragraph(site, serve, page):
    base = serve(site)
    status = search(page, base, "q=signals")
    assert status.startswith("1 result for")
    assert hit_links(page) == [f"/stories/{CBS}/#p7"]
    assert page.inner_text("#search-results .hit mark") == "signals"
    page.click("#search-results .hit-link")
    page.wait_for_url(f"**/stories/{CBS}/#p7")
    assert page.evaluate("document.querySelector(':target').id") == "p7"
    assert "signals" in page.inner_text("#p7")
    assert_clean(page)


def test_a_comment_is_its_own_deep_linked_result(site, serve, page):
    story = soup(site / f"stories/{CBS}/index.html")
    comment = next(c for c in story.select("article.comment") if "sanctuary" in c.get_text())
    anchor = comment.get("id") or comment.select_one("[id^=comment-]")["id"]
    base = serve(site)
    search(page, base, "q=sanctuary")
    assert hit_links(page) == [f"/stories/{CBS}/#{anchor}"]
    assert page.inner_text("#search-results .hit-comment .hit-link").startswith("Comment")
    assert_clean(page)


def test_filters_narrow_results(site, serve, page):
    base = serve(site)
    search(page, base, "q=Heffernan")
    everything = page.locator("#search-results > li").count()
    assert everything >= 2
    # filter values are fetched only when asked for: a first query does not download them
    assert page.locator("#search-filter-publisher").count() == 0
    page.click("[data-search-filters-load]")
    expect(page.locator("[data-search-filters] select").first).to_be_focused()
    page.select_option("#search-filter-publisher", "CBS Boston / WBZ")
    expect(page.locator("#search-status")).to_contain_text("with the chosen filters")
    titles = page.eval_on_selector_all("#search-results .result-title", "els => els.map(e => e.textContent)")
    assert "Immigration Check Awaits Mass. Arrestees" in titles
    assert "Mass. police to join immigration checks program" not in titles
    assert 0 < len(titles) < everything
    assert all("CBS Boston / WBZ" in m for m in page.locator("#search-results .result-meta").all_text_contents())
    assert parse_qs(urlparse(page.url).query)["publisher"] == ["CBS Boston / WBZ"]

    search(page, base, "q=immigration")
    assert any("#p" in href for href in hit_links(page))
    search(page, base, "q=immigration&type=comment")
    links = hit_links(page)
    assert links and all("#comment-" in href for href in links)
    if page.locator(".result-more").count():  # more comments match than are shown at first
        page.click(".result-more")
        more = hit_links(page)
        assert len(more) > len(links) and all("#comment-" in href for href in more)
        assert page.evaluate("document.activeElement.getAttribute('href')") == more[len(links)]
    assert page.input_value("#search-filter-type") == "comment"
    assert_clean(page)


def test_type_quote_shows_quotations_linked_on_the_speakers_page(site, serve, page):
    base = serve(site)
    search(page, base, "q=clear&type=quote")
    (link,) = hit_links(page)
    assert link.startswith("/people/mary-beth-heffernan/#quote-mary-beth-heffernan-")
    assert page.text_content("#search-results .result-quote .result-meta").startswith("Quotation · Mary Beth Heffernan")
    page.click("#search-results .hit-link")
    page.wait_for_url(base + link)  # the speaker's page, loaded: only then is its :target set
    expect(page.locator(":target")).to_have_class("quote-item")
    assert "It has become clear now" in page.inner_text(":target")
    page.click(":target .meta a")  # on to the quotation's own page, with every printing
    assert page.locator(".witness").count() == 2
    assert_clean(page)


def results(page) -> list[dict]:
    """Each result shown: its meta line, its title and the links and excerpts under it."""
    return page.eval_on_selector_all(
        "#search-results > li",
        """els => els.map(li => ({
          meta: li.querySelector('.result-meta').textContent, title: li.querySelector('.result-title').textContent,
          links: [...li.querySelectorAll('.hit-link')].map(a => a.getAttribute('href')),
          excerpts: [...li.querySelectorAll('.result-excerpt')].map(p => p.textContent)}))""",
    )


def test_a_speakers_name_with_type_quotation_lists_each_quotation_as_a_result(site, serve, page):
    """Before: "Heffernan" with Type = Quotation gave one result labelled PERSON, with no excerpt."""
    quotes = json.loads((site / "archive.json").read_text(encoding="utf-8"))["quotes"]
    stories = {s["slug"]: s for s in json.loads((site / "archive.json").read_text(encoding="utf-8"))["stories"]}
    base = serve(site)
    for speaker, name in (("mary-beth-heffernan", "Heffernan"), ("eva-millona", "Millona")):
        theirs = [q for q in quotes if q["speaker"] == speaker]
        search(page, base, f"q={name}&type=quote")
        shown = results(page)
        assert len(shown) == len(theirs), shown
        assert sorted(link for r in shown for link in r["links"]) == sorted(
            f"/people/{speaker}/#quote-{q['id']}" for q in theirs
        )
        for result, quote in zip(
            sorted(shown, key=lambda r: r["links"][0]), sorted(theirs, key=lambda q: q["id"]), strict=True
        ):
            outlets = {stories[o["story"]]["publisher"] for o in quote["occurrences"]}
            label, who, where, *_ = result["meta"].split(" · ")
            assert (label, set(where.split(", "))) == ("Quotation", outlets) and name in who, result["meta"]
            assert result["excerpts"] and re.sub(r"^[“\"…\s]+", "", result["excerpts"][0])[:20] in quote["text"]
        (ROOT / "test-screenshots").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-screenshots" / f"search-quotations-{name.lower()}.png"))
        page.click("#search-results .hit-link")
        expect(page.locator(":target")).to_have_class("quote-item")
    assert_clean(page)


def test_a_commenter_filter_lists_that_commenters_comments_each_deep_linked(site, serve, page):
    """Before: the filter showed the story, not the comments."""
    story = soup(site / f"stories/{CBS}/index.html")
    theirs = [
        h["id"] for h in story.select(".comment-head") if h.select_one(".comment-author").get_text(strip=True) == "mark"
    ]
    assert len(theirs) >= 2
    base = serve(site)
    search(page, base, "commenter=mark")
    assert hit_links(page) == [f"/stories/{CBS}/#{anchor}" for anchor in theirs]
    labels = page.eval_on_selector_all("#search-results .hit-link", "els => els.map(e => e.textContent)")
    assert all(re.fullmatch(r"Comment [\d.]+ by mark", label) for label in labels), labels
    page.click("#search-results .hit-link >> nth=1")
    page.wait_for_url(f"**/stories/{CBS}/#{theirs[1]}")
    assert_clean(page)


def test_excerpts_are_clean_text(site, serve, page):
    """Before: "RolePublic Safety SecretaryAlso calledPublic…", `“"It has become clear…`, and
    "Comment 16.1.1 by mark16.1.1 mark says:" (a comment's heading repeated in its excerpt)."""
    for record in indexed(site).values():
        assert not re.search(r"“[\"']|\b(Roles?|Also called)[A-Z]", record["content"] + record["meta"]["title"]), (
            record["url"]
        )
    base = serve(site)
    for query in ("q=Heffernan", "q=mandatory", "q=immigration&type=comment", "commenter=mark"):
        search(page, base, query)
        shown = results(page)
        assert shown
        for result in shown:
            text = " ".join([result["title"], *result["excerpts"]])
            assert not re.search(r"“[\"']|says:|\b(Roles?|Also called)[A-Z]", text), (query, text)
    assert_clean(page)


@pytest.fixture(scope="module")
def unattributed_site(tmp_path_factory) -> Path:
    """The seed archive plus a story with a quotation nobody is named for."""
    project = copy_project(tmp_path_factory.mktemp("unattributed") / "project")
    (project / "content" / "stories" / "unattributed.md").write_text(
        "Title: A quiet hall\nDate: 2011-03-01\nPublisher: The Later Gazette\n\n"
        "The hall was quiet.\n\n“We have waited long enough for this zebrafinch.”\n",
        encoding="utf-8",
    )
    done = run_build(project / "content", project / "output", cwd=project)
    assert done.returncode == 0, done.stderr
    return project / "output"


def test_a_quotation_with_no_speaker_is_a_hit_on_the_unattributed_page(unattributed_site, serve, page):
    (quote,) = [q for q in json.loads((unattributed_site / "archive.json").read_text())["quotes"] if not q["speaker"]]
    record = indexed(unattributed_site)["/quotes/unattributed/"]
    assert record["meta"]["type"] == "quote" and record["filters"]["publisher"] == ["The Later Gazette"]
    base = serve(unattributed_site)
    search(page, base, "q=zebrafinch")
    assert sorted(hit_links(page)) == [f"/quotes/unattributed/#quote-{quote['id']}", "/stories/a-quiet-hall/#p2"]
    search(page, base, "q=zebrafinch&type=quote")
    assert hit_links(page) == [f"/quotes/unattributed/#quote-{quote['id']}"]
    assert_clean(page)


def test_a_query_with_no_hits_says_so(site, serve, page):
    base = serve(site)
    status = search(page, base, "q=xylophonequark")
    assert status.startswith("No results for “xylophonequark”")
    assert page.locator("#search-results > li").count() == 0
    assert page.get_attribute("#search-status", "role") == "status"
    assert_clean(page)


def test_header_box_on_a_story_page_searches(site, serve, page):
    base = serve(site)
    page.goto(f"{base}/stories/{AP}/")
    page.fill("#site-search", "signals")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/?q=signals")
    assert wait_for_status(page).startswith("1 result")
    assert page.input_value("#search-query") == "signals"
    assert hit_links(page) == [f"/stories/{CBS}/#p7"]
    assert_clean(page)


def test_results_appear_as_you_type_and_keys_move_through_them(site, serve, page):
    base = serve(site)
    page.goto(f"{base}/search/")
    page.get_by_label("Words to find").press_sequentially("Heffernan")
    assert re.match(r"\d+ results for “Heffernan”", wait_for_status(page))
    assert parse_qs(urlparse(page.url).query)["q"] == ["Heffernan"]
    page.press("#search-query", "ArrowDown")
    links = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.href)")
    assert page.evaluate("document.activeElement.href") == links[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == links[1]
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "search-query"
    assert_clean(page)


def test_without_javascript_the_page_says_so(site, serve, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{serve(site)}/search/?q=signals")
        assert "Searching needs JavaScript" in page.inner_text("main")
        assert page.get_by_role("link", name="all stories").get_attribute("href") == "/stories/"
    finally:
        context.close()


def test_search_works_under_a_sub_path(subpath_site, serve, page):
    base = serve(subpath_site, prefix="/archive")
    page.goto(f"{base}/stories/{AP}/")
    page.fill("#site-search", "signals")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/archive/search/?q=signals")
    assert wait_for_status(page).startswith("1 result")
    assert hit_links(page) == [f"/archive/stories/{CBS}/#p7"]
    page.click("#search-results .hit-link")
    page.wait_for_url(f"**/archive/stories/{CBS}/#p7")
    assert_clean(page)


@pytest.fixture(scope="module")
def hostile_site(site, tmp_path_factory) -> Path:
    """The seed site plus one later story whose reader comment is every XSS payload, re-indexed."""
    out = tmp_path_factory.mktemp("hostile") / "output"
    shutil.copytree(site, out)
    shutil.rmtree(out / "pagefind")
    payloads = (ROOT / "tests/fixtures/xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    body = " ".join(f"zqxpayload {html.escape(p)}" for p in payloads if p.strip())
    story = out / "stories" / "later-story" / "index.html"
    story.parent.mkdir()
    story.write_text(
        f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Later</title></head><body>
<article data-pagefind-body data-pagefind-filter="type:story" data-pagefind-meta="type:story">
<p class="kicker"><a data-pagefind-filter="publisher">The Later Gazette</a></p>
<h1 data-pagefind-meta="title">A later word from Heffernan</h1>
<time datetime="2011-02-01" data-pagefind-sort="date[datetime]" data-pagefind-meta="date[datetime]">2011</time>
<div hidden data-pagefind-ignore><span data-pagefind-filter="year:2011"></span>
<span data-pagefind-filter="type:comment"></span><span data-pagefind-filter="commenter:Mallory"></span></div>
<div class="para" id="p1"><p>Heffernan spoke again in February.</p></div>
<section class="comments" id="comments"><h2 id="comments-heading">Reader comments</h2>
<article class="comment"><h3 id="comment-1">1 Mallory says:</h3><div class="comment-body"><p>{body}</p></div></article>
</section></article></body></html>""",
        encoding="utf-8",
    )
    assert index_site(out, quiet=True)  # as the build indexes: in shards, merged
    return out


def test_comment_text_is_shown_as_text_never_markup(hostile_site, serve, page):
    base = serve(hostile_site)
    search(page, base, "q=zqxpayload")
    assert hit_links(page) == ["/stories/later-story/#comment-1"]
    tags = set(page.eval_on_selector_all("#search-results *", "els => els.map(e => e.tagName)"))
    assert tags <= RESULT_TAGS
    assert page.eval_on_selector_all("#search-results mark", "els => els.every(e => !e.attributes.length)")
    excerpt = page.inner_text("#search-results .hit-comment .result-excerpt")
    assert "<" in excerpt and "alert" in excerpt
    assert page.evaluate("window.__xss") is None
    assert_clean(page)


def test_sort_by_date(hostile_site, serve, page):
    """Newest or oldest first, every result in date order (the dates each result shows)."""
    base = serve(hostile_site)
    titles = "els => els.map(e => e.textContent)"

    def shown_dates() -> list[datetime.date]:
        metas = page.eval_on_selector_all("#search-results > li .result-meta", titles)
        found = [re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", meta) for meta in metas]
        assert all(found) and len(found) >= 3, metas
        return [datetime.datetime.strptime(m.group(0), "%B %d, %Y").date() for m in found]

    search(page, base, "q=Heffernan&sort=asc")
    oldest_first = page.eval_on_selector_all("#search-results .result-title", titles)
    assert oldest_first[-1] == "A later word from Heffernan"
    assert shown_dates() == sorted(shown_dates()) and len(set(shown_dates())) > 1
    page.select_option("#search-sort", "desc")
    expect(page).to_have_url(re.compile(r"sort=desc"))
    expect(page.locator("#search-results .result-title").first).to_have_text("A later word from Heffernan")
    assert shown_dates() == sorted(shown_dates(), reverse=True)
    assert sorted(page.eval_on_selector_all("#search-results .result-title", titles)) == sorted(oldest_first)
    assert_clean(page)
