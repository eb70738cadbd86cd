"""newsarchive.site.forked_call: a call computed in a forked child, with the parent as fallback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsarchive.site.forked_call import ForkedCall, map_in_two, release_free_memory

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork and 2 cores")


@pytest.fixture(autouse=True)
def no_other_thread():
    """ForkedCall forks only when this process runs no other thread: an earlier test file on the
    same worker must have stopped its threads (servers, browsers) by now."""
    import threading

    for _ in range(50):
        if threading.active_count() == 1:
            return
        time.sleep(0.1)
    pytest.fail(f"threads left running by an earlier test: {threading.enumerate()}")


def whose_pid(tag):
    return tag, os.getpid()


def test_a_worker_running_chromium_still_forks(browser, tmp_path):
    """Each worker keeps one Chromium for its whole run (tests/conftest.py's ``browser``): Playwright
    must leave no thread behind it, even after writing a file, or no call in this file would fork."""
    page = browser.new_page()
    page.goto("data:text/html,<p>shown</p>")
    page.screenshot(path=tmp_path / "shot" / "page.png")  # Playwright writes files through its loop's executor
    page.close()
    assert (tmp_path / "shot" / "page.png").stat().st_size > 0
    pending = ForkedCall(whose_pid, "x")
    child = pending.pid
    assert child is not None and pending.result() == ("x", child)


def test_the_value_is_computed_in_a_child_and_returned():
    pending = ForkedCall(whose_pid, "x")
    assert pending.pid is not None and pending.pid != os.getpid()
    tag, pid = pending.result()
    assert tag == "x" and pid != os.getpid()  # computed in the child, not here
    assert pending.child_seconds is not None and pending.child_seconds >= 0


def test_the_child_sees_the_arguments_as_they_were_at_the_fork():
    data = {"words": ["a", "b"]}
    pending = ForkedCall(lambda d: list(d["words"]), data)  # a lambda: nothing is pickled on the way in
    data["words"].append("c")  # the parent goes on; the child keeps its copy
    assert pending.result() == ["a", "b"]


def test_disabled_runs_in_the_parent():
    pending = ForkedCall(whose_pid, "y", enabled=False)
    assert pending.pid is None
    assert pending.result() == ("y", os.getpid())
    assert pending.child_seconds is None


def fail(message):
    raise ValueError(message)


def test_an_error_in_the_child_is_raised_by_the_parent_running_the_call_itself():
    pending = ForkedCall(fail, "bad story")
    with pytest.raises(ValueError, match="bad story"):
        pending.result()
    assert pending.pid is None  # the child was reaped


def die():
    os._exit(9)  # killed or crashed: no value comes back


def test_a_child_that_dies_leaves_the_call_to_the_parent():
    calls = []

    def once():
        calls.append(os.getpid())
        if len(calls) == 1 and os.getpid() != parent:
            die()
        return "done here"

    parent = os.getpid()
    assert ForkedCall(once).result() == "done here"
    assert calls == [parent]  # the child's call died with it; the parent's is the one that counted


def test_a_call_whose_work_the_child_shares_names_what_the_parent_does_alone():
    """A child that dies leaves ``fallback(*args)`` to the parent: the whole work, where ``fn``
    did a share of it. A child that gives its value never calls it."""
    parent = os.getpid()

    def share(n):
        if os.getpid() != parent:
            die()
        return "a share"

    assert ForkedCall(share, 3, fallback=lambda n: f"all {n}").result() == "all 3"
    assert ForkedCall(whose_pid, "x", fallback=lambda tag: pytest.fail("called")).result()[0] == "x"


def test_a_cancelled_call_stops_its_child_at_once(tmp_path):
    pending = ForkedCall(time.sleep, 60)
    pid = pending.pid
    started = time.monotonic()
    pending.cancel()
    assert time.monotonic() - started < 10 and pending.pid is None
    with pytest.raises(ChildProcessError):  # already waited for: gone
        os.waitpid(pid, 0)


def test_a_value_that_does_not_pickle_is_computed_in_the_parent():
    pending = ForkedCall(lambda: (os.getpid(), lambda: None))
    pid, fn = pending.result()
    assert pid == os.getpid() and fn() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_the_child_dies_with_the_process_that_started_it(tmp_path):
    """A build stopped by a bad story file kills Pelican: the analysis it started must not run on."""
    script = (
        "import time\n"
        "from newsarchive.site.forked_call import ForkedCall\n"
        "pending = ForkedCall(time.sleep, 120)\n"
        "print(pending.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    child = int(parent.stdout.readline())
    assert _running(child)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_the_child_ends_once_its_value_is_written_without_waiting_for_the_parent():
    """A child that waited for ``result()`` kept all its memory meanwhile (620 MB for the wire
    analysis at 10,000 stories); a value bigger than a pipe's buffer shows it."""
    pending = ForkedCall(bytes, 4_000_000)
    deadline = time.monotonic() + 10
    while _running(pending.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pending.pid)  # ended (a zombie until reaped) before anyone asked
    assert pending.result() == bytes(4_000_000)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may wait for a reaper that never comes)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def tagged_with_pid(items):
    return [(item, os.getpid()) for item in items]


def test_map_in_two_keeps_the_order_and_computes_every_item_once():
    values = map_in_two(tagged_with_pid, list("abcde"))
    assert [item for item, _ in values] == list("abcde")
    here = os.getpid()
    assert {pid for _, pid in values[::2]} == {here} and here not in {pid for _, pid in values[1::2]}
    # without a child (disabled, or one item) this process computes each item, once
    assert map_in_two(tagged_with_pid, list("abc"), enabled=False) == [("a", here), ("b", here), ("c", here)]
    assert map_in_two(tagged_with_pid, ["a"]) == [("a", here)]
    assert map_in_two(tagged_with_pid, []) == []


FREED_THEN_RELEASED = """
import sys
from newsarchive.site.forked_call import release_free_memory

def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096

blocks = [bytes(1000) + bytes([k % 256]) for k in range(100_000)]  # 100 MB from malloc, not Python's arenas
last = bytes(1000) + b"x"  # made after them: the freed memory is not at the heap's end, where free() returns it
del blocks
before = rss()
release_free_memory()
print(before - rss())
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads RSS from /proc")
def test_memory_freed_before_a_fork_goes_back_to_the_system():
    """A page the parent freed but kept is copied into each process that reuses it after a fork;
    given back first, it costs nothing."""
    given_back = int(
        subprocess.run(
            [sys.executable, "-c", FREED_THEN_RELEASED], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout
    )
    assert given_back > 50 * 2**20
    release_free_memory()  # in this process too: nothing to give back is no error


def test_no_fork_while_another_thread_runs():
    """A child forked beside a running thread could inherit a lock that thread holds: with a
    thread alive the call is made here, and after it ends forking resumes."""
    import threading

    release = threading.Event()
    waiter = threading.Thread(target=release.wait)
    waiter.start()
    try:
        pending = ForkedCall(whose_pid, "t")
        assert pending.pid is None
        assert pending.result() == ("t", os.getpid())
    finally:
        release.set()
        waiter.join()
    assert ForkedCall(whose_pid, "u").pid is not None


def test_a_progress_bar_starts_no_thread(monkeypatch):
    """tqdm's monitor thread would be alive when the build forks its writer: bars run without it."""
    import threading

    from newsarchive.site.progress import progress

    monkeypatch.setenv("NEWSARCHIVE_PROGRESS", "1")
    before = threading.active_count()
    bar = progress(range(500), "counting")
    assert sum(1 for _ in bar) == 500 and hasattr(bar, "close")  # a real bar, not the bare items
    assert threading.active_count() == before
