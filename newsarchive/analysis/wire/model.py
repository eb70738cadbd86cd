"""What the wire analysis reads of a story and what it finds: parameters, passages, witnesses,
story pairs, and their plain (cacheable) forms."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from newsarchive.analysis.words import SHINGLE_MULTIPLIERS
from newsarchive.errors import ArchiveError, Problem
from newsarchive.model.story import MARSHAL_VERSION, WIRE_URL, Paragraph, Story


@dataclass(frozen=True)
class WireParams:
    """Tunable parameters of wire-text detection; ``WireParams(**WIRE_PARAMS)`` from settings.

    The defaults are tuned on the seed stories and the synthetic reprints (``docs/WIRE.md``).
    """

    shingle_size: int = 4  # words per n-gram used to find candidate sentence pairs
    min_shared_shingles: int = 2  # a sentence pair is a candidate if it shares this many n-grams
    max_shingle_df: int = 100  # n-grams in more distinct sentences than this are stock phrases: ignored
    max_candidates: int = 8  # candidate partners kept per sentence (best shared rare n-grams first)
    min_shingle_overlap: float = 0.5  # a candidate shares this fraction of the shorter sentence's n-grams
    min_similarity: float = 0.6  # local-alignment score / words of the shorter sentence, to accept
    min_match_words: int = 6  # an accepted pair also aligns at least this many words
    single_match_similarity: float = 0.8  # two stories sharing just one sentence need this similarity
    gap_penalty: float = 1.0  # score lost per word of an unmatched stretch (max of the two sides)
    max_sentence_words: int = 120  # longer "sentences" (unpunctuated text) are cut into chunks
    id_length: int = 8  # hex digits of the passage id hash (w-xxxxxxxx)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            expected = float if f.type in ("float", float) else int
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"wire parameter {f.name} must be a number, got {value!r}")
            if expected is int and value != int(value):
                raise ValueError(f"wire parameter {f.name} must be a whole number, got {value!r}")
        if not 2 <= self.shingle_size <= len(SHINGLE_MULTIPLIERS):
            raise ValueError(f"wire parameter shingle_size must be 2..{len(SHINGLE_MULTIPLIERS)}")
        if not 0 < self.min_similarity <= 1 or not 0 < self.single_match_similarity <= 1:
            raise ValueError("wire parameters min_similarity and single_match_similarity must be in (0, 1]")
        if (
            self.min_shared_shingles < 1
            or self.max_shingle_df < 2
            or self.min_match_words < 1
            or self.max_candidates < 1
        ):
            raise ValueError(
                "wire parameters min_shared_shingles >= 1, max_shingle_df >= 2, min_match_words >= 1, max_candidates >= 1"
            )
        if self.max_sentence_words < 2 * self.shingle_size or not 4 <= self.id_length <= 40:
            raise ValueError("wire parameters max_sentence_words >= 2 * shingle_size, id_length 4..40")


def params_from_settings(overrides: dict[str, Any] | None, path: str = "pelicanconf.py") -> WireParams:
    """``WireParams(**overrides)``, with unknown names or bad values reported as ArchiveError."""
    try:
        return WireParams(**(overrides or {}))
    except (TypeError, ValueError) as err:
        raise ArchiveError(path, None, f"WIRE_PARAMS: {err}") from None


@dataclass(slots=True)
class Witness:
    """One printing of a wire passage: a run of sentences in one story, text as printed."""

    story: str  # slug
    paragraphs: list[str]  # paragraph ids, in order
    text: str  # the sentences as printed; paragraphs joined by a blank line
    similarity: float  # local-alignment similarity to the passage's canonical text (0-1)
    spans: dict[str, tuple[int, int]]  # paragraph id -> (start, end) character offsets

    def to_json(self) -> dict[str, Any]:
        return {"story": self.story, "paragraphs": self.paragraphs, "text": self.text, "similarity": self.similarity}


@dataclass(slots=True)
class WirePassage:
    """A canonical shared passage, plus every witness. The canonical text is the source's printing
    (the witness another witness credits, see ``_source_index``), else the earliest; it is
    ``witnesses[0]``. The id comes from the earliest printing, so it does not move."""

    id: str
    text: str
    witnesses: list[Witness]

    @property
    def url(self) -> str:
        return WIRE_URL.format(id=self.id)

    @property
    def stories(self) -> list[str]:
        return list(dict.fromkeys(w.story for w in self.witnesses))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "witnesses": [w.to_json() for w in self.witnesses]}


@dataclass(slots=True)
class PairRow:
    """One row of a side-by-side comparison: paragraphs of a and of b (either may be empty).
    Tuples: most rows have one paragraph and no passage, and an empty tuple is shared where an
    empty list is an object of its own."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    passages: tuple[str, ...] = ()


