"""Where a person or an organization is named, as their page shows it: each name in its sentence
(keyword in context), and the other names they are called by, without the name repeated under a
title."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from newsarchive.analysis.quotes.sentences import sentence_starts

ROOM = 150  # characters shown on each side of a name at most


@dataclass(frozen=True, slots=True)
class InContext:
    """A name in its sentence, as printed: ``before`` + ``name`` + ``after`` is the sentence
    (with "…" where a side longer than the room was cut). ``sentence`` is where the sentence
    starts in its paragraph."""

    before: str
    name: str
    after: str
    sentence: int


def in_sentence(text: str, start: int, end: int, room: int = ROOM, starts: Sequence[int] | None = None) -> InContext:
    """``text[start:end]`` in the sentence of ``text`` that holds it; each side cut at a word to at
    most ``room`` characters, marked "…". ``starts``: ``sentence_starts(text)``, when known."""
    starts = sentence_starts(text) if starts is None else starts
    first = starts[bisect_right(starts, start) - 1]
    n = bisect_left(starts, end)
    last = starts[n] if n < len(starts) else len(text)
    before, after = text[first:start].lstrip(), text[end:last].rstrip()
    if len(before) > room:
        before = "…" + before[-room:].split(" ", 1)[-1]
    if len(after) > room:
        after = after[:room].rsplit(" ", 1)[0] + "…"
    return InContext(before, text[start:end], after, first)


def aliases_to_show(name: str, aliases: list[str], roles: list[str]) -> list[str]:
    """``aliases`` without those that are only another of the names behind a title: one of
    ``roles`` ("Attorney General Jane Roe") or an abbreviated one ("Gov. Jane Roe", "Gov. Roe"
    when "Roe" is listed). The title is shown as a role, not as another name."""
    names, titles = [name, *aliases], {r.lower() for r in roles}

    def titled(alias: str, other: str) -> bool:
        title = alias[: -len(other)].strip()
        return alias != other and alias.endswith(" " + other) and (title.lower() in titles or title.endswith("."))

    return [alias for alias in aliases if not any(titled(alias, other) for other in names)]
