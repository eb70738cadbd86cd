"""Marks in a story's text as a visitor meets them, in Chromium on the built seed site: every
quotation, person and organization keeps its link inside wire copy, each kind of mark looks
different without colour, a legend says which is which, a cited paragraph lands below the top
edge with its quoted words marked, and no raw id or jargon is shown."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from newsarchive.model.story import Span
from newsarchive.pages.render import paragraph_html

CBS = "immigration-check-awaits-mass-arrestees"
AP = "mass-police-to-join-immigration-checks-program"
KINDS = ("quote", "person", "organization", "wire")


# --- the nesting, as a plain function ----------------------------------------------------------


def test_overlapping_marks_each_keep_a_link_and_no_link_is_inside_another():
    text = 'The state said "Jane Roe of the Acme Agency will go," in Boston.'
    spans = [
        Span(0, 52, "wire", "wire/w-1/", "Shared wire copy"),
        Span(15, 52, "quote", "quotes/q-1/", "Quotation of Jane Roe"),
        Span(16, 24, "person", "people/jane-roe/", "Jane Roe"),
        Span(32, 43, "organization", "organizations/acme/", "Acme Agency"),
    ]
    doc = BeautifulSoup(str(paragraph_html(text, spans)), "html.parser")
    assert not doc.select("a a")
    assert doc.get_text() == text  # the marks add no text of their own
    hrefs = {a["href"] for a in doc.select("a")}
    assert hrefs == {"/wire/w-1/", "/quotes/q-1/", "/people/jane-roe/", "/organizations/acme/"}
    assert doc.select_one("a.mark-person").get_text() == "Jane Roe"
    assert doc.select_one("a.mark-organization").get_text() == "Acme Agency"
    quoted = "".join(m.get_text() for m in doc.select(".mark-quote") if not m.find_parent(class_="mark-quote"))
    assert quoted == text[15:52]  # the whole quotation is marked, links cut around the names in it
    assert len(doc.select("a.wire-ref")) == 1 and not doc.select("a.mark-wire")


def test_a_quotation_ending_in_a_linked_name_has_no_link_of_bare_punctuation():
    text = 'He said, "Ask Jane Roe." Then he left.'
    spans = [Span(9, 24, "quote", "quotes/q-1/"), Span(14, 22, "person", "people/jane-roe/")]
    doc = BeautifulSoup(str(paragraph_html(text, spans)), "html.parser")
    assert [a.get_text() for a in doc.select("a")] == ['"Ask ', "Jane Roe"]
    assert "".join(m.get_text() for m in doc.select(".mark-quote")) == text[9:24]


# --- in Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(site, serve) -> str:
    return serve(site)


COUNT_LINKS_IN_WIRE = """() => {
  const counts = {};
  for (const kind of ['quote', 'person', 'organization']) {
    counts[kind] = document.querySelectorAll(`.story-body .mark-wire a.mark-${kind}`).length;
  }
  counts.nested = document.querySelectorAll('.story-body a a').length;
  counts.wireParagraphs = document.querySelectorAll('.story-body .para:has(.mark-wire)').length;
  counts.wireRefs = document.querySelectorAll('.story-body .para:has(.mark-wire) a.wire-ref[href^="/wire/"]').length;
  return counts;
}"""


@pytest.mark.browser
def test_quotations_and_names_inside_wire_copy_keep_their_links(page, base):
    page.goto(f"{base}/stories/{CBS}/")
    counts = page.evaluate(COUNT_LINKS_IN_WIRE)
    assert counts["quote"] > 0 and counts["person"] > 0, counts
    assert counts["nested"] == 0
    assert counts["wireRefs"] >= 1 and counts["wireParagraphs"] >= 1
    ref = page.locator(".story-body a.wire-ref").first
    ref.focus()  # reachable by keyboard, named for a screen reader
    assert page.evaluate("document.activeElement.classList.contains('wire-ref')")
    assert "wire copy" in ref.get_attribute("aria-label").lower()


@pytest.mark.browser
def test_every_marked_name_or_quotation_in_a_story_is_a_link(page, base):
    for slug in (CBS, AP):
        page.goto(f"{base}/stories/{slug}/")
        unlinked = page.evaluate("""() => [...document.querySelectorAll(
            '.story-body span.mark-quote, .story-body span.mark-person, .story-body span.mark-organization')]
            .filter(s => !s.querySelector('a')).map(s => s.textContent)""")
        assert unlinked == [], slug


STYLE_OF_EACH_KIND = """() => Object.fromEntries(['quote', 'person', 'organization', 'wire'].map(kind => {
  const el = document.querySelector(`.story-body .mark-${kind}`);
  const cs = getComputedStyle(el);
  return [kind, {line: cs.textDecorationLine, style: cs.textDecorationStyle, background: cs.backgroundColor}];
}))"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_kind_of_mark_looks_different_without_colour(browser, base, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{base}/stories/{CBS}/")
    styles = page.evaluate(STYLE_OF_EACH_KIND)
    context.close()
    # Told apart by the form of the line alone (solid, dotted, dashed, none), not its colour.
    assert len({(s["line"], s["style"]) for s in styles.values()}) == len(KINDS), styles
    assert styles["wire"]["line"] == "none" and styles["wire"]["background"] != "rgba(0, 0, 0, 0)"
    assert styles["quote"]["background"] != "rgba(0, 0, 0, 0)"


