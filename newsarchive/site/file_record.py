"""What a build learnt of each file it read, kept for the next build by the file's identity.

A file whose inode, size and modification time are those recorded is the file read last time
(a page linked from the last build's output is the same file), so what was learnt of it then
still holds and it need not be read again::

    record = FileRecord(path)                  # empty if missing or unreadable
    known, value = record.lookup(file, os.stat(file))
    if not known:
        value = learn(file)
        record.note(file, os.stat(file), value)
    ...
    record.save()                              # only the files this build looked up or noted

Used for the pages the search index reads (``search_shards.PageRecord``) and the story files
the build checks (``content_loader.check_content``). Values must be JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from newsarchive.site.atomic_write import write_atomically
from newsarchive.site.faults import note_discarded


def identity(st: os.stat_result) -> list[int]:
    """A file's identity: inode, size and modification time."""
    return [st.st_ino, st.st_size, st.st_mtime_ns]


class FileRecord:
    FORMAT = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        self.known: dict[str, list] = {}
        self.seen: dict[str, list] = {}  # what this build read or looked up, saved for the next
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            note_discarded(self.path, error)
            return
        if _valid(data, self.FORMAT):
            self.known = data["files"]
        elif not isinstance(data, dict) or data.get("format") == self.FORMAT:  # another format: older code
            note_discarded(self.path, "not a record of files")

    def lookup(self, file: os.PathLike | str, st: os.stat_result) -> tuple[bool, Any]:
        """``(known, value)``: whether ``file`` with ``st`` was noted before, and its value then."""
        key = os.fspath(file)
        entry = self.known.get(key)
        if entry is None or entry[:3] != identity(st):
            return False, None
        self.seen[key] = entry
        return True, entry[3]

    def note(self, file: os.PathLike | str, st: os.stat_result, value: Any) -> None:
        self.seen[os.fspath(file)] = [*identity(st), value]

    def save(self) -> None:
        """The files of this build, sorted, written whole or not at all."""
        data = {"format": self.FORMAT, "files": dict(sorted(self.seen.items()))}
        write_atomically(self.path, json.dumps(data, separators=(",", ":")))


def _valid(data: Any, format: int) -> bool:
    """Whether ``data`` is a record of files in ``format``: each entry inode, size, mtime, value."""
    return (
        isinstance(data, dict)
        and data.get("format") == format
        and isinstance(data.get("files"), dict)
        and all(isinstance(entry, list) and len(entry) == 4 for entry in data["files"].values())
    )
