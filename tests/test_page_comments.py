"""Comment threads rendered into a saved page in the common markups besides WordPress lists
(html_page.read_marked_comments): Drupal, Disqus, schema.org microdata, a generic section."""

from __future__ import annotations

import pytest

from newsarchive.formats.capture_import import import_capture
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.html_page import read_page
from newsarchive.formats.story_file import parse_story

ARTICLE = (
    "<html><head><title>Council votes</title>"
    "<meta property='article:published_time' content='2011-06-14T21:05:00-04:00'></head><body>"
    "<article><h1>Council votes</h1>"
    "<p>The city council of Lowell voted seven to two on Tuesday night to approve the budget for next year.</p>"
    "<p>The plan cuts funding for two libraries and adds six officers to the police department.</p></article>"
)

DRUPAL = """<section id="comments" class="comments"><h2>Comments</h2>
<article class="comment js-comment"><footer><span class="username">Pat Lee</span>
<div class="submitted"><time datetime="2011-06-15T07:12:00-04:00">Wed, 06/15/2011 - 07:12</time></div></footer>
<div class="content"><div class="field--name-comment-body"><p>Finally a budget.</p><p>Good work.</p></div>
<ul class="links"><li>Reply</li></ul></div></article>
<div class="indented"><article class="comment js-comment"><footer><span class="username">Sam Roe</span></footer>
<div class="content"><div class="field--name-comment-body"><p>Not so fast.</p></div></div></article></div>
<article class="comment"><footer><span class="username">Ann</span></footer><div class="content"><p>Third.</p></div>
</article></section>"""

DISQUS = """<div id="disqus_thread"><ul id="post-list">
<li class="post"><div class="post-byline"><span class="author">Pat Lee</span></div>
<div class="post-meta"><a class="time-ago" title="Wednesday, June 15, 2011 7:12 AM">12 years ago</a></div>
<div class="post-message"><p>Finally a budget.</p><p>Good work.</p></div>
<ul class="children"><li class="post"><div class="post-byline"><span class="author">Sam Roe</span></div>
<div class="post-message"><p>Not so fast.</p></div></li></ul></li>
<li class="post"><div class="post-byline"><span class="author">Ann</span></div>
<div class="post-message"><p>Third.</p></div></li></ul></div>"""

MICRODATA = """<div class="discussion">
<div itemprop="comment" itemscope itemtype="https://schema.org/Comment">
<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Pat Lee</span></span>
<meta itemprop="dateCreated" content="2011-06-15T07:12:00-04:00">
<div itemprop="text"><p>Finally a budget.</p><p>Good work.</p></div>
<div itemscope itemtype="http://schema.org/Comment"><span itemprop="author">Sam Roe</span>
<div itemprop="text">Not so fast.</div></div></div>
<div itemprop="comment" itemscope itemtype="https://schema.org/Comment"><span itemprop="author">Ann</span>
<p itemprop="text">Third.</p></div></div>"""

GENERIC = """<section id="comments"><h3>3 comments</h3><ol>
<li><div class="comment"><b class="author">Pat Lee</b> <time datetime="2011-06-15T07:12:00-04:00">June 15</time>
<p>Finally a budget.</p><p>Good work.</p>
<ol><li><div class="comment"><b class="author">Sam Roe</b><p>Not so fast.</p></div></li></ol></div></li>
<li><div class="comment"><b class="author">Ann</b><p>Third.</p></div></li></ol></section>"""


def page(thread: str) -> bytes:
    return (ARTICLE + thread + "<footer><p>Privacy policy</p></footer></body></html>").encode()


@pytest.mark.parametrize(
    "markup", [DRUPAL, DISQUS, MICRODATA, GENERIC], ids=["drupal", "disqus", "microdata", "generic"]
)
def test_the_thread_is_read_with_authors_dates_and_nesting(markup):
    story = import_capture(page(markup), "council.html")
    parsed = parse_story(story.text, f"stories/{story.slug}.md")
    assert parsed.sources["comments"] == "capture:html"
    thread = parse_story_thread(parsed)
    assert [(c.id, c.parent, c.author, c.paragraphs) for c in thread.comments] == [
        ("1", None, "Pat Lee", ["Finally a budget.", "Good work."]),
        ("1.1", "1", "Sam Roe", ["Not so fast."]),
        ("2", None, "Ann", ["Third."]),
    ]
    assert "1. Pat Lee says (2011-06-15 07:12" in story.text


@pytest.mark.parametrize(
    "markup", [DRUPAL, DISQUS, MICRODATA, GENERIC], ids=["drupal", "disqus", "microdata", "generic"]
)
def test_every_line_of_the_thread_is_accounted_for(markup):
    reading = read_page(page(markup), "council.html")
    where = {spot.text: spot.place for spot in reading.places}
    for part in ("Pat Lee", "Finally a budget.", "Good work.", "Sam Roe", "Not so fast.", "Ann", "Third."):
        assert [place for line, place in where.items() if part in line] == ["comments"]
    assert where["Privacy policy"] == "dropped"


def test_a_comment_with_no_text_of_its_own_is_left_out_and_its_lines_stay_accounted_for():
    markup = DRUPAL.replace("<p>Third.</p>", "")
    reading = read_page(page(markup), "council.html")
    assert "Ann says:" not in "\n".join(reading.comment_lines)
    assert {spot.text: spot.place for spot in reading.places}["Ann"] == "dropped"


def test_a_page_without_comment_markup_has_no_thread():
    reading = read_page(page("<div class='comments-closed'><p>Comments are closed.</p></div>"), "council.html")
    assert reading.comments_heading is None and not reading.comment_lines
