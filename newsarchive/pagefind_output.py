"""Merge Pagefind bundles into one bundle, deterministic and with an exact chunk list.

**Why merge:** Pagefind's indexer holds every page it reads until it writes, about 390 KB per
story page (3.9 GB at 10,000 stories). The build therefore indexes the site in shards of a few
thousand pages, one Pagefind run each, and :func:`merge_bundles` joins their outputs into the
single bundle a browser loads: one metadata file, one WebAssembly module, one word index. A
query fetches what it would from one run over the whole site (tested against one).

**The format (Pagefind 1.5.2).** ``pagefind-entry.json`` names each language's metadata file
``pagefind.<hash>.pf_meta``; that is ``[version, pages, index chunks, filters, sorts, meta
fields]``, where ``pages`` is ``[[fragment hash, word count], ...]`` and every other file
refers to a page by its position in that list. A word-index chunk ``index/<hash>.pf_index``
is ``[[word, postings, variants], ...]`` sorted by word, a posting ``[page delta, locations,
meta locations]`` with pages as differences from the previous posting's (the first from 0),
and ``variants`` ``[[form, postings], ...]`` for forms indexed under the word (``café`` under
``cafe``). A filter file is ``[name, [[value, [page, ...]], ...]]``; a sort is ``[name, [page,
...]]``, the pages ordered by their value. Fragments (``fragment/<hash>.pf_fragment``, gzipped
JSON, one per page) refer to no other page and are linked as they are, under new names. Every
data file is ``gzip(b"pagefind_dcd" + CBOR(...))``, read and written with cbor2; re-encoding
what Pagefind wrote gives its bytes back (tested).

**Deterministic:** Pagefind 1.5.2 writes each filter's values in Rust ``HashMap`` order, which
changes from run to run, and its file names are hashes of their content. The merge writes
filter values sorted, gzip with a fixed header, and names from a hash of the bytes written, so
the same site gives the same ``pagefind/`` bytes. The browser finds every file by the names in
the metadata and entry files and checks no integrity hash, so renaming them is safe.

**Fragment names:** Pagefind names a fragment by 7 hex digits of a hash of its content. Every
query loads the page list, and those digits are random to gzip: at 12,736 pages they made 91 of
the metadata's 141 KB, and the date sort, a random-looking order of every page, 28 KB more. The
merge names a page's fragment ``<language>_<version>_<rank>``: ``rank`` in base 36 is the
page's place in one sort (the build uses ``date``; without one, its place in the page list), and
``version`` is 8 hex digits of a hash of every fragment's bytes in that order, so a name never
stands for other bytes in another build (a browser may have the old file cached). Names that
count up gzip to 61 KB, and that sort is left out of the metadata: the search page orders results
by the rank in their names (``theme/static/js/search.js``).

**Exact chunk list:** the metadata lists the word-index chunks as ``[from, to, file]``, and the
browser fetches every chunk whose range could hold a query word. Pagefind writes ``from`` and
``to`` as the shortest prefixes that tell neighbouring chunks apart, and for a word it did not
index as typed (``officials``, indexed as its stem ``offici``) the browser also fetches each
chunk whose ``to`` is a prefix of the word: the chunk ending in ``of``, 240 KB at 10,000
stories, for every query starting with "of". The merge writes each chunk's first and last word
instead, the last followed by U+0000, so that a chunk ending in ``of`` no longer matches
``off…`` (docs/SEARCH.md).
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import itertools
import json
import os
import shutil
import struct
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from operator import itemgetter
from pathlib import Path

import cbor2

from .forked_call import ForkedCall
from .progress import paused_gc

SIGNATURE = b"pagefind_dcd"


# --- Pagefind files -------------------------------------------------------------------------------


def read_pf(path: Path):
    """The CBOR value inside a Pagefind data file."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind data file")
    return cbor2.loads(raw[len(SIGNATURE) :])


def pf_bytes(value) -> bytes:
    """Uncompressed canonical content of a Pagefind data file."""
    return SIGNATURE + cbor2.dumps(value)


