""":func:`find_entities`: the three passes over stories in (date, slug) order, giving an
:class:`~newsarchive.analysis.entities.index.EntityIndex`; with a memo, each story's evidence and
mentions are taken from it where their inputs are unchanged.
"""

from __future__ import annotations

from functools import partial

from newsarchive.analysis.entities.evidence import story_evidence
from newsarchive.analysis.entities.index import EntityIndex, _best_known, _Lookup
from newsarchive.analysis.entities.lexicon import ACRONYM_RE
from newsarchive.analysis.entities.merging import _build, _gather
from newsarchive.analysis.entities.model import Entity
from newsarchive.analysis.entities.names import _org_signature, strip_title
from newsarchive.analysis.entities.scan import _apply, _scan_story
from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.model.story import Story


def _key(step: str, memo: Memo, story: Story, *more: str) -> str:
    return memo_key(step, memo.story_key(story), *more)


def find_entities(stories: list[Story], memo: Memo | None = None) -> EntityIndex:
    """People and organizations named in ``stories``, with roles, aliases and mentions.

    Stories are read in (date, slug) order, so roles and aliases are listed in order of first
    appearance and slugs do not depend on the order stories are given in. With ``memo``, each
    story's evidence (pass 1) and mentions (pass 3) are kept for the next build, the mentions
    under the names and aliases of every known entity (the lookup they were found with).
    """
    memo = memo or Memo()
    ordered = sorted(stories, key=lambda s: (s.date, s.slug))
    ev = _gather(memo.get(partial(_key, "evidence", memo, s), partial(story_evidence, s)) for s in ordered)
    people, orgs = _build(ev)
    acronyms: dict[str, Entity] = {}
    for o in orgs:
        for alias in o.aliases:
            if ACRONYM_RE.match(alias):
                acronyms[alias] = o
    for o in orgs:  # an undefined acronym that spells an organization's initials is that organization
        initials, tail = _org_signature(o.name)
        if len(initials) > 2 and not tail and initials not in acronyms:
            acronyms[initials] = o
    lookup = _Lookup(people, orgs, acronyms)
    entities = people + orgs
    number = {id(e): n for n, e in enumerate(entities)}
    known = ""  # the lookup's names, aliases and acronyms, hashed (only for a memo that keeps them)
    if memo.keeps:
        acronym_numbers = sorted((acronym, number[id(o)]) for acronym, o in acronyms.items())
        # of the evidence counts, only which namesake a bare surname goes to changes what the scan finds
        namesakes = sorted(
            (last, number[id(best)] if (best := _best_known([people[n] for n in found])) else -1)
            for last, found in lookup.by_last.items()
            if len(found) > 1
        )
        names = [(e.kind, e.name, e.aliases) for e in entities]
        known = memo_key("lookup", names, acronym_numbers, namesakes)
    for story in ordered:
        scan = memo.get(partial(_key, "mentions", memo, story, known), partial(_scan_story, story, lookup, number))
        _apply(scan, story, entities)
    for p in people:
        for m in p.mentions:
            p.add_alias(strip_title(m.text) if not m.text.lower().startswith("the ") else m.text)
            p.add_alias(m.text)
        p.aliases = [a for a in p.aliases if a != p.name]
    for o in orgs:
        o.aliases = [a for a in o.aliases if a != o.name]
    people = [p for p in people if p.mentions]
    orgs = [o for o in orgs if o.mentions]
    return EntityIndex(people, orgs)
