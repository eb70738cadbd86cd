"""Merge Pagefind bundles into one bundle, deterministic and with an exact chunk list.

**Why merge:** Pagefind's indexer holds every page it reads until it writes, so its memory grows
with the site. The build therefore indexes the site in shards of a few thousand pages, one Pagefind
run each, and :func:`merge_bundles` joins their outputs into the single bundle a browser loads: one
metadata file, one WebAssembly module, one word index. A query fetches what it would from one run
over the whole site (tested against one).

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

**Fragment names:** Pagefind names a fragment by 7 hex digits of a hash of its content. Every query
loads the page list, and those digits are random to gzip: they make most of the metadata's bytes,
and the date sort, a random-looking order of every page, adds more. The merge names a page's
fragment ``<language>_<version>_<rank>``: ``rank`` in base 36 is the page's place in one sort (the
build uses ``date``; without one, its place in the page list), and ``version`` is 8 hex digits of a
hash of every fragment's bytes in that order, so a name never stands for other bytes in another
build (a browser may have the old file cached). Names that count up gzip to far fewer bytes, and
that sort is left out of the metadata: the search page orders results by the rank in their names
(``theme/static/js/search.js``).

**Exact chunk list:** the metadata lists the word-index chunks as ``[from, to, file]``, and the
browser fetches every chunk whose range could hold a query word. Pagefind writes ``from`` and ``to``
as the shortest prefixes that tell neighbouring chunks apart, and for a word it did not index as
typed (``officials``, indexed as its stem ``offici``) the browser also fetches each chunk whose
``to`` is a prefix of the word: the chunk ending in ``of`` for every query starting with "of". The
merge writes each chunk's first and last word instead, the last followed by U+0000, so that a chunk
ending in ``of`` no longer matches ``off…`` (docs/SEARCH.md).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import json
import marshal
import os
import shutil
import struct
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import cbor2
import deflate

from newsarchive.model.story import MARSHAL_VERSION
from newsarchive.site.atomic_write import write_atomically
from newsarchive.site.faults import note_discarded
from newsarchive.site.forked_call import map_in_two
from newsarchive.site.progress import paused_gc

SIGNATURE = b"pagefind_dcd"

# The Pagefind release whose private index format this merge reads and writes, and whose result
# ids theme/static/js/search.js parses; requirements.txt pins the same.
PAGEFIND_FORMAT_VERSION = "1.5.2"


def installed_pagefind_version() -> str | None:
    """The version of the installed ``pagefind_bin`` (the binary the build runs), else of
    ``pagefind``; None if neither is installed."""
    for name in ("pagefind_bin", "pagefind"):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return None


def pagefind_version_problem() -> str | None:
    """One line saying why the build must not run with the installed Pagefind, or None when it
    is the version this merge was written for (PAGEFIND_FORMAT_VERSION)."""
    installed = installed_pagefind_version()
    if installed == PAGEFIND_FORMAT_VERSION:
        return None
    return (
        f"Pagefind {installed or '(not installed)'} is installed, but the search index merge "
        f"(newsarchive/site/pagefind_output.py) and theme/static/js/search.js are written for Pagefind "
        f"{PAGEFIND_FORMAT_VERSION}'s private index format; install pagefind[bin]=={PAGEFIND_FORMAT_VERSION} "
        "(requirements.txt) or update the merge"
    )


# --- Pagefind files -------------------------------------------------------------------------------


def read_pf(path: Path):
    """The CBOR value inside a Pagefind data file."""
    return cbor2.loads(_pf_raw(path))


def _pf_raw(path: Path) -> bytes:
    """A Pagefind data file's CBOR bytes (after its signature)."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind data file")
    return raw[len(SIGNATURE) :]


def pf_bytes(value) -> bytes:
    """Uncompressed canonical content of a Pagefind data file."""
    return SIGNATURE + cbor2.dumps(value)


def gzip_fixed(raw: bytes, level: int = 12) -> bytes:
    """gzip by libdeflate (levels 1-12): a fixed header (no file name, mtime 0), so equal input
    gives equal bytes. It releases the GIL, so the merge compresses on two threads."""
    return deflate.gzip_compress(raw, level)


