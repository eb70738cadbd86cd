"""People and organizations: names, roles, aliases, mentions and name resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.analysis.entities.find import find_entities
from newsarchive.analysis.quotes.extraction import extract_quotes
from newsarchive.formats.story_file import load_story, parse_story

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "content" / "stories").glob("*.md"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "stories").glob("*.md"))


@pytest.fixture(scope="module")
def seeds():
    stories = [load_story(p) for p in SEEDS]
    return stories, find_entities(stories)


def by_name(entities, name):
    return next(e for e in entities if e.name == name)


def test_seed_people_are_the_named_persons(seeds):
    _, index = seeds
    assert {p.name for p in index.people} == {
        "Mary Beth Heffernan",
        "Patricia Montes",
        "Eva Millona",
        "Martha Coakley",
        "Steven Baddour",
        "Deval Patrick",
    }


def test_roles_come_from_title_prefixes_and_appositives(seeds):
    _, index = seeds
    assert by_name(index.people, "Mary Beth Heffernan").roles == ["Public Safety Secretary"]
    assert by_name(index.people, "Martha Coakley").roles == ["Attorney General"]
    assert by_name(index.people, "Steven Baddour").roles == ["State Senator", "D-Methuen"]
    assert by_name(index.people, "Patricia Montes").roles == ["executive director of Centro Presente"]
    assert by_name(index.people, "Deval Patrick").roles == ["Governor"]
    # "executive director of the coalition" names the coalition the story named before: one role
    assert by_name(index.people, "Eva Millona").roles == [
        "executive director of the Massachusetts Immigrant and Refugee Advocacy Coalition"
    ]


def test_aliases_resolve_to_one_person(seeds):
    _, index = seeds
    heffernan = by_name(index.people, "Mary Beth Heffernan")
    assert {"Public Safety Secretary Mary Beth Heffernan", "Heffernan"} <= set(heffernan.aliases)
    patrick = by_name(index.people, "Deval Patrick")
    assert {"Gov. Deval Patrick", "Gov. Patrick", "the Patrick administration"} <= set(patrick.aliases)
    assert {m.story for m in patrick.mentions} == {s.stem for s in SEEDS}
    assert heffernan.slug == "mary-beth-heffernan" and heffernan.url == "people/mary-beth-heffernan/"


def test_seed_organizations_with_aliases(seeds):
    _, index = seeds
    names = {o.name for o in index.organizations}
    assert {
        "Immigration and Customs Enforcement",
        "American Civil Liberties Union of Massachusetts",
        "Centro Presente",
        "Massachusetts Immigrant and Refugee Advocacy Coalition",
    } <= names
    assert "ICE" in by_name(index.organizations, "Immigration and Customs Enforcement").aliases
    assert (
        "ACLU of Massachusetts"
        in by_name(index.organizations, "American Civil Liberties Union of Massachusetts").aliases
    )
    coalition = by_name(index.organizations, "Massachusetts Immigrant and Refugee Advocacy Coalition")
    assert "the coalition" in coalition.aliases
    assert by_name(index.organizations, "Centro Presente").roles == ["Somerville-based immigrant advocacy group"]
    assert not names & {"Secure Communities", "Secure Communities Program", "Friday", "Boston"}
    assert not {p.name for p in index.people} & names


def test_every_mention_span_is_the_printed_name(seeds):
    stories, index = seeds
    paragraphs = {(s.slug, p.id): p.text for s in stories for p in s.paragraphs}
    mentions = [(e, m) for e in index.people + index.organizations for m in e.mentions]
    assert len(mentions) > 30
    for entity, m in mentions:
        assert paragraphs[(m.story, m.paragraph)][m.start : m.end] == m.text
        assert m.text == entity.name or m.text in entity.aliases


def test_fixture_people_and_organizations_follow_the_same_rules():
    index = find_entities([load_story(p) for p in FIXTURES])
    castillo = by_name(index.people, "Raymond Castillo")
    assert castillo.roles == ["Superintendent"] and "Castillo" in castillo.aliases
    assert by_name(index.people, "Alicia Fernandez-Ruiz").roles == ["chairwoman of the school committee"]
    assert by_name(index.people, "Linda Okafor").roles == ["Mayor"]
    mta = by_name(index.organizations, "Metropolitan Transit Authority")
    assert {"MTA", "the authority"} <= set(mta.aliases)
    assert "the association" in by_name(index.organizations, "Riverton Marina Association").aliases


def story(text: str, slug: str, date: str = "2012-01-01"):
    return parse_story(f"Title: {slug}\nDate: {date}\nSlug: {slug}\n\n{text}\n", f"{slug}.md")


def test_surname_resolves_across_the_archive():
    seeds = [load_story(p) for p in SEEDS]
    later = story('"We are reviewing the program," Heffernan said Tuesday.', "follow-up", "2011-01-04")
    index = find_entities(seeds + [later])
    (mention,) = index.mentions_in("follow-up")
    assert mention[0].name == "Mary Beth Heffernan"
    (occ,), problems = extract_quotes(later, index)
    assert occ.speaker == "mary-beth-heffernan" and problems == []


def test_ambiguous_surname_stays_unresolved_and_warns():
    a = story("Mayor John Smith opened the bridge.", "a")
    b = story("Police Chief Mary Smith closed the road.", "b")
    c = story('"The road is open," Smith said.', "c")
    index = find_entities([a, b, c])
    assert index.resolve_person("Smith", "c") is None
    assert index.resolve_person("Smith", "a").name == "John Smith"
    (occ,), problems = extract_quotes(c, index)
    assert occ.speaker is None and problems[0].line == 5


def test_spelling_variants_are_one_person():
    a = story("State Sen. Steven Baddour filed the bill.", "a")
    b = story('"It passed," said Steve Baddour, a senator from Methuen.', "b")
    index = find_entities([a, b])
    assert [p.name for p in index.people] == ["Steven Baddour"]
    assert index.resolve_person("Sen. Steve Baddour").slug == "steven-baddour"


def test_indexed_lookups_answer_as_the_linear_scans():
    """The indexed lookups (which keep find_entities linear in the archive) give the scans' answers."""
    from newsarchive.analysis.entities.index import _by_surname, _find_org, _Lookup, _match_person

    stories = [load_story(p) for p in SEEDS + FIXTURES]
    index = find_entities(stories)
    people, orgs = index.people, index.organizations
    lookup = _Lookup(people, orgs, {}, with_stories=True)
    words = {w.strip(".,;:\"“”'’()") for s in stories for p in s.paragraphs for w in p.text.split()}
    names = {p.name for p in people} | {a for p in people for a in p.aliases} | {o.name for o in orgs}
    names |= {"Steve Baddour", "Stephen Baddour", "Mary Heffernen", "Deval L. Patrick", "ACLU of Ohio", "Centro"}
    names |= {f"{a} {b}" for a in sorted(words)[:40] for b in [p.last.title() for p in people]}
    for name in sorted(names | words):
        assert lookup.match_person(name) is _match_person(people, name), name
        assert lookup.find_org(name) is _find_org(orgs, {}, name), name
        for slug in (None, *(s.slug for s in stories[:5])):
            assert lookup.by_surname(name, slug) is _by_surname(people, name, slug), (name, slug)
    assert index.person(people[0].slug) is people[0]


