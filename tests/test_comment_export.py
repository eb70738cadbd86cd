"""Comment exports (WordPress WXR, Disqus XML) attached to an existing story with
``archive import-comments``."""

from __future__ import annotations

import hashlib

import pytest

from newsarchive import cli
from newsarchive.errors import ArchiveError
from newsarchive.formats.comment_export import read_comment_export
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.story_file import parse_story
from tests.test_html_page_import import JSON_LD_PAGE

POST = "https://www.lowellsun.example/2011/06/14/budget/"

WXR = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Lowell Sun</title>
<item><title>Lowell council approves budget</title><link>{POST}</link>
 <wp:comment><wp:comment_id>11</wp:comment_id><wp:comment_author><![CDATA[Pat Reader]]></wp:comment_author>
  <wp:comment_date>2011-06-15 07:12:00</wp:comment_date><wp:comment_date_gmt>2011-06-15 11:12:00</wp:comment_date_gmt>
  <wp:comment_content><![CDATA[Six more officers is a good start.

But the libraries matter too.]]></wp:comment_content>
  <wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
 <wp:comment><wp:comment_id>12</wp:comment_id><wp:comment_author>Sam Neighbor</wp:comment_author>
  <wp:comment_date>2011-06-15 08:00:00</wp:comment_date>
  <wp:comment_content><![CDATA[<p>Agreed about the <em>libraries</em>.</p>]]></wp:comment_content>
  <wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type><wp:comment_parent>11</wp:comment_parent></wp:comment>
 <wp:comment><wp:comment_id>13</wp:comment_id><wp:comment_author>cheap-pills</wp:comment_author>
  <wp:comment_date>2011-06-15 09:00:00</wp:comment_date><wp:comment_content>Buy now</wp:comment_content>
  <wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
</item></channel></rss>
""".encode()

DISQUS = f"""<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
 <thread dsq:id="7"><link>{POST}</link><title>Lowell council approves budget</title></thread>
 <thread dsq:id="8"><link>https://www.lowellsun.example/other/</link><title>Other</title></thread>
 <post dsq:id="70"><message><![CDATA[<p>Who checked the revenue numbers?</p>]]></message>
  <createdAt>2011-06-15T11:12:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
  <author><name>Lee</name></author><thread dsq:id="7"/></post>
 <post dsq:id="71"><message><![CDATA[<p>The state did.</p>]]></message>
  <createdAt>2011-06-15T12:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
  <author><name>Kim</name></author><thread dsq:id="7"/><parent dsq:id="70"/></post>
 <post dsq:id="72"><message><![CDATA[<p>removed</p>]]></message>
  <createdAt>2011-06-15T13:00:00Z</createdAt><isDeleted>true</isDeleted><isSpam>false</isSpam>
  <author><name>Gone</name></author><thread dsq:id="7"/></post>
 <post dsq:id="80"><message><![CDATA[<p>Elsewhere.</p>]]></message>
  <createdAt>2011-06-16T13:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
  <author><name>Other</name></author><thread dsq:id="8"/></post>
</disqus>
""".encode()


def test_a_wxr_export_gives_the_thread_nested_and_keeps_spam_out_but_listed():
    [thread] = read_comment_export(WXR, "wp.xml")
    assert thread.link == POST
    [first] = thread.comments
    assert (first.author, first.paragraphs) == (
        "Pat Reader",
        ["Six more officers is a good start.", "But the libraries matter too."],
    )
    assert [(r.author, r.paragraphs) for r in first.replies] == [("Sam Neighbor", ["Agreed about the libraries."])]
    assert thread.dropped == ["comment 13 by cheap-pills (spam), 2011-06-15 09:00:00"]


def test_a_disqus_export_gives_each_thread_with_deleted_posts_dropped():
    threads = read_comment_export(DISQUS, "disqus.xml")
    assert [t.link for t in threads] == [POST, "https://www.lowellsun.example/other/"]
    [lee] = threads[0].comments
    assert (lee.author, [r.author for r in lee.replies]) == ("Lee", ["Kim"])
    assert threads[0].dropped == ["comment 72 by Gone (deleted), 2011-06-15T13:00:00Z"]


def test_a_file_that_is_no_export_is_one_located_error():
    with pytest.raises(ArchiveError, match="not a WordPress"):
        read_comment_export(b"<html><body/></html>", "x.xml")
    with pytest.raises(ArchiveError, match="not readable XML"):
        read_comment_export(b"<rss><channel>", "x.xml")


@pytest.mark.parametrize("export, name, how", [(WXR, "wordpress.xml", "wxr"), (DISQUS, "disqus.xml", "disqus")])
def test_import_comments_attaches_the_thread_of_the_story_and_keeps_the_export(tmp_path, capsys, export, name, how):
    content = tmp_path / "content"
    (tmp_path / "lowell.html").write_bytes(JSON_LD_PAGE)
    assert cli.main(["import", "-q", str(tmp_path / "lowell.html"), "--content", str(content)]) == 0
    (tmp_path / name).write_bytes(export)
    slug = "lowell-council-approves-budget"
    assert cli.main(["import-comments", str(tmp_path / name), "--story", slug, "--content", str(content)]) == 0
    assert (content / "captures" / f"{name}.txt").read_bytes() == export
    path = content / "stories" / f"{slug}.md"
    story = parse_story(path.read_text(encoding="utf-8"), str(path), content)
    assert story.sources["comments"] == f"capture:{how}"
    assert story.metadata["comments_capture_sha256"] == hashlib.sha256(export).hexdigest()
    authors = [(c.id, c.author, c.date) for c in parse_story_thread(story).comments]
    assert authors == (
        [("1", "Pat Reader", "2011-06-15 07:12 -04:00"), ("1.1", "Sam Neighbor", "2011-06-15 08:00")]
        if how == "wxr"
        else [("1", "Lee", "2011-06-15 11:12 +00:00"), ("1.1", "Kim", "2011-06-15 12:00 +00:00")]
    )
    assert any("(spam)" in line or "(deleted)" in line for line in story.dropped)
    capsys.readouterr()
    assert cli.main(["lint", "--content", str(content)]) == 0, capsys.readouterr().out
    # the export is checked like a capture
    kept = content / "captures" / f"{name}.txt"
    kept.write_bytes(export + b"\n")
    assert cli.main(["lint", "--content", str(content)]) == 1
    assert "comments capture" in capsys.readouterr().out
    kept.write_bytes(export)
    # a second thread for the same story is refused
    assert cli.main(["import-comments", str(tmp_path / name), "--story", slug, "--content", str(content)]) == 1
    assert "already has a comment thread" in capsys.readouterr().err
