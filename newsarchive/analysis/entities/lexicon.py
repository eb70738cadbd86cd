"""The words and patterns the entity rules read: speech verbs, title prefixes and the roles they
give, role and organization nouns, words that never start a name, and the compiled patterns for
names, titles, appositives and what stands right before or after a name. A general lexicon:
nothing here knows a seed story's people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