# The word-index chunks are most of the bytes the merge compresses, and a query fetches only one
# or two of them: they are written at 6, where level 12 costs much more time for a few percent
# fewer bytes. The metadata file every query fetches, and the filters, are small and written at 12.
CHUNK_GZIP_LEVEL = 6


# --- a fast encoder for word-index chunks ---------------------------------------------------------
# These functions encode faster than cbor2 because they know the chunk's shape; they write the
# bytes cbor2 writes (tested on every chunk of a real index).


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
    """``[[page delta, locations, meta locations], ...]`` encoded: one list of pieces joined once,
    with no function call per posting (this is the encoder's inner loop)."""
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


def _word_bytes(word: str, postings: bytes, variants: list[tuple[str, bytes]]) -> bytes:
    """A word-index entry ``[word, postings, [[form, postings], ...]]`` from its postings, encoded."""
    forms = (b"\x82" + _text(form) + encoded for form, encoded in variants)
    return b"".join((b"\x83", _text(word), postings, _array(len(variants)), *forms))


def _chunk_bytes(words: list[bytes]) -> bytes:
    """A word-index chunk's uncompressed content from its encoded entries (``_word_bytes``)."""
    return SIGNATURE + b"\x81" + _array(len(words)) + b"".join(words)


def chunk_bytes(words: list) -> bytes:
    """``pf_bytes([words])`` for a word-index chunk, faster."""
    return _chunk_bytes([_word_bytes(w[0], _postings(w[1]), [(form, _postings(p)) for form, p in w[2]]) for w in words])


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
    sort_names = list(dict.fromkeys([*([name_order] if name_order else []), *_sort_names(metas)]))
    prefix = parts[0][1]["hash"].rpartition("_")[0]
    prepared = prepare_bundles([bundle for bundle, _ in parts], metas, fields, sort_names)
    sources = [
        bundle / "fragment" / f"{fragment}.pf_fragment"
        for (bundle, _), meta in zip(parts, metas, strict=True)
        for fragment, _ in meta[1]
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        names = _Names(prefix, pool)
        order = range(len(sources))
        if name_order is not None:
            order = _merged_sort(name_order, parts, metas, offsets, prepared)
            if len(order) != len(sources):
                unsorted = sorted(set(range(len(sources))) - set(order))
                page = json.loads(gzip.decompress(sources[unsorted[0]].read_bytes())[len(SIGNATURE) :])
                raise ValueError(f"{page['url']}: no {name_order!r} sort value ({len(unsorted)} such pages)")
        digests = [digest for prep in prepared for digest in prep.fragments]
        fragment_names = _fragment_names(prefix, digests, order)
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
            [name, _merged_sort(name, parts, metas, offsets, prepared)] for name in sort_names if name != name_order
        ]
        chunks = _write_chunks(_merged_words(prepared, offsets), out / "index", chunk_size, names)
        raw = pf_bytes([version, pages, chunks, filters, sorts, fields])
        meta_hash = names.write(raw, out, "pagefind.{}.pf_meta", digits=10)
        names.wait()
    return {"hash": meta_hash, "page_count": len(pages), "wasm": parts[0][1]["wasm"]}


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

    def write(self, raw: bytes, directory: Path, template: str, digits: int = 7, level: int = 9) -> str:
        """Write the data file ``raw`` (gzipped) as ``directory/template.format(name)``, its name
        from a hash of ``raw``, lengthened if taken; returns the name."""
        name = self._free(directory, hashlib.sha256(raw).hexdigest(), digits)
        path = directory / template.format(name)
        self.writes.append(self.pool.submit(lambda: path.write_bytes(gzip_fixed(raw, level))))
        self.taken[directory][name] = path
        return name

    def wait(self) -> None:
        """Wait for every write; raises the first write's error."""
        for write in self.writes:
            write.result()


