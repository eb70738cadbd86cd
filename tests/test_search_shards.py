"""Shards whose pages did not change are not indexed again (newsarchive/site/search_shards.py,
build.index_site with a cache): the index comes out as a cold one, Pagefind runs only on the
shards a change touched, and the cache keeps only what the last build used."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from test_pagefind_output import dated, tree, write_page

import newsarchive.site.build as build
from newsarchive.site.build import index_site, read_indexed_pages
from newsarchive.site.search_shards import IndexedPage, PageRecord, plan_shards, shard_key


def pages(paths: list[str], size: int = 1000) -> list[IndexedPage]:
    return [IndexedPage(Path(p), size, f"{n:040x}") for n, p in enumerate(sorted(paths))]


def shard_paths(shards: list[list[IndexedPage]]) -> list[tuple[str, ...]]:
    return [tuple(page.path.as_posix() for page in shard) for shard in shards]


STORIES = [f"stories/story-{n:04d}/index.html" for n in range(400)]
PEOPLE = [f"people/person-{n:03d}/index.html" for n in range(40)]


def test_shards_keep_path_order_hold_one_kind_and_at_most_max_pages():
    listed = pages(STORIES + PEOPLE)
    shards = plan_shards(listed, max_pages=30, target_bytes=16_000)
    assert [page for shard in shards for page in shard] == listed
    assert all(len(shard) <= 30 for shard in shards)
    assert all(len({page.path.parts[0] for page in shard}) == 1 for shard in shards)
    # 16 pages of 1,000 bytes make the target: shards of about 16 stories, cut where a path hashes so
    assert 10 < len([s for s in shards if s[0].path.parts[0] == "stories"]) < 50


def test_a_new_page_changes_only_the_shard_it_joins():
    before = shard_paths(plan_shards(pages(STORIES + PEOPLE), max_pages=100, target_bytes=16_000))
    after = shard_paths(
        plan_shards(pages(STORIES + PEOPLE + ["stories/story-0199a/index.html"]), max_pages=100, target_bytes=16_000)
    )
    assert len(set(after) - set(before)) <= 2  # the shard it joins, or the two its own cut makes
    assert len(set(before) - set(after)) == 1
    # fixed-size shards would have moved every shard after it
    fixed = [tuple(STORIES[i : i + 16]) for i in range(0, 400, 16)]
    moved = sorted(STORIES + ["stories/story-0199a/index.html"])
    assert len(set(fixed) - {tuple(moved[i : i + 16]) for i in range(0, 401, 16)}) > 10


def test_a_shard_key_is_its_pages_paths_and_bytes_and_the_tool():
    shard = pages(STORIES[:5])
    key = shard_key(shard, "pagefind 1")
    assert shard_key(pages(STORIES[:5]), "pagefind 1") == key
    assert shard_key(shard, "pagefind 2") != key
    assert shard_key([*shard[:4], IndexedPage(shard[4].path, 1000, "f" * 40)], "pagefind 1") != key
    assert (
        shard_key([*shard[:4], IndexedPage(Path("stories/x/index.html"), 1000, shard[4].digest)], "pagefind 1") != key
    )


def story(site: Path, n: int, text: str = "") -> None:
    words = " ".join(f"word{n * 7 + k}" for k in range(40))
    write_page(
        site, f"stories/s{n:03d}/index.html", f"<p>story {n} {words} {text}</p>{dated(f'2010-01-{n % 28 + 1:02d}')}"
    )


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """The shard directories Pagefind runs on, in order."""
    real, seen = build.pagefind_command, []

    def recording(root: Path) -> list[str]:
        if root.name != "SITE":  # the command in the shards' key, not a run
            seen.append(root.name)
        return real(root)

    monkeypatch.setattr(build, "pagefind_command", recording)
    return seen


def cold(site: Path, dest: Path) -> dict[str, bytes]:
    shutil.copytree(site, dest, ignore=shutil.ignore_patterns("pagefind"))
    assert index_site(dest, quiet=True, shard_pages=20, target_bytes=2000)
    return tree(dest / "pagefind")


def test_only_changed_shards_are_indexed_again_and_the_index_is_a_cold_ones(tmp_path, runs):
    site, cache = tmp_path / "site", tmp_path / "cache"
    for n in range(20):
        story(site, n)
    write_page(site, "people/p/index.html", f"<p>a person</p>{dated('2010-01-01')}")
    # about 2 pages of ~500 bytes per shard: some 14 shards
    sharded = plan_shards(read_indexed_pages(site), 20, 2000)
    assert len(sharded) > 8

    assert index_site(site, quiet=True, shard_pages=20, cache=cache, target_bytes=2000)
    assert len(runs) == len(sharded)
    first = tree(site / "pagefind")
    assert first == cold(site, tmp_path / "cold1")
    assert len([e for e in cache.iterdir() if not e.name.startswith(".")]) == len(sharded)

    # unchanged: no Pagefind run, the same bytes
    runs.clear()
    shutil.rmtree(site / "pagefind")
    assert index_site(site, quiet=True, shard_pages=20, cache=cache, target_bytes=2000)
    assert runs == [] and tree(site / "pagefind") == first

    # one story added, one corrected: only the shards holding them run, and the index is a cold one
    runs.clear()
    shutil.rmtree(site / "pagefind")
    story(site, 100)
    story(site, 7, "corrected")
    assert index_site(site, quiet=True, shard_pages=20, cache=cache, target_bytes=2000)
    assert 2 <= len(runs) <= 3
    assert tree(site / "pagefind") == cold(site, tmp_path / "cold2") != first
    now = plan_shards(read_indexed_pages(site), 20, 2000)
    kept = {e.name for e in cache.iterdir() if not e.name.startswith(".")}
    assert len(kept) == len(now)  # bundles no shard uses any more are gone


def test_a_failed_shard_keeps_the_cache_sound(tmp_path, runs, monkeypatch, capsys):
    site, cache = tmp_path / "site", tmp_path / "cache"
    for n in range(12):  # in 4 shards
        story(site, n)
    assert index_site(site, quiet=True, shard_pages=20, cache=cache, target_bytes=2000)
    first = tree(site / "pagefind")
    shutil.rmtree(site / "pagefind")
    story(site, 3, "edited")  # two shards to index again: the second run fails
    story(site, 10, "edited")
    real = build.pagefind_command
    calls = []

    def failing_second_run(root: Path) -> list[str]:
        if root.name != "SITE":
            calls.append(root)
            if len(calls) == 2:
                return [sys.executable, "-c", "import sys; sys.exit(3)"]
        return real(root)

    monkeypatch.setattr(build, "pagefind_command", failing_second_run)
    assert index_site(site, quiet=True, shard_pages=20, cache=cache, target_bytes=2000) is False
    assert "exited with status 3" in capsys.readouterr().err
    assert not (site / "pagefind").exists()

    # what the cache holds is still sound: the next build comes out as a cold one
    monkeypatch.setattr(build, "pagefind_command", real)
    assert index_site(site, quiet=True, shard_pages=20, cache=cache, target_bytes=2000)
    assert tree(site / "pagefind") == cold(site, tmp_path / "cold") != first


def test_a_page_read_by_the_last_build_is_not_read_again(tmp_path, monkeypatch):
    """The record of what the last build read (``PageRecord``) knows a page by its file: a page
    linked from the last build's output is not read again, a rewritten one is, and the pages and
    digests are those a fresh read gives."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    for n in range(5):
        story(site, n)
    (site / "stories" / "index.html").write_text("<html><body><main>a listing, not indexed</main>")
    record = PageRecord(cache)
    assert read_indexed_pages(site, record) == read_indexed_pages(site)
    record.save()

    story(site, 2, "corrected")
    read = []
    real = build.indexed_page
    monkeypatch.setattr(build, "indexed_page", lambda path, data: read.append(path.as_posix()) or real(path, data))
    again = read_indexed_pages(site, PageRecord(cache))
    assert read == ["stories/s002/index.html"]
    monkeypatch.setattr(build, "indexed_page", real)
    assert again == read_indexed_pages(site)


