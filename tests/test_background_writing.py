"""Pages shared by the build's process and its forked writer (plugins/archive_core/background_writing.py):
every page of the sequence is written once, by one of the two, and both take part."""

from __future__ import annotations

import os
import time

from plugins.archive_core.background_writing import SharedPages


class Recorder:
    """A writer that notes each page it is asked to write, slowly enough for both processes to take some."""

    def __init__(self, path):
        self.path = path

    def write_file(self, name, *args, **kwargs):
        time.sleep(0.002)
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(name + "\n")


def write_sequence(writer, log) -> None:
    for n in range(300):
        writer.write_file(f"page-{n}")
        if n % 50 == 0 and writer.mine():  # a file the generator writes itself, as wire diagrams are
            Recorder(log).write_file(f"diagram-{n}")


def test_each_shared_page_is_written_once_by_one_of_two_processes(tmp_path):
    shared = SharedPages()
    pid = os.fork()
    if pid == 0:
        try:
            write_sequence(shared.writer(Recorder(tmp_path / "child")), tmp_path / "child")
        finally:
            os._exit(0)
    write_sequence(shared.writer(Recorder(tmp_path / "parent")), tmp_path / "parent")
    os.waitpid(pid, 0)
    child = (tmp_path / "child").read_text(encoding="utf-8").split()
    parent = (tmp_path / "parent").read_text(encoding="utf-8").split()
    expected = [f"page-{n}" for n in range(300)] + [f"diagram-{n}" for n in range(0, 300, 50)]
    assert sorted(child + parent) == sorted(expected)  # none twice, none missing
    assert child and parent
