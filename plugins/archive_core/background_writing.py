"""Write the quotation and wire pages in forked children while Pelican writes the rest.

Pelican writes pages one generator after another, on one core. Generators that set
``write_in_background = True`` (quotations and wire copy, many pages each) write pages that no other
generator reads. So, on a machine with two or more cores, the build forks when every analysis is
done (Pelican's ``get_writer`` signal, sent just before writing starts): one child writes their
pages, one generator after another, while the parent writes the stories and listings. The parent
waits for the child at ``finalized`` and fails the build if it failed. The files are the same either
way (tested); ``ARCHIVE_PARALLEL_WRITING = False`` writes everything in one process.

One child, not one per generator: on two cores a third writer only competes with the other two,
and each forked child copies the pages of the parent's heap it touches.

**Shared pages.** So that neither process waits idle for the other, the pages of the last background
generator (wire copy) are shared: both processes go through them in the same order, and each writes
the next page nobody has taken yet (a counter in shared memory), the parent once its own generators
are done, the child after the others. Which process writes a page changes nothing in it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys

from newsarchive.site.faults import describe_os_error
from newsarchive.site.forked_call import forking_helps, release_free_memory

from . import incremental_writing

_background: list = []  # generators whose pages the child writes
_child: list[int] = []  # the child's pid while it runs


def remember_generators(generators) -> None:
    _background[:] = [g for g in generators if getattr(g, "write_in_background", False)]


def _wanted(settings) -> bool:
    return bool(_background) and settings.get("ARCHIVE_PARALLEL_WRITING", True) and forking_helps()


def fork_writer(pelican) -> None:
    """``get_writer`` receiver: a child writes the background generators' pages and exits."""
    if not _wanted(pelican.settings):
        return None
    atexit.register(_reap)  # a parent that fails first still waits: its output dir is about to go
    sys.stdout.flush()
    sys.stderr.flush()
    _background[-1].shared_pages = SharedPages()  # the parent writes its share after its own pages
    release_free_memory()
    pid = os.fork()
    if pid == 0:
        _write_and_exit(pelican, _background)
    _child.append(pid)
    for generator in _background[:-1]:
        generator.written_in_background = True
    return None  # not a writer class: Pelican uses its own


def _write_and_exit(pelican, generators) -> None:
    status = 1
    try:
        writer = incremental_writing.ReusingWriter(pelican.output_path, settings=pelican.settings)
        for generator in generators:
            generator.generate_output(writer)
        incremental_writing.save_child_part()
        status = 0
    except BaseException as err:  # reported by the parent as a failed build
        what = (
            describe_os_error(err, pelican.output_path) if isinstance(err, OSError) else f"{type(err).__name__}: {err}"
        )
        print(f"error: writing pages in the background failed: {what}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


class SharedPages:
    """A sequence of page writes shared by two processes: each write goes to whichever process
    takes it first. Both must make the same writes in the same order."""

    def __init__(self) -> None:
        self.taken = multiprocessing.Value("q", 0)  # the next write nobody has taken, in shared memory

    def writer(self, writer) -> _SharingWriter:
        return _SharingWriter(writer, self)


class _SharingWriter:
    """Pelican's writer, writing only the pages this process takes."""

    def __init__(self, writer, shared: SharedPages) -> None:
        self.writer, self.shared = writer, shared
        self.seen = 0  # writes met so far
        self.claimed = -1  # the write this process took last

    def mine(self) -> bool:
        """Whether this process makes the next write of the sequence."""
        n, self.seen = self.seen, self.seen + 1
        if self.claimed < n:
            with self.shared.taken.get_lock():
                self.claimed = self.shared.taken.value
                self.shared.taken.value += 1
        return self.claimed == n

    def write_file(self, *args, **kwargs):
        if self.mine():
            return self.writer.write_file(*args, **kwargs)
        return None

    def write_made(self, *args) -> None:
        if self.mine():
            self.writer.write_made(*args)


def _reap() -> int:
    """Wait for every child; the first non-zero exit code (0 when all succeeded or there were none)."""
    codes = []
    while _child:
        _, status = os.waitpid(_child.pop(0), 0)
        codes.append(os.waitstatus_to_exitcode(status))
    return next((code for code in codes if code), 0)


def wait_for_child(pelican) -> None:
    """``finalized`` receiver: the build fails if the child did (exit 1, no traceback: the child
    has printed what went wrong)."""
    if _reap() != 0:
        raise SystemExit("error: the pages written in the background are incomplete; build stopped")
