"""Results of per-story analysis steps, kept from one build for the next.

The analyses' memo (:class:`newsarchive.analysis.memo.Memo`) saved in the build's cache.

Most of the quotation analysis is done story by story: finding the names a story gives
evidence for, marking the people and organizations it names, finding its quotations. Each of
those steps is a pure function of the story's text and of a few archive-wide values (the list of
known people, say), so its result can be kept under a key made of exactly those inputs and
reused while they do not change. Adding one story then redoes the steps of that story, not of
all of them::

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

import pickle
from pathlib import Path
from typing import Any

from newsarchive.analysis.memo import Memo, memo_key, story_text_key
from newsarchive.site.atomic_write import atomic_file
from newsarchive.site.faults import note_discarded

MEMO_FORMAT = 1
__all__ = ["AnalysisMemo", "memo_in_cache", "memo_key", "story_text_key"]


def memo_in_cache(settings: dict[str, Any], name: str) -> AnalysisMemo:
    """The memo ``name`` in Pelican's cache folder (``CACHE_PATH``): read from there when Pelican
    reads its content cache (``LOAD_CONTENT_CACHE``), saved there when it keeps one
    (``CACHE_CONTENT``); otherwise empty and never saved."""
    file = Path(settings["CACHE_PATH"]) / name if settings.get("CACHE_PATH") else None
    memo = AnalysisMemo.load(file) if settings.get("LOAD_CONTENT_CACHE") else AnalysisMemo()
    memo.path = file if settings.get("CACHE_CONTENT") else None
    return memo


class AnalysisMemo(Memo):
    """A :class:`Memo` read from and saved to a file: the values the last build used."""

    def __init__(self, path: Path | None = None, entries: dict[str, Any] | None = None) -> None:
        super().__init__(entries)
        self.path = path

    @property
    def keeps(self) -> bool:
        """Whether the memo has values from the last build or will save this build's."""
        return self.path is not None or bool(self.entries)

    @classmethod
    def load(cls, path: Path | None) -> AnalysisMemo:
        """The memo saved at ``path``; an empty one if there is none or it cannot be read (said in
        one line: :func:`~newsarchive.site.faults.note_discarded`)."""
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

    def save(self) -> None:
        """Write what this build used (nothing else: entries of removed stories go) to ``path``,
        atomically."""
        if self.path is None:
            return
        with atomic_file(self.path) as f:
            pickle.dump({"format": MEMO_FORMAT, "entries": self.used}, f, protocol=pickle.HIGHEST_PROTOCOL)