@dataclass(slots=True)
class StoryPair:
    """Two stories that share wire text; ``a`` is the earlier one (date, then slug)."""

    a: str
    b: str
    passages: list[str]  # ids of the passages both print
    rows: list[PairRow]  # paragraph-to-paragraph alignment, in reading order
    only_a: list[str]  # paragraphs of a with no wire text shared with b (b cut or a added them)
    only_b: list[str]  # paragraphs of b with no wire text shared with a (b added them)
    words_only_a: int  # words of a's shared paragraphs that b does not print
    words_only_b: int  # words of b's shared paragraphs that a does not print

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class WireAnalysis:
    passages: list[WirePassage]
    share: dict[str, float]  # slug -> fraction of the story's words in shared passages
    shares_with: dict[str, list[str]]  # slug -> slugs it shares wire text with
    pairs: list[StoryPair]
    problems: list[Problem]
    aligner_calls: int = 0  # sentence pairs verified by alignment (for benchmarks)

    def to_json(self) -> dict[str, Any]:
        return {"wire": [p.to_json() for p in self.passages]}

    def pair(self, a: str, b: str) -> StoryPair:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        raise KeyError((a, b))

    def to_plain(self) -> tuple:
        """The analysis as plain tuples, lists and dicts (``marshal`` takes them, ten times faster
        than ``pickle`` takes the dataclasses: how the early child hands it over); see
        :meth:`from_plain`."""
        return (
            [
                (p.id, p.text, [(w.story, w.paragraphs, w.text, w.similarity, w.spans) for w in p.witnesses])
                for p in self.passages
            ],
            self.share,
            self.shares_with,
            [
                (
                    q.a,
                    q.b,
                    q.passages,
                    [(r.a, r.b, r.passages) for r in q.rows],
                    q.only_a,
                    q.only_b,
                    q.words_only_a,
                    q.words_only_b,
                )
                for q in self.pairs
            ],
            [(p.path, p.line, p.message) for p in self.problems],
            self.aligner_calls,
        )

    @classmethod
    def from_plain(cls, plain: tuple) -> WireAnalysis:
        passages, share, shares_with, pairs, problems, calls = plain
        return cls(
            [WirePassage(pid, text, [Witness(*w) for w in witnesses]) for pid, text, witnesses in passages],
            share,
            shares_with,
            [StoryPair(a, b, ps, [PairRow(*r) for r in rows], *rest) for a, b, ps, rows, *rest in pairs],
            [Problem(*p) for p in problems],
            calls,
        )


# ---------------------------------------------------------------------------------------------
# what the analysis reads of a story


def wire_inputs(story: Story) -> tuple:
    """Everything :func:`find_wire_passages` reads of ``story``, as plain data: its path, slug,
    date, publisher, credit line, rights notice, dateline and paragraphs. The early child of
    ``plugins/wire_copy`` keeps it per story file, so a rebuild need not parse the files again."""
    paragraphs = tuple((p.id, p.text, p.line) for p in story.paragraphs)
    return (
        story.path,
        story.slug,
        story.date.isoformat(),
        story.publisher,
        story.credit,
        story.rights,
        story.dateline,
        paragraphs,
    )


def story_from_inputs(inputs: tuple) -> Story:
    """A story holding only its :func:`wire_inputs` (no title, comments...): enough to analyse."""
    path, slug, date, publisher, credit, rights, dateline, paragraphs = inputs
    return Story(
        path,
        slug,
        "",
        dt.datetime.fromisoformat(date),
        publisher=publisher,
        credit=credit,
        rights=rights,
        dateline=dateline,
        paragraphs=[Paragraph(*p) for p in paragraphs],
    )


def inputs_digest(inputs: Iterable[tuple]) -> str:
    """A hash of the stories' :func:`wire_inputs`, in a fixed order: the same stories give the same
    digest however (and by which process) they were read, in whatever order."""
    h = hashlib.blake2b(digest_size=16)
    for one in sorted(inputs, key=lambda t: (t[2], t[1])):
        h.update(marshal.dumps(one, MARSHAL_VERSION))
    return h.hexdigest()
