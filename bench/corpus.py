"""Synthetic story archive for the benchmark: N story files in the archive's format, reproducible by seed.

Every story has 15–25 paragraphs, a dateline, quotations from a pool of speakers in varied attribution
styles (``"Q," X said.``, ``"Q," said X.``, split quotes, ``he said``, ``according to X``), 0–60
reader comments with nested replies pasted in the as-captured layout, and (for about a third of the
stories) a passage of wire copy shared with the other stories of its cluster, each copy lightly
edited (word substitutions, dropped words or sentences, straight instead of curly quotes).

All text comes from the small vocabulary and sentence templates below; nothing is taken from the
archive's real stories. ``python -m bench.corpus DIR N [SEED]`` writes ``DIR/stories/*.md``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

FIRST = {
    "he": "Thomas Michael Robert Daniel Victor Samuel Martin Howard Luis Andre Kevin Walter Oscar Dennis".split(),
    "she": "Maria Linda Carol Angela Teresa Joan Nadia Priya Helen Rosa Denise Grace Yvonne Beatriz".split(),
}
LAST = (
    "Alvarez Brennan Castillo Dunmore Eklund Farrow Galvin Haskell Ibarra Jennings Kowalski Lindqvist Moreau "
    "Navarro Okafor Pellegrini Quinlan Rasmussen Szabo Thornton Underhill Valdez Whitcombe Yamada Zielinski"
).split()
CITIES = (
    "Millbrook Harborview Easton Fairhaven Crestwood Lakeside Riverton Ashford Glendale Marlow Westbury "
    "Oakridge Pinehurst Stonebridge Clearwater Northfield"
).split()
ORGS = [
    "Harbor County Sheriff's Office",
    "State Department of Public Safety",
    "Coalition for Immigrant Families",
    "Municipal Workers Union",
    "Office of the Attorney General",
    "Regional Transit Authority",
    "Northfield School Committee",
    "Civil Liberties Project",
    "Chamber of Commerce",
    "Federal Records Bureau",
    "Tenants' Rights Alliance",
    "County Board of Health",
]
ROLES = [
    "executive director of the {org}",
    "a spokeswoman for the {org}",
    "a spokesman for the {org}",
    "chairman of the {org}",
    "a senior analyst at the {org}",
    "the mayor of {city}",
    "a state senator from {city}",
    "the police chief in {city}",
    "a lawyer who has represented the {org}",
]
PUBLISHERS = [
    "The Millbrook Ledger",
    "Harborview Public Radio",
    "Channel 7 Eyewitness News",
    "The Northern Courier",
    "Metro Daily Herald",
    "Lakeside Gazette",
    "The Coastal Times",
    "Valley News Network",
]
WIRES = ["AP", "Reuters", "State Wire Service"]
TOPICS = [
    "fingerprint sharing",
    "immigration checks",
    "transit budget",
    "school funding",
    "police overtime",
    "housing vouchers",
    "records request",
    "bridge repair",
    "sanctuary policy",
    "detention contract",
]
EVENT_KINDS = ["hearing", "vote", "agreement", "lawsuit", "audit", "protest", "deadline"]
MONTHS_AGO = ["last month", "in the spring", "two years ago", "last fall", "in 2008"]
DAYS = "Monday Tuesday Wednesday Thursday Friday".split()
NARRATIVE = [
    "Officials in {city} said the {topic} plan would cost about ${num} million over {small} years.",
    "The {org} announced on {day} that it would review the {topic} program before the end of the year.",
    "Critics in {city} say the {topic} rules were written quickly and applied unevenly.",
    "The proposal drew dozens of residents to a public meeting at {city} City Hall {ago}.",
    "Records obtained by reporters show that {num} cases were reviewed under the program {ago}.",
    "Supporters argue that the {topic} change will save ${num} million a year.",
    "The agreement still needs the approval of the {org}, which meets again next month.",
    "Lawmakers have filed at least {small} bills that would change how the {topic} program works.",
    "A similar measure failed in {city} {ago} after a long and sometimes heated debate.",
    "The {org} did not respond to several requests for comment on {day}.",
    "Under the current rules, local officers send the information to a federal database within {small} days.",
    "The figures released on {day} cover only the first {small} months of the program.",
    "Advocates have asked the {org} to publish monthly {topic} numbers.",
    "The number of people affected rose from {num} to more than {num2} in a single year.",
    "Several towns near {city} have already signed similar agreements with the {org}.",
    "The budget for the {topic} office was cut by {small} percent {ago}.",
]
SUBJECTS = [
    "Officials in {city}",
    "The {org}",
    "Lawmakers in the capital",
    "A group of {city} residents",
    "Police in {city}",
    "State budget writers",
    "Advocates for immigrant families",
    "Critics of the {topic} plan",
    "Two members of the {city} council",
    "The mayor's office in {city}",
    "Federal officials",
    "Business owners near {city}",
    "Parents at {city} High School",
    "Leaders of the {org}",
]
VERBS = [
    "plan to review",
    "have questioned",
    "approved",
    "rejected",
    "asked the state to delay",
    "called for an audit of",
    "are still studying",
    "quietly expanded",
    "defended",
    "released",
    "criticized",
    "pushed back against",
    "will vote on",
    "asked for public comment on",
]
OBJECTS = [
    "the {topic} program",
    "a ${num} million contract for {topic}",
    "the latest figures on {topic}",
    "the agreement with the {org}",
    "new rules for {topic}",
    "a report on {topic} released {ago}",
    "the {city} {topic} pilot",
    "{small} proposals on {topic}",
]
TAILS = [
    "",
    " on {day}",
    " {ago}",
    " after a long debate",
    " despite objections from the {org}",
    ", according to records obtained by reporters",
    " before the end of the year",
    " in a letter to the {org}",
    ", citing the cost",
    ", saying {num} cases were at stake",
]
QUOTE_OPEN = ["We", "I", "The department", "Nobody in {city}", "Our members", "Families in {city}", "This office"]
QUOTE_VERB = [
    "are not going to accept",
    "have been asking about",
    "need a clear answer on",
    "will keep fighting over",
    "cannot afford to ignore",
    "were never told about",
    "fully support",
    "want the public to see",
]
QUOTE_OBJECT = [
    "this {topic} plan",
    "the cost of {topic}",
    "what happened {ago}",
    "the numbers from the {org}",
    "how these decisions get made",
    "the {small} cases we know about",
]
QUOTE_TAIL = [
    "",
    ", and that has to change",
    " until someone takes responsibility",
    ", plain and simple",
    " and we said so {ago}",
]
QUOTES = [
    "We are going to do this carefully and in the open",
    "Nobody in this building wants families to be afraid of the police",
    "The numbers simply do not support what the state is telling people",
    "This is a public safety program, and it will be treated as one",
    "We have asked for the data for two years and we are still waiting",
    "People deserve to know how these decisions are made",
    "It is a question of trust between the community and the officers who serve it",
    "The law is clear, and we intend to follow it",
    "We will keep pushing until the program is fixed",
    "Every town is going to be asked to make the same choice",
    "There are real costs here that nobody has added up",
    "I think most residents will support it once they see the results",
]
INDIRECT = [
    "the program had been explained poorly to local departments",
    "the state would release new figures within weeks",
    "most of the cases involved minor traffic offenses",
    "the agreement could be revised if problems appear",
    "the costs would be shared with the federal government",
]
# regulars comment everywhere; everyone else is one of many occasional handles
REGULARS = (
    "jsmith42|concerned citizen|Mary K.|harborguy|Taxpayer|Dave from Easton|skeptic|"
    "R. Lindqvist|anon|local mom|Frank|old timer|justsaying|Pat M.|ringo77|northfield_res"
).split("|")
HANDLES = "river|patriot|mom|guy|voter|citizen|reader|fan|watcher|neighbor|teacher|vet".split("|")
COMMENT_SENTENCES = [
    "Why is this only happening now?",
    "I have lived here for thirty years and never seen anything like it",
    "This is exactly what the council promised not to do.",
    "Follow the money and you will see who benefits.",
    "My neighbor was stopped twice last year for nothing",
    "Good. It is about time somebody enforced the rules!!",
    "Does anyone actually read these reports before voting?",
    "the article leaves out half the story as usual",
    "I agree with the first comment.",
    "Thanks for covering this, nobody else did.",
    "What happens to the kids in all this?",
    "Same thing happened in my town and it was a mess…",
    "Call your state rep, they actually listen.",
    "I was at that meeting and it was not like this.",
    "Who is paying for all of this?",
    "Typical.",
    "Read the actual agreement before you comment",
    "Finally some good news.",
    "This will end up in court, mark my words",
    "My family came here legally and waited years.",
]
# light edits applied to each copy of a wire passage
SUBSTITUTIONS = {
    "officials": "authorities",
    "program": "initiative",
    "announced": "said",
    "about": "nearly",
    "residents": "people",
    "review": "examine",
    "several": "a number of",
    "rules": "regulations",
    "public": "community",
    "state": "commonwealth",
}
BOILERPLATE = ["Leave a Reply", "You must be logged in to post a comment.", "Connecting to %s"]
OPEN_Q, CLOSE_Q = "\u201c", "\u201d"
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 15, 25
MAX_COMMENTS = 60


@dataclass
class Speaker:
    name: str
    pronoun: str
    role: str

    @property
    def last(self) -> str:
        return self.name.split()[-1]


@dataclass
class Cluster:
    """Stories that carry the same wire passage."""

    id: str
    wire: str
    event: str
    date: dt.date
    paragraphs: list[str]
    members: list[int] = field(default_factory=list)


@dataclass
class CorpusInfo:
    """What was written: paths, and which stories share a wire passage."""

    n: int
    seed: int
    files: list[Path]
    clusters: dict[str, list[str]]  # cluster id -> slugs of the stories carrying its passage
    events: list[str]
    comments: int


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Corpus:
    """The synthetic archive for ``(n, seed)``; ``story(i)`` is the text of story ``i``."""

    def __init__(self, n: int, seed: int = 1):
        self.n, self.seed = n, seed
        rng = random.Random(f"corpus-{seed}")
        self.speakers = [self._speaker(rng) for _ in range(80)]
        self.events = [self._event(rng) for _ in range(max(4, n // 40))]
        self.clusters: list[Cluster] = []
        self.cluster_of: dict[int, Cluster] = {}
        order = list(range(n))
        rng.shuffle(order)
        covered = n // 3
        while order and covered > 0:
            size = min(rng.randint(2, 8), len(order))
            cluster = self._cluster(rng, len(self.clusters) + 1)
            for _ in range(size):
                i = order.pop()
                cluster.members.append(i)
                self.cluster_of[i] = cluster
            covered -= size
            self.clusters.append(cluster)

    # -- pools ---------------------------------------------------------------------------------------------------

    def _speaker(self, rng: random.Random) -> Speaker:
        pronoun = rng.choice(["he", "she"])
        name = f"{rng.choice(FIRST[pronoun])} {rng.choice(LAST)}"
        role = rng.choice(ROLES).format(org=rng.choice(ORGS), city=rng.choice(CITIES))
        return Speaker(name, pronoun, role)

    def _event(self, rng: random.Random) -> str:
        return f"{rng.choice(CITIES)} {rng.choice(TOPICS)} {rng.choice(EVENT_KINDS)} {rng.randint(2009, 2013)}"

    def _cluster(self, rng: random.Random, number: int) -> Cluster:
        date = dt.date(2009, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        paragraphs = _paragraphs(rng, self.speakers, rng.randint(3, 7), quote_share=0.4)
        return Cluster(f"c{number}", rng.choice(WIRES), rng.choice(self.events), date, paragraphs)

    # -- one story -----------------------------------------------------------------------------------------------

    def story(self, i: int) -> tuple[str, str]:
        """``(slug, text)`` of story ``i`` (any ``i`` >= 0; those >= n belong to no cluster)."""
        rng = random.Random(f"story-{self.seed}-{i}")
        cluster = self.cluster_of.get(i)
        city = rng.choice(CITIES)
        topic = rng.choice(TOPICS)
        publisher = rng.choice(PUBLISHERS)
        if cluster:
            date = cluster.date + dt.timedelta(days=rng.randint(0, 3))
            event = cluster.event
            dateline = f"{city.upper()} ({cluster.wire})"
        else:
            date = dt.date(2009, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
            event = rng.choice(self.events) if rng.random() < 0.6 else ""
            dateline = city.upper()
        title = rng.choice(
            [
                f"{city} Weighs Changes to {topic.title()}",
                f"{rng.choice(ORGS)} Faces Questions Over {topic.title()}",
                f"Residents Divided as {city} Moves on {topic.title()}",
                f"New Figures Raise Doubts About {topic.title()}",
            ]
        )
        slug = f"{slugify(title)}-{i:05d}"
        total = rng.randint(MIN_PARAGRAPHS, MAX_PARAGRAPHS)
        wire = _edit_wire(rng, cluster.paragraphs) if cluster else []
        lead = f"{dateline} \u2014 " + _fill(rng, rng.choice(NARRATIVE), city=city, topic=topic)
        body = _paragraphs(rng, self.speakers, total - 1 - len(wire), quote_share=0.3, city=city, topic=topic)
        at = rng.randint(1, min(3, len(body)))
        paragraphs = [lead] + body[:at] + wire + body[at:]

        meta = [
            f"Title: {title}",
            f"Date: {date.isoformat()} {rng.randint(6, 21):02d}:{rng.choice(['00', '15', '30', '45'])}",
        ]
        meta += [f"Slug: {slug}", f"Publisher: {publisher}", f"Dateline: {dateline}"]
        if cluster:
            meta.append(f"Credit: The {cluster.wire} contributed to this report.")
        if rng.random() < 0.5:
            meta.append(f"Source_url: http://news.example.org/{date.year}/{slug}/")
        if event:
            meta.append(f"Event: {event}")
        meta.append("Sources: title=archivist, date=archivist, publisher=archivist, dateline=capture")
        parts = ["\n".join(meta), *paragraphs]
        if rng.random() < 0.3:
            parts.append(f"## Media\n\n- after p{rng.randint(1, 4)}: Video: {rng.choice(self.speakers).name} reports.")
        comments = _comment_count(rng)
        if comments or rng.random() < 0.2:
            parts.append(f"## Comments ({comments})\n\n" + _thread(rng, comments) if comments else "## Comments")
        if rng.random() < 0.5:
            parts.append("## Dropped boilerplate\n\n" + "\n".join(BOILERPLATE[: rng.randint(1, len(BOILERPLATE))]))
        return slug, "\n\n".join(parts) + "\n"

    def write(self, content: Path) -> CorpusInfo:
        """Write every story to ``content/stories/<slug>.md``."""
        stories = content / "stories"
        stories.mkdir(parents=True, exist_ok=True)
        files, slugs, comments = [], {}, 0
        for i in range(self.n):
            slug, text = self.story(i)
            path = stories / f"{slug}.md"
            path.write_text(text, encoding="utf-8")
            files.append(path)
            slugs[i] = slug
            comments += comment_count(text)
        clusters = {c.id: [slugs[i] for i in sorted(c.members)] for c in self.clusters}
        return CorpusInfo(self.n, self.seed, files, clusters, self.events, comments)


def generate(content: Path, n: int, seed: int = 1) -> CorpusInfo:
    """Write the ``n``-story archive for ``seed`` under ``content/stories/``."""
    return Corpus(n, seed).write(content)


def comment_count(text: str) -> int:
    """Number of ``N. Author says:`` headers in a story file's comments section."""
    _, _, section = text.partition("\n## Comments")
    section = section.split("\n## ", 1)[0]
    return len(re.findall(r"^ +\d+\. .* says:$", section, re.M))


