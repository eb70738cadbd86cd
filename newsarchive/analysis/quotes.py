"""Direct quotations in story bodies: extraction, attribution, cross-referencing across stories.

The rules are documented in ``docs/QUOTES.md``. In short:

* Quotation marks: curly ``“`` opens and ``”`` closes; a straight ``"`` opens when no quotation is
  open and closes otherwise; ``''`` as news databases print them, ``„low-high“`` and ``»...«``
  pair by shape. Single quotes are apostrophes or nested quotes: never segments.
* Every quoted stretch is a quotation unless it is a name, a title or markup
  (:func:`is_name_in_quotes`). Its speaker comes from a speech verb attached to it (``"...,"
  X said``, ``said X``, ``X said: "..."``, ``according to X``), from the statement it continues
  (split quote, next paragraph of a multi-paragraph quote), from a speech verb earlier in its
  sentence, from the paragraph before (a whole sentence standing alone), or from the sentence's
  subject (a partial quotation). ``he``/``she`` go to the nearest earlier subject whose gender
  does not contradict them.
* Bad marks never raise: an unclosed or stray mark keeps the quote with speaker unknown and a
  warning at ``path:line``; so does an attribution that resolves to no person.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import partial
from typing import Any

from rapidfuzz import fuzz

from newsarchive.analysis.comment_citations import Citation, find_citations, name_quotes
from newsarchive.analysis.entities import (
    FEMALE_TITLE_RE,
    LISTENER_VERB,
    MALE_TITLE_RE,
    PRONOUNS,
    ROLE_ALT,
    SPEECH_VERB,
    Entity,
    EntityIndex,
    Mention,
    after_preposition,
    find_entities,
)
from newsarchive.analysis.entity_corrections import CorrectionsError, correct_entities, correct_speakers
from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.errors import Problem
from newsarchive.formats.corrections_file import Corrections
from newsarchive.model.story import QUOTE_URL, STORY_URL, Archive, Note, Span, Story
from newsarchive.site.progress import progress

MIN_WORDS = 4  # a partial or unattributed quotation shorter than this is a phrase, not a statement
SENTENCE_MATCH = 85  # rapidfuzz ratio at which two normalized sentences are the same sentence
RAREST = 4  # each sentence proposes the printings that share its rarest this many 3-word runs ...
MIN_SHARED = 2  # ... at least this many of them (of the whole statement)
SHINGLE_CAP = 100  # a 3-word run in more printings than this is too common to propose them for comparison
NEIGHBORS = 8  # a sentence printed verbatim in many statements: each is compared with its next this many
OPEN_MARKS = "“„«"
CLOSE_MARKS = "”»"
ABBREVIATIONS = set(
    """gov sen rep lt dr mr mrs ms st jr sr gen atty dist prof rev sgt capt det mass inc co corp no vs
    jan feb mar apr aug sept sep oct nov dec calif conn""".split()
)
BOUNDARY_RE = re.compile(r"[.!?…][\"”’)]*\s+(?=[\"“(\[]?[A-Z0-9])")
LEAD = r"^\s*(?:[,—–]|--)?\s*"
VERB_FIRST_RE = re.compile(rf"{LEAD}(?P<verb>{SPEECH_VERB})\b(?P<who>[^\"“”]*)")
ACCORDING_RE = re.compile(rf"{LEAD}according\sto\s(?P<who>[^\"“”]*)")
WHO_FIRST_RE = re.compile(rf"{LEAD}(?P<who>[^\"“”]{{1,160}}?)\s(?P<verb>{SPEECH_VERB})\b")
BEFORE_RE = re.compile(rf"\b(?P<verb>{SPEECH_VERB})\b(?:\s*[:,]|(?P<mod>\s[^\"“”:,.;!?]{{1,60}})[:,]|\s+that)?\s*$")
BEFORE_ACCORDING_RE = re.compile(r"\b[Aa]ccording\sto\s(?P<who>[^\"“”]+?),?\s*$")
INTRO_RE = re.compile(rf"\b(?P<verb>{SPEECH_VERB})\b[^\"“”]{{0,60}}:\s*$")
VERB_RE = re.compile(rf"\b{SPEECH_VERB}\b")
VERB_ENDS_CLAUSE_RE = re.compile(r"\s*(?:[.,;:!?]|$|\s(?:in|on|at|to|during|after|before|when|while|from|of|with)\b)")
SPLIT_QUOTE_GAP_RE = re.compile(rf"\b{SPEECH_VERB}\b|according to")
ROLE_PHRASE_RE = re.compile(r"^the\s(?:\w+\s){0,2}?(?P<noun>[a-z-]+)$")
SENTENCE_AFTER_RE = re.compile(r"^\s*(?:$|[\[(A-Z\"“])")
SENTENCE_END_RE = re.compile(r"[.?!,;:…—-]$")


@dataclass(slots=True)
class Fragment:
    """One quoted stretch as printed. ``start``/``end`` span it in the paragraph, marks included."""

    paragraph: str
    start: int
    end: int
    text: str  # the words inside the marks


@dataclass(slots=True)
class QuoteOccurrence:
    """One printing of a statement: its fragments (in one or more paragraphs) and its speaker."""

    story: str
    path: str
    date: dt.datetime
    fragments: list[Fragment]
    line: int
    order: int  # index of the first paragraph in the story
    speaker: str | None = None  # the speaker's slug: a person's, or an organization's (``speaker_kind``)
    speaker_name: str | None = None
    speaker_mention: Mention | None = None  # where the attribution names the speaker
    attribution: str = ""  # "after", "before", "according", "pronoun", "role", "context", "" (unknown)
    speaker_kind: str | None = None  # "person" | "organization"; None when the speaker is unknown

    def attribute_to(self, entity: Entity | None, mention: Mention | None = None, how: str = "") -> None:
        """Make ``entity`` (a person or an organization; None: unknown) the speaker of this printing."""
        self.speaker = entity.slug if entity else None
        self.speaker_name = entity.name if entity else None
        self.speaker_kind = entity.kind if entity else None
        self.speaker_mention, self.attribution = mention, how

    def speaker_from(self, other: QuoteOccurrence, how: str = "context") -> None:
        """The speaker of ``other`` (a printing this one continues) is this one's too."""
        self.speaker, self.speaker_name, self.speaker_kind = other.speaker, other.speaker_name, other.speaker_kind
        self.attribution = how

    @property
    def speaker_key(self) -> tuple[str, str] | None:
        """(kind, slug) of the speaker: a person and an organization may share a slug."""
        return (self.speaker_kind or "person", self.speaker) if self.speaker else None

    @property
    def paragraph(self) -> str:
        return self.fragments[0].paragraph

    @property
    def text(self) -> str:
        """The fragments as printed, joined by a space."""
        return " ".join(f.text for f in self.fragments)

    @property
    def url(self) -> str:
        return STORY_URL.format(slug=self.story) + "#" + self.paragraph

    @property
    def sort_key(self) -> tuple:
        return (self.date, self.story, self.order, self.fragments[0].start)

    def sentences(self) -> list[str]:
        """The statement split into sentences; a comma before an attribution becomes a full stop."""
        parts = []
        for n, frag in enumerate(self.fragments):
            text = frag.text.strip()
            following = self.fragments[n + 1].text.lstrip() if n + 1 < len(self.fragments) else ""
            if text.endswith(",") and (not following or following[:1].isupper()):
                text = text[:-1] + "."
            parts.append(text)
        return split_sentences(" ".join(p for p in parts if p))


