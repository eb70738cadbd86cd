"""Canonical Pagefind output (newsarchive/pagefind_output.py): a CBOR codec, byte-identical
``pagefind/`` trees from two Pagefind runs, and search and filters still working in Chromium."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import cbor2
import pytest
from playwright.sync_api import expect

from newsarchive.build import PAGEFIND_ENV, pagefind_command
from newsarchive.pagefind_output import canonicalize, read_pf

CBS = "CBS Boston / WBZ"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def reindex(site: Path, dest: Path) -> Path:
    """A copy of ``site`` at ``dest`` with a fresh Pagefind index; returns its ``pagefind/`` dir."""
    shutil.copytree(site, dest)
    shutil.rmtree(dest / "pagefind")
    subprocess.run(pagefind_command(dest), env={**os.environ, **PAGEFIND_ENV}, check=True, capture_output=True)
    return dest / "pagefind"


@pytest.fixture(scope="module")
def runs(site, tmp_path_factory) -> list[tuple[dict, Path]]:
    """Two Pagefind runs over the seed site: (tree as Pagefind wrote it, canonicalized dir) each."""
    base = tmp_path_factory.mktemp("pagefind-runs")
    out = []
    for name in ("one", "two"):
        pagefind = reindex(site, base / name)
        raw = tree(pagefind)
        canonicalize(pagefind)
        out.append((raw, pagefind))
    return out


def test_cbor_matches_pagefind_encoding(site):
    """Re-encoding what Pagefind wrote gives Pagefind's bytes (same shortest-form integers)."""
    import gzip

    for path in sorted((site / "pagefind").rglob("*.pf_*")):
        if path.suffix == ".pf_fragment":  # fragments are JSON, not CBOR
            continue
        raw = gzip.decompress(path.read_bytes())
        assert b"pagefind_dcd" + cbor2.dumps(read_pf(path)) == raw, path


def test_two_runs_give_identical_canonical_output(runs):
    (raw_one, one), (raw_two, two) = runs
    canon_one, canon_two = tree(one), tree(two)
    assert canon_one.keys() == canon_two.keys()
    assert [name for name in canon_one if canon_one[name] != canon_two[name]] == []
    assert not filecmp.dircmp(one, two).diff_files
    # Pagefind alone usually differs (HashMap order); when the two runs happen to agree, nothing to check
    if raw_one != raw_two:
        assert {n for n in raw_one if raw_one[n] != raw_two.get(n)} <= {
            n for n in raw_one if n.startswith("filter/") or n.endswith((".pf_meta", "pagefind-entry.json"))
        }


def test_canonical_files_are_consistent(runs):
    _, pagefind = runs[0]
    meta_files = list(pagefind.glob("pagefind.*.pf_meta"))
    assert len(meta_files) == 1
    entry = (pagefind / "pagefind-entry.json").read_text(encoding="utf-8")
    assert f'"hash":"{meta_files[0].name.split(".")[1]}"' in entry
    meta = read_pf(meta_files[0])
    named = {f"{h}.pf_filter" for _, h in meta[3]}
    assert named == {p.name for p in (pagefind / "filter").iterdir()}
    assert [name for name, _ in meta[3]] == sorted(name for name, _ in meta[3])
    for _, h in meta[3]:
        assert re.fullmatch(r"en_[0-9a-f]{7}", h)
        name, values = read_pf(pagefind / "filter" / f"{h}.pf_filter")
        assert [v for v, _ in values] == sorted(v for v, _ in values), name
        assert all(pages == sorted(pages) for _, pages in values), name


def test_search_and_filters_work_after_canonicalize(runs, serve, page):
    _, pagefind = runs[0]
    base = serve(pagefind.parent)
    status = page.locator("#search-status")

    page.goto(f"{base}/search/?q=Heffernan")
    expect(status).to_have_text(re.compile(r"^\d+ results? for"))
    expect(page.locator("#search-results li").first).to_be_visible()
    everything = page.locator("#search-results > li").count()
    assert everything >= 2

    page.goto(f"{base}/search/?q=Heffernan&publisher=CBS%20Boston%20%2F%20WBZ")
    expect(status).to_contain_text("with the chosen filters")
    expect(page.locator("#search-results li").first).to_be_visible()
    metas = page.locator("#search-results .result-meta").all_text_contents()
    assert 0 < len(metas) < everything
    assert all(CBS in m for m in metas)

    # a link naming a filter loads every filter's values (from the filter files) into the selects
    expect(page.locator("#search-filter-publisher")).to_have_value(CBS)
    options = page.locator("#search-filter-publisher option").all_text_contents()
    assert any(CBS in o for o in options) and any("Associated Press" in o for o in options)
    assert page.errors == [] and page.dialogs == []


def test_chunk_bounds_are_each_chunks_first_and_last_word(runs):
    _, pagefind = runs[0]
    meta = read_pf(next(pagefind.glob("pagefind.*.pf_meta")))
    for first, last, name in meta[2]:
        words = [word[0] for word in read_pf(pagefind / "index" / f"{name}.pf_index")[0]]
        assert (first, last) == (words[0], words[-1] + "\0")


SEARCH_JS = """async (q) => {
  const pagefind = await import('/pagefind/pagefind.js');
  await pagefind.init();
  const search = await pagefind.search(q);
  return search.results.map((r) => r.id);
}"""


def test_exact_chunk_bounds_fetch_less_and_find_the_same(tmp_path, serve, page):
    """A site whose index has many chunks, one of them ending in the common word "of": searching
    "officials" (indexed as its stem) made the browser fetch that chunk too. After canonicalize,
    every query finds the same pages and no query fetches more of the index."""
    for i in range(40):
        words = ["of"] * 20 + ["officials" if i % 2 else "official", f"page{i}", "offer" if i % 3 else "report"]
        (tmp_path / "site" / f"p{i}").mkdir(parents=True)
        (tmp_path / "site" / f"p{i}" / "index.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>Page {i}</title></head>'
            f"<body><main data-pagefind-body><h1>Page {i}</h1><p>{' '.join(words)}</p></main></body></html>"
        )
    env = {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": "30"}  # many small chunks
    cmd = [sys.executable, "-m", "pagefind", "--site", str(tmp_path / "site"), "--silent"]  # every page
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    shutil.copytree(tmp_path / "site", tmp_path / "exact", symlinks=True)
    canonicalize(tmp_path / "exact" / "pagefind")
    assert len(read_pf(next((tmp_path / "exact" / "pagefind").glob("*.pf_meta")))[2]) >= 5

    def search(site: Path, query: str) -> tuple[list[str], int]:
        """The result ids, and the bytes of the index chunks fetched for them (their files' sizes:
        the route sees each request before the search can use it, unlike request events)."""
        fetched = []

        def record(route):
            fetched.append(urlsplit(route.request.url).path)
            route.continue_()

        page.route("**/pagefind/index/*", record)
        try:
            page.goto(f"{serve(site)}/p0/")
            ids = page.evaluate(SEARCH_JS, query)
        finally:
            page.unroute("**/pagefind/index/*", record)
        return ids, sum((site / path.lstrip("/")).stat().st_size for path in fetched)

    for query in ("officials", "official", "of", "offer", "offi", "page7", "report", "officials page3"):
        (before, before_bytes), (after, after_bytes) = (
            search(tmp_path / "site", query),
            search(tmp_path / "exact", query),
        )
        assert after == before and before, query
        assert after_bytes <= before_bytes, query
        if query == "officials":
            assert after_bytes < before_bytes
