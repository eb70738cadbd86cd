"""The forked writer of plugins/archive_core/background_writing.py: pages shared by the build's
process and the child are each written once, by one of the two; every background page is written
whether the child finishes, dies or fails (then the build fails with its message)."""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import pytest

from plugins.archive_core import background_writing, incremental_writing
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


class Pages:
    """A background generator as the writer meets it: 60 pages, through the shared writer when it
    has one; in the forked child, ``dies_in_child`` ends the child after 10 pages, without a word."""

    write_in_background = True

    def __init__(self, name, parent, dies_in_child=False):
        self.name, self.parent, self.dies_in_child = name, parent, dies_in_child

    def generate_output(self, writer):
        if getattr(self, "written_in_background", False):
            return
        shared = getattr(self, "shared_pages", None)
        writer = shared.writer(writer) if shared else writer
        for n in range(60):
            if self.dies_in_child and n == 10 and os.getpid() != self.parent:
                os._exit(9)
            writer.write_file(f"{self.name}-{n}")


@pytest.mark.parametrize("dies", [False, True], ids=["child-writes", "child-dies"])
def test_every_background_page_is_written_whether_the_child_finishes_or_dies(tmp_path, monkeypatch, dies):
    """Pelican's order: the writer forks, then the build's process writes each generator (the
    background ones are the child's, the last shared), then waits at ``finalized``."""
    log = tmp_path / "written"
    monkeypatch.setattr(incremental_writing, "ReusingWriter", lambda *args, **kwargs: Recorder(log))
    generators = [Pages("quote", os.getpid(), dies_in_child=dies), Pages("wire", os.getpid())]
    pelican = SimpleNamespace(settings={}, output_path=str(tmp_path))
    background_writing.remember_generators(generators)
    background_writing.fork_writer(pelican)
    assert background_writing._writer, "no forked writer"
    for generator in generators:
        generator.generate_output(Recorder(log))
    background_writing.wait_for_child(pelican)
    written = log.read_text(encoding="utf-8").split()
    assert set(written) == {f"{name}-{n}" for name in ("quote", "wire") for n in range(60)}
    if not dies:
        assert len(written) == 120  # each once


def test_an_error_in_the_child_fails_the_build_with_its_message(tmp_path, monkeypatch):
    class Broken(Pages):
        def generate_output(self, writer):
            raise OSError(28, "No space left on device", str(tmp_path / "quote-3"))

    monkeypatch.setattr(incremental_writing, "ReusingWriter", lambda *args, **kwargs: Recorder(tmp_path / "log"))
    pelican = SimpleNamespace(settings={}, output_path=str(tmp_path))
    background_writing.remember_generators([Broken("quote", os.getpid())])
    background_writing.fork_writer(pelican)
    with pytest.raises(SystemExit) as stopped:
        background_writing.wait_for_child(pelican)
    assert str(stopped.value) == f"error: writing pages in the background failed: no space left on device in {tmp_path}"
