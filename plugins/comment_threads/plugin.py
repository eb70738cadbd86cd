"""comment_threads: parse each story's comments section into a thread and publish it.

Thin glue over ``newsarchive.formats.comment_thread`` (parsing) and ``newsarchive.analysis.commenters``.
"""

from __future__ import annotations

import logging
from itertools import groupby

from pelican import signals
from pelican.generators import Generator

from newsarchive.analysis.commenters import (
    COMMENTERS_URL,
    OWN_PAGE_FROM,
    commenter_url,
    comments_json,
    group_commenters,
    reply_tree,
)
from newsarchive.errors import count_setting
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.site.progress import TimedStages, progress

log = logging.getLogger(__name__)


class StoryComments:
    """``story.data["comments"]``: serialized when archive.json is written, so later plugins
    (citations) can still add to the comments."""

    def __init__(self, story):
        self.story = story

    def to_json(self):
        return comments_json(self.story)


class CommentThreadGenerator(TimedStages, Generator):
    stage_name = "comments"

    def _generate_context(self):
        archive = self.context["archive"]
        for story in progress(archive.stories, "comment threads"):
            if not story.comments_parsed:  # a thread with problems, reported every build
                thread = parse_story_thread(story)
                take_thread(story, thread)
                archive.warnings.extend(thread.problems)
            if story.comments or story.comments_declared is not None:
                story.data["comments"] = StoryComments(story)
        setting = self.settings.get("COMMENTER_OWN_PAGE_FROM", OWN_PAGE_FROM)
        own_page_from = count_setting("COMMENTER_OWN_PAGE_FROM", setting)
        self.commenters = group_commenters(archive.stories, own_page_from)
        self.context["commenters"] = self.commenters
        self.context["top_commenters"] = sorted(self.commenters, key=lambda c: (-len(c.comments), c.slug))[:200]

    def _generate_output(self, writer):
        groups = [(g, list(members)) for g, members in groupby(self.commenters, key=lambda c: c.group)]
        writer.write_file(
            COMMENTERS_URL + "index.html",
            self.get_template("commenters"),
            self.context,
            groups=groups,
            page_name=COMMENTERS_URL,
        )
        for group, members in groups:
            url = f"{COMMENTERS_URL}{group}/"
            writer.write_file(
                url + "index.html",
                self.get_template("commenter_group"),
                self.context,
                group=group,
                members=members,
                groups=groups,
                page_name=url,
            )
            for person in members:
                if person.own_page:
                    writer.write_file(
                        person.page_url + "index.html",
                        self.get_template("commenter"),
                        self.context,
                        person=person,
                        page_name=person.page_url,
                    )


def take_thread(story, thread) -> None:
    """The story's comments are its parsed thread; the raw lines are let go (not kept in memory or
    in Pelican's cache beside the comments)."""
    story.comments = thread.comments
    story.comment_lines = []
    story.comments_parsed = True


def parse_when_read(story) -> None:
    """``story_read`` receiver: the thread is parsed as the story file is read, so Pelican's
    content cache keeps it and a rebuild parses only the stories it reads again. A thread with
    problems is left to the generator, which reports them on every build."""
    thread = parse_story_thread(story)
    if not thread.problems:
        take_thread(story, thread)


def add_template_globals(generator):
    generator.env.globals.update(reply_tree=reply_tree, commenter_url=commenter_url)


def get_generators(pelican):
    return CommentThreadGenerator


signals.generator_init.connect(add_template_globals)
signals.get_generators.connect(get_generators)
signals.signal("story_read").connect(parse_when_read)  # sent by archive_core's StoryReader


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