@dataclass(slots=True)
class DiffOp:
    """A run of words: "equal", "insert" (only in this printing) or "delete" (only in the canonical text)."""

    op: str
    text: str


@dataclass(slots=True)
class Quote:
    """A statement with every printing of it. ``diffs[i]`` compares occurrence i with ``text``."""

    id: str
    speaker: str | None
    text: str
    occurrences: list[QuoteOccurrence]
    diffs: list[list[DiffOp]] = field(default_factory=list)
    fullest: int = 0  # the occurrence with the most words (the earliest on ties): ``text`` is built on it
    speaker_kind: str | None = None  # "person" | "organization" (None: speaker unknown)

    @property
    def url(self) -> str:
        return QUOTE_URL.format(id=self.id)

    @property
    def speaker_key(self) -> tuple[str, str] | None:
        """(kind, slug) of the speaker, as :attr:`QuoteOccurrence.speaker_key`."""
        return (self.speaker_kind or "person", self.speaker) if self.speaker else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "speaker": self.speaker,
            "speaker_kind": self.speaker_key[0] if self.speaker_key else None,
            "text": self.text,
            "occurrences": [
                {"story": o.story, "paragraph": o.paragraph, "text": o.text, "url": o.url} for o in self.occurrences
            ],
        }


# -- text helpers ---------------------------------------------------------------------------------


def _is_boundary(text: str, m: re.Match) -> bool:
    """Is this match of BOUNDARY_RE a sentence end, not an abbreviation ("Gov.", "P.", "U.S.")?"""
    end = m.start()
    if text[end] != ".":
        return True
    start = end  # the word before the mark: the run of word characters and dots (r"[\w.]+") ending there
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    if start == end:
        return True
    w = text[start:end]
    return not (w.lower() in ABBREVIATIONS or (len(w) == 1 and w.isupper()) or "." in w)


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start in ``text`` (always includes 0)."""
    return list(_sentence_starts(text))


@functools.lru_cache(maxsize=4096)
def _sentence_starts(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in BOUNDARY_RE.finditer(text) if _is_boundary(text, m)))


def split_sentences(text: str) -> list[str]:
    starts = sentence_starts(text) + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, starts[1:], strict=False) if text[a:b].strip()]


BRACKETED_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
PUNCTUATION_RE = re.compile(r"[^\w\s]")
WORD_RE = re.compile(r"\w+")
MARK_RE = re.compile(f'[{OPEN_MARKS}{CLOSE_MARKS}"]')


def normalize(text: str) -> str:
    """For matching printings: no bracketed insertions, quote marks, punctuation or case."""
    text = BRACKETED_RE.sub(" ", text)
    text = text.replace("’", "'").replace("‘", "'").lower()
    text = PUNCTUATION_RE.sub(" ", text.replace("'", ""))
    return " ".join(text.split())


@functools.lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    """A word as :func:`word_diff` compares it."""
    return normalize(word) or word


def _word_count(text: str) -> int:
    return len(WORD_RE.findall(text))


# -- extraction -----------------------------------------------------------------------------------


@dataclass
class _Segment:
    open_at: int | None  # None: a stray closing mark
    close_at: int | None  # None: never closed in this paragraph
    start: int  # span of the fragment (marks included)
    end: int
    inner: tuple[int, int]  # span of the words inside


DOUBLE_APOSTROPHE_RE = re.compile(r"'{2,3}")
# A closing mark that pairs with an opening one besides the usual closers (CLOSE_MARKS and a straight
# '"'): German „low-high“ marks and »reversed guillemets«.
OWN_CLOSER = {"„": "“", "»": "«"}


def mark_view(text: str) -> str:
    """``text`` with each pair of apostrophes that news databases print for a double quotation
    mark turned into a curly mark and a space (an opening one before a word: ``“ We``; a closing
    one after it: ``stop, ” she``). Same length and offsets, so spans found in the view are spans
    of the printed text."""
    if "''" not in text:
        return text
    chars = list(text)
    for m in DOUBLE_APOSTROPHE_RE.finditer(text):
        a, b = m.span()
        opening = a == 0 or text[a - 1].isspace() or text[a - 1] in "([{—–-/"
        if b - a == 3 and opening:  # the double mark, then a nested single one
            b -= 1
        elif b - a == 3:  # a nested single quote closes, then the double one
            a += 1
        if opening and b < len(text) and not text[b].isspace():
            chars[a:b] = "“ "
        elif not opening:
            chars[a:b] = " ”"
    return "".join(chars)


def _invisible(ch: str) -> bool:
    """A format character such as a bidirectional mark (U+202A): no more than a space before a mark."""
    return unicodedata.category(ch) == "Cf"


def _segments(text: str) -> list[_Segment]:
    """Quoted stretches of one paragraph (its :func:`mark_view`), pairing marks by shape (see
    the module docstring)."""
    pairs: list[tuple[int | None, int | None]] = []
    open_at = None
    for mark in MARK_RE.finditer(text):  # only the marks matter: skip the letters between them
        i, ch = mark.start(), mark.group()
        if open_at is not None and ch == OWN_CLOSER.get(text[open_at]):
            pairs.append((open_at, i))
            open_at = None
        elif ch == "“" and open_at is not None and text[i - 1] in ",.!?" and not text[i + 1 : i + 2].strip():
            pairs.append((open_at, i))  # an opening mark typed where the closing one belongs: “We won,“ she said
            open_at = None
        elif ch in OPEN_MARKS or (ch == '"' and open_at is None):
            if open_at is None:
                open_at = i
        elif ch in CLOSE_MARKS or ch == '"':
            if open_at is not None:
                pairs.append((open_at, i))
                open_at = None
            elif (i == 0 or text[i - 1].isspace() or _invisible(text[i - 1])) and text[i + 1 : i + 2].isalnum():
                open_at = i  # a closing mark typed where an opening one belongs
            else:
                pairs.append((None, i))
    if open_at is not None:
        pairs.append((open_at, None))
    segments, prev_end = [], 0
    for o, c in pairs:
        begin = o + 1 if o is not None else prev_end
        finish = c if c is not None else len(text)
        while begin < finish and text[begin].isspace():
            begin += 1
        while finish > begin and text[finish - 1].isspace():
            finish -= 1
        start = o if o is not None else begin
        end = c + 1 if c is not None else len(text)
        segments.append(_Segment(o, c, start, end, (begin, finish)))
        prev_end = end
    return segments


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


def _unquoted(text: str, offset: int, quoted: list[tuple[int, int]]) -> str:
    """``text`` (which starts at ``offset`` in its paragraph) with the quoted stretches blanked."""
    chars = list(text)
    for a, b in quoted:
        lo, hi = max(a - offset, 0), min(b - offset, len(chars))
        if lo < hi:
            chars[lo:hi] = " " * (hi - lo)
    return "".join(chars)


@dataclass
class _Attribution:
    how: str
    start: int  # span of the phrase naming the speaker, in the paragraph
    end: int
    pick: str  # which person of the phrase speaks: "first" ("said X, ...") or "last" ("..., X said")


def _crosses_sentence(text: str) -> bool:
    return any(_is_boundary(text, m) for m in BOUNDARY_RE.finditer(text))


def _first_sentence(text: str) -> str:
    ends = [m.start() + 1 for m in BOUNDARY_RE.finditer(text) if _is_boundary(text, m)]
    return text[: ends[0]] if ends else text


def _speakerish(who: str) -> bool:
    """Could this phrase before a speech verb name a speaker ("Heffernan", "he", "a spokesman")?"""
    who = who.strip()
    if not who or _crosses_sentence(who) or _word_count(who.split(",")[0]) > 10:
        return False
    words = who.split()
    if words[0].strip(",") in WHEN_WORDS or words[-1].lower() in ("was", "were", "been", "being", "is", "be"):
        return False  # "“...” Monday, hours after ...", "the clerk was charged": not who speaks
    return words[0][0].isupper() or words[0].lower() in PRONOUNS | {
        "the",
        "a",
        "an",
        "one",
        "another",
        "his",
        "her",
        "its",
    }


WHEN_WORDS = set(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday Yesterday Today Tomorrow Tonight January February
    March April May June July August September October November December Earlier Later Last Next""".split()
)


