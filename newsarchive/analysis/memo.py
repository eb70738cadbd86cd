"""Results of per-story analysis steps, kept under keys made of exactly what each step reads.

Most analysis is done story by story, and each step is a pure function of the story's text and of
a few archive-wide values (the list of known people, say). A :class:`Memo` holds those results by
key, so that a caller that keeps it between runs (``newsarchive.site.analysis_memo`` saves one in
the build's cache) redoes only the steps whose inputs changed::

    key = lambda: memo_key("evidence", memo.story_key(story))   # what the step reads, hashed
    evidence = memo.get(key, lambda: story_evidence(story))

``Memo()`` keeps nothing and only computes: the analyses take a memo and default to that one.
Values must be plain data, stored as ``marshal`` bytes (see :meth:`Memo.get`).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable
from typing import Any

from newsarchive.model.story import MARSHAL_VERSION, Story


def memo_key(*parts: Any) -> str:
    """A key from plain values (str, int, float, None and tuples or lists of them)."""
    return hashlib.blake2b(marshal.dumps(parts, MARSHAL_VERSION), digest_size=16).hexdigest()


def story_text_key(story: Story) -> str:
    """What the story-by-story steps read of a story: its path, slug, date and paragraphs."""
    paragraphs = [(p.id, p.text, p.line) for p in story.paragraphs]
    return memo_key(story.path, story.slug, story.date.isoformat(), paragraphs)


class Memo:
    """Values of analysis steps by key: those given at the start (``entries``) and those used since
    (``used``, what a saving subclass keeps). ``Memo()`` keeps nothing and only computes."""

    def __init__(self, entries: dict[str, Any] | None = None) -> None:
        self.entries = entries or {}
        self.used: dict[str, Any] = {}
        self.hits = self.misses = 0
        self._story_keys: dict[int, tuple[Story, str]] = {}  # id(story) -> (story, its text key)

    @property
    def keeps(self) -> bool:
        """Whether the memo has values to give (a memo that saves what it is given says so too)."""
        return bool(self.entries)

    def story_key(self, story: Story) -> str:
        """What the story-by-story steps read of ``story``, as a key, made once per story (each step
        of each analysis asks): the one given with :meth:`know_story_key`, else one from the
        story's source digest when it has one (``Story.source_digest``, taken as its file was read:
        it covers the whole story), else :func:`story_text_key`."""
        found = self._story_keys.get(id(story))
        if found is None:
            key = memo_key("source", story.source_digest) if story.source_digest else story_text_key(story)
            found = self._story_keys[id(story)] = (story, key)
        return found[1]

    def know_story_key(self, story: Story, key: str) -> None:
        """Make ``key`` ``story``'s :meth:`story_key`: a key the caller has already, which changes
        whenever anything :func:`story_text_key` reads does (the key of the file the story was
        read from, by its path, size and modification time, say)."""
        self._story_keys[id(story)] = (story, key)

    def get(self, key: str | Callable[[], str], compute: Callable[[], Any]) -> Any:
        """The value kept under ``key``, else ``compute()`` (kept for the next build). ``key``
        may be a function making the key: a memo that keeps nothing (no last build's values, no
        file to save to) then makes no key and keeps no value, and only computes.

        Values are plain data (str, int, float, bool, None, and tuples, lists and dicts of
        them) and are kept as ``marshal`` bytes: a value comes back as an equal value (tuples
        as tuples, lists as lists), as byte strings quick to save and load and small to hold."""
        if not self.keeps:
            return compute()
        if callable(key):
            key = key()
        data = self.used.get(key) or self.entries.get(key)
        if data is not None:
            self.hits += 1
            value = marshal.loads(data)
        else:
            self.misses += 1
            value = compute()
            data = marshal.dumps(value, MARSHAL_VERSION)
        self.used[key] = data
        return value

    def kept(self, key: str) -> Any:
        """The value the last build kept with :meth:`keep` under ``key``, else None."""
        data = self.entries.get(key)
        return marshal.loads(data) if data is not None else None

    def keep(self, key: str, value: Any) -> None:
        """Keep ``value`` (plain data) under ``key`` for the next build: a value of the whole
        build, such as a vocabulary other entries refer to. Only a memo that keeps values
        (:attr:`keeps`) keeps it."""
        if self.keeps:
            self.used[key] = marshal.dumps(value, MARSHAL_VERSION)
