"""Shared fixtures: one built site per test session, served on 127.0.0.1, and Chromium.

The site is built once (``archive build`` into a temp dir) and shared by every test that
reads ``output/``; browser tests drive Debian's Chromium through Playwright.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import gates
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def run_build(content: Path, output: Path, *extra: str, env: dict | None = None, cwd: Path = ROOT):
    """Run ``archive build`` as a user would, from a terminal: Ctrl-C (SIGINT) interrupts it even
    when the tests run as a background job, which starts with SIGINT ignored (and passes that
    on). Returns the CompletedProcess."""
    cmd = [sys.executable, "-m", "newsarchive.site.build", "--content", str(content), "--output", str(output), "-q"]
    return subprocess.run(
        cmd + list(extra), cwd=cwd, capture_output=True, text=True, env=env, preexec_fn=_interruptible
    )


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def copy_project(dest: Path, settings: str = "") -> Path:
    """A copy of the project's build inputs (settings, theme, plugins, content) at ``dest``, with
    ``settings`` (lines of Python) added to its pelicanconf.py."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("theme", "plugins", "content", "newsarchive"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    if settings:
        with open(dest / "pelicanconf.py", "a", encoding="utf-8") as conf:
            conf.write(f"\n{settings}\n")
    return dest


def build_with_settings(dest: Path, settings: str, *extra: str) -> subprocess.CompletedProcess:
    """A copy of the project at ``dest`` with ``settings`` added to its pelicanconf.py, built: the
    finished process, with ``.output`` set to the output directory."""
    project = copy_project(dest, settings)
    done = run_build(project / "content", project / "output", *extra, cwd=project)
    done.output = project / "output"
    return done


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The seed archive, built once for the whole session (with the search index). Its index is
    built in shards of 7 pages and merged, as a large archive's is, so every search test in
    Chromium runs on a merged index (the seeds alone would fit one shard)."""
    out = tmp_path_factory.mktemp("site") / "output"
    env = dict(os.environ, SITEURL="", ARCHIVE_SEARCH_SHARD_PAGES="7")
    done = run_build(ROOT / "content", out, env=env)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory) -> Path:
    """The seed archive built for the sub-path ``/archive`` (as for a project page on GitHub
    Pages), once for the session."""
    out = tmp_path_factory.mktemp("subpath") / "output"
    done = run_build(ROOT / "content", out, env=dict(os.environ, SITEURL="/archive"))
    assert done.returncode == 0, done.stderr
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def serve():
    """``serve(directory, prefix="")`` -> base URL of a server on 127.0.0.1 for that directory.

    With a prefix (e.g. "/archive"), the directory is served under that sub-path only. Servers
    stop when the test file ends: their threads must not outlive it (the build's forks refuse to
    run beside a thread, and other files' tests fork).
    """
    servers: dict[tuple[Path, str], tuple[http.server.ThreadingHTTPServer, str]] = {}

    def start(directory: Path, prefix: str = "") -> str:
        if (directory, prefix) in servers:  # one server a directory: each stops in up to a poll
            return servers[directory, prefix][1]
        root = directory
        if prefix:
            root = directory.parent / f"{directory.name}-mount"
            target = root / prefix.strip("/")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(directory, target_is_directory=True)
        handler = functools.partial(_Quiet, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers[directory, prefix] = server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"
        return servers[directory, prefix][1]

    yield start
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


if sys.version_info < (3, 12):  # 3.12 watches children this way by default; 3.14 has no watchers

    class _PidfdWatcherOfTheRunningLoop(asyncio.PidfdChildWatcher):
        """What Python 3.12 does by default: wait for a child (Playwright's driver) through a pidfd in
        the loop that started it. Python 3.11's default watcher waits in a thread as long as the child
        runs."""

        def is_active(self) -> bool:
            return True

        def attach_loop(self, loop) -> None:
            pass  # the loop is the one running when a child starts

        def add_child_handler(self, pid, callback, *args) -> None:
            self._loop = asyncio.get_running_loop()
            super().add_child_handler(pid, callback, *args)


class _CallsInPlace(concurrent.futures.ThreadPoolExecutor):
    """Runs what Playwright gives its loop's executor (reading and writing files) at once, in the
    calling thread: a pool's threads would stay for the rest of the run."""

    def submit(self, fn, /, *args, **kwargs) -> concurrent.futures.Future:
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future


class _PolicyWithoutThreads(asyncio.DefaultEventLoopPolicy):
    """asyncio's own policy, with loops whose executor is :class:`_CallsInPlace`."""

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        loop.set_default_executor(_CallsInPlace(max_workers=1))
        return loop


@pytest.fixture(scope="session")
def browser():
    """One Chromium for each worker's whole run, driven with no thread beside the tests:
    ForkedCall refuses to fork beside a thread, and the tests of forking run on the same workers
    (test_forked_call.py checks)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: run `make test` (it installs Debian's chromium)")
    asyncio.set_event_loop_policy(_PolicyWithoutThreads())
    if sys.version_info < (3, 12):
        asyncio.set_child_watcher(_PidfdWatcherOfTheRunningLoop())
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
    asyncio.set_event_loop_policy(None)


@pytest.fixture(scope="module")
def page_with(browser):
    """``page_with(axe=False, **options)`` -> a Chromium page whose context has ``options`` (as for
    ``browser.new_context``; with ``axe``, as ``gates.axe_context`` makes it). Tests of one file
    that ask for the same options share the page and navigate it: a new page costs Chromium
    about half a second, a navigation a tenth. A test that changes what outlives a navigation
    (emulated media, routes it keeps, the mouse) opens its own page. Each call leaves the page
    blank."""
    pages = {}

    def get(axe: bool = False, **options):
        key = (axe, repr(sorted(options.items())))
        if key not in pages:
            context = gates.axe_context(browser, **options) if axe else browser.new_context(**options)
            pages[key] = context.new_page()
        pages[key].goto("about:blank")  # so that the test's first address is always a new document
        return pages[key]

    yield get
    for pg in pages.values():
        pg.context.close()


@pytest.fixture(scope="module")
def _recording_page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.errors = []
    pg.dialogs = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def on_dialog(dialog):
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()


@pytest.fixture
def page(_recording_page):
    """A page that records console errors (``page.errors``), page errors and dialogs
    (``page.dialogs``): blank, with nothing recorded, at the start of each test. The tests of one
    file share it (see ``page_with``)."""
    pg = _recording_page
    pg.goto("about:blank")  # what the last test's page still sends is recorded before the lists empty
    pg.errors.clear()
    pg.dialogs.clear()
    return pg
