"""Load every story file under a content directory, collecting all problems at once.

Used by the build (which refuses to start on errors) and by ``archive lint``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ArchiveError, Problem
from .file_record import FileRecord, identity
from .formats.pelican_article import ARTICLE_SUFFIXES
from .story import Story
from .story_file import load_story

STORIES_DIR = "stories"
CAPTURES_DIR = "captures"
STORY_SUFFIXES = (".md", *ARTICLE_SUFFIXES)


@dataclass
class LoadedContent:
    stories: list[Story] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def _slug_line(story: Story) -> int | None:
    return story.metadata_lines.get("slug") or story.metadata_lines.get("title")


def _duplicate_slug(path: Path, line: int | None, slug: str, first: str) -> Problem:
    return Problem(str(path), line, f"duplicate slug {slug!r}: {first} has it too")


def story_files(content_root: Path) -> list[Path]:
    """Story files and Pelican articles (``.md``, ``.rst``, ``.html``) under ``content/stories``."""
    return sorted(p for p in (content_root / STORIES_DIR).glob("*") if p.suffix in STORY_SUFFIXES and p.is_file())


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
            loaded.errors.append(_duplicate_slug(path, _slug_line(story), story.slug, by_slug[story.slug].path))
            continue
        by_slug[story.slug] = story
        loaded.stories.append(story)
    return loaded


# --- checking a content directory again -----------------------------------------------------------


def check_content(content_root: Path, record: Path | None = None) -> tuple[list[Problem], int]:
    """The problems :func:`load_content` reports for ``content_root`` and the number of stories it
    loads, without keeping the stories.

    With ``record`` (a :class:`~newsarchive.file_record.FileRecord` file), each story file that
    parses cleanly is remembered there with its slug and its capture file's identity: the next
    check parses only the files that changed (at 10,000 stories a full check is 8.7 s of one core,
    spent while the build's Pelican starts). Slugs are remembered too, so duplicates are still
    found across all files.
    """
    files = FileRecord(record) if record else None
    problems: list[Problem] = []
    by_slug: dict[str, str] = {}
    for path in story_files(content_root):
        st = _stat(path) if files else None
        known, value = files.lookup(path, st) if st else (False, None)
        if known and value[2] and value[3] != _identity(content_root / value[2]):
            known = False  # the capture changed: check its checksum again
        if not known:
            try:
                story = load_story(path, content_root)
            except ArchiveError as err:
                problems.append(err.problem)
                continue
            capture = story.capture.path if story.capture else None
            value = [story.slug, _slug_line(story), capture, capture and _identity(content_root / capture)]
            if st:
                files.note(path, st, value)
        slug, line = value[0], value[1]
        if slug in by_slug:
            problems.append(_duplicate_slug(path, line, slug, by_slug[slug]))
            continue
        by_slug[slug] = str(path)
    if files:
        try:
            files.save()
        except OSError:  # a record that cannot be written is no error
            pass
    return problems, len(by_slug)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _identity(path: Path) -> list[int] | None:
    st = _stat(path)
    return identity(st) if st else None