def test_two_processes_read_the_pages_as_one_does(tmp_path, monkeypatch):
    """Past READ_IN_TWO_FROM pages to read, a forked child reads every other one: the pages, their
    order (as ``Path`` sorts: ``a`` before ``a-b``, unlike their strings) and the record are the
    same as one process reading them all."""
    site = tmp_path / "site"
    for n in range(7):
        story(site, n)
    for name in ("a", "a-b", "a.b", "A"):
        write_page(site, f"people/{name}/index.html", f"<p>{name}</p>")
    (site / "stories" / "index.html").write_text("<html><body><main>a listing, not indexed</main>")
    (site / "stories" / "s001" / "notes.txt").write_text("not a page")
    (site / "events").mkdir()  # an indexed folder with nothing in it

    def read(threshold: int) -> tuple[list, dict]:
        monkeypatch.setattr(build, "READ_IN_TWO_FROM", threshold)
        record = PageRecord(tmp_path / f"cache-{threshold}")
        return read_indexed_pages(site, record), record.seen

    alone, in_two = read(10**6), read(1)
    assert in_two == alone
    paths = [page.path for page in alone[0]]
    assert paths == sorted(paths) and len(paths) == 11
    assert [p.as_posix() for p in paths[:4]] == [
        "people/A/index.html",
        "people/a/index.html",
        "people/a-b/index.html",
        "people/a.b/index.html",
    ]
    assert read_indexed_pages(site) == alone[0]  # and without a record
