"""The quotation records: one quoted stretch as printed (:class:`Fragment`), one printing of a
statement with its speaker (:class:`QuoteOccurrence`), a statement with every printing of it
(:class:`Quote`) and a run of a word-level difference (:class:`DiffOp`). Plain data: what finds,
attributes and links them lives in the sibling modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from newsarchive.analysis.entities.model import Entity, Mention
from newsarchive.analysis.quotes.sentences import split_sentences
from newsarchive.model.story import QUOTE_URL, STORY_URL


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
