"""Results of per-story analysis steps, kept from one build for the next.

Most of the quotation analysis is done story by story: finding the names a story gives
evidence for, marking the people and organizations it names, finding its quotations. Each of
those steps is a pure function of the story's text and of a few archive-wide values (the list of
known people, say), so its result can be kept under a key made of exactly those inputs and
reused while they do not change. Adding one story to 10,000 then redoes the steps of one story,
not of all of them::

    memo = AnalysisMemo.load(path)                           # empty if missing or unreadable
    key = lambda: memo_key("evidence", memo.story_key(story))  # what the step reads, hashed
    evidence = memo.get(key, lambda: story_evidence(story))
    ...
    memo.save()                                              # keeps only what this build used

The memo lives in Pelican's cache folder, which is named after the code's version
(``pelicanconf.CACHE_PATH``): a change of code starts from an empty memo. Values must be
plain data, stored as ``marshal`` bytes (see :meth:`AnalysisMemo.get`).
"""

from __future__ import annotations

import hashlib
import marshal
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .site.atomic_write import atomic_file
from .site.faults import note_discarded
from .story import MARSHAL_VERSION, Story

MEMO_FORMAT = 1


def memo_key(*parts: Any) -> str:
    """A key from plain values (str, int, float, None and tuples or lists of them)."""
    return hashlib.blake2b(marshal.dumps(parts, MARSHAL_VERSION), digest_size=16).hexdigest()


def story_text_key(story: Story) -> str:
    """What the story-by-story steps read of a story: its path, slug, date and paragraphs."""
    paragraphs = [(p.id, p.text, p.line) for p in story.paragraphs]
    return memo_key(story.path, story.slug, story.date.isoformat(), paragraphs)


def memo_in_cache(settings: dict[str, Any], name: str) -> AnalysisMemo:
    """The memo ``name`` in Pelican's cache folder (``CACHE_PATH``): read from there when Pelican
    reads its content cache (``LOAD_CONTENT_CACHE``), saved there when it keeps one
    (``CACHE_CONTENT``); otherwise empty and never saved."""
    file = Path(settings["CACHE_PATH"]) / name if settings.get("CACHE_PATH") else None
    memo = AnalysisMemo.load(file) if settings.get("LOAD_CONTENT_CACHE") else AnalysisMemo()
    memo.path = file if settings.get("CACHE_CONTENT") else None
    return memo


class AnalysisMemo:
    def __init__(self, path: Path | None = None, entries: dict[str, Any] | None = None) -> None:
        self.path = path
        self.entries = entries or {}
        self.used: dict[str, Any] = {}
        self.hits = self.misses = 0
        self._story_keys: dict[int, tuple[Story, str]] = {}  # id(story) -> (story, its text key)

    @property
    def keeps(self) -> bool:
        """Whether the memo has values from the last build or will save this build's."""
        return self.path is not None or bool(self.entries)

    def story_key(self, story: Story) -> str:
        """What the story-by-story steps read of ``story``, as a key, made once per story (each step
        of each analysis asks): the one given with :meth:`know_story_key`, else one from the
        story's source digest when it has one (``Story.source_digest``, taken as its file was read:
        it covers the whole story), else :func:`story_text_key`. At 10,000 stories hashing every
        story's text took 0.8 s of each build."""
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

    @classmethod
    def load(cls, path: Path | None) -> AnalysisMemo:
        """The memo saved at ``path``; an empty one if there is none or it cannot be read (said in
        one line: :func:`~newsarchive.site.atomic_write.note_discarded`)."""
        if path is None:
            return cls(path)
        try:
            with path.open("rb") as f:
                data = pickle.load(f)
        except FileNotFoundError:
            return cls(path)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError) as error:
            note_discarded(path, error)
            return cls(path)
        if not isinstance(data, dict) or data.get("format") != MEMO_FORMAT:
            return cls(path)  # another format: written by other code
        entries = data.get("entries") or {}
        if not isinstance(entries, dict) or not all(isinstance(value, bytes) for value in entries.values()):
            note_discarded(path, "not a memo")
            return cls(path)
        return cls(path, entries)

    def get(self, key: str | Callable[[], str], compute: Callable[[], Any]) -> Any:
        """The value kept under ``key``, else ``compute()`` (kept for the next build). ``key``
        may be a function making the key: a memo that keeps nothing (no last build's values, no
        file to save to) then makes no key and keeps no value, and only computes.

        Values are plain data (str, int, float, bool, None, and tuples, lists and dicts of
        them) and are kept as ``marshal`` bytes: a value comes back as an equal value (tuples
        as tuples, lists as lists), and the memo of a 10,000-story archive is a few thousand
        byte strings, quick to save and load and small to hold."""
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

    def save(self) -> None:
        """Write what this build used (nothing else: entries of removed stories go) to ``path``,
        atomically."""
        if self.path is None:
            return
        with atomic_file(self.path) as f:
            pickle.dump({"format": MEMO_FORMAT, "entries": self.used}, f, protocol=pickle.HIGHEST_PROTOCOL)
