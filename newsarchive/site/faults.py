"""Faults of the machine a build meets, said in one line: a cache it cannot read, a full disk.

``ARCHIVE_KILL_AT=<point>`` (tests): the process kills itself with SIGKILL (or the signal named
in ``ARCHIVE_KILL_SIGNAL``, such as ``SIGINT``, a Ctrl-C) at the named point
(:func:`stop_if_asked`), to test what a build killed at that moment leaves. The points:
``write:<file name>`` (a cache written in full under its temporary name, not yet renamed:
``atomic_write``), ``publish`` (the new site and the old exchanged, or, where folders cannot be
exchanged, between the two renames: ``newsarchive.site.build``).
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path

FULL_DISK = (errno.ENOSPC, errno.EDQUOT)


def note_discarded(path: Path | str, reason: object) -> None:
    """Say, in one line, that the cache ``path`` could not be read and is rebuilt; ``reason``
    may be the exception reading it raised."""
    if isinstance(reason, BaseException):
        reason = f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
    # one write, so that a forked child's note and the parent's never share a line (stderr is
    # unbuffered: ``print`` writes the text and its newline in two calls)
    sys.stderr.write(f"note: {path}: unreadable cache discarded and rebuilt ({reason})\n")


def describe_os_error(error: OSError, folder: Path | str | None = None) -> str:
    """``error`` in one line: a full disk as ``no space left on device in <folder>`` (the folder
    of the file it names, else ``folder``), anything else as ``<what>: <file>``."""
    name = error.filename
    if error.errno in FULL_DISK:
        where = os.path.dirname(os.fsdecode(name)) if name else folder
        return f"no space left on device in {where}" if where else "no space left on device"
    what = error.strerror or str(error)
    return f"{what}: {os.fsdecode(name)}" if name else what


def disk_full(folder: Path | str, spare_bytes: int = 1 << 20) -> bool:
    """Whether the filesystem of ``folder`` has less than ``spare_bytes`` left for this process
    (root may use the blocks kept for it)."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    blocks = st.f_bfree if os.geteuid() == 0 else st.f_bavail
    return blocks * st.f_frsize < spare_bytes


def stop_if_asked(point: str) -> None:
    """Kill this process (SIGKILL, or ``ARCHIVE_KILL_SIGNAL``) if ``ARCHIVE_KILL_AT`` names ``point``."""
    if os.environ.get("ARCHIVE_KILL_AT") == point:
        sys.stdout.flush()
        sys.stderr.flush()
        # raised in this thread, so its handler runs before the next line: sent to the process,
        # a catchable signal may land in another thread and the process end before it is handled
        signal.raise_signal(signal.Signals[os.environ.get("ARCHIVE_KILL_SIGNAL", "SIGKILL")])
