"""Entities by name and by place: :class:`EntityIndex` (an archive's people and organizations, with
their mentions by story and a printed name resolved to a person), the indexed :class:`_Lookup`
that keeps those lookups linear in the archive, and the plain scans whose answers it gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from newsarchive.analysis.entities.lexicon import ACRONYM_RE, FEMALE_TITLE_RE, MALE_TITLE_RE
from newsarchive.analysis.entities.model import Entity, Mention
from newsarchive.analysis.entities.names import (
    _is_org_name,
    _org_signature,
    _same_org,
    _same_person,
    name_parts,
    strip_title,
)


@dataclass
class EntityIndex:
    """Every person and organization of a set of stories, with lookups by place and name.

    The lookups are indexed when first used: build the index completely (as :func:`find_entities`
    does) before asking it anything.
    """

    people: list[Entity] = field(default_factory=list)
    organizations: list[Entity] = field(default_factory=list)
    _by_story: dict[str, list[tuple[Entity, Mention]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _lookup: _Lookup | None = field(default=None, init=False, repr=False, compare=False)
    _genders: dict[int, str | None] | None = field(default=None, init=False, repr=False, compare=False)

    def mentions_in(self, story: str, paragraph: str | None = None) -> list[tuple[Entity, Mention]]:
        """(entity, mention) pairs of one story (optionally one paragraph), in no particular order."""
        if self._by_story is None:
            self._by_story = {}
            for e in self.people + self.organizations:
                for m in e.mentions:
                    self._by_story.setdefault(m.story, []).append((e, m))
        pairs = self._by_story.get(story, [])
        return [(e, m) for e, m in pairs if paragraph is None or m.paragraph == paragraph]

    def title_gender(self, person: Entity) -> str | None:
        """ "m" or "f" when the archive prints the person's name after Mr. (or Mrs., Ms., Miss) at
        least twice as often as after the other kind; else None. Remembered per person."""
        if self._genders is None:
            self._genders = {}
        if id(person) not in self._genders:
            male = sum(1 for m in person.mentions if MALE_TITLE_RE.match(m.text))
            female = sum(1 for m in person.mentions if FEMALE_TITLE_RE.match(m.text))
            self._genders[id(person)] = "m" if male > 2 * female else "f" if female > 2 * male else None
        return self._genders[id(person)]

    def _people(self) -> _Lookup:
        if self._lookup is None:
            self._lookup = _Lookup(self.people, self.organizations, {}, with_stories=True)
        return self._lookup

    def person(self, slug: str) -> Entity:
        return self._people().by_slug[slug]

    def resolve_person(self, name: str, story: str | None = None) -> Entity | None:
        """The person a printed name (full, surname, with or without title) stands for, or None."""
        name = strip_title(name)
        found = self._people().match_person(name)
        if found or " " in name:
            return found
        return self._people().by_surname(name, story)


def _match_person(people: list[Entity], name: str) -> Entity | None:
    if " " not in name:
        return None
    for p in people:
        if p.name == name or name in p.aliases or _same_person(p.name, name):
            return p
    return None


def _by_surname(people: list[Entity], surname: str, story: str | None) -> Entity | None:
    """Surname -> person: one named in full in ``story`` first, else the only one in the archive,
    else a person named by the surname alone, else the best known of them (:func:`_best_known`)."""
    matches = [p for p in people if p.last == surname.lower() and p.first]
    if story is not None:
        local = [p for p in matches if any(m.story == story for m in p.mentions)]
        if len(local) == 1:
            return local[0]
    if len(matches) == 1:
        return matches[0]
    single = [p for p in people if p.name == surname]
    return single[0] if single else _best_known(matches)


def _best_known(matches: list[Entity]) -> Entity | None:
    """Of several people who share a surname, the one the archive names and describes in more
    ways (roles and printed names, :attr:`Entity.evidence`) than each other one: a bare
    "Roe" in a story that names no Roe in full. None on a tie: an ambiguous surname
    stays unresolved."""
    ranked = sorted(matches, key=lambda p: -p.evidence)
    if len(ranked) > 1 and ranked[0].evidence > ranked[1].evidence:
        return ranked[0]
    return None


class _Lookup:
    """Indexed forms of :func:`_match_person`, :func:`_by_surname` and :func:`_find_org` over fixed lists.

    Same answers as the linear scans (the first match in list order), found through dicts by name and
    last name and a ``rapidfuzz`` search over the distinct last names and organization names, and
    remembered per name. The lists must not change while the lookup is used.
    """

    def __init__(self, people: list[Entity], orgs: list[Entity], acronyms: dict[str, Entity], with_stories=False):
        self.people, self.orgs, self.acronyms = people, orgs, acronyms
        self.by_slug: dict[str, Entity] = {}
        self.by_string: dict[str, int] = {}  # name or alias -> first person with it
        self.by_name: dict[str, int] = {}
        self.by_last: dict[str, list[int]] = {}  # last name -> people (with a first name) in list order
        for n, p in enumerate(people):
            self.by_slug.setdefault(p.slug, p)
            self.by_name.setdefault(p.name, n)
            for s in [p.name, *p.aliases]:
                self.by_string.setdefault(s, n)
            if p.first:
                self.by_last.setdefault(p.last, []).append(n)
        self.lasts = list(self.by_last)
        self.stories = [{m.story for m in p.mentions} for p in people] if with_stories else []
        self.org_by_string: dict[str, int] = {}
        self.org_by_signature: dict[tuple[str, str], list[int]] = {}
        for n, o in enumerate(orgs):
            for s in [o.name, *o.aliases]:
                self.org_by_string.setdefault(s, n)
            self.org_by_signature.setdefault(_org_signature(o.name), []).append(n)
        self.org_lower = [o.name.lower() for o in orgs]
        self._persons: dict[str, Entity | None] = {}
        self._orgs: dict[str, Entity | None] = {}

    def match_person(self, name: str) -> Entity | None:
        """:func:`_match_person` over ``people``."""
        if " " not in name:
            return None
        if name not in self._persons:
            hits = {self.by_string[name]} if name in self.by_string else set()
            first, last = name_parts(name)
            if first:
                for key, _, _ in process.extract(last, self.lasts, scorer=fuzz.ratio, score_cutoff=90, limit=None):
                    hits.update(n for n in self.by_last[key] if _same_person(self.people[n].name, name))
            self._persons[name] = self.people[min(hits)] if hits else None
        return self._persons[name]

    def by_surname(self, surname: str, story: str | None) -> Entity | None:
        """:func:`_by_surname` over ``people`` (``story`` needs ``with_stories``)."""
        matches = self.by_last.get(surname.lower(), [])
        if story is not None:
            local = [n for n in matches if story in self.stories[n]]
            if len(local) == 1:
                return self.people[local[0]]
        if len(matches) == 1:
            return self.people[matches[0]]
        if surname in self.by_name:
            return self.people[self.by_name[surname]]
        return _best_known([self.people[n] for n in matches])

    def find_org(self, name: str) -> Entity | None:
        """:func:`_find_org` over ``orgs`` and ``acronyms``."""
        if name in self.acronyms:
            return self.acronyms[name]
        if name in self.org_by_string:
            return self.orgs[self.org_by_string[name]]
        if name not in self._orgs:
            hits: set[int] = set()
            if ACRONYM_RE.match(name.split(" of ")[0]) or _is_org_name(name):
                hits.update(self.org_by_signature.get(_org_signature(name), []))
                found = process.extract(name.lower(), self.org_lower, scorer=fuzz.ratio, score_cutoff=94, limit=None)
                hits.update(n for _, _, n in found)
                hits = {n for n in hits if _same_org(self.orgs[n].name, name)}
            self._orgs[name] = self.orgs[min(hits)] if hits else None
        return self._orgs[name]


def _find_org(orgs: list[Entity], acronyms: dict[str, Entity], name: str) -> Entity | None:
    if name in acronyms:
        return acronyms[name]
    for o in orgs:
        if o.name == name or name in o.aliases:
            return o
    if ACRONYM_RE.match(name.split(" of ")[0]) or _is_org_name(name):
        for o in orgs:
            if _same_org(o.name, name):
                return o
    return None
