"""Faults that must not take the site down or block the next build (issue 35, items 7-11, 13):
a build killed or interrupted at any moment, a full disk, caches cut short, two builds at
once, what killed builds leave, the modes of the published files.

Kills are real: ``ARCHIVE_KILL_AT=<point>`` makes the build kill itself with SIGKILL at that
point (``newsarchive.site.faults``). Each test starts from a copy of one project built once
(with umask 027, to see that the build honours it)."""

from __future__ import annotations

import fcntl
import json
import marshal
import os
import pickle
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, run_build

from newsarchive.site import build, faults, pagefind_output
from newsarchive.site.build import finish_publish, leftovers, lock_file, publish, search_cache
from newsarchive.site.search_shards import bundle_problem
from newsarchive.site.spare_tree import claim


def files(site: Path) -> set[str]:
    return {str(path.relative_to(site)) for path in site.rglob("*") if path.is_file()}


def wait_until_gone(paths, seconds: float = 120) -> None:
    """Wait for the build's detached removals to finish with ``paths`` (no timing asserted)."""
    for _ in range(int(seconds * 10)):
        if not any(os.path.lexists(path) for path in paths):
            return
        time.sleep(0.1)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The seed project, built once with umask 027 (``project/output``)."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive.site.build", "--content", "content", "--output", "output", "-q"],
        cwd=project,
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(0o027),
    )
    assert done.returncode == 0, done.stderr
    wait_until_gone(leftovers(project / "output"))
    return project


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the built project (hard links kept, as the build makes them)."""
    copy = tmp_path / "project"
    subprocess.run(["cp", "-a", str(built), str(copy)], check=True)
    return copy


def rebuild(project: Path, *extra: str, **env: str) -> subprocess.CompletedProcess:
    return run_build(project / "content", project / "output", *extra, cwd=project, env={**os.environ, **env})


# --- 13: modes ----------------------------------------------------------------------------------


def test_the_site_has_the_modes_pelican_gives_its_files_under_the_umask(built):
    """Folders 0777 and files 0666 less the umask (027 here), the output folder itself too: a web
    server running as another user (in the group) can read every page (mkdtemp made it 0700)."""
    output = built / "output"
    modes = {stat.S_IMODE(os.stat(output).st_mode)}
    modes |= {stat.S_IMODE(path.stat().st_mode) | (0o1000 if path.is_dir() else 0) for path in output.rglob("*")}
    assert modes == {0o750, 0o640, 0o1750}


# --- 7 and 11: killed builds ----------------------------------------------------------------------


def test_a_build_killed_anywhere_leaves_a_site_and_the_next_build_cleans_up(project):
    """Killed while Pelican writes its reader cache, while the search index's record is written
    (its new site and search shards on disk), killed or interrupted (Ctrl-C) the moment the new
    site is published: ``output/`` is a complete site each time, every cache is whole, and the
    next build removes what the killed ones left, except what a live process holds.

    That next build is also the one that meets another build holding the lock
    (:func:`build_waiting_for_another`) and every cache cut short (:func:`cut_caches_short`): one
    build after the kills checks all three."""
    output = project / "output"
    site = files(output)
    held = project / ".output.new-held"  # a folder a live process is working in
    held.mkdir()
    lock = claim(held)
    legacy = project / ".pagefind-shards-legacy"  # left by a build of an older version
    (legacy / "1").mkdir(parents=True)

    (cache,) = (project / "cache").iterdir()
    copied = {path.name for path in cache.iterdir()}  # the built project's, some for its own output
    readers = cache / "ArticlesGenerator-Readers"
    before = readers.read_bytes()
    killed = rebuild(project, ARCHIVE_KILL_AT=f"write:{readers.name}")
    assert killed.returncode == 1, killed.stderr  # Pelican killed: the build fails
    assert readers.read_bytes() == before and pickle.loads(before)
    (part,) = cache.glob(".*.partial")  # the killed writer's, never read
    assert re.fullmatch(rf"\.{readers.name}\.\d+\.partial", part.name)
    assert files(output) == site

    killed = rebuild(project, ARCHIVE_KILL_AT="write:.pages.json")
    assert killed.returncode == -signal.SIGKILL
    assert files(output) == site
    assert {p.name.split("-")[0] for p in leftovers(output)} >= {".output.new", ".output.shards"}

    for kill_signal in ("SIGKILL", "SIGINT"):
        killed = rebuild(project, ARCHIVE_KILL_AT="publish", ARCHIVE_KILL_SIGNAL=kill_signal)
        assert killed.returncode == {"SIGKILL": -signal.SIGKILL, "SIGINT": 130}[kill_signal], killed.stderr
        assert "Traceback" not in killed.stderr
        assert files(output) == site

    left = [path for path in leftovers(output) if path != held]
    read = cut_caches_short(project, copied)
    done = build_waiting_for_another(project)
    assert done.returncode == 0, done.stderr
    assert files(output) == site
    wait_until_gone(left)
    wait_until_gone([path for path in leftovers(output) if path not in left + [held]])  # the site it replaced
    assert leftovers(output) == [held] and not legacy.exists()
    assert not list(cache.glob(".*.partial"))  # the next write of the file removed the killed one's part
    os.close(lock)
    caches_were_discarded_with_a_note_and_rebuilt(project, read, done)


def test_a_publish_killed_between_its_two_renames_is_finished_by_the_next_build(tmp_path, monkeypatch):
    """Where folders cannot be exchanged, publishing is two renames: a process killed (SIGKILL)
    between them leaves no ``output``; the next build puts the new site there first."""
    output, new = tmp_path / "output", tmp_path / ".output.new-1"
    for site, text in ((output, "old"), (new, "new")):
        (site / "stories").mkdir(parents=True)
        (site / "index.html").write_text(text)
    monkeypatch.setattr(build, "exchange", lambda a, b: False)
    pid = os.fork()
    if pid == 0:  # the build
        os.environ["ARCHIVE_KILL_AT"] = "publish"
        try:
            publish(new, output)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert not output.exists()  # the half-done publish
    finish_publish(output)
    assert (output / "index.html").read_text() == "new"


def test_publishing_exchanges_the_two_sites_in_one_step(tmp_path):
    """On this system the new site and the old one are exchanged, not renamed one after the
    other: ``output`` never stops being a site."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "index.html").write_text("a")
    (b / "index.html").write_text("b")
    assert build.exchange(a, b)
    assert (a / "index.html").read_text() == "b" and (b / "index.html").read_text() == "a"


