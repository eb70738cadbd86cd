"""Direct quotations of one story, with their speakers (:func:`extract_quotes`).

Every quoted stretch is a quotation unless it is a name, a title or markup
(:func:`is_name_in_quotes`). Its speaker comes from a speech verb attached to it (``"...," X
said``, ``said X``, ``X said: "..."``, ``according to X``), from the statement it continues (split
quote, next paragraph of a multi-paragraph quote), from a speech verb earlier in its sentence, from
the paragraph before (a whole sentence standing alone), or from the sentence's subject (a partial
quotation). Never raises: an unclosed or stray mark, or an attribution that resolves to no one,
keeps the quotation with speaker unknown and a warning at ``path:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsarchive.analysis.entities.find import find_entities
from newsarchive.analysis.entities.index import EntityIndex
from newsarchive.analysis.entities.lexicon import PRONOUNS, SPEECH_VERB
from newsarchive.analysis.quotes.marks import OPEN_MARKS, _Segment, _segments, mark_view
from newsarchive.analysis.quotes.model import Fragment, QuoteOccurrence
from newsarchive.analysis.quotes.sentences import BOUNDARY_RE, WORD_RE, _is_boundary, _word_count, sentence_starts
from newsarchive.analysis.quotes.speakers import _Resolver
from newsarchive.errors import Problem
from newsarchive.model.story import Story

MIN_WORDS = 4  # a partial or unattributed quotation shorter than this is a phrase, not a statement
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
SENTENCE_AFTER_RE = re.compile(r"^\s*(?:$|[\[(A-Z\"“])")
SENTENCE_END_RE = re.compile(r"[.?!,;:…—-]$")


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

    ``entities`` (from :func:`~newsarchive.analysis.entities.find.find_entities` over the whole archive) lets a
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