def test_quick_patterns_find_what_the_plain_patterns_find():
    """CHUNK_RE (first letter before its look-behind) and the pre-tests before TITLE_RE / DEFINITE_RE
    change only the speed: the plain patterns find the same."""
    import re

    from newsarchive.analysis.entities.chunks import _titles
    from newsarchive.analysis.entities.lexicon import CAP, CHUNK_RE, DEFINITE_HINT_RE, DEFINITE_RE, ORG_WORDS, TITLE_RE

    plain_chunk = re.compile(rf"(?<![\w.'’-]){CAP}(?:\s(?:(?:of|and|for|the|on|de|del|la|du)\s)*{CAP})*")
    texts = [p.text for path in SEEDS + FIXTURES for p in load_story(path).paragraphs]
    texts += ["A. B. Smith", "x-Ray O'Neil and the Boston Police", "e.Mail U.S. Rep. Joe Kennedy's", "Gov.Patrick"]
    texts += ["“The coalition,” the the department said.", "THE Union", "the coalitions"]
    for text in texts:
        assert [m.span() for m in CHUNK_RE.finditer(text)] == [m.span() for m in plain_chunk.finditer(text)], text
        assert [m.groupdict() for m in _titles(text)] == [m.groupdict() for m in TITLE_RE.finditer(text)], text
        if not DEFINITE_HINT_RE.search(text):
            assert not [m for m in DEFINITE_RE.finditer(text) if m["noun"] in ORG_WORDS], text