def _after_attribution(text: str, seg: _Segment, next_open: int) -> _Attribution | None:
    if seg.close_at is None:
        return None
    base = seg.close_at + 1
    after = text[base:next_open]
    if next_open < len(text) and after.rstrip().endswith(":"):
        return None  # "“A.” The senator added: “B.”": the clause introduces the next quotation
    for how, regex in (("after", VERB_FIRST_RE), ("according", ACCORDING_RE)):
        m = regex.match(after)
        if m:
            who = _first_sentence(m["who"])
            if _speakerish(who):
                return _Attribution(how, base + m.start("who"), base + m.start("who") + len(who), "first")
    m = WHO_FIRST_RE.match(after)
    ended = text[seg.inner[0] : seg.inner[1]].endswith(".")  # "...end.” Reyes called it “bold.”": a new sentence
    if m and not (ended and not VERB_ENDS_CLAUSE_RE.match(after, m.end())):
        if _speakerish(m["who"]):
            return _Attribution("after", base + m.start("who"), base + m.end("who"), "last")
        tail = m["who"].rsplit(",", 1)[-1]  # "“... comes from” the rates, he said": the quoted clause runs on
        if "," in m["who"] and tail.strip().lower() in ("he", "she"):
            return _Attribution("after", base + m.end("who") - len(tail), base + m.end("who"), "last")
    return None


def _before_attribution(text: str, sentence_start: int, seg: _Segment) -> _Attribution | None:
    assert seg.open_at is not None
    before = text[sentence_start : seg.open_at]
    m = BEFORE_ACCORDING_RE.search(before)
    if m:
        return _Attribution("according", sentence_start + m.start("who"), sentence_start + m.end("who"), "first")
    m = BEFORE_RE.search(before)
    if m and before[: m.start()].strip():
        return _Attribution("before", sentence_start, sentence_start + m.start(), "last")
    return None


def _embedded_attribution(text: str, sentence_start: int, seg: _Segment) -> _Attribution | None:
    """A partial quote after a speech verb in the same sentence: 'Montes said the plan is "..."'."""
    before = text[sentence_start : seg.open_at]
    verbs = list(VERB_RE.finditer(before))
    if not verbs or is_name_in_quotes(text[seg.inner[0] : seg.inner[1]], before):
        return None
    verb = verbs[-1]
    if not before[: verb.start()].strip():
        return None
    return _Attribution("before", sentence_start, sentence_start + verb.start(), "last")


def _sentence_start(text: str, lower: int, pos: int) -> int:
    starts = [s for s in sentence_starts(text) if lower <= s <= pos]
    return max(starts) if starts else lower


