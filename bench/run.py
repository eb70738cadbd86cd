"""``make bench``: build cost of the archive against vanilla Pelican on synthetic archives.

For each size N (default 1,000 and 10,000) this writes a synthetic archive (``bench.corpus``) under
``--out`` and measures, on this machine, in one run:

* vanilla Pelican (same version, no plugins, default theme: ``bench/vanilla/pelicanconf.py``) on the
  same story files;
* the full build, ``python -m newsarchive.site.build --content ... --output ... -q``, run in a copy of the
  project's settings, theme, plugins and package next to the corpus (so each corpus has its own
  Pelican content cache), from a cold cache;
* a one-story incremental rebuild (one new story added, cache warm);
* the Pagefind index size and the bytes a browser fetches for a first query (Debian's Chromium via
  Playwright against the output served on 127.0.0.1).

Wall time and peak RSS come from ``os.wait4`` (the same rusage ``/usr/bin/time -v`` prints: the
largest single process of the tree) and from sampling ``/proc`` (the sum over every process of the
tree alive at once: RSS every 100 ms, PSS every second, see :func:`_pss`). Stage times come from the same sampling (how long the Pelican and
Pagefind subprocesses lived) and, when the build prints them, from ``stage NAME took X s`` lines
(``NEWSARCHIVE_TIMINGS=1`` is set for every build).

Writes ``<out>/report.json``, ``<out>/report.md`` and a plot; ``--write BENCHMARKS.md`` writes the
markdown there too.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import functools
import gzip
import http.server
import importlib.metadata
import io
import json
import math
import os
import platform
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from newsarchive.site import spare_tree
from newsarchive.site.build import check_record, search_cache

from . import corpus

ROOT = Path(__file__).resolve().parent.parent
VANILLA_SETTINGS = Path(__file__).resolve().parent / "vanilla" / "pelicanconf.py"
PROJECT_FILES = ("pelicanconf.py", "publishconf.py")
PROJECT_DIRS = ("theme", "plugins", "newsarchive")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SAMPLE_EVERY = 0.1  # process table and RSS (cheap: /proc/<pid>/stat and statm)
PSS_EVERY = 1.0  # PSS: reading smaps_rollup walks a process's page tables, 17 ms for 1 GB
STAGE_LINE = re.compile(r"^stage (?P<name>.+?) took (?P<secs>[0-9.]+) ?s\s*$", re.M)
REUSE_LINE = re.compile(r"^reuse (?P<name>.+?): (?P<kept>[0-9]+) kept, (?P<computed>[0-9]+) computed\s*$", re.M)
MB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
GOALS = {
    "ratio": 2.0,  # full build / vanilla at the largest size
    "exponent": 1.1,  # full build time scaling between the two largest sizes
    "rss_mb": 1024,  # peak RSS of the build's process tree
    "incremental_pct": 25,  # one-story rebuild / cold build, in percent
    "query_kb": 300,  # bytes fetched for a first search query
}


# -- measuring a command ------------------------------------------------------------------------------------------


def _process_table() -> dict[int, int]:
    """pid -> parent pid for every process visible in /proc."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            table[int(entry.name)] = int(stat.rpartition(b")")[2].split()[1])
    return table


