"""Progress bars, stage timings and garbage-collector pauses for long builds.

The build driver (``newsarchive.site.build``) sets ``NEWSARCHIVE_PROGRESS=1`` unless run with ``-q``;
``NEWSARCHIVE_TIMINGS=1`` makes each stage print ``stage NAME took X.XXX s`` to stderr (the
benchmark reads those lines).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from tqdm import tqdm

from newsarchive.errors import ArchiveError

T = TypeVar("T")
MIN_ITEMS_FOR_BAR = 200  # small archives build in a blink: no bar


def progress(items: Iterable[T], desc: str, total: int | None = None) -> Iterable[T]:
    """``items``, with a progress bar on stderr when progress is on and the run is long."""
    total = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    show = os.environ.get("NEWSARCHIVE_PROGRESS") == "1" and (total or 0) >= MIN_ITEMS_FOR_BAR
    if not show:
        return items
    return bar(items, desc, total=total, mininterval=1.0, leave=False)


def bar(items: Iterable[T], desc: str, **options: Any) -> Iterable[T]:
    """A tqdm progress bar on stderr over ``items``, with no monitor thread: the build forks, and
    a fork must see no other thread (``forked_call.forking_helps``)."""
    tqdm.monitor_interval = 0
    return tqdm(items, desc=desc, file=sys.stderr, **options)


def report(name: str, seconds: float) -> None:
    """Print ``stage NAME took X s`` when ``NEWSARCHIVE_TIMINGS=1``."""
    if os.environ.get("NEWSARCHIVE_TIMINGS") == "1":
        _line(f"stage {name} took {seconds:.3f} s")


def report_reuse(name: str, kept: int, computed: int) -> None:
    """Print ``reuse NAME: K kept, C computed`` when ``NEWSARCHIVE_TIMINGS=1`` (an analysis memo's
    hits and misses)."""
    if os.environ.get("NEWSARCHIVE_TIMINGS") == "1":
        _line(f"reuse {name}: {kept} kept, {computed} computed")


def _line(text: str) -> None:
    """``text`` and its newline to stderr in one write. Forked analyses report while the build's
    process does, on the same pipe: ``print`` writes the text and the newline apart (stderr
    writes through), and a line of another process could land between them."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time a build stage; reported when ``NEWSARCHIVE_TIMINGS=1``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        report(name, time.perf_counter() - start)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a stage that makes millions of small acyclic objects
    (reference counting frees them): each full collection would rescan every one still alive.
    Restored as it was, even if the stage raises."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Phases:
    """Times spans between named marks (for stages that begin and end in different signal
    receivers): ``start("reading")`` ... ``stop("reading")`` reports "reading"."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}

    def start(self, name: str) -> None:
        self.started[name] = time.perf_counter()

    def stop(self, name: str) -> None:
        if name in self.started:
            report(name, time.perf_counter() - self.started.pop(name))


class TimedStages:
    """Mixin for a Pelican generator (list it before ``Generator``): times ``generate_context``
    and ``generate_output`` as the stages "<stage_name>: analysis" and "<stage_name>: writing".
    Subclasses implement ``_generate_context()`` and ``_generate_output(writer)``.

    An analysis runs with the cyclic garbage collector paused, and then everything alive is
    moved out of the collector's reach (``gc.freeze()``): the stories and analysis results live
    until the build ends. The analyses leave no cyclic garbage, so no collection is run after
    them. Cyclic garbage an analysis did leave would be frozen too, and kept until the build's
    process exits.

    An analysis that raises :class:`~newsarchive.errors.ArchiveError` (a bad setting) stops the
    build with its message alone: Pelican would log it with a traceback."""

    stage_name = "generator"

    def generate_context(self) -> None:
        with stage(f"{self.stage_name}: analysis"):
            with paused_gc():
                try:
                    self._generate_context()
                except ArchiveError as err:  # a bad setting: its ``path: message``, not Pelican's traceback
                    print(err, file=sys.stderr)
                    raise SystemExit(1) from None
                gc.freeze()

    def generate_output(self, writer) -> None:
        if getattr(self, "written_in_background", False):  # a forked child writes them (archive_core)
            return
        shared = getattr(self, "shared_pages", None)  # written by two processes (archive_core)
        with stage(f"{self.stage_name}: writing"):
            self._generate_output(shared.writer(writer) if shared else writer)
