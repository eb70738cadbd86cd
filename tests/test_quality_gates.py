"""Quality gates over the built site: HTML validity, links, accessibility, feeds, structured data,
script injection and reproducible builds.

Each gate fails with a readable list of what is wrong. The gates read the session ``site`` (the seed
archive, ``SITEURL=""``); a few module fixtures add one build each: for a sub-path (``/archive``), for
the public URL (``publishconf.py``), with an XSS story, and two copies for reproducibility. Pages that
plugins add later (quotes, people, wire passages, commenters, ...) are checked as soon as they appear.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import feedparser
import gates
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, copy_project, run_build

from newsarchive.formats.markdown_body import escape_line

PUBLIC_URL = "https://example.github.io/archive"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAYLOADS_FILE = ROOT / "tests" / "fixtures" / "xss_payloads.txt"


def build(project: Path, out: Path, siteurl: str, *extra: str, **env: str) -> Path:
    """Build ``project``'s content into ``out`` with ``SITEURL=siteurl``; fails the test on a build error."""
    env = dict(os.environ, SITEURL=siteurl, COLUMNS="160", **env)
    done = run_build(project / "content", out, *extra, env=env, cwd=project)
    assert done.returncode == 0, f"build of {project} failed:\n" + (done.stdout + done.stderr)[-4000:]
    return out


def report(problems: list[str], limit: int = 60) -> str:
    shown = problems[:limit]
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n" + "\n".join(shown) + more


@pytest.fixture(scope="module")
def public_site(tmp_path_factory) -> Path:
    """The seed archive as deployed: ``publishconf.py`` with an absolute SITEURL on a sub-path."""
    return build(ROOT, tmp_path_factory.mktemp("public") / "output", PUBLIC_URL, "--settings", "publishconf.py")


# --- HTML validity ------------------------------------------------------------------------------------------


def test_every_page_and_stylesheet_passes_the_nu_html_checker(site, xss_build, tmp_path):
    """vnu.jar (npm ``vnu-jar``) over every page, the theme CSS and (when it builds) the XSS build's new pages.

    A known-bad page rides along in the same (slow to start) JVM run to show the checker really reports."""
    bad = tmp_path / "known-bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><title>x</title><p id="a">1</p><p id="a">2</p></html>')
    files = gates.html_pages(site) + sorted(site.glob("theme/css/*.css")) + [bad]
    if xss_build.returncode == 0:  # a failing XSS build is reported by the XSS gates
        for page in gates.html_pages(xss_build.output):  # the pages the XSS story added or changed
            same = site / gates.rel(xss_build.output, page)
            if not same.exists() or same.read_bytes() != page.read_bytes():
                files.append(page)
    problems = gates.vnu_problems(files, root=Path(os.path.commonpath([site, tmp_path, xss_build.output])))
    assert any("known-bad.html" in p and "Duplicate ID" in p for p in problems), problems
    problems = [p for p in problems if "known-bad.html" not in p]
    assert not problems, report(problems)


# --- Links --------------------------------------------------------------------------------------------------


def test_every_internal_link_and_fragment_resolves(site):
    assert gates.html_pages(site)
    problems = gates.link_problems(site, "")
    assert not problems, report(problems)


def test_every_internal_link_resolves_under_a_sub_path(subpath_site):
    """Built with ``SITEURL=/archive``: every link stays under /archive/ and resolves."""
    problems = gates.link_problems(subpath_site, "/archive")
    assert not problems, report(problems)


def test_every_link_resolves_in_the_published_build(public_site):
    """Built as deployed (absolute SITEURL): links, sitemap ``<loc>`` and JSON-LD URLs resolve on this site."""
    problems = gates.link_problems(public_site, PUBLIC_URL)
    problems += gates.structured_data_problems(public_site, PUBLIC_URL)[0]
    sitemap = (public_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]*)</loc>", sitemap)
    problems += [f"sitemap.xml: <loc>{loc}</loc> is not absolute" for loc in locs if not loc.startswith(PUBLIC_URL)]
    assert not problems, report(problems)


