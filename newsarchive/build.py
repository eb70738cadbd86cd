"""``archive build`` / ``make html``: validate content, run Pelican and Pagefind into a
temporary directory, and only then replace ``output/``.

A failed build prints ``path:line: message`` lines, exits non-zero and leaves the previous
``output/`` exactly as it was. Pelican and Pagefind run as subprocesses, so this module
does not import Pelican.
"""

from __future__ import annotations

import argparse
import functools
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

from .content_loader import check_content
from .forked_call import ForkedCall, map_in_two
from .pagefind_output import merge_bundles
from .progress import stage
from .search_shards import (
    TARGET_BYTES,
    BundleCache,
    IndexedPage,
    PageRecord,
    indexed_page,
    plan_shards,
    shard_key,
    tool_key,
)
from .spare_tree import remove_empty, retire_in_background, start_detached, take_spare

# Pagefind reads only the page kinds it indexes (docs/SEARCH.md): listings, comparison pages and
# the quotation pages (their quotations are hits on the speaker's page) carry no
# data-pagefind-body, and parsing them cost memory and time.
INDEXED_DIRS = ("stories", "events", "people", "organizations", "wire", "quotes/unattributed")

# Pagefind holds every page it reads until it writes the index: about 390 KB per page, 3.9 GB
# for the 12,736 pages of the 10,000-story benchmark. The build runs it on shards of at most this
# many pages and merges their bundles into one (pagefind_output); a shard of 2,000 pages peaked
# at 640-870 MB on the benchmark. ARCHIVE_SEARCH_SHARD_PAGES in the environment overrides it
# (the tests use small shards).
SHARD_PAGES = 2000
# Pagefind keeps about 1.4 of this machine's 2 cores busy on one shard, so two shards are
# indexed at a time.
SHARDS_AT_ONCE = 2

# Pagefind cuts its word index into chunks of about this many word positions (its default is
# 20,000; 1.5.2 reads the setting only from this environment variable). A search fetches the
# chunk holding each query word, so smaller chunks mean fewer bytes per first query, paid for
# by a longer chunk list in the metadata file every query fetches. Measured on the 10,000-story
# benchmark index (docs/SEARCH.md): chunk plus metadata growth per query word, median
# 41 KB at 20,000, 30 KB at 10,000, 25 KB at 5,000, 32 KB at 2,000.
PAGEFIND_ENV = {"PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": "5000"}
CHUNK_SIZE = int(PAGEFIND_ENV["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"])  # the merge chunks the same way

# Every indexed page carries this sort (theme; tested). The merge puts each page's place in it
# into the page's fragment name instead of writing the sort into the metadata every query loads
# (28 KB at 10,000 stories), and the search page sorts by those names.
SEARCH_ORDER = "date"


def pagefind_command(site: Path) -> list[str]:
    """Pagefind over every page under ``site``, writing ``site/pagefind/`` (run with PAGEFIND_ENV)."""
    return [*pagefind_executable(), "--site", str(site), "--silent"]


