"""``archive build`` / ``make html``: validate content, run Pelican and Pagefind into a
temporary directory, and only then replace ``output/``.

A failed build prints ``path:line: message`` lines, exits non-zero and leaves the previous
``output/`` exactly as it was. Pelican and Pagefind run as subprocesses, so this module
does not import Pelican.

**Publishing** (:func:`publish`): the new site and ``output/`` are exchanged in one step
(Linux's ``renameat2(RENAME_EXCHANGE)``), so a web server reading ``output/`` finds the old site
or the new one at every instant, whenever the build is killed. Where folders cannot be
exchanged, ``output`` is renamed ``.output.old-<id>`` and the new site ``output``; a build
killed between the two leaves no ``output/``, and the next build finishes the publish first
(:func:`finish_publish`).

**One build at a time** (:func:`build_lock`): a build holds ``.output.lock`` (``flock``); a
second build of the same output waits for it, saying so. Holding it, a build first removes what
killed builds left beside ``output/`` (:func:`remove_leftovers`).
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from newsarchive.site.content_loader import check_content
from newsarchive.site.faults import describe_os_error, disk_full, stop_if_asked
from newsarchive.site.forked_call import ForkedCall, map_in_two
from newsarchive.site.pagefind_output import merge_bundles, pagefind_version_problem
from newsarchive.site.progress import stage
from newsarchive.site.search_shards import (
    TARGET_BYTES,
    BundleCache,
    IndexedPage,
    PageRecord,
    bundle_problem,
    indexed_page,
    plan_shards,
    shard_key,
    tool_key,
)
from newsarchive.site.spare_tree import claim, remove_empty, retire_in_background, start_detached, take_spare

# Pagefind reads only the page kinds it indexes (docs/SEARCH.md): listings, comparison pages and
# the quotation pages (their quotations are hits on the speaker's page) carry no
# data-pagefind-body, and reading them would cost memory and time for nothing.
INDEXED_DIRS = ("stories", "events", "people", "organizations", "wire", "quotes/unattributed")

# Pagefind holds every page it reads until it writes the index, so the build runs it on shards
# of at most this many pages, to bound its memory, and merges their bundles into one
# (pagefind_output). ARCHIVE_SEARCH_SHARD_PAGES in the environment overrides it (the tests use
# small shards).
SHARD_PAGES = 2000
# One Pagefind run does not keep two cores busy, so two shards are indexed at a time.
SHARDS_AT_ONCE = 2

# Pagefind cuts its word index into chunks of about this many word positions (its default is
# 20,000; 1.5.2 reads the setting only from this environment variable). A search fetches the
# chunk holding each query word, so smaller chunks mean fewer bytes per first query, paid for
# by a longer chunk list in the metadata file every query fetches (docs/SEARCH.md).
PAGEFIND_ENV = {"PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": "5000"}
CHUNK_SIZE = int(PAGEFIND_ENV["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"])  # the merge chunks the same way

# Every indexed page carries this sort (theme; tested). The merge puts each page's place in it
# into the page's fragment name instead of writing the sort into the metadata every query loads,
# and the search page sorts by those names.
SEARCH_ORDER = "date"


def pagefind_command(site: Path) -> list[str]:
    """Pagefind over every page under ``site``, writing ``site/pagefind/`` (run with PAGEFIND_ENV)."""
    return [*pagefind_executable(), "--site", str(site), "--silent"]


@functools.cache
def pagefind_executable() -> tuple[str, ...]:
    """Pagefind's binary from ``pagefind[bin]``, run directly (``python -m pagefind`` would start
    Python first for every shard); ``python -m pagefind`` where the binary is not found."""
    from pagefind.service import get_executable

    binary = get_executable()
    return (str(binary),) if binary else (sys.executable, "-m", "pagefind")


# A tag carrying the attribute. Autoescaping turns "<" and ">" in text and attribute values
# into entities, so "[^<>]*" stays inside one tag, and text merely mentioning it does not match.
PAGEFIND_BODY = re.compile(rb"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s=/>]")


def indexed_pages(site: Path) -> list[Path]:
    """The pages of ``site`` that search indexes, relative to it, in path order: those in
    INDEXED_DIRS that mark their text with ``data-pagefind-body``.

    Pagefind skips pages without that mark only when some page it reads has one; a shard of
    listing pages alone would otherwise be indexed whole, so unmarked pages go in no shard."""
    return [page.path for page in read_indexed_pages(site)]


def read_indexed_pages(site: Path, record: PageRecord | None = None) -> list[IndexedPage]:
    """``indexed_pages`` with each page's size and a hash of its bytes. With ``record``, a page
    whose file it knows is not read again, and every page is noted in it.

    With READ_IN_TWO_FROM pages or more to read, a forked child reads every other one, so that
    reading and hashing a large site uses both cores."""
    found: dict[Path, IndexedPage | None] = {}  # by path: the page, or None if not indexed
    todo: list[tuple[Path, os.stat_result | None]] = []
    order = _html_files(site, INDEXED_DIRS)
    for path in order:
        st = None
        if record is not None:
            st = os.stat(site / path)
            known, digest = record.lookup(path, st)
            if known:
                found[path] = IndexedPage(path, st.st_size, digest) if digest is not None else None
                continue
        todo.append((path, st))
    read = map_in_two(
        functools.partial(_read_pages, site), [path for path, _ in todo], enabled=len(todo) >= READ_IN_TWO_FROM
    )
    for (path, st), page in zip(todo, read, strict=True):
        found[path] = page
        if record is not None:
            record.note(path, st, page and page.digest)
    return [page for page in map(found.get, order) if page is not None]


READ_IN_TWO_FROM = 500


def _html_files(site: Path, folders: tuple[str, ...]) -> list[Path]:
    """The ``.html`` files under ``site``'s ``folders``, relative to it, in path order (as
    ``Path`` sorts them, part by part). Walks with ``os.walk`` and sorts strings: faster than
    ``Path.rglob`` and sorting ``Path`` objects."""
    found = []
    for folder in folders:
        top = os.path.join(site, folder)
        for root, _dirs, files in os.walk(top):
            where = folder + root[len(top) :]  # os.walk's roots start with top
            found += [f"{where}/{name}" for name in files if name.endswith(".html")]
    return [Path(path) for path in sorted(found, key=lambda path: path.split("/"))]


def _read_pages(site: Path, paths: list[Path]) -> list[IndexedPage | None]:
    """Each page of ``paths`` (relative to ``site``) if it marks text for search, else None."""
    pages = []
    for path in paths:
        data = (site / path).read_bytes()
        pages.append(indexed_page(path, data) if PAGEFIND_BODY.search(data) else None)
    return pages


def link_pages(site: Path, pages: list[Path], root: Path) -> None:
    """A tree at ``root`` of hard links to ``pages`` of ``site`` (copies on a filesystem without)."""
    for page in pages:
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / page, root / page)
        except OSError:
            shutil.copyfile(site / page, root / page)


def shard_size() -> int:
    """SHARD_PAGES, or ARCHIVE_SEARCH_SHARD_PAGES from the environment."""
    value = os.environ.get("ARCHIVE_SEARCH_SHARD_PAGES") or str(SHARD_PAGES)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"ARCHIVE_SEARCH_SHARD_PAGES={value!r}: expected a whole number of pages, 1 or more")
    return int(value)


def index_site(
    site: Path,
    quiet: bool,
    shard_pages: int = SHARD_PAGES,
    cache: Path | None = None,
    target_bytes: int = TARGET_BYTES,
    scratch_prefix: str = ".pagefind-shards-",
) -> bool:
    """Write ``site/pagefind/``: Pagefind over the indexed pages, in shards of at most
    ``shard_pages`` pages (each a tree of hard links in a folder beside ``site`` named
    ``scratch_prefix`` and a random tail), merged into one bundle. False, with the reason
    printed, if a run or the merge failed, or a run left a bundle that is not whole
    (``search_shards.bundle_problem``).

    With ``cache``, a directory, each shard's bundle is kept there after the build, and a shard
    whose pages are the same next time is not indexed again (``search_shards``).

    An archive with nothing to index (no stories yet) gets no index: Pagefind cannot write an
    empty one, and the search page then says that search is unavailable."""
    record = PageRecord(cache) if cache else None
    pages = read_indexed_pages(site, record)
    if not pages:
        if not quiet:
            print("[build] no pages to index: the site has no search index", file=sys.stderr)
        return True
    shards = plan_shards(pages, shard_pages, target_bytes)
    work = Path(tempfile.mkdtemp(prefix=scratch_prefix, dir=site.parent))
    done = False
    try:
        done = _index_shards(site, shards, work, quiet, BundleCache(cache) if cache else None)
        if done and record is not None:
            record.save()
        return done
    finally:
        if done:  # the shards' trees hold a link per indexed page: deleted without waiting
            remove_in_background(work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _index_shards(
    site: Path, shards: list[list[IndexedPage]], work: Path, quiet: bool, cache: BundleCache | None
) -> bool:
    """Pagefind over each shard not in ``cache`` (SHARDS_AT_ONCE at a time) in ``work``, then the merge."""
    tool = tool_key(version("pagefind"), pagefind_command(Path("SITE")), PAGEFIND_ENV)
    keys = [shard_key(shard, tool) for shard in shards]
    bundles = [cache.get(key) if cache else None for key in keys]
    todo = [n for n, bundle in enumerate(bundles) if bundle is None]
    running: dict[Future, tuple[int, str, subprocess.Popen]] = {}  # each run's output, as it ends
    # a thread per run reads its output, so that the next run starts as soon as any run ends
    # (waiting for the oldest left a core idle behind a small shard); the pool is shut down, its
    # threads ended, before the merge forks
    with stage("search: pagefind"), ThreadPoolExecutor(max_workers=SHARDS_AT_ONCE) as readers:
        if cache and not quiet:
            print(f"[build] search: {len(shards) - len(todo)} of {len(shards)} shards unchanged", file=sys.stderr)
        for count, n in enumerate(todo, 1):
            root = work / str(n + 1)
            link_pages(site, [page.path for page in shards[n]], root)
            name = "pagefind" if len(shards) == 1 else f"pagefind, shard {n + 1} of {len(shards)}"
            step = start_step(name, pagefind_command(root), quiet, PAGEFIND_ENV)
            running[readers.submit(step.communicate)] = (n, name, step)
            bundles[n] = root / "pagefind"
            while running and (len(running) == SHARDS_AT_ONCE or count == len(todo)):
                ended = next(iter(wait(running, return_when=FIRST_COMPLETED).done))
                finished, name, step = running.pop(ended)
                out, err = ended.result()
                succeeded = step_succeeded(name, step, out, err, quiet)
                problem = succeeded and bundle_problem(bundles[finished])
                if problem:
                    why = f"no space left on device in {work}: " if disk_full(work) else "(is the disk full?) "
                    print(
                        f"build failed: {why}{name} wrote an incomplete index ({problem}); output/ left unchanged",
                        file=sys.stderr,
                    )
                if not succeeded or problem:
                    for _, _, other in running.values():
                        other.kill()
                    return False  # leaving the pool waits for their readers
                if cache:
                    bundles[finished] = cache.put(keys[finished], bundles[finished])
    with stage("search: merging shards"):
        try:
            merge_bundles(bundles, work / "merged", CHUNK_SIZE, name_order=SEARCH_ORDER)
        except ValueError as error:
            print(
                f"build failed: the search index could not be merged: {error}; output/ left unchanged", file=sys.stderr
            )
            if cache:  # never trusted again: every shard is indexed anew next time
                for trash in cache.prune(set()):
                    remove_in_background(trash)
            return False
    (work / "merged").rename(site / "pagefind")
    if cache:
        for trash in cache.prune(set(keys)):
            remove_in_background(trash)
    return True


def start_step(name: str, cmd: list[str], quiet: bool, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start one build step, with ``env`` added to the environment. Quiet: its output is kept to
    show if it fails; otherwise it streams (with progress bars on long runs)."""
    if quiet:
        return subprocess.Popen(
            cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    print(f"[build] {name}", file=sys.stderr, flush=True)
    # wide COLUMNS: Pelican's log handler must not wrap "path:line: message" lines
    return subprocess.Popen(cmd, env={"COLUMNS": "250", **os.environ, "NEWSARCHIVE_PROGRESS": "1", **(env or {})})


def finish_step(name: str, step: subprocess.Popen, quiet: bool) -> bool:
    """Wait for a started step; False (with its output shown, when quiet) if it failed."""
    out, err = step.communicate()
    return step_succeeded(name, step, out, err, quiet)


def step_succeeded(name: str, step: subprocess.Popen, out: str | None, err: str | None, quiet: bool) -> bool:
    """Whether an ended step succeeded; when quiet, its output (``out``, ``err``) is shown if it
    failed, and its stage timings if it did not."""
    if quiet and step.returncode != 0:
        sys.stderr.write(out[-4000:] + err[-8000:])
    elif quiet:  # stage timings (NEWSARCHIVE_TIMINGS=1) are asked for explicitly: pass them on, and notes
        passed = ("stage ", "reuse ", "note: ")
        sys.stderr.writelines(line for line in err.splitlines(keepends=True) if line.startswith(passed))
    if step.returncode != 0:
        print(f"build failed: {name} exited with status {step.returncode}; output/ left unchanged", file=sys.stderr)
        return False
    return True


def stop_step(step: subprocess.Popen) -> None:
    """Kill a started step and wait for it: nothing it would write is wanted."""
    step.kill()
    step.communicate()


def run_step(name: str, cmd: list[str], quiet: bool, env: dict[str, str] | None = None) -> bool:
    return finish_step(name, start_step(name, cmd, quiet, env), quiet)


def check_record(output: Path) -> Path:
    """Where the content check remembers the story files that parsed cleanly, for the next build
    into ``output`` (:func:`~newsarchive.site.content_loader.check_content`): beside it, hidden."""
    return output.with_name(f".{output.name}.checked-stories.json")


def search_cache(output: Path) -> Path:
    """Where the search index's shard bundles are kept for the next build into ``output``
    (``search_shards``): beside it, hidden, deleted by ``make clean``."""
    return output.with_name(f".{output.name}.search-shards")


def publish(new: Path, output: Path) -> None:
    """Put the finished site ``new`` at ``output`` (same folder), the old site, if any, going to a
    detached process that clears it into the spare (``spare_tree``), which the build does not
    wait for.

    ``output`` is at every instant the old site or the new one: the two are exchanged in one
    step. Where the system cannot exchange folders, two renames with Ctrl-C held off between them;
    a build killed there leaves ``.output.old-<id>`` and ``.output.new-<id>``, and the next build
    finishes the publish (:func:`finish_publish`)."""
    if not os.path.lexists(output):
        new.rename(output)
        return
    if exchange(new, output):
        stop_if_asked("publish")
        retire_in_background(new, output)  # ``new`` holds the old site now
        return
    old = _old_name(new, output)
    with _signals_held():
        output.rename(old)
        stop_if_asked("publish")
        new.rename(output)
    retire_in_background(old, output)


def finish_publish(output: Path) -> None:
    """Finish the publish a build killed between its two renames left half done (:func:`publish`):
    its new site goes to ``output`` (it was complete), or, if it is gone, the old site back."""
    if os.path.lexists(output):
        return
    for old in sorted(output.parent.glob(f".{output.name}.old-*")):
        new = output.with_name(f".{output.name}.new-{old.name.partition('.old-')[2]}")
        if new.is_dir():
            new.rename(output)
            retire_in_background(old, output)
            print(f"[build] {output}: published the site a killed build had finished", file=sys.stderr)
        else:
            old.rename(output)
            print(f"[build] {output}: put back the site a killed build had moved away", file=sys.stderr)
        return


def _old_name(new: Path, output: Path) -> Path:
    return output.with_name(f".{output.name}.old-{new.name.partition('.new-')[2]}")


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Exchange the names ``a`` and ``b`` (both existing, on one filesystem) in one step; False,
    and nothing done, where the system or the filesystem cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


@functools.cache
def _renameat2():
    """C library's ``renameat2`` (glibc 2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        function.restype = ctypes.c_int
    return function


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held off (delivered after the block)."""
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def lock_file(output: Path) -> Path:
    """The file builds into ``output`` lock (:func:`build_lock`): beside it, hidden."""
    return output.with_name(f".{output.name}.lock")


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """Hold ``.output.lock`` beside ``output`` for the block: a second build of the same output
    waits (saying so, and which process it waits for) until the first one ends."""
    fd = os.open(lock_file(output), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 40, 0).decode("ascii", "replace").strip() or "?"
            print(
                f"[build] another build of {output} is running (process {holder}); waiting for it to end",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def leftovers(output: Path) -> list[Path]:
    """What builds leave beside ``output`` while they run: their new sites, replaced sites,
    search shards (and the search shards of older versions of this module) and cache trash."""
    parent, name = output.parent, output.name
    found = [
        path
        for pattern in (f".{name}.new-*", f".{name}.old-*", f".{name}.shards-*", ".pagefind-shards-*")
        for path in parent.glob(pattern)
    ]
    return sorted(found + list(search_cache(output).glob(".trash-*")))


def remove_leftovers(output: Path) -> None:
    """Remove (in a detached process) what killed builds left beside ``output``: each of
    :func:`leftovers` that no live process holds (a detached process clearing or deleting a
    folder holds its lock: ``spare_tree.claim``). Call holding :func:`build_lock`."""
    for path in leftovers(output):
        if path.is_dir() and not path.is_symlink():
            fd = claim(path)
            if fd is not None:
                start_detached(["rm", "-rf", "--", str(path)], fd)


def remove_in_background(path: Path) -> None:
    """``rm -rf path`` in a detached process (holding ``path``'s lock): the build does not wait for it."""
    start_detached(["rm", "-rf", "--", str(path)], path)


def umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def build(content: Path, settings: Path, output: Path, quiet: bool = False, search: bool = True) -> int:
    """Build ``content`` with Pelican's ``settings`` (and, with ``search``, the Pagefind index) and
    publish it at ``output``: 0 once published; 1, with the reasons printed and ``output`` left as
    it was, if the content has problems or a step fails. Waits for another build of ``output``.
    ``OSError`` and ``KeyboardInterrupt`` propagate, ``output`` still a complete site (:func:`main`
    reports them in one line)."""
    shard_pages = shard_size()  # a bad setting stops the build before Pelican runs
    if search and (problem := pagefind_version_problem()):
        print(f"build stopped: {problem}; output/ left unchanged", file=sys.stderr)
        return 1
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(output):
        finish_publish(output)
        remove_leftovers(output)
        return _build(content, settings, output, quiet, search, shard_pages)


def _build(content: Path, settings: Path, output: Path, quiet: bool, search: bool, shard_pages: int) -> int:
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    published = False
    try:
        folders = take_spare(output, tmp)  # the folders of an earlier output, if one is spare
        os.chmod(tmp, 0o777 & ~umask())  # as Pelican makes folders (mkdtemp makes it 0700)
        pelican = [
            sys.executable,
            "-m",
            "newsarchive.site.run_pelican",
            str(content),
            "-s",
            str(settings),
            "-o",
            str(tmp),
        ]
        pelican += ["--fatal", "errors"] + (["-q"] if quiet else [])
        # Pelican starts at once, into the temporary directory; the content is validated
        # meanwhile on the other core, and a problem stops Pelican before anything is replaced.
        # ARCHIVE_OUTPUT: pages unchanged since the build in output/ are linked from it, not
        # rendered (plugins/archive_core/incremental_writing.py)
        step = start_step("pelican", pelican, quiet, {"ARCHIVE_OUTPUT": str(output)})
        try:
            problems, story_count = check_content(content, check_record(output))
        except BaseException:
            stop_step(step)
            raise
        if problems:
            stop_step(step)
            for problem in problems:
                print(problem, file=sys.stderr)
            print(f"build stopped: {len(problems)} problem(s) in {content}; output/ left unchanged", file=sys.stderr)
            return 1
        if not finish_step("pelican", step, quiet):
            if disk_full(tmp):
                print(f"build failed: no space left on device in {tmp.parent}; output/ left unchanged", file=sys.stderr)
            return 1
        # the spare's folders this build left empty go, in a forked child while search indexes
        pruning = ForkedCall(remove_empty, tmp, folders) if folders else None
        scratch = f".{output.name}.shards-"
        indexed = not search or index_site(tmp, quiet, shard_pages, search_cache(output), scratch_prefix=scratch)
        if pruning is not None:
            pruning.result()
        if not indexed:
            return 1
        publish(tmp, output)
        published = True
    finally:
        if not published:
            shutil.rmtree(tmp, ignore_errors=True)
    if not quiet:
        print(f"[build] {story_count} stories published to {output}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="archive build",
        description="Build the site into output/ safely: nothing is replaced unless every step succeeds.",
        epilog="Example: archive build --settings publishconf.py",
    )
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--settings", type=Path, default=Path("pelicanconf.py"))
    parser.add_argument("--output", type=Path, default=Path("output"))
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        return build(args.content, args.settings, args.output, args.quiet, not args.no_search)
    except OSError as error:  # a full disk, a folder it may not write: one line, no traceback
        where = args.output.resolve().parent
        print(f"build failed: {describe_os_error(error, where)}; output/ left unchanged", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build interrupted; output/ is the site of the last finished build", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