def test_the_link_checker_finds_broken_links(tmp_path):
    """The gate itself: a missing page, a missing fragment and an escape from the sub-path are reported."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="x">x</p><a href="/archive/a/#x">ok</a>')
    (tmp_path / "index.html").write_text(
        '<a href="/archive/a/#y">1</a><a href="/archive/b/">2</a><a href="/a/">3</a><a href="#x">4</a>'
    )
    problems = gates.link_problems(tmp_path, "/archive")
    assert len(problems) == 4, problems
    assert "no element id='y'" in problems[0] and "no such file" in problems[1] and "sub-path" in problems[2]


# --- Accessibility ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def axe_page(page_with, site, serve):
    """A Chromium page on the served site that can run axe-core (CSP bypassed so axe can be injected)."""
    page = page_with(axe=True)
    page.base_url = serve(site)
    return page


def axe_violations(page, url: str, kind: str = "") -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on ``url`` (a page of ``kind``), one line per failing element."""
    gates.open_page_kind(page, url, kind)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    lines = []
    for v in result["violations"]:
        for node in v["nodes"][:5]:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']}: {node['target']} {node['html'][:120]}")
        if len(v["nodes"]) > 5:
            lines.append(f"{v['id']}: ... and {len(v['nodes']) - 5} more elements")
    return lines


@pytest.mark.parametrize("kind", gates.PAGE_KINDS)
def test_page_has_no_wcag_aa_violations(kind, site, axe_page):
    pattern, required = gates.PAGE_KINDS[kind]
    found = gates.largest_page(site, kind)
    if not found:
        assert not required, f"no {kind} page ({pattern}) in output/"
        pytest.skip(f"no {kind} page ({pattern}) in output/ yet")
    url = axe_page.base_url + gates.page_url(site, found)
    problems = axe_violations(axe_page, url, kind)
    assert not problems, f"{url}\n" + report(problems)


