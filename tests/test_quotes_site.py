"""Quotations, people and organizations as published, and comment 18's citation."""

import json

from bs4 import BeautifulSoup

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
    compared = " ".join(p.get_text(" ") for p in page.select(".witness .align"))
    assert "MOU" in {d.get_text() for d in page.select(".witness del")}
    assert "(agreement)" in {i.get_text() for i in page.select(".witness ins")}
    assert "We will also work closely" in compared
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
