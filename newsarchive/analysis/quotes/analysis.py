"""The quotation analysis of a whole archive (:func:`analyze`): entities and the archivist's
corrections, each story's quotations (kept in the memo), statements across stories and the
comments' citations, as one :class:`QuoteAnalysis` that gives the archive.json sections and the
spans and notes to put on stories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from newsarchive.analysis.comment_citations import Citation, find_citations, name_quotes
from newsarchive.analysis.entities.find import find_entities
from newsarchive.analysis.entities.index import EntityIndex
from newsarchive.analysis.entities.model import Entity, Mention
from newsarchive.analysis.entity_corrections import CorrectionsError, correct_entities, correct_speakers
from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.analysis.quotes.extraction import extract_quotes
from newsarchive.analysis.quotes.model import Fragment, Quote, QuoteOccurrence
from newsarchive.analysis.quotes.sentences import normalize
from newsarchive.analysis.quotes.statements import cross_reference
from newsarchive.errors import Problem
from newsarchive.formats.corrections_file import Corrections
from newsarchive.model.story import Archive, Note, Span, Story
from newsarchive.site.progress import progress


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
