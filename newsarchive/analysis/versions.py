"""What changed between two versions of a story: paragraphs lined up, words compared, the
change said in a line ("headline changed, 1 paragraph added"), corrections found.

Plain functions over texts and :class:`~newsarchive.model.story.Story` objects; no Pelican. Two
paragraphs are *the same* when their texts are equal as printed, *changed* when at least half
of their words match in order (difflib's ratio over the words), else one was removed and the
other added. Words are compared as the wire-copy alignment compares them
(:func:`newsarchive.analysis.wire.alignment.align_words`), so a diff reads like a wire comparison.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from newsarchive.analysis.wire.alignment import align_words
from newsarchive.analysis.words import words
from newsarchive.model.story import Comment, Story, Version

# two paragraphs whose words match at least this much (difflib ratio) are one paragraph, changed
SAME_PARAGRAPH = 0.5
# a paragraph an editor adds to say the story was corrected or updated
CORRECTION_RE = re.compile(
    r"^\W*(?:correction|clarification|editor[’']?s\s+note|update[d]?|this (?:story|article) (?:has been|was) "
    r"(?:corrected|updated|changed))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Row:
    """One line of a comparison: ``op`` is ``same``, ``changed``, ``added`` or ``removed``;
    ``old``/``new`` are paragraph indexes (0-based) in each version, None on the side that lacks
    it."""

    op: str
    old: int | None
    new: int | None


def align_paragraphs(old: list[str], new: list[str]) -> list[Row]:
    """The paragraphs of two versions lined up, in reading order: every paragraph of each side
    appears in exactly one row."""
    rows: list[Row] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("same", i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            rows += _pair_changed(old, new, i1, i2, j1, j2)
    return rows


def _pair_changed(old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Row]:
    """Rows for a run of differing paragraphs: each old paragraph paired, in order, with the
    most similar new one not yet passed (when similar enough), the others removed or added."""
    rows: list[Row] = []
    next_new = j1
    new_words = {j: words(new[j]) for j in range(j1, j2)}
    for i in range(i1, i2):
        old_words = words(old[i])
        scored = [(similarity(old_words, new_words[j]), -j) for j in range(next_new, j2)]
        best = max(scored, default=(0.0, 0))
        if best[0] < SAME_PARAGRAPH:
            rows.append(Row("removed", i, None))
            continue
        j = -best[1]
        rows += [Row("added", None, k) for k in range(next_new, j)]
        rows.append(Row("changed", i, j))
        next_new = j + 1
    rows += [Row("added", None, k) for k in range(next_new, j2)]
    return rows


def similarity(a: list[str], b: list[str]) -> float:
    """How much two word lists match, in order: 0 (nothing) to 1 (the same)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def is_correction(text: str) -> bool:
    """A paragraph marked as a correction, clarification, editor's note or update."""
    return bool(CORRECTION_RE.match(text))


def corrections(old: Story | None, new: Story) -> list[str]:
    """Ids of the paragraphs of ``new`` marked as corrections or updates that ``old`` does not
    print (all of them when there is no ``old``)."""
    printed = {p.text for p in old.paragraphs} if old else set()
    return [p.id for p in new.paragraphs if p.text not in printed and is_correction(p.text)]


def changes(old: Story, new: Story) -> list[str]:
    """What changed from ``old`` to ``new``, as short phrases in a fixed order ("headline
    changed", "2 paragraphs added", "1 paragraph removed", "3 paragraphs changed", "correction
    added"); empty when the text is the same."""
    rows = align_paragraphs([p.text for p in old.paragraphs], [p.text for p in new.paragraphs])
    said = []
    if old.title != new.title:
        said.append("headline changed")
    for op in ("added", "removed", "changed"):
        count = sum(row.op == op for row in rows)
        if count:
            said.append(f"{count} {'paragraph' if count == 1 else 'paragraphs'} {op}")
    found = len(corrections(old, new))
    if found:
        said.append(f"{found} {'correction' if found == 1 else 'corrections'} added")
    return said


def changes_line(phrases: list[str]) -> str:
    """The phrases of :func:`changes` as one line."""
    return ", ".join(phrases) if phrases else "no change to the text"


@dataclass(frozen=True)
class DiffRow:
    """A row of a diff page: the two paragraphs (None where absent) and, for a changed one, the
    word alignment ``[(op, old words, new words)]``."""

    op: str
    old_id: str | None
    new_id: str | None
    old_text: str
    new_text: str
    words: tuple[tuple[str, str, str], ...] = ()


def diff(old: Story, new: Story) -> list[DiffRow]:
    """The rows of the comparison of two versions, for display."""
    out = []
    for row in align_paragraphs([p.text for p in old.paragraphs], [p.text for p in new.paragraphs]):
        a = old.paragraphs[row.old] if row.old is not None else None
        b = new.paragraphs[row.new] if row.new is not None else None
        aligned = tuple(align_words(a.text, b.text)) if row.op == "changed" else ()
        out.append(
            DiffRow(row.op, a and a.id, b and b.id, a.text if a else "", b.text if b else "", aligned)  # type: ignore[arg-type]
        )
    return out


def headline_diff(old: Story, new: Story) -> tuple[tuple[str, str, str], ...]:
    """The word alignment of the two headlines (empty when they are the same)."""
    return () if old.title == new.title else tuple(align_words(old.title, new.title))


def comment_key(comment: Comment) -> tuple[str, str]:
    """What makes two captures' comments one comment: its author and its text, spacing aside."""
    return comment.author.strip(), " ".join(comment.text.split())


def removed_comments(versions: list[Version], latest: list[Comment]) -> list[Comment]:
    """The comments earlier versions printed that ``latest`` (the last version's thread) does not,
    once each, in the order they were first captured: each a comment at the top of the thread,
    after the latest's (its id the next number there), and ``removed`` set to the first version
    after the last one that printed it."""
    from newsarchive.formats.comment_thread import parse_thread

    printed = {comment_key(c) for c in latest}
    found: dict[tuple[str, str], tuple[Comment, int]] = {}
    for version in versions[:-1]:
        part = version.story
        for comment in parse_thread(part.comment_lines, part.path).comments:
            key = comment_key(comment)
            if key not in printed:
                found[key] = (found.get(key, (comment, 0))[0], version.number)
    top = sum(c.parent is None for c in latest)
    return [
        dataclasses.replace(
            comment,
            id=str(top + n),
            parent=None,
            reply_to_inferred=None,
            position=len(latest) + n,
            depth=0,
            cites=[],
            removed=last + 1,
        )
        for n, (comment, last) in enumerate(found.values(), start=1)
    ]


def since_first(versions: list[Version]) -> dict[str, str]:
    """The paragraphs of the latest version that version 1 did not print as they are: paragraph
    id -> ``added`` or ``changed``."""
    first, latest = versions[0].story, versions[-1].story
    rows = align_paragraphs([p.text for p in first.paragraphs], [p.text for p in latest.paragraphs])
    return {latest.paragraphs[r.new].id: r.op for r in rows if r.op in ("added", "changed")}