# -- text -------------------------------------------------------------------------------------------------------------


def _fill(rng: random.Random, template: str, city: str | None = None, topic: str | None = None) -> str:
    return template.format(
        city=city or rng.choice(CITIES),
        topic=topic or rng.choice(TOPICS),
        org=rng.choice(ORGS),
        day=rng.choice(DAYS),
        ago=rng.choice(MONTHS_AGO),
        num=rng.randint(12, 900),
        num2=f"{rng.randint(1, 40)},{rng.randint(100, 999)}",
        small=rng.randint(2, 9),
    )


SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no".split()
SYLLABLES += "ra re ri ro ru sa se si so ta te ti to va ve vi vo za ze zo tran str ing ment ion ers al".split()
VOCABULARY_SIZE = 6000


def _vocabulary() -> list[str]:
    """A fixed pseudo-English vocabulary (news prose has tens of thousands of distinct words)."""
    rng = random.Random("vocabulary")
    words: dict[str, None] = {}
    while len(words) < VOCABULARY_SIZE:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))] = None
    return list(words)


VOCABULARY = _vocabulary()


def _words(rng: random.Random, low: int, high: int) -> str:
    """Words drawn Zipf-like from the vocabulary: common words recur, most are rare, so two unrelated
    sentences share a run of four words about as rarely as in real news."""
    return " ".join(
        VOCABULARY[min(int(rng.paretovariate(0.9)) - 1, VOCABULARY_SIZE - 1) * 7 % VOCABULARY_SIZE]
        if rng.random() < 0.5
        else rng.choice(VOCABULARY)
        for _ in range(rng.randint(low, high))
    )


