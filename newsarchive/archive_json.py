"""The one place that turns an :class:`~newsarchive.story.Archive` into ``archive.json``.

Each plugin adds its part without touching the others: per story through
``Story.data[key]`` and archive-wide through ``Archive.sections[key]``. Values are JSON-ready
or have a ``to_json()`` method. The shape is described by ``docs/archive.schema.json``.
"""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from .story import Archive, Story

VERSION = 1


def _plain(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return _plain(value.to_json())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def story_json(story: Story) -> dict[str, Any]:
    data = {
        "slug": story.slug,
        "title": story.title,
        "date": story.date.date().isoformat() if story.date.time() == story.date.min.time() else story.date.isoformat(),
        "url": story.url,
        "source_url": story.source_url or None,
        "publisher": story.publisher or None,
        "dateline": story.dateline or None,
        "credit": story.credit or None,
        "rights": story.rights or None,
        "event": story.event or None,
        "capture": {"path": story.capture.path, "sha256": story.capture.sha256} if story.capture else None,
        "sources": dict(sorted(story.sources.items())),
        "paragraphs": [{"id": p.id, "text": p.text} for p in story.paragraphs],
        "media": [{"text": m.text, "after": m.after} for m in story.media],
        "dropped_boilerplate": list(story.dropped),
    }
    for key, value in sorted(story.data.items()):
        data[key] = _plain(value)
    return data


def archive_json(archive: Archive) -> dict[str, Any]:
    data: dict[str, Any] = {"version": VERSION, "stories": [story_json(s) for s in archive.stories]}
    for key, value in sorted(archive.sections.items()):
        data[key] = _plain(value)
    return data


def write(archive: Archive, fp: TextIO) -> None:
    """Write archive.json to ``fp`` one story at a time (a 10,000-story archive never sits in
    memory as one document). Same content as ``archive_json``."""
    fp.write(f'{{"version": {VERSION}, "stories": [')
    for n, story in enumerate(archive.stories):
        fp.write(",\n" if n else "\n")
        fp.write(json.dumps(story_json(story), ensure_ascii=False))
    fp.write("\n]")
    for key, value in sorted(archive.sections.items()):
        fp.write(f",\n{json.dumps(key)}: [")
        for n, item in enumerate(value):
            fp.write(",\n" if n else "\n")
            fp.write(json.dumps(_plain(item), ensure_ascii=False))
        fp.write("\n]")
    fp.write("}\n")


def dumps(archive: Archive) -> str:
    buffer = io.StringIO()
    write(archive, buffer)
    return buffer.getvalue()