def _rss(pid: int) -> int:
    """A process's resident set size, from ``/proc/<pid>/statm`` (cheap to read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """A process's PSS (proportional set size): each page shared by several processes (a forked
    child shares most of its parent's) is divided among them, so summed over a process tree
    every page counts once, where summed RSS counts a shared page once per process.

    Reading ``smaps_rollup`` makes the kernel walk the process's page tables: 17 ms for a 1 GB
    process, measured. Read ten times a second for every process of the tree, it made the
    one-story rebuild it measured take 63.6-85.4 s instead of 45.1 s, so it is read every
    ``PSS_EVERY`` seconds only."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _cpu_times() -> list[int]:
    """The machine's CPU time so far (the ``cpu`` line of /proc/stat, in clock ticks); the 8th
    value is *steal*, time a virtual machine's CPUs waited for the host."""
    try:
        with open("/proc/stat") as f:
            return [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return []


def steal_percent(before: list[int], after: list[int]) -> float | None:
    """Of the CPU time between two ``_cpu_times()``, the share stolen by the host, in percent."""
    if len(before) < 8 or len(after) < 8:
        return None
    total = sum(after) - sum(before)
    return round(100 * (after[7] - before[7]) / total, 1) if total > 0 else None


def _stage_of(pid: int, root: int) -> str:
    """Which stage a process of the tree is: the driver, pelican, pagefind (or its binary)."""
    if pid == root:
        return "driver"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().decode(errors="replace").split("\0")
    except OSError:
        return "other"
    text = " ".join(args)
    # Pagefind's Python wrapper or its binary; not any process naming a ".pagefind-shards-" path
    # (the build deletes the shards' trees with a detached "rm -rf" as it finishes)
    if "-m pagefind" in text or os.path.basename(args[0]).startswith("pagefind"):
        return "pagefind"
    if "pelican" in text:
        return "pelican"
    return "other"


class TreeSampler(threading.Thread):
    """Samples the process tree under ``root``: the peaks of its summed RSS and PSS and when each stage's processes
    lived."""

    def __init__(self, root: int, start: float):
        super().__init__(daemon=True)
        self.root, self.start_time = root, start
        self.peak = self.peak_pss = 0
        self.pss_at = -PSS_EVERY  # when PSS was last read
        self.spans: dict[str, list[float]] = {}
        self.kinds: dict[int, str] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_EVERY)

    def sample(self) -> None:
        table = _process_table()
        tree, frontier = {self.root}, [self.root]
        while frontier:
            parent = frontier.pop()
            for pid, ppid in table.items():
                if ppid == parent and pid not in tree:
                    tree.add(pid)
                    frontier.append(pid)
        now = time.perf_counter() - self.start_time
        if now - self.pss_at >= PSS_EVERY:  # before RSS, which it cannot exceed
            self.pss_at = now
            self.peak_pss = max(self.peak_pss, sum(map(_pss, tree)))
        self.peak = max(self.peak, sum(map(_rss, tree)))
        for pid in tree:
            # a process seen between fork and exec still shows its parent's command line: look
            # again until it is something other than "other"
            if self.kinds.get(pid, "other") == "other":
                self.kinds[pid] = _stage_of(pid, self.root)
            span = self.spans.setdefault(self.kinds[pid], [now, now])
            span[1] = now


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Run ``cmd``; wall time, peak RSS (largest process and sampled tree sum), stage spans, stderr."""
    with tempfile.TemporaryFile() as err:
        cpu_before = _cpu_times()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeSampler(proc.pid, start)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        steal = steal_percent(cpu_before, _cpu_times())
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    stages = _stages(sampler.spans, wall)
    reported: dict[str, float] = {}
    for m in STAGE_LINE.finditer(stderr):
        reported[m["name"]] = round(reported.get(m["name"], 0.0) + float(m["secs"]), 3)
    reuse = {m["name"]: [int(m["kept"]), int(m["computed"])] for m in REUSE_LINE.finditer(stderr)}
    return {
        "returncode": proc.returncode,
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
        "tree_peak_rss_mb": round(sampler.peak / MB, 1),
        "tree_peak_pss_mb": round(sampler.peak_pss / MB, 1),
        "steal_pct": steal,
        "stages": stages,
        "reported_stages": reported,
        "reuse": reuse,  # an analysis memo's [kept, computed] (``reuse NAME: K kept, C computed``)
        "stderr_tail": stderr[-2000:] if proc.returncode else "",
    }


def _stages(spans: dict[str, list[float]], wall: float) -> dict[str, float]:
    """Stage durations from when each kind of process was first and last seen (resolution ~100 ms)."""
    stages = {}
    pelican, pagefind = spans.get("pelican"), spans.get("pagefind")
    if pelican:
        stages["validate"] = pelican[0]
        stages["pelican"] = pelican[1] - pelican[0]
    if pagefind:
        stages["pagefind"] = pagefind[1] - pagefind[0]
    last = (pagefind or pelican or [0, 0])[1]
    if pelican:
        stages["finish"] = max(wall - last, 0.0)
    return {name: round(max(secs, 0.0), 3) for name, secs in stages.items()}


# -- one size -----------------------------------------------------------------------------------------------------


def prepare_project(dest: Path, source: Path = ROOT) -> Path:
    """A copy of ``source``'s build inputs at ``dest`` (an empty ``content/``), like tests' copy_project."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(source / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.rmtree(dest / name, ignore_errors=True)
        shutil.copytree(source / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(dest / "content", ignore_errors=True)
    shutil.rmtree(dest / "cache", ignore_errors=True)
    return dest


LARGEST_SHOWN = 3


def html_pages(directory: Path) -> dict:
    """The HTML pages under ``directory``: how many, their bytes, and the LARGEST_SHOWN largest
    (path relative to it, bytes): listing pages grow with the archive while story pages do not."""
    sizes = []
    for root, _dirs, files in os.walk(directory):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(root, name)
                sizes.append((os.path.getsize(path), os.path.relpath(path, directory)))
    largest = sorted(sizes, key=lambda t: (-t[0], t[1]))[:LARGEST_SHOWN]
    return {
        "pages": len(sizes),
        "html_bytes": sum(size for size, _ in sizes),
        "largest": [[path, size] for size, path in largest],
    }


def dir_size(directory: Path) -> tuple[int, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def build_env() -> dict[str, str]:
    return dict(os.environ, SITEURL="", NEWSARCHIVE_TIMINGS="1")


def run_vanilla(content: Path, output: Path) -> dict:
    shutil.rmtree(output, ignore_errors=True)
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(VANILLA_SETTINGS), "-o", str(output), "-q"]
    result = measure(cmd, output.parent, build_env())
    result.update(html_pages(output) if output.exists() else {"pages": 0})
    return result


def build_module(project: Path) -> str:
    """The build driver's module in ``project`` (checkouts from before the package's subfolders
    had it at ``newsarchive/build.py``), so that older code can be measured side by side."""
    return "newsarchive.site.build" if (project / "newsarchive" / "site" / "build.py").exists() else "newsarchive.build"


def run_full(project: Path, output: Path) -> dict:
    cmd = [sys.executable, "-m", build_module(project), "--content", "content", "--output", str(output), "-q"]
    result = measure(cmd, project, build_env())
    result.update(html_pages(output) if output.exists() else {"pages": 0})
    return result


def bench_size(
    n: int, seed: int, out: Path, vanilla: bool, browser: bool, query: str, source: Path = ROOT, repeats: int = 1
) -> dict:
    """Measure size ``n``: ``repeats`` rounds of vanilla then the cold full build, then
    ``repeats`` one-story rebuilds, each adding the same new story (and a build taking it out
    again, not measured: ``restore``). Each kind's fastest run counts (``fastest``): the host's
    noise only ever adds time. Every run is kept in ``row["runs"]``."""
    work = out / f"n{n}"
    project = prepare_project(work / "project", source)
    started = time.perf_counter()
    made = corpus.Corpus(n, seed)
    info = made.write(project / "content")
    row: dict = {
        "n": n,
        "corpus": {
            "stories": n,
            "seed": seed,
            "wire_clusters": len(info.clusters),
            "stories_in_clusters": sum(len(v) for v in info.clusters.values()),
            "events": len(info.events),
            "comments": info.comments,
            "bytes": sum(p.stat().st_size for p in info.files),
            "generate_s": round(time.perf_counter() - started, 2),
        },
        "runs": {"vanilla": [], "full": [], "incremental": [], "restore": []},
    }
    runs = row["runs"]
    say(f"N={n}: corpus written ({row['corpus']['bytes'] / MB:.1f} MB)")
    output = work / "output"
    for round_ in range(1, repeats + 1):
        if vanilla:
            settle(work)
            runs["vanilla"].append(run_vanilla(project / "content", work / "vanilla-output"))
            say(f"N={n}: vanilla {runs['vanilla'][-1]['wall_s']} s (round {round_} of {repeats})")
        make_cold(project, output)
        settle(work)
        runs["full"].append(run_full(project, output))
        say(f"N={n}: full build {runs['full'][-1]['wall_s']} s (round {round_} of {repeats})")
        if runs["full"][-1]["returncode"] != 0:
            say(f"N={n}: full build failed:\n{runs['full'][-1]['stderr_tail']}")
            row["full"] = runs["full"][-1]
            return row
    # the same story each time, so that the runs differ only by the machine's noise (stories
    # differ in the pages they touch: three different ones took 37.9, 47.3 and 56.0 s)
    slug, text = made.story(n)
    extra = project / "content" / "stories" / f"{slug}.md"
    try:
        for count in range(1, repeats + 1):
            extra.write_text(text, encoding="utf-8")
            settle(work)
            runs["incremental"].append(run_full(project, output))
            say(f"N={n}: one-story rebuild {runs['incremental'][-1]['wall_s']} s ({count} of {repeats})")
            if runs["incremental"][-1]["returncode"] != 0:
                say(f"N={n}: one-story rebuild failed:\n{runs['incremental'][-1]['stderr_tail']}")
                break
            extra.unlink()
            settle(work)  # the story taken out again: back to the N stories, not measured
            runs["restore"].append(run_full(project, output))
            if runs["restore"][-1]["returncode"] != 0:
                say(f"N={n}: the build taking the story out failed:\n{runs['restore'][-1]['stderr_tail']}")
                break
    finally:
        extra.unlink(missing_ok=True)
    for kind, measured in runs.items():
        if measured:
            row[kind] = fastest(measured)
    size, files = dir_size(output / "pagefind") if (output / "pagefind").exists() else (0, 0)
    row["pagefind_index"] = {"bytes": size, "files": files}
    if browser:
        words = [query] + [w for w in [most_quoted_surname(output)] if w and w != query]
        row["first_queries"] = first_queries(output, words)
        row["first_query"] = max(row["first_queries"], key=lambda q: q.get("bytes", -1))  # the worst counts
    else:
        row["first_query"] = {"skipped": True}
    if vanilla and row["vanilla"]["wall_s"]:
        row["ratio"] = round(row["full"]["wall_s"] / row["vanilla"]["wall_s"], 2)
    row["incremental_ratio"] = round(row["incremental"]["wall_s"] / row["full"]["wall_s"], 3)
    row["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    return row


MEMORY_KEYS = ("peak_rss_mb", "tree_peak_rss_mb", "tree_peak_pss_mb")


def fastest(runs: list[dict]) -> dict:
    """The run that counts among repeats of one measurement: a failed one if any failed, else the
    fastest, with the largest memory peaks of them all (memory is not noise to be filtered)."""
    best = dict(min(runs, key=lambda run: (run["returncode"] == 0, run["wall_s"])))
    for key in MEMORY_KEYS:
        best[key] = max(run.get(key, 0.0) for run in runs)
    best["repeats"] = len(runs)
    return best


def make_cold(project: Path, output: Path) -> None:
    """Remove what a full build keeps for the next one: the output, the spare folders of the
    one before it, the search shards, the content check's record and Pelican's cache (with the
    analysis memos)."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(spare_tree.spare_path(output), ignore_errors=True)
    shutil.rmtree(search_cache(output), ignore_errors=True)
    check_record(output).unlink(missing_ok=True)
    shutil.rmtree(project / "cache", ignore_errors=True)


def detached_removals(under: Path, proc: str = "/proc") -> list[int]:
    """Processes ``rm -rf -- PATH`` and ``python .../spare_tree.py PATH SPARE`` with PATH under
    ``under``: what a build left deleting in the background (``remove_in_background`` and
    ``retire_in_background`` in ``newsarchive``). ``proc``: where the process table is."""
    found = []
    prefix = str(under.resolve()) + os.sep
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "cmdline"), "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        removing = args[3:4] if args[:3] == ["rm", "-rf", "--"] else []
        if len(args) > 2 and os.path.basename(args[1]) == os.path.basename(spare_tree.__file__):
            removing = args[2:3]
        if removing and removing[0].startswith(prefix):
            found.append(int(entry.name))
    return found


def settle(work: Path) -> None:
    """Let what the previous run left going under ``work`` end before the next is measured: its
    detached deletions, and its writes, flushed to disk (``sync``). A cold build leaves about
    1.5 GB of pages the kernel writes out over the next half minute; four one-story rebuilds by
    hand took 41.3 and 37.7 s started at once, 39.6 and 36.7 s after a ``sync``."""
    wait_for_removals(work)
    os.sync()


def wait_for_removals(under: Path, timeout: float = 600.0) -> None:
    """Wait until no ``detached_removals`` run under ``under``: deleting the previous build's
    75,000 files takes about 48 s at 10,000 stories, and a run measured meanwhile shares the
    disk and a core with it."""
    deadline = time.monotonic() + timeout
    quiet = 0  # checks in a row that found none: a process just started reads an empty command line
    while quiet < 2 and time.monotonic() < deadline:
        quiet = 0 if detached_removals(under) else quiet + 1
        time.sleep(0.2 if quiet else 0.5)


def warm_up(out: Path, seed: int, vanilla: bool, source: Path = ROOT) -> None:
    """One untimed tiny build of each kind, so the first measured size does not pay for cold disk caches and
    bytecode compilation."""
    work = out / "warm-up"
    project = prepare_project(work / "project", source)
    corpus.generate(project / "content", 5, seed)
    if vanilla:
        run_vanilla(project / "content", work / "vanilla-output")
    run_full(project, work / "output")
    shutil.rmtree(work, ignore_errors=True)


# -- the first search query ---------------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


SEARCH_JS = """async (word) => {
  const pagefind = await import("/pagefind/pagefind.js");
  const search = await pagefind.search(word);
  const shown = await Promise.all(search.results.slice(0, 5).map((r) => r.data()));
  return {results: search.results.length, shown: shown.length};
}"""


def most_quoted_surname(output: Path) -> str | None:
    """A typical query: the last name of the person quoted most often (from ``archive.json``)."""
    try:
        data = json.loads((output / "archive.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    counts: dict[str, int] = {}
    for quote in data.get("quotes", []):
        if quote.get("speaker"):
            counts[quote["speaker"]] = counts.get(quote["speaker"], 0) + 1
    names = {p["slug"]: p["name"] for p in data.get("people", [])}
    best = min(counts, key=lambda slug: (-counts[slug], slug), default=None)
    return names.get(best, "").split()[-1] if best in names else None


GZIP_TYPES = (".html", ".css", ".js", ".json", ".svg", ".xml", "/")


def gzip_size(output: Path, url: str, size: int) -> int:
    """What a host that gzips text (GitHub Pages does) would send for ``url``; Pagefind's index
    files and WebAssembly are gzip already and count as they are."""
    if not urlparse(url).path.endswith(GZIP_TYPES):
        return size
    file = served_file(output, url)
    try:
        data = file.read_bytes()
    except OSError:
        return size
    if not size or data[:2] == b"\x1f\x8b":  # nothing transferred, or gzip already
        return size
    return min(size, len(gzip.compress(data, 6, mtime=0)))  # a host sends tiny files as they are


def served_file(output: Path, url: str) -> Path:
    """The file under ``output`` that the test server sends for ``url``."""
    path = urlparse(url).path
    file = output / path.lstrip("/")
    return file / "index.html" if path.endswith("/") else file


def body_size(output: Path, request) -> int:
    """Bytes of one response body. Chromium reports 0 for a worker's own script
    (``pagefind-worker.js``, 41 KB), though it was sent: a 200 response reported empty counts
    as the file served."""
    size = request.sizes()["responseBodySize"]
    response = request.response()
    if size == 0 and response is not None and response.status == 200:
        file = served_file(output, request.url)
        if file.is_file():
            return file.stat().st_size
    return size


def first_queries(output: Path, words: list[str]) -> list[dict]:
    """Bytes a fresh browser fetches to answer each query in ``words`` and show its first five
    results: one Chromium, a new context (an empty cache) a query.

    With a search page (``/search/``), it is loaded with ``?q=word``; otherwise the home page is
    loaded and Pagefind's JS API is called in it (only what that search fetches is counted).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        return [{"query": word, "error": f"playwright missing: {err}"} for word in words]
    handler = functools.partial(_Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return [_first_query(browser, base, output, word) for word in words]
            finally:
                browser.close()
    except Exception as err:  # a benchmark run reports a broken browser rather than dying
        return [{"query": word, "error": f"{type(err).__name__}: {err}"} for word in words]
    finally:
        server.shutdown()


def _first_query(browser, base: str, output: Path, word: str) -> dict:
    context = browser.new_context()
    try:
        page = context.new_page()
        requests = []
        page.on("requestfinished", lambda request: requests.append(request))
        result = {"query": word}
        if (output / "search" / "index.html").exists():
            result["method"] = "search page"
            page.goto(f"{base}/search/?q={word}", wait_until="networkidle")
            try:  # a large index takes a while to decode: wait for the results, not a fixed time
                page.wait_for_selector("#search-results li", timeout=30_000)
            except Exception:
                result["note"] = "no results shown within 30 s"
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
        else:
            result["method"] = "pagefind.js API on the home page"
            page.goto(f"{base}/", wait_until="networkidle")
            requests.clear()
            result.update(page.evaluate(SEARCH_JS, word))
            page.wait_for_load_state("networkidle")
        sizes = [(r.url, body_size(output, r)) for r in requests]
    finally:
        context.close()
    pagefind = [size for url, size in sizes if "/pagefind/" in url]
    result["fragments"] = sum(1 for url, _ in sizes if "/pagefind/fragment/" in url)
    result.update(
        requests=len(sizes),
        pagefind_requests=len(pagefind),
        bytes=sum(s for _, s in sizes),
        pagefind_bytes=sum(pagefind),
        bytes_gzip=sum(gzip_size(output, url, size) for url, size in sizes),
        files=[[urlparse(url).path, size] for url, size in sizes],
    )
    return result


# -- profile of the Pelican stage ----------------------------------------------------------------------------------


def profile_pelican(project: Path, top: int = 25) -> str:
    """cProfile of a cold Pelican run of ``project`` (all plugins); the top functions by cumulative time."""
    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "pelican.prof"
        shutil.rmtree(project / "cache", ignore_errors=True)
        cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "pelican", "content"]
        cmd += ["-s", "pelicanconf.py", "-o", str(Path(tmp) / "site"), "-q"]
        subprocess.run(cmd, cwd=project, env=build_env(), check=True, capture_output=True)
        text = io.StringIO()
        stats = pstats.Stats(str(prof), stream=text)
        stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    lines = text.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(line.rstrip() for line in lines[start:] if line.strip())


# -- the report ---------------------------------------------------------------------------------------------------


def machine() -> dict:
    mem = cpu = ""
    try:
        mem = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        mem = f"{int(mem.split()[1]) / MB:.1f} GiB"
        cpu = next(x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name"))
        cpu = cpu.split(":", 1)[1].strip()
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "nproc": os.cpu_count(),
        "memory": mem,
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pelican": importlib.metadata.version("pelican"),
        "pagefind": importlib.metadata.version("pagefind"),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
    }


def active_plugins(settings: Path) -> list[str]:
    for node in ast.parse(settings.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PLUGINS" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def exponent(rows: list[dict], key: str) -> float | None:
    """Scaling exponent of ``key``'s wall time between the two largest sizes: log(t_b/t_a) / log(N_b/N_a)."""
    points = [(r["n"], r[key]["wall_s"]) for r in rows if key in r and r[key].get("wall_s")]
    if len(points) < 2:
        return None
    (na, ta), (nb, tb) = sorted(points)[-2:]
    return round(math.log(tb / ta) / math.log(nb / na), 3)


def goals(report: dict) -> list[dict]:
    """Each goal, the value measured at the largest size, and whether it is met (None: not measured)."""
    rows = [r for r in report["sizes"] if "incremental" in r]
    if not rows:
        return []
    last = max(rows, key=lambda r: r["n"])
    at = f"N={last['n']:,}"
    query = last.get("first_query", {}).get("bytes")
    # the worst query as GitHub Pages (where CI deploys the site) sends it: text gzipped
    query_gzip = max((q["bytes_gzip"] for q in last.get("first_queries", []) if "bytes_gzip" in q), default=None)
    checks = [
        ("full build ≤ 2× vanilla Pelican", last.get("ratio"), GOALS["ratio"], "×"),
        ("scaling exponent ≤ 1.1", report["exponent"].get("full"), GOALS["exponent"], ""),
        # rusage's peak (what /usr/bin/time -v prints), and the sum over every process of the build
        ("peak RSS ≤ 1 GB (largest process)", last["full"]["peak_rss_mb"], GOALS["rss_mb"], " MB"),
        ("peak RSS ≤ 1 GB (tree sum)", last["full"]["tree_peak_rss_mb"], GOALS["rss_mb"], " MB"),
        # the same tree with each page shared by forked processes counted once
        ("peak memory ≤ 1 GB (tree sum of PSS)", last["full"].get("tree_peak_pss_mb"), GOALS["rss_mb"], " MB"),
        ("one-story rebuild ≤ 25% of cold", round(last["incremental_ratio"] * 100, 1), GOALS["incremental_pct"], "%"),
        (
            "first query ≤ 300 KB (all bytes, worst query)",
            None if query is None else round(query / 1024, 1),
            GOALS["query_kb"],
            " KB",
        ),
        (
            "first query ≤ 300 KB (as GitHub Pages sends it, gzip, worst query)",
            None if query_gzip is None else round(query_gzip / 1024, 1),
            GOALS["query_kb"],
            " KB",
        ),
    ]
    return [
        {
            "goal": name,
            "at": at,
            "value": value,
            "limit": limit,
            "unit": unit,
            "met": None if value is None else value <= limit,
        }
        for name, value, limit, unit in checks
    ]


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _each_run(row: dict, key: str, unit: str) -> str:
    """``vanilla 1.00 / 2.00 s, full ...``: ``key`` of each run of a size, kind by kind."""
    kinds = (("vanilla", "vanilla"), ("full", "full"), ("incremental", "rebuild"))
    runs = row["runs"]
    parts = [
        f"{label} " + " / ".join(_fmt(run.get(key)) for run in runs[kind]) + unit
        for kind, label in kinds
        if runs.get(kind)
    ]
    return ", ".join(parts) or "–"


def _fmt(value, unit: str = "") -> str:
    return "–" if value is None else f"{value:,}{unit}" if isinstance(value, int) else f"{value:,.2f}{unit}"


def render_markdown(report: dict, plot: str | None) -> str:
    m = report["machine"]
    out = [
        "# Benchmarks",
        "",
        f"Run on {report['date']} with `{report['command']}`; active plugins: "
        f"{', '.join(report['plugins']) or 'none'}"
        + (f" (settings, theme, plugins and package from `{report['source']}`)." if report.get("source") else "."),
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu'] or 'unknown CPU'}), {m['memory']} memory, {m['os']}; "
        f"Python {m['python']}, Pelican {m['pelican']}, Pagefind {m['pagefind']}. Load average (1/5/15 min) "
        f"before the run: {' / '.join(map(str, m.get('loadavg_before', [])))}; after each size: "
        + "; ".join(f"N={r['n']:,}: {' / '.join(map(str, r.get('loadavg_after', [])))}" for r in report["sizes"])
        + " (a load above the CPU count means other work shared the machine and the times are inflated). "
        "CPU time the host took from this virtual machine (steal) during each build (each kind's runs in the order run): "
        + "; ".join(f"N={r['n']:,}: {_each_run(r, 'steal_pct', '%')}" for r in report["sizes"])
        + ".",
        "",
        f"Each measurement ran {_times(report.get('repeats', 1))} per size: vanilla and the cold full build "
        "alternating, then as many one-story rebuilds, each adding the same new story (an unmeasured build takes it "
        "out again in between). Each run starts after the "
        "previous build's background deletions have ended and its writes reached the disk (`sync`). The tables show each kind's fastest run (the host's noise "
        "only adds time) and the largest memory peak of its runs. Every run's wall time: "
        + "; ".join(f"N={r['n']:,}: {_each_run(r, 'wall_s', ' s')}" for r in report["sizes"])
        + ".",
        "",
        "Vanilla = Pelican with no plugins and the default theme on the same story files "
        "(`bench/vanilla/pelicanconf.py`). Full = `python -m newsarchive.site.build -q` with the project's settings "
        "(all plugins, our theme, Pagefind), cold cache. Peak RSS: largest single process (rusage, as "
        "`/usr/bin/time -v`) / sum over the process tree sampled every 100 ms / the same sum of PSS (proportional "
        "set size: a page forked processes share counts once), sampled every second (reading it costs the "
        "build time: 17 ms per 1 GB process).",
        "",
        "| N | vanilla s | full s | full / vanilla | validate s | pelican s | pagefind s | one-story rebuild s "
        "(of cold) | vanilla RSS MB | full RSS MB (max / tree / tree PSS) | vanilla pages | full pages | index MB (files) "
        "| first query KB (requests) |",
        "|" + "---|" * 14,
    ]
    for r in report["sizes"]:
        van, full, inc = r.get("vanilla", {}), r.get("full", {}), r.get("incremental", {})
        st, q, idx = full.get("stages", {}), r.get("first_query", {}), r.get("pagefind_index", {})
        query = "–" if "bytes" not in q else f"{q['bytes'] / 1024:,.1f} ({q['requests']})"
        index = "–" if not idx else f"{idx['bytes'] / MB:,.1f} ({idx['files']:,})"
        rebuild = "–" if not inc else f"{inc['wall_s']:.2f} ({r['incremental_ratio']:.0%})"
        out.append(
            f"| {r['n']:,} | {_fmt(van.get('wall_s'))} | {_fmt(full.get('wall_s'))} | {_fmt(r.get('ratio'), '×')} "
            f"| {_fmt(st.get('validate'))} | {_fmt(st.get('pelican'))} | {_fmt(st.get('pagefind'))} | {rebuild} "
            f"| {_fmt(van.get('peak_rss_mb'))} | {_fmt(full.get('peak_rss_mb'))} / {_fmt(full.get('tree_peak_rss_mb'))} "
            f"/ {_fmt(full.get('tree_peak_pss_mb'))} "
            f"| {_fmt(van.get('pages'))} | {_fmt(full.get('pages'))} | {index} | {query} |"
        )
    exp = report["exponent"]
    out += [
        "",
        f"Scaling exponent (log(t_b/t_a)/log(N_b/N_a), two largest sizes): full {_fmt(exp.get('full'))}, "
        f"vanilla {_fmt(exp.get('vanilla'))}.",
    ]
    for r in report["sizes"]:
        van, full = r.get("vanilla", {}), r.get("full", {})
        if full.get("largest"):
            shown = ", ".join(f"`{path}` {size / MB:,.1f} MB" for path, size in full["largest"])
            vanilla = f"; vanilla's {van['html_bytes'] / MB:,.1f} MB" if van.get("html_bytes") else ""
            out += [
                "",
                f"HTML written at N={r['n']:,}: {full['html_bytes'] / MB:,.1f} MB{vanilla}. Largest pages of the full "
                f"build: {shown}.",
            ]
    runs = (("full", ""), ("incremental", " rebuild"))
    reported = {name for r in report["sizes"] for run, _ in runs for name in r.get(run, {}).get("reported_stages", {})}
    if reported:
        out += ["", "Stages reported by the build (`stage NAME took X s`, `NEWSARCHIVE_TIMINGS=1`), cold and in"]
        out += ["the one-story rebuild:", ""]
        out += ["| N | " + " | ".join(sorted(reported)) + " |", "|---|" + "---|" * len(reported)]
        for r in report["sizes"]:
            for run, label in runs:
                if rs := r.get(run, {}).get("reported_stages", {}):
                    cells = " | ".join(_fmt(rs.get(k)) for k in sorted(reported))
                    out.append(f"| {r['n']:,}{label} | {cells} |")
    if report["goals"]:
        out += ["", "## Goals", "", "| goal | measured | value | met |", "|---|---|---|---|"]
        for g in report["goals"]:
            met = "not measured" if g["met"] is None else "yes" if g["met"] else "**no**"
            out.append(f"| {g['goal']} | {g['at']} | {_fmt(g['value'], g['unit'])} | {met} |")
    for r in report["sizes"]:
        worst = r.get("first_query", {})
        for q in r.get("first_queries", [worst]):
            if not q.get("method"):
                continue
            out += [
                "",
                f"First query at N={r['n']:,}: `{q['query']}` via {q['method']}, {q['fragments']} result "
                f"fragments loaded; {q['bytes']:,} bytes in {q['requests']} requests, {q['pagefind_bytes']:,} "
                f"of them from /pagefind/ in {q['pagefind_requests']} requests; "
                f"{q.get('bytes_gzip', 0):,} bytes from a host that gzips text (GitHub Pages).",
            ]
        if worst.get("error"):
            out += ["", f"First query at N={r['n']:,} not measured: {worst['error']}"]
    if plot:
        out += ["", f"![time against N per stage]({plot})"]
    if report.get("profile"):
        out += [
            "",
            f"## Profile of the Pelican stage (cold, N={report['profile']['n']:,})",
            "",
            "```text",
            report["profile"]["text"],
            "```",
        ]
    return "\n".join(out) + "\n"


def render_svg(report: dict) -> str:
    """Time against N per stage, log–log, as a small hand-written SVG."""
    series: dict[str, list[tuple[int, float]]] = {}
    for r in report["sizes"]:
        if "vanilla" in r:
            series.setdefault("vanilla Pelican", []).append((r["n"], r["vanilla"]["wall_s"]))
        full = r.get("full", {})
        if full.get("wall_s"):
            series.setdefault("full build", []).append((r["n"], full["wall_s"]))
            for name, secs in {**full.get("stages", {}), **full.get("reported_stages", {})}.items():
                if secs > 0:
                    series.setdefault(name, []).append((r["n"], secs))
        if r.get("incremental"):
            series.setdefault("one-story rebuild", []).append((r["n"], r["incremental"]["wall_s"]))
    points = [p for s in series.values() for p in s]
    if not points:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n'
    w, h, left, right, top, bottom = 720, 420, 60, 180, 20, 40
    xs = [math.log10(n) for n, _ in points]
    ys = [math.log10(max(t, 0.01)) for _, t in points]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(n: float, t: float) -> tuple[float, float]:
        x = left + (math.log10(n) - x0) / (x1 - x0) * (w - left - right)
        y = h - bottom - (math.log10(max(t, 0.01)) - y0) / (y1 - y0) * (h - top - bottom)
        return round(x, 1), round(y, 1)

    colors = ["#1b6ca8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#7f8c8d", "#16a085", "#2c3e50", "#b7950b"]
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
    ]
    for e in range(x0, x1 + 1):
        x, _ = px(10**e, 1)
        svg.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{h - bottom}" stroke="#ddd"/>')
        svg.append(f'<text x="{x}" y="{h - bottom + 16}" text-anchor="middle">{10**e:,}</text>')
    for e in range(y0, y1 + 1):
        _, y = px(10**x0, 10**e)
        svg.append(f'<line x1="{left}" y1="{y}" x2="{w - right}" y2="{y}" stroke="#ddd"/>')
        svg.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{10**e:g} s</text>')
    svg.append(f'<text x="{(w - right + left) / 2}" y="{h - 6}" text-anchor="middle">stories (N)</text>')
    for k, (name, pts) in enumerate(series.items()):
        color = colors[k % len(colors)]
        coords = [px(n, t) for n, t in sorted(pts)]
        if len(coords) > 1:
            path = " ".join(f"{x},{y}" for x, y in coords)
            svg.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        svg += [f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"/>' for x, y in coords]
        ly = top + 16 * k + 8
        svg.append(
            f'<line x1="{w - right + 12}" y1="{ly}" x2="{w - right + 32}" y2="{ly}" stroke="{color}" stroke-width="2"/>'
        )
        svg.append(f'<text x="{w - right + 38}" y="{ly + 4}">{name}</text>')
    svg.append("</svg>")
    return "\n".join(svg) + "\n"


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated story counts (default 1000,10000)")
    parser.add_argument("--out", type=Path, default=Path("bench/out"), help="where corpora and outputs go")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="project checkout whose settings, theme, plugins and package are built",
    )
    parser.add_argument("--query", default="officials", help="the word searched for the first-query measurement")
    parser.add_argument(
        "--repeats",
        type=int,
        default=2,
        help="runs of each measurement per size, the fastest counting (default 2: vanilla and the cold build "
        "alternate, then as many one-story rebuilds of the same story)",
    )
    parser.add_argument("--skip-vanilla", action="store_true")
    parser.add_argument("--no-browser", action="store_true", help="skip the first-query measurement")
    parser.add_argument(
        "--no-warm-up",
        action="store_true",
        help="skip the untimed tiny builds before the first size (its times then include cold caches)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the Pelican stage at the largest size")
    parser.add_argument("--write", type=Path, help="also write the markdown report here (e.g. BENCHMARKS.md)")
    parser.add_argument(
        "--plot", type=Path, help="SVG plot path (default bench/plot.svg with --write, else <out>/plot.svg)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats: expected 1 or more")
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "plugins": active_plugins(args.source / "pelicanconf.py"),
        "source": "" if args.source.resolve() == ROOT else str(args.source.resolve()),
        "repeats": args.repeats,
        "sizes": [],
    }
    source = args.source.resolve()
    if not args.no_warm_up:
        warm_up(out, args.seed, not args.skip_vanilla, source)
    for n in sizes:
        report["sizes"].append(
            bench_size(n, args.seed, out, not args.skip_vanilla, not args.no_browser, args.query, source, args.repeats)
        )
    report["exponent"] = {key: exponent(report["sizes"], key) for key in ("full", "vanilla")}
    report["goals"] = goals(report)
    if args.profile and report["sizes"]:
        n = sizes[-1]
        say(f"N={n}: profiling the Pelican stage")
        report["profile"] = {"n": n, "text": profile_pelican(out / f"n{n}" / "project")}
    plot = args.plot or (Path("bench/plot.svg") if args.write else out / "plot.svg")
    plot.parent.mkdir(parents=True, exist_ok=True)
    plot.write_text(render_svg(report), encoding="utf-8")
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for target in [out / "report.md"] + ([args.write] if args.write else []):
        rel = os.path.relpath(plot.resolve(), target.resolve().parent)
        target.write_text(render_markdown(report, rel), encoding="utf-8")
    print(render_markdown(report, None))
    runs = ("vanilla", "full", "incremental", "restore")
    failed = [r["n"] for r in report["sizes"] if any(r.get(k, {}).get("returncode") for k in runs)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
