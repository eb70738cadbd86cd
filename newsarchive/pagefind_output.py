"""Make Pagefind's output deterministic: the same site gives the same ``pagefind/`` bytes.

Pagefind 1.5.2 writes each filter's values in Rust ``HashMap`` order, which changes from run to
run. Its files are named by a hash of their content, so the filter file names change, and with
them the metadata file (``pagefind.<hash>.pf_meta``, which lists the filter files) and
``pagefind-entry.json`` (which names the metadata file). :func:`canonicalize` rewrites those
files in a canonical form: filter values sorted, gzip with a fixed header, names from a hash of
the canonical bytes. The browser finds every file by the names written in these two files and
checks no integrity hash, so renaming them is safe.

A Pagefind data file is ``gzip(b"pagefind_dcd" + CBOR(...))``; a minimal CBOR codec
(RFC 8949, definite lengths only) is included below.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


# --- CBOR -----------------------------------------------------------------------------------------


def _head(major: int, n: int) -> bytes:
    """A CBOR item head: major type and argument, in the shortest form."""
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(f"integer too large for CBOR: {n}")


def cbor_encode(value) -> bytes:
    """Encode ints, bytes, str, lists/tuples, dicts, bools, None and floats (as 64-bit) to CBOR."""
    if value is False or value is True or value is None:
        return bytes([{False: 0xF4, True: 0xF5, None: 0xF6}[value]])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list | tuple):
        return _head(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    raise TypeError(f"cannot CBOR-encode {type(value).__name__}")


def _decode(data: bytes, pos: int):
    """Decode one item at ``pos``; returns (value, position after it)."""
    first = data[pos]
    major, info = first >> 5, first & 0x1F
    pos += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], pos
        sizes = {25: (2, ">e"), 26: (4, ">f"), 27: (8, ">d")}
        if info in sizes:
            size, fmt = sizes[info]
            return struct.unpack(fmt, data[pos : pos + size])[0], pos + size
        raise ValueError(f"unsupported CBOR simple value {info} at {pos - 1}")
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise ValueError(f"unsupported CBOR length {info} (indefinite?) at {pos - 1}")
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        raw = data[pos : pos + n]
        return (bytes(raw) if major == 2 else raw.decode("utf-8")), pos + n
    if major == 4:
        items = []
        for _ in range(n):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, pos = _decode(data, pos)
            mapping[key], pos = _decode(data, pos)
        return mapping, pos
    raise ValueError(f"unsupported CBOR major type {major} (tag?) at {pos - 1}")


def cbor_decode(data: bytes):
    """Decode a whole CBOR document (one item, nothing after it)."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"trailing bytes after CBOR item: {len(data) - end}")
    return value


# --- Pagefind files -------------------------------------------------------------------------------


def read_pf(path: Path):
    """The CBOR value inside a Pagefind data file."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind data file")
    return cbor_decode(raw[len(SIGNATURE) :])


def pf_bytes(value) -> bytes:
    """Uncompressed canonical content of a Pagefind data file."""
    return SIGNATURE + cbor_encode(value)


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

    The metadata file is ``[version, pages, index chunks, filters, sorts, meta fields]``; only
    ``filters`` (``[[name, filter file hash], ...]``, read into a map by the browser) changes:
    new hashes, sorted by name. The page list and the sort orders are positional and kept.
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
