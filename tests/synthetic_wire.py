"""Synthetic wire stories and reprints with known edits, for tests and benchmarks of wire detection.

``make_corpus(n_stories, seed)`` writes, deterministically for a seed, wire source stories
from a small built-in vocabulary and sentence grammar, then reprints of them with the
edits outlets make: word substitutions, deletions and insertions, a subject rewritten to a
pronoun, trimmed clauses and attributions, quote and apostrophe style changes, sentences
split or merged, sentences dropped, new local sentences added and paragraphs regrouped (and
now and then a paragraph printed twice). It also writes known negatives: local sentences
and whole unrelated stories that reuse the wire story's names and stock phrases.

Every printed sentence records which source sentences it derives from, so the corpus knows
the truth: :meth:`SyntheticCorpus.gold_sentences` and :meth:`SyntheticCorpus.gold_pairs`;
:func:`evaluate` scores a :class:`~newsarchive.analysis.wire.model.WireAnalysis` against it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from newsarchive.analysis.wire.model import WireAnalysis
from newsarchive.model.story import Paragraph, Story

FIRST = """Alma Bruno Carla Dmitri Elena Farid Greta Hector Irene Jonas Keiko Lionel Marta Nadia Oskar Priya
Quentin Rosa Silas Tamsin Ulric Vera Wendell Xavier Yusuf Zora Anselm Beatrix Cyrus Delphine""".split()
LAST = """Abernathy Bellweather Castellanos Drummond Eberhardt Fairclough Galloway Hollister Ibarra Jablonski
Kowalczyk Lindqvist Montague Nakashima Okonkwo Pemberton Quintero Rasmussen Sorensen Thibodeaux Underhill
Villanueva Whitcombe Yarborough Zamora Ashcroft Blackwood Crenshaw Dunleavy Everhart""".split()
TITLES = [
    "Public Works Director",
    "Police Chief",
    "State Treasurer",
    "Council President",
    "Health Commissioner",
    "Schools Superintendent",
    "Harbor Master",
    "County Assessor",
    "Transit Secretary",
    "Housing Administrator",
]
ORGS = [
    "Harbor Transit Authority",
    "Valley Water Board",
    "County Housing Office",
    "State Lottery Commission",
    "Regional Parks Council",
    "Bureau of Coastal Affairs",
    "Northern Rail Consortium",
    "Office of Rural Health",
    "Metro Library Trust",
    "Department of Weights and Measures",
    "Riverside Fire District",
    "Tri-County Sewer Board",
]
TOWNS = """Ashford Brookhaven Cedarville Dunmore Elmwood Fairhaven Glenrock Hartwell Ironbridge Juniper Kingsford
Lakemont Millbrook Northgate Oakdale Pinecrest Quarryville Redfield Stonebridge Thornbury Upton Westvale
Yarrow Zephyr Alderney Birchwood Coldspring Dovercourt Eastwick Foxborough Greystone Hawthorne
Ivybridge Kettering Larkspur Moorfield""".split()
NOUNS = """budget contract bridge clinic levy ferry pension reservoir tunnel shelter audit permit
curfew highway library stadium subsidy tariff warehouse pipeline orchard hospital dormitory courthouse
runway quarry greenhouse landfill seawall substation armory bakery canal depot embankment foundry garage
hangar incinerator kiosk lighthouse marina observatory pavilion rink sawmill tannery viaduct wharf
aqueduct boathouse cannery distillery granary hatchery""".split()
ADJECTIVES = """disputed overdue costly temporary regional aging expanded delayed controversial modest
emergency seasonal unpaid federal private municipal rural coastal proposed revised crumbling vacant
flooded historic unfinished leaky abandoned crowded underfunded outdated shared rented damaged idle
fenced heated lighted paved insured licensed""".split()
VERBS = [  # (base, past)
    ("approve", "approved"),
    ("reject", "rejected"),
    ("expand", "expanded"),
    ("suspend", "suspended"),
    ("inspect", "inspected"),
    ("fund", "funded"),
    ("close", "closed"),
    ("review", "reviewed"),
    ("relocate", "relocated"),
    ("renovate", "renovated"),
    ("audit", "audited"),
    ("delay", "delayed"),
    ("replace", "replaced"),
    ("restore", "restored"),
    ("demolish", "demolished"),
    ("lease", "leased"),
    ("sell", "sold"),
    ("insure", "insured"),
    ("repaint", "repainted"),
    ("reopen", "reopened"),
    ("rezone", "rezoned"),
    ("survey", "surveyed"),
    ("appraise", "appraised"),
    ("dredge", "dredged"),
    ("modernize", "modernized"),
    ("privatize", "privatized"),
    ("tax", "taxed"),
    ("subsidize", "subsidized"),
    ("annex", "annexed"),
    ("mortgage", "mortgaged"),
]
MONTHS = "January February March April May June July August September October November December".split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday".split()
PUBLISHERS = [
    "The Wire Service",
    "Valley Gazette",
    "Coastal Herald",
    "Evening Ledger",
    "Channel 9 News",
    "Morning Sentinel",
    "Northgate Courier",
    "Radio Free Upton",
]
SUBSTITUTES = ["recently", "nearly", "formally", "quietly", "again", "also", "now", "already", "reportedly"]
PRONOUN_SUBJECTS = ["It", "They", "The agency", "Officials"]


@dataclass
class Entities:
    """The names a wire story is about; reprints and negatives reuse them."""

    person: str  # "Police Chief Alma Drummond"
    surname: str
    org: str
    town: str
    program: str  # a stock phrase: "the Coastal Ferry Program"


@dataclass
class Draft:
    """A sentence under construction: named parts, so edits can trim or rewrite one part."""

    parts: dict[str, str]  # subject, verb, modifier, clause, attribution (in that order)
    quote: bool = False  # printed as '"subject verb," attribution.'
    sources: frozenset[str] = frozenset()

    def text(self, curly: bool = False) -> str:
        order = ("subject", "verb", "modifier", "clause")
        body = " ".join(self.parts[k] for k in order if self.parts.get(k)).replace(" ,", ",")
        body = body[0].upper() + body[1:]
        attribution = self.parts.get("attribution", "")
        if self.quote and attribution:
            open_q, close_q = ("“", "”") if curly else ('"', '"')
            text = f"{open_q}{body},{close_q} {attribution}."
        elif attribution:
            text = f"{body}, {attribution}."
        else:
            text = f"{body}."
        return text.replace("'", "’") if curly else text


@dataclass
class SyntheticCorpus:
    """Generated stories plus the truth about which printed sentences share wire text."""

    stories: list[Story]
    # slug -> paragraph id -> [(start, end, source sentence ids)] for each printed sentence
    sentences: dict[str, dict[str, list[tuple[int, int, frozenset[str]]]]] = field(default_factory=dict)
    edits: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # edit kind -> count

    def _printings(self) -> dict[str, list[tuple[str, str, int]]]:
        printed: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
        for slug, paras in self.sentences.items():
            for pid, sents in paras.items():
                for k, (_, _, sources) in enumerate(sents):
                    for source in sources:
                        printed[source].append((slug, pid, k))
        return printed

    def gold_sentences(self) -> set[tuple[str, str, int]]:
        """(slug, paragraph id, sentence index) of every printed sentence that is shared wire text."""
        return {unit for units in self._printings().values() if len(units) > 1 for unit in units}

    def gold_pairs(self) -> set[tuple[str, str]]:
        """Sorted (slug, slug) pairs of different stories that print some source sentence both."""
        pairs = set()
        for units in self._printings().values():
            slugs = sorted({slug for slug, _, _ in units})
            pairs |= {(a, b) for i, a in enumerate(slugs) for b in slugs[i + 1 :]}
        return pairs


def evaluate(corpus: SyntheticCorpus, analysis: WireAnalysis) -> dict[str, float]:
    """Precision and recall of an analysis, on printed sentences and on story pairs.

    A printed sentence counts as found when a witness of some passage covers at least half
    of its characters. Pairs are the analysis's story pairs against the gold pairs.
    """
    found = set()
    for passage in analysis.passages:
        for witness in passage.witnesses:
            for pid, (start, end) in witness.spans.items():
                for k, (s, e, _) in enumerate(corpus.sentences[witness.story][pid]):
                    if min(end, e) - max(start, s) >= (e - s) / 2:
                        found.add((witness.story, pid, k))
    gold = corpus.gold_sentences()
    found_pairs = {tuple(sorted((p.a, p.b))) for p in analysis.pairs}
    gold_pairs = corpus.gold_pairs()

    def ratio(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    return {
        "sentence_precision": ratio(len(found & gold), len(found)),
        "sentence_recall": ratio(len(found & gold), len(gold)),
        "pair_precision": ratio(len(found_pairs & gold_pairs), len(found_pairs)),
        "pair_recall": ratio(len(found_pairs & gold_pairs), len(gold_pairs)),
    }


class _Writer:
    """All random choices of one corpus, from one seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.local_ids = 0

    def entities(self) -> Entities:
        r = self.rng
        surname = r.choice(LAST)
        return Entities(
            f"{r.choice(TITLES)} {r.choice(FIRST)} {surname}",
            surname,
            r.choice(ORGS),
            r.choice(TOWNS),
            f"the {r.choice(ADJECTIVES).title()} {r.choice(NOUNS).title()} Program",
        )

    def phrase(self, kind: str, ent: Entities) -> str:
        r = self.rng
        adj, noun, (base, past) = r.choice(ADJECTIVES), r.choice(NOUNS), r.choice(VERBS)
        n, town, month = r.randint(2, 900), r.choice(TOWNS), r.choice(MONTHS)
        options = {
            "subject": [
                ent.person,
                f"the {ent.org}",
                f"officials in {ent.town}",
                f"{n} residents of {town}",
                f"a {adj} coalition of {noun} owners",
                f"{ent.program}",
                f"the {adj} {noun} committee",
                f"{ent.surname}'s office",
            ],
            "verb": [
                f"{past} the {adj} {noun} near {town}",
                f"{past} {n} {noun}s across {town}",
                f"agreed to {base} a {adj} {noun} for {town}",
                f"will {base} the {adj} {noun} in {town} by {month} {r.randint(2009, 2016)}",
                f"voted to {base} {town}'s {adj} {noun} and {n} {r.choice(NOUNS)}s",
                f"asked the state to {base} {n} {adj} {noun} permits",
            ],
            "modifier": [
                f"after {n} months of {adj} debate",
                f"despite objections from the {r.choice(ORGS)}",
                f"on {r.choice(WEEKDAYS)} afternoon",
                f"in {month} {r.randint(2009, 2016)}",
                f"because of a {adj} {noun} shortage in {r.choice(TOWNS)}",
                f"for the first time since {r.randint(1950, 2008)}",
            ],
            "clause": [
                f", which {past} the {adj} {noun} in {r.randint(1990, 2008)}",
                f", a move that {r.choice(VERBS)[1]} {n} {noun} contracts in {town}",
                f", ending a {adj} dispute over the {r.choice(NOUNS)} in {town}",
                "",
                "",
            ],
            "attribution": [
                f"{ent.surname} said",
                f"according to the {r.choice(ORGS)}",
                f"{r.choice(LAST)} told reporters on {r.choice(WEEKDAYS)}",
                "",
            ],
        }
        return r.choice(options[kind])

    def draft(self, ent: Entities, sources: frozenset[str]) -> Draft:
        parts = {k: self.phrase(k, ent) for k in ("subject", "verb", "modifier", "clause", "attribution")}
        if self.rng.random() < 0.3 and not parts["attribution"]:  # a compound sentence, splittable later
            parts["clause"] = f", and {self.phrase('subject', ent)} {self.phrase('verb', ent)}"
        quote = bool(parts["attribution"]) and self.rng.random() < 0.3
        return Draft(parts, quote, sources)

    def local(self, ent: Entities) -> Draft:
        """A new sentence an outlet writes itself: unique, but about the same names."""
        self.local_ids += 1
        draft = self.draft(ent, frozenset({f"local-{self.local_ids}"}))
        if self.rng.random() < 0.5:  # a known negative: the wire's names and stock phrase, new words
            draft.parts["subject"] = self.rng.choice([ent.person, f"the {ent.org}", ent.program])
        return draft

    # -- edits ---------------------------------------------------------------------------------

    def edit(self, draft: Draft, edits: dict[str, int]) -> list[Draft]:
        """Apply 0-2 light edits; may return two drafts (a split)."""
        r = self.rng
        parts = dict(draft.parts)
        for _ in range(r.choice([0, 1, 1, 2])):
            kind = r.choice(["substitute", "delete", "insert", "pronoun", "trim", "split"])
            if kind == "trim":
                part = r.choice(["clause", "attribution", "modifier"])
                if parts.get(part) and not (part == "attribution" and draft.quote):
                    parts[part] = ""
                    edits["trim"] += 1
            elif kind == "pronoun" and not parts["subject"].startswith(tuple(PRONOUN_SUBJECTS)):
                parts["subject"] = r.choice(PRONOUN_SUBJECTS)
                edits["pronoun"] += 1
            elif kind == "split" and parts.get("clause", "").startswith(", and "):
                first = Draft({**parts, "clause": ""}, draft.quote, draft.sources)
                rest = parts["clause"][len(", and ") :].split(" ", 1)
                second = Draft({"subject": rest[0], "verb": rest[1]}, False, draft.sources)
                edits["split"] += 1
                return [first, second]
            elif kind in ("substitute", "delete", "insert"):
                part = r.choice(["verb", "modifier", "clause"])
                tokens = parts.get(part, "").split(" ")
                if len(tokens) < 3:
                    continue
                k = r.randrange(1, len(tokens))
                if kind == "substitute":
                    tokens[k] = r.choice(SUBSTITUTES)
                elif kind == "delete":
                    del tokens[k]
                else:
                    tokens.insert(k, r.choice(SUBSTITUTES))
                parts[part] = " ".join(tokens)
                edits[kind] += 1
        return [Draft(parts, draft.quote, draft.sources)]

    @staticmethod
    def merge(a: Draft, b: Draft) -> Draft:
        """Two sentences printed as one: 'A, and b.' (attributions dropped)."""
        second = b.text()[:-1]
        if second.startswith(("The ", "A ")):
            second = second[0].lower() + second[1:]
        parts = {**a.parts, "attribution": "", "clause": (a.parts.get("clause") or "") + ", and " + second}
        return Draft(parts, False, a.sources | b.sources)