def extract_quotes(story: Story, entities: EntityIndex | None = None) -> tuple[list[QuoteOccurrence], list[Problem]]:
    """Every direct quotation in ``story``'s body, with its speaker, and warnings for bad marks.

    ``entities`` (from :func:`~newsarchive.analysis.entities.find_entities` over the whole archive) lets a
    bare surname resolve to a person named in full in another story; without it the story alone
    is read. Never raises on any paragraph text.
    """
    index = entities if entities is not None else find_entities([story])
    views = [mark_view(p.text) for p in story.paragraphs]
    segments = {p.id: _segments(view) for p, view in zip(story.paragraphs, views, strict=True)}
    quoted = {pid: [s.inner for s in segs] for pid, segs in segments.items()}
    resolver = _Resolver(story, views, index, quoted)
    occurrences: list[QuoteOccurrence] = []
    problems: list[Problem] = []
    continuing: QuoteOccurrence | None = None  # a statement whose quotation runs into the next paragraph
    last: QuoteOccurrence | None = None  # the most recent statement, with its paragraph index
    last_para = -10

    def warn(para_line: int, message: str) -> None:
        problems.append(Problem(story.path, para_line, message))

    def new(i: int, frag: Fragment) -> QuoteOccurrence:
        occ = QuoteOccurrence(story.slug, story.path, story.date, [frag], story.paragraphs[i].line, i)
        occurrences.append(occ)
        return occ

    def attribute(occ: QuoteOccurrence, i: int, att: _Attribution, *fallbacks: _Attribution) -> None:
        pid = story.paragraphs[i].id
        person, mention, how, phrase = resolver.resolve(i, pid, att.start, att.end, att.pick)
        for other in fallbacks:
            if person is None:
                person, mention, how, _ = resolver.resolve(i, pid, other.start, other.end, other.pick)
        if person is None:  # no person: an organization that speaks ("the ACLU said", "a spokesman for X said")
            for each in (att, *fallbacks):
                if person is None:
                    person, mention = resolver.organization(i, pid, each.start, each.end) or (None, None)
        if person is None:
            warn(
                story.paragraphs[i].line,
                f"quotation {_short(occ.text)} is attributed to no known person or "
                f"organization ({phrase!r}): speaker unknown",
            )
            return
        occ.attribute_to(person, mention, how or att.how)

    for i, para in enumerate(story.paragraphs):
        text = views[i]
        segs = segments[para.id]
        next_para = views[i + 1].lstrip() if i + 1 < len(story.paragraphs) else ""
        runs_on = next_para[:1] in OPEN_MARKS + '"'
        if continuing is not None and not (segs and segs[0].open_at is not None and not text[: segs[0].start].strip()):
            continuing = None  # the previous paragraph's warning was given there
        prev: tuple[_Segment, QuoteOccurrence | None] | None = None
        for k, seg in enumerate(segs):
            frag = Fragment(para.id, seg.start, seg.end, para.text[seg.inner[0] : seg.inner[1]])
            if not WORD_RE.search(frag.text) and not (k == 0 and continuing is not None):
                prev = (seg, None)  # marks around no words ("”", a stray mark at the paragraph's end)
                if k == len(segs) - 1:
                    continuing = None
                continue
            next_open = segs[k + 1].open_at if k + 1 < len(segs) and segs[k + 1].open_at is not None else len(text)
            occ: QuoteOccurrence | None = None
            if k == 0 and continuing is not None:
                continuing.fragments.append(frag)
                occ = continuing
            elif seg.open_at is None:
                occ = new(i, frag)
                warn(
                    para.line,
                    f"closing quotation mark without an opening one after {_short(frag.text)}: speaker unknown",
                )
            elif seg.close_at is None and not runs_on:
                occ = new(i, frag)
                warn(para.line, f"quotation mark opened before {_short(frag.text)} is never closed: speaker unknown")
            else:
                occ = _classify(text, i, seg, frag, prev, next_open, new, attribute)
                if occ is None:
                    occ = _from_context(
                        story, i, seg, frag, text, prev, next_open, last, last_para, new, attribute, warn
                    )
                if occ is None and seg.close_at is None:
                    occ = new(i, frag)
                    warn(
                        para.line, f"quotation mark opened before {_short(frag.text)} is never closed: speaker unknown"
                    )
            if seg.close_at is None and occ is not None and runs_on:
                continuing = occ
            elif k == len(segs) - 1:
                continuing = None
            if occ is not None:
                last, last_para = occ, i
            prev = (seg, occ)
    return occurrences, problems


def _classify(text, i, seg, frag, prev, next_open, new, attribute) -> QuoteOccurrence | None:
    """A statement with its own attribution, or the second half of a split quote; else None."""
    if is_markup(frag.text, text[: seg.start]):
        return None
    att = _after_attribution(text, seg, next_open)
    if att:
        occ = new(i, frag)
        attribute(occ, i, att)
        return occ
    lower = prev[0].end if prev else 0
    if prev and prev[1] is not None and prev[1].fragments[-1].paragraph == frag.paragraph:
        gap = text[lower : seg.inner[0] + 1]
        joined = text[lower : seg.open_at].rstrip()[-1:] in ".,:;—–-"  # not "X called it “bold.”"
        if (
            joined
            and len([m for m in BOUNDARY_RE.finditer(gap) if _is_boundary(gap, m)]) <= 1
            and SPLIT_QUOTE_GAP_RE.search(gap)
        ):
            prev[1].fragments.append(frag)  # "A," X said. "B."  -> one statement, two fragments
            return prev[1]
    start = _sentence_start(text, lower, seg.open_at)
    att = _before_attribution(text, start, seg) or _embedded_attribution(text, start, seg)
    if att:
        occ = new(i, frag)
        attribute(occ, i, att)
        return occ
    return None


def _from_context(story, i, seg, frag, text, prev, next_open, last, last_para, new, attribute, warn):
    """A whole unattributed sentence in quotes: the speaker of the paragraph before (or none)."""
    lower = prev[0].end if prev else 0
    before = text[_sentence_start(text, lower, seg.open_at) : seg.open_at]
    after = text[seg.close_at + 1 :] if seg.close_at is not None else ""
    standalone = (
        not before.strip()
        and SENTENCE_AFTER_RE.match(after)
        and (seg.close_at is None or SENTENCE_END_RE.search(frag.text))
    )
    if is_name_in_quotes(frag.text, before, after):
        return None  # a name or a title: not a statement
    if not standalone:  # a partial quotation: the sentence's subject says it
        occ = new(i, frag)
        start = _sentence_start(text, 0, seg.open_at)
        if prev and prev[1] is not None and prev[1].speaker and prev[0].start >= start:
            # "X said the plan was “reckless” and “unfair.”": the sentence's earlier quotation's speaker
            occ.speaker_from(prev[1])
            return occ
        end = next((s for s in sentence_starts(text) if s > seg.end), len(text))
        after_end = min(end, next_open)
        attribute(
            occ,
            i,
            _Attribution("sentence", start, seg.open_at, "first"),
            _Attribution("sentence", seg.end, max(seg.end, after_end), "first"),
        )
        return occ
    occ = new(i, frag)
    previous = story.paragraphs[i - 1].text if i > 0 else ""
    intro = INTRO_RE.search(previous)
    if not before.strip() and lower == 0 and intro:
        attribute(occ, i - 1, _Attribution("before", 0, intro.start(), "last"))
    elif last is not None and last_para >= i - 1 and last.speaker:
        occ.speaker_from(last)
    else:
        warn(story.paragraphs[i].line, f"quotation {_short(frag.text)} has no attribution: speaker unknown")
    return occ


