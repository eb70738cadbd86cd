"""The record as a visitor reads it, measured in Chromium on the built seed site: a quotation's
printings exactly as the stories print them, a cited paragraph with the quoted words marked, the
provenance under a story's headline, people and organizations named in their sentences, and tap
targets of at least 24 by 24 px."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CBS = "immigration-check-awaits-mass-arrestees"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

PRINTINGS = """() => [...document.querySelectorAll('.quotation-lead, .witness')].map(el => ({
  story: (el.closest('.witness') || document.querySelector('.witness.fullest')).querySelector('h3 a').getAttribute('href').split('#')[0],
  parts: [...el.querySelectorAll('.printed-part')].map(p => [p.dataset.paragraph, p.textContent]),
  elisions: [...el.querySelectorAll('.elision')].map(e => e.getBoundingClientRect().width),
}))"""
PARAGRAPH_TEXT = "pid => document.querySelector(`#${pid} > p`).textContent"
SIZES = """selector => [...document.querySelectorAll(selector)].filter(el => el.checkVisibility()).map(el => {
  const r = el.getBoundingClientRect(); return [el.textContent.trim().slice(0, 30), Math.round(r.width), Math.round(r.height)]; })"""


@pytest.fixture(scope="module")
def base(site, serve) -> str:
    return serve(site)


def paragraph_texts(page, base: str, story_url: str, pids: set[str]) -> dict[str, str]:
    page.goto(base + story_url)
    return {pid: page.evaluate(PARAGRAPH_TEXT, pid) for pid in pids}


def test_every_printing_on_a_quotation_page_is_the_storys_own_text(site, base, page):
    """Each quoted part shown (the lead quotation and every printing) is a stretch of its story's
    paragraph character for character, and parts with words between them are joined by a
    visible elision: no sentence stitched from two outlets, no comma made a full stop."""
    shown, elisions = [], []
    for quote_page in sorted((site / "quotes").glob("*/index.html")):
        if quote_page.parent.name == "unattributed":
            continue
        page.goto(f"{base}/quotes/{quote_page.parent.name}/")
        for printing in page.evaluate(PRINTINGS):
            shown += [(printing["story"], pid, text) for pid, text in printing["parts"]]
            elisions += printing["elisions"]
    assert shown and elisions and all(width > 0 for width in elisions)
    stories = {story for story, _, _ in shown}
    printed = {
        (story, pid): text
        for story in stories
        for pid, text in paragraph_texts(page, base, story, {p for s, p, _ in shown if s == story}).items()
    }
    wrong = [(story, pid, text) for story, pid, text in shown if text not in printed[story, pid]]
    assert not wrong, wrong[:3]


def test_a_printing_marks_its_differences_without_rewriting_either_text(site, base, page):
    quote_page = next(
        p for p in sorted((site / "quotes").glob("*/index.html")) if p.read_text().count('<li class="witness') > 1
    )
    page.goto(f"{base}/quotes/{quote_page.parent.name}/")
    marked = page.locator(".witness mark.only-here")
    lacks = page.locator(".witness .lacks .lacked")
    assert marked.count() + lacks.count() > 0
    assert page.locator(".witness.fullest mark.only-here").count() == 0
    style = marked.first.evaluate("el => getComputedStyle(el).textDecorationLine") if marked.count() else "underline"
    assert style != "none"  # told apart without colour


def test_a_comment_link_lands_on_its_paragraph_with_the_quoted_words_marked(base, browser):
    context = browser.new_context(viewport=DESKTOP)  # its own: the click moves the mouse
    page = context.new_page()
    page.goto(f"{base}/stories/{CBS}/")
    cited = page.locator(".comment-cites a[href*='#p']").first
    pid = cited.get_attribute("href").split("#")[1]
    before = page.locator(f"#{pid} .mark-cited").first.evaluate("el => getComputedStyle(el).backgroundColor")
    cited.click()
    target = page.locator(".para:target")
    assert target.get_attribute("id") == pid
    seen = target.evaluate(
        """el => ({margin: parseFloat(getComputedStyle(el).scrollMarginTop), top: el.getBoundingClientRect().top,
        tint: getComputedStyle(el.querySelector('p')).backgroundColor,
        marked: getComputedStyle(el.querySelector('.mark-cited')).backgroundColor,
        wire: getComputedStyle(document.querySelector('.mark-wire')).backgroundColor})"""
    )
    context.close()
    assert seen["margin"] > 0 and seen["top"] >= seen["margin"] - 1, seen  # not flush against the top
    assert seen["tint"] != seen["wire"], seen  # the target is not the wire-copy tint
    assert seen["marked"] not in (before, seen["tint"]), seen  # the quoted words stand out in the target


def test_a_storys_provenance_line_is_in_a_phones_first_screen(base, page_with):
    page = page_with(viewport=PHONE)
    page.goto(f"{base}/stories/{CBS}/")
    line = page.locator(".story-header .provenance-line")
    box = line.bounding_box()
    date = page.locator(".story-header time").first.bounding_box()
    links = line.evaluate("el => [...el.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    text = line.inner_text()
    publisher = page.locator(".story-header .kicker").text_content()
    full_box = page.locator("section.provenance").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"] and date["y"] + date["height"] <= PHONE["height"]
    assert publisher in text and "capture" in text
    assert any(h.startswith("http") for h in links), links  # the original page
    assert any("/captures/" in h for h in links), links  # the saved copy
    assert "#provenance-heading" in links and full_box["y"] > box["y"]


def test_a_person_page_shows_each_mention_in_its_sentence(site, base, page):
    mentions = []  # (link to a paragraph, the sentence shown for it) on every person and organization page
    for kind in ("people", "organizations"):
        for entity_page in sorted((site / kind).glob("*/index.html")):
            page.goto(f"{base}/{kind}/{entity_page.parent.name}/")
            name = page.locator("h1").inner_text()
            aliases = page.locator("dt:text-is('Also called') + dd")
            shown = aliases.inner_text().split("; ") if aliases.count() else []
            assert not [a for a in shown if a.endswith(" " + name)], (name, shown)  # no title + name again
            links = page.evaluate(
                "() => [...document.querySelectorAll('#stories-heading ~ * a[href*=\"#p\"]')].map(a => [a.getAttribute('href'), a.textContent.replace(/^\\s*¶\\d+\\s*/, ''), a.querySelector('strong')?.textContent])"
            )
            assert links, entity_page
            for href, sentence, named in links:
                assert named and named in sentence and len(sentence) > len(named), (href, sentence)
                mentions.append((href, sentence))
    by_story: dict[str, set[str]] = {}  # each story is opened once, for all the paragraphs linked in it
    for href, _ in mentions:
        story, pid = href.split("#")
        by_story.setdefault(story, set()).add(pid)
    texts = {
        f"{story}#{pid}": text
        for story, pids in by_story.items()
        for pid, text in paragraph_texts(page, base, story, pids).items()
    }
    for href, sentence in mentions:
        assert sentence.strip("…") in texts[href], (href, sentence)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_paragraph_links_and_commenter_initials_are_at_least_24_px(site, base, page_with, viewport):
    page = page_with(viewport=viewport)
    where = {
        f"/stories/{CBS}/": ".para-anchor, .comment-number",
        "/commenters/": ".letters a",
        "/people/mary-beth-heffernan/": ".in-context a",
    }
    compare = sorted((site / "compare").glob("*/index.html"))
    if compare:
        where[f"/compare/{compare[0].parent.name}/"] = ".para-ref"
    small, measured = [], 0
    for path, selector in where.items():
        page.goto(base + path)
        sizes = page.evaluate(SIZES, selector)
        measured += len(sizes)
        small += [(path, *s) for s in sizes if s[1] < 24 or s[2] < 24]
    assert measured >= len(where) and not small, small[:5]
