"""The folders of a replaced output, kept for the next build to write its pages into.

A build writes every page into a new directory, which replaces ``output/`` only once everything
succeeded (``newsarchive.site.build``). Almost every page has a folder of its own
(``stories/<slug>/index.html``). In a one-story rebuild, where nearly every page is a hard link
to the last build's, creating those folders is the largest single cost of writing, while a
``mkdir`` of a folder that exists is cheap.

So the output a build replaces is not deleted whole. A detached process (:func:`clear`, run by
:func:`retire_in_background`) deletes its files, and its search index whole, and keeps its
folders, listed in :data:`FOLDERS`; it then renames the tree ``.<output>.spare``. A rename: a
build sees no spare, or a spare with no file in it. While it works it holds the tree's lock
(:func:`claim`), so that the next build does not take the tree for the leftover of a killed
build and delete it (``newsarchive.site.build.remove_leftovers``). The next build takes the spare as the
directory it writes into (:func:`take_spare`) and, before it replaces the output, removes the
listed folders it left empty (:func:`remove_empty`, a story taken out), so the site it publishes
is the one a build into a new directory writes: the same files and the same folders (tested).

No spare (the first build, a cold one, or the last spare still being cleared): the build writes into
a new directory. The spare's empty folders take a block of disk each. Standard library
only: the detached process runs this file as a script.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

FOLDERS = ".folders"  # in a spare: its folders, relative to it, one a line
SEARCH_INDEX = "pagefind"  # deleted whole: the build moves its own index into place


def spare_path(output: Path) -> Path:
    """Where the spare of ``output`` is kept: beside it, hidden."""
    return output.with_name(f".{output.name}.spare")


def take_spare(output: Path, into: Path) -> list[str] | None:
    """Move the spare of ``output`` to ``into`` (an empty directory, which it replaces) and
    return its folders, relative to it; None, and nothing moved, when there is no spare."""
    try:
        os.rename(spare_path(output), into)
    except OSError:  # none (or not one this module made): the build writes into ``into`` as it is
        return None
    listing = into / FOLDERS
    try:
        folders = listing.read_text(encoding="utf-8").splitlines()
    except OSError:  # not a spare this module made: what it holds is unknown
        shutil.rmtree(into)
        into.mkdir()
        return None
    listing.unlink()
    return folders


def remove_empty(site: Path, folders: list[str]) -> int:
    """Remove each of ``folders`` (relative to ``site``) that is empty, deepest first, so that a
    folder holding only such folders goes too; how many went."""
    gone = 0
    for folder in sorted(folders, reverse=True):  # "a/b" sorts after "a"
        try:
            os.rmdir(os.path.join(site, folder))
        except OSError:  # not empty: the new build wrote into it
            continue
        gone += 1
    return gone


def clear(old: Path, spare: Path) -> None:
    """Delete every file under ``old`` and its search index, list its folders in it, and rename
    it ``spare``. When a spare is already there, or anything fails, ``old`` is deleted whole."""
    try:
        shutil.rmtree(old / SEARCH_INDEX, ignore_errors=True)
        folders: list[str] = []
        _clear_folder(str(old), "", folders)
        (old / FOLDERS).write_text("".join(f"{folder}\n" for folder in folders), encoding="utf-8")
        os.rename(old, spare)  # fails if a spare (not empty) is there
    except OSError:
        shutil.rmtree(old, ignore_errors=True)


def _clear_folder(path: str, relative: str, folders: list[str]) -> None:
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                inner = f"{relative}{entry.name}"
                folders.append(inner)
                _clear_folder(entry.path, inner + "/", folders)
            else:
                os.unlink(entry.path)


def retire_in_background(old: Path, output: Path) -> None:
    """:func:`clear` ``old`` into the spare of ``output``, in a detached process: the build does
    not wait for it."""
    start_detached([sys.executable, __file__, str(old), str(spare_path(output))], old)


def start_detached(command: list[str], holding: Path | int | None = None) -> None:
    """Run ``command`` in a process of its own session, output discarded, and do not wait for it
    (the build's deletions: this module's clearing, ``newsarchive.site.build.remove_in_background``).

    ``holding``, the folder it works on (or a descriptor of it from :func:`claim`): the process
    holds that folder's lock until it ends, so that no build takes the folder for the leftover of
    a killed build meanwhile."""
    fd = claim(holding) if isinstance(holding, Path) else holding
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            pass_fds=() if fd is None else (fd,),
        )
    finally:
        if fd is not None:
            os.close(fd)


def claim(folder: Path) -> int | None:
    """A descriptor of ``folder`` holding its lock (``flock``), or None when another process
    holds it or the folder is gone. The lock lasts while any process has the descriptor open."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


if __name__ == "__main__":
    clear(Path(sys.argv[1]), Path(sys.argv[2]))
