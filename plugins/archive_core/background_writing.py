"""Write the quotation and wire pages in a forked child while Pelican writes the rest.

Pelican writes pages one generator after another, on one core. Generators that set
``write_in_background = True`` (quotations and wire copy, many pages each) write pages that no other
generator reads. So, on a machine with two or more cores, the build forks when every analysis is
done (Pelican's ``get_writer`` signal, sent just before writing starts): a
:class:`~newsarchive.site.forked_call.ForkedCall` writes their pages, one generator after another,
while the parent writes the stories and listings. The parent takes the child's record of what it
wrote at ``finalized``; the build fails with the child's error if writing failed there, and the
parent writes the pages itself if the child ended without a word (killed, say). The files are the
same either way (tested); ``ARCHIVE_PARALLEL_WRITING = False`` writes everything in one process.

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

from newsarchive.site.faults import describe_os_error
from newsarchive.site.forked_call import ForkedCall, forking_helps, release_free_memory

from . import incremental_writing

_background: list = []  # generators whose pages the child writes
_writer: list[ForkedCall] = []  # the forked writer while it runs


def remember_generators(generators) -> None:
    _background[:] = [g for g in generators if getattr(g, "write_in_background", False)]


def _wanted(settings) -> bool:
    return bool(_background) and settings.get("ARCHIVE_PARALLEL_WRITING", True) and forking_helps()


def fork_writer(pelican) -> None:
    """``get_writer`` receiver: a forked child writes the background generators' pages."""
    if not _wanted(pelican.settings):
        return None
    _background[-1].shared_pages = SharedPages()  # the parent writes its share after its own pages
    release_free_memory()
    _writer.append(ForkedCall(_write_in_child, pelican, _background, fallback=_write_here))
    atexit.register(_writer[-1].cancel)  # a parent that fails first stops it: its output dir is about to go
    for generator in _background[:-1]:
        generator.written_in_background = True
    return None  # not a writer class: Pelican uses its own


def _write_in_child(pelican, generators) -> tuple[str | None, tuple | None]:
    """(None, this process's share of the record of pages written), or (what went wrong, None)."""
    try:
        _write(pelican, generators)
    except Exception as err:  # reported by the parent, which fails the build
        if isinstance(err, OSError):
            return describe_os_error(err, pelican.output_path), None
        return f"{type(err).__name__}: {err}", None
    return None, incremental_writing.this_process_share()


def _write_here(pelican, generators) -> tuple[None, None]:
    """The pages the child gave no word of, every one, written by this process (sharing none)."""
    for generator in generators:
        generator.written_in_background, generator.shared_pages = False, None
    _write(pelican, generators)
    return None, None


def _write(pelican, generators) -> None:
    writer = incremental_writing.ReusingWriter(pelican.output_path, settings=pelican.settings)
    for generator in generators:
        generator.generate_output(writer)


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


def wait_for_child(pelican) -> None:
    """``finalized`` receiver: every background page is written once it returns, and the
    child's record of them is this process's. The build fails (exit 1, one line, no traceback)
    if writing failed in the child."""
    if not _writer:
        return
    pending = _writer.pop()
    atexit.unregister(pending.cancel)
    error, share = pending.result()
    if error:
        raise SystemExit(f"error: writing pages in the background failed: {error}")
    incremental_writing.take_share(share)
