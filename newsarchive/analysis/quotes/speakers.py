"""Who an attribution names. :class:`_Resolver` turns the phrase beside a quotation into a person
or an organization from one story's entity mentions: a name ("X said"), a pronoun (the nearest
earlier subject whose gender does not contradict it), a role ("the governor"). :func:`story_genders`
reads each person's gender from the story (titles, roles, pronouns), else from the archive.
"""

from __future__ import annotations

import bisect
import re

from newsarchive.analysis.entities.index import EntityIndex
from newsarchive.analysis.entities.lexicon import (
    FEMALE_TITLE_RE,
    LISTENER_VERB,
    MALE_TITLE_RE,
    ROLE_ALT,
    after_preposition,
)
from newsarchive.analysis.entities.model import Entity, Mention
from newsarchive.analysis.quotes.sentences import sentence_starts
from newsarchive.model.story import Story

ROLE_PHRASE_RE = re.compile(r"^the\s(?:\w+\s){0,2}?(?P<noun>[a-z-]+)$")


class _Resolver:
    """Turns attribution text into a person, using the entity mentions of one story."""

    def __init__(self, story: Story, texts: list[str], index: EntityIndex, quoted: dict[str, list[tuple[int, int]]]):
        self.story = story
        self.texts = texts  # the paragraphs' mark views
        self.index = index
        self.quoted = quoted
        self.by_para: dict[str, list[tuple[Entity, Mention]]] = {}
        for entity, mention in index.mentions_in(story.slug):
            self.by_para.setdefault(mention.paragraph, []).append((entity, mention))
        for items in self.by_para.values():
            items.sort(key=lambda t: t[1].start)
        index_of = {p.id: n for n, p in enumerate(story.paragraphs)}
        # a person named as a modifier of another ("Ortiz consultant Tom Reyes") is not a subject
        self.modifiers = {
            id(m)
            for items in self.by_para.values()
            for (e, m), (f, n) in zip(items, items[1:], strict=False)
            if e.kind == "person"
            and f.kind == "person"
            and n.start - m.end < 60
            and MODIFIER_GAP_RE.fullmatch(texts[index_of[m.paragraph]], m.end, n.start)
        }
        self._gender: dict[str, str] | None = None
        self._subjects: dict[int, dict[int, list[tuple[Entity, Mention]]]] = {}

    @property
    def gender(self) -> dict[str, str]:
        """:func:`story_genders`, read when a pronoun is first resolved."""
        if self._gender is None:
            self._gender = story_genders(self.story, self.texts, self)
        return self._gender

    def subjects(self, j: int) -> dict[int, list[tuple[Entity, Mention]]]:
        """Paragraph ``j``'s people by sentence: those named outside quotations, in text order
        (possessives and modifiers of another name left out)."""
        if j not in self._subjects:
            self._subjects[j] = self._find_subjects(j)
        return self._subjects[j]

    def _find_subjects(self, j: int) -> dict[int, list[tuple[Entity, Mention]]]:
        para = self.story.paragraphs[j]
        starts = sentence_starts(self.texts[j])
        groups: dict[int, list[tuple[Entity, Mention]]] = {}
        for e, m in self.by_para.get(para.id, []):
            if e.kind != "person" or m.possessive or id(m) in self.modifiers or self.in_quote(para.id, m):
                continue
            if LISTENER_BEFORE_RE.search(self.texts[j], max(0, m.start - 12), m.start):
                continue  # "he told Channel Five": the one spoken to is not the sentence's subject
            groups.setdefault(bisect.bisect_right(starts, m.start) - 1, []).append((e, m))
        return groups

    def people_in(self, pid: str, start: int, end: int) -> list[tuple[Entity, Mention]]:
        return [
            (e, m)
            for e, m in self.by_para.get(pid, [])
            if e.kind == "person"
            and start <= m.start
            and m.end <= end
            and not m.possessive
            and not self.in_quote(pid, m)
        ]

    def organization(self, i: int, pid: str, start: int, end: int) -> tuple[Entity, Mention] | None:
        """The organization that speaks in the attribution phrase at ``start:end`` of paragraph
        ``pid`` (asked when the phrase names no person): the first organization named there that
        is not the object of a preposition or of a verb ("the ACLU", "a spokesman for the ACLU",
        "the group"; not "backed by the ACLU", "told the ACLU")."""
        text = self.texts[i]
        for e, m in self.by_para.get(pid, []):
            if e.kind != "organization" or not start <= m.start < end or self.in_quote(pid, m):
                continue
            before = text[max(start, m.start - 60) : m.start]
            if ORG_OBJECT_RE.search(before) and not SPOKESPERSON_FOR_RE.search(before):
                continue
            return e, m
        return None

    def resolve(
        self, i: int, pid: str, start: int, end: int, pick: str
    ) -> tuple[Entity | None, Mention | None, str, str]:
        """(person, mention, how, phrase) for the attribution phrase at ``start:end`` of paragraph ``pid``."""
        text = self.texts[i]
        phrase = " ".join(text[start:end].split()).strip(" ,.;")
        people = self.people_in(pid, start, end)
        # "Moreau, a senator from Crestwood, said": a name after a preposition is not who speaks,
        # unless no other is named ("according to Jane Roe")
        subjects = [(e, m) for e, m in people if not after_preposition(text, m.start)]
        people = subjects or people
        lead = PRONOUN_SUBJECT_RE.match(text, start, min(people[0][1].start if people else end, start + 60))
        if pick == "last" and lead:  # "he backed Ortiz over Roe and said": the pronoun is the subject
            found = self.pronoun(i, start, lead["p"].lower())
            if found:
                return found[0], found[1], "pronoun", phrase
        if people:
            # "..., X, who met Y, said" / "X, an aide to Y, said": X speaks, not the last name before the verb
            first_speaks = pick == "first" or APPOSITION_AFTER_RE.match(text, people[0][1].end)
            entity, mention = people[0] if first_speaks else people[-1]
            return entity, mention, "", phrase
        words = phrase.lower().split()
        pronoun = (words[-1] if pick == "last" else words[0]) if words else ""
        if pronoun not in ("he", "she") and (pick == "first" or len(words) <= 3):
            # "He then asked ...", "Flying home, she told her husband that it was “...”"
            pronoun = next((w for w in words if w in ("he", "she")), pronoun)
        if pronoun in ("he", "she"):
            found = self.pronoun(i, start, pronoun)
            return (found[0], found[1], "pronoun", phrase) if found else (None, None, "", phrase)
        m = ROLE_PHRASE_RE.match(phrase.lower())
        if m:
            person = self.by_role(m["noun"], i, start)
            if person:
                return person, None, "role", phrase
        return None, None, "", phrase

    def pronoun(self, i: int, pos: int, word: str = "") -> tuple[Entity, Mention] | None:
        """The subject of the nearest earlier sentence that names a person (not in a quotation)
        whose gender does not contradict ``word`` ("he", "she"; a person's gender is read from the
        story, see :func:`story_genders`), however far back: a reporter names someone else before
        "he" means someone else."""
        want = {"he": "m", "she": "f"}.get(word)
        for j in range(i, -1, -1):
            groups = self.subjects(j)
            starts = sentence_starts(self.texts[j])
            for sentence in sorted(groups, reverse=True):
                first = groups[sentence][0][1].start
                lead = PRONOUN_SUBJECT_RE.match(self.texts[j], starts[sentence], min(first, starts[sentence] + 60))
                if word and lead and lead["p"].lower() == word:
                    continue  # "He backed Ortiz over Roe": that sentence's subject is the same "he"
                for e, m in groups[sentence]:
                    if (j == i and m.start >= pos) or (want and self.gender.get(e.slug, want) != want):
                        continue
                    return e, m
        return None

    def by_role(self, noun: str, i: int, pos: int) -> Entity | None:
        """'the governor' -> the person with that word in a role, named most recently before here."""
        for j in range(i, -1, -1):
            para = self.story.paragraphs[j]
            for e, m in reversed(self.by_para.get(para.id, [])):
                if e.kind == "person" and (j < i or m.start < pos) and any(noun in r.lower().split() for r in e.roles):
                    return e
        return None

    def in_quote(self, pid: str, m: Mention) -> bool:
        return any(a <= m.start < b for a, b in self.quoted.get(pid, []))