def _sentence(rng: random.Random, **slots) -> str:
    """One narrative sentence: a stock sentence (1 in 25; with slots filled) or a subject and verb from the
    newsroom pools followed by prose from the vocabulary."""
    if rng.random() < 0.04:
        return _fill(rng, rng.choice(NARRATIVE), **slots)
    parts = [rng.choice(SUBJECTS), rng.choice(VERBS), _words(rng, 6, 16) + rng.choice(TAILS)]
    return _fill(rng, " ".join(parts) + ".", **slots)


def _said(rng: random.Random) -> str:
    """What a speaker says: an opening from the pools, then prose, so stories rarely share a quotation by chance."""
    parts = [rng.choice(QUOTE_OPEN), rng.choice(QUOTE_VERB), _words(rng, 4, 12) + rng.choice(QUOTE_TAIL)]
    return _fill(rng, " ".join(parts))


def _paragraphs(rng: random.Random, speakers: list[Speaker], count: int, quote_share: float, **slots) -> list[str]:
    """``count`` paragraphs: narrative sentences and quotations, speakers introduced before ``he said``."""
    out, named = [], []
    for _ in range(max(count, 0)):
        if rng.random() < quote_share:
            speaker = rng.choice(named) if named and rng.random() < 0.4 else rng.choice(speakers)
            out.append(_quote(rng, speaker, introduced=speaker in named, latest=bool(named) and speaker is named[-1]))
            if speaker in named:
                named.remove(speaker)
            named.append(speaker)
        else:
            out.append(" ".join(_sentence(rng, **slots) for _ in range(rng.randint(1, 3))))
    return out