def test_axe_reports_violations(axe_page, tmp_path, serve):
    """The gate itself: a page with an unlabeled input and an image without alt fails."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>t</title><main><img src="x.png"><input type="text"></main></html>'
    )
    problems = axe_violations(axe_page, serve(tmp_path) + "/")
    assert {p.split(" ")[0] for p in problems} >= {"image-alt", "label"}, problems


# --- Feeds --------------------------------------------------------------------------------------------------


def feed_problems(site: Path, siteurl: str) -> list[str]:
    """Every Atom feed parses cleanly and its entries carry title, date, link and summary; links resolve."""
    checker = gates.LinkChecker(site, siteurl)
    feeds = sorted(site.glob("feeds/**/*.atom.xml"))
    problems = [] if feeds else ["no Atom feed in output/feeds/"]
    for path in feeds:
        name = gates.rel(site, path)
        feed = feedparser.parse(path.read_bytes())
        if feed.bozo:
            problems.append(f"{name}: not well-formed: {feed.bozo_exception}")
        if not feed.feed.get("title"):
            problems.append(f"{name}: feed without title")
        if not feed.entries:
            problems.append(f"{name}: no entries")
        ids = [e.get("id") for e in feed.entries]
        if len(set(ids)) != len(ids):
            problems.append(f"{name}: entry ids are not unique")
        for entry in feed.entries:
            title = entry.get("title", "")
            for key in ("title", "link", "summary", "id"):
                if not str(entry.get(key, "")).strip():
                    problems.append(f"{name}: entry {title!r} without {key}")
            summary = BeautifulSoup(entry.get("summary", ""), "html.parser").get_text(" ", strip=True)
            text = " ".join(c.get("value", "") for c in entry.get("content", []))
            if not summary or summary not in BeautifulSoup(text, "html.parser").get_text(" ", strip=True):
                problems.append(f"{name}: entry {title!r} without the story's text")
            if not (entry.get("published_parsed") or entry.get("updated_parsed")):
                problems.append(f"{name}: entry {title!r} without a date")
            link = entry.get("link", "")
            if siteurl.startswith("http") and not link.startswith(siteurl + "/"):
                problems.append(f"{name}: entry {title!r} link {link!r} is not an absolute URL on {siteurl}")
            why = checker.check(link, site / "index.html") if checker.is_internal(link) else "not on this site"
            if why:
                problems.append(f"{name}: entry {title!r} link {link!r}: {why}")
            if siteurl.startswith("http") and "None" in entry.get("id", ""):
                problems.append(f"{name}: entry {title!r} id {entry.get('id')!r} names no domain")
    return problems


def test_feeds_parse_and_entries_are_complete(site):
    problems = feed_problems(site, "")
    all_feed = feedparser.parse((site / "feeds" / "all.atom.xml").read_bytes())
    stories = sorted(site.glob("stories/*/index.html"))
    if len(all_feed.entries) != min(len(stories), 100):  # Pelican's FEED_MAX_ITEMS
        problems.append(f"feeds/all.atom.xml: {len(all_feed.entries)} entries for {len(stories)} stories")
    assert not problems, report(problems)


def test_published_feeds_use_absolute_links(public_site):
    """Feed readers need absolute URLs: in the deployed build every entry links to SITEURL/..."""
    problems = feed_problems(public_site, PUBLIC_URL)
    assert not problems, report(problems)


# --- Structured data ----------------------------------------------------------------------------------------


def test_structured_data_parses_and_is_complete(site):
    """JSON-LD on every page parses; each story page has one NewsArticle agreeing with the page; Comment,
    Quotation, Person and Organization objects (wherever they appear) carry what they must."""
    problems, counts = gates.structured_data_problems(site, "")
    stories = [p for p in site.glob("stories/*/index.html")]
    assert counts.get("NewsArticle") == len(stories), counts
    assert not problems, report(problems) + f"\nJSON-LD objects seen: {counts}"


def test_structured_data_checks_catch_incomplete_objects():
    """The gate itself: a reply without parentItem and a quotation without speaker are reported."""
    known = {"/stories/a/"}
    comment = {"@type": "Comment", "text": "hi", "author": {"@type": "Person", "name": "mark"}}
    assert gates.object_problems(comment, known) == ["Comment None without parentItem"]
    comment["parentItem"] = {"@id": "/stories/a/"}
    assert gates.object_problems(comment, known) == []
    quote = {"@type": "Quotation", "text": "It is sad", "@id": "/quotes/q1/"}
    assert gates.object_problems(quote, known) == ["Quotation /quotes/q1/ without spokenByCharacter or creator"]
    quote["spokenByCharacter"] = {"@type": "Person", "name": "Patricia Montes"}
    assert gates.object_problems(quote, known) == []


# --- Script injection ---------------------------------------------------------------------------------------


def xss_payloads() -> list[str]:
    payloads = [line.strip() for line in PAYLOADS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(payloads) >= 50, f"{PAYLOADS_FILE} has only {len(payloads)} payloads"
    return payloads


def xss_story(payloads: list[str]) -> str:
    """A story file whose metadata, body paragraphs, media lines, comment authors and bodies, replies and
    dropped boilerplate carry the payloads."""
    head = [
        "Title: <script>window.__xss=1</script> XSS test story",
        "Date: 2011-01-01",
        "Slug: xss",
        "Publisher: <img src=x onerror=alert(1)> Gazette",
        "Source_url: https://example.com/xss?a=1&b=2",
        "Dateline: <svg onload=alert(1)>",
        "Credit: <b onmouseover=alert(1)>credit</b>",
        "Rights: </dd><script>alert(1)</script>",
        "Event: <img src=x onerror=window.__xss=1> event",
        "Tags: <script>alert(1)</script>",
        "Authors: <svg onload=window.__xss=1>, <b onmouseover=alert(1)>byline</b>",
        "Summary: <script>window.__xss=1</script> summary",
        "",
    ]
    body = [
        escape_line("<svg onload=alert(1)> opens the first paragraph, as a dateline does."),
        "",
    ]  # lint checks the Dateline
    body += [line for p in payloads for line in (escape_line(p), "")]  # as `archive import` writes them
    media = ["## Media", "", *(f"- after p{i}: {p}" for i, p in enumerate(payloads[:10], 1)), ""]
    comments = [f"## Comments ({len(payloads)})", ""]
    for i, p in enumerate(payloads, 1):
        comments += [f"  {i}. {p} says:", "", f"    {p}", ""]
        if i <= 5:
            comments += [f"    1. {payloads[-i]} says:", "", f"      {payloads[-i]}", ""]
    dropped = ["## Dropped boilerplate", "", *payloads[:10]]
    return "\n".join(head + body + media + comments + dropped) + "\n"


def xss_raw_story(payloads: list[str]) -> str:
    """A story whose Markdown body carries the payloads as raw HTML: cleaned, never run."""
    body = [line for p in payloads for line in (p, "", f"A paragraph with {p} inside.", "")]
    return "\n".join(["Title: Raw HTML in a body", "Date: 2011-01-03", "Slug: xss-raw", "", *body])


@pytest.fixture(scope="module")
def xss_build(tmp_path_factory):
    """A copy of the project with ``content/stories/xss.md`` added, built with SITEURL="", a page of
    their own for commenters with two comments or more and one story a page of "Stories naming X":
    the finished process, with ``.output`` set to the output directory."""
    pages_the_seeds_lack = "COMMENTER_OWN_PAGE_FROM = 2\nENTITY_STORIES_PER_PAGE = 1"
    project = copy_project(tmp_path_factory.mktemp("xss") / "project", pages_the_seeds_lack)
    (project / "content" / "stories" / "xss.md").write_text(xss_story(xss_payloads()), encoding="utf-8")
    (project / "content" / "stories" / "xss-raw.md").write_text(xss_raw_story(xss_payloads()), encoding="utf-8")
    (project / "content" / "stories" / "x").write_bytes(b"GIF89a")  # the image <img src=x ...> names
    env = dict(os.environ, SITEURL="", COLUMNS="160")
    done = run_build(project / "content", project / "output", env=env, cwd=project)
    done.output = project / "output"
    return done


@pytest.fixture
def xss_site(xss_build) -> Path:
    """The XSS build's output; fails the test when the story did not build."""
    assert xss_build.returncode == 0, "the XSS story did not build:\n" + (xss_build.stdout + xss_build.stderr)[-4000:]
    return xss_build.output


