"""Read a saved web page (``.html``, ``.htm``, ``.html.gz``, ``.mhtml``) as a news story.

Pure functions: the page's bytes in, a :class:`~newsarchive.formats.capture_import.CaptureReading` out.

* **Body**: the article text as trafilatura extracts it, one paragraph per line of its text
  output, each kept exactly as extracted.
* **Metadata**: from the page itself, in this order of trust: JSON-LD (``json-ld``), Open Graph
  and other ``<meta>`` tags (``open-graph``, ``meta``), ``<link rel=canonical>``
  (``link-canonical``), ``<time datetime>`` (``time``), htmldate as trafilatura runs it (``htmldate``), trafilatura's
  own metadata (``trafilatura``), the page's address (``url``). Each value is recorded with how
  it was found (``Sources: title=capture:json-ld``).
* **Nothing lost**: the page is rendered to text (:func:`render_lines`, deterministic: one line
  per block of visible text, scripts and styles left out) and every line of that rendering is
  placed: ``body pN``, ``metadata Title``/``Authors``..., or ``dropped`` (kept verbatim under
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


def _render(root) -> list[str]:
    """The visible text of the element ``root`` (not its tail), one line per block."""
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
        if tag and tag not in INVISIBLE:
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
    """The comment threads in WordPress-style markup (``ol.commentlist`` / ``ol.comment-list`` of
    ``li.comment`` items, replies in ``ul.children``), and the list elements they were read from."""
    lists = [
        el for el in tree.xpath(COMMENT_LISTS) if not any(a in tree.xpath(COMMENT_LISTS) for a in el.iterancestors())
    ]
    return [c for el in lists for c in _comment_items(el)], lists


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
    """trafilatura's extraction of the page: a Document (text and metadata), or None.

    Its precise extraction, unless that keeps less than :data:`PRECISE_SHARE` of the text its
    default extraction finds: then the precise one has missed part of the article, and the
    default one is taken."""
    from trafilatura import bare_extraction

    def extraction(**favor):
        return bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False, **favor
        )

    precise, default = extraction(favor_precision=True), extraction()
    if default is None or (precise is not None and len(precise.text or "") >= PRECISE_SHARE * len(default.text or "")):
        return precise
    return default


def body_paragraphs(extracted, title: str) -> list[str]:
    """The article's paragraphs: the lines of the extracted text, as extracted; a first line that
    repeats the headline is the headline, not a paragraph."""
    text = (getattr(extracted, "text", "") or "") if extracted is not None else ""
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if paragraphs and title and _norm(paragraphs[0]) == _norm(title):
        paragraphs = paragraphs[1:]
    return paragraphs


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
    values = {_norm(v): key for key, v in metadata.items() if v}
    values |= {"by " + _norm(v): key for key, v in metadata.items() if v and key == "authors"}
    places: list[LinePlace] = []
    at = 0  # the paragraph the last body line was found in
    for n, line in enumerate(lines, 1):
        text = _norm(line)
        where = None
        for i in range(at, min(len(body), at + LOOKAHEAD + 1)):
            if text == body[i] or (len(text.split()) >= MATCH_WORDS and text in body[i]):
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
    paragraphs = body_paragraphs(extracted, title)
    if not paragraphs:
        raise ArchiveError(path, None, "no story body: no article text was found in this page")
    reading = CaptureReading(path=path, sha256=hashlib.sha256(data).hexdigest())
    reading.found = found
    reading.headline = title
    if not title:
        reading.not_headline_reason = "the page declares no title"
    reading.date = found.get("date", ("", ""))[0]
    reading.paragraphs = [[p] for p in paragraphs]
    comments, comment_lists = read_comments(tree)
    kept = {_norm(text) for c in _all_comments(comments) for text in (c.author, f"{c.author} says:", *c.paragraphs)}
    rendered = [line for element in comment_lists for line in _render(element)]
    rendered_comments = frozenset(line for line in rendered if _norm(line) in kept)
    dates = {_norm(c.date_text) for c in _all_comments(comments) if c.date_text and thread_date(c.date)}
    comment_dates = frozenset(line for line in rendered if _norm(line) in dates and line not in rendered_comments)
    if comments:
        reading.comments_heading = "Comments"
        reading.comment_lines = thread_lines(comments)[:-1]
        found["comments"] = (str(len(comments)), "html")
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
