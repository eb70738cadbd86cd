"""Events: the stories that cover one happening, grouped by their ``Event:`` metadata."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from newsarchive.model.story import EVENT_URL, Story, url_slug


@dataclass
class Event:
    slug: str
    name: str
    stories: list[Story] = field(default_factory=list)

    @property
    def url(self) -> str:
        return EVENT_URL.format(slug=self.slug)

    @property
    def start(self) -> dt.datetime:
        return min(s.date for s in self.stories)

    @property
    def end(self) -> dt.datetime:
        return max(s.date for s in self.stories)

    @property
    def publishers(self) -> list[str]:
        return sorted({s.publisher for s in self.stories if s.publisher})

    def to_json(self) -> dict:
        return {
            "slug": self.slug,
            "name": self.name,
            "url": self.url,
            "start": self.start.date().isoformat(),
            "end": self.end.date().isoformat(),
            "stories": [s.slug for s in self.stories],
        }


def group_events(stories: list[Story]) -> list[Event]:
    """One Event per distinct ``Event:`` value (by slug), stories in (date, slug) order."""
    events: dict[str, Event] = {}
    for story in sorted(stories, key=lambda s: (s.date, s.slug)):
        if story.event:
            slug = url_slug(story.event, "event")
            events.setdefault(slug, Event(slug, story.event)).stories.append(story)
    return sorted(events.values(), key=lambda e: (e.start, e.slug))
