"""People and organizations named in story bodies: names, roles, aliases and mentions.

No language model: the rules read capitalized-name sequences and weigh evidence.

* A **person** is a run of 1-4 capitalized name words with person evidence somewhere in the
  archive: a title prefix ("Gov.", "Public Safety Secretary", "Attorney General"), a role
  appositive ("Patricia Montes, executive director of Centro Presente"), a party tag
  ("Steven Baddour, D-Methuen") or a speech verb next to it ("Montes said", "said Millona.").
* An **organization** is a capitalized run (which may contain "of", "and", "for", "the") that ends
  or starts with an organization word (Coalition, Department, Union, Police, Centro...), that is
  followed by a parenthesized acronym ("Immigration and Customs Enforcement (ICE)"), that is the
  object of a role ("director of Centro Presente"), or that an appositive calls a group
  ("Centro Presente, a Somerville-based immigrant advocacy group"). Organization evidence beats
  person evidence.
* Names are split into parts with ``nameparser``; people whose first and last names agree
  (``rapidfuzz``, so "Steve"/"Steven" and small misspellings) are one person.
* Mentions: full names, title + name, a bare surname (resolved to the full name in the same
  story first, else to the one person in the archive with that surname), "the Patrick
  administration" (a known surname), acronyms and "ACLU of X" forms of an organization, and
  definite references such as "the coalition" to the nearest preceding organization whose
  name contains that word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from nameparser import HumanName
from rapidfuzz import fuzz, process

from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.model.story import ORGANIZATION_URL, PERSON_URL, Story, url_slug

SPEECH_VERBS = (
    "said",
    "says",
    "added",
    "adds",
    "told",
    "tells",
    "wrote",
    "writes",
    "stated",
    "explained",
    "noted",
    "asked",
    "argued",
    "insisted",
    "warned",
    "replied",
    "responded",
    "declared",
    "continued",
    "recalled",
    "acknowledged",
    "announced",
    "testified",
    "complained",
    "conceded",
    "predicted",
    "urged",
    "recalls",
    "notes",
    "explains",
    "adds",
    # reporting verbs beyond "said" that news prints before or after a quotation
    "tweeted",
    "tweets",
    "posted",
    "posts",
    "quipped",
    "joked",
    "interjected",
    "gushed",
    "stressed",
    "emphasized",
    "claimed",
    "claims",
    "suggested",
    "contended",
    "maintained",
    "agreed",
    "countered",
    "cautioned",
    "observed",
    "remarked",
    "boasted",
    "vowed",
    "pledged",
    "promised",
    "admitted",
    "lamented",
    "alleged",
    "called",
    "calls",
    "described",
    "blasted",
    "slammed",
    "praised",
    "criticized",
    "mused",
    "shouted",
    "yelled",
    "reported",
    "sniped",
    "chided",
    "concluded",
    "reiterated",
    "confirmed",
    "denied",
    "mocked",
    "scoffed",
    "argues",
    "insists",
    "asks",
    "warns",
    "says",
    "announced",
    "emailed",
    "texted",
    "replied",
    "retorted",
    "demanded",
    "wondered",
    "explained",
    "acknowledged",
    "insisted",
    "declared",
    "proclaimed",
    "exclaimed",
    "remembered",
    "recounted",
    "went on",
    "goes on",
    "pointed out",
    "summed up",
)


def word_alternation(words: Iterable[str]) -> str:
    """A regex group matching any of ``words`` (longest first), grouped by first letter so that a
    search does not try every word at every position."""
    by_first: dict[str, list[str]] = {}
    for w in sorted(set(words), key=len, reverse=True):
        by_first.setdefault(w[0], []).append(re.escape(w[1:]))
    return "(?:" + "|".join(f"{re.escape(k)}(?:{'|'.join(rest)})" for k, rest in sorted(by_first.items())) + ")"


SPEECH_VERB = word_alternation(SPEECH_VERBS)
# Speech verbs whose object is the one spoken to or about ("told Channel Five", "praised Jane Roe").
LISTENER_VERB = (
    r"(?:told|tells|urged|warned|called|calls|blasted|slammed|praised|criticized|chided|mocked|emailed|texted|"
    r"described|charged|reminded|asked|asks)"
)

# Title prefixes as printed -> the role they give. A general lexicon, not a list of seed people.
TITLES = {
    "Gov.": "Governor",
    "Governor": "Governor",
    "Lt. Gov.": "Lieutenant Governor",
    "Lieutenant Governor": "Lieutenant Governor",
    "Sen.": "Senator",
    "Senator": "Senator",
    "Rep.": "Representative",
    "Representative": "Representative",
    "Secretary": "Secretary",
    "Attorney General": "Attorney General",
    "Atty. Gen.": "Attorney General",
    "District Attorney": "District Attorney",
    "Dist. Atty.": "District Attorney",
    "Mayor": "Mayor",
    "President": "President",
    "Vice President": "Vice President",
    "Director": "Director",
    "Executive Director": "Executive Director",
    "Chief": "Chief",
    "Police Chief": "Police Chief",
    "Commissioner": "Commissioner",
    "Judge": "Judge",
    "Justice": "Justice",
    "Sheriff": "Sheriff",
    "Treasurer": "Treasurer",
    "Auditor": "Auditor",
    "Speaker": "Speaker",
    "Chairman": "Chairman",
    "Chairwoman": "Chairwoman",
    "Councilor": "Councilor",
    "Councilman": "Councilman",
    "Councilwoman": "Councilwoman",
    "Superintendent": "Superintendent",
    "Professor": "Professor",
    "Prof.": "Professor",
    "Rev.": "Reverend",
    "Sgt.": "Sergeant",
    "Lt.": "Lieutenant",
    "Capt.": "Captain",
    "Det.": "Detective",
    "Trooper": "Trooper",
    "Officer": "Officer",
    "Secretary of State": "Secretary of State",
    "Secretary of Defense": "Secretary of Defense",
    "Secretary of the Treasury": "Secretary of the Treasury",
    "Secretary of Homeland Security": "Secretary of Homeland Security",
    "Secretary of Labor": "Secretary of Labor",
    "Secretary of Education": "Secretary of Education",
    "Secretary of Health and Human Services": "Secretary of Health and Human Services",
    "Minister": "Minister",
    "Prime Minister": "Prime Minister",
    "Leader": "Leader",
    "Majority Leader": "Majority Leader",
    "Minority Leader": "Minority Leader",
    "Whip": "Whip",
    "Ambassador": "Ambassador",
    "Congressman": "Congressman",
    "Congresswoman": "Congresswoman",
    "Assemblyman": "Assemblyman",
    "Assemblywoman": "Assemblywoman",
    "Manager": "Manager",
    "Chancellor": "Chancellor",
    "General": "General",
    "Gen.": "General",
    "Adm.": "Admiral",
    "Col.": "Colonel",
    "Maj.": "Major",
    "Pastor": "Pastor",
    "Bishop": "Bishop",
    "Dr.": "",
    "Mr.": "",
    "Mrs.": "",
    "Ms.": "",
}
TITLE_ALT = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))

# Nouns that make an appositive a person's role ("executive director of ...", "a spokesman for ...").
ROLE_NOUNS = set(
    """director president chairman chairwoman chair spokesman spokeswoman spokesperson secretary senator
    representative governor mayor commissioner chief head founder co-founder leader manager attorney lawyer
    professor officer member coordinator organizer superintendent principal sheriff judge treasurer counsel
    analyst economist researcher owner ceo editor pastor minister official advocate activist councilor
    trustee executive administrator dean chancellor consultant fellow deputy aide adviser advisor teacher
    nurse doctor physician captain lieutenant sergeant detective trooper auditor clerk organizer pollster
    strategist operative candidate nominee front-runner frontrunner congressman congresswoman lawmaker
    legislator host anchor correspondent reporter columnist commentator writer author historian scientist
    expert scholar donor supporter resident student veteran businessman businesswoman billionaire mogul
    investor lobbyist diplomat ambassador envoy premier general colonel admiral whip leader staffer
    spokesperson attorney-general comedian actor actress singer rapper""".split()
)
ROLE_ALT = word_alternation(ROLE_NOUNS)
# Words that make a capitalized run an organization (compared lowercase).
ORG_WORDS = set(
    """coalition department union association police enforcement agency committee council commission office
    bureau service services court center centre institute foundation university college school party
    corporation corp inc llc company group network alliance federation society league board authority
    fund trust church hospital bank legislature senate house congress ministry army navy patrol guard states
    nations kingdom emirates
    administration centro casa instituto fundacion asociacion comite project campaign""".split()
)
# Nouns an appositive uses for an organization ("Centro Presente, a ... advocacy group").
ORG_NOUNS = ORG_WORDS | {"organization", "nonprofit", "firm", "coalition", "agency"}
CONNECTORS = {"of", "and", "for", "the", "on", "de", "del", "la", "du"}
# Capitalized words that start sentences or name days: never part of a name at its start.
LEADING_STOP = set(
    """The A An In On At By For From With But And Or So Since When While After Before If As It Its This That
    These Those There Then Also Yet Still Now Last Next Meanwhile Yesterday Today Tomorrow He She They We I
    Our His Her Their Many Some Most Other Under Over During Why What How Who Where Both Each Every No Not
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Friday's Still However Although Though Once Jan Feb Mar Apr
    Jun Jul Aug Sep Sept Oct Nov Dec""".split()
)
# Words for groups of people, parties and nationalities: "Democrats said" names no person.
GROUP_WORDS = set(
    """Democrat Democrats Republican Republicans American Americans Conservatives Liberals Independents
    Progressives Evangelicals Christians Muslims Jews Catholics Latinos Hispanics Europeans Africans Asians
    Mexicans Iranians Syrians Russians Chinese Israelis Palestinians British Brits French Germans Canadians
    Iraqis Afghans Saudis Cubans Libyans Britons Democratic Republican GOP Senate House Congress
    Lawmakers Officials Authorities Police Voters Supporters Critics Protesters Residents""".split()
)
PRONOUNS = {"he", "she", "him", "her", "they", "i", "we"}
# Words for the people of a group: "Leaders of the Civil Liberties Project" names the project, not
# an organization called "Leaders of ...". Dropped with the connector after them at a run's start.
GROUP_HEADS = set(
    """Leaders Members Officials Residents Parents Supporters Critics Opponents Advocates
    Representatives Students Teachers Workers Employees Lawyers Attorneys Spokesmen Spokeswomen Staff
    Trustees Executives Volunteers Organizers Protesters Voters Commissioners Councilors Lawmakers
    Legislators Families Neighbors Customers Riders Tenants Owners Agents Officers""".split()
)

NAME_WORD = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[-'’][A-Z][a-z]+)?|[A-Z]['’][A-Z][a-z]+)"
NAME_PART = rf"(?:[A-Z]\.|{NAME_WORD})"
NAME = rf"{NAME_WORD}(?:\s(?:{NAME_PART})){{0,3}}(?:,?\s(?:Jr\.|Sr\.|II|III|IV)(?!\w))?"
POSSESSIVE = r"(?:['’]s?)"
TITLE_RE = re.compile(
    rf"(?<![\w.])(?P<mods>(?:[A-Z][A-Za-z.-]*\s){{0,3}}?)(?P<title>{TITLE_ALT})\s(?P<name>{NAME})(?P<poss>{POSSESSIVE})?(?!\w)"
)
# Every match of TITLE_RE contains one of TITLES and a space: paragraphs without are not searched.
TITLE_HINT_RE = re.compile(rf"(?:{TITLE_ALT})\s")
ADMIN_RE = re.compile(rf"\b[Tt]he\s(?P<name>{NAME_WORD})(?:['’]s)?\sadministration\b")
CAP_TAIL = r"(?:\.(?=\s[A-Z])|[A-Za-z0-9&'’-]*)"  # a capitalized word after its first letter
CAP = rf"[A-Z]{CAP_TAIL}"
# The first letter comes before the look-behind ("not after [\w.'’-]") so that the search skips
# to capital letters quickly.
CHUNK_RE = re.compile(rf"[A-Z](?<![\w.'’-][A-Z]){CAP_TAIL}(?:\s(?:(?:of|and|for|the|on|de|del|la|du)\s)*{CAP})*")
ACRONYM_RE = re.compile(r"^[A-Z][A-Z&]{1,7}$")
PAREN_ACRONYM_RE = re.compile(r"^\s\((?P<acr>[A-Z][A-Z&]{1,7})\)")
PARTY_RE = re.compile(r"^,\s(?P<role>[DRI]-[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?)(?=[,.;)]|$)")
APPOSITIVE_RE = re.compile(rf"^,\s(?P<role>[^,;:()\"“”]{{3,120}}?)(?=[,;:()\"“”]|\.(?:\s|$)|\s{SPEECH_VERB}\b|$)")
ORG_APPOSITIVE_RE = re.compile(
    rf"^,\s(?:an?|the)\s(?P<d>(?:(?!\b(?:of|for|at|with|to|by|in)\b)[^,;.]){{0,60}}?\b(?:{'|'.join(sorted(ORG_NOUNS))}))(?=[,;.:]|$)"
)
DEFINITE_RE = re.compile(r"\b[Tt]he\s(?P<noun>[a-z]+)\b")
DEFINITE_HINT_RE = re.compile(rf"he\s(?:{'|'.join(sorted(ORG_WORDS))})\b")  # some DEFINITE_RE noun is an ORG_WORD
SPEECH_AFTER_RE = re.compile(rf"^(?:,\s[^,\"“”]{{1,160}},)?,?\s{SPEECH_VERB}\b")
# "said Millona" (not "told Channel Five": a verb that takes the listener as its object); with a role
# between: "said spokesman Tom Reyes", "said Democratic pollster Ana Ruiz"
SPEECH_BEFORE_RE = re.compile(rf"\b(?!{LISTENER_VERB}\b)(?:{SPEECH_VERB}|[Aa]ccording to)\s$")
SPEECH_ROLE_BEFORE_RE = re.compile(
    rf"\b(?!{LISTENER_VERB}\b)(?:{SPEECH_VERB}|[Aa]ccording to)\s(?:(?:the|a|an|[A-Z][\w.'’-]*|[a-z-]+)\s){{0,3}}"
    rf"(?:{ROLE_ALT})\s$"
)
# after "said X": the clause ends, or X's affiliation follows ("said Dana Ortiz of the Urban Institute")
CLAUSE_END_RE = re.compile(r"^\s*(?:[,.;(]|$|(?:of|from|at|with)\s)")
# a lowercase role right before a name: "spokesman Tom Reyes", "Democratic pollster Ana Ruiz"
ROLE_BEFORE_RE = re.compile(rf"(?<![\w-])(?:{ROLE_ALT})\s$")
# What the patterns read after a name (PAREN_ACRONYM_RE, PARTY_RE, APPOSITIVE_RE, ORG_APPOSITIVE_RE,
# SPEECH_AFTER_RE, CLAUSE_END_RE) fits in this many characters, so a name's "after" is a slice this
# long, not the rest of its paragraph: a copy of the rest per name cost a paragraph's length squared.
AFTER_NAME = 400
# A name right after one of these is a preposition's object, not the subject of the speech verb
# after it: "Officials in Crestwood asked", "Moreau, a senator from Crestwood, said".
AFTER_PREPOSITION_RE = re.compile(
    r"\b(?:in|from|of|at|near|for|with|by|on|to|into|outside|inside|across|around|throughout|within|over|against|"
    r"about|than|like|between|versus|under|behind|toward|towards)\s$"
)
# A name right after one of these is usually a place ("Police in Glendale"): a name printed so more
# often than next to a speech verb, with no title or role, is not a person.
PLACE_BEFORE_RE = re.compile(r"\b(?:in|near|outside|throughout)\s$")
# Where a sentence starts: a capitalized word there may be any word ("Advocates asked ...").
AFTER_QUOTATION_RE = re.compile(r"[,.!?…][”\"]\s+$")  # right after a quotation's closing mark
SENTENCE_START_RE = re.compile(r"(?:^|[.!?…][\"”’)]?\s+)[\"“]?$")


# A capitalized run followed by a lowercase word modifies it ("the Smith campaign"): not a name of its own.
LOWER_WORD_AFTER_RE = re.compile(r"['’]?s?\s[a-z]")


MALE_TITLE_RE = re.compile(r"^(?:Mr\.|Mister)\s")
FEMALE_TITLE_RE = re.compile(r"^(?:Mrs\.|Ms\.|Miss|Madam)\s")


def after_preposition(text: str, start: int) -> bool:
    """Whether the name at ``start`` in ``text`` follows a preposition (``AFTER_PREPOSITION_RE``)."""
    return AFTER_PREPOSITION_RE.search(text[max(0, start - 12) : start]) is not None


def after_place_word(text: str, start: int) -> bool:
    """Whether the name at ``start`` in ``text`` follows "in", "near", ... (``PLACE_BEFORE_RE``)."""
    return PLACE_BEFORE_RE.search(text[max(0, start - 12) : start]) is not None


@dataclass(slots=True)
class Mention:
    """Where an entity is named: story slug, paragraph id, character span, text as printed."""

    story: str
    paragraph: str
    start: int
    end: int
    text: str
    possessive: bool = False


@dataclass
class Entity:
    """A person or an organization, with every role, alias and mention found in the archive."""

    kind: str  # "person" | "organization"
    name: str
    roles: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # how many ways the archive names and describes a person (roles and printed names after pass 2)
    evidence: int = field(default=0, compare=False)

    @property
    def slug(self) -> str:
        return _slug(self.name)

    @property
    def url(self) -> str:
        template = PERSON_URL if self.kind == "person" else ORGANIZATION_URL
        return template.format(slug=self.slug)

    @property
    def first(self) -> str:
        return name_parts(self.name)[0]

    @property
    def last(self) -> str:
        return name_parts(self.name)[1]

    def add_role(self, role: str) -> None:
        role = " ".join(role.split())
        if role and role.lower() not in {r.lower() for r in self.roles}:
            self.roles.append(role)

    def add_alias(self, alias: str) -> None:
        alias = " ".join(alias.split())
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)

    def to_json(self) -> dict:
        return {"slug": self.slug, "name": self.name, "roles": self.roles, "aliases": self.aliases, "url": self.url}


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


@functools.lru_cache(maxsize=65536)
def _slug(name: str) -> str:
    return url_slug(name, "name")  # a run of capitalized words may be very long: its slug is cut


@functools.lru_cache(maxsize=65536)
def name_parts(name: str) -> tuple[str, str]:
    """(first, last) of a name, lowercase; a single word is a last name."""
    words = name.split()
    if len(words) == 1:
        return "", words[0].lower()
    parsed = HumanName(name)
    return parsed.first.lower(), (parsed.last or words[-1]).lower()


STRIP_TITLE_RE = re.compile(rf"^(?:[A-Z][A-Za-z.-]*\s){{0,3}}?(?:{TITLE_ALT})\s(?P<rest>.+)$")
POSSESSIVE_END_RE = re.compile(r"['’]s?$")


@functools.lru_cache(maxsize=65536)
def strip_title(name: str) -> str:
    m = STRIP_TITLE_RE.match(name.strip())
    name = m["rest"] if m else name.strip()
    return POSSESSIVE_END_RE.sub("", name)


def _same_person(a: str, b: str) -> bool:
    fa, la = name_parts(a)
    fb, lb = name_parts(b)
    if not (fa and fb) or fuzz.ratio(la, lb) < 90:
        return False
    return fa == fb or fa.startswith(fb) or fb.startswith(fa) or fuzz.ratio(fa, fb) >= 80


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


# -- scanning -------------------------------------------------------------------------------------


def _titles(text: str) -> list[re.Match]:
    """Matches of TITLE_RE in ``text``."""
    return list(TITLE_RE.finditer(text)) if TITLE_HINT_RE.search(text) else []


@dataclass
class _Chunk:
    start: int
    end: int
    text: str
    possessive: bool = False


def _chunks(text: str) -> list[_Chunk]:
    """Capitalized runs of a text, leading function words stripped, "X and the Y" split."""
    out = []
    for m in CHUNK_RE.finditer(text):
        at = m.start()
        for start, end, words, poss in _split_cached(m.group()):
            out.append(_Chunk(at + start, at + end, words, poss))
    return out


@functools.lru_cache(maxsize=65536)
def _split_cached(chunk: str) -> tuple[tuple[int, int, str, bool], ...]:
    """:func:`_split_chunk` at offset 0, remembered: the same names recur in story after story."""
    return tuple((c.start, c.end, c.text, c.possessive) for c in _split_chunk(0, chunk))


def _split_chunk(start: int, chunk: str) -> list[_Chunk]:
    words = [(m.start() + start, m.group()) for m in re.finditer(r"\S+", chunk)]
    while words and (
        words[0][1] in LEADING_STOP
        or words[0][1] in CONNECTORS
        or (words[0][1] in GROUP_HEADS and words[1:2] and words[1][1] in CONNECTORS)
    ):
        words.pop(0)
    while words and words[-1][1] in CONNECTORS:
        words.pop()
    if not words:
        return []
    lowered = [w.lower() for _, w in words]
    # "X and the Y" always names two things; "X and Y" does unless it ends in an organization word
    # ("Immigration and Customs Enforcement") and X does not ("Boston Police Department and ICE").
    strong = [i for i, w in enumerate(lowered) if w == "and" and lowered[i + 1 : i + 2] == ["the"]]
    weak = [
        i for i, w in enumerate(lowered) if w == "and" and (lowered[i - 1] in ORG_WORDS or lowered[-1] not in ORG_WORDS)
    ]
    for i in strong or weak:
        if 0 < i < len(words) - 1:
            right = words[i + 2 :] if i in strong else words[i + 1 :]
            if not right:
                return _make(words[:i])
            return _split_chunk(words[0][0], _join(words[:i], words[0][0])) + _split_chunk(
                right[0][0], _join(right, right[0][0])
            )
    # "Dana Ortiz of the Urban Institute": a person's name, then the organization they speak for
    if "of" in lowered:
        i = lowered.index("of")
        right = words[i + 2 :] if lowered[i + 1 : i + 2] == ["the"] else words[i + 1 :]
        head = " ".join(w for _, w in words[:i])
        if right and 2 <= i <= 3 and _is_name(head) and _is_org_name(" ".join(w for _, w in right)):
            return _make(words[:i]) + _make(right)
    return _make(words)


def _join(words: list[tuple[int, str]], start: int) -> str:
    """Words back into text, keeping their offsets relative to ``start``."""
    chars = [" "] * (words[-1][0] + len(words[-1][1]) - start)
    for pos, w in words:
        chars[pos - start : pos - start + len(w)] = w
    return "".join(chars)


def _make(words: list[tuple[int, str]]) -> list[_Chunk]:
    if not words:
        return []
    start = words[0][0]
    last_start, last = words[-1]
    possessive = False
    m = re.search(r"['’]s?$", last)
    if m:
        last, possessive = last[: m.start()], True
    if not last:
        return []
    end = last_start + len(last)
    text = " ".join(w for _, w in words[:-1]) + (" " if len(words) > 1 else "") + last
    return [_Chunk(start, end, text, possessive)]


@functools.lru_cache(maxsize=65536)
def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 4 or words[0] in LEADING_STOP or (len(words) == 1 and text in GROUP_WORDS):
        return False
    if any(w.lower() in ORG_WORDS for w in words):
        return False
    initial_first = re.fullmatch(r"[A-Z]\.", words[0]) and len(words) < 3  # "J. Gerald Hobart" is a name
    return all(re.fullmatch(NAME_PART, w) for w in words) and not initial_first


@functools.lru_cache(maxsize=65536)
def _is_org_name(text: str) -> bool:
    """Ends (or its part before "of" ends) or starts with an organization word, or is "ACRONYM of X"."""
    head = text.split(" of ")[0]
    words, head_words = text.lower().split(), head.lower().split()
    if not words:
        return False
    if words[-1] in ORG_WORDS or head_words[-1] in ORG_WORDS or (words[0] in ORG_WORDS and len(words) > 1):
        return True
    return " of " in text and bool(ACRONYM_RE.match(head))


def _org_signature(name: str) -> tuple[str, str]:
    """(initials of the head, the "of ..." tail): 'ACLU of Massachusetts' == 'American ... Union of Massachusetts'."""
    head, _, tail = name.partition(" of ")
    if ACRONYM_RE.match(head):
        initials = head
    else:
        initials = "".join(w[0] for w in head.split() if w.lower() not in CONNECTORS and w[0].isupper())
    return initials.upper(), tail.lower()


def _same_org(a: str, b: str) -> bool:
    if a.lower() == b.lower():
        return True
    head_a, head_b = a.partition(" of ")[0], b.partition(" of ")[0]
    if ACRONYM_RE.match(head_a) or ACRONYM_RE.match(head_b):
        return _org_signature(a) == _org_signature(b)
    return fuzz.ratio(a.lower(), b.lower()) >= 94


@dataclass
class _Evidence:
    person: dict[str, list[str]] = field(default_factory=dict)  # name -> roles
    person_seen: dict[str, int] = field(default_factory=dict)  # name -> pieces of person evidence
    place: dict[str, int] = field(default_factory=dict)  # name -> times after "in", "near", ...
    org: dict[str, list[str]] = field(default_factory=dict)  # name -> descriptions
    acronyms: dict[str, str] = field(default_factory=dict)  # acronym -> org name


def _role_text(role: str) -> str:
    return re.sub(r"^(?:the|a|an)\s", "", role.strip())


def _appositive_role(after: str) -> str | None:
    m = PARTY_RE.match(after)
    if m:
        return m["role"]
    m = APPOSITIVE_RE.match(after)
    if not m:
        return None
    role = m["role"].strip()
    words = re.findall(r"[A-Za-z-]+", role.split(" of ")[0].split(" for ")[0].split(" at ")[0])
    if len(role.split()) > 20 or not any(w.lower() in ROLE_NOUNS for w in words):
        return None
    if role[0].isupper() and role.split()[0] not in ("The", "A", "An"):
        return None  # "Smith, Jones and Brown": a list, not a role
    return role


def _has_role_noun(text: str) -> bool:
    return any(w.lower() in ROLE_NOUNS for w in re.findall(r"[A-Za-z-]+", text))


def _subject(text: str, c: _Chunk) -> bool:
    """Whether the name ``c`` can be the subject of the speech verb after it: not a preposition's
    object, and not one word that starts a sentence (which any word capitalizes there; a name
    named only so is a person if other evidence says so: a full name, a title, "said X")."""
    if after_preposition(text, c.start):
        return False
    if " " in c.text or (c.text not in GROUP_HEADS and AFTER_QUOTATION_RE.search(text, max(0, c.start - 4), c.start)):
        return True  # '“How are you?” Miller said': the word after a quotation, before its verb, names who spoke
    return not SENTENCE_START_RE.search(text, max(0, c.start - 6), c.start)


def story_evidence(story: Story) -> list[tuple[str, str, str | None]]:
    """Pass 1 for one story: the evidence it gives, in text order, as ``("person", name, role or
    None)``, ``("organization", name, description or None)``, ``("acronym", acronym, name)`` and
    ``("place", name, None)`` (a name after "in", "near", ...)."""
    out: list[tuple[str, str, str | None]] = []
    for para in story.paragraphs:
        text = para.text
        titled = _titles(text)
        for m in titled:
            if not _is_name(m["name"]):
                continue
            mods = [w for w in m["mods"].split() if w not in LEADING_STOP]
            role = TITLES[m["title"]]
            out.append(("person", m["name"], " ".join(mods + [role]) if role else None))
        for c in _chunks(_mask(text, [m.span() for m in titled])):
            # the speech verb before a name ends right before it: 20 characters hold the longest one
            after, before = text[c.end : c.end + AFTER_NAME], text[max(0, c.start - 20) : c.start]
            # a role right before the name ("spokesman Tom Reyes"), maybe after a speech verb: a longer look back
            role_before = ROLE_BEFORE_RE.search(text, max(0, c.start - 20), c.start)
            speech_before = SPEECH_BEFORE_RE.search(before) or (
                role_before and SPEECH_ROLE_BEFORE_RE.search(text, max(0, c.start - 80), c.start)
            )
            acr = PAREN_ACRONYM_RE.match(after)
            if acr and len(c.text.split()) > 1:
                out.append(("acronym", acr["acr"], c.text))
                continue
            if _is_org_name(c.text):
                out.append(("organization", c.text, None))
            org_appos = ORG_APPOSITIVE_RE.match(after)
            if org_appos and _has_role_noun(org_appos["d"]):
                org_appos = None  # "Tom Reyes, a senior adviser on the Ortiz campaign": a person's role
            if org_appos and (len(c.text.split()) > 1 or _is_org_name(c.text)):
                out.append(("organization", c.text, org_appos["d"]))
                continue
            if not _is_name(c.text) or c.possessive:
                continue
            if after_place_word(text, c.start):
                out.append(("place", c.text, None))
                continue
            role = _appositive_role(after)
            if role:
                out.append(("person", c.text, None))  # the role itself is read in pass 3, with references resolved
                for obj in re.finditer(r"\b(?:of|for|at|with)\s(?:the\s)?(?P<org>[A-Z].*)$", role):
                    out.extend(
                        ("organization", oc.text, None)
                        for oc in _chunks(obj["org"])
                        if not LOWER_WORD_AFTER_RE.match(obj["org"], oc.end) or _is_org_name(oc.text)
                    )
            elif speech_before and CLAUSE_END_RE.match(after):
                out.append(("person", c.text, None))  # "said Millona."
            elif role_before and " " in c.text:
                out.append(("person", c.text, None))  # "spokesman Tom Reyes"
            elif SPEECH_AFTER_RE.match(after) and _subject(text, c):
                out.append(("person", c.text, None))  # "Montes said"
    return out


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


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


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
