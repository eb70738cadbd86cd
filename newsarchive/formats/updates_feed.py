"""The "updates" Atom feed: every later version of a story, newest capture first.

A plain function from stories to the feed's text; the same stories give the same bytes (the
feed's ``updated`` is its newest entry's, never the time of the build).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from newsarchive.analysis.versions import changes_line
from newsarchive.formats.story_versions import instant
from newsarchive.model.story import Story
from newsarchive.pages.render import xml_text

UPDATES_FEED = "feeds/updates.atom.xml"
MAX_ENTRIES = 100


def updates_atom(stories: list[Story], site_url: str, site_name: str) -> str:
    """The feed of the versions after the first of ``stories``, at most MAX_ENTRIES, newest
    capture first: each entry links the page of what changed from the version before."""
    entries = [(instant(v.captured), story, v) for story in stories for v in story.versions[1:]]
    entries.sort(key=lambda e: (e[0], e[1].slug, e[2].number), reverse=True)
    entries = entries[:MAX_ENTRIES]
    updated = _stamp(entries[0][0]) if entries else "1970-01-01T00:00:00Z"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(xml_text(site_name))}: updated stories</title>",
        f'<link href={quoteattr(f"{site_url}/")} rel="alternate"/>',
        f'<link href={quoteattr(f"{site_url}/{UPDATES_FEED}")} rel="self"/>',
        f"<id>{escape(f'{site_url}/{UPDATES_FEED}')}</id>",
        f"<updated>{updated}</updated>",
    ]
    for when, story, version in entries:
        link = f"{site_url}/{story.changes_url(version.number - 1, version.number)}"
        summary = xml_text(f"{story.title}, captured {version.captured}: {changes_line(version.changes)}")
        out += [
            "<entry>",
            f"<title>{escape(xml_text(version.story.title))} (version {version.number})</title>",
            f'<link href={quoteattr(link)} rel="alternate"/>',
            f"<id>{escape(f'{site_url}/{story.version_url(version.number)}')}</id>",
            f"<updated>{_stamp(when)}</updated>",
            f"<summary>{escape(summary)}</summary>",
            f'<content type="html">{escape(f"<p>{escape(summary)}</p>")}</content>',
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _stamp(when) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
