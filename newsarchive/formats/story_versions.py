"""Read the later versions of a story: the files its ``Versions:`` line lists.

A story file is the story's first version and holds what the archivist set. Each later capture
of the same page is kept as a story file of its own under ``versions/<slug>/`` (``archive
import`` writes it), with its ``Capture:``, ``Capture_sha256:`` and ``Captured:``; the story
file lists those files, oldest first::

    Versions: versions/<slug>/2.md, versions/<slug>/3.md

The story then reads as its latest version: its paragraphs, media, dropped lines and comment
thread, its capture, and the metadata the capture gave (``Sources: field=capture``); what the
archivist set stays. Every version, the first included, is kept in ``Story.versions`` with what
changed from the one before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path, PurePosixPath

from newsarchive.analysis.versions import changes, corrections
from newsarchive.errors import ArchiveError
from newsarchive.formats.story_file import _not_a_regular_file, parse_date, parse_story, read_text, utc_offset
from newsarchive.model.story import Story, Version

VERSIONS_DIR = "versions"
# metadata a later version's capture may change, taken when the story file says its value came
# from the capture (what the archivist set stays)
FROM_CAPTURE = ("title", "dateline", "credit", "rights", "modified", "authors", "lang")


def version_names(story: Story) -> list[str]:
    """The files the story's ``Versions:`` line lists, in order (paths under content/)."""
    return [name.strip() for name in story.metadata.get("versions", "").split(",") if name.strip()]


def instant(value: str) -> dt.datetime:
    """A ``Captured:`` or ``Date:`` value as a UTC time to order by (a time without a UTC offset
    is read as UTC)."""
    when = parse_date(value, "", 0)
    offset = utc_offset(value)
    if offset:
        sign = -1 if offset[0] == "-" else 1
        when -= sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return when


def captured_iso(value: str) -> str:
    """A ``Captured:`` value in ISO 8601, with its UTC offset when it has one."""
    return parse_date(value, "", 0).isoformat() + utc_offset(value)


def all_versions(story: Story) -> list[Version]:
    """The story's versions, oldest first: its own when it has later ones, else the story itself
    as version 1."""
    return story.versions or [Version(1, story)]


def read_versions(story: Story, content_root: Path) -> None:
    """Read the versions ``story`` lists and make it read as its latest one (see the module's
    docstring). Raises :class:`ArchiveError` at the line that is wrong: a listed file that is not
    a story file under ``versions/``, a file listed twice, a version with no ``Captured:``, or
    captured at the same time as, or before, the version listed before it."""
    names = version_names(story)
    if not names:
        return
    line = story.metadata_lines["versions"]
    first = dataclasses.replace(story, versions=[], spans={}, notes={}, data={})
    versions = [Version(1, first, [], corrections(None, first))]
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=2):
        parts = PurePosixPath(name).parts
        if len(parts) < 2 or parts[0] != VERSIONS_DIR or ".." in parts or not name.endswith(".md"):
            raise ArchiveError(
                story.path,
                line,
                f"version {name!r} is not a story file under {VERSIONS_DIR}/ (write {VERSIONS_DIR}/<slug>/<n>.md)",
            )
        if name in seen:
            raise ArchiveError(
                story.path, line, f"version {name} is listed twice (as versions {seen[name]} and {number})"
            )
        seen[name] = number
        wrong = _not_a_regular_file(content_root, parts)
        if wrong:
            raise ArchiveError(story.path, line, f"version file {name!r} {wrong}")
        path = str(content_root / name)
        later = parse_story(read_text(content_root / name), path, content_root)
        _check_order(later, versions, story)
        previous = versions[-1].story
        stamp = file_stamp(content_root / name)
        versions.append(Version(number, later, changes(previous, later), corrections(previous, later), stamp))
    _read_as_latest(story, versions)


def file_stamp(path: Path) -> tuple[int, int]:
    """A file's modification time (ns) and size; (0, 0) when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def versions_changed(story: Story) -> bool:
    """Whether a file of the story's later versions changed since it was read (Pelican's content
    cache keeps a story by its own file's time: an edited version file is read again by this)."""
    return any(file_stamp(Path(v.story.path)) != v.stamp for v in story.versions[1:])


def _check_order(later: Story, versions: list[Version], story: Story) -> None:
    """A later version must say when it was captured, after the version before it, and be
    another capture than every version before it."""
    line = later.metadata_lines.get("captured") or 1
    if not later.captured:
        raise ArchiveError(
            later.path, 1, "a later version needs Captured: the date and time the capture was made (YYYY-MM-DD HH:MM)"
        )
    for version in versions:
        if later.capture and version.capture and later.capture.sha256 == version.capture.sha256:
            raise ArchiveError(
                later.path, later.metadata_lines.get("capture_sha256", line),
                f"the same capture as version {version.number} ({version.story.path}): a version is another capture",
            )  # fmt: skip
    before = versions[-1]
    when = instant(later.captured)
    if before.captured:
        if when == instant(before.captured):
            raise ArchiveError(
                later.path, line,
                f"captured {later.captured}, the same time as version {before.number} ({before.story.path}); "
                "each version is a capture made at its own time",
            )  # fmt: skip
        if when < instant(before.captured):
            raise ArchiveError(
                later.path, line,
                f"captured {later.captured}, before version {before.number} (captured {before.captured}); "
                "versions are kept oldest first",
            )  # fmt: skip
    elif when.date() < story.date.date():
        raise ArchiveError(
            later.path, line, f"captured {later.captured}, before the story was published ({story.date.date()})"
        )


def _read_as_latest(story: Story, versions: list[Version]) -> None:
    latest = versions[-1].story
    story.versions = versions
    story.paragraphs, story.media, story.dropped, story.images = (
        latest.paragraphs, latest.media, latest.dropped, story.images + latest.images,
    )  # fmt: skip
    story.capture, story.captured, story.capture_record = latest.capture, latest.captured, latest.capture_record
    if latest.comments_line is not None:
        story.comment_lines, story.comments_declared = latest.comment_lines, latest.comments_declared
    for name in FROM_CAPTURE:
        if story.sources.get(name, "").startswith("capture") and name in latest.metadata:
            setattr(story, name, getattr(latest, name))
