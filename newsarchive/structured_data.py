"""schema.org JSON-LD for the archive's pages, as plain dicts."""

from __future__ import annotations

from typing import Any

from .story import Story


def absolute(site_url: str, path: str) -> str:
    return f"{site_url}/{path}" if path else f"{site_url}/"


def news_article(story: Story, site_url: str) -> dict[str, Any]:
    """A NewsArticle for a story page. Plugins contribute through ``story.data``:
    ``comments`` (commentCount) and ``wire_based_on`` (isBasedOn URLs)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": absolute(site_url, story.url),
        "headline": story.title,
        "datePublished": story.date.date().isoformat(),
        "url": absolute(site_url, story.url),
        "articleBody": story.body_text,
    }
    if story.publisher:
        data["publisher"] = {"@type": "Organization", "name": story.publisher}
    if story.dateline:
        data["dateline"] = story.dateline
    if story.credit:
        data["creditText"] = story.credit
    if story.rights:
        data["copyrightNotice"] = story.rights
    if story.source_url:
        data["sameAs"] = story.source_url
    if story.capture:
        data["archivedAt"] = absolute(site_url, story.capture.path)
    comments = story.data.get("comments")
    if comments is not None:
        data["commentCount"] = len(comments.get("items", []))
    based_on = story.data.get("wire_based_on")
    if based_on:
        data["isBasedOn"] = [absolute(site_url, url) for url in based_on]
    return data
