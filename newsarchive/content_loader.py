"""Load every story file under a content directory, collecting all problems at once.

Used by the build (which refuses to start on errors) and by ``archive lint``.
"""

from __future__ import annotations

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