# --- 10: two builds at once ---------------------------------------------------------------------


def build_waiting_for_another(project: Path) -> subprocess.CompletedProcess:
    """A second build of the same output waits for the first, saying so (and which process it
    waits for), then builds once the first ends: the build, started while this test holds the
    lock as a running build does, and finished."""
    lock = os.open(lock_file(project / "output"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a running build holds it
    os.pwrite(lock, b"12345\n", 0)
    cmd = [sys.executable, "-m", "newsarchive.site.build", "--content", "content", "--output", "output", "-q"]
    second = subprocess.Popen(cmd, cwd=project, stderr=subprocess.PIPE, text=True)
    try:
        first_line = second.stderr.readline()
        assert "another build" in first_line and "12345" in first_line and "waiting" in first_line
        assert second.poll() is None  # still waiting
    finally:
        os.close(lock)  # the first build ends
    _, err = second.communicate()
    return subprocess.CompletedProcess(cmd, second.returncode, None, first_line + err)


# --- 8 and 9: caches cut short, a full disk -----------------------------------------------------


def test_a_note_is_written_in_one_call_so_two_processes_never_share_its_line(monkeypatch):
    """The early wire child and the build note discarded caches at the same moment: each note
    must reach stderr (unbuffered) in one write, or the two interleave into one line."""
    writes = []

    class Stderr:
        def write(self, text):
            writes.append(text)

    monkeypatch.setattr(sys, "stderr", Stderr())
    faults.note_discarded("cache/wire-analysis.pickle", EOFError("Ran out of input"))
    assert writes == [
        "note: cache/wire-analysis.pickle: unreadable cache discarded and rebuilt (EOFError: Ran out of input)\n"
    ]


def cut_caches_short(project: Path, copied: set[str]) -> list[Path]:
    """Every cache cut to 0 bytes (as a build killed while writing it, or a full disk, leaves
    it): Pelican's reader cache, the analyses' memos, the records of pages and parts (those of
    this project's output: the ``copied`` ones of the built project's are for another output and
    not read), the content check's record, the search record, a search bundle's prepared form
    and a file of a search bundle (as Pagefind leaves a bundle on a full disk). The caches cut
    that the next build reads, the last being a bundle's file."""
    (cache,) = (project / "cache").iterdir()
    shards = search_cache(project / "output")
    bundle, other = sorted(path for path in shards.iterdir() if path.is_dir() and path.name[0] != ".")[:2]
    read = [
        path
        for path in cache.iterdir()
        if path.name[0] != "." and not (path.name.startswith(("pages-", "parts-")) and path.name in copied)
    ]
    assert {path.name.split("-")[0] for path in read} >= {"pages", "parts"}  # made by the killed builds
    read += [project / ".output.checked-stories.json", shards / ".pages.json", next((other / ".merge").iterdir())]
    fragment = next((bundle / "fragment").iterdir())
    for path in [*read, fragment]:
        path.write_bytes(b"")
    return [*read, fragment]


def caches_were_discarded_with_a_note_and_rebuilt(project: Path, cut: list[Path], done) -> None:
    """The build after ``cut_caches_short`` succeeded (``done``), saying which it discarded, and
    wrote each again."""
    *read, fragment = cut
    bundle = fragment.parent.parent
    noted = {line.split(": ")[1] for line in done.stderr.splitlines() if line.startswith("note: ")}
    assert noted == {str(path) for path in read} | {str(bundle)}, done.stderr
    assert bundle_problem(project / "output" / "pagefind") is None and bundle_problem(bundle) is None
    for path in read:
        data = path.read_bytes()
        assert (json.loads if path.suffix == ".json" else marshal.loads if path.suffix == ".marshal" else pickle.loads)(
            data
        )


def test_a_full_disk_stops_the_build_with_one_line_and_the_next_build_succeeds(built, tmp_path):
    """The output on a small tmpfs this test mounts: the disk filled, at several points of a
    build that has a changed story to render and index, the build stops with one line naming the
    folder, no traceback, and the site as it was; with space again, the next build succeeds and
    its search index is whole (no cache kept a file the full disk cut short)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        project = tmp_path / "project"
        subprocess.run(["cp", "-a", str(built), str(project)], check=True)
        for name in ("output", ".output.search-shards"):  # the site and its search shards on the small disk
            subprocess.run(["cp", "-a", str(project / name), str(disk)], check=True)
        output = disk / "output"
        site = files(output)
        story = sorted((project / "content" / "stories").glob("*.md"))[0]
        text = story.read_text(encoding="utf-8")
        for n, free_kb in enumerate((100, 450)):
            story.write_text(text.replace(" the ", f" the{n} ", 1), encoding="utf-8")
            st = os.statvfs(disk)
            ballast = disk / "ballast"
            ballast.write_bytes(b"\0" * (st.f_bfree * st.f_frsize - free_kb * 1024))
            done = run_build(project / "content", output, cwd=project)
            assert done.returncode == 1
            assert "Traceback" not in done.stderr
            last = done.stderr.splitlines()[-1]
            assert last.startswith(f"build failed: no space left on device in {disk}"), done.stderr
            assert files(output) == site
            ballast.unlink()
        # one build with space again, after both: each failure left what a build can go on from
        # (the second failed at its own point, from what the first left, and not otherwise)
        done = run_build(project / "content", output, cwd=project)
        assert done.returncode == 0, done.stderr
        assert bundle_problem(output / "pagefind") is None
        assert " the1 " in (output / "stories" / story.stem / "index.html").read_text(encoding="utf-8")
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_a_bundle_pagefind_left_incomplete_is_not_kept(tmp_path, monkeypatch, site):
    """Pagefind on a full disk exits 0 and leaves empty files: the build checks each bundle
    before the cache keeps it, and stops saying so."""
    dest = tmp_path / "site"
    shutil.copytree(site, dest, ignore=shutil.ignore_patterns("pagefind"))
    real = build.pagefind_command

    def leaves_an_empty_file(root):
        command = " ".join(real(root))
        return ["sh", "-c", f'{command} && : > "$0"/pagefind/pagefind-ui.js', str(root)]

    monkeypatch.setattr(build, "pagefind_command", leaves_an_empty_file)
    cache = tmp_path / "cache"
    assert build.index_site(dest, quiet=True, shard_pages=100, cache=cache) is False
    assert not (dest / "pagefind").exists()
    assert not [path for path in cache.glob("*") if path.is_dir()]


def test_bundle_problem_names_what_is_missing_or_empty(site, tmp_path):
    bundle = tmp_path / "pagefind"
    shutil.copytree(site / "pagefind", bundle)
    assert bundle_problem(bundle) is None
    fragment = next((bundle / "fragment").iterdir())
    fragment.write_bytes(b"")
    assert bundle_problem(bundle) == f"{fragment}: empty file"
    fragment.unlink()
    assert bundle_problem(bundle) == f"{fragment}: missing"
    (bundle / "pagefind-entry.json").write_text("")
    assert "JSONDecodeError" in bundle_problem(bundle)


# --- 11: what a build leaves is ignored by git and removed by make clean --------------------------


def test_git_ignores_and_make_clean_removes_everything_a_build_makes(tmp_path):
    made = [
        "output/index.html",
        ".output.lock",
        ".output.new-x/index.html",
        ".output.old-x/index.html",
        ".output.shards-x/1/a.html",
        ".output.spare/.folders",
        ".output.search-shards/k/pagefind-entry.json",
        ".output.checked-stories.json",
        ".pagefind-shards-x/1/a.html",
        "cache/v/ArticlesGenerator-Readers",
    ]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *made], cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.split() == made
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in made:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["Makefile"]


def test_build_refuses_another_pagefind_version(tmp_path, monkeypatch, capsys):
    """The merge rewrites one Pagefind release's private format: with another installed, the
    build stops before Pelican runs, in one line naming both versions, output/ untouched."""
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("the previous site", encoding="utf-8")
    monkeypatch.setattr(pagefind_output, "installed_pagefind_version", lambda: "1.6.0")
    status = build.main(["--content", str(ROOT / "content"), "--output", str(output), "-q"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "Pagefind 1.6.0 is installed" in err and pagefind_output.PAGEFIND_FORMAT_VERSION in err
    assert files(output) == {"index.html"}
    assert (output / "index.html").read_text(encoding="utf-8") == "the previous site"


def test_installed_pagefind_is_the_one_the_merge_reads():
    assert pagefind_output.installed_pagefind_version() == pagefind_output.PAGEFIND_FORMAT_VERSION
    assert pagefind_output.pagefind_version_problem() is None