@pytest.mark.browser
def test_the_story_page_has_a_legend_of_the_marks(page, base):
    page.goto(f"{base}/stories/{CBS}/")
    legend = page.locator(".mark-legend")
    assert legend.is_visible()
    for kind in KINDS:
        assert legend.locator(f".mark-{kind}").count() == 1, kind
    text = legend.inner_text().lower()
    assert all(word in text for word in ("quotation", "person", "organization", "wire copy"))


@pytest.mark.browser
def test_a_quotations_link_lands_below_the_top_with_the_quoted_words_marked(page, base, site):
    quote_page = next(p for p in sorted((site / "quotes").glob("*/index.html")))
    page.goto(f"{base}/quotes/{quote_page.parent.name}/")
    link = page.locator('.occurrences a[href*="/stories/"][href*="#p"], main h3 a[href*="#p"]').first
    href = link.get_attribute("href")
    page.goto(base + href if href.startswith("/") else href)
    target = page.locator(".para:target")
    assert target.count() == 1
    margin = float(target.evaluate("el => getComputedStyle(el).scrollMarginTop").removesuffix("px"))
    assert margin > 0
    top = target.evaluate("el => el.getBoundingClientRect().top")
    assert top >= margin - 1  # not flush against the top edge (unless the page cannot scroll so far)
    marked = target.locator(".mark-quote").first
    shown = marked.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).outlineStyle]")
    page.goto(f"{base}/stories/{href.split('/stories/')[1].split('/')[0]}/")
    plain = page.locator(f"#{href.split('#')[1]} .mark-quote").first
    assert shown != plain.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).outlineStyle]")


RAW = re.compile(r"\bw-[0-9a-f]{6,}\b|placeholder", re.IGNORECASE)
SHOWN_TEXT = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll('[title], [aria-label], img[alt]')].map(el => el.title || el.ariaLabel || el.alt)].join('\\n')"""


@pytest.mark.browser
def test_no_raw_ids_or_jargon_are_shown_on_story_and_wire_pages(page, base, site):
    paths = [f"/stories/{CBS}/", f"/stories/{AP}/", "/wire/"]
    paths += [f"/wire/{d.parent.name}/" for d in sorted((site / "wire").glob("*/index.html"))]
    paths += [f"/compare/{d.parent.name}/" for d in sorted((site / "compare").glob("*/index.html"))]
    assert len(paths) > 4
    for path in paths:
        page.goto(base + path)
        shown = page.evaluate(SHOWN_TEXT)
        assert not RAW.findall(shown), (path, RAW.findall(shown))
