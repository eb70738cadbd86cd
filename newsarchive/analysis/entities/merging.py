"""Every story's pass-1 evidence gathered (:func:`_gather`), and pass 2 (:func:`_build`): names
merged into people (spelling variants of one name are one person) and organizations (acronyms
and shorter forms of one name are one organization; organization evidence beats person evidence).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from newsarchive.analysis.entities.evidence import _role_text
from newsarchive.analysis.entities.index import _match_person
from newsarchive.analysis.entities.lexicon import ACRONYM_RE
from newsarchive.analysis.entities.model import Entity
from newsarchive.analysis.entities.names import _same_org


@dataclass
class _Evidence:
    person: dict[str, list[str]] = field(default_factory=dict)  # name -> roles
    person_seen: dict[str, int] = field(default_factory=dict)  # name -> pieces of person evidence
    place: dict[str, int] = field(default_factory=dict)  # name -> times after "in", "near", ...
    org: dict[str, list[str]] = field(default_factory=dict)  # name -> descriptions
    acronyms: dict[str, str] = field(default_factory=dict)  # acronym -> org name


def _gather(evidence: Iterable[list[tuple[str, str, str | None]]]) -> _Evidence:
    """Pass 1: every name with the evidence that it is a person or an organization (the stories'
    :func:`story_evidence`, in story order)."""
    ev = _Evidence()
    for items in evidence:
        for kind, name, detail in items:
            if kind == "person":
                roles = ev.person.setdefault(name, [])
                ev.person_seen[name] = ev.person_seen.get(name, 0) + 1
                if detail:
                    roles.append(detail)
            elif kind == "place":
                ev.place[name] = ev.place.get(name, 0) + 1
            elif kind == "organization":
                descriptions = ev.org.setdefault(name, [])
                if detail is not None:
                    descriptions.append(detail)
            else:  # an acronym, defined in parentheses after the organization's name
                ev.org.setdefault(detail, [])
                ev.acronyms[name] = detail
    return ev


def _build(ev: _Evidence) -> tuple[list[Entity], list[Entity]]:
    """Pass 2: merge the evidence into people and organizations."""
    orgs: list[Entity] = []
    for name, descriptions in ev.org.items():
        found = next((o for o in orgs if _same_org(o.name, name) or any(_same_org(a, name) for a in o.aliases)), None)
        if found is None:
            found = Entity("organization", name)
            orgs.append(found)
        elif _prefer(name, found.name):
            found.name, old = name, found.name
            found.add_alias(old)
            found.aliases = [a for a in found.aliases if a != name]
        else:
            found.add_alias(name)
        for d in descriptions:
            found.add_role(_role_text(d))
    for acr, name in ev.acronyms.items():
        org = next(o for o in orgs if o.name == name or name in o.aliases)
        org.add_alias(acr)

    for o in list(orgs):  # "State Police" after "Massachusetts State Police": a shorter form of one name
        longer = [x for x in orgs if x is not o and len(o.name.split()) > 1 and x.name.endswith(" " + o.name)]
        if len(longer) == 1:
            longer[0].add_alias(o.name)
            for alias in o.aliases:
                longer[0].add_alias(alias)
            orgs.remove(o)
    org_names = [n.lower() for o in orgs for n in [o.name, *o.aliases]]

    people: list[Entity] = []
    names = sorted(ev.person, key=lambda n: -len(n.split()))  # full names first, then surnames
    for name in names:
        if name.lower() in org_names or any(_same_org(o.name, name) for o in orgs):
            continue
        if not ev.person[name] and ev.place.get(name, 0) > ev.person_seen[name]:
            continue  # "Police in Glendale" a hundred times, "the police chief Glendale, said" once
        full = [p for p in people if p.last == name.lower() and p.first] if " " not in name else []
        if full:  # a surname of someone named in full: their titles ("Gov. Patrick") are roles too
            if len(full) == 1:
                for role in ev.person[name]:
                    full[0].add_role(role)
            continue
        found = _match_person(people, name)
        if found is None:
            found = Entity("person", name)
            people.append(found)
        elif _prefer(name, found.name):
            found.name, old = name, found.name
            found.add_alias(old)
        for role in ev.person[name]:
            found.add_role(role)
    for p in people:  # fixed before the scan: retelling a story, which adds no name or role, keeps it
        p.evidence = len(p.roles) + len(p.aliases)
    return people, orgs


def _prefer(new: str, old: str) -> bool:
    """Which printed form names an entity: the one with more words (then longer) and no acronym."""

    def rank(s: str) -> tuple[int, int, int]:
        return (not ACRONYM_RE.match(s.split(" of ")[0]), len(s.split()), len(s))

    return rank(new) > rank(old)
