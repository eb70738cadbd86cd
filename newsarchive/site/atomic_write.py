"""Files written whole or not at all: the caches one build keeps for the next.

Every cache a build keeps for the next one (Pelican's reader cache, the analyses' memos, the
records of pages and files, the search index's prepared bundles) is written with
:func:`write_atomically` or :func:`atomic_file`: the bytes go to a temporary file beside the
target, which a rename then puts in place. A build killed at any moment leaves the old file or
the new one, never a part of either. A temporary file a killed build leaves,
``.<name>.<pid>.partial``, is removed by the next write of the same file.

No ``fsync``: a rename is atomic against a killed process, which is what these caches meet; after
a power cut a cache may still be cut short, and every reader checks what it reads and starts
from an empty cache, saying so (``faults.note_discarded``).

``ARCHIVE_KILL_AT=write:<name>`` (tests): the process kills itself with SIGKILL once a file named
``<name>`` is written in full under its temporary name, before the rename.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from newsarchive.site.faults import FULL_DISK, stop_if_asked


def write_atomically(path: Path | str, data: bytes | str) -> None:
    """Put ``data`` in ``path`` whole or not at all (text is written as UTF-8)."""
    with atomic_file(path) as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_file(path: Path | str) -> Iterator[IO[bytes]]:
    """A binary file to write ``path``'s new bytes into; in place once the block ends without an
    error, and never in place (the old ``path`` kept) if it raises. Its folder is made if missing;
    the file gets the mode a plain ``open`` gives (0666 less the umask).

    A full disk raises ``OSError(ENOSPC)`` naming ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_partials(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as file:
            yield file
        stop_if_asked(f"write:{path.name}")
        os.replace(partial, path)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno in FULL_DISK and error.filename is None:
            raise OSError(error.errno, os.strerror(error.errno), str(path)) from None
        raise


def _remove_dead_partials(path: Path) -> None:
    """Remove the temporary files of ``path`` that processes no longer running left."""
    for partial in path.parent.glob(f".{glob.escape(path.name)}.*.partial"):
        pid = partial.name[len(path.name) + 2 : -len(".partial")]
        if pid.isdigit() and not _running(int(pid)):
            partial.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True
