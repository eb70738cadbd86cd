"""The search index built in shards and merged (newsarchive/site/pagefind_output.py, build.index_site):
the merged bundle holds what one Pagefind run over the whole site holds, its bytes are the same on
every build, its chunk list is exact, and search and filters work on it in Chromium."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import cbor2
import pytest
from conftest import ROOT, run_build
from playwright.sync_api import expect

from newsarchive.site import pagefind_output
from newsarchive.site.build import PAGEFIND_ENV, index_site, indexed_pages, pagefind_command
from newsarchive.site.pagefind_output import SIGNATURE, chunk_bytes, merge_bundles, read_pf

CBS = "CBS Boston / WBZ"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def one_run(site: Path, dest: Path) -> Path:
    """Pagefind run once over ``site``'s indexed pages (copied to ``dest``); its bundle, as written."""
    for page in indexed_pages(site):
        (dest / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(site / page, dest / page)
    subprocess.run(pagefind_command(dest), env={**os.environ, **PAGEFIND_ENV}, check=True, capture_output=True)
    return dest / "pagefind"


def sharded(site: Path, dest: Path, shard_pages: int) -> Path:
    """A copy of ``site`` at ``dest`` indexed as the build does, in shards of ``shard_pages``."""
    shutil.copytree(site, dest, ignore=shutil.ignore_patterns("pagefind"))
    assert index_site(dest, quiet=True, shard_pages=shard_pages)
    return dest / "pagefind"


def contents(bundle: Path, name_order: str | None = None) -> dict:
    """What a bundle says, with pages named by URL instead of position: a merge may order pages
    differently from one run, and a sort then orders pages with equal values differently, so a
    sort is compared as its sequence of values and its set of pages. ``name_order``: the sort
    the merge wrote into the fragment names (``<language>_<version>_<rank>``), read back from them."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    out = {"version": entry["version"], "include_characters": entry["include_characters"]}
    for language, info in entry["languages"].items():
        meta = read_pf(bundle / f"pagefind.{info['hash']}.pf_meta")
        fragments = [
            json.loads(gzip.decompress((bundle / "fragment" / f"{h}.pf_fragment").read_bytes())[len(SIGNATURE) :])
            for h, _ in meta[1]
        ]
        urls = [f["url"] for f in fragments]

        def by_url(postings: list, urls: list[str] = urls, fields: list[str] = meta[5]) -> dict:
            found, page = {}, 0
            for delta, locs, meta_locs in postings:
                page += delta
                # meta locations name a field by its position in the field list: use its name
                found[urls[page]] = (locs, [fields[-1 - n] if n < 0 else n for n in meta_locs])
            return found

        words = [
            (word, by_url(postings), {form: by_url(p) for form, p in variants})
            for _f, _t, name in meta[2]
            for word, postings, variants in read_pf(bundle / "index" / f"{name}.pf_index")[0]
        ]
        filters = {}
        for _, h in meta[3]:
            name, values = read_pf(bundle / "filter" / f"{h}.pf_filter")
            filters[name] = {value: sorted(urls[p] for p in pages) for value, pages in values}
        orders = dict(meta[4])
        if name_order is not None:
            assert name_order not in orders
            ranks = [int(h.rpartition("_")[2], 36) for h, _ in meta[1]]
            assert sorted(ranks) == list(range(len(ranks)))
            orders[name_order] = sorted(range(len(ranks)), key=ranks.__getitem__)
        sorts = {
            name: ([fragments[p]["meta"][name] for p in order], sorted(urls[p] for p in order))
            for name, order in orders.items()
        }
        out[language] = {
            "pages": {f["url"]: (f, wc) for f, (_, wc) in zip(fragments, meta[1], strict=True)},
            "page_count": info["page_count"],
            "wasm": info["wasm"],
            "words": words,
            "filters": filters,
            "sorts": sorts,
            "fields": meta[5],
        }
    return out


def test_cbor_matches_pagefind_encoding(site, tmp_path):
    """Re-encoding what Pagefind wrote gives Pagefind's bytes (same shortest-form integers), with
    cbor2 and with the merge's own chunk encoder."""
    bundle = one_run(site, tmp_path / "one")
    for path in sorted(bundle.rglob("*.pf_*")):
        if path.suffix == ".pf_fragment":  # fragments are JSON, not CBOR
            continue
        raw = gzip.decompress(path.read_bytes())
        assert SIGNATURE + cbor2.dumps(read_pf(path)) == raw, path
        if path.suffix == ".pf_index":
            assert chunk_bytes(read_pf(path)[0]) == raw, path


def test_prepared_postings_are_cut_from_pagefind_bytes_as_the_encoder_would_write_them(site, tmp_path):
    """The merge copies each word's postings out of Pagefind's chunk instead of encoding them
    again: the pieces cut are the pieces encoded, for every word and indexed form of a real
    index, and the words read are the words cbor2 decodes."""
    bundle = one_run(site, tmp_path / "one")
    chunks = sorted((bundle / "index").glob("*.pf_index"))
    assert chunks
    for path in chunks:
        raw = pagefind_output._pf_raw(path)
        entries = list(pagefind_output._chunk_entries(raw))
        assert [[w, p, [[f, fp] for f, fp, _ in v]] for w, p, _, v in entries] == cbor2.loads(raw)[0], path
        for _word, postings, span, variants in entries:
            assert pagefind_output._piece(postings, raw, span) == pagefind_output._piece(postings)
            for _form, form_postings, form_span in variants:
                assert pagefind_output._piece(form_postings, raw, form_span) == pagefind_output._piece(form_postings)


def test_chunk_encoder_writes_what_cbor2_writes():
    """Integers and lengths at every CBOR size boundary, variants, non-ASCII words."""
    edges = [0, 1, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32]
    locs = edges + [-1 - n for n in edges]
    words = [
        ["a", [[0, locs, []], [3, [], [-1, 0, 0]]], []],
        ["é" * 30, [[1, list(range(300)), [-2, 5]]], [["éé", [[0, [1] * 70000, []]]]]],
        ["unicod", [], [["ünïcödé", [[2, [-25, 8], []]]]]],
    ]
    assert chunk_bytes(words) == SIGNATURE + cbor2.dumps([words])


@pytest.mark.parametrize("shard_pages", [1, 7])
def test_merged_shards_hold_what_one_run_holds(site, tmp_path, shard_pages):
    """The seed site in one shard per page, or 3 shards: every page, word (with its locations on
    each page), filter value, sort and metadata field, as one Pagefind run over the whole site has
    them. Listing pages (no ``data-pagefind-body``) stay out even where a shard would hold nothing
    else."""
    merged = sharded(site, tmp_path / "merged", shard_pages)
    one = one_run(site, tmp_path / "one")
    assert len(json.loads((merged / "pagefind-entry.json").read_text())["languages"]) == 1
    assert contents(merged, "date") == contents(one)
    assert not [p for p in (merged / "index").iterdir() if not p.name.endswith(".pf_index")]


def test_kept_bundles_are_merged_again_without_decoding_them(site, tmp_path, monkeypatch):
    """Each bundle is decoded once into the form the merge joins (``prepare_bundles``), kept in
    the bundle: a build whose shards are all kept merges them again from that form alone, into
    the same bytes."""
    cache = tmp_path / "cache"
    shutil.copytree(site, tmp_path / "first", ignore=shutil.ignore_patterns("pagefind"))
    assert index_site(tmp_path / "first", quiet=True, shard_pages=3, cache=cache)
    prepared = sorted(p.relative_to(cache).parts[0] for p in cache.glob("*/.merge/*.marshal"))
    assert prepared == sorted(p.name for p in cache.iterdir() if p.is_dir()) and len(prepared) > 2

    def decode(*args):
        raise AssertionError("a kept bundle was decoded again")

    monkeypatch.setattr(pagefind_output, "_prepare", decode)
    shutil.copytree(site, tmp_path / "second", ignore=shutil.ignore_patterns("pagefind"))
    assert index_site(tmp_path / "second", quiet=True, shard_pages=3, cache=cache)
    assert tree(tmp_path / "second" / "pagefind") == tree(tmp_path / "first" / "pagefind")


def test_without_a_second_core_each_bundle_is_decoded_once(site, tmp_path, monkeypatch):
    """Half the bundles are prepared in a forked child; with no child (one core), the build's
    process prepares them all, and none twice."""
    from newsarchive.site import forked_call

    monkeypatch.setattr(forked_call, "forking_helps", lambda: False)
    decoded = []
    real = pagefind_output._prepare
    monkeypatch.setattr(
        pagefind_output, "_prepare", lambda bundle, *rest: decoded.append(bundle) or real(bundle, *rest)
    )
    shutil.copytree(site, tmp_path / "first", ignore=shutil.ignore_patterns("pagefind"))
    assert index_site(tmp_path / "first", quiet=True, shard_pages=3, cache=tmp_path / "cache")
    assert len(decoded) == len(set(decoded)) > 2


def test_only_pages_marked_for_search_are_indexed(tmp_path):
    site = tmp_path / "site"
    write_page(site, "stories/a/index.html", "<p>a</p>")
    (site / "stories" / "index.html").write_text(
        "<html><body><main><p>data-pagefind-body &lt;b data-pagefind-body&gt;</p>"
    )
    (site / "about").mkdir()
    (site / "about" / "index.html").write_text("<html><body><main data-pagefind-body>about</main>")
    assert indexed_pages(site) == [Path("stories/a/index.html")]


def test_a_site_with_nothing_to_index_gets_no_index(site, tmp_path, serve, page):
    """Pagefind cannot write an empty index (it exits 1); the build goes on without one, and the
    search page says that search is unavailable."""
    (tmp_path / "empty" / "stories").mkdir(parents=True)
    (tmp_path / "empty" / "stories" / "index.html").write_text("<html><body><main>no stories yet</main>")
    assert index_site(tmp_path / "empty", quiet=True)
    assert not (tmp_path / "empty" / "pagefind").exists()

    shutil.copytree(site, tmp_path / "no-index", ignore=shutil.ignore_patterns("pagefind"))
    page.goto(f"{serve(tmp_path / 'no-index')}/search/?q=Heffernan")
    expect(page.locator("#search-status")).to_contain_text("Search is unavailable")


def write_page(root: Path, path: str, body: str, head: str = "", lang: str = "en") -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(
        f'<!DOCTYPE html><html lang="{lang}"><head><title>t</title>{head}</head>'
        f"<body><main data-pagefind-body>{body}</main></body></html>",
        encoding="utf-8",
    )


def test_word_variants_and_metadata_fields_merge_across_shards(tmp_path):
    """Forms indexed under another word (``café`` under ``cafe``), a word only some shards have,
    and metadata fields only some pages carry (a page's meta locations name fields by position in
    its own bundle's field list) come out as from one run, one page per shard."""
    site = tmp_path / "site"
    write_page(
        site, "stories/a/index.html", '<h1 data-pagefind-meta="title">Café naïve</h1><p>cafe</p>' + dated("2011")
    )
    write_page(
        site,
        "stories/b/index.html",
        '<h1 data-pagefind-meta="title">Ünïcödé café</h1>'
        f"<p>naive</p>{dated('2010-12-17')}"
        '<img data-pagefind-meta="image[src]" src="/x.png" alt="">',
    )
    write_page(site, "stories/c/index.html", '<p data-pagefind-filter="type:story">cafe unicode</p>' + dated("2011"))
    write_page(
        site,
        "people/d/index.html",
        f'<p>Café</p>{dated("2009-01-01")}<span data-pagefind-filter="type:person">x</span>',
    )
    # pages in another language have an index of their own, in the shards that hold them
    write_page(site, "stories/e/index.html", "<p>Café au lait</p>" + dated("2010"), lang="fr")
    write_page(site, "stories/f/index.html", "<p>Le café</p>" + dated("2008"), lang="fr")
    for shard_pages in (1, 2):
        merged = sharded(site, tmp_path / f"merged{shard_pages}", shard_pages)
        assert contents(merged, "date") == contents(one_run(site, tmp_path / f"one{shard_pages}"))
    words = {w[0]: w for w in contents(merged, "date")["en"]["words"]}
    assert set(words["cafe"][2]["café"]) == {"/stories/a/", "/stories/b/", "/people/d/"}
    assert contents(merged, "date")["en"]["sorts"]["date"][0] == ["2009-01-01", "2010-12-17", "2011", "2011"]
    assert set(contents(merged, "date")["fr"]["pages"]) == {"/stories/e/", "/stories/f/"}


def dated(date: str) -> str:
    """The date sort and metadata every indexed page of the archive carries."""
    return f'<i data-pagefind-meta="date:{date}" data-pagefind-sort="date:{date}"></i>'


def test_two_builds_write_identical_bytes(site, tmp_path):
    """Pagefind writes filter values in a different order on each run; the merged bundle is the
    same, file for file."""
    one, two = sharded(site, tmp_path / "one", 7), sharded(site, tmp_path / "two", 7)
    assert tree(one).keys() == tree(two).keys()
    assert [name for name, raw in tree(one).items() if tree(two)[name] != raw] == []


def test_merged_files_are_consistent(site, tmp_path):
    bundle = sharded(site, tmp_path / "merged", 7)
    meta_files = list(bundle.glob("pagefind.*.pf_meta"))
    assert len(meta_files) == 1
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["hash"] == meta_files[0].name.split(".")[1]
    meta = read_pf(meta_files[0])
    assert entry["languages"]["en"]["page_count"] == len(meta[1]) == len(indexed_pages(site))
    assert {f"{h}.pf_fragment" for h, _ in meta[1]} == {p.name for p in (bundle / "fragment").iterdir()}
    assert {f"{h}.pf_index" for _, _, h in meta[2]} == {p.name for p in (bundle / "index").iterdir()}
    assert {f"{h}.pf_filter" for _, h in meta[3]} == {p.name for p in (bundle / "filter").iterdir()}
    assert [name for name, _ in meta[3]] == sorted(name for name, _ in meta[3])
    for _, h in meta[3]:
        assert re.fullmatch(r"en_[0-9a-f]{7}", h)
        name, values = read_pf(bundle / "filter" / f"{h}.pf_filter")
        assert [v for v, _ in values] == sorted(v for v, _ in values), name
        assert all(pages == sorted(pages) for _, pages in values), name
    for asset in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind"):
        assert (bundle / asset).read_bytes() == (site / "pagefind" / asset).read_bytes()


def test_chunk_bounds_are_each_chunks_first_and_last_word(site):
    pagefind = site / "pagefind"
    meta = read_pf(next(pagefind.glob("pagefind.*.pf_meta")))
    for first, last, name in meta[2]:
        words = [word[0] for word in read_pf(pagefind / "index" / f"{name}.pf_index")[0]]
        assert (first, last) == (words[0], words[-1] + "\0")


def fragment_urls(bundle: Path) -> list[str]:
    """The URL of each page of a bundle, in its order, by way of its fragment file."""
    meta = read_pf(next(bundle.glob("pagefind.*.pf_meta")))
    return [
        json.loads(gzip.decompress((bundle / "fragment" / f"{h}.pf_fragment").read_bytes())[len(SIGNATURE) :])["url"]
        for h, _ in meta[1]
    ]


def test_fragment_names_carry_the_date_order_and_change_with_any_page(tmp_path):
    """A page's fragment is named ``en_<version>_<rank>``: its place in date order (base 36) and
    a version of all the fragments, so a name never stands for other bytes in another build
    (browsers may keep fragments cached). The date sort is left out of the metadata."""
    site = tmp_path / "site"
    dates = {"a": "2010-12-17", "b": "2009-03-01", "c": "2010-01-05", "d": "2008-07-30"}
    for name, date in dates.items():
        write_page(site, f"stories/{name}/index.html", f"<p>page {name}</p>{dated(date)}")
    bundle = sharded(site, tmp_path / "one", 2)
    meta = read_pf(next(bundle.glob("pagefind.*.pf_meta")))
    assert meta[4] == []  # no sort in the metadata
    names = dict(zip(fragment_urls(bundle), (h for h, _ in meta[1]), strict=True))
    assert all(re.fullmatch(r"en_[0-9a-f]{8}_[0-9a-z]+", name) for name in names.values())
    by_rank = sorted(names, key=lambda url: int(names[url].rpartition("_")[2], 36))
    assert by_rank == ["/stories/d/", "/stories/b/", "/stories/c/", "/stories/a/"]
    assert len({name.split("_")[1] for name in names.values()}) == 1

    assert read_pf(next(sharded(site, tmp_path / "again", 2).glob("*.pf_meta")))[1] == meta[1]
    write_page(site, "stories/c/index.html", f"<p>page c, corrected</p>{dated(dates['c'])}")
    changed = read_pf(next(sharded(site, tmp_path / "changed", 2).glob("*.pf_meta")))[1]
    assert not {h for h, _ in changed} & {h for h, _ in meta[1]}


def test_a_page_without_the_date_sort_fails_the_merge_cleanly(tmp_path, capsys):
    site = tmp_path / "site"
    write_page(site, "stories/a/index.html", f"<p>a</p>{dated('2010-01-01')}")
    write_page(site, "stories/b/index.html", "<p>b</p>")
    assert index_site(site, quiet=True, shard_pages=1) is False
    err = capsys.readouterr().err
    assert "the search index could not be merged: /stories/b/: no 'date' sort value (1 such pages)" in err
    assert "Traceback" not in err and not (site / "pagefind").exists()


def test_a_sort_the_merge_cannot_rebuild_fails_the_build_cleanly(tmp_path, capsys):
    """Sort values are read back from the pages' metadata of the same name; a page sorted by a
    value it does not also carry as metadata cannot be placed, so the merge stops."""
    site = tmp_path / "site"
    write_page(site, "stories/a/index.html", '<p data-pagefind-sort="date:2010-01-01">a</p>')
    write_page(site, "stories/b/index.html", f"<p>b</p>{dated('2009-01-01')}")
    assert index_site(site, quiet=True, shard_pages=1) is False
    err = capsys.readouterr().err
    assert "the search index could not be merged" in err and "sort 'date'" in err
    assert "Traceback" not in err and not (site / "pagefind").exists()
    assert not list(tmp_path.glob(".pagefind-shards-*"))  # the shard trees are cleaned up


def test_a_failed_shard_fails_the_build_cleanly(tmp_path, capsys, monkeypatch):
    """Pagefind failing on one shard stops the others and the merge; nothing is left behind."""
    import newsarchive.site.build as build

    site = tmp_path / "site"
    for name in "abcde":
        write_page(site, f"stories/{name}/index.html", f"<p>page {name}</p>")
    real = build.pagefind_command

    def failing_on_shard_2(root: Path) -> list[str]:
        return [sys.executable, "-c", "import sys; sys.exit(3)"] if root.name == "2" else real(root)

    monkeypatch.setattr(build, "pagefind_command", failing_on_shard_2)
    assert index_site(site, quiet=True, shard_pages=2) is False
    assert "pagefind, shard 2 of 3 exited with status 3" in capsys.readouterr().err
    assert not (site / "pagefind").exists() and not list(tmp_path.glob(".pagefind-shards-*"))


def test_a_bad_shard_size_is_a_clear_error(tmp_path):
    env = {**os.environ, "ARCHIVE_SEARCH_SHARD_PAGES": "0"}
    done = run_build(ROOT / "content", tmp_path / "out", env=env)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "ARCHIVE_SEARCH_SHARD_PAGES='0': expected a whole number of pages" in done.stderr
    assert not (tmp_path / "out").exists()


def test_search_and_filters_work_on_a_merged_index(site, tmp_path, serve, page):
    """The session's site is built in shards of 7 pages (conftest); this one in shards of 3."""
    base = serve(sharded(site, tmp_path / "merged", 3).parent)
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


SEARCH_JS = """async ([q, instance]) => {
  const pagefind = await import('/pagefind/pagefind.js?instance=' + instance);  // a new module each time
  await pagefind.init();
  const search = await pagefind.search(q);
  return await Promise.all(search.results.map(async (r) => (await r.data()).url));
}"""


def test_exact_chunk_bounds_fetch_less_and_find_the_same(tmp_path, serve, page):
    """A site whose index has many chunks, one of them ending in the common word "of": searching
    "officials" (indexed as its stem) made the browser fetch that chunk too. After the merge
    (here of one bundle), every query finds the same pages and no query fetches more of the index."""
    for i in range(40):
        words = ["of"] * 20 + ["officials" if i % 2 else "official", f"page{i}", "offer" if i % 3 else "report"]
        write_page(tmp_path / "site", f"p{i}/index.html", f"<h1>Page {i}</h1><p>{' '.join(words)}</p>")
    env = {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": "30"}  # many small chunks
    cmd = [sys.executable, "-m", "pagefind", "--site", str(tmp_path / "site"), "--silent"]  # every page
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    shutil.copytree(tmp_path / "site", tmp_path / "exact", ignore=shutil.ignore_patterns("pagefind"))
    merge_bundles([tmp_path / "site" / "pagefind"], tmp_path / "exact" / "pagefind", 30)
    assert len(read_pf(next((tmp_path / "exact" / "pagefind").glob("*.pf_meta")))[2]) >= 5

    queries = ("officials", "official", "of", "offer", "offi", "page7", "report", "officials page3")

    def searches(site: Path) -> dict[str, tuple[list[str], int]]:
        """For each query, the results' URLs and the bytes of the index chunks fetched for them
        (their files' sizes: the route sees each request before the search can use it, unlike
        request events). Each search imports Pagefind anew, and a routed page has no HTTP cache:
        it fetches what it needs as a page just opened would."""
        page.goto(f"{serve(site)}/p0/")
        found = {}
        fetched = []

        def record(route):
            fetched.append(urlsplit(route.request.url).path)
            route.continue_()

        page.route("**/pagefind/index/*", record)
        try:
            for n, query in enumerate(queries):
                fetched.clear()
                urls = page.evaluate(SEARCH_JS, [query, n])
                assert fetched, query  # every search reads the index
                found[query] = urls, sum((site / path.lstrip("/")).stat().st_size for path in fetched)
        finally:
            page.unroute("**/pagefind/index/*", record)
        return found

    cold, exact = searches(tmp_path / "site"), searches(tmp_path / "exact")
    for query in queries:
        (before, before_bytes), (after, after_bytes) = cold[query], exact[query]
        assert after == before and before, query
        assert after_bytes <= before_bytes, query
        if query == "officials":
            assert after_bytes < before_bytes
