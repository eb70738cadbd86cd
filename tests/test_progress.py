"""Stage timing and the garbage-collector pauses around the build's analyses (newsarchive.site.progress)."""

from __future__ import annotations

import gc
import sys

import pytest

from newsarchive.site.progress import TimedStages, report, report_reuse


@pytest.fixture(autouse=True)
def collector_as_it_was():
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()


class Analysis(TimedStages):
    stage_name = "test"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen_enabled: bool | None = None
        self.made: list = []

    def _generate_context(self) -> None:
        self.seen_enabled = gc.isenabled()
        self.made = [[n] for n in range(1000)]  # container objects the collector would track
        if self.fail:
            raise ValueError("bad story")


def test_an_analysis_runs_with_the_collector_paused_and_its_results_are_frozen(capsys, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_TIMINGS", "1")
    gc.enable()
    frozen = gc.get_freeze_count()
    analysis = Analysis()
    analysis.generate_context()
    assert analysis.seen_enabled is False
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(analysis.made)
    assert "stage test: analysis took" in capsys.readouterr().err


def test_a_failing_analysis_turns_the_collector_back_on():
    gc.enable()
    with pytest.raises(ValueError, match="bad story"):
        Analysis(fail=True).generate_context()
    assert gc.isenabled()


def test_pelican_reads_with_the_collector_paused():
    from plugins.archive_core.plugin import reading_done, reading_started

    gc.enable()
    reading_started(None)
    assert not gc.isenabled()
    stories = [[n] for n in range(1000)]
    reading_done(None)
    assert gc.isenabled() and gc.get_freeze_count() >= len(stories)

    gc.disable()  # a collector that was off stays off
    reading_started(None)
    reading_done(None)
    assert not gc.isenabled()


class Writes:
    """A stderr that, like the real one on a pipe, passes each ``write`` on as it comes."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_a_reported_line_is_one_write_so_that_processes_sharing_stderr_do_not_split_it(monkeypatch):
    """The forked analyses report on the build's stderr while the build's process does: a line
    written in two pieces can get another process's line in between (the benchmark's test failed
    so in 2 of 5 runs of the suite, a build's reading stage lost)."""
    writes = Writes()
    monkeypatch.setattr(sys, "stderr", writes)
    monkeypatch.setenv("NEWSARCHIVE_TIMINGS", "1")
    report("wire: analysis", 1.5)
    report_reuse("wire: story files", 3, 1)
    assert writes.calls == ["stage wire: analysis took 1.500 s\n", "reuse wire: story files: 3 kept, 1 computed\n"]
