"""Step 1 of the wire analysis: every paragraph split into sentences (very long ones into
chunks), each sentence into normalized word tokens numbered in one vocabulary."""

from __future__ import annotations

import re
import uuid
from array import array
from dataclasses import dataclass
from functools import partial

import numpy as np

from newsarchive.analysis.memo import Memo, memo_key
from newsarchive.analysis.words import WORD_RE, normalize_word, word_hash
from newsarchive.model.story import Story

# a sentence ends at . ! or ? (plus closing quotes/brackets), before space and a capital or digit
SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’»)\]]*\s+")
OPENING_RE = re.compile(r"[\"'“‘«(\[]*")
LAST_WORD_RE = re.compile(r"(\w+)$")
# common abbreviations after which a period does not end a sentence (titles, months, states...)
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gov sen rep lt gen col sgt capt cmdr adm maj cpl pvt det insp supt rev hon
    st mt ft jr sr inc corp co ltd bros no nos vs etc approx dept univ assn est
    jan feb mar apr jun jul aug sep sept oct nov dec
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev
    okla ore pa tenn tex vt va wash wis wyo""".split()
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, whitespace trimmed."""
    spans, start = [], 0
    for m in SENTENCE_END_RE.finditer(text):
        after = OPENING_RE.match(text, m.end()).end()
        following = text[after : after + 1]
        if not following or not (following.isupper() or following.isdigit()):
            continue
        if m.group().startswith(".") and not m.group().startswith(".."):
            before = LAST_WORD_RE.search(text, start, m.start())
            if before and (before.group(1).casefold() in ABBREVIATIONS or len(before.group(1)) == 1):
                continue
        spans.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    if text[start:].strip():
        end = len(text.rstrip())
        spans.append((start + len(text[start:]) - len(text[start:].lstrip()), end))
    return spans


@dataclass(slots=True)
class Sentence:
    story: int  # index into the analysed stories
    paragraph: int  # index into story.paragraphs
    start: int
    end: int
    tokens: list[int]  # token ids (``Tokens.words`` gives the normalized words back)


class Tokens:
    """Word ids: each normalized word gets one id, in order of first appearance.

    With a memo, the vocabulary is kept between builds (:meth:`kept_in`, :meth:`keep_in`) and the
    memo keeps each story's sentences as ids (:func:`story_sentences`): a rebuild looks up only
    the words of changed stories. Nothing depends on the numbering but equality: shingles are
    hashed from the words themselves (:meth:`word_hashes`), so ids kept from earlier builds give
    the analysis a cold build gives."""

    MEMO_KEY = "wire vocabulary"

    def __init__(self, words: list[str] | None = None, generation: str | None = None) -> None:
        self.words: list[str] = words or []  # id -> normalized word
        self.ids: dict[str, int] = {word: n for n, word in enumerate(self.words)}  # normalized word -> id
        # names this numbering in memo keys: ids kept under another vocabulary are never read
        self.generation = generation or uuid.uuid4().hex
        self._ints: list[int] = []  # n -> the int n: one object per id (see decoded)

    @classmethod
    def kept_in(cls, memo: Memo) -> Tokens:
        """The vocabulary the last build kept in ``memo`` (a new one if it kept none)."""
        kept = memo.kept(cls.MEMO_KEY)
        return cls(kept[1], kept[0]) if kept else cls()

    def keep_in(self, memo: Memo) -> None:
        memo.keep(self.MEMO_KEY, (self.generation, self.words))

    def of(self, joined: str) -> list[int]:
        """Ids of the normalized words of :func:`sentence_words` (joined by WORD_SEPARATOR)."""
        ids, words = self.ids, self.words
        out = []
        for word in joined.split(WORD_SEPARATOR):
            token = ids.get(word)
            if token is None:
                token = ids[word] = len(words)
                words.append(word)
            out.append(token)
        return out

    def encoded(self, found: list[tuple[int, int, int, str]]) -> tuple[list[tuple[int, int, int, int]], bytes]:
        """:func:`sentence_words` as ``(paragraph, start, end, word count)`` rows and the ids of
        all their words as 32-bit integers: what the memo keeps of a story."""
        rows, ids = [], array("I")
        for pi, start, end, joined in found:
            tokens = self.of(joined)
            rows.append((pi, start, end, len(tokens)))
            ids.extend(tokens)
        return rows, ids.tobytes()

    def decoded(self, encoded: bytes) -> list[int]:
        """The ids of :meth:`encoded`'s bytes, as a list. Every list holds the same int object
        for the same id: an int over 256 is an object of 32 bytes, and one per token would
        be one object per token of the archive."""
        ids = array("I")
        ids.frombytes(encoded)
        shared = self._ints
        if len(shared) < len(self.words):
            shared.extend(range(len(shared), len(self.words)))
        return list(map(shared.__getitem__, ids))

    def word_hashes(self) -> np.ndarray:
        """A 64-bit hash of each word (by id), from its text alone."""
        return np.array([word_hash(w) for w in self.words], dtype=np.uint64)


# Joins a sentence's normalized words: no word holds it (NFKC can turn a word into several, with
# spaces between them, but never makes a NUL).
WORD_SEPARATOR = "\x00"


def sentence_words(story: Story, max_words: int) -> list[tuple[int, int, int, str]]:
    """Sentences of a story in reading order as (paragraph index, start, end, its normalized words
    joined by WORD_SEPARATOR); sentences over ``max_words`` become chunks. Depends on the story
    alone: kept between builds (``analysis_memo``)."""
    out = []
    for pi, para in enumerate(story.paragraphs):
        text = para.text
        for s_start, s_end in sentence_spans(text):
            printed = WORD_RE.findall(text, s_start, s_end)
            if len(printed) <= max_words:
                if printed:
                    out.append((pi, s_start, s_end, WORD_SEPARATOR.join(map(normalize_word, printed))))
                continue
            matches = list(WORD_RE.finditer(text, s_start, s_end))
            for c in range(0, len(matches), max_words):
                chunk = matches[c : c + max_words]
                start = s_start if c == 0 else chunk[0].start()
                end = s_end if c + max_words >= len(matches) else chunk[-1].end()
                out.append((pi, start, end, WORD_SEPARATOR.join(normalize_word(m.group()) for m in chunk)))
    return out


def story_sentences(
    story_index: int, story: Story, max_words: int, tokens: Tokens, memo: Memo | None = None
) -> list[Sentence]:
    """Sentences of a story in reading order; sentences over ``max_words`` become chunks."""
    memo = memo or Memo()
    rows, encoded = memo.get(
        partial(_sentences_key, memo, story, max_words, tokens.generation),
        lambda: tokens.encoded(sentence_words(story, max_words)),
    )
    ids = tokens.decoded(encoded)
    out, at = [], 0
    for pi, start, end, count in rows:
        out.append(Sentence(story_index, pi, start, end, ids[at : at + count]))
        at += count
    return out


def _sentences_key(memo: Memo, story: Story, max_words: int, generation: str) -> str:
    return memo_key("sentences", memo.story_key(story), max_words, generation)