TITLE_CASE_SMALL = {"of", "the", "and", "a", "an", "for", "to", "in", "on", "at", "by", "or", "de", "la", "vs"}
QUOTED_WORD_RE = re.compile(r"[\w'’-]+")
# Before a quoted name, title or word cited as a word: "dubbed the", "a sign reading", "the phrase".
NAMING_RE = re.compile(
    r"(?:\b(?:dubbed|nicknamed|so-called|known\sas|named|titled|entitled|headlined|reading)(?:\s[\w'’-]+){0,3}"
    r"|\b(?:the\sname|self-described|(?:the|a)\s(?:[\w-]+\s)?(?:phrase|word|words|term|slogan|hashtag|motto|title|"
    r"show|program|film|book|song|video|ad))[,:]?)\s$",
    re.IGNORECASE,
)


# a web address, an e-mail address or a handle: one "word" with a slash, an @ or a dot inside
WEB_NAME_RE = re.compile(r"\S*(?:/|@|\w\.\w)\S*")
BYLINE_BEFORE_RE = re.compile(r"\bby\s[^\"“”:]{1,80}:\s*$")
# after the closing mark: a byline, or a year in parentheses
NOT_SAID_AFTER_RE = re.compile(r"\s*(?:,?\sby\s|\([^()]{0,60}\b\d{4}\))")


def is_markup(quoted: str, before: str) -> bool:
    """A web address, e-mail address or handle in quotes, or the value of a markup attribute."""
    return WEB_NAME_RE.fullmatch(quoted.strip()) is not None or before.rstrip().endswith("=")


def is_name_in_quotes(quoted: str, before: str, after: str = "") -> bool:
    """Is this quoted stretch a name, a title or markup rather than words someone said? Every word
    capitalized (small words aside: ``"Operation Blue Water"``, ``"The Apprentice"``), a number, a
    web address or handle, an attribute of markup (``href="..."``), right after a naming phrase
    (``dubbed the "boat tax"``, ``a sign reading "..."``, ``the phrase "..."``), a headline with
    its byline (``"Museum to close," by Jane Roe``) or the excerpt after it (``by Jane Roe:
    "..."``), or a work with its year (``"No to tolls" (2005)``)."""
    words = QUOTED_WORD_RE.findall(quoted)
    if not words:
        return True
    if len(words) <= 8 and all(w[0].isupper() or w[0].isdigit() or w.lower() in TITLE_CASE_SMALL for w in words):
        return True
    if is_markup(quoted, before):
        return True
    return bool(
        NAMING_RE.search(before[-60:]) or BYLINE_BEFORE_RE.search(before[-120:]) or NOT_SAID_AFTER_RE.match(after)
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 50 else text[:47] + "...")


# -- cross-referencing ----------------------------------------------------------------------------


