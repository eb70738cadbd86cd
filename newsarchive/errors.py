"""The project's own errors and warnings, always located as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input file, at a place an archivist can open."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ArchiveError(Exception):
    """Bad input that stops the build. ``str(err)`` is ``path:line: message``."""

    def __init__(self, path: str, line: int | None, message: str):
        self.problem = Problem(str(path), line, message)
        super().__init__(str(self.problem))

    @property
    def path(self) -> str:
        return self.problem.path

    @property
    def line(self) -> int | None:
        return self.problem.line

    @property
    def message(self) -> str:
        return self.problem.message


def count_setting(name: str, value: Any, path: str = "pelicanconf.py") -> int:
    """A setting that counts something (comments, stories): a whole number, 1 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ArchiveError(path, None, f"{name}: expected a whole number, 1 or more, not {value!r}")
    return value