LISTENER_BEFORE_RE = re.compile(rf"\b{LISTENER_VERB}\s$")
# An organization named right after these is an object, not who speaks: "backed by the ACLU",
# "told the ACLU", "in the ACLU's view"...
ORG_OBJECT_RE = re.compile(
    rf"(?:\b(?:in|from|of|at|near|for|with|by|on|to|into|against|about|than|like|between|under|over|"
    rf"after|before|behind|toward|towards|and|or|sued|joined|{LISTENER_VERB}|[a-z]+ed))\s(?:the\s)?$"
)
# ... unless someone speaks for it: "a spokesman for the ACLU", "officials at the agency"
SPOKESPERSON_FOR_RE = re.compile(rf"\b(?:{ROLE_ALT}|officials?|staff|members?)s?\s(?:for|of|at|with)\s(?:the\s)?$")
PRONOUN_SUBJECT_RE = re.compile(r"(?:[^\"“”]*?[\s,])?(?P<p>[Hh]e|[Ss]he)\s(?!said\b)")
APPOSITION_AFTER_RE = re.compile(r",\s(?:who|whose|a|an|the|then|now|once|also|\d)\b")
MODIFIER_GAP_RE = re.compile(rf"\s(?:[a-z][\w-]*\s){{0,2}}(?:{ROLE_ALT})\s")  # "Ortiz[ consultant ]Tom Reyes"
SUBJECT_PRONOUN_RE = re.compile(r"(He|She)\b")  # not after a quotation mark: that "She" is quoted
FEMALE_ROLE_RE = re.compile(r"(?:woman|women|actress|first lady|wife|mother|daughter|sister)\b", re.IGNORECASE)
MALE_ROLE_RE = re.compile(r"(?:(?<!wo)man|husband|father|son|brother|actor)\b", re.IGNORECASE)


