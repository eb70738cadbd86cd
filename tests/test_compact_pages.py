"""The comparison and event pages as a visitor meets them, measured in Chromium on the built seed
site at 1366 and 390 px: compact comparisons with one legend for word differences, the event's
stories before its diagram, a diagram readable on a phone, and no raw id anywhere a reader looks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import gates
import pytest
from test_reading import DESKTOP, PHONE, SCREENSHOTS, url_of, visit_every_page_kind

pytestmark = pytest.mark.browser

RAW_ID = re.compile(r"\bw-[0-9a-f]{8}\b")
SHOWN_TEXT = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll('[title], [aria-label], img[alt]')].map(el => el.title || el.ariaLabel || el.alt)].join('\\n')"""


@pytest.fixture(scope="module")
def base(site, serve) -> str:
    return serve(site)


def measure(page_with, url: str, viewport: dict, script: str, screenshot: str = ""):
    """``script``'s answer on ``url`` at ``viewport``; with ``screenshot``, the whole page is saved
    under that name in test-screenshots/ (for people to look at)."""
    page = page_with(viewport=viewport)
    page.goto(url)
    found = page.evaluate(script)
    if screenshot:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}-{viewport['width']}.png"), full_page=True)
    return found


COMPARISON = """() => {
  const sides = [...document.querySelectorAll('.compare-shared')].map(row =>
    [...row.querySelectorAll('.compare-side')].map(s => s.getBoundingClientRect()));
  return {
    height: document.documentElement.scrollHeight,
    sides: sides.map(([a, b]) => ({sameRow: Math.abs(a.top - b.top) < 1, below: b.top >= a.bottom})),
    struck: document.querySelectorAll('main del, main s, main strike').length,
    folded: [...document.querySelectorAll('details.compare-apart')].map(d => d.open),
    foldedText: [...document.querySelectorAll('details.compare-apart .compare-only p')].filter(p => p.checkVisibility()).length,
    legend: document.querySelector('main .legend').textContent.replace(/\\s+/g, ' ').trim(),
  };
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_comparison_page_is_compact_and_stacks_on_a_phone(viewport, site, base, page_with):
    """Before: 4,769 px at 1366 and 10,694 px at 390, a row per unmatched paragraph saying "Not in
    this story.". Now shared paragraphs are side by side (stacked on a phone), the rest folded."""
    seen = measure(page_with, url_of(site, base, "comparison"), viewport, COMPARISON, "comparison-whole")
    print(f"comparison page at {viewport['width']} px: {seen['height']} px tall")
    assert seen["sides"] and seen["folded"] and not any(seen["folded"]) and seen["foldedText"] == 0
    if viewport is DESKTOP:
        assert all(s["sameRow"] for s in seen["sides"]) and seen["height"] <= 1800
    else:
        assert all(s["below"] for s in seen["sides"]) and seen["height"] <= 3200
    assert seen["struck"] == 0, "a story's own words are never struck through"


def test_word_differences_have_one_legend_across_the_site(site, base, page_with):
    """<ins> is a word this text adds against the text it is compared with, on every page that
    compares texts; the comparison page marks each story's own words that way."""
    legends = {}
    for kind in ("comparison", "wire passage"):
        legends[kind] = measure(
            page_with,
            url_of(site, base, kind),
            DESKTOP,
            "() => document.querySelector('main .legend').textContent.replace(/\\s+/g, ' ').trim()",
        )
    assert legends["comparison"].startswith("Added words are in this story but not in the other")
    assert legends["wire passage"].startswith("Added words are in this printing but not in the text above")
    page = gates.soup(gates.largest_page(site, "comparison"))
    assert page.select(".compare-side ins") and not page.select("del")


EVENT = """() => {
  const img = document.querySelector('.wire-diagram img');
  return {
    height: document.documentElement.scrollHeight,
    list: document.querySelector('#coverage-heading').getBoundingClientRect().top + scrollY,
    diagram: document.querySelector('.wire-diagram').getBoundingClientRect().top + scrollY,
    scale: img.getBoundingClientRect().width / img.naturalWidth,
    src: img.getAttribute('src'),
  };
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_event_page_lists_its_stories_before_a_diagram_readable_at_that_width(viewport, site, base, page_with):
    """Before: the story list 1,362 px down at 1366, the diagram's 12 px text drawn at 7.5 px at 390."""
    page = page_with(viewport=viewport)
    page.goto(url_of(site, base, "event"))
    seen = page.evaluate(EVENT)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"event-whole-{viewport['width']}.png"), full_page=True)
    svg = ET.parse(site / seen["src"].lstrip("/")).getroot()
    sizes = [float(t.get("font-size", svg.get("font-size"))) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    smallest = min(sizes) * seen["scale"]
    print(
        f"event page at {viewport['width']} px: list at {seen['list']:.0f} px, smallest diagram text {smallest:.1f} px"
    )
    assert seen["list"] < seen["diagram"] and seen["list"] < viewport["height"]
    assert smallest >= 11


def test_the_diagram_is_labelled_with_outlets_and_paragraph_numbers(site):
    svg = ET.parse(gates.largest_page(site, "event").parent / "wire-diagram.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text or "" for t in svg.iter(f"{ns}text")]
    tips = [t.text or "" for t in svg.iter(f"{ns}title")]
    assert sum(bool(re.fullmatch(r"¶\d+", t)) for t in texts) >= 20  # the boxes carry their numbers
    legend = " ".join(t.text or "" for t in svg.find(f"{ns}g[@class='legend']").iter(f"{ns}text"))
    assert re.search(r"CBS Boston / WBZ ¶\d", legend) and re.search(r"The Associated Press ¶\d", legend)
    assert not [t for t in texts + tips if RAW_ID.search(t)]


def test_no_page_shows_a_raw_id(site, base, page_with):
    """Every page kind, its title, text, tooltips and image descriptions, and the search results
    for words of a wire passage: ids stay in URLs."""
    page = page_with(viewport=DESKTOP)
    shown = {}
    for _kind, url in visit_every_page_kind(page, site, base):
        shown[url] = RAW_ID.findall(page.evaluate(SHOWN_TEXT))
    page.goto(base + "/search/?q=fingerprint")
    page.wait_for_selector("#search-results .result")
    shown["search: fingerprint"] = RAW_ID.findall(page.evaluate(SHOWN_TEXT))
    assert len(shown) >= 15 and not {url: ids for url, ids in shown.items() if ids}
