"""The benchmark harness keeps working: the synthetic corpus is valid and reproducible, and a tiny
``bench.run`` produces every field of the report. No timing is asserted here (see BENCHMARKS.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench import corpus
from bench import run as bench_run
from bench.run import TreeSampler, _stage_of, served_file
from newsarchive.formats.story_file import load_story
from newsarchive.site.build import PAGEFIND_ENV
from newsarchive.site.pagefind_output import read_pf

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> corpus.CorpusInfo:
    return corpus.generate(tmp_path_factory.mktemp("corpus") / "content", 150, seed=3)


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path, generated):
    again = corpus.generate(tmp_path / "again", 150, seed=3)
    assert [p.name for p in again.files] == [p.name for p in generated.files]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again.files, generated.files, strict=True))
    other = corpus.generate(tmp_path / "other", 150, seed=4)
    assert [p.read_bytes() for p in other.files] != [p.read_bytes() for p in generated.files]


def test_every_story_parses_with_realistic_lengths_and_threads(generated):
    assert len(generated.files) == 150
    counts = []
    for path in generated.files:
        story = load_story(path)
        text = path.read_text(encoding="utf-8")
        assert 15 <= len(story.paragraphs) <= 25, path
        comments = corpus.comment_count(text)
        assert 0 <= comments <= 60, path
        if comments:
            assert story.comments_declared == comments, path
        counts.append(comments)
    assert min(counts) == 0 and max(counts) > 20
    stories = [load_story(p) for p in generated.files]
    assert len({s.publisher for s in stories}) >= 3
    assert len({s.event for s in stories if s.event}) >= 3
    # nested replies, indented under their parent with their own numbering
    assert any(re.search(r"^      1\. .+ says:$", p.read_text(encoding="utf-8"), re.M) for p in generated.files)


def test_quotations_use_every_attribution_style(generated):
    text = "\n".join(p.read_text(encoding="utf-8") for p in generated.files)
    styles = {
        "X said": r"\u201d [A-Z]\w+ said\.",
        "said X": r",\u201d said [A-Z]",
        "split quote": r",\u201d [A-Z]\w+ said\. \u201c",
        "pronoun": r",\u201d (?:he|she) said",
        "according to": r"[Aa]ccording to [A-Z]",
    }
    missing = [name for name, pattern in styles.items() if not re.search(pattern, text)]
    assert not missing


def _shingles(path: Path, size: int = 10) -> set[tuple[str, ...]]:
    words = " ".join(p.text for p in load_story(path).paragraphs).replace('"', "\u201c").split()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_wire_clusters_share_lightly_edited_passages(generated):
    by_slug = {p.stem: p for p in generated.files}
    clusters = [slugs for slugs in generated.clusters.values() if len(slugs) >= 2]
    assert len(clusters) >= 5
    edited, shared = 0, []
    for slugs in clusters:
        first, second = (by_slug[s] for s in slugs[:2])
        shared.append(len(_shingles(first) & _shingles(second)))
        paragraphs = [{p.text for p in load_story(by_slug[s]).paragraphs} for s in slugs]
        edited += any(a != b for a in paragraphs for b in paragraphs)
    assert edited > 0
    # stories outside a cluster share little text with anyone: the text is composed, not copied
    in_clusters = {s for slugs in generated.clusters.values() for s in slugs}
    alone = [p for p in generated.files if p.stem not in in_clusters][:20]
    overlaps = sorted(len(_shingles(a) & _shingles(b)) for a, b in zip(alone, alone[1:], strict=False))
    assert min(shared) >= 10 and sorted(shared)[len(shared) // 2] >= 5 * max(1, overlaps[len(overlaps) // 2])


# stories of the one size measured: enough for Pagefind to write seven word-index chunks (the
# setting's check below wants five or more), few enough that builds cost little more than starting
BENCH_N = 15


@pytest.mark.browser
def test_bench_run_reports_every_field(tmp_path):
    out, md, svg = tmp_path / "out", tmp_path / "BENCHMARKS.md", tmp_path / "plot.svg"
    cmd = [
        sys.executable,
        "-m",
        "bench.run",
        "--sizes",
        str(BENCH_N),
        "--out",
        str(out),
        "--write",
        str(md),
        "--repeats",
        "1",
        "--no-warm-up",  # the warm-up only steadies timings, which this test does not check
    ]
    done = subprocess.run(cmd + ["--plot", str(svg)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    assert [r["n"] for r in report["sizes"]] == [BENCH_N]
    for key in ("nproc", "memory", "python", "pelican", "pagefind"):
        assert report["machine"][key]
    assert "archive_core" in report["plugins"]
    for row in report["sizes"]:
        for run in ("vanilla", "full", "incremental"):
            assert row[run]["returncode"] == 0
            assert row[run]["wall_s"] > 0 and row[run]["peak_rss_mb"] > 0 and row[run]["tree_peak_rss_mb"] > 0
            assert 0 < row[run]["tree_peak_pss_mb"] <= row[run]["tree_peak_rss_mb"]
            assert 0 <= row[run]["steal_pct"] <= 100
        assert row["vanilla"]["pages"] >= row["n"] and row["full"]["pages"] >= row["n"]
        largest = row["full"]["largest"]
        assert len(largest) == 3 and [size for _, size in largest] == sorted((s for _, s in largest), reverse=True)
        assert row["full"]["html_bytes"] > row["vanilla"]["html_bytes"] > 0
        # one run of each (which of several counts: test_the_fastest_run_counts...): the cold
        # build starts from nothing, the rebuild adds a story to what the caches kept, and a
        # build taking it out again brings back the cold build's pages
        runs = row["runs"]
        assert [len(runs[kind]) for kind in ("vanilla", "full", "incremental", "restore")] == [1, 1, 1, 1]
        for kind in ("vanilla", "full", "incremental"):
            assert row[kind]["wall_s"] == runs[kind][0]["wall_s"]
        cold, warm, restored = runs["full"], runs["incremental"], runs["restore"]
        assert cold[0]["pages"] == restored[0]["pages"] < warm[0]["pages"]
        for run in cold:
            assert run["reuse"] and all(kept == 0 for kept, _ in run["reuse"].values()), run["reuse"]
        for run in warm + restored:
            assert all(kept >= row["n"] for kept, _ in run["reuse"].values()), run["reuse"]
        assert {"validate", "pelican", "pagefind"} <= set(row["full"]["stages"])
        assert row["ratio"] > 0 and row["incremental_ratio"] > 0
        assert row["pagefind_index"]["bytes"] > 0
        assert row["first_query"]["pagefind_bytes"] > 0, row["first_query"]
        # each plugin's stages, and Pelican's own, as the build reports them (names have spaces)
        stages = set(row["full"]["reported_stages"])
        assert {
            "pelican: reading stories",
            "quotes: analysis",
            "wire: writing",
            "wire: analysis in a forked child",
        } <= stages, stages
        # a common word and the most-quoted surname; the worse one counts for the goal
        queries = row["first_queries"]
        assert len(queries) == 2 and queries[0]["query"] != queries[1]["query"]
        assert all(0 < q["bytes_gzip"] <= q["bytes"] for q in queries)
        assert row["first_query"]["bytes"] == max(q["bytes"] for q in queries)
        # every file the browser fetched counts with its full size, the worker's own script too
        # (Chromium reports its body as empty)
        output = out / f"n{row['n']}" / "output"
        for q in queries:
            files = dict(q["files"])
            assert files.get("/pagefind/pagefind-worker.js", 0) > 0, files
            assert sum(files.values()) == q["bytes"]
            for path, size in files.items():
                assert size == served_file(output, path).stat().st_size, path
    assert_index_chunks_follow_setting(out / f"n{BENCH_N}" / "output" / "pagefind")
    assert report["exponent"] == {"full": None, "vanilla": None}  # it takes two sizes (below)
    assert len(report["goals"]) == 8 and all(
        g["met"] is not None for g in report["goals"] if "exponent" not in g["goal"]
    )
    largest = max(report["sizes"], key=lambda r: r["n"])
    gzip_goal = next(g for g in report["goals"] if "GitHub Pages" in g["goal"])
    assert gzip_goal["value"] == round(max(q["bytes_gzip"] for q in largest["first_queries"]) / 1024, 1)
    text = md.read_text()
    assert re.search(rf"N={BENCH_N}: vanilla [0-9.]+ s, full [0-9.]+ s, rebuild [0-9.]+ s", text)
    assert f"| {BENCH_N} |" in text and "## Goals" in text and "plot.svg" in text
    path, size = largest["full"]["largest"][0]
    assert f"Largest pages of the full build: `{path}` {size / 2**20:,.1f} MB" in text
    assert ET.parse(svg).getroot().findall("{http://www.w3.org/2000/svg}circle")  # a point per kind of build
    assert_two_sizes_are_reported(report)


def assert_two_sizes_are_reported(report: dict) -> None:
    """What a run of several sizes adds, from the measured row and the same row at ten times the
    stories and twenty times the seconds (one real size keeps the test short): the scaling
    exponent and its goal, a row and a line per size, a point per size on each line of the plot."""
    small = report["sizes"][0]
    large = json.loads(json.dumps(small))
    large["n"] = small["n"] * 10
    for kind in ("vanilla", "full", "incremental"):
        large[kind]["wall_s"] = small[kind]["wall_s"] * 20
    two = {**report, "sizes": [small, large]}
    two["exponent"] = {key: bench_run.exponent(two["sizes"], key) for key in ("full", "vanilla")}
    assert two["exponent"] == {"full": 1.301, "vanilla": 1.301}  # log 20 / log 10
    scaling = next(g for g in bench_run.goals(two) if "exponent" in g["goal"])
    assert scaling["value"] == 1.301 and scaling["met"] is False and scaling["at"] == f"N={large['n']:,}"
    text = bench_run.render_markdown(two, "plot.svg")
    for n in (small["n"], large["n"]):
        assert f"| {n:,} |" in text and re.search(rf"N={n:,}: vanilla [0-9.]+ s, full [0-9.]+ s", text), n
    assert "full 1.30" in text
    lines = ET.fromstring(bench_run.render_svg(two)).findall("{http://www.w3.org/2000/svg}polyline")
    assert lines and all(len(line.get("points").split()) == 2 for line in lines)


def assert_index_chunks_follow_setting(pagefind: Path) -> None:
    """Pagefind closes a word-index chunk once it holds PAGEFIND_ENV's number of word positions:
    everything before a chunk's last word stays under it (at its default, 20,000, the N=15
    index would be two chunks)."""
    limit = int(PAGEFIND_ENV["PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"])
    meta = read_pf(next(pagefind.glob("pagefind.*.pf_meta")))
    loads = []
    for _first, _last, name in meta[2]:
        words = read_pf(pagefind / "index" / f"{name}.pf_index")[0]
        sizes = [sum(len(page[1]) + len(page[2]) + 1 for page in word[1]) for word in words]
        loads.append(sum(sizes[:-1]))
    assert len(loads) >= 5 and max(loads) < limit, loads


def _wait_for_exec(pid: int) -> None:
    """Wait until the kernel has set up a new process's command line: ``Popen`` returns once the
    child's exec has begun, and ``/proc/PID/cmdline`` reads empty until the exec has mapped the
    arguments (the test read it empty in some runs)."""
    for _ in range(100):
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if f.read():
                return
        subprocess.run(["sleep", "0.05"])
    raise AssertionError(f"process {pid} never showed a command line")


def test_the_pagefind_stage_is_pagefind_only(tmp_path):
    """The bench times "pagefind" from the processes it sees: Pagefind's binary (or its Python
    wrapper), not the detached ``rm -rf …/.pagefind-shards-…`` with which the build finishes."""
    binary = tmp_path / "pagefind"
    shutil.copy("/bin/sleep", binary)
    procs = {
        "pagefind": subprocess.Popen([str(binary), "30"]),
        "other": subprocess.Popen(["sh", "-c", "sleep 30", str(tmp_path / ".pagefind-shards-1")]),
    }
    try:
        for kind, proc in procs.items():
            _wait_for_exec(proc.pid)
            assert _stage_of(proc.pid, os.getpid()) == kind
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()


def test_a_process_is_classified_again_after_it_execs(tmp_path):
    """Pagefind's Python wrapper replaces itself with the binary (``os.execv``), and a process
    first seen between fork and exec shows its parent's command line: the sampler must not keep
    its first guess (the Pagefind stage then went missing from a smoke-test run)."""
    binary = tmp_path / "pagefind"
    shutil.copy("/bin/sleep", binary)
    proc = subprocess.Popen(["sh", "-c", f"sleep 0.5; exec {binary} 30"])
    try:
        sampler = TreeSampler(os.getpid(), 0.0)
        sampler.sample()
        assert sampler.kinds[proc.pid] == "other"
        deadline = 50
        while sampler.kinds[proc.pid] != "pagefind" and deadline:
            subprocess.run(["sleep", "0.1"])
            sampler.sample()
            deadline -= 1
        assert sampler.kinds[proc.pid] == "pagefind" and "pagefind" in sampler.spans
    finally:
        proc.kill()
        proc.wait()


def test_steal_is_the_hosts_share_of_the_cpu_time_between_two_readings():
    from bench.run import steal_percent

    before = [100, 0, 50, 800, 10, 0, 5, 35, 0, 0]  # user nice system idle iowait irq softirq steal ...
    after = [160, 0, 70, 900, 10, 0, 5, 55, 0, 0]  # 200 ticks later, 20 of them stolen
    assert steal_percent(before, after) == 10.0
    assert steal_percent(before, before) is None and steal_percent([], after) is None


def test_the_fastest_run_counts_with_the_largest_memory_peaks_of_all():
    from bench.run import fastest

    runs = [
        {"returncode": 0, "wall_s": 10.0, "peak_rss_mb": 100.0, "tree_peak_rss_mb": 300.0, "tree_peak_pss_mb": 200.0},
        {"returncode": 0, "wall_s": 9.0, "peak_rss_mb": 120.0, "tree_peak_rss_mb": 250.0, "tree_peak_pss_mb": 210.0},
    ]
    best = fastest(runs)
    assert best["wall_s"] == 9.0 and best["repeats"] == 2
    assert (best["peak_rss_mb"], best["tree_peak_rss_mb"], best["tree_peak_pss_mb"]) == (120.0, 300.0, 210.0)
    # a failure is never hidden behind a faster success
    assert fastest([runs[0], {**runs[1], "wall_s": 1.0, "returncode": 1}])["returncode"] == 1
    assert fastest([{**runs[0], "returncode": 1}, runs[1]])["returncode"] == 1


def test_html_pages_counts_the_pages_and_names_the_largest(tmp_path):
    from bench.run import html_pages

    for path, size in {"a/index.html": 30, "b/c/index.html": 500, "d.html": 200, "e.html": 10, "f.css": 900}.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x" * size)
    assert html_pages(tmp_path) == {
        "pages": 4,
        "html_bytes": 740,
        "largest": [["b/c/index.html", 500], ["d.html", 200], ["a/index.html", 30]],
    }


def test_the_deletions_a_build_left_running_are_found_by_their_command_line(tmp_path):
    """A build deletes what it no longer needs with a detached ``rm -rf -- PATH``, and clears the
    output it replaced with a detached ``spare_tree.py PATH SPARE``; the bench finds those under
    its work folder (a real one may end before it is looked for: a table made here)."""
    from bench.run import detached_removals

    work, elsewhere, proc = tmp_path / "work", tmp_path / "elsewhere", tmp_path / "proc"
    work.mkdir()
    elsewhere.mkdir()
    table = {
        "101": ["rm", "-rf", "--", str(work / ".output.old-1")],
        "102": ["rm", "-rf", "--", str(elsewhere / ".output.old-1")],
        "103": ["rm", "-rf", "--", str(work)],  # the folder itself is not under it
        "104": ["python", "-m", "pelican", str(work)],
        "105": [],  # a zombie's command line is empty
        "106": [
            "python",
            "/p/newsarchive/site/spare_tree.py",
            str(work / ".output.old-2"),
            str(work / ".output.spare"),
        ],
        "107": ["python", "/p/newsarchive/site/build.py", str(work / ".output.old-2")],
    }
    for pid, args in table.items():
        (proc / pid).mkdir(parents=True)
        (proc / pid / "cmdline").write_bytes(b"".join(a.encode() + b"\0" for a in args))
    (proc / "self").mkdir()
    assert sorted(detached_removals(work, str(proc))) == [101, 106]
    assert detached_removals(elsewhere, str(proc)) == [102]


def test_a_run_waits_for_the_deletions_the_previous_build_left_running(tmp_path):
    """A run measured while the last build's output is still being deleted (48 s at 10,000
    stories) would share a core and the disk with it: ``wait_for_removals`` returns once it is gone."""
    from bench.run import detached_removals, wait_for_removals
    from newsarchive.site.build import remove_in_background

    work = tmp_path / "work"
    old = work / ".output.old-1"
    # 20,000 names for the removal to unlink (about half a second): hard links, 500 to one file
    # a folder; as many new files took 8-20 s to make (a new inode each), and rm unlinks a name
    # in the same time either way
    for n in range(40):
        (old / str(n)).mkdir(parents=True)
        first = old / str(n) / "0.html"
        first.write_bytes(b"<p>")
        for k in range(1, 500):
            os.link(first, old / str(n) / f"{k}.html")
    remove_in_background(old)
    wait_for_removals(work)
    assert not old.exists() and not detached_removals(work)