def story_genders(story: Story, texts: list[str], resolver: _Resolver) -> dict[str, str]:
    """Person slug -> "m" or "f", as this story tells it: a title (Mr., Mrs., Ms.) printed with
    the name, a role (spokeswoman, chairman), or else the pronouns of the sentences whose subject
    the person alone is (a next sentence that names no one and starts with "He" or "She"), when one
    is at least twice as frequent as the other, or else the titles the archive prints with the
    name (:meth:`EntityIndex.title_gender`). Unknown otherwise."""
    cue: dict[str, str] = {}
    tally: dict[str, list[int]] = {}
    for j, para in enumerate(story.paragraphs):
        text = texts[j]
        for e, m in resolver.by_para.get(para.id, []):
            if e.kind != "person":
                continue
            if MALE_TITLE_RE.match(m.text):
                cue.setdefault(e.slug, "m")
            elif FEMALE_TITLE_RE.match(m.text):
                cue.setdefault(e.slug, "f")
        groups = resolver.subjects(j)
        starts = sentence_starts(text)
        for k, people in groups.items():
            if len({e.slug for e, _ in people}) > 1:
                continue  # "Reyes backed Ortiz over Roe. She ...": whose "She"?
            if k + 1 < len(starts) and k + 1 not in groups:  # the next sentence names no one: "He ..." is the subject
                first = SUBJECT_PRONOUN_RE.match(text, starts[k + 1])
                if first:
                    counts = tally.setdefault(people[0][0].slug, [0, 0])
                    counts[first.group(1).lower() == "she"] += 1
    genders = {}
    for items in resolver.by_para.values():
        for e, _ in items:
            if e.kind != "person" or e.slug in genders:
                continue
            roles = " ".join(e.roles)
            he, she = tally.get(e.slug, [0, 0])
            if e.slug in cue:
                genders[e.slug] = cue[e.slug]
            elif FEMALE_ROLE_RE.search(roles) and not MALE_ROLE_RE.search(roles):
                genders[e.slug] = "f"
            elif MALE_ROLE_RE.search(roles) and not FEMALE_ROLE_RE.search(roles):
                genders[e.slug] = "m"
            elif he > 2 * she:
                genders[e.slug] = "m"
            elif she > 2 * he:
                genders[e.slug] = "f"
            elif resolver.index.title_gender(e):
                genders[e.slug] = resolver.index.title_gender(e)
    return genders
