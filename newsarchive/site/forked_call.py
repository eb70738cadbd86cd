"""Compute one function call in a forked child while the caller goes on with other work.

    pending = ForkedCall(find_wire_passages, stories, params)
    ...                           # the parent does something else meanwhile
    analysis = pending.result()   # the child's return value, unpickled

The child is a ``fork`` of the caller, so it sees the arguments as they were at that moment
without copying or pickling them; only the return value crosses back, pickled into an unlinked
temporary file that parent and child share. Use it for pure functions of data the parent will
not change before ``result()``.

The child exits as soon as its value is written, whether or not the parent is ready for it:
through a pipe it would wait, blocked, until ``result()`` read the value, holding all its memory.

When the child cannot give a value (it raised, was killed, or its value does not pickle), or
when forking cannot help (one core, no ``fork``, another thread running), ``result()`` makes the call in the parent
instead: the value is the same, and an error is raised where it would have been without the
child (with the parent's traceback and error handling). A call whose work the child shares with
the parent names another function for that case (``fallback``): the one that does it all here.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_FAILED = b"F"
_DONE = b"V"
PR_SET_PDEATHSIG = 1  # Linux prctl(2)


def release_free_memory() -> None:
    """Give the C allocator's free pages back to the system (glibc's ``malloc_trim``), as a
    process about to fork should: a page the parent freed but kept would otherwise be copied
    into each process that reuses it."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        pass


def forking_helps() -> bool:
    """A forked child can run beside this process, safely: ``fork`` exists, there is a second
    core, and this process runs no other thread (a child forked beside a running thread can
    inherit a lock that thread held, and wait on it forever)."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


class ForkedCall:
    """``fn(*args)``, started in a forked child at once; :meth:`result` gives its value (see the
    module docstring). With ``enabled=False``, or where forking cannot help, ``result()`` makes
    the call (``fallback(*args)`` when given)."""

    def __init__(
        self, fn: Callable[..., Any], *args: Any, enabled: bool = True, fallback: Callable[..., Any] | None = None
    ) -> None:
        self.fn, self.args, self.fallback = fn, args, fallback or fn
        self.pid: int | None = None
        self.child_seconds: float | None = None  # how long the call took in the child
        if not (enabled and forking_helps()):
            return
        self._value = tempfile.TemporaryFile()  # the child writes its value here
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            _die_with(parent)
            _run_in_child(self._value.fileno(), fn, args)
        self.pid = pid

    def result(self) -> Any:
        """The call's value: the child's, or computed here if the child gave none."""
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            with self._value as written:
                written.seek(0)
                if os.waitstatus_to_exitcode(status) == 0 and written.read(1) == _DONE:
                    self.child_seconds, value = pickle.load(written)  # from the file: no copy of its bytes
                    return value
        return self.fallback(*self.args)

    def cancel(self) -> None:
        """Stop the child if it still runs, and wait for it to end: the call gives no value. For a
        parent about to fail, whose child would otherwise go on writing where it is cleaning up."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # it has ended: the wait below collects it
                pass
            os.waitpid(self.pid, 0)
            self.pid = None
            self._value.close()


def map_in_two(fn: Callable[[list[T]], list[R]], items: list[T], enabled: bool = True) -> list[R]:
    """``fn(items)``, with a forked child computing ``fn`` of every other item while this process
    computes the rest: ``fn`` takes a list and returns one value per item, in order. Without a
    child, this process computes them all, once."""
    child = ForkedCall(fn, items[1::2], enabled=enabled and len(items) > 1)
    if child.pid is None:
        return fn(items)
    mine = fn(items[::2])
    values: list = [None] * len(items)
    values[::2], values[1::2] = mine, child.result()
    return values


def _die_with(parent: int) -> None:
    """On Linux, have the kernel kill this child when ``parent`` ends: a build stopped by a bad
    story file kills Pelican, and the analysis it started must not run on alone."""
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the child ends when its work does
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


def _run_in_child(fd: int, fn: Callable[..., Any], args: tuple) -> None:
    """Write ``fn(*args)``, marked ``_DONE``, or ``_FAILED`` into the file ``fd``, then exit:
    status 0 once it is all written."""
    os.environ["NEWSARCHIVE_PROGRESS"] = "0"  # the parent's progress bars stay readable
    status = 0
    try:
        start = time.perf_counter()
        value = fn(*args)
        data = _DONE + pickle.dumps((time.perf_counter() - start, value), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the parent makes the call again and meets the error itself
        data = _FAILED
    try:
        with open(fd, "wb", closefd=False) as out:
            out.write(data)
    except BaseException:  # the disk is full, say: the parent makes the call itself
        status = 1
    finally:
        os._exit(status)