def _sentence_match(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if fuzz.ratio(a, b) >= SENTENCE_MATCH:
        return True
    return min(len(a.split()), len(b.split())) >= 6 and fuzz.token_set_ratio(a, b) >= 95


def _same_statement(a: list[str], b: list[str]) -> bool:
    """At least half of the shorter printing's sentences are in the other."""
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    matched = sum(1 for s in shorter if any(_sentence_match(s, t) for t in longer))
    return matched > 0 and 2 * matched >= len(shorter)


def _runs(sentence: str) -> set[str]:
    """The 3-word runs of one sentence (a shorter sentence is one run)."""
    words = sentence.split()
    if len(words) < 3:
        return {" ".join(words)}
    return set(map(" ".join, zip(words, words[1:], words[2:], strict=False)))


def _merge_sentences(base: list[str], others: list[list[str]]) -> list[str]:
    """The base printing's sentences, with sentences only other printings carry put in their place."""
    merged = list(base)
    if not others:  # a statement printed once
        return merged
    keys = [normalize(t) for t in merged]
    for sentences in others:
        pos = -1
        for s in sentences:
            key = normalize(s)
            hit = next((j for j, t in enumerate(keys) if _sentence_match(key, t)), None)
            if hit is not None:
                pos = hit
            else:
                merged.insert(pos + 1, s)
                keys.insert(pos + 1, key)
                pos += 1
    return merged


def word_diff(printed: str, canonical: str) -> list[DiffOp]:
    """Word-level difference of one printing against the canonical text (case, marks and punctuation ignored)."""
    a, b = printed.split(), canonical.split()
    ops: list[DiffOp] = []

    def emit(op: str, words: list[str]) -> None:
        if not words:
            return
        if ops and ops[-1].op == op:
            ops[-1].text += " " + " ".join(words)
        else:
            ops.append(DiffOp(op, " ".join(words)))

    keys_a, keys_b = [_word_key(w) for w in a], [_word_key(w) for w in b]
    if keys_a == keys_b:  # what SequenceMatcher would say, without building it
        emit("equal", a)
        return ops
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            emit("equal", a[i1:i2])
        else:
            emit("delete", b[j1:j2])
            emit("insert", a[i1:i2])
    return ops


def _quote_id(speaker: str | None, first_sentence: str, taken: set[str]) -> str:
    digest = hashlib.sha1(normalize(first_sentence).encode()).hexdigest()[:8]
    base = f"{speaker or 'unknown'}-{digest}"
    qid, n = base, 2
    while qid in taken:
        qid, n = f"{base}-{n}", n + 1
    taken.add(qid)
    return qid


def _candidates(sentences: list[list[str]]) -> list[list[int]]:
    """For each printing, the later printings worth comparing with it (see :func:`cross_reference`)."""
    runs = [[_runs(sentence) for sentence in sents] for sents in sentences]
    printing_runs = [set().union(*r) for r in runs]
    df = Counter(itertools.chain.from_iterable(printing_runs))  # the number of printings with each run
    shared = {sh for sh, count in df.items() if count > 1}  # the others are in one printing only
    by_shingle: dict[str, list[int]] = {}  # the printings with each shared run
    by_sentence: dict[str, list[int]] = {}
    for n, sents in enumerate(sentences):
        for sh in printing_runs[n] & shared:
            by_shingle.setdefault(sh, []).append(n)
        for sentence in set(sents):
            by_sentence.setdefault(sentence, []).append(n)
    found: list[set[int]] = [set() for _ in sentences]
    for n, sents in enumerate(sentences):
        rarest = _rarest_shared(runs[n], df, shared)
        if rarest:  # most printings share no rare run
            proposed = [m for sh in rarest[0] for m in by_shingle[sh] if m != n]
            needed = min(MIN_SHARED, rarest[1])
            for m, count in Counter(proposed).items():
                if count >= needed:
                    found[min(n, m)].add(max(n, m))
        for sentence in set(sents):  # a sentence printed verbatim: its next few printings, however common it is
            posting = by_sentence[sentence]
            k = bisect.bisect_right(posting, n)
            found[n].update(posting[k : k + NEIGHBORS])
    return [sorted(f) for f in found]


def _rarest_shared(runs: list[set[str]], df: Counter, shared: set[str]) -> tuple[set[str], int] | None:
    """Of the ``RAREST`` rarest runs of each sentence of a printing (fewest printings, then
    alphabetical; none in more than ``SHINGLE_CAP``), those other printings have too; and a
    count of all of them that gives :func:`_candidates` the same ``min(MIN_SHARED, count)``.
    None when no other printing has one.

    A run only this printing has comes before every shared run, so a sentence with ``RAREST``
    of them proposes nothing, and only shared runs need sorting (most are not). Such runs still count, but no other printing can have them: with
    one among the chosen, another printing shares fewer than the count, and only ``MIN_SHARED``
    decides. So the count is the shared runs chosen, plus one when there is such a run."""
    chosen: set[str] = set()
    alone = False  # a run only this printing has is among the rarest
    for sentence_runs in runs:
        common = sentence_runs & shared
        room = RAREST - (len(sentence_runs) - len(common))
        alone = alone or len(common) < len(sentence_runs)
        if room > 0:
            ranked = sorted([(df[sh], sh) for sh in common])[:room]  # tuples compare in C: no key function
            chosen.update(sh for count, sh in ranked if count <= SHINGLE_CAP)
    return (chosen, len(chosen) + alone) if chosen else None


def cross_reference(
    occurrences: list[QuoteOccurrence],
    stats: dict[str, int] | None = None,
    sentences: list[tuple[list[str], list[str]]] | None = None,
) -> list[Quote]:
    """Merge printings of the same statement into one :class:`Quote` each.

    Two occurrences are one statement when their speakers agree (or one is unknown) and at least
    half of the shorter one's sentences match sentences of the other (normalized: bracketed
    insertions, quote marks, punctuation and case ignored; rapidfuzz ratio >= 85). A statement
    never gets two known speakers: an unknown-speaker printing joins one statement, not two.
    Only printings that share ``MIN_SHARED`` of the ``RAREST`` rarest 3-word runs of each sentence
    of either (a run in more than ``SHINGLE_CAP`` printings proposes none), or the same normalized sentence
    (the next ``NEIGHBORS`` printings of it), are compared, so the cost grows linearly with the
    archive. The canonical text is the longest printing with sentences
    only other printings have merged in. Quotes come in the order of their earliest occurrence
    (story date, slug, paragraph). ``stats``, when given, receives the numbers of ``candidates``
    (pairs proposed) and ``comparisons`` (pairs compared: the others were already one quote or had
    two speakers). ``sentences``, when given, holds each occurrence's ``sentences()`` and their
    :func:`normalize` forms (the analysis memo keeps them).
    """
    order = sorted(range(len(occurrences)), key=lambda n: occurrences[n].sort_key)
    occs = [occurrences[n] for n in order]
    if sentences is None:
        sentences = [(printed, [normalize(s) for s in printed]) for printed in (o.sentences() for o in occurrences)]
    printed = [sentences[n][0] for n in order]  # each is used up to three times
    sentences = [sentences[n][1] for n in order]
    parent = list(range(len(occs)))
    speaker = [o.speaker_key for o in occs]  # the known speaker of each group, at its root

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    comparisons = 0
    proposed = _candidates(sentences)
    for n, candidates in enumerate(proposed):
        for m in candidates:
            a, b = find(n), find(m)
            if a == b or (speaker[a] and speaker[b] and speaker[a] != speaker[b]):
                continue
            comparisons += 1
            if _same_statement(sentences[n], sentences[m]):
                parent[b] = a
                speaker[a] = speaker[a] or speaker[b]
    if stats is not None:
        stats["candidates"] = stats.get("candidates", 0) + sum(len(c) for c in proposed)
        stats["comparisons"] = stats.get("comparisons", 0) + comparisons
    groups: dict[int, list[int]] = {}
    for n in range(len(occs)):
        groups.setdefault(find(n), []).append(n)
    quotes: list[Quote] = []
    taken: set[str] = set()
    for members in sorted(groups.values(), key=lambda g: g[0]):
        group = [occs[n] for n in members]
        base = max(members, key=lambda n: (_word_count(occs[n].text), -members.index(n)))
        merged = _merge_sentences(printed[base], [printed[n] for n in members if n != base])
        canonical = " ".join(merged)
        speakers = Counter(o.speaker_key for o in group if o.speaker)
        kind, speaker = speakers.most_common(1)[0][0] if speakers else (None, None)
        first = (printed[members[0]] or [group[0].text])[0]
        quote = Quote(_quote_id(speaker, first, taken), speaker, canonical, group, speaker_kind=kind)
        quote.diffs = [word_diff(o.text, canonical) for o in group]
        quote.fullest = members.index(base)
        quotes.append(quote)
    return quotes


# -- printings, exactly as printed ----------------------------------------------------------------


@dataclass(slots=True)
class PrintedPart:
    """One quoted stretch of a printing exactly as printed, its quotation marks included.

    ``left_out`` is the printed text between it and the part before (the attribution: "Heffernan
    said."), "" for none. ``pieces`` cut ``text`` where it differs from the fullest printing:
    (text, whether its words are only in this printing); joined, they are ``text``."""

    paragraph: str
    text: str
    left_out: str = ""
    pieces: list[tuple[str, bool]] = field(default_factory=list)
    words: str = ""  # ``text`` inside its quotation marks


@dataclass(slots=True)
class Printing:
    """One printing of a quotation as a page shows it: its parts by paragraph, and the runs of
    the fullest printing's words it lacks (as the fullest printed them)."""

    occurrence: QuoteOccurrence
    paragraphs: list[list[PrintedPart]]
    lacks: list[str]
    fullest: bool


def printed_parts(occurrence: QuoteOccurrence, paragraph_text: Callable[[str], str]) -> list[PrintedPart]:
    """The fragments of ``occurrence`` cut from their paragraphs' text (``paragraph_text(pid)``)
    exactly as printed, each with the printed text left out before it. Never rewrites a character."""
    parts: list[PrintedPart] = []
    before = None  # (paragraph text, fragment) of the previous part
    for frag in occurrence.fragments:
        text = paragraph_text(frag.paragraph)
        if before is None:
            left_out = ""
        elif before[1].paragraph == frag.paragraph:
            left_out = text[before[1].end : frag.start].strip()
        else:
            left_out = " ".join(x for x in (before[0][before[1].end :].strip(), text[: frag.start].strip()) if x)
        printed = text[frag.start : frag.end]
        parts.append(PrintedPart(frag.paragraph, printed, left_out, [(printed, False)], frag.text))
        before = (text, frag)
    return parts


def printed_text(parts: list[PrintedPart], marks: bool = True) -> str:
    """``parts`` as one line of plain text, with their quotation marks or (``marks=False``) the
    words inside them: "[…]" where printed words were left out between two."""
    joined = (" […] " if part.left_out else " " if n else "" for n, part in enumerate(parts))
    return "".join(j + (part.text if marks else part.words) for j, part in zip(joined, parts, strict=True))


def _printed_words(parts: list[PrintedPart]) -> list[tuple[int, int, int]]:
    """(part index, start, end) of each whitespace-separated word of ``parts``."""
    return [(n, m.start(), m.end()) for n, part in enumerate(parts) for m in re.finditer(r"\S+", part.text)]


def compare_printing(parts: list[PrintedPart], fullest: list[PrintedPart]) -> list[str]:
    """Cut each part's ``pieces`` where ``parts`` has words the ``fullest`` printing lacks, and
    return the runs of the fullest printing's words ``parts`` lacks. Words compare as in
    :func:`word_diff` (case, quotation marks and punctuation ignored), so a curly apostrophe
    against a straight one is no difference; neither text is changed."""
    mine, theirs = _printed_words(parts), _printed_words(fullest)
    keys_a = [_word_key(parts[n].text[a:b]) for n, a, b in mine]
    keys_b = [_word_key(fullest[n].text[a:b]) for n, a, b in theirs]
    only_here: set[int] = set()
    lacks: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes():
        if tag != "equal":
            only_here.update(range(i1, i2))
            if j2 > j1:
                lacks.append(" ".join(fullest[n].text[a:b] for n, a, b in theirs[j1:j2]))
    for n, part in enumerate(parts):
        runs: list[list[int]] = []
        for i, (pn, a, b) in enumerate(mine):
            if pn != n or i not in only_here:
                continue
            if runs and not part.text[runs[-1][1] : a].strip():
                runs[-1][1] = b
            else:
                runs.append([a, b])
        pieces, pos = [], 0
        for a, b in runs:
            pieces += [(part.text[pos:a], False)] if a > pos else []
            pieces.append((part.text[a:b], True))
            pos = b
        part.pieces = pieces + ([(part.text[pos:], False)] if pos < len(part.text) else [])
    return lacks


def printings(quote: Quote, paragraph_text: Callable[[str, str], str]) -> list[Printing]:
    """Every printing of ``quote`` exactly as printed (``paragraph_text(story slug, pid)`` gives
    the printed paragraphs), each but the fullest compared with the fullest."""
    parts = [printed_parts(o, partial(paragraph_text, o.story)) for o in quote.occurrences]
    out = []
    for n, (occ, mine) in enumerate(zip(quote.occurrences, parts, strict=True)):
        lacks = [] if n == quote.fullest else compare_printing(mine, parts[quote.fullest])
        by_paragraph: list[list[PrintedPart]] = []
        for part in mine:
            if by_paragraph and by_paragraph[-1][0].paragraph == part.paragraph:
                by_paragraph[-1].append(part)
            else:
                by_paragraph.append([part])
        out.append(Printing(occ, by_paragraph, lacks, n == quote.fullest))
    return out


# -- the whole archive ----------------------------------------------------------------------------


@dataclass
class QuoteAnalysis:
    """Quotations, people, organizations and comment citations of an archive."""

    quotes: list[Quote]
    people: list[Entity]
    organizations: list[Entity]
    citations: list[Citation]
    problems: list[Problem]
    entities: EntityIndex
    redirects: dict[str, Entity] = field(default_factory=dict)  # an entity's old URL -> the entity now

    def sections(self) -> dict[str, list[Any]]:
        """The ``quotes``, ``people`` and ``organizations`` sections of archive.json, as records
        (``archive_json`` turns each into JSON as it writes it)."""
        return {"quotes": self.quotes, "people": self.people, "organizations": self.organizations}

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {key: [record.to_json() for record in records] for key, records in self.sections().items()}

    def quote_spans(self) -> list[tuple[str, str, Span]]:
        """(story slug, paragraph id, Span) marking each printed fragment, linked to its quote page."""
        out = []
        for q in self.quotes:
            url = q.url  # one string for all of the quote's spans
            for occ in q.occurrences:
                title = f"Quotation of {occ.speaker_name}" if occ.speaker_name else "Quotation (speaker unknown)"
                for f in occ.fragments:
                    out.append((occ.story, f.paragraph, Span(f.start, f.end, "quote", url, title)))
        return out

    def mention_spans(self) -> list[tuple[str, str, Span]]:
        """(story slug, paragraph id, Span) for each name of a person or organization, linked to its page."""
        out = []
        for e in self.people + self.organizations:
            url = e.url  # one string shared by all of the entity's spans
            out += [(m.story, m.paragraph, Span(m.start, m.end, e.kind, url, e.name)) for m in e.mentions]
        return out

    def citation_spans(self) -> list[tuple[str, str, Span]]:
        """(story slug, paragraph id, Span) over the words a comment quotes, in the paragraph it cites
        (no link: the paragraph's note links the comment)."""
        return [
            (c.target, c.paragraph, Span(c.start, c.end, "cited", None, "Quoted by a reader")) for c in self.citations
        ]

    def citation_notes(self) -> list[tuple[str, str, Note]]:
        """(story slug, paragraph id, Note) under each paragraph a comment quotes."""
        return [(c.target, c.paragraph, Note(f"Quoted in comment {c.comment}", c.comment_url)) for c in self.citations]


def _plain_quotations(story: Story, entities: EntityIndex) -> tuple[list, list]:
    """:func:`extract_quotes` as plain data, to keep in the analysis memo."""
    occurrences, problems = extract_quotes(story, entities)
    plain = []
    for o in occurrences:
        m = o.speaker_mention
        mention = m and (m.story, m.paragraph, m.start, m.end, m.text, m.possessive)
        fragments = [(f.paragraph, f.start, f.end, f.text) for f in o.fragments]
        printed = o.sentences()
        plain.append(
            (
                printed,
                [normalize(sentence) for sentence in printed],
                o.story,
                o.path,
                o.date.isoformat(),
                fragments,
                o.line,
                o.order,
                o.speaker,
                o.speaker_name,
                mention,
                o.attribution,
                o.speaker_kind,
            )
        )
    return plain, [(p.path, p.line, p.message) for p in problems]


def _quotations_from(plain: tuple[list, list]) -> tuple[list[QuoteOccurrence], list, list[Problem]]:
    """The occurrences, their sentences (see :func:`cross_reference`) and the problems."""
    occurrences, sentences = [], []
    for printed, normalized, story, path, date, fragments, line, order, *speaker in plain[0]:
        sentences.append((printed, normalized))
        speaker_slug, speaker_name, mention, attribution, speaker_kind = speaker
        occurrences.append(
            QuoteOccurrence(
                story,
                path,
                dt.datetime.fromisoformat(date),
                [Fragment(*f) for f in fragments],
                line,
                order,
                speaker_slug,
                speaker_name,
                Mention(*mention) if mention else None,
                attribution,
                speaker_kind,
            )
        )
    return occurrences, sentences, [Problem(*p) for p in plain[1]]


def _quotations_key(memo: Memo, story: Story, entities: EntityIndex) -> str:
    """What :func:`extract_quotes` reads: the story's text and, of every entity it names, the
    mention and the entity's kind, name and roles (roles come from the whole archive)."""
    named = [
        (e.kind, e.name, e.roles, e.kind == "person" and entities.title_gender(e), m.paragraph, m.start, m.end, m.text)
        + (m.possessive,)
        for e, m in entities.mentions_in(story.slug)
    ]
    return memo_key("quotations and their sentences", memo.story_key(story), named)


def analyze(
    archive: Archive,
    memo: Memo | None = None,
    entities: EntityIndex | None = None,
    citations: Callable[[], list[Citation]] | None = None,
    corrections: Corrections | None = None,
) -> QuoteAnalysis:
    """Quotations, speakers, people, organizations and comment citations of the whole archive.

    With ``memo``, what is found story by story (names, mentions, quotations) is taken from it
    where its inputs are unchanged (:mod:`newsarchive.analysis.memo`). ``entities`` are the
    archive's :func:`find_entities` when the caller has them already; ``citations()`` gives the
    comments' citations found with no quotations (:func:`find_citations` of the stories and no
    quotations), for a caller that finds them elsewhere meanwhile; by default both are found here.

    Changes nothing in the archive except ``Comment.cites`` of every comment (set to its list of
    ``{"story", "paragraph", "quote"}`` dicts; empty when it cites nothing). The caller puts
    ``sections()`` into ``archive.sections`` and the spans/notes onto stories.

    ``corrections`` (``content/entities.yml``) are applied to the entities found and to the
    speakers of the quotations; one that cannot be applied raises :class:`CorrectionsError`
    (every problem, as ``archive lint`` reports them).
    """
    memo = memo or Memo()
    if entities is None:
        entities = find_entities(archive.stories, memo)
    corrected = correct_entities(corrections, entities, archive.stories)
    if corrected.problems:
        raise CorrectionsError(corrected.problems)
    entities = corrected.index
    occurrences: list[QuoteOccurrence] = []
    sentences: list[tuple[list[str], list[str]]] = []
    problems: list[Problem] = []
    for story in progress(archive.stories, "quotations"):
        key = partial(_quotations_key, memo, story, entities)
        kept = memo.get(key, partial(_plain_quotations, story, entities))
        found, their_sentences, warnings = _quotations_from(kept)
        occurrences.extend(found)
        sentences.extend(their_sentences)
        problems.extend(warnings)
    paragraphs = {s.slug: {p.id for p in s.paragraphs} for s in archive.stories}
    wrong = correct_speakers(corrections, occurrences, corrected, paragraphs)
    settled = {(o.path, o.line) for o in occurrences if o.attribution == "corrected"}
    problems = [p for p in problems if not ((p.path, p.line) in settled and p.message.endswith("speaker unknown"))]
    quotes = cross_reference(occurrences, sentences=sentences)
    cited = citations() if citations else find_citations(archive.stories, [])
    citations_named = name_quotes(cited, quotes)
    if wrong:
        raise CorrectionsError(wrong)
    cites: dict[tuple[str, str], list[dict]] = {}
    for c in citations_named:
        cites.setdefault((c.story, c.comment), []).append(c.to_json())
    for story in archive.stories:
        for comment in story.comments:
            comment.cites = cites.get((story.slug, comment.id), [])
    return QuoteAnalysis(
        quotes, entities.people, entities.organizations, citations_named, problems, entities, corrected.redirects
    )