def gzip_fixed(raw: bytes) -> bytes:
    """gzip with a fixed header (no file name, mtime 0), so equal input gives equal bytes."""
    return gzip.compress(raw, compresslevel=9, mtime=0)


# --- a fast encoder for word-index chunks ---------------------------------------------------------
# cbor2 encodes about two million objects a second: re-encoding the 38 MB word index of the
# 10,000-story benchmark took 8.7 s with it and 4.6 s with these functions, which know the
# chunk's shape. They write the bytes cbor2 writes (tested on every chunk of a real index).


def _head(major: int, n: int) -> bytes:
    """A CBOR item head: major type ``major`` (already shifted) with argument ``n``."""
    if n < 24:
        return bytes([major | n])
    for code, fmt, limit in ((24, ">B", 0x100), (25, ">H", 0x10000), (26, ">I", 0x100000000)):
        if n < limit:
            return bytes([major | code]) + struct.pack(fmt, n)
    return bytes([major | 27]) + struct.pack(">Q", n)


class _IntBytes(dict):
    """``int -> CBOR bytes``, filled as integers are met (positions and weights repeat a lot)."""

    def __missing__(self, n: int) -> bytes:
        self[n] = encoded = _head(0x00, n) if n >= 0 else _head(0x20, -1 - n)
        return encoded


_INT = _IntBytes().__getitem__
_ARRAYS = [_head(0x80, n) for n in range(1024)]


def _array(n: int) -> bytes:
    return _ARRAYS[n] if n < 1024 else _head(0x80, n)


def _text(value: str) -> bytes:
    raw = value.encode("utf-8")
    return _head(0x60, len(raw)) + raw


def _postings(postings: list, _int=_INT, _join=b"".join) -> bytes:
    """``[[page delta, locations, meta locations], ...]``: one list of pieces joined once (a
    function call per posting cost a quarter of the encoding time)."""
    out = [_array(len(postings))]
    add, extend = out.append, out.extend
    for delta, locs, meta_locs in postings:
        add(b"\x83")
        add(_int(delta))
        add(_array(len(locs)))
        extend(map(_int, locs))
        if meta_locs:
            add(_array(len(meta_locs)))
            extend(map(_int, meta_locs))
        else:  # most postings: the word is in the page's text only
            add(b"\x80")
    return _join(out)


def _word(word: list) -> bytes:
    variants = (b"\x82" + _text(form) + _postings(postings) for form, postings in word[2])
    return b"".join((b"\x83", _text(word[0]), _postings(word[1]), _array(len(word[2])), *variants))


def chunk_bytes(words: list) -> bytes:
    """``pf_bytes([words])`` for a word-index chunk, faster."""
    return SIGNATURE + b"\x81" + _array(len(words)) + b"".join(map(_word, words))


def canonical_filter(value: list) -> list:
    """A filter file's ``[name, [[value, [pages...]], ...]]`` with values sorted by string and
    each page list sorted. Duplicate pages are kept: the browser counts a value's pages with
    ``pages.len()``, so a page listed twice (a value given twice on it) counts twice."""
    name, values = value
    return [name, sorted(([v, sorted(pages)] for v, pages in values), key=lambda item: item[0])]


# --- merging bundles ------------------------------------------------------------------------------


