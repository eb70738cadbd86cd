"""Pass 3, one story at a time (:func:`_scan_story`): every mention of a known entity (full and
titled names, bare surnames, "the X administration", acronyms, "the coalition") and the roles its
appositives give, as plain data for the analysis memo, then added to the entities (:func:`_apply`).
"""

from __future__ import annotations

from newsarchive.analysis.entities.chunks import _chunks, _mask, _titles
from newsarchive.analysis.entities.evidence import _appositive_role, _role_text
from newsarchive.analysis.entities.index import _Lookup
from newsarchive.analysis.entities.lexicon import (
    ADMIN_RE,
    AFTER_NAME,
    DEFINITE_HINT_RE,
    DEFINITE_RE,
    ORG_WORDS,
    after_place_word,
)
from newsarchive.analysis.entities.model import Entity, Mention
from newsarchive.analysis.entities.names import _is_name
from newsarchive.model.story import Story

# What pass 3 adds to the entities for one story, in the order it adds it, as plain data (kept in
# the analysis memo): (mentions, aliases, roles), with entities as numbers in the list ``people +
# organizations`` the lookup was made from. A mention is (entity, paragraph id, start, end, text,
# possessive); an alias (organization, alias), from "the coalition"; a role (person, role).
_Scan = tuple[list[tuple[int, str, int, int, str, bool]], list[tuple[int, str]], list[tuple[int, str]]]


def _apply(scan: _Scan, story: Story, entities: list[Entity]) -> None:
    mentions, aliases, roles = scan
    for n, alias in aliases:
        entities[n].add_alias(alias)
    for n, pid, start, end, text, poss in mentions:
        entities[n].mentions.append(Mention(story.slug, pid, start, end, text, poss))
    for n, role in roles:
        entities[n].add_role(role)


def _scan_story(story: Story, lookup: _Lookup, number: dict[int, int]) -> _Scan:
    """Pass 3 for one story: every mention (in text order) and the roles' organization
    references. A pure function of the story and the lookup (which does not change while the
    stories are scanned); ``number`` maps ``id(entity)`` to its number."""
    found: list[tuple[int, int, Entity, Mention]] = []  # (paragraph index, start, entity, mention)
    by_last: dict[str, list[tuple[int, int, int, Entity]]] = {}  # people of ``found`` by last name
    pending_roles: list[tuple[Entity, str, str, int]] = []
    aliases: list[tuple[int, str]] = []

    def add(i: int, pid: str, start: int, end: int, entity: Entity, text: str, poss: bool = False) -> None:
        mention = Mention(story.slug, pid, start, end, text, poss)
        if entity.kind == "person" and entity.first:
            by_last.setdefault(entity.last, []).append((i, start, len(found), entity))
        found.append((i, start, entity, mention))

    # full names and titled names first, so bare surnames can be resolved against them
    surname_spots: list[tuple[int, str, int, int, str, bool]] = []
    for i, para in enumerate(story.paragraphs):
        text = para.text
        taken: list[tuple[int, int]] = []
        for m in _titles(text):
            person = lookup.match_person(m["name"]) if " " in m["name"] else None
            if person is None:
                surname_spots.append((i, para.id, m.start(), m.end("name"), m["name"], bool(m["poss"])))
            else:
                add(i, para.id, m.start(), m.end("name"), person, text[m.start() : m.end("name")], bool(m["poss"]))
                _queue_role(person, text[m.end() : m.end() + AFTER_NAME], pending_roles, para.id, m.end())
            taken.append((m.start(), m.end()))
        for m in ADMIN_RE.finditer(text) if "administration" in text else ():
            surname_spots.append((i, para.id, m.start(), m.end(), m["name"], False))
            taken.append((m.start(), m.end()))
        masked = _mask(text, taken)
        for c in _chunks(masked):
            org = lookup.find_org(c.text)
            if org is not None:
                add(i, para.id, c.start, c.end, org, c.text, c.possessive)
                continue
            if not _is_name(c.text):
                continue
            person = lookup.match_person(c.text)
            if person is not None:
                add(i, para.id, c.start, c.end, person, c.text, c.possessive)
                _queue_role(person, text[c.end : c.end + AFTER_NAME], pending_roles, para.id, c.end)
            elif " " not in c.text and not after_place_word(text, c.start):
                # a bare surname, unless a place ("Police in Stonebridge", where someone is named Stonebridge)
                surname_spots.append((i, para.id, c.start, c.end, c.text, c.possessive))
    for i, pid, start, end, name, poss in surname_spots:
        person = _surname_in_story(lookup, name, by_last, i, start)
        if person is not None:
            add(i, pid, start, end, person, story.paragraphs[i].text[start:end], poss)
    found.sort(key=lambda t: (t[0], t[1]))
    # definite references: "the coalition" -> the nearest preceding organization with that word
    for i, para in enumerate(story.paragraphs):
        if not DEFINITE_HINT_RE.search(para.text):
            continue
        for m in DEFINITE_RE.finditer(para.text):
            noun = m["noun"]
            if noun not in ORG_WORDS:
                continue
            before = [t for t in found if (t[0], t[1]) < (i, m.start()) and t[2].kind == "organization"]
            for _, _, org, _ in reversed(before):
                if noun in [w.lower() for w in org.name.split()]:
                    add(i, para.id, m.start(), m.end(), org, m.group())
                    aliases.append((number[id(org)], m.group().lower()))
                    break
    found.sort(key=lambda t: (t[0], t[1]))
    mentions = [(number[id(e)], m.paragraph, m.start, m.end, m.text, m.possessive) for _, _, e, m in found]
    roles = [
        (number[id(person)], _role_text(_resolve_role(role, pid, offset, found, story)))
        for person, role, pid, offset in pending_roles
    ]
    return mentions, aliases, roles


def _queue_role(person: Entity, after: str, pending: list, pid: str, offset: int) -> None:
    role = _appositive_role(after)
    if role:
        pending.append((person, role, pid, offset + after.index(role)))


def _resolve_role(role: str, pid: str, offset: int, found: list, story: Story) -> str:
    """'executive director of the coalition' -> '... of the <organization named earlier>'."""
    for _, _, entity, mention in found:
        if mention.paragraph == pid and offset <= mention.start < offset + len(role):
            if entity.kind == "organization" and mention.text.lower().startswith("the "):
                rel = mention.start - offset
                return role[:rel] + "the " + entity.name + role[rel + len(mention.text) :]
    return role


def _surname_in_story(lookup: _Lookup, name: str, by_last: dict, i: int, start: int) -> Entity | None:
    """A bare surname: the nearest person with it named earlier in this story, else archive-wide.

    ``by_last`` holds the people already found in the story: last name -> (paragraph index, start,
    order found, person).
    """
    candidates = by_last.get(name.lower())
    if candidates:
        before = [t for t in candidates if (t[0], t[1]) < (i, start)]
        return max(before, key=lambda t: t[:3])[3] if before else candidates[0][3]
    return lookup.by_surname(name, None)