@functools.cache
def pagefind_executable() -> tuple[str, ...]:
    """Pagefind's binary from ``pagefind[bin]``, run directly: ``python -m pagefind`` starts
    Python first, 80 ms more per run (the 10,000-story benchmark index has 94 shards)."""
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

    With READ_IN_TWO_FROM pages or more to read, a forked child reads every other one: after a
    cold build at 10,000 stories, reading and hashing the 615 MB took about 4 s, while nothing
    else ran."""
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
    ``Path`` sorts them, part by part): ``os.walk`` lists the 12,740 of the 10,000-story
    benchmark in 0.3 s, ``Path.rglob`` and sorting ``Path`` objects took 0.9 s."""
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
    site: Path, quiet: bool, shard_pages: int = SHARD_PAGES, cache: Path | None = None, target_bytes: int = TARGET_BYTES
) -> bool:
    """Write ``site/pagefind/``: Pagefind over the indexed pages, in shards of at most
    ``shard_pages`` pages (each a tree of hard links beside ``site``), merged into one bundle.
    False, with the reason printed, if a run or the merge failed.

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
    work = Path(tempfile.mkdtemp(prefix=".pagefind-shards-", dir=site.parent))
    done = False
    try:
        done = _index_shards(site, shards, work, quiet, BundleCache(cache) if cache else None)
        if done and record is not None:
            record.save()
        return done
    finally:
        if done:  # the shards' trees, about 13,000 files at 10,000 stories
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
    running: dict[int, tuple[str, subprocess.Popen, threading.Thread]] = {}
    ended: queue.SimpleQueue = queue.SimpleQueue()  # (shard, its output), as each run ends
    with stage("search: pagefind"):
        if cache and not quiet:
            print(f"[build] search: {len(shards) - len(todo)} of {len(shards)} shards unchanged", file=sys.stderr)
        for count, n in enumerate(todo, 1):
            root = work / str(n + 1)
            link_pages(site, [page.path for page in shards[n]], root)
            name = "pagefind" if len(shards) == 1 else f"pagefind, shard {n + 1} of {len(shards)}"
            step = start_step(name, pagefind_command(root), quiet, PAGEFIND_ENV)
            # a thread per run reads its output, so the next run starts as soon as any run ends
            # (waiting for the oldest left a core idle behind a small shard)
            reader = threading.Thread(target=lambda n=n, step=step: ended.put((n, step.communicate())))
            reader.start()
            running[n] = (name, step, reader)
            bundles[n] = root / "pagefind"
            while running and (len(running) == SHARDS_AT_ONCE or count == len(todo)):
                finished, (out, err) = ended.get()
                name, step, reader = running.pop(finished)
                reader.join()  # no thread may be left when the merge forks
                if not step_succeeded(name, step, out, err, quiet):
                    for _, other, _ in running.values():
                        other.kill()
                    for _, _, other_reader in running.values():
                        other_reader.join()
                    return False
                if cache:
                    bundles[finished] = cache.put(keys[finished], bundles[finished])
    with stage("search: merging shards"):
        try:
            merge_bundles(bundles, work / "merged", CHUNK_SIZE, name_order=SEARCH_ORDER)
        except ValueError as error:
            print(
                f"build failed: the search index could not be merged: {error}; output/ left unchanged", file=sys.stderr
            )
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
    elif quiet:  # stage timings (NEWSARCHIVE_TIMINGS=1) are asked for explicitly: pass them on
        sys.stderr.writelines(line for line in err.splitlines(keepends=True) if line.startswith(("stage ", "reuse ")))
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
    into ``output`` (:func:`~newsarchive.content_loader.check_content`): beside it, hidden."""
    return output.with_name(f".{output.name}.checked-stories.json")


def search_cache(output: Path) -> Path:
    """Where the search index's shard bundles are kept for the next build into ``output``
    (``search_shards``): beside it, hidden, deleted by ``make clean``."""
    return output.with_name(f".{output.name}.search-shards")


def swap_into_place(new: Path, output: Path) -> None:
    """Replace ``output`` by ``new`` with two renames on the same filesystem.

    A detached process then deletes the previous site's files and keeps its folders for the next
    build to write into (``spare_tree``): at 10,000 stories about 77,000 files, deleted in 1.0 s
    on the benchmark's machine, which the build does not wait for.
    """
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{new.name}")
        output.rename(old)
    new.rename(output)
    if old is not None:
        retire_in_background(old, output)


def remove_in_background(path: Path) -> None:
    """``rm -rf path`` in a detached process: the build does not wait for it."""
    start_detached(["rm", "-rf", "--", str(path)])


def build(content: Path, settings: Path, output: Path, quiet: bool = False, search: bool = True) -> int:
    shard_pages = shard_size()  # a bad setting stops the build before Pelican runs
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        folders = take_spare(output, tmp)  # the folders of an earlier output, if one is spare
        pelican = [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(tmp)]
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
            return 1
        # the spare's folders this build left empty go, in a forked child while search indexes
        pruning = ForkedCall(remove_empty, tmp, folders) if folders else None
        indexed = not search or index_site(tmp, quiet, shard_pages, search_cache(output))
        if pruning is not None:
            pruning.result()
        if not indexed:
            return 1
        swap_into_place(tmp, output)
    finally:
        if tmp.exists():
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
    return build(args.content, args.settings, args.output, args.quiet, not args.no_search)


if __name__ == "__main__":
    sys.exit(main())
