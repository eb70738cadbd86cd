"""Caches written whole or not at all (newsarchive/site/atomic_write.py), and every cache reader
discarding, with a one-line note, a file it cannot read."""

from __future__ import annotations

import errno
import os
import stat
import subprocess

import pytest

from newsarchive.site.analysis_memo import AnalysisMemo
from newsarchive.site.atomic_write import atomic_file, write_atomically
from newsarchive.site.file_record import FileRecord
from newsarchive.site.page_reuse import Manifest


def test_a_write_is_in_place_with_the_mode_open_gives(tmp_path):
    path = tmp_path / "new" / "cache.json"
    mask = os.umask(0o027)
    try:
        write_atomically(path, "{}")
    finally:
        os.umask(mask)
    assert path.read_text() == "{}" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(path.parent) == ["cache.json"]


def test_a_write_that_fails_leaves_the_old_file_and_no_part(tmp_path):
    path = tmp_path / "cache.pickle"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file(path) as file:
        file.write(b"half")
        raise RuntimeError("killed")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["cache.pickle"]


def test_a_full_disk_names_the_file(tmp_path):
    path = tmp_path / "cache.pickle"
    with pytest.raises(OSError) as raised, atomic_file(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a write() on a full disk
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)


def test_the_part_a_killed_writer_left_goes_with_the_next_write(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = tmp_path / f".cache.json.{dead.pid}.partial"
    left.write_text("{")
    write_atomically(tmp_path / "cache.json", "{}")
    assert sorted(os.listdir(tmp_path)) == ["cache.json"]


@pytest.mark.parametrize("content", [b"", b'{"format": 1, "files": {"a": ', b"[1, 2]"])
def test_a_record_of_files_cut_short_is_discarded_with_a_note(tmp_path, capsys, content):
    path = tmp_path / "record.json"
    path.write_bytes(content)
    assert FileRecord(path).known == {}
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"note: {path}: unreadable cache discarded and rebuilt (")


def test_a_record_of_pages_cut_short_is_discarded_with_a_note(tmp_path, capsys):
    path = tmp_path / "pages.json"
    Manifest("env", {"a/index.html": ["key", 1, 2, 3]}).save(path)
    assert Manifest.load(path, "env").pages
    path.write_bytes(path.read_bytes()[:20])
    assert Manifest.load(path, "env").pages == {}
    assert capsys.readouterr().err.startswith(f"note: {path}: unreadable cache discarded")


def test_a_memo_cut_short_is_discarded_with_a_note(tmp_path, capsys):
    path = tmp_path / "memo.pickle"
    memo = AnalysisMemo(path)
    memo.get("k", lambda: [1, 2])
    memo.save()
    assert AnalysisMemo.load(path).entries
    path.write_bytes(b"")
    assert AnalysisMemo.load(path).entries == {}
    assert (
        capsys.readouterr().err
        == f"note: {path}: unreadable cache discarded and rebuilt (EOFError: Ran out of input)\n"
    )


def test_a_missing_cache_is_no_news(tmp_path, capsys):
    assert FileRecord(tmp_path / "none.json").known == {}
    assert Manifest.load(tmp_path / "none.json", "env").pages == {}
    assert AnalysisMemo.load(tmp_path / "none.pickle").entries == {}
    assert capsys.readouterr().err == ""
