"""Read a saved web page (``.html``, ``.htm``, ``.html.gz``, ``.mhtml``) as a news story.

Pure functions: the page's bytes in, a :class:`~newsarchive.formats.capture_import.CaptureReading` out.

* **Body**: the article as trafilatura extracts it (:func:`extract_body`), with its structure
  (paragraphs, subheads, lists, block quotes, tables, links, emphasis) written as the Markdown of
  the story body by :mod:`newsarchive.formats.page_markdown`, one block per top-level block.
* **Metadata**: from the page itself, in this order of trust: JSON-LD (``json-ld``), Open Graph
  and other ``<meta>`` tags (``open-graph``, ``meta``), ``<link rel=canonical>``
  (``link-canonical``), ``<time datetime>`` (``time``), htmldate as trafilatura runs it (``htmldate``), trafilatura's
  own metadata (``trafilatura``), the page's address (``url``). Each value is recorded with how
  it was found (``Sources: title=capture:json-ld``).
* **Nothing lost**: the page is rendered to text (:func:`render_lines`, deterministic: one line
  per block of visible text, scripts and styles left out) and every line of that rendering is
  placed: ``body pN`` (the block whose plain text holds it), ``metadata Title``/``Authors``...,
  ``comments`` (:func:`read_comments`), or ``dropped`` (kept verbatim under
  ``## Dropped boilerplate``). The line numbers :class:`LinePlace` gives are the rendering's.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import urlsplit

import lxml.html

from newsarchive.errors import ArchiveError
from newsarchive.formats.capture_import import CaptureReading, LinePlace
from newsarchive.formats.markdown_body import Block
from newsarchive.formats.page_markdown import markdown_blocks, read_blocks

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".html.gz", ".htm.gz", ".mhtml", ".mht")
ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "Report")
# elements whose text a reader never sees
INVISIBLE = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "select", "button"}
BLOCK = set(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr td th ul "
    "br option caption label legend".split()
)
MATCH_WORDS = 4  # a rendered line shorter than this must be a whole body paragraph to count as body
PRECISE_SHARE = 0.5  # see extract_body
LOOKAHEAD = 3  # how many paragraphs past the current one a rendered line may be found in


def is_html_page(path: str) -> bool:
    """True when ``path`` names a saved web page by its extension."""
    return path.lower().endswith(HTML_SUFFIXES)


def page_bytes(data: bytes, path: str) -> bytes:
    """The HTML of a saved page: gunzipped for ``.gz``, the first ``text/html`` part of an MHTML."""
    name = path.lower()
    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise ArchiveError(path, None, f"not a readable gzip file: {err}") from None
    if name.endswith((".mhtml", ".mht")):
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/html":
                return part.get_payload(decode=True) or b""
        raise ArchiveError(path, None, "this MHTML file has no text/html part")
    return data


def parse_html(html: bytes, path: str) -> lxml.html.HtmlElement:
    """The page as an lxml tree (encoding from the page's own declaration, else UTF-8 or cp1252)."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise ArchiveError(path, None, "no HTML could be read from this page")
    return tree


# --- the text rendering ----------------------------------------------------------------------


def render_lines(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's visible text, one line per block, whitespace collapsed, empty lines left out.

    Deterministic: the same tree always gives the same lines. ``<title>`` comes first, then the
    body in document order; scripts, styles and other invisible elements are left out.
    """
    lines: list[str] = []
    title = tree.find(".//title")
    if title is not None and title.text_content().strip():
        lines.append(" ".join(title.text_content().split()))
    body = tree.find(".//body")
    return lines + _render(body if body is not None else tree)


def _render(root, skip=None) -> list[str]:
    """The visible text of the element ``root`` (not its tail), one line per block; elements for
    which ``skip(element)`` is true are left out (not their tails)."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower().rpartition("}")[2]
        if tag and tag not in INVISIBLE and not (skip is not None and element is not root and skip(element)):
            block = tag in BLOCK
            if block:
                flush()
            if element.text:
                current.append(element.text)
            for child in element:
                walk(child)
            if block:
                flush()
        if element.tail and element is not root:
            current.append(element.tail)

    walk(root)
    flush()
    return lines


# --- metadata --------------------------------------------------------------------------------


def _json_ld_objects(tree) -> list[dict]:
    objects: list[dict] = []

    def add(value) -> None:
        if isinstance(value, list):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            objects.append(value)
            add(value.get("@graph"))

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            add(json.loads(script.text_content(), strict=False))
        except (ValueError, RecursionError):
            continue
    return objects


def _types(obj: dict) -> list[str]:
    kind = obj.get("@type")
    return [str(k) for k in kind] if isinstance(kind, list) else [str(kind or "")]


def _name(value) -> str:
    """A name from a JSON-LD value: a string, an object with ``name``, or a list of those."""
    if isinstance(value, list):
        return "; ".join(dict.fromkeys(filter(None, (_name(v) for v in value))))
    if isinstance(value, dict):
        return _name(value.get("name", ""))
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""


def _article_object(tree) -> dict:
    """The page's JSON-LD article (NewsArticle, Article, BlogPosting...), or {}."""
    objects = _json_ld_objects(tree)
    for wanted in ARTICLE_TYPES:
        for obj in objects:
            if wanted in _types(obj):
                return obj
    return next((obj for obj in objects if obj.get("headline")), {})


def _meta_tags(tree) -> dict[str, str]:
    """``<meta>`` values by lowercased ``property``/``name``/``itemprop`` (the first of each)."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = " ".join((meta.get("content") or "").split())
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                found.setdefault(key, content)
    return found


def _iso_date(value: str) -> str:
    """``2019-11-19T08:03:00-05:00`` -> ``2019-11-19 08:03 -05:00`` (time and zone when given);
    "" when ``value`` is no date."""
    value = value.strip()
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        try:
            from dateutil import parser

            when = parser.parse(value)
        except (ValueError, OverflowError, TypeError):
            return ""
    if not 1800 <= when.year <= 2200:
        return ""
    return _date_text(when, bool(re.search(r"\d[T ]\d{1,2}:\d{2}", value)))


def _date_text(when: dt.datetime, with_time: bool, with_seconds: bool = False) -> str:
    """``when`` as a story file writes a date: ``YYYY-MM-DD``, or with its time ``YYYY-MM-DD HH:MM``
    (``:SS`` too when ``with_seconds`` and they are not zero) and its UTC offset when it has one."""
    if not with_time:
        return when.date().isoformat()
    text = when.strftime("%Y-%m-%d %H:%M" + (":%S" if with_seconds and when.second else ""))
    offset = when.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        text += f" {sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text


def _first(*candidates: tuple[str, str]) -> tuple[str, str]:
    """The first (value, how) with a value, or ("", "")."""
    return next(((v, how) for v, how in candidates if v), ("", ""))


def read_metadata(tree, html: bytes, extracted) -> dict[str, tuple[str, str]]:
    """field -> (value, how it was found) for title, date, modified, authors (the byline), publisher,
    source_url and lang (the language); fields the page does not give are left out."""
    article = _article_object(tree)
    meta = _meta_tags(tree)
    canonical = next((link.get("href", "") for link in tree.xpath('//link[@rel="canonical"]')), "").strip()
    main_entity = article.get("mainEntityOfPage")
    main_entity = main_entity.get("@id", "") if isinstance(main_entity, dict) else main_entity
    times = [t.get("datetime", "") for t in tree.xpath("//time[@datetime]")]
    found = {
        "title": _first(
            (_name(article.get("headline")), "json-ld"),
            (meta.get("og:title", ""), "open-graph"),
            (getattr(extracted, "title", "") or "", "trafilatura"),
        ),
        "date": _first(
            (_iso_date(str(article.get("datePublished") or "")), "json-ld"),
            (_iso_date(meta.get("article:published_time", "")), "open-graph"),
            *((_iso_date(meta.get(key, "")), "meta") for key in DATE_META),
            (_iso_date(times[0]) if times else "", "time"),
            (_iso_date(getattr(extracted, "date", "") or ""), "htmldate"),  # trafilatura runs htmldate
        ),
        "modified": _first(
            (_iso_date(str(article.get("dateModified") or "")), "json-ld"),
            (_iso_date(meta.get("article:modified_time", "")), "open-graph"),
        ),
        "authors": _first(
            (_name(article.get("author")), "json-ld"),
            (meta.get("author", ""), "meta"),
            (getattr(extracted, "author", "") or "", "trafilatura"),
        ),
        "publisher": _first(
            (_name(article.get("publisher")), "json-ld"),
            (meta.get("og:site_name", ""), "open-graph"),
            (meta.get("application-name", ""), "meta"),
            (getattr(extracted, "sitename", "") or "", "trafilatura"),
        ),
        "source_url": _first(
            (_http(canonical), "link-canonical"),
            (_http(meta.get("og:url", "")), "open-graph"),
            (_http(str(article.get("url") or "")), "json-ld"),
            (_http(str(main_entity or "")), "json-ld"),
            (_http(getattr(extracted, "url", "") or ""), "trafilatura"),
        ),
        "lang": _first(
            ((tree.get("lang") or "").strip(), "html-lang"),
            (str(article.get("inLanguage") or ""), "json-ld"),
            (meta.get("og:locale", "").replace("_", "-"), "open-graph"),
            (meta.get("content-language", ""), "meta"),
        ),
    }
    if not found["publisher"][0] and found["source_url"][0]:
        host = urlsplit(found["source_url"][0]).hostname or ""
        found["publisher"] = (host.removeprefix("www."), "url")
    found["title"] = (without_site_name(found["title"][0], found["publisher"][0]), found["title"][1])
    return {key: (" ".join(value.split()), how) for key, (value, how) in found.items() if value.strip()}


SITE_SUFFIX_RE = re.compile(r"\s+(?:\||-|–|—|::|·)\s+(?P<site>[^|–—]+?)\s*$")


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def without_site_name(title: str, publisher: str) -> str:
    """``Budget passes | The Sun`` -> ``Budget passes`` when the words after the last separator
    are the publisher's name (spaces, case and punctuation aside); any other title as it is."""
    m = SITE_SUFFIX_RE.search(title)
    if m and publisher and _letters(m["site"]) == _letters(publisher) and title[: m.start()].strip():
        return title[: m.start()].strip()
    return title


DATE_META = ("date", "pubdate", "publishdate", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date")


def _http(url: str) -> str:
    url = url.strip()
    return url if re.match(r"^https?://[^\s\"'<>`]+$", url, re.I) else ""


# --- reader comments ------------------------------------------------------------------------------

COMMENT_LISTS = (
    '//ol[contains(concat(" ", normalize-space(@class), " "), " commentlist ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " comment-list ")]'
    '|//ul[contains(concat(" ", normalize-space(@class), " "), " commentlist ")'
    ' or contains(concat(" ", normalize-space(@class), " "), " comment-list ")]'
)
SAYS_RE = re.compile(r"\s*says:?\s*$", re.I)


@dataclass
class PageComment:
    """A reader comment rendered into the saved page: author, date as shown, paragraphs, replies."""

    author: str
    date: str
    paragraphs: list[str]
    replies: list[PageComment] = field(default_factory=list)
    date_text: str = ""  # the page's visible text that shows the date (a line of its rendering), if any


def _has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def _first_with_class(element, *names: str):
    for name in names:
        found = element.xpath(f'.//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]')
        if found:
            return found[0]
    return None


def _text(element) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def read_comments(tree) -> tuple[list[PageComment], list]:
    """The comment thread rendered into the page, and the elements it was read from: WordPress-style
    lists (``ol.commentlist`` / ``ol.comment-list`` of ``li.comment`` items, replies in
    ``ul.children``), else the other common markups (:func:`read_marked_comments`)."""
    lists = [
        el for el in tree.xpath(COMMENT_LISTS) if not any(a in tree.xpath(COMMENT_LISTS) for a in el.iterancestors())
    ]
    if lists:
        return [c for el in lists for c in _comment_items(el)], lists
    return read_marked_comments(tree)


# A comment section: an element with one of these ids or classes (Disqus, Drupal, most themes).
COMMENT_SECTIONS = {"comments", "disqus_thread", "comment-list", "comments-list", "comment-section", "post-list"}
# A comment in a comment section: an element with one of these classes (``li.post`` is Disqus's).
COMMENT_ITEMS = {"comment", "post"}
# Where a comment keeps its author, its date and its text, in this order of trust.
AUTHOR_CLASSES = ("comment-author", "comment__author", "username", "fn", "author", "user-name", "name")
DATE_CLASSES = ("comment-date", "comment__time", "comment-time", "time-ago", "submitted", "date", "comment-metadata")
TEXT_CLASSES = (
    *("comment-content", "comment__content", "comment-text", "post-message", "field--name-comment-body"),
    *("field-name-comment-body", "comment-body", "content", "text"),
)
# A list of replies that follows its comment instead of being inside it (Drupal's ``div.indented``).
REPLY_WRAPPERS = {"indented", "children", "replies", "comment-replies"}


def _tokens(element) -> set[str]:
    return set((element.get("class") or "").split()) | {(element.get("id") or "").strip()}


def _is_microdata_comment(element) -> bool:
    kind = element.get("itemtype") or ""
    return (
        kind.rstrip("/").lower().endswith("schema.org/comment") or "comment" in (element.get("itemprop") or "").split()
    )


def read_marked_comments(tree) -> tuple[list[PageComment], list]:
    """Comments marked as such in the page: schema.org ``Comment`` microdata anywhere
    (``itemtype=".../Comment"`` or ``itemprop="comment"``), and in a comment section (an element whose
    id or class is one of :data:`COMMENT_SECTIONS`) each element with a class of
    :data:`COMMENT_ITEMS` (``article.comment``, ``div.comment``, Disqus's ``li.post``...). A comment
    inside another is its reply, and so is one in a reply wrapper (:data:`REPLY_WRAPPERS`) that follows
    it. Returns the comments and the outermost comment elements they were read from."""
    sections = [el for el in tree.iter() if isinstance(el.tag, str) and _tokens(el) & COMMENT_SECTIONS]
    items = [
        el
        for el in tree.iter()
        if isinstance(el.tag, str)
        and (_is_microdata_comment(el) or (_tokens(el) & COMMENT_ITEMS and any(_inside(el, s) for s in sections)))
    ]
    item_set = set(items)
    parents: dict = {}
    for item in items:
        parents[item] = next((a for a in item.iterancestors() if a in item_set), None)
        if parents[item] is None:
            wrapper = next((a for a in item.iterancestors() if _tokens(a) & REPLY_WRAPPERS), None)
            before = wrapper.getprevious() if wrapper is not None else None
            while before is not None and before not in item_set:
                before = before.getprevious()
            parents[item] = before
    read = {item: _marked_comment(item, item_set) for item in items}
    top = []
    for item in items:
        if read[item] is None:
            continue
        parent = parents[item]
        while parent is not None and read.get(parent) is None:
            parent = parents.get(parent)
        if parent is None:
            top.append(item)
        else:
            read[parent].replies.append(read[item])
    outermost = [item for item in items if read[item] is not None and not any(_inside(item, o) for o in items)]
    return [read[item] for item in top], outermost


def _own(element, item, items) -> bool:
    """True when ``element`` belongs to the comment ``item`` itself, not to a reply inside it."""
    return next((a for a in element.iterancestors() if a in items), None) is item


def _first_own(item, items, classes: tuple[str, ...], itemprops: tuple[str, ...] = ()):
    own = [el for el in item.iterdescendants() if isinstance(el.tag, str) and el not in items and _own(el, item, items)]
    for prop in itemprops:
        found = next((el for el in own if prop in (el.get("itemprop") or "").split()), None)
        if found is not None:
            return found
    for name in classes:
        found = next((el for el in own if name in (el.get("class") or "").split()), None)
        if found is not None:
            return found
    return None


def _marked_comment(item, items) -> PageComment | None:
    """One comment of :func:`read_marked_comments`: None when it has no text of its own."""
    author = _first_own(item, items, AUTHOR_CLASSES, ("author",))
    name = author
    if author is not None:
        name = next((el for el in author.iter() if "name" in (el.get("itemprop") or "").split()), author)
    shown = _first_own(item, items, DATE_CLASSES, ("dateCreated", "datePublished"))
    times = [t for t in item.iter("time") if _own(t, item, items)]
    date, date_text = "", ""
    for element in [e for e in (*times, shown) if e is not None]:
        value = element.get("datetime") or element.get("content") or element.get("title") or _text(element)
        if thread_date(value):
            date, date_text = value.strip(), _text(element)
            break
    skip = ({e for e in (author, shown) if e is not None} | set(items)) - {item}
    body = _first_own(item, items, TEXT_CLASSES, ("text",))
    if body is not None:
        paragraphs = _render(body, skip.__contains__)
    else:  # no element marked as the text: the comment's own paragraphs
        marks = [e for e in (author, shown) if e is not None]
        own = [p for p in item.iter("p") if _own(p, item, items) and not any(_inside(p, e) for e in marks)]
        paragraphs = [line for p in own for line in _render(p)]
    if not paragraphs:
        return None
    return PageComment(SAYS_RE.sub("", _text(name)) or "Anonymous", date, paragraphs, [], date_text)


def _comment_items(container) -> list[PageComment]:
    comments = []
    for item in container:
        if not isinstance(item.tag, str) or item.tag.lower() != "li":
            continue
        body = _first_with_class(item, "comment-content", "comment-text", "comment-body")
        body = item if body is None else body
        author = SAYS_RE.sub("", _text(_first_with_class(item, "fn", "comment-author", "author")))
        replies_list = next((c for c in item if isinstance(c.tag, str) and _has_class(c, "children")), None)
        own = [t for t in item.xpath(".//time[@datetime]") if not _inside(t, replies_list)]
        shown = _first_with_class(item, "comment-metadata", "commentmetadata", "comment-meta")
        if shown is not None and _inside(shown, replies_list):
            shown = None
        date = own[0].get("datetime", "").strip() if own else _text(shown)
        date_text = _text(shown) if shown is not None else _text(own[0]) if own else ""
        paragraphs = [_text(p) for p in body.iter("p") if _text(p) and not _inside(p, replies_list)]
        if not paragraphs:
            continue
        replies = _comment_items(replies_list) if replies_list is not None else []
        comments.append(PageComment(author or "Anonymous", date, paragraphs, replies, date_text))
    return comments


def _all_comments(comments: list[PageComment]):
    for comment in comments:
        yield comment
        yield from _all_comments(comment.replies)


def kept_authors(comments: list[PageComment]) -> set[str]:
    """The names of the commenters of a thread, replies included."""
    return {c.author for c in _all_comments(comments)}


def _inside(element, container) -> bool:
    return container is not None and any(a is container for a in element.iterancestors())


def thread_date(shown: str) -> str:
    """A comment's date as shown by a page or an export, in the form a thread header carries it
    (``2011-06-15 07:12 -04:00``; see :mod:`newsarchive.formats.comment_thread`); "" when it is no date.

    ISO 8601 values (``<time datetime>``, Disqus, WXR) keep their time and zone; other text is read
    with dateutil only when it names a four-digit year (so no part is filled in from today), and
    keeps its time only when it shows one. Seconds are kept only when they are not zero."""
    shown = " ".join(shown.split())
    if not shown:
        return ""
    try:
        when = dt.datetime.fromisoformat(shown[:-1] + "+00:00" if shown.endswith("Z") else shown)
        has_time = len(shown) > 10
    except ValueError:
        if not re.search(r"\b[0-9]{4}\b", shown):
            return ""
        from dateutil import parser

        try:
            when = parser.parse(shown, fuzzy=False, default=dt.datetime(2000, 1, 1))
        except (ValueError, OverflowError):
            return ""
        has_time = re.search(r"[0-9]:[0-9]{2}", shown) is not None
    return _date_text(when, has_time, with_seconds=True)


def thread_lines(comments: list[PageComment], depth: int = 0) -> list[str]:
    """The thread as a story file's ``## Comments`` section holds it: ``N. Author says:`` headers
    (``N. Author says (DATE):`` for a comment with a date, see :func:`thread_date`), bodies indented
    below, replies indented under their comment with their own numbering."""
    lines: list[str] = []
    header, body = "  " * (depth + 1), "  " * (depth + 2)
    for number, comment in enumerate(comments, 1):
        date = thread_date(comment.date)
        lines += [f"{header}{number}. {comment.author} says{f' ({date})' if date else ''}:", ""]
        for paragraph in comment.paragraphs:
            lines += [f"{body}{paragraph}", ""]
        if comment.replies:
            lines += thread_lines(comment.replies, depth + 1)
    return lines


# --- the body ---------------------------------------------------------------------------------


def extract_body(html: bytes):
    """trafilatura's extraction of the page: a Document (its ``body`` the article's XML tree, with
    formatting and links; and metadata), or None.

    Its precise extraction, unless that keeps less than :data:`PRECISE_SHARE` of the text its
    default extraction finds: then the precise one has missed part of the article, and the
    default one is taken. Both are made without links (trafilatura's precise mode drops text next
    to links when it keeps them); the chosen one is then made again with its links, which is taken
    when it has the same words (else the one without links is)."""
    from trafilatura import bare_extraction

    def extraction(links: bool = False, **favor):
        return bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_formatting=True,
            include_links=links,
            deduplicate=False,
            **favor,
        )

    precise, default = extraction(favor_precision=True), extraction()
    if default is None or (precise is not None and len(precise.text or "") >= PRECISE_SHARE * len(default.text or "")):
        chosen, favor = precise, {"favor_precision": True}
    else:
        chosen, favor = default, {}
    if chosen is None:
        return None
    linked = extraction(links=True, **favor)
    if linked is not None and _words(linked.body) == _words(chosen.body):
        return linked
    return chosen


def _words(body) -> str:
    return "".join("".join(body.itertext()).split()) if body is not None else ""


def body_blocks(extracted, title: str, base: str = "") -> list[tuple[list[str], Block]]:
    """The article's blocks as the story body holds them: each block's Markdown lines
    (:func:`~newsarchive.formats.page_markdown.markdown_blocks`) with the block
    :func:`~newsarchive.formats.markdown_body.read_body` reads from them (``Block.text`` is its
    plain text). A first block that repeats the headline is the headline, not a block."""
    body = getattr(extracted, "body", None) if extracted is not None else None
    if body is None:
        return []
    markdown = markdown_blocks(body, base)
    blocks = list(zip(markdown, read_blocks(markdown), strict=True))
    if blocks and title and _norm(blocks[0][1].text) == _norm(title):
        blocks = blocks[1:]
    return blocks


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def place_lines(
    lines: list[str],
    paragraphs: list[str],
    metadata: dict[str, str],
    comment_lines: frozenset[str] = frozenset(),
    comment_dates: frozenset[str] = frozenset(),
) -> list[LinePlace]:
    """Where each rendered line went: a body paragraph that holds it (in order, looking at most
    :data:`LOOKAHEAD` paragraphs ahead), a metadata value it equals, a line of the comment thread
    (an author or a paragraph of a comment, rendered from the comment list; ``comments (date)``
    for the text that shows a comment's date), else dropped."""
    body = [_norm(p) for p in paragraphs]
    body_lines = [{_norm(line) for line in p.splitlines()} for p in paragraphs]
    values = {_norm(v): key for key, v in metadata.items() if v}
    values |= {"by " + _norm(v): key for key, v in metadata.items() if v and key == "authors"}
    places: list[LinePlace] = []
    at = 0  # the paragraph the last body line was found in
    for n, line in enumerate(lines, 1):
        text = _norm(line)
        where = None
        for i in range(at, min(len(body), at + LOOKAHEAD + 1)):
            if text == body[i] or text in body_lines[i] or (len(text.split()) >= MATCH_WORDS and text in body[i]):
                where = i
                break
        if where is not None:
            at = where
            places.append(LinePlace(n, f"body p{where + 1}", text=line))
        elif text in values:
            places.append(LinePlace(n, f"metadata {values[text].title()}", text=line))
        elif line in comment_lines:
            places.append(LinePlace(n, "comments", text=line))
        elif line in comment_dates:
            places.append(LinePlace(n, "comments", note="date", text=line))
        else:
            places.append(LinePlace(n, "dropped", text=line))
    return places


def read_page(data: bytes, path: str) -> CaptureReading:
    """Read a saved web page's bytes into a :class:`CaptureReading` (see the module docstring).

    Raises :class:`ArchiveError` when the page holds no HTML or no article text.
    """
    html = page_bytes(data, path)
    tree = parse_html(html, path)
    extracted = extract_body(html)
    found = read_metadata(tree, html, extracted)
    title = found.get("title", ("", ""))[0]
    blocks = body_blocks(extracted, title, found.get("source_url", ("", ""))[0])
    comments, comment_lists = read_comments(tree)
    kept = {_norm(text) for c in _all_comments(comments) for text in (c.author, f"{c.author} says:", *c.paragraphs)}
    while blocks and kept and all(_norm(line) in kept for line in blocks[-1][1].text.splitlines()):
        blocks.pop()  # the extractor took the end of the comment thread for article text
    paragraphs = [block.text for _, block in blocks]
    if not paragraphs:
        raise ArchiveError(path, None, "no story body: no article text was found in this page")
    reading = CaptureReading(path=path, sha256=hashlib.sha256(data).hexdigest())
    reading.found = found
    reading.headline = title
    if not title:
        reading.not_headline_reason = "the page declares no title"
    reading.date = found.get("date", ("", ""))[0]
    reading.paragraphs = [[p] for p in paragraphs]
    reading.markdown = [lines for lines, _ in blocks]
    rendered = [line for element in comment_lists for line in _render(element)]
    rendered_comments = frozenset(line for line in rendered if _norm(line) in kept)
    dated = [c for c in _all_comments(comments) if c.date_text and thread_date(c.date)]
    dates = {_norm(text) for c in dated for text in (c.date_text, f"{c.author} {c.date_text}")}
    comment_dates = frozenset(line for line in rendered if _norm(line) in dates and line not in rendered_comments)
    if comments:
        reading.comments_heading = "Comments"
        reading.comment_lines = thread_lines(comments)[:-1]
        found["comments"] = (str(len(comments)), "html")
        if found.get("authors", ("", ""))[1] == "trafilatura" and found["authors"][0] in kept_authors(comments):
            del found["authors"]  # trafilatura took a commenter's name for the byline
    lines = render_lines(tree)
    metadata = {k: v for k, (v, _) in found.items()}
    reading.places = place_lines(lines, paragraphs, metadata, rendered_comments, comment_dates)
    reading.dropped = [spot.text for spot in reading.places if spot.place == "dropped"]
    reading.paragraph_lines = [1] * len(paragraphs)
    return reading


def kept_name(path: str) -> str:
    """The name a saved page is kept under in captures/: a name that no web server serves as a
    live page (``page.html`` -> ``page.html.txt``; a gzipped page stays ``.html.gz``)."""
    name = PurePath(path).name
    return name if name.lower().endswith(".gz") else name + ".txt"