def _paragraphs(rng: random.Random, drafts: list[Draft], curly: bool) -> list[list[tuple[str, frozenset[str]]]]:
    """Group sentences into paragraphs of 1-3 sentences."""
    paras, current = [], []
    for draft in drafts:
        current.append((draft.text(curly), draft.sources))
        if len(current) >= rng.choice([1, 2, 2, 3]):
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def make_corpus(n_stories: int = 200, seed: int = 0, reprint_rate: float = 0.7) -> SyntheticCorpus:
    """``n_stories`` synthetic stories: wire sources, edited reprints and unrelated stories.

    Roughly a quarter of the stories are wire sources; each gets up to three reprints while
    the story budget lasts; the rest are unrelated local stories about the same names.
    Deterministic for a given ``seed``.
    """
    w = _Writer(seed)
    r = w.rng
    corpus = SyntheticCorpus([])
    base = dt.datetime(2011, 1, 3, 9, 0)
    count = 0

    def add(ent: Entities, paras: list[list[tuple[str, frozenset[str]]]], publisher: str, day: int) -> None:
        nonlocal count
        count += 1
        slug = f"{publisher.lower().replace(' ', '-')}-{count:05d}"
        story = Story(f"synthetic/{slug}.md", slug, f"{ent.org} and {ent.program} in {ent.town}", base)
        story.date = base + dt.timedelta(days=day)
        story.publisher = publisher
        sentence_map: dict[str, list[tuple[int, int, frozenset[str]]]] = {}
        for k, sents in enumerate(paras, start=1):
            text, spans, pos = "", [], 0
            for sentence, sources in sents:
                text = f"{text} {sentence}" if text else sentence
                spans.append((len(text) - len(sentence), len(text), sources))
                pos += 1
            story.paragraphs.append(Paragraph(f"p{k}", text, 2 * k))
            sentence_map[f"p{k}"] = spans
        corpus.stories.append(story)
        corpus.sentences[slug] = sentence_map

    source_no = 0
    while count < n_stories:
        day = r.randint(0, 60)
        ent = w.entities()
        if r.random() > reprint_rate:  # an unrelated story about the same kind of names
            add(
                ent,
                _paragraphs(r, [w.local(ent) for _ in range(r.randint(3, 9))], False),
                r.choice(PUBLISHERS[1:]),
                day,
            )
            continue
        source_no += 1
        wire = [w.draft(ent, frozenset({f"s{source_no}.{k}"})) for k in range(r.randint(5, 12))]
        add(ent, _paragraphs(r, wire, False), PUBLISHERS[0], day)
        for _ in range(r.randint(0, 3)):
            if count >= n_stories:
                break
            add(ent, _reprint(w, ent, wire, corpus.edits), r.choice(PUBLISHERS[1:]), day + r.randint(0, 2))
    return corpus


def _reprint(
    w: _Writer, ent: Entities, wire: list[Draft], edits: dict[str, int]
) -> list[list[tuple[str, frozenset[str]]]]:
    r = w.rng
    kept = [d for d in wire if r.random() > 0.3] or wire[:2]
    edits["drop"] += len(wire) - len(kept)
    drafts: list[Draft] = []
    for d in kept:
        if drafts and r.random() < 0.08 and not drafts[-1].quote and not d.quote:
            drafts[-1] = w.merge(drafts[-1], d)
            edits["merge"] += 1
            continue
        drafts.extend(w.edit(d, edits))
    for _ in range(r.randint(1, 3)):  # the outlet's own sentences, some reusing the wire's names
        drafts.insert(r.randint(0, len(drafts)), w.local(ent))
        edits["local"] += 1
    curly = r.random() < 0.5
    edits["curly"] += curly
    paras = _paragraphs(r, drafts, curly)
    if r.random() < 0.05 and paras:  # a paragraph printed twice in one story
        paras.append(r.choice(paras))
        edits["repeat"] += 1
    return paras
