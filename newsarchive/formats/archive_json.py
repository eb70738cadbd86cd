"""The one place that turns an :class:`~newsarchive.model.story.Archive` into ``archive.json``.

Each plugin adds its part without touching the others: per story through
``Story.data[key]`` and archive-wide through ``Archive.sections[key]``. Values are JSON-ready
or have a ``to_json()`` method. The shape is described by ``docs/archive.schema.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, BinaryIO

from newsarchive.formats.story_versions import all_versions, captured_iso
from newsarchive.model.story import Archive, Paragraph, Story

VERSION = 1


def _encode(value: Any) -> str:
    """``value`` as JSON: dicts, lists, tuples and scalars as they are, any other object as what
    its ``to_json()`` returns. The C encoder walks the value and calls ``to_json`` itself, with
    no walk in Python first: archive.json holds every story."""
    return json.dumps(value, ensure_ascii=False, default=_to_json)


def _to_json(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    raise TypeError(f"{type(value).__name__} is not JSON serializable (and has no to_json)")


def story_json(story: Story) -> dict[str, Any]:
    data = {
        "slug": story.slug,
        "title": story.title,
        "date": story.date.date().isoformat()
        if story.date.time() == story.date.min.time() and not story.date_offset
        else story.date.isoformat() + story.date_offset,
        "url": story.url,
        "source_url": story.source_url or None,
        "publisher": story.publisher or None,
        "dateline": story.dateline or None,
        "credit": story.credit or None,
        "rights": story.rights or None,
        "event": story.event or None,
        "capture": capture_json(story),
        "authors": list(story.authors),
        "lang": story.lang or None,
        "modified": story.modified.isoformat() + story.modified_offset if story.modified else None,
        "captured": story.captured or None,
        "sources": dict(sorted(story.sources.items())),
        "paragraphs": [_block(p) for p in story.paragraphs],
        "media": [{"text": m.text, "after": m.after} for m in story.media],
        "dropped_boilerplate": list(story.dropped),
        "versions": versions_json(story),
    }
    data.update(sorted(story.data.items()))  # plugin data: JSON-ready or with to_json()
    return data


def versions_json(story: Story) -> list[dict[str, Any]]:
    """Every version of the story, oldest first: when it was captured (ISO 8601, None when not
    recorded), its capture, its paragraphs, what changed from the version before and the ids of
    the corrections it adds."""
    return [
        {
            "number": v.number,
            "url": story.version_url(v.number) if story.versions else story.url,
            "captured": captured_iso(v.captured) if v.captured else None,
            "capture": {"path": v.capture.path, "sha256": v.capture.sha256} if v.capture else None,
            "title": v.story.title,
            "paragraphs": [_block(p) for p in v.story.paragraphs],
            "changes": list(v.changes),
            "corrections": list(v.corrections),
        }
        for v in all_versions(story)
    ]


def _block(paragraph: Paragraph) -> dict[str, str]:
    """A block's id and plain text, and its HTML when it has markup."""
    if paragraph.html:
        return {"id": paragraph.id, "text": paragraph.text, "html": paragraph.html}
    return {"id": paragraph.id, "text": paragraph.text}


def capture_json(story: Story) -> dict[str, str] | None:
    """The story's capture: its path and sha256, and the web archive record it is, if one."""
    if not story.capture:
        return None
    data = {"path": story.capture.path, "sha256": story.capture.sha256}
    if story.capture_record:
        data["record"] = story.capture_record
    return data


def story_part(story: Story) -> bytes:
    """The story's entry in archive.json's ``stories``, as written (UTF-8)."""
    return _encode(story_json(story)).encode("utf-8")


def write(
    archive: Archive, fp: BinaryIO, kept: Callable[[Story], bytes | None] = lambda story: None
) -> dict[str, tuple[int, int]]:
    """Write archive.json (UTF-8) to ``fp`` one story at a time (a large archive never sits in
    memory as one document). ``kept(story)`` may give a story's part as the last build wrote
    it, written instead of encoding the story again. Returns where each story's part is in the
    file, as (start, end) byte offsets by slug."""
    parts: dict[str, tuple[int, int]] = {}
    at = fp.write(f'{{"version": {VERSION}, "stories": ['.encode())
    for n, story in enumerate(archive.stories):
        at += fp.write(b",\n" if n else b"\n")
        part = kept(story)
        if part is None:
            part = story_part(story)
        parts[story.slug] = (at, at + len(part))
        at += fp.write(part)
    fp.write(b"\n]")
    for key, value in sorted(archive.sections.items()):
        fp.write(f",\n{json.dumps(key)}: [".encode())
        for n, item in enumerate(value):
            fp.write(b",\n" if n else b"\n")
            fp.write(_encode(item).encode("utf-8"))
        fp.write(b"\n]")
    fp.write(b"}\n")
    return parts
