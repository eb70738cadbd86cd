"""Readers who commented, across the whole archive, and the reply tree of one thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsarchive.formats.comment_thread import commenter_slug
from newsarchive.model.story import Comment, Story

COMMENTERS_URL = "commenters/"
COMMENTER_GROUP_URL = "commenters/{group}/"
COMMENTER_PAGE_URL = "commenters/{group}/{slug}/"
# A commenter with this many comments or more gets a page of their own, so that a letter page
# listing every comment of its commenters stays small. Their entry stays on the letter
# page (its anchor is the commenter's permalink), with the count and a link to the page.
OWN_PAGE_FROM = 20


@dataclass(slots=True)
class ReplyNode:
    comment: Comment
    replies: list[ReplyNode] = field(default_factory=list)


def reply_tree(comments: list[Comment]) -> list[ReplyNode]:
    """Comments nested under their explicit parents, in captured order."""
    nodes = {c.id: ReplyNode(c) for c in comments}
    roots: list[ReplyNode] = []
    for c in comments:
        parent = nodes.get(c.parent) if c.parent else None
        (parent.replies if parent else roots).append(nodes[c.id])
    return roots


def group_of(slug: str) -> str:
    """Commenters are listed on one page per initial letter (digits share ``0-9``)."""
    first = slug[:1]
    return first if first.isalpha() else "0-9"


@dataclass
class Commenter:
    slug: str
    names: list[str]  # every spelling used, as written
    comments: list[tuple[Story, Comment]] = field(default_factory=list)
    own_page: bool = False  # their comments are listed on their own page, not on the letter page

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def group(self) -> str:
        return group_of(self.slug)

    @property
    def url(self) -> str:
        """Permalink: the commenter's entry on their letter page."""
        return _entry_url(self.slug)

    @property
    def page_url(self) -> str:
        """Where all their comments are listed: their own page, or their entry on the letter page."""
        return COMMENTER_PAGE_URL.format(group=self.group, slug=self.slug) if self.own_page else self.url


def commenter_url(author: str) -> str:
    return _entry_url(commenter_slug(author))


def _entry_url(slug: str) -> str:
    return COMMENTER_GROUP_URL.format(group=group_of(slug)) + "#" + slug


def group_commenters(stories: list[Story], own_page_from: int = OWN_PAGE_FROM) -> list[Commenter]:
    """Every commenter with all their comments, by slug; stories in the order given. Those with
    ``own_page_from`` comments or more get a page of their own."""
    by_slug: dict[str, Commenter] = {}
    for story in stories:
        for comment in story.comments:
            slug = commenter_slug(comment.author)
            commenter = by_slug.setdefault(slug, Commenter(slug, []))
            if comment.author not in commenter.names:
                commenter.names.append(comment.author)
            commenter.comments.append((story, comment))
    for commenter in by_slug.values():
        commenter.own_page = len(commenter.comments) >= own_page_from
    return sorted(by_slug.values(), key=lambda c: c.slug)


def comments_json(story: Story) -> dict:
    """The ``stories[].comments`` part of archive.json."""
    return {
        "declared": story.comments_declared,
        "items": [
            {
                "id": c.id,
                "parent": c.parent,
                "author": c.author,
                "text": c.text,
                "url": f"{story.url}#{c.anchor}",
                "number": c.number,
                "reply_to_inferred": c.reply_to_inferred,
                "cites": list(c.cites),
            }
            | ({"date": c.date_iso} if c.date else {})
            | ({"removed_in_version": c.removed} if c.removed else {})
            for c in story.comments
        ],
    }
