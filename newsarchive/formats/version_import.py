"""Plan the import of a later capture of a story already archived: a new version.

Pure functions: the existing story (as loaded), the capture's bytes and reading in; the files to
write out (:class:`PlannedVersion`), or None when those bytes are already one of its versions.
``archive import`` (:mod:`newsarchive.cli`) finds the story (``--version-of`` or the capture's
source URL) and does the writing. Nothing already archived is changed but the story file's
``Versions:`` line; no capture is ever replaced.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from newsarchive.errors import ArchiveError
from newsarchive.formats.capture_import import ArchivistMetadata, CaptureReading, build_story
from newsarchive.formats.story_file import parse_story
from newsarchive.formats.story_versions import VERSIONS_DIR, _check_order
from newsarchive.model.story import Story, Version


@dataclass
class PlannedVersion:
    """The files that make a capture the next version of a story (paths under content/)."""

    number: int
    story_path: Path  # the story file, whose Versions: line gets the new version
    story_text: str
    version_name: str  # versions/<slug>/<n>.md
    version_text: str
    capture_name: str


def free_capture_name(content: Path, name: str, sha256: str) -> str:
    """``name`` (``captures/<file>``) when no file is there or the file there has these bytes;
    else the name with 12 hex digits of ``sha256`` before its suffix: a capture is never
    replaced by other bytes."""
    existing = content / name
    if not existing.exists() or hashlib.sha256(existing.read_bytes()).hexdigest() == sha256:
        return name
    path = PurePosixPath(name)
    stem, dot, suffix = path.name.partition(".")
    return str(path.with_name(f"{stem}_{sha256[:12]}{dot}{suffix}"))


def with_version(story_text: str, name: str) -> str:
    """The story file's text with ``name`` added to its ``Versions:`` line (a line added at the end
    of the header when it has none); every other line is kept as it is."""
    lines = story_text.split("\n")
    end = next((n for n, line in enumerate(lines) if not line.strip()), len(lines))
    for n in range(end):
        key, sep, value = lines[n].partition(":")
        if sep and key.strip().lower() == "versions":
            eol = "\r" if lines[n].endswith("\r") else ""
            listed = value.strip()
            lines[n] = f"{key}: {listed + ', ' if listed else ''}{name}{eol}"
            return "\n".join(lines)
    eol = "\r" if end and lines[end - 1].endswith("\r") else ""
    lines.insert(end, f"Versions: {name}{eol}")
    return "\n".join(lines)


def plan_version(
    story: Story, story_text: str, reading: CaptureReading, given: ArchivistMetadata, capture_name: str, content: Path
) -> PlannedVersion | None:
    """``reading`` (a capture of ``story``'s page) as the story's next version; None when its bytes
    are already one of the story's versions. Raises :class:`ArchiveError` at the capture when it
    cannot be one: no capture time, or captured at the same time as, or before, the latest
    version."""
    versions = story.versions or [Version(1, story)]
    for version in versions:
        if version.capture and version.capture.sha256 == reading.sha256:
            return None
    captured = given.captured or reading.found.get("captured", ("", ""))[0]
    if not captured:
        raise ArchiveError(
            reading.path,
            None,
            "when was this capture made? It says nothing of it: give it with --captured 'YYYY-MM-DD HH:MM +HH:MM'",
        )
    number = len(versions) + 1
    name = f"{VERSIONS_DIR}/{story.slug}/{number}.md"
    if (content / name).exists():
        raise ArchiveError(
            str(content / name), None, "a version file is already there, listed by no story: move it away"
        )
    capture_name = free_capture_name(content, capture_name, reading.sha256)
    given = dataclasses.replace(
        given, slug=story.slug, date=given.date or story.metadata["date"], captured=given.captured or None
    )
    built = build_story(reading, given, capture_name)
    later = parse_story(built.text, str(content / name))
    try:
        _check_order(later, versions, story)
    except ArchiveError as err:
        raise ArchiveError(reading.path, None, err.problem.message) from None
    text = with_version(story_text, name)
    parse_story(text, story.path)  # the story file still reads
    return PlannedVersion(number, Path(story.path), text, name, built.text, capture_name)