# --- prepared bundles -----------------------------------------------------------------------------
# Decoding a bundle's word index and encoding it again would be most of the merge. Merged, a word's
# postings are each bundle's postings one after another, and only the first posting of each bundle
# changes: it counts pages from the previous bundle's last posting of the word. So each bundle is
# decoded once into a *prepared* form, kept in the bundle (``.merge/<tag>.marshal``, beside the
# search shards a build keeps): per word, its postings as encoded bytes less that first page number.
# Merging is then joining bytes. A bundle the last build prepared (a shard whose pages did not
# change) is not decoded again. The postings' bytes are cut from Pagefind's chunk rather than
# encoded again, which is faster.

PREPARED_FORMAT = 1


class Prepared(NamedTuple):
    """A bundle ready to merge: ``words``, each ``(word, positions, piece, ((form, piece), ...))``
    in word order (``piece`` below, the word's own postings, then each indexed form's); for each
    page, the sha256 of its fragment file (``fragments``) and its value of each sort (``sorts``)."""

    words: list
    fragments: list[bytes]
    sorts: dict[str, list]


def prepare_bundles(bundles: list[Path], metas: list, fields: list[str], sort_names: list[str]) -> list[Prepared]:
    """Each bundle's :class:`Prepared` form for a merge whose metadata fields are ``fields``:
    read from the bundle if an earlier merge kept it there, else made (half of them in a forked
    child) and kept."""
    tag = hashlib.sha256(
        marshal.dumps((PREPARED_FORMAT, marshal.version, sys.version, fields, sort_names), MARSHAL_VERSION)
    ).hexdigest()[:16]
    files = [bundle / ".merge" / f"{tag}.marshal" for bundle in bundles]
    todo = [n for n, file in enumerate(files) if not file.is_file()]

    def prepare(numbers: list[int]) -> list[None]:
        for n in numbers:
            _keep(files[n], _prepare(bundles[n], metas[n], fields, sort_names))
        return [None] * len(numbers)  # kept in the files

    map_in_two(prepare, todo)
    prepared = []
    for bundle, meta, file in zip(bundles, metas, files, strict=True):
        try:
            prepared.append(Prepared(*marshal.loads(file.read_bytes())))
        except (OSError, EOFError, ValueError, TypeError) as error:  # cut short: made again
            note_discarded(file, error)
            made = _prepare(bundle, meta, fields, sort_names)
            _keep(file, made)
            prepared.append(Prepared(*made))
    return prepared


def _keep(file: Path, prepared: tuple) -> None:
    """Write ``file`` whole or not at all, dropping what other tags left beside it."""
    file.parent.mkdir(exist_ok=True)
    for old in file.parent.iterdir():
        old.unlink()
    write_atomically(file, marshal.dumps(prepared))


def _prepare(bundle: Path, meta: list, fields: list[str], sort_names: list[str]) -> tuple:
    """:class:`Prepared` of one bundle, as a tuple. A posting's meta locations name metadata
    fields by position in the bundle's own field list (``-1 - position``, then locations): they
    are renumbered for the merged list ``fields``. Postings are copied as Pagefind encoded them
    (the same bytes an encoder writes, tested), except those whose meta locations change."""
    renumber = {-1 - old: -1 - fields.index(field) for old, field in enumerate(meta[5])}
    if all(old == new for old, new in renumber.items()):
        renumber = {}
    words = []
    # Decoding makes millions of lists that hold no cycles
    with paused_gc():
        for _start, _to, name in meta[2]:
            path = bundle / "index" / f"{name}.pf_index"
            raw = _pf_raw(path)
            try:
                entries = list(_chunk_entries(raw))
            except (ValueError, cbor2.CBORDecodeError) as err:
                raise ValueError(f"{path}: unexpected Pagefind word-index layout ({err})") from None
            for word, postings, span, variants in entries:
                size, piece = _prepared_postings(postings, raw, span, renumber)
                forms = []
                for form, form_postings, form_span in variants:
                    form_size, form_piece = _prepared_postings(form_postings, raw, form_span, renumber)
                    size += form_size
                    forms.append((form, form_piece))
                words.append((word, size, piece, tuple(forms)))
    fragments, sorts = [], {name: [] for name in sort_names}
    for fragment, _ in meta[1]:
        raw = (bundle / "fragment" / f"{fragment}.pf_fragment").read_bytes()
        fragments.append(hashlib.sha256(raw).digest())
        values = _fragment_meta(gzip.decompress(raw)) if sort_names else {}
        for name in sort_names:
            sorts[name].append(values.get(name))
    return words, fragments, sorts