def merge_bundles(bundles: list[Path], out: Path, chunk_size: int, name_order: str | None = None) -> None:
    """Join Pagefind bundles (``pagefind/`` directories, each over its own pages) into one bundle
    at ``out``, which must not exist. Pages keep the bundles' order; word-index chunks close once
    they hold ``chunk_size`` word positions, as Pagefind's do.

    Fragments are named ``<language>_<version>_<rank>`` (see "Fragment names" in the module
    docstring). With ``name_order``, the name of a sort every page has, the rank is the page's
    place in that sort, and the sort itself is left out of the metadata: the browser orders
    results by the rank in their names instead.

    Raises ``ValueError`` when a bundle is not laid out as this module expects (another Pagefind
    version), its sort orders cannot be rebuilt from the pages' metadata, or a page lacks the
    ``name_order`` sort."""
    entries = [json.loads((b / "pagefind-entry.json").read_text(encoding="utf-8")) for b in bundles]
    for bundle, entry in zip(bundles, entries, strict=True):
        if (entry["version"], entry.get("include_characters")) != (
            entries[0]["version"],
            entries[0].get("include_characters"),
        ):
            raise ValueError(f"{bundle}: made by another Pagefind version or configuration than {bundles[0]}")
    for sub in ("index", "fragment", "filter"):
        (out / sub).mkdir(parents=True)
    for bundle in bundles:  # the search code, WebAssembly and UI files: the same in every bundle
        for path in sorted(bundle.iterdir()):
            if path.is_file() and path.suffix != ".pf_meta" and path.name != "pagefind-entry.json":
                if not (out / path.name).exists():
                    shutil.copyfile(path, out / path.name)
    entry = {key: value for key, value in entries[0].items() if key != "languages"}
    entry["languages"] = {}
    for language in sorted({name for e in entries for name in e["languages"]}):
        parts = [
            (b, e["languages"][language]) for b, e in zip(bundles, entries, strict=True) if language in e["languages"]
        ]
        entry["languages"][language] = _merge_language(parts, out, entries[0]["version"], chunk_size, name_order)
    (out / "pagefind-entry.json").write_text(
        json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8"
    )


