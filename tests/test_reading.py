"""Reading comfort as a visitor meets it, measured in Chromium on the built seed site: line length,
the masthead on a phone, the dark colour scheme, print, the 404 page. The run also saves a
screenshot of every page kind at 1366 and 390 px wide under ``test-screenshots/`` (see README)."""

from __future__ import annotations

from pathlib import Path

import gates
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Characters a line of each running-text block holds, from its rendered font: its content width
# over the mean advance of its own characters (canvas measureText with the computed font).
CHARACTERS_PER_LINE = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const found = [];
  for (const el of document.querySelectorAll('main :is(p, li, dd, blockquote)')) {
    if (el.querySelector('p, li, ul, ol, dl') || el.closest('table, details')) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'inline' || !cs.fontFamily.includes('Georgia')) continue;
    const text = el.textContent.replace(/\\s+/g, ' ').trim();
    if (text.length < 150) continue;
    ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const width = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    found.push({what: text.slice(0, 40), chars: Math.round(width / (ctx.measureText(text).width / text.length))});
  }
  return found;
}"""


def url_of(site: Path, base: str, kind: str) -> str | None:
    page = gates.largest_page(site, kind)
    return None if page is None else base + gates.page_url(site, page)


def visit_every_page_kind(page, site: Path, base: str):
    """Opens the largest page of each kind the site has in ``page``; yields (kind, url) once it is shown."""
    for kind in gates.PAGE_KINDS:
        url = url_of(site, base, kind)
        if url is None:
            continue
        gates.open_page_kind(page, url, kind)
        yield kind, url


@pytest.fixture(scope="module")
def base(site, serve) -> str:
    return serve(site)


def new_page(browser, **options):
    """A page of its own, for a test that changes what outlives a navigation (``page_with`` otherwise)."""
    context = browser.new_context(**options)
    return context, context.new_page()


@pytest.mark.parametrize("kind", ["story", "quote", "person", "wire passage", "about", "comparison"])
def test_running_text_is_60_to_75_characters_a_line_on_a_desktop(kind, site, base, page_with):
    url = url_of(site, base, kind)
    if url is None:
        pytest.skip(f"no {kind} page in the seed site")
    page = page_with(viewport=DESKTOP)
    page.goto(url)
    blocks = page.evaluate(CHARACTERS_PER_LINE)
    assert blocks, f"no running text measured on {url}"
    wrong = [b for b in blocks if not 60 <= b["chars"] <= 75]
    assert not wrong, f"{url}: {wrong}"


def test_the_masthead_takes_at_most_15_percent_of_a_phone_screen(site, base, page_with):
    page = page_with(viewport=PHONE)
    heights = {}
    for _kind, url in visit_every_page_kind(page, site, base):
        heights[url] = page.evaluate("() => document.querySelector('.site-header').getBoundingClientRect().height")
    too_tall = {url: h for url, h in heights.items() if h > 0.15 * PHONE["height"]}
    assert heights and not too_tall, too_tall


def test_a_storys_headline_and_first_paragraph_are_in_a_phones_first_screen(site, base, page_with):
    page = page_with(viewport=PHONE)
    page.goto(url_of(site, base, "story"))
    bottoms = page.evaluate(
        "() => ['.story-header h1', '.story-body .para p'].map(s => document.querySelector(s).getBoundingClientRect().top)"
    )
    assert all(top < PHONE["height"] for top in bottoms), bottoms


def test_the_section_links_on_a_phone_are_big_enough_to_tap(site, base, page_with):
    page = page_with(viewport=PHONE)
    page.goto(base + "/")
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('.site-nav a, .search-form button')].map(a => {"
        "const r = a.getBoundingClientRect(); return [a.textContent.trim(), r.width, r.height]; })"
    )
    small = [s for s in sizes if s[1] < 24 or s[2] < 24]
    assert sizes and not small, small


def test_the_dark_colour_scheme_has_enough_contrast(site, base, page_with):
    """axe's colour-contrast rule on every page kind in the dark scheme (the light scheme is
    checked with all of WCAG AA in test_quality_gates)."""
    page = page_with(axe=True, color_scheme="dark")
    problems, checked = [], 0
    for _kind, url in visit_every_page_kind(page, site, base):
        assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(253, 252, 249)"
        result = page.evaluate("() => axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']})")
        problems += [
            f"{url} {n['target']}: {n['failureSummary'][:160]}" for v in result["violations"] for n in v["nodes"]
        ]
        checked += 1
    assert checked >= 10 and not problems, "\n".join(problems[:10])


def test_a_story_prints_as_a_clean_record(site, base, browser):
    """On paper: black on white even from a dark screen, no navigation, folded lists open, and
    only addresses that lead off the archive printed after their links."""
    context, page = new_page(browser, color_scheme="dark")
    page.goto(url_of(site, base, "story"))
    page.emulate_media(media="print")
    seen = page.evaluate(
        """() => ({
      background: getComputedStyle(document.body).backgroundColor,
      header: document.querySelector('.site-header').checkVisibility(),
      folded: [...document.querySelectorAll('details > :not(summary)')].map(el => el.checkVisibility()),
      printed: [...document.querySelectorAll('main a')].map(a => [a.getAttribute('href'), getComputedStyle(a, '::after').content])
                .filter(([, c]) => c !== 'none' && c !== 'normal').map(([href]) => href),
    })"""
    )
    context.close()
    assert seen["background"] == "rgb(255, 255, 255)" and not seen["header"]
    assert seen["folded"] and all(seen["folded"]), "a folded list stays folded on paper"
    assert seen["printed"] and all(href.startswith(("http://", "https://")) for href in seen["printed"]), seen


def test_the_home_page_names_the_site_once(site, base, page_with):
    page = page_with(viewport=DESKTOP)
    page.goto(base + "/")
    name = page.evaluate("() => document.querySelector('.site-name').textContent.trim()")
    visible = page.evaluate("() => document.body.innerText")
    headings = page.evaluate("() => [...document.querySelectorAll('h1')].map(h => h.textContent.trim())")
    assert visible.count(name) == 2 and headings == [name], (headings, visible.count(name))  # masthead and footer


def test_the_search_box_placeholder_fits(site, base, page_with):
    page = page_with(viewport=DESKTOP)
    page.goto(base + "/")
    room, needed = page.evaluate(
        """() => { const input = document.querySelector('#site-search'); const cs = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d'); ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
        return [input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight),
                ctx.measureText(input.placeholder).width]; }"""
    )
    assert needed <= room, (needed, room)


def test_the_404_page_offers_search_and_the_main_sections(site):
    doc = gates.soup(site / "404.html")
    main = doc.select_one("main")
    assert main.select_one('form[role=search][action$="/search/"] input[name=q]')
    hrefs = {a["href"] for a in main.select("a[href]")}
    assert {"/", "/stories/", "/quotes/", "/people/"} <= hrefs, hrefs


@pytest.mark.screenshots
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_screenshots_of_every_page_kind(viewport, site, base, browser):
    """Not a check, so not part of ``make test``: ``make screenshots`` saves what a visitor sees of
    each page kind, for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    context, page = new_page(browser, viewport=viewport)
    taken = []
    for kind, _url in visit_every_page_kind(page, site, base):
        path = SCREENSHOTS / f"{kind.replace(' ', '-')}-{viewport['width']}.png"
        page.screenshot(path=str(path))
        taken.append(path)
    context.close()
    assert taken and all(p.stat().st_size > 1000 for p in taken)
