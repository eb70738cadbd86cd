"""Read comment exports: a WordPress export (WXR) or a Disqus export (XML).

Pure functions: the export's bytes in, its threads out (one per post or page of the export),
each with its comments nested as they were posted. Comments that are not approved (WordPress:
pending, spam, trash; Disqus: deleted or spam) are kept out of the thread and listed as dropped,
one line each, so that nothing of the export is silently lost.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

from newsarchive.errors import ArchiveError
from newsarchive.formats.html_page import PageComment


@dataclass
class ExportThread:
    """The comments of one post (WXR ``item``) or thread (Disqus ``thread``)."""

    link: str
    title: str
    comments: list[PageComment] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child(element, name: str) -> str:
    for child in element:
        if _local(child) == name:
            return (child.text or "").strip()
    return ""


def _attr(element, name: str) -> str:
    """A Disqus ``dsq:id`` attribute (any namespace)."""
    return next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == name), "")


def _paragraphs(text: str) -> list[str]:
    """Comment text as paragraphs: HTML paragraphs and blank lines separate them, tags are left out."""
    text = re.sub(r"(?i)</p\s*>|<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    if "<" in text:
        text = etree.HTML(f"<div>{text}</div>").xpath("string()") if text.strip() else ""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def read_comment_export(data: bytes, path: str) -> list[ExportThread]:
    """The threads of a WXR or Disqus export (told apart by their root element).

    Raises :class:`ArchiveError` for a file that is neither.
    """
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as err:
        raise ArchiveError(path, err.lineno, f"not readable XML: {err.msg}") from None
    if _local(root) == "rss":
        return _wxr(root)
    if _local(root) == "disqus":
        return _disqus(root)
    raise ArchiveError(
        path, root.sourceline, f"not a WordPress (WXR) or Disqus export: the root element is <{_local(root)}>"
    )


def _nest(posts: list[tuple[str, str, PageComment]]) -> list[PageComment]:
    """(id, parent id, comment) in export order -> top-level comments with their replies; a reply
    whose parent is not in the thread is kept at the top level."""
    by_id = {pid: comment for pid, _, comment in posts}
    top = []
    for _, parent, comment in posts:
        if parent in by_id and by_id[parent] is not comment:
            by_id[parent].replies.append(comment)
        else:
            top.append(comment)
    return top


def _wxr(root) -> list[ExportThread]:
    threads = []
    for item in root.iter():
        if _local(item) != "item":
            continue
        thread = ExportThread(_child(item, "link"), _child(item, "title"))
        posts = []
        for c in item:
            if _local(c) != "comment":
                continue
            author, date = _child(c, "comment_author") or "Anonymous", _child(c, "comment_date")
            approved = _child(c, "comment_approved")
            if _child(c, "comment_type") in ("pingback", "trackback") or approved != "1":
                state = {"0": "pending", "spam": "spam", "trash": "trash"}.get(approved, approved or "not approved")
                kind = _child(c, "comment_type") or state
                thread.dropped.append(f"comment {_child(c, 'comment_id')} by {author} ({kind}), {date}")
                continue
            date = _wxr_date(date, _child(c, "comment_date_gmt"))
            comment = PageComment(author, date, _paragraphs(_child(c, "comment_content")))
            posts.append((_child(c, "comment_id"), _child(c, "comment_parent"), comment))
        thread.comments = _nest(posts)
        if posts or thread.dropped:
            threads.append(thread)
    return threads


def _wxr_date(local: str, gmt: str) -> str:
    """A WXR comment's local ``comment_date`` with the UTC offset its ``comment_date_gmt`` implies
    (``2011-06-15 07:12:00`` and ``2011-06-15 11:12:00`` -> ``2011-06-15T07:12:00-04:00``); the local
    date as written when the GMT one is missing or implies no real offset (a whole quarter hour,
    under 24 hours)."""
    try:
        when, utc = dt.datetime.fromisoformat(local.strip()), dt.datetime.fromisoformat(gmt.strip())
    except ValueError:
        return local
    offset = when - utc
    if offset.total_seconds() % 900 or abs(offset) >= dt.timedelta(hours=24) or when.tzinfo or utc.tzinfo:
        return local
    return when.replace(tzinfo=dt.timezone(offset)).isoformat()


def _disqus(root) -> list[ExportThread]:
    threads: dict[str, ExportThread] = {}
    posts: dict[str, list] = {}
    for element in root:
        if _local(element) == "thread":
            threads[_attr(element, "id")] = ExportThread(_child(element, "link"), _child(element, "title"))
    for element in root:
        if _local(element) != "post":
            continue
        thread_id = next((_attr(c, "id") for c in element if _local(c) == "thread"), "")
        thread = threads.setdefault(thread_id, ExportThread("", ""))
        parent = next((_attr(c, "id") for c in element if _local(c) == "parent"), "")
        author = next((_child(c, "name") for c in element if _local(c) == "author"), "") or "Anonymous"
        date = _child(element, "createdAt")
        if _child(element, "isDeleted") == "true" or _child(element, "isSpam") == "true":
            why = "deleted" if _child(element, "isDeleted") == "true" else "spam"
            thread.dropped.append(f"comment {_attr(element, 'id')} by {author} ({why}), {date}")
            continue
        comment = PageComment(author, date, _paragraphs(_child(element, "message")))
        posts.setdefault(thread_id, []).append((_attr(element, "id"), parent, comment))
    for thread_id, thread in threads.items():
        thread.comments = _nest(posts.get(thread_id, []))
    return [t for t in threads.values() if t.comments or t.dropped]
