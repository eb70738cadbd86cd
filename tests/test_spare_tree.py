"""A build writes into the folders of the output before last (newsarchive/site/spare_tree.py), and
publishes exactly what a build into a new directory publishes. The real builds that show it are
tests/test_page_reuse.py's (test_a_build_into_the_spare_folders_publishes_what_a_new_directory_gets:
a rebuild into the spare folders against a build into a new directory)."""

from __future__ import annotations

from pathlib import Path

from newsarchive.site.spare_tree import FOLDERS, clear, remove_empty, spare_path, take_spare


def tree(root: Path) -> dict[str, str | bytes]:
    """Every entry under ``root``: relative path -> "dir" or the file's bytes."""
    return {p.relative_to(root).as_posix(): "dir" if p.is_dir() else p.read_bytes() for p in sorted(root.rglob("*"))}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_an_old_output_is_cleared_to_its_folders_and_renamed_spare(tmp_path):
    old, spare = tmp_path / ".output.old-1", tmp_path / ".output.spare"
    write(old, {"index.html": "home", "stories/a/index.html": "a", "stories/b/index.html": "b", "feeds/all.xml": "f"})
    write(old, {"pagefind/pagefind-entry.json": "{}", "pagefind/index/x.pf_index": "x"})
    (old / "stories" / "empty").mkdir()
    (old / "stories" / "a" / "link").symlink_to(old / "feeds")  # a link to a folder goes as a file

    clear(old, spare)

    assert not old.exists()
    folders = ["feeds", "stories", "stories/a", "stories/b", "stories/empty"]
    assert sorted((spare / FOLDERS).read_text(encoding="utf-8").splitlines()) == folders
    assert tree(spare) == {FOLDERS: (spare / FOLDERS).read_bytes()} | dict.fromkeys(folders, "dir")


def test_an_old_output_is_deleted_whole_when_a_spare_is_already_there(tmp_path):
    old, spare = tmp_path / ".output.old-2", tmp_path / ".output.spare"
    write(old, {"stories/a/index.html": "a"})
    write(spare, {FOLDERS: "kept\n"})
    (spare / "kept").mkdir()

    clear(old, spare)

    assert not old.exists()
    assert tree(spare) == {FOLDERS: b"kept\n", "kept": "dir"}


def test_a_build_takes_the_spare_and_then_removes_the_folders_it_left_empty(tmp_path):
    output, staging = tmp_path / "output", tmp_path / ".output.new-1"
    assert take_spare(output, staging) is None  # none yet
    old = tmp_path / ".output.old-1"
    write(old, {"a/b/c/index.html": "c", "a/index.html": "a", "d/index.html": "d", "e/index.html": "e"})
    clear(old, spare_path(output))
    staging.mkdir()

    folders = take_spare(output, staging)

    assert sorted(folders) == ["a", "a/b", "a/b/c", "d", "e"]
    assert not spare_path(output).exists() and not (staging / FOLDERS).exists()
    write(staging, {"d/index.html": "new d", "f/index.html": "f"})  # what the new build writes
    assert remove_empty(staging, folders) == 4  # a/b/c, a/b, a (empty once they went) and e
    assert tree(staging) == {"d": "dir", "d/index.html": b"new d", "f": "dir", "f/index.html": b"f"}


def test_a_spare_not_made_by_a_clearing_is_emptied_and_not_used(tmp_path):
    output, staging = tmp_path / "output", tmp_path / ".output.new-1"
    write(spare_path(output), {"stale/index.html": "stale"})  # no list of folders: not cleared
    staging.mkdir()
    assert take_spare(output, staging) is None
    assert tree(staging) == {}
