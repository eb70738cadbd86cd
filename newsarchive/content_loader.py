"""Load every story file under a content directory, collecting all problems at once.

Used by the build (which refuses to start on errors) and by ``archive lint``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ArchiveError, Problem
from .story import Story
from .story_file import load_story

STORIES_DIR = "stories"
CAPTURES_DIR = "captures"


@dataclass
class LoadedContent:
    stories: list[Story] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def story_files(content_root: Path) -> list[Path]:
    return sorted((content_root / STORIES_DIR).glob("*.md"))


def load_content(content_root: Path) -> LoadedContent:
    """Every story under ``content_root/stories``; errors for bad files and duplicate slugs.
    Comment threads are parsed later (the comment_threads plugin, ``archive lint``)."""
    loaded = LoadedContent()
    by_slug: dict[str, Story] = {}
    for path in story_files(content_root):
        try:
            story = load_story(path, content_root)
        except ArchiveError as err:
            loaded.errors.append(err.problem)
            continue
        if story.slug in by_slug:
            first = by_slug[story.slug]
            line = story.metadata_lines.get("slug") or story.metadata_lines.get("title")
            loaded.errors.append(Problem(str(path), line, f"duplicate slug {story.slug!r}: {first.path} has it too"))
            continue
        by_slug[story.slug] = story
        loaded.stories.append(story)
    return loaded


# --- checking a content directory again -----------------------------------------------------------

CHECK_RECORD_FORMAT = 1


def check_content(content_root: Path, record: Path | None = None) -> tuple[list[Problem], int]:
    """The problems :func:`load_content` reports for ``content_root`` and the number of stories it
    loads, without keeping the stories.

    With ``record`` (a JSON file), each story file that parses cleanly is remembered there by its
    path, size and modification time, and those of its capture file, as Pelican's content cache
    remembers articles: the next check parses only the files that changed (at 10,000 stories a
    full check is 7 s of one core, spent while the build's Pelican starts on the other two
    processes' cores). Slugs are remembered too, so duplicates are still found across all files.
    """
    files = _load_record(record)
    kept: dict[str, list] = {}
    problems: list[Problem] = []
    by_slug: dict[str, str] = {}
    for path in story_files(content_root):
        entry = files.get(str(path))
        if entry is None or _stat(path) != entry[:2] or (entry[4] and _stat(content_root / entry[4]) != entry[5:]):
            try:
                story = load_story(path, content_root)
            except ArchiveError as err:
                problems.append(err.problem)
                continue
            line = story.metadata_lines.get("slug") or story.metadata_lines.get("title")
            capture = story.capture.path if story.capture else None
            capture_stat = _stat(content_root / capture) if capture else [None, None]
            entry = [*_stat(path), story.slug, line, capture, *capture_stat]
        kept[str(path)] = entry
        slug, line = entry[2], entry[3]
        if slug in by_slug:
            problems.append(Problem(str(path), line, f"duplicate slug {slug!r}: {by_slug[slug]} has it too"))
            continue
        by_slug[slug] = str(path)
    if record is not None:
        _save_record(record, kept)
    return problems, len(by_slug)


def _stat(path: Path) -> list:
    try:
        st = path.stat()
    except OSError:
        return [None, None]
    return [st.st_size, st.st_mtime_ns]


def _load_record(record: Path | None) -> dict[str, list]:
    try:
        data = json.loads(record.read_text(encoding="utf-8")) if record else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CHECK_RECORD_FORMAT:
        return {}
    return data.get("files") or {}


def _save_record(record: Path, files: dict[str, list]) -> None:
    """Write atomically (a rename); a record that cannot be written is no error."""
    tmp = record.with_name(f".{record.name}.{os.getpid()}")
    try:
        tmp.write_text(json.dumps({"format": CHECK_RECORD_FORMAT, "files": files}), encoding="utf-8")
        tmp.replace(record)
    except OSError:
        tmp.unlink(missing_ok=True)