def _indirect(rng: random.Random) -> str:
    """Reported speech: a stock clause now and then, usually prose of the story's own."""
    return rng.choice(INDIRECT) if rng.random() < 0.1 else f"{rng.choice(INDIRECT).split()[0]} {_words(rng, 5, 12)}"


def _quote(rng: random.Random, s: Speaker, introduced: bool, latest: bool) -> str:
    """One quotation paragraph in one of the attribution styles reporters use (``he said`` only for the
    speaker named last)."""
    # a speaker's stock line (the same words in many stories) is the exception, not the rule
    q, q2 = _said(rng), (rng.choice(QUOTES) if rng.random() < 0.03 else _said(rng))
    name = s.last if introduced else s.name
    who = name if introduced else f"{s.name}, {s.role},"
    styles = [
        f"{OPEN_Q}{q},{CLOSE_Q} {name} said.",
        f"{OPEN_Q}{q},{CLOSE_Q} said {name}." if introduced else f"{OPEN_Q}{q},{CLOSE_Q} said {s.name}, {s.role}.",
        f"{OPEN_Q}{q},{CLOSE_Q} {name} said. {OPEN_Q}{q2}.{CLOSE_Q}",
        f"According to {name}, {_indirect(rng)}.",
        f"{_indirect(rng).capitalize()}, according to {name if introduced else s.name}.",
        f"{who} said: {OPEN_Q}{q}.{CLOSE_Q}",
    ]
    if latest:
        styles.append(f"{OPEN_Q}{q},{CLOSE_Q} {s.pronoun} said.")
        styles.append(f"{OPEN_Q}{q}. {q2},{CLOSE_Q} {s.pronoun} said on {rng.choice(DAYS)}.")
    return rng.choice(styles)


