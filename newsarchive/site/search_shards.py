"""Which pages Pagefind indexes together, and the bundles kept from the last build.

The build indexes the site in shards, one Pagefind run each, and merges their bundles
(``pagefind_output``). A shard's bundle depends only on its pages (their paths and bytes) and on
Pagefind (its version and settings), so a bundle is kept after the build under a key made of
exactly those, and the next build reuses it instead of running Pagefind again when a shard's
pages are the same.

That pays only if adding a story leaves most shards as they were. Shards of a fixed number of
pages in path order would all shift by one page; here a shard ends after a page whose path hashes
to a multiple of a number chosen per kind of page (stories, people, ...), so a new page joins one
shard and the others keep their pages. The number is a power of two near the count of that kind's
pages that make ``target_bytes`` of HTML, which moves only when that kind's average page size
doubles or halves; a shard also ends at ``max_pages`` (Pagefind's memory) and where the kind
changes.

No Pelican import: plain functions over paths and bytes, tested directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from newsarchive.site.faults import note_discarded
from newsarchive.site.file_record import FileRecord
from newsarchive.site.pagefind_output import read_pf

# About this much HTML per shard: small enough that adding a story re-indexes little, large enough
# that a cold build does not pay Pagefind's cost per run many times over.
TARGET_BYTES = 8_000_000


@dataclass(frozen=True)
class IndexedPage:
    path: Path  # relative to the site
    size: int  # bytes
    digest: str  # blake2b of the bytes, hex


def indexed_page(path: Path, data: bytes) -> IndexedPage:
    return IndexedPage(path, len(data), hashlib.blake2b(data, digest_size=20).hexdigest())


class PageRecord(FileRecord):
    """What the last build learnt of each page it read for search: its digest, or None when it is
    not indexed (``newsarchive.site.file_record``). A page the build linked from the last build's
    output instead of rendering it (incremental writing) is the same file, and is not read again.
    Kept as ``FILE``
    in the bundle cache."""

    FILE = ".pages.json"  # hidden: not a bundle

    def __init__(self, directory: Path) -> None:
        super().__init__(directory / self.FILE)


def _cut_hash(path: Path) -> int:
    return int.from_bytes(hashlib.blake2b(path.as_posix().encode("utf-8"), digest_size=8).digest(), "big")


def _every(pages: Sequence[IndexedPage], target_bytes: int) -> int:
    """A power of two near the number of ``pages`` (all of one kind) that make ``target_bytes``."""
    average = max(1, sum(page.size for page in pages) // len(pages))
    wanted = max(1, target_bytes // average)
    return 1 << (wanted.bit_length() - 1)  # the power of two at or below


def plan_shards(
    pages: Sequence[IndexedPage], max_pages: int, target_bytes: int = TARGET_BYTES
) -> list[list[IndexedPage]]:
    """``pages`` (in path order) cut into shards, in the same order: see the module docstring."""
    shards: list[list[IndexedPage]] = []
    for _kind, group in groupby(pages, key=lambda page: page.path.parts[0]):
        group = list(group)
        every = _every(group, target_bytes)
        shard: list[IndexedPage] = []
        for page in group:
            shard.append(page)
            if len(shard) == max_pages or _cut_hash(page.path) % every == 0:
                shards.append(shard)
                shard = []
        if shard:
            shards.append(shard)
    return shards


def shard_key(pages: Iterable[IndexedPage], tool: str) -> str:
    """What a shard's bundle depends on: ``tool`` (Pagefind's version, settings and command) and
    each page's path and bytes."""
    key = hashlib.blake2b(tool.encode("utf-8"), digest_size=20)
    for page in pages:
        key.update(b"\0" + page.path.as_posix().encode("utf-8") + b"\0" + page.digest.encode("ascii"))
    return key.hexdigest()


def bundle_problem(bundle: Path) -> str | None:
    """What is wrong with the Pagefind bundle ``bundle``, or None if it looks whole: its entry
    and metadata files read, and every file they name, and every file beside them, is there and
    not empty. (Pagefind 1.5.2 on a full disk exits 0 and leaves empty files.)"""
    root = os.fspath(bundle)  # paths as strings: a bundle holds a file per page
    try:
        with open(os.path.join(root, "pagefind-entry.json"), encoding="utf-8") as file:
            entry = json.load(file)
        if not entry["languages"]:
            return f"{bundle}: no language indexed"
        files = [item.path for item in os.scandir(root) if not item.name.startswith(".") and item.is_file()]
        for info in entry["languages"].values():
            _, pages, chunks, filters, *_ = read_pf(bundle / f"pagefind.{info['hash']}.pf_meta")
            if len(pages) != info["page_count"]:
                return f"{bundle}: the metadata lists {len(pages)} pages, the entry {info['page_count']}"
            files += [f"{root}/fragment/{fragment}.pf_fragment" for fragment, _ in pages]
            files += [f"{root}/index/{name}.pf_index" for _, _, name in chunks]
            files += [f"{root}/filter/{name}.pf_filter" for _, name in filters]
            files.append(f"{root}/wasm.{info['wasm']}.pagefind")
        for file in files:
            if os.stat(file).st_size == 0:
                return f"{file}: empty file"
    except FileNotFoundError as error:
        return f"{error.filename}: missing"
    except Exception as error:  # anything unreadable or not laid out as Pagefind 1.5.2 does
        return f"{bundle}: {type(error).__name__}: {error}"
    return None


class BundleCache:
    """Pagefind bundles by shard key, in ``directory/<key>/``: each is complete, because it is
    checked (:func:`bundle_problem`) and then moved in whole (a rename) after Pagefind succeeded,
    and checked again when a build takes it. ``prune`` keeps only the bundles the last build used."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, key: str) -> Path | None:
        """The bundle kept under ``key``, or None: none, or one that is not whole (deleted, with a
        one-line note, so the shard is indexed again)."""
        bundle = self.directory / key
        if not bundle.is_dir():
            return None
        problem = bundle_problem(bundle)
        if problem is None:
            return bundle
        note_discarded(bundle, problem)
        shutil.rmtree(bundle, ignore_errors=True)
        return None

    def put(self, key: str, bundle: Path) -> Path:
        """Move the finished ``bundle`` (checked whole by the caller) into the cache; where it is now."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / key
        if target.exists():  # left by a build that failed after writing it: the same key, the same bundle
            shutil.rmtree(target)
        os.replace(bundle, target)
        return target

    def prune(self, keep: set[str]) -> list[Path]:
        """Move every bundle not in ``keep`` (and what earlier prunes left) into one new
        directory, and return it in a list (empty if nothing went), for the caller to delete."""
        if not self.directory.is_dir():
            return []
        keep = keep | {PageRecord.FILE}
        gone = [entry for entry in sorted(self.directory.iterdir()) if entry.name not in keep]
        if not gone:
            return []
        trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=self.directory))
        for entry in gone:
            entry.rename(trash / entry.name)
        return [trash]


def tool_key(version: str, command: Sequence[str], env: dict[str, str]) -> str:
    """The part of a shard's key that is Pagefind itself: version, command and settings."""
    return json.dumps({"pagefind": version, "command": list(command), "env": env}, sort_keys=True)