def _chunk_entries(raw: bytes) -> Iterator[tuple]:
    """Each word of a word-index chunk's CBOR ``[[[word, postings, [[form, postings], ...]], ...]]``
    as ``(word, postings, span, [(form, postings, span), ...])``, each ``span`` the
    ``(start, end)`` of those postings' bytes in ``raw``."""
    fp = io.BytesIO(raw)
    decode = cbor2.CBORDecoder(fp).decode
    if _array_head(fp) != 1:
        raise ValueError("not a one-item array")
    for _ in range(_array_head(fp)):
        if _array_head(fp) != 3:
            raise ValueError("a word entry is not [word, postings, variants]")
        word = decode()
        start = fp.tell()
        postings = decode()
        span = (start, fp.tell())
        variants = []
        for _ in range(_array_head(fp)):
            if _array_head(fp) != 2:
                raise ValueError("a variant is not [form, postings]")
            form = decode()
            start = fp.tell()
            variants.append((form, decode(), (start, fp.tell())))
        yield word, postings, span, variants
    if fp.read(1):
        raise ValueError("bytes after the word list")


def _array_head(fp) -> int:
    """Read a CBOR array head; its length."""
    head = fp.read(1)
    if not head or head[0] >> 5 != 4:
        raise ValueError("expected an array")
    n = head[0] & 31
    if n < 24:
        return n
    if n > 27:
        raise ValueError("an array of indefinite length")
    return int.from_bytes(fp.read(1 << (n - 24)), "big")


def _prepared_postings(postings: list, raw: bytes, span: tuple[int, int], renumber: dict) -> tuple[int, tuple | None]:
    """Pagefind's measure of the postings' size (one per posting plus its locations) and their
    :func:`_piece`, cut from ``raw`` unless ``renumber`` changes their meta locations."""
    meta_count = sum(map(len, map(_META_LOCS, postings)))
    size = len(postings) + sum(map(len, map(_LOCS, postings))) + meta_count
    if meta_count and renumber:
        for posting in postings:
            if posting[2]:
                posting[2] = [renumber.get(v, v) if v < 0 else v for v in posting[2]]
        return size, _piece(postings)
    return size, _piece(postings, raw, span)


def _piece(postings: list, raw: bytes | None = None, span: tuple[int, int] | None = None) -> tuple | None:
    """One bundle's postings of a word as ``(first page, last page, count, first tail, rest)``:
    ``first tail`` the first posting's bytes after its page number, ``rest`` the bytes of the
    others (their page numbers count from the posting before, in the same bundle); None if none.
    The bytes are cut from ``raw[span[0]:span[1]]`` when given (the postings as encoded), else
    encoded."""
    if not postings:
        return None
    first, locs, meta_locs = postings[0]
    tail = _postings([[0, locs, meta_locs]])[3:]  # less the array head, posting head and 0
    skip = len(_array(len(postings))) + 1 + len(_INT(first)) + len(tail)
    last = sum(map(_PAGE, postings))  # the first page, then each posting's delta
    rest = raw[span[0] + skip : span[1]] if raw is not None else _postings(postings)[skip:]
    return first, last, len(postings), tail, rest


def _joined(pieces: list[tuple[int, tuple | None]]) -> bytes:
    """The encoded postings of a word from each bundle's ``(page offset, piece)``, in page order."""
    present = [(offset, piece) for offset, piece in pieces if piece is not None]
    out = [_array(sum(piece[2] for _, piece in present))]
    last = 0  # the page of the previous posting
    for offset, (first, final, _count, tail, rest) in present:
        out += (b"\x83", _INT(offset + first - last), tail, rest)
        last = offset + final
    return b"".join(out)