def _edit_wire(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """A lightly edited copy of a wire passage, as another outlet would run it."""
    straight = rng.random() < 0.3
    out = []
    for text in paragraphs:
        words = text.split(" ")
        if rng.random() < 0.35:
            spots = [k for k, w in enumerate(words) if w in SUBSTITUTIONS]
            if spots:
                k = rng.choice(spots)
                words[k] = SUBSTITUTIONS[words[k]]
        if rng.random() < 0.15 and len(words) > 8:
            del words[rng.randrange(1, len(words) - 1)]
        text = " ".join(words)
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
        if rng.random() < 0.1 and len(sentences) > 1 and OPEN_Q not in text:
            text = " ".join(sentences[:-1])
        if straight:
            text = text.replace(OPEN_Q, '"').replace(CLOSE_Q, '"')
        out.append(text)
    return out


def _comment_count(rng: random.Random) -> int:
    if rng.random() < 0.3:
        return 0
    return min(MAX_COMMENTS, 1 + int(MAX_COMMENTS * rng.random() ** 2))


def _commenter(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(REGULARS)
    if rng.random() < 0.5:
        return f"{rng.choice(HANDLES)}{rng.randint(1, 9999)}"
    first = rng.choice(FIRST[rng.choice(["he", "she"])])
    return f"{first} {rng.choice(LAST)[0]}." if rng.random() < 0.5 else f"{first.lower()}_{rng.randint(10, 99)}"


def _thread(rng: random.Random, total: int) -> str:
    """``total`` comments as captured: numbered ``N. Author says:`` items, replies indented under their parent."""
    lines: list[str] = []
    left = [total]

    def level(depth: int, room: int) -> None:
        number = 0
        while left[0] > 0 and number < room:
            number += 1
            left[0] -= 1
            pad = "  " * (depth + 1)
            lines.append(f"{pad}{number}. {_commenter(rng)} says:")
            for _ in range(1 if rng.random() < 0.8 else 2):
                sentences = rng.sample(COMMENT_SENTENCES, rng.randint(1, 3))
                lines.extend(["", f"{pad}  " + " ".join(sentences)])
            lines.append("")
            if depth < 2 and rng.random() < 0.2:
                level(depth + 1, rng.randint(1, 3))

    level(0, total)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) not in (2, 3):
        print("usage: python -m bench.corpus CONTENT_DIR N [SEED]", file=sys.stderr)
        return 2
    info = generate(Path(args[0]), int(args[1]), int(args[2]) if len(args) == 3 else 1)
    print(f"{info.n} stories, {len(info.clusters)} wire clusters, {info.comments} comments -> {args[0]}/stories")
    return 0


if __name__ == "__main__":
    sys.exit(main())
