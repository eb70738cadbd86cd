"""An archivist's corrections (``content/entities.yml``, read by ``formats/corrections_file.py``)
applied to the people and organizations the analysis found, and to the speakers of quotations.

Plain functions over plain data: no Pelican. Both ``archive lint`` and the build call them, so
they refuse the same things with the same ``path:line: message``.

Slugs in the file name entities as the analysis finds them (their addresses before any
correction). Entities are changed in this order: split, then kind, name and roles, then merges
(a merged entity's mentions, name, aliases and roles go to the one it merges into, following
merges of that one). A quotation's speaker may also be named by the address an entity has after
the corrections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsarchive.analysis.entities.index import EntityIndex
from newsarchive.analysis.entities.model import Entity
from newsarchive.errors import ArchiveError, Problem
from newsarchive.formats.corrections_file import Corrections, EntityCorrection, EntityRef, SpeakerCorrection
from newsarchive.model.story import Story


class CorrectionsError(ArchiveError):
    """The corrections file cannot be applied: every problem, one ``path:line: message`` a line."""

    def __init__(self, problems: list[Problem]):
        first = problems[0]
        super().__init__(first.path, first.line, first.message)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(map(str, self.problems))


@dataclass
class CorrectedEntities:
    """The entities after the corrections, with where each old address now leads."""

    index: EntityIndex
    redirects: dict[str, Entity] = field(default_factory=dict)  # old URL -> the entity it now is
    problems: list[Problem] = field(default_factory=list)
    by_ref: dict[tuple[str, str], Entity] = field(default_factory=dict)  # (kind, slug) before and after

    def speaker(self, ref: EntityRef) -> tuple[Entity | None, str | None]:
        """(entity, None) for a speaker named in the file, or (None, why not)."""
        kinds = [ref.kind] if ref.kind else ["person", "organization"]
        found = {id(e): e for k in kinds if (e := self.by_ref.get((k, ref.slug))) is not None}
        if len(found) > 1:
            return (
                None,
                _ambiguous(ref),
            )
        if not found:
            return None, f"unknown speaker {str(ref)!r}: no person or organization has that slug"
        return next(iter(found.values())), None


def _ambiguous(ref: EntityRef) -> str:
    return f"{ref.slug!r} is both a person and an organization: write people/{ref.slug} or organizations/{ref.slug}"


def _find(index: EntityIndex, ref: EntityRef) -> tuple[Entity | None, str | None]:
    found = [e for e in index.people + index.organizations if e.slug == ref.slug and ref.kind in (None, e.kind)]
    if len(found) > 1:
        return (
            None,
            _ambiguous(ref),
        )
    if not found:
        what = {"person": "person", "organization": "organization", None: "person or organization"}[ref.kind]
        return None, f"unknown slug {str(ref)!r}: no {what} found in the stories has it"
    return found[0], None


def correct_entities(corrections: Corrections | None, index: EntityIndex, stories: list[Story]) -> CorrectedEntities:
    """``index`` with ``corrections`` applied (its entities are changed in place; the lists are
    new), the old addresses of entities that moved, and the problems (nothing is applied when
    there is one)."""
    if corrections is None or not corrections.entities:
        return CorrectedEntities(index, by_ref={(e.kind, e.slug): e for e in index.people + index.organizations})
    path = corrections.path
    problems: list[Problem] = []
    fixes: list[tuple[EntityCorrection, Entity]] = []
    fixed_at: dict[int, int] = {}
    for fix in corrections.entities:
        entity, why = _find(index, fix.entity)
        if entity is None:
            problems.append(Problem(path, fix.entity.line, why))
        elif id(entity) in fixed_at:
            problems.append(
                Problem(
                    path, fix.entity.line, f"conflict: {fix.entity} is corrected at line {fixed_at[id(entity)]} too"
                )
            )
        else:
            fixed_at[id(entity)] = fix.entity.line
            fixes.append((fix, entity))
    # every slug names an entity as found, before any correction
    into: dict[int, tuple[Entity, int]] = {}  # merged entity -> (the one it merges into, line)
    for fix, entity in fixes:
        if fix.merge_into is None:
            continue
        target, why = _find(index, fix.merge_into)
        if target is None:
            problems.append(Problem(path, fix.merge_into.line, why))
        else:
            into[id(entity)] = (target, fix.merge_into.line)
    slugs = {s.slug for s in stories}
    old_url = {id(e): e.url for e in index.people + index.organizations}
    old_key = {id(e): (e.kind, e.slug) for e in index.people + index.organizations}
    entities = list(index.people + index.organizations)
    first_part: dict[int, Entity] = {}
    for fix, entity in fixes:
        taken: dict[str, int] = {}
        for part in fix.split:
            new = Entity(part.kind or fix.kind or entity.kind, part.name, roles=list(part.roles or []))
            for story in part.stories:
                if story not in slugs:
                    problems.append(Problem(path, part.line, f"unknown story {story!r} in the split of {fix.entity}"))
                elif story in taken:
                    problems.append(
                        Problem(path, part.line, f"conflict: story {story!r} is in two parts (line {taken[story]})")
                    )
                elif not any(m.story == story for m in entity.mentions):
                    problems.append(Problem(path, part.line, f"{fix.entity} is not named in story {story!r}"))
                taken[story] = part.line
            new.mentions = [m for m in entity.mentions if m.story in part.stories]
            entity.mentions = [m for m in entity.mentions if m.story not in part.stories]
            for alias in [entity.name, *entity.aliases]:
                if any(alias in m.text for m in new.mentions):
                    new.add_alias(alias)
            entities.append(new)
            first_part.setdefault(id(entity), new)
        if fix.kind:
            entity.kind = fix.kind
        if fix.name and fix.name != entity.name:
            old, entity.name = entity.name, fix.name
            entity.add_alias(old)
            entity.aliases = [a for a in entity.aliases if a != entity.name]
        if fix.roles is not None:
            entity.roles = []
            for role in fix.roles:
                entity.add_role(role)
    final: dict[int, Entity] = {}
    for _fix, entity in fixes:
        if id(entity) not in into:
            continue
        chain, at = [entity], entity
        while id(at) in into:
            at = into[id(at)][0]
            if at in chain:
                names = " -> ".join(str(e.slug) for e in [*chain[chain.index(at) :], at])
                problems.append(Problem(path, into[id(entity)][1], f"merge cycle: {names}"))
                break
            chain.append(at)
        else:
            final[id(entity)] = at
    for _fix, entity in fixes:
        target = final.get(id(entity))
        if target is None:
            continue
        target.mentions += entity.mentions
        for alias in [entity.name, *entity.aliases]:
            if alias != target.name:
                target.add_alias(alias)
        if not any(f.roles is not None for f, e in fixes if e is target):
            for role in entity.roles:
                target.add_role(role)
        entity.mentions = []
    gone = {id(e) for e in entities if id(e) in final or (not e.mentions and id(e) in first_part)}
    kept = [e for e in entities if id(e) not in gone]
    at_url: dict[str, Entity] = {}
    for e in kept:
        other = at_url.setdefault(e.url, e)
        if other is not e:
            line = fixed_at.get(id(e)) or fixed_at.get(id(other)) or 1
            both = " and ".join(old_url.get(id(x), repr(x.name)) for x in (other, e))
            problems.append(Problem(path, line, f"conflict: {both} would both be {e.url}: merge them with merge_into"))
    if problems:
        return CorrectedEntities(index, problems=_sorted(problems))
    by_ref = {(e.kind, e.slug): e for e in kept}
    redirects: dict[str, Entity] = {}
    for e in entities:  # where each address before the corrections now leads
        now = final.get(id(e)) or (first_part.get(id(e)) if id(e) in gone else e)
        if now is None or id(e) not in old_key:
            continue
        by_ref.setdefault(old_key[id(e)], now)
        if old_url[id(e)] not in at_url:
            redirects[old_url[id(e)]] = now
    people = [e for e in kept if e.kind == "person"]
    organizations = [e for e in kept if e.kind == "organization"]
    return CorrectedEntities(EntityIndex(people, organizations), redirects, [], by_ref)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))


def correct_speakers(
    corrections: Corrections | None, occurrences: list, corrected: CorrectedEntities, paragraphs: dict[str, set[str]]
) -> list[Problem]:
    """Set the speakers the file gives to quotation printings (``QuoteOccurrence``: changed in
    place); the problems (an unknown story, paragraph or speaker, no quotation there, or several
    and no ``text`` telling which). ``paragraphs``: story slug -> its paragraph ids."""
    if corrections is None or not corrections.speakers:
        return []
    path = corrections.path
    problems: list[Problem] = []
    by_place: dict[tuple[str, str], list] = {}
    for occ in occurrences:
        by_place.setdefault((occ.story, occ.paragraph), []).append(occ)
    done: dict[int, int] = {}
    for fix in corrections.speakers:
        problem = _speaker_problem(fix, paragraphs)
        if problem is None:
            found = [o for o in by_place.get((fix.story, fix.paragraph), []) if _has_text(o.text, fix.text)]
            if not found:
                problem = f"no quotation begins in {fix.story} {fix.paragraph}" + (
                    f" with the words {fix.text!r}" if fix.text else ""
                )
            elif len(found) > 1:
                problem = f"{len(found)} quotations begin in {fix.story} {fix.paragraph}: add text: with words of the one to correct"
            elif id(found[0]) in done:
                problem = f"conflict: this quotation's speaker is set at line {done[id(found[0])]} too"
        if problem is None and fix.speaker is not None:
            entity, problem = corrected.speaker(fix.speaker)
        if problem is not None:
            problems.append(Problem(path, fix.line, problem))
            continue
        occ = found[0]
        done[id(occ)] = fix.line
        if fix.speaker is None:
            occ.attribute_to(None, None, "corrected")
        else:
            occ.attribute_to(entity, None, "corrected")
    return _sorted(problems)


def _speaker_problem(fix: SpeakerCorrection, paragraphs: dict[str, set[str]]) -> str | None:
    if fix.story not in paragraphs:
        return f"unknown story {fix.story!r}"
    if fix.paragraph not in paragraphs[fix.story]:
        return f"story {fix.story!r} has no paragraph {fix.paragraph}"
    return None


def _has_text(printed: str, words: str | None) -> bool:
    return words is None or " ".join(words.lower().split()) in " ".join(printed.lower().split())