def test_a_place_after_a_preposition_is_not_a_speaker():
    """In "Officials in Crestwood asked" the place is not who asked; in "Moreau, a senator from
    Crestwood, said:" the senator speaks, even where another story names a Crestwood."""
    a = story(
        "Officials in Crestwood asked for public comment on the plan.\n\n"
        "Martin Moreau, a state senator from Crestwood, said: “We need a clear answer on the plan.”",
        "a",
    )
    index = find_entities([a])
    assert [p.name for p in index.people] == ["Martin Moreau"]
    (occ,), problems = extract_quotes(a, index)
    assert occ.speaker == "martin-moreau" and problems == []

    b = story("“The road is closed,” Jane Crestwood said.", "b")
    index = find_entities([a, b])
    (occ,), _ = extract_quotes(a, index)
    assert occ.speaker == "martin-moreau"


def test_a_word_capitalized_only_to_start_a_sentence_is_not_a_name():
    """A sentence "Advocates asked the committee ..." names nobody, so a later "he said" goes back
    to the person named before; a bare surname that a quotation's attribution prints stays a person."""
    a = story(
        "“We were never told about the cost,” Michael Galvin said.\n\n"
        "The committee met again. Advocates asked the committee to delay the vote.\n\n"
        "“This office fully supports the plan, and that has to change,” he said on Tuesday.",
        "a",
    )
    b = story("“The vote can wait,” Okafor said.", "b")
    index = find_entities([a, b])
    assert sorted(p.name for p in index.people) == ["Michael Galvin", "Okafor"]
    (first, second), _ = extract_quotes(a, index)
    assert first.speaker == second.speaker == "michael-galvin"
    assert second.attribution == "pronoun"


def test_a_name_printed_mostly_as_a_place_is_not_a_person():
    """One garbled sentence ("the police chief Glendale, said") does not outweigh the stories that
    print the name as a place, and a later "he said" goes to the person named before it."""
    places = [
        story(f"Police in Glendale approved the contract.\n\nOfficials near Glendale objected {n}.", f"p{n}")
        for n in range(2)
    ]
    garbled = story(
        "“We were never told,” said Luis Thornton, the police chief.\n\n"
        "Luis Thornton, the police chief Glendale, said: “This office wants answers on the plan.”\n\n"
        "Officials in Glendale approved the plan.\n\n"
        "“It has to change before the vote,” he said.",
        "g",
    )
    index = find_entities([*places, garbled])
    assert [p.name for p in index.people] == ["Luis Thornton"]
    occurrences, _ = extract_quotes(garbled, index)
    assert [occ.speaker for occ in occurrences] == ["luis-thornton"] * 3

    named_once = find_entities([garbled])  # no story prints Glendale as a place more often
    assert "Glendale" in [p.name for p in named_once.people]


