"""schema.org JSON-LD for the archive's pages, as plain dicts."""

from __future__ import annotations

from typing import Any

from newsarchive.model.story import Comment, Story


def absolute(site_url: str, path: str) -> str:
    return f"{site_url}/{path}" if path else f"{site_url}/"


def news_article(story: Story, site_url: str) -> dict[str, Any]:
    """A NewsArticle for a story page, with its reader comments (once parsed) and, through
    ``story.data["wire_based_on"]``, the wire passages it is based on."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": absolute(site_url, story.url),
        "headline": story.title,
        "datePublished": story.date.isoformat() + story.date_offset
        if story.date_offset
        else story.date.date().isoformat(),
        "url": absolute(site_url, story.url),
        "articleBody": story.body_text,
    }
    if story.publisher:
        data["publisher"] = {"@type": "Organization", "name": story.publisher}
    if story.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in story.authors]
    if story.modified:
        data["dateModified"] = story.modified.isoformat() + story.modified_offset
    if story.versions:  # what is known of the story's changes: the captures of its page
        data.update(versions(story, site_url))
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
    if story.comments or story.comments_declared is not None:
        data["commentCount"] = len(story.comments)
        data["comment"] = [comment(story, c, site_url) for c in story.comments]
    based_on = story.data.get("wire_based_on")
    if based_on:
        data["isBasedOn"] = [absolute(site_url, url) for url in based_on]
    return data


def versions(story: Story, site_url: str) -> dict[str, Any]:
    """A story with later versions: ``dateModified`` is when the latest version was captured (the
    page had changed by then; when the publisher gives a modification date it stays), and
    ``workExample`` lists every version as a CreativeWork with its ``version`` number, its
    capture time as ``dateCreated`` and its capture as ``archivedAt``."""
    from newsarchive.formats.story_versions import captured_iso

    latest = story.versions[-1]
    data: dict[str, Any] = {
        "workExample": [
            {
                "@type": "CreativeWork",
                "@id": absolute(site_url, story.version_url(v.number)),
                "url": absolute(site_url, story.version_url(v.number)),
                "version": v.number,
                "headline": v.story.title,
            }
            | ({"dateCreated": captured_iso(v.captured)} if v.captured else {})
            | ({"archivedAt": absolute(site_url, v.capture.path)} if v.capture else {})
            for v in story.versions
        ]
    }
    if not story.modified and latest.captured:
        data["dateModified"] = captured_iso(latest.captured)
    return data


def comment(story: Story, c: Comment, site_url: str) -> dict[str, Any]:
    """A schema.org Comment; ``parentItem`` is the comment it replies to, or the article."""
    article = absolute(site_url, story.url)
    parent = f"{article}#comment-{c.parent.replace('.', '-')}" if c.parent else article
    return {
        "@type": "Comment",
        "@id": f"{article}#{c.anchor}",
        "url": f"{article}#{c.anchor}",
        "author": {"@type": "Person", "name": c.author},
        "text": c.text,
        "position": c.position,
        "parentItem": {"@id": parent},
    } | ({"dateCreated": c.date_iso} if c.date else {})


def person(entity: Any, site_url: str) -> dict[str, Any]:
    """A schema.org Person (or Organization) for an entity page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Person" if entity.kind == "person" else "Organization",
        "@id": absolute(site_url, entity.url),
        "name": entity.name,
        "url": absolute(site_url, entity.url),
    }
    if entity.aliases:
        data["alternateName"] = list(entity.aliases)
    if entity.roles and entity.kind == "person":
        data["jobTitle"] = list(entity.roles)
    return data


def quotation(quote: Any, speaker: Any, site_url: str) -> dict[str, Any]:
    """A schema.org Quotation: who said it, and the stories it is part of."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "@id": absolute(site_url, quote.url),
        "url": absolute(site_url, quote.url),
        "text": quote.text,
        "isPartOf": [
            {"@type": "NewsArticle", "@id": absolute(site_url, url)}
            for url in dict.fromkeys(o.url.split("#")[0] for o in quote.occurrences)
        ],
    }
    if speaker is not None:
        kind = "Organization" if speaker.kind == "organization" else "Person"
        who = {"@type": kind, "@id": absolute(site_url, speaker.url), "name": speaker.name}
        data["spokenByCharacter"] = who
        data["creator"] = who
    return data
