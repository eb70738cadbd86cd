"""Make Pagefind's output deterministic, and its chunk list exact.

**Deterministic:** the same site gives the same ``pagefind/`` bytes.

Pagefind 1.5.2 writes each filter's values in Rust ``HashMap`` order, which changes from run to
run. Its files are named by a hash of their content, so the filter file names change, and with
them the metadata file (``pagefind.<hash>.pf_meta``, which lists the filter files) and
``pagefind-entry.json`` (which names the metadata file). :func:`canonicalize` rewrites those
files in a canonical form: filter values sorted, gzip with a fixed header, names from a hash of
the canonical bytes. The browser finds every file by the names written in these two files and
checks no integrity hash, so renaming them is safe.

**Exact chunk list:** the metadata lists the word-index chunks as ``[from, to, file]``, and the
browser fetches every chunk whose range could hold a query word. Pagefind writes ``from`` and
``to`` as the shortest prefixes that tell neighbouring chunks apart, and for a word it did not
index as typed (``officials``, indexed as its stem ``offici``) the browser also fetches each
chunk whose ``to`` is a prefix of the word: the chunk ending in ``of``, 240 KB at 10,000
stories, for every query starting with "of". :func:`exact_chunk_bounds` writes each chunk's
first and last word instead, the last followed by U+0000, so that a chunk ending in ``of`` no
longer matches ``off…`` (docs/SEARCH.md). The chunks themselves are not changed.

A Pagefind data file is ``gzip(b"pagefind_dcd" + CBOR(...))``, read and written with cbor2;
re-encoding what Pagefind wrote gives its bytes back (tested).
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
from pathlib import Path

import cbor2

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


def content_name(old: str, raw: bytes) -> str:
    """A name shaped like ``old`` (``en_`` + hex digits of the same length) from a hash of ``raw``."""
    prefix, _, digits = old.rpartition("_")
    return f"{prefix}_{hashlib.sha256(raw).hexdigest()[: len(digits)]}"


def canonical_filter(value: list) -> list:
    """A filter file's ``[name, [[value, [pages...]], ...]]`` with values sorted by string and
    each page list sorted. Duplicate pages are kept: the browser counts a value's pages with
    ``pages.len()``, so a page listed twice (a value given twice on it) counts twice."""
    name, values = value
    return [name, sorted(([v, sorted(pages)] for v, pages in values), key=lambda item: item[0])]


def canonicalize(pagefind_dir: Path) -> None:
    """Rewrite ``pagefind_dir`` (Pagefind's output) in canonical form, in place.

    The metadata file is ``[version, pages, index chunks, filters, sorts, meta fields]``. The
    ``filters`` (``[[name, filter file hash], ...]``, read into a map by the browser) get new
    hashes, sorted by name; the index chunks get exact bounds. The page list and the sort orders
    are positional and kept.
    A missing ``pagefind_dir`` (a build without search) is left alone.
    """
    if not pagefind_dir.exists():
        return
    entry_path = pagefind_dir / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_path = pagefind_dir / f"pagefind.{language['hash']}.pf_meta"
        meta = read_pf(meta_path)
        if not (isinstance(meta, list) and len(meta) == 6 and meta[0] == entry["version"]):
            raise ValueError(f"{meta_path}: unexpected Pagefind metadata layout")
        meta[2] = exact_chunk_bounds(meta[2], pagefind_dir / "index")
        meta[3] = sorted([name, _canonicalize_filter(pagefind_dir / "filter", old)] for name, old in meta[3])
        raw = pf_bytes(meta)
        new_hash = content_name(language["hash"], raw)
        meta_path.unlink()
        (pagefind_dir / f"pagefind.{new_hash}.pf_meta").write_bytes(gzip_fixed(raw))
        language["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _canonicalize_filter(filter_dir: Path, old: str) -> str:
    """Rewrite one filter file in canonical form under its new name; returns the new hash."""
    path = filter_dir / f"{old}.pf_filter"
    raw = pf_bytes(canonical_filter(read_pf(path)))
    new = content_name(old, raw)
    path.unlink()
    (filter_dir / f"{new}.pf_filter").write_bytes(gzip_fixed(raw))
    return new


def exact_chunk_bounds(chunks: list, index_dir: Path) -> list:
    """``[[first word, last word + "\\0", file], ...]`` for Pagefind's ``[[from, to, file], ...]``.

    The browser fetches a chunk when a query word lies in ``[from, to]``; failing that, when the
    word's first characters (as many as ``from`` / ``to`` have) lie between them. With the real
    first and last words, every indexed word is found in its own chunk's range. The U+0000 after
    the last word keeps the second test from matching a chunk whose last word is a proper prefix
    of the query word (``of`` for ``officials``): such a chunk holds only words that sort before it.
    """
    exact = []
    # Decoding makes millions of lists, and each cyclic-GC pass would rescan every one still alive
    # (and anything else the process holds): at 10,000 stories 8.8 s instead of 5.4 s alone, and
    # 33.7 s instead of 5.1 s beside a loaded archive. The decoded chunks hold no cycles and are
    # freed by reference counting.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _from, _to, name in chunks:
            words = read_pf(index_dir / f"{name}.pf_index")[0]
            exact.append([words[0][0], words[-1][0] + "\0", name] if words else [_from, _to, name])
    finally:
        if gc_was_enabled:
            gc.enable()
    return exact