def _merge_language(
    parts: list[tuple[Path, dict]], out: Path, version: str, chunk_size: int, name_order: str | None
) -> dict:
    """Merge one language's index from each ``(bundle, entry language)``; returns its entry."""
    metas = []
    for bundle, info in parts:
        meta = read_pf(bundle / f"pagefind.{info['hash']}.pf_meta")
        if not (isinstance(meta, list) and len(meta) == 6 and meta[0] == version):
            raise ValueError(f"{bundle}: unexpected Pagefind metadata layout")
        metas.append(meta)
    wasm = {info["wasm"] for _, info in parts}
    if len(wasm) != 1:
        raise ValueError(f"bundles disagree on the WebAssembly module: {sorted(wasm)}")
    offsets = list(itertools.accumulate((len(meta[1]) for meta in metas), initial=0))[:-1]  # first page of each
    fields = sorted({field for meta in metas for field in meta[5]})  # Pagefind's order (tested)
    prefix = parts[0][1]["hash"].rpartition("_")[0]

    # The word index is most of the work (decoding, joining and encoding millions of postings):
    # each half of the alphabet is merged in a forked child, started before this process starts
    # any thread, into a directory of its own (names are settled below).
    ranges = _word_ranges(metas)
    halves = [
        ForkedCall(
            _merge_words,
            parts,
            metas,
            offsets,
            fields,
            out / "index" / f".{n}",
            chunk_size,
            prefix,
            lo,
            hi,
            enabled=len(ranges) > 1,
        )
        for n, (lo, hi) in enumerate(ranges)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        names = _Names(prefix, pool)
        sources = [
            bundle / "fragment" / f"{fragment}.pf_fragment"
            for (bundle, _), meta in zip(parts, metas, strict=True)
            for fragment, _ in meta[1]
        ]
        order = range(len(sources))
        if name_order is not None:
            order = _merged_sort(name_order, parts, metas, offsets, sources)
            if len(order) != len(sources):
                unsorted = sorted(set(range(len(sources))) - set(order))
                page = json.loads(gzip.decompress(sources[unsorted[0]].read_bytes())[len(SIGNATURE) :])
                raise ValueError(f"{page['url']}: no {name_order!r} sort value ({len(unsorted)} such pages)")
        fragment_names = _fragment_names(prefix, sources, order)
        for source, name in zip(sources, fragment_names, strict=True):
            _link(source, out / "fragment" / f"{name}.pf_fragment")
        word_counts = (word_count for meta in metas for _, word_count in meta[1])
        pages = [[name, word_count] for name, word_count in zip(fragment_names, word_counts, strict=True)]

        filters = []
        for filter_name in sorted({name for meta in metas for name, _ in meta[3]}):
            values: dict[str, list[int]] = {}
            for (bundle, _), meta, offset in zip(parts, metas, offsets, strict=True):
                for name, file in meta[3]:
                    if name == filter_name:
                        for value, on in read_pf(bundle / "filter" / f"{file}.pf_filter")[1]:
                            values.setdefault(value, []).extend(offset + page for page in on)
            raw = pf_bytes(canonical_filter([filter_name, list(values.items())]))
            filters.append([filter_name, names.write(raw, out / "filter", "{}.pf_filter")])

        sorts = [
            [name, _merged_sort(name, parts, metas, offsets, sources)]
            for name in _sort_names(metas)
            if name != name_order
        ]
        chunks = []
        for n, half in enumerate(halves):
            chunks += names.adopt(half.result(), out / "index" / f".{n}", out / "index", "{}.pf_index")
            shutil.rmtree(out / "index" / f".{n}")  # empty, unless a failed child left part of a file
        raw = pf_bytes([version, pages, chunks, filters, sorts, fields])
        meta_hash = names.write(raw, out, "pagefind.{}.pf_meta", digits=10)
        names.wait()
    return {"hash": meta_hash, "page_count": len(pages), "wasm": parts[0][1]["wasm"]}


# Below this many chunks in the largest bundle, the word index is merged in one process: a fork
# costs more than it saves on a small index.
SPLIT_FROM_CHUNKS = 8


def _word_ranges(metas: list) -> list[tuple[str | None, str | None]]:
    """``[(None, None)]``, or two ``(from, to)`` halves of the words (``to`` excluded), split at
    the middle chunk of the bundle with the most chunks."""
    chunks = max((meta[2] for meta in metas), key=len)
    if len(chunks) < SPLIT_FROM_CHUNKS:
        return [(None, None)]
    middle = chunks[len(chunks) // 2][0]
    return [(None, middle), (middle, None)]


def _merge_words(
    parts: list[tuple[Path, dict]],
    metas: list,
    offsets: list[int],
    fields: list[str],
    directory: Path,
    chunk_size: int,
    prefix: str,
    lo: str | None,
    hi: str | None,
) -> list:
    """Merge the words in ``[lo, hi)`` of all bundles into chunk files in ``directory``;
    returns ``[[first word, last word + "\0", name], ...]``."""
    directory.mkdir(parents=True, exist_ok=True)
    # Decoding makes millions of lists (at 10,000 stories, reading the chunks took 8.8 s instead
    # of 5.4 s with the GC paused); the decoded chunks hold no cycles.
    with paused_gc(), ThreadPoolExecutor(max_workers=2) as pool:
        names = _Names(prefix, pool)
        streams = [
            _bundle_words(bundle, meta, offset, fields, lo, hi)
            for (bundle, _), meta, offset in zip(parts, metas, offsets, strict=True)
        ]
        chunks = _write_chunks(_merged_words(streams), directory, chunk_size, names)
        names.wait()
    return chunks


class _Names:
    """Names ``<language>_<hex digits>`` for the word-index chunks, filter files and metadata of
    one language, from a hash of their content, unique within each directory."""

    def __init__(self, prefix: str, pool: ThreadPoolExecutor) -> None:
        self.prefix = prefix
        self.pool = pool  # gzip and writing: zlib lets other threads run while it compresses
        self.writes: list[Future] = []
        self.taken: dict[Path, dict[str, Path]] = {}

    def _free(self, directory: Path, digest: str, digits: int) -> str:
        taken = self.taken.setdefault(directory, {})
        for length in range(digits, len(digest) + 1):
            name = f"{self.prefix}_{digest[:length]}"
            if name not in taken:
                return name
        raise ValueError(f"{directory}: two files with the same content hash")  # sha256: never

    def write(self, raw: bytes, directory: Path, template: str, digits: int = 7) -> str:
        """Write the data file ``raw`` (gzipped) as ``directory/template.format(name)``, its name
        from a hash of ``raw``, lengthened if taken; returns the name."""
        name = self._free(directory, hashlib.sha256(raw).hexdigest(), digits)
        path = directory / template.format(name)
        self.writes.append(self.pool.submit(lambda: path.write_bytes(gzip_fixed(raw))))
        self.taken[directory][name] = path
        return name

    def adopt(self, chunks: list, source: Path, directory: Path, template: str) -> list:
        """Move the chunk files ``chunks`` (``[[first, last, name], ...]``) that another process's
        ``_Names`` wrote in ``source`` into ``directory``. A name taken here (each process knew
        only its own) is lengthened from the hash of the file's content, as ``write`` would."""
        adopted = []
        for first, last, name in chunks:
            path = source / template.format(name)
            if name in self.taken.setdefault(directory, {}):
                digest = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
                name = self._free(directory, digest, len(name.rpartition("_")[2]) + 1)
            final = directory / template.format(name)
            path.rename(final)
            self.taken[directory][name] = final
            adopted.append([first, last, name])
        return adopted

    def wait(self) -> None:
        """Wait for every write; raises the first write's error."""
        for write in self.writes:
            write.result()


def _bundle_words(
    bundle: Path, meta: list, offset: int, fields: list[str], lo: str | None = None, hi: str | None = None
) -> Iterator[tuple[int, list]]:
    """``(offset, [word, postings, variants])`` for every word of one bundle's index in
    ``[lo, hi)`` (None: unbounded), in word order. A posting's meta locations name metadata
    fields by position in the bundle's field list (``-1 - position``, then locations): they are
    renumbered for the merged list ``fields``."""
    renumber = {-1 - old: -1 - fields.index(field) for old, field in enumerate(meta[5])}
    if all(old == new for old, new in renumber.items()):
        renumber = {}
    chunks = meta[2]
    for n, (start, _to, name) in enumerate(chunks):
        # a chunk's words are at least its "from" and below the next chunk's "from"
        end = chunks[n + 1][0] if n + 1 < len(chunks) else None
        if hi is not None and start >= hi:
            break
        if lo is not None and end is not None and end <= lo:
            continue
        for word in read_pf(bundle / "index" / f"{name}.pf_index")[0]:
            if len(word) != 3:
                raise ValueError(f"{bundle}: unexpected Pagefind word-index layout")
            if (lo is not None and word[0] < lo) or (hi is not None and word[0] >= hi):
                continue
            if renumber:
                for posting in itertools.chain(word[1], *map(_LOCS, word[2])):
                    if posting[2]:
                        posting[2] = [renumber.get(v, v) if v < 0 else v for v in posting[2]]
            yield offset, word


def _merged_words(streams: list[Iterator[tuple[int, list]]]) -> Iterator[list]:
    """The words of all bundles (``_bundle_words`` each) in word order, a word's postings (and
    each variant's) joined over the bundles, page numbers moved by each bundle's offset."""
    # heapq.merge is stable: a word found in several bundles comes in bundle order
    merged = heapq.merge(*streams, key=lambda item: item[1][0])
    for _word, group in itertools.groupby(merged, key=lambda item: item[1][0]):
        group = list(group)
        if len(group) == 1 and group[0][0] == 0:
            yield group[0][1]
            continue
        variants: dict[str, list[tuple[int, list]]] = {}
        for offset, word in group:
            for form, postings in word[2]:
                variants.setdefault(form, []).append((offset, postings))
        yield [
            group[0][1][0],
            _joined_postings([(offset, word[1]) for offset, word in group]),
            [[form, _joined_postings(pieces)] for form, pieces in variants.items()],
        ]


def _joined_postings(pieces: list[tuple[int, list]]) -> list:
    """One posting list from per-bundle lists ``(page offset, postings)``, in increasing page order."""
    joined: list = []
    last = 0  # the page of the previous posting
    for offset, postings in pieces:
        if not postings:
            continue
        first = offset + postings[0][0]
        joined.append([first - last, *postings[0][1:]])
        joined.extend(postings[1:])
        last = first + sum(posting[0] for posting in postings[1:])
    return joined


_LOCS, _META_LOCS = itemgetter(1), itemgetter(2)


def _positions(word: list) -> int:
    """Pagefind's measure of a word's size in a chunk: one per posting plus its locations."""
    size = 0
    for postings in itertools.chain((word[1],), map(_LOCS, word[2])):
        size += len(postings) + sum(map(len, map(_LOCS, postings))) + sum(map(len, map(_META_LOCS, postings)))
    return size


def _write_chunks(words: Iterator[list], directory: Path, chunk_size: int, names: _Names) -> list:
    """Write ``words`` as word-index chunks of about ``chunk_size`` positions; returns the
    metadata's chunk list with exact bounds (see the module docstring)."""
    chunks = []
    chunk: list = []
    size = 0
    for word in itertools.chain(words, [None]):
        if word is not None:
            chunk.append(word)
            size += _positions(word)
        if chunk and (word is None or size >= chunk_size):
            name = names.write(chunk_bytes(chunk), directory, "{}.pf_index")
            chunks.append([chunk[0][0], chunk[-1][0] + "\0", name])
            chunk, size = [], 0
    return chunks


def _sort_names(metas: list) -> list[str]:
    return list(dict.fromkeys(name for meta in metas for name, _ in meta[4]))


def _merged_sort(
    name: str, parts: list[tuple[Path, dict]], metas: list, offsets: list[int], sources: list[Path]
) -> list[int]:
    """The pages ordered by sort ``name`` over all bundles (``sources``: each page's fragment).

    A bundle lists only the order, not the values, so the values are read from the pages'
    metadata of the same name (the theme sets ``data-pagefind-sort`` and ``data-pagefind-meta``
    together). Each bundle's own order must come out of those values as Pagefind orders them
    (by value, then page); otherwise the merge stops rather than guess."""
    if len(metas) == 1:
        return next((order for sort, order in metas[0][4] if sort == name), [])
    keyed = []
    for (bundle, _), meta, offset in zip(parts, metas, offsets, strict=True):
        order = next((order for sort, order in meta[4] if sort == name), [])
        values = [(_fragment_meta(sources[offset + page]).get(name), offset + page) for page in order]
        if any(value is None for value, _ in values) or values != sorted(values):
            raise ValueError(f"{bundle}: sort {name!r} does not follow the pages' {name!r} metadata")
        keyed += values
    return [page for _, page in sorted(keyed)]


def _fragment_names(prefix: str, sources: list[Path], order: Sequence[int]) -> list[str]:
    """Each page's fragment name, ``<prefix>_<version>_<rank>``: ``rank`` is the page's place in
    ``order`` in base 36, ``version`` a hash of every fragment's bytes in that order, so a name
    stands for the same bytes in every build that writes it."""
    version = hashlib.sha256()
    for page in order:
        data = sources[page].read_bytes()
        version.update(len(data).to_bytes(8, "big") + data)
    tag = version.hexdigest()[:VERSION_DIGITS]
    names = [""] * len(sources)
    for rank, page in enumerate(order):
        names[page] = f"{prefix}_{tag}_{_base36(rank)}"
    return names


VERSION_DIGITS = 8
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, digit = divmod(n, 36)
        digits = _DIGITS36[digit] + digits
        if not n:
            return digits


def _link(source: Path, path: Path) -> None:
    """Hard-link ``source`` as ``path``, or copy it across filesystems."""
    try:
        os.link(source, path)
    except OSError:
        shutil.copyfile(source, path)


_META_KEY = b'"meta":{'
_JSON = json.JSONDecoder()


def _fragment_meta(path: Path) -> dict:
    """A fragment's ``meta`` object, without parsing the page text before it (at 10,000 stories
    1.4 s instead of 2.9 s for every sorted page). In JSON a quote inside a string is escaped,
    so ``"meta":{`` occurs only as a key; the last one is the fragment's own (``anchors`` after
    it hold no such key)."""
    raw = gzip.decompress(path.read_bytes())
    at = raw.rfind(_META_KEY)
    if at < 0:
        return json.loads(raw[len(SIGNATURE) :]).get("meta", {})
    return _JSON.raw_decode(raw[at + len(_META_KEY) - 1 :].decode("utf-8"))[0]
