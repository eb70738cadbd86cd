"""A quotation's printings exactly as printed, for its page: each printing's quoted parts cut from
the paragraphs' text (quotation marks and every character kept), compared word by word with the
fullest printing. Never rewrites a printed character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import partial

from newsarchive.analysis.quotes.model import Quote, QuoteOccurrence
from newsarchive.analysis.quotes.sentences import _word_key


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