def test_he_said_goes_back_to_the_last_person_named_however_far():
    middle = "\n\n".join(f"The council reviewed item {n} of the budget." for n in range(5))
    a = story(f"“We were never told,” Michael Galvin said.\n\n{middle}\n\n“It has to change,” he said.", "a")
    (_, later), problems = extract_quotes(a, find_entities([a]))
    assert (later.speaker, later.attribution, problems) == ("michael-galvin", "pronoun", [])


def test_a_surname_after_in_is_a_place_not_the_person():
    a = story("“The bridge is safe,” said Jane Stonebridge, the county engineer.", "a")
    b = story("Police in Stonebridge closed the road.\n\n“It will reopen on Monday,” he said.", "b")
    index = find_entities([a, b])
    assert [e.name for e, _ in index.mentions_in("b") if e.kind == "person"] == []
    (occ,), problems = extract_quotes(b, index)
    assert occ.speaker is None and "speaker unknown" in problems[0].message


def test_the_people_of_an_organization_are_not_its_name():
    a = story(
        "Leaders of the Civil Liberties Project asked the state to delay the vote.\n\n"
        "Members of the Northfield School Committee met on Monday.",
        "a",
    )
    index = find_entities([a])
    assert sorted(o.name for o in index.organizations) == ["Civil Liberties Project", "Northfield School Committee"]
    assert [m.text for _, m in index.mentions_in("a")] == ["Civil Liberties Project", "Northfield School Committee"]


def test_inverted_attribution_with_a_lowercase_role_or_an_affiliation_names_a_person():
    a = story('"We will appeal," said spokesman Tom Reyes.', "a")
    b = story('"Rents keep rising," said Dana Ortiz of the Urban Institute in Washington.', "b")
    c = story('"It is over," said Democratic pollster Ana Ruiz.', "c")
    index = find_entities([a, b, c])
    assert {p.name for p in index.people} == {"Tom Reyes", "Dana Ortiz", "Ana Ruiz"}
    assert [extract_quotes(s, index)[0][0].speaker for s in (a, b, c)] == ["tom-reyes", "dana-ortiz", "ana-ruiz"]


def test_a_surname_in_a_phrase_does_not_become_an_organization_everywhere():
    a = story("Jane Roe, a spokeswoman for the Smith campaign, declined to comment.", "a")
    b = story('"We won," Tom Smith said.', "b")
    index = find_entities([a, b])
    assert "Smith" not in {o.name for o in index.organizations}
    assert extract_quotes(b, index)[0][0].speaker == "tom-smith"


def test_an_adviser_to_a_group_is_a_person_not_the_group():
    a = story('"It is a setback," said Dan Carter, a longtime counsel to the group.', "a")
    index = find_entities([a])
    assert [p.name for p in index.people] == ["Dan Carter"] and index.organizations == []


def test_a_bare_surname_is_the_far_better_known_namesake():
    named = [story(f'"Vote {n}," Gov. Jane Roe said. Jane Roe said it again.', f"a{n}") for n in range(3)]
    other = story("Her cousin Mark Roe, a teacher, was there.", "b")
    bare = story('"We will win," Roe said.', "c")
    index = find_entities([*named, other, bare])
    assert extract_quotes(bare, index)[0][0].speaker == "jane-roe"


def test_titles_before_long_names_are_not_part_of_the_name():
    a = story('"We are ready," Portuguese Defence Minister Ali Hassan told reporters.', "a")
    b = story('"No," said State Senate Minority Leader Ann B. Cole (R-Ore.).', "b")
    index = find_entities([a, b])
    assert [extract_quotes(s, index)[0][0].speaker for s in (a, b)] == ["ali-hassan", "ann-b-cole"]


def test_a_secretary_of_a_department_is_a_title():
    a = story('"The talks go on," said Secretary of State Ana Ruiz.', "a")
    index = find_entities([a])
    assert [(p.name, p.roles) for p in index.people] == [("Ana Ruiz", ["Secretary of State"])]