def test_xss_payloads_are_shown_as_text(xss_site):
    """Every payload is on the story page as the very text typed: escaped, not stripped or interpreted."""
    doc = gates.soup(xss_site / "stories" / "xss" / "index.html")
    paragraphs = {p.get_text() for p in doc.select(".story-body .para > p")}
    missing = [p for p in xss_payloads() if p not in paragraphs]
    comments = " ".join(el.get_text(" ") for el in doc.select("[id^=comment-]"))
    if comments:
        missing += [f"(comment) {p}" for p in xss_payloads() if p not in comments]
    assert not missing, report(missing)


def test_xss_story_output_has_no_injected_markup(xss_site):
    """No ``on*`` attribute, script URL, foreign ``<script>``/frame/object anywhere in the output, also in
    the feeds' HTML; JSON-LD still parses on every page."""
    problems = gates.injection_problems(xss_site, "")
    for path in sorted(xss_site.glob("feeds/**/*.atom.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            for part in [entry.get("summary", "")] + [c.value for c in entry.get("content", [])]:
                fragment = gates.BeautifulSoup(part, "html.parser")
                problems += [f"{gates.rel(xss_site, path)}: {p}" for p in gates.element_problems(fragment)]
    problems += [p for p in gates.structured_data_problems(xss_site, "")[0] if "JSON" in p]
    problems += gates.csp_problems(xss_site)
    assert not problems, report(problems)


SCRIPT_URLS = [
    "javascript:alert(1)",
    " JavaScript:window.__xss=1",
    "data:text/html,<script>alert(1)</script>",
    'http://example.com/?q="><script>alert(1)</script>',
]


def test_a_script_source_url_is_refused_or_not_linked(tmp_path):
    """``Source_url`` comes from captures: a script URL (or one that breaks out of its attribute) must stop
    the build (naming the file and line) or stay unlinked text; a linked URL carries only valid URL characters."""
    project = copy_project(tmp_path / "project")
    for i, url in enumerate(SCRIPT_URLS):
        story = f"Title: Script URL {i}\nDate: 2011-01-02\nSlug: script-url-{i}\nSource_url: {url}\n\nBody.\n"
        (project / "content" / "stories" / f"script-url-{i}.md").write_text(story, encoding="utf-8")
    done = run_build(project / "content", project / "output", env=dict(os.environ, SITEURL=""), cwd=project)
    if done.returncode != 0:
        refused = [i for i in range(len(SCRIPT_URLS)) if f"script-url-{i}.md:4:" in done.stdout + done.stderr]
        assert refused == list(range(len(SCRIPT_URLS))), done.stdout + done.stderr
        return
    problems = gates.injection_problems(project / "output", "")
    for i in range(len(SCRIPT_URLS)):
        for link in gates.soup(project / "output" / "stories" / f"script-url-{i}" / "index.html").select("a[href]"):
            if re.search(r'[\s"<>]', link["href"]):
                problems.append(f"stories/script-url-{i}/: <a href={link['href']!r}> is not a valid URL")
    assert not problems, report(problems)


def scripts_that_ran(browser, urls: list[str]) -> list[str]:
    """Load each URL in Chromium with the CSP bypassed; report dialogs opened and ``window.__xss`` set."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    ran = []
    page.on("dialog", lambda d: (ran.append(f"{page.url}: dialog {d.message!r}"), d.dismiss()))
    for url in urls:
        page.goto(url, wait_until="load")
        # let autofocus and animation payloads fire, if any got through: they run by the second frame
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        if page.evaluate("typeof window.__xss !== 'undefined'"):
            ran.append(f"{url}: window.__xss was set")
    context.close()
    return ran


def test_no_injected_script_runs_in_chromium(xss_site, browser, serve):
    """With the CSP bypassed (escaping must hold on its own), no payload opens a dialog or sets __xss:
    story pages (the payloads as text, and as raw HTML in a Markdown body), home, event and publisher
    pages, and the commenters pages when they exist."""
    base = serve(xss_site)
    pages = [xss_site / "stories/xss/index.html", xss_site / "stories/xss-raw/index.html", xss_site / "index.html"]
    for pattern in (
        "events/**/index.html",
        "publishers/**/index.html",
        "commenters/**/index.html",
        "quotes/index.html",
    ):
        pages += sorted(xss_site.glob(pattern))
    assert len(list(xss_site.glob("commenters/*/*/index.html"))) >= 5  # commenters' own pages, named by payloads
    ran = scripts_that_ran(browser, [base + gates.page_url(xss_site, p) for p in pages])
    assert not ran, report(ran)


@pytest.mark.parametrize("pattern", ["commenters/*/*/index.html", "people/*/page/*/index.html"])
def test_pages_only_the_xss_build_has_have_no_wcag_aa_violations(xss_site, axe_page, serve, pattern):
    """The seed site has no commenter with a page of their own (20 comments or more) and no second
    page of "Stories naming X" (100 stories a page); the XSS build has both."""
    largest = max(xss_site.glob(pattern), key=lambda p: (p.stat().st_size, p))
    problems = axe_violations(axe_page, serve(xss_site) + gates.page_url(xss_site, largest))
    assert not problems, report(problems)


def test_the_browser_check_sees_scripts_run(browser, serve, tmp_path):
    """The gate itself: a raw payload does open a dialog and set __xss when the escaping is missing."""
    (tmp_path / "index.html").write_text("<p>x</p><img src=x onerror=alert(1)><svg onload=window.__xss=1></svg>")
    ran = scripts_that_ran(browser, [serve(tmp_path) + "/"])
    assert len(ran) == 2 and "dialog '1'" in ran[0] and "__xss" in ran[1], ran
    # payloads that fire only once the page has focus or has drawn a frame
    (tmp_path / "later.html").write_text(
        "<style>@keyframes k{from{opacity:0}}</style><input autofocus onfocus=alert(2)>"
        "<p style='animation:k 1s' onanimationstart=window.__xss=1>x</p>"
    )
    ran = scripts_that_ran(browser, [serve(tmp_path) + "/later.html"])
    assert len(ran) == 2 and "dialog '2'" in ran[0] and "__xss" in ran[1], ran


def test_every_page_has_a_strict_content_security_policy(site):
    problems = gates.csp_problems(site) + gates.injection_problems(site, "")
    assert not problems, report(problems)


def test_csp_check_catches_a_weak_policy(tmp_path):
    """The gate itself: a page without CSP and one allowing inline scripts are reported."""
    (tmp_path / "none.html").write_text("<html><head><title>x</title></head></html>")
    (tmp_path / "weak.html").write_text(
        "<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'\"></head></html>"
    )
    problems = gates.csp_problems(tmp_path)
    assert len(problems) == 2 and "no Content-Security-Policy" in problems[0] and "unsafe-inline" in problems[1]


def test_injection_checks_catch_raw_markup():
    """The gate itself: raw payload markup is reported, the theme's own scripts are not."""
    doc = gates.BeautifulSoup(
        '<script src="/pagefind/pagefind-ui.js"></script><script type="application/ld+json">{}</script>'
        '<img src=x onerror=alert(1)><a href=" JaVa&#x09;script:alert(1)">x</a><script>alert(1)</script>'
        "<iframe srcdoc=x></iframe>",
        "html.parser",
    )
    found = gates.element_problems(doc, "")
    assert len(found) == 5, found


# --- Reproducible builds ------------------------------------------------------------------------------------


def test_a_rebuild_from_pelicans_cache_writes_the_same_bytes(xss_build, tmp_path):
    """A second build of the XSS project reads every story from Pelican's reader cache (the
    analyses then start from the cached Story, not a freshly parsed one) and writes what the
    first wrote, file for file, the search index included."""
    project = xss_build.output.parent
    assert xss_build.returncode == 0 and [p for p in (project / "cache").rglob("*Reader*") if p.is_file()]
    warm = build(project, tmp_path / "warm", "")  # as xss_build built it
    files = {gates.rel(xss_build.output, p): p.read_bytes() for p in xss_build.output.rglob("*") if p.is_file()}
    again = {gates.rel(warm, p): p.read_bytes() for p in warm.rglob("*") if p.is_file()}
    assert files.keys() == again.keys()
    assert [name for name, raw in files.items() if again[name] != raw] == []


def test_two_clones_build_byte_identical_sites(public_site, tmp_path):
    """Same content from two clone paths, time zones, hash seeds and file mtimes, and with the quotation
    and wire pages written by a forked child and the wire copy found by another, or everything in one
    process: the same bytes, every file. The first is the repository's own build as deployed."""
    a, out_a = ROOT, public_site
    b = copy_project(tmp_path / "clone-two" / "deeper" / "project")
    for path in (b / "content").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    out_b = build(
        b,
        b / "out",
        PUBLIC_URL,
        "--settings",
        "publishconf.py",
        TZ="Asia/Tokyo",
        PYTHONHASHSEED="2",
        ARCHIVE_PARALLEL_WRITING="0",
        ARCHIVE_PARALLEL_ANALYSIS="0",
    )
    files_a = {gates.rel(out_a, p) for p in out_a.rglob("*") if p.is_file()}
    files_b = {gates.rel(out_b, p) for p in out_b.rglob("*") if p.is_file()}
    # every file, the search index included (newsarchive.site.pagefind_output makes Pagefind's filter order canonical)
    problems = [f"only in the first build: {f}" for f in sorted(files_a - files_b)]
    problems += [f"only in the second build: {f}" for f in sorted(files_b - files_a)]
    problems += [
        f"differs: {f}" for f in sorted(files_a & files_b) if (out_a / f).read_bytes() != (out_b / f).read_bytes()
    ]
    for out, project in ((out_a, a), (out_b, b)):
        for path in out.rglob("*"):
            if path.is_file() and str(project).encode() in path.read_bytes():
                problems.append(f"{gates.rel(out, path)} contains the build's absolute path")
    assert not problems, report(problems)
