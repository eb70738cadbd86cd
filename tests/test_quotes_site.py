"""Quotations, people and organizations as published, and comment 18's citation."""

import json

import pytest
from bs4 import BeautifulSoup
from conftest import build_with_settings

CBS = "immigration-check-awaits-mass-arrestees"
AP = "mass-police-to-join-immigration-checks-program"


def soup(site, rel):
    return BeautifulSoup((site / rel / "index.html").read_text(encoding="utf-8"), "html.parser")


def archive(site):
    return json.loads((site / "archive.json").read_text(encoding="utf-8"))


def heffernan_quote(site):
    return next(q for q in archive(site)["quotes"] if q["speaker"] == "mary-beth-heffernan")


def test_shared_statement_is_one_quote_with_both_printings(site):
    quote = heffernan_quote(site)
    assert {(o["story"], o["paragraph"]) for o in quote["occurrences"]} == {(CBS, "p8"), (AP, "p5")}
    page = soup(site, f"quotes/{quote['id']}")
    assert page.h1.get_text().startswith("Mary Beth Heffernan: “It has become clear now")
    assert {m.get_text() for m in page.select(".witness mark.only-here")} == {"(agreement)"}
    lacks = [q.get_text() for q in page.select(".witness .lacks .lacked")]
    assert lacks[0] == "MOU" and lacks[1].startswith("“We will also work closely")
    links = {a["href"] for a in page.select(".witness h3 a")}
    assert links == {f"/stories/{CBS}/#p8", f"/stories/{AP}/#p5"}


def test_quotation_json_ld_names_its_speaker(site):
    page = soup(site, f"quotes/{heffernan_quote(site)['id']}")
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "Quotation"
    assert data["spokenByCharacter"]["name"] == "Mary Beth Heffernan"
    assert len(data["isPartOf"]) == 2


def test_every_seed_speaker_has_a_person_page_with_role(site):
    people = {p["slug"]: p for p in archive(site)["people"]}
    for slug in ("mary-beth-heffernan", "patricia-montes", "eva-millona", "martha-coakley", "steven-baddour"):
        assert slug in people
        page = soup(site, f"people/{slug}")
        assert page.select(".quote-list a"), f"{slug} page lists no quotations"
    assert "Public Safety Secretary" in people["mary-beth-heffernan"]["roles"]
    assert "the Patrick administration" in people["deval-patrick"]["aliases"]
    person = json.loads(soup(site, "people/mary-beth-heffernan").find("script", type="application/ld+json").string)
    assert person["@type"] == "Person" and person["name"] == "Mary Beth Heffernan"


def test_baddour_he_said_quote_is_attributed(site):
    (quote,) = [q for q in archive(site)["quotes"] if q["speaker"] == "steven-baddour"]
    assert quote["text"].startswith("At a time when resources continue to be scarce")


def test_organizations_have_aliases(site):
    orgs = {o["slug"]: o for o in archive(site)["organizations"]}
    assert "ICE" in orgs["immigration-and-customs-enforcement"]["aliases"]
    assert (site / "organizations" / "centro-presente" / "index.html").is_file()


def test_story_marks_quotes_and_names_inline(site):
    page = soup(site, f"stories/{AP}")
    p13 = page.find(id="p13")
    assert p13.select_one("a.mark-quote")["href"].startswith("/quotes/steven-baddour-")
    p12 = page.find(id="p12")
    assert "/people/steven-baddour/" in {a["href"] for a in p12.select("a.mark-person")}


def test_comment_18_links_to_the_paragraph_it_quotes(site):
    data = archive(site)
    cbs = next(s for s in data["stories"] if s["slug"] == CBS)
    items = {c["id"]: c for c in cbs["comments"]["items"]}
    assert items["18"]["cites"] == [{"story": CBS, "paragraph": "p4", "quote": None}]
    assert all(c["cites"] == [] for cid, c in items.items() if cid != "18")
    page = soup(site, f"stories/{CBS}")
    notes = page.find(id="p4").select(".para-notes a")
    assert [(a.get_text(), a["href"]) for a in notes] == [("Quoted in comment 18", f"/stories/{CBS}/#comment-18")]
    cite = page.find(id="comment-18").find_parent("article").select_one(".comment-cites a")
    assert cite["href"] == f"/stories/{CBS}/#p4"


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory):
    """The seeds built with one story and one quotation a page of a person's or organization's
    listings: both kinds of paging on the same pages."""
    settings = "ENTITY_STORIES_PER_PAGE = 1\nENTITY_QUOTES_PER_PAGE = 1"
    done = build_with_settings(tmp_path_factory.mktemp("paged") / "project", settings, "--no-search")
    assert done.returncode == 0, done.stderr
    return done.output


def test_stories_naming_someone_are_paginated_oldest_first(paged_site):
    site = paged_site
    dates = {s["slug"]: s["date"] for s in archive(site)["stories"]}
    oldest, newest = sorted((CBS, AP), key=lambda slug: (dates[slug], slug))
    first, second = soup(site, "people/mary-beth-heffernan"), soup(site, "people/mary-beth-heffernan/page/2")

    def stories(page):
        return [a["href"].split("/")[2] for a in page.select(".story-list .story-link")]

    assert stories(first) == [oldest] and stories(second) == [newest]
    assert first.select_one("nav.pagination a[rel=next]")["href"] == "/people/mary-beth-heffernan/page/2/"
    assert not first.select("nav.pagination a[rel=prev]") and "Page 1 of 2" in first.select_one("nav.pagination").text
    assert second.select_one("nav.pagination a[rel=prev]")["href"] == "/people/mary-beth-heffernan/"
    assert second.select_one(".kicker a")["href"] == "/people/mary-beth-heffernan/"
    assert first.select("[data-pagefind-body]") and not second.select("[data-pagefind-body]")  # page 1 is the one found
    assert first.select("#quotes-heading") and not second.select("#quotes-heading")  # quotations on page 1 only
    assert not (site / "people" / "steven-baddour" / "page").exists()  # named in one story: one page


def test_a_speakers_quotations_are_paged_and_each_quotation_links_to_its_page(paged_site):
    site = paged_site
    quotes = [q for q in archive(site)["quotes"] if q["speaker"] == "eva-millona"]
    assert len(quotes) == 2
    first, second = soup(site, "people/eva-millona"), soup(site, "people/eva-millona/quotes/page/2")
    listed = [[li["id"] for li in page.select(".quote-item")] for page in (first, second)]
    assert sorted(listed[0] + listed[1]) == sorted(f"quote-{q['id']}" for q in quotes) and len(listed[0]) == 1
    assert (
        first.select_one("#quotes-heading ~ nav.pagination a[rel=next]")["href"] == "/people/eva-millona/quotes/page/2/"
    )
    assert second.select_one("nav.pagination a[rel=prev]")["href"] == "/people/eva-millona/"
    # page 2 is found by search as page 1 is: its quotations are hits of that speaker
    body = second.select_one("[data-pagefind-body]")
    assert body and body.select_one('[data-pagefind-filter="type:quote"]')
    assert body.select_one('[data-pagefind-filter="speaker:Eva Millona"]')
    for page, ids in zip(("people/eva-millona/", "people/eva-millona/quotes/page/2/"), listed, strict=True):
        quote_page = soup(site, f"quotes/{ids[0].removeprefix('quote-')}")
        assert quote_page.find("a", string="all their quotations")["href"] == f"/{page}#{ids[0]}"
    assert not (site / "people" / "martha-coakley" / "quotes").exists()  # one quotation: one page