def _merged_words(prepared: list[Prepared], offsets: list[int]) -> Iterator[tuple[str, int, bytes]]:
    """``(word, positions, encoded)`` for every word of all bundles, in word order, its postings
    (and each indexed form's) joined over the bundles."""
    by_word: dict[str, list] = {}
    for prep, offset in zip(prepared, offsets, strict=True):
        for entry in prep.words:
            found = by_word.get(entry[0])
            if found is None:
                by_word[entry[0]] = [(offset, entry)]
            else:
                found.append((offset, entry))
    for word in sorted(by_word):
        group = by_word.pop(word)
        variants: dict[str, list] = {}
        for offset, entry in group:
            for form, piece in entry[3]:
                variants.setdefault(form, []).append((offset, piece))
        postings = _joined([(offset, entry[2]) for offset, entry in group])
        encoded = _word_bytes(word, postings, [(form, _joined(pieces)) for form, pieces in variants.items()])
        yield word, sum(entry[1] for _, entry in group), encoded


_PAGE, _LOCS, _META_LOCS = itemgetter(0), itemgetter(1), itemgetter(2)


def _write_chunks(words: Iterator[tuple[str, int, bytes]], directory: Path, chunk_size: int, names: _Names) -> list:
    """Write ``words`` (``_merged_words``) as word-index chunks of about ``chunk_size`` positions;
    returns the metadata's chunk list with exact bounds (see the module docstring)."""
    chunks = []
    chunk: list[bytes] = []
    first = last = ""
    size = 0
    for item in itertools.chain(words, [None]):
        if item is not None:
            last, positions, encoded = item
            first = first if chunk else last
            chunk.append(encoded)
            size += positions
        if chunk and (item is None or size >= chunk_size):
            name = names.write(_chunk_bytes(chunk), directory, "{}.pf_index", level=CHUNK_GZIP_LEVEL)
            chunks.append([first, last + "\0", name])
            chunk, size = [], 0
    return chunks


def _sort_names(metas: list) -> list[str]:
    return list(dict.fromkeys(name for meta in metas for name, _ in meta[4]))


def _merged_sort(
    name: str, parts: list[tuple[Path, dict]], metas: list, offsets: list[int], prepared: list
) -> list[int]:
    """The pages ordered by sort ``name`` over all bundles.

    A bundle lists only the order, not the values, so the values are read from the pages'
    metadata of the same name (the theme sets ``data-pagefind-sort`` and ``data-pagefind-meta``
    together). Each bundle's own order must come out of those values as Pagefind orders them
    (by value, then page); otherwise the merge stops rather than guess."""
    if len(metas) == 1:
        return next((order for sort, order in metas[0][4] if sort == name), [])
    keyed = []
    for (bundle, _), meta, offset, prep in zip(parts, metas, offsets, prepared, strict=True):
        order = next((order for sort, order in meta[4] if sort == name), [])
        values = [(prep.sorts[name][page], offset + page) for page in order]
        if any(value is None for value, _ in values) or values != sorted(values):
            raise ValueError(f"{bundle}: sort {name!r} does not follow the pages' {name!r} metadata")
        keyed += values
    return [page for _, page in sorted(keyed)]


def _fragment_names(prefix: str, digests: list[bytes], order: Sequence[int]) -> list[str]:
    """Each page's fragment name, ``<prefix>_<version>_<rank>``: ``rank`` is the page's place in
    ``order`` in base 36, ``version`` a hash of every fragment's sha256 (``digests``) in that
    order, so a name stands for the same bytes in every build that writes it."""
    version = hashlib.sha256()
    for page in order:
        version.update(digests[page])
    tag = version.hexdigest()[:VERSION_DIGITS]
    names = [""] * len(digests)
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


def _fragment_meta(raw: bytes) -> dict:
    """A fragment's ``meta`` object from its decompressed bytes, without parsing the page text
    before it (every sorted page's fragment is read). In JSON a quote
    inside a string is escaped, so ``"meta":{`` occurs only as a key; the last one is the
    fragment's own (``anchors`` after it hold no such key)."""
    at = raw.rfind(_META_KEY)
    if at < 0:
        return json.loads(raw[len(SIGNATURE) :]).get("meta", {})
    return _JSON.raw_decode(raw[at + len(_META_KEY) - 1 :].decode("utf-8"))[0]
