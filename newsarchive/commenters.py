"""Readers who commented, across the whole archive, and the reply tree of one thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from .comment_thread import commenter_slug
from .story import Comment, Story

COMMENTERS_URL = "commenters/"
COMMENTER_GROUP_URL = "commenters/{group}/"


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

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def group(self) -> str:
        return group_of(self.slug)

    @property
    def url(self) -> str:
        """Permalink: the commenter's entry on their letter page."""
        return COMMENTER_GROUP_URL.format(group=self.group) + "#" + self.slug


def commenter_url(author: str) -> str:
    slug = commenter_slug(author)
    return COMMENTER_GROUP_URL.format(group=group_of(slug)) + "#" + slug


def group_commenters(stories: list[Story]) -> list[Commenter]:
    """Every commenter with all their comments, by slug; stories in the order given."""
    by_slug: dict[str, Commenter] = {}
    for story in stories:
        for comment in story.comments:
            slug = commenter_slug(comment.author)
            commenter = by_slug.setdefault(slug, Commenter(slug, []))
            if comment.author not in commenter.names:
                commenter.names.append(comment.author)
            commenter.comments.append((story, comment))
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
            for c in story.comments
        ],
    }
