"""Turn paragraph text plus :class:`~newsarchive.story.Span` marks into safe HTML.

All text is escaped: spans only add ``<a>``/``<span>`` elements around stretches of it.
Overlapping spans are nested (a crossing span is closed and reopened); a link is never
nested inside another link (the inner one becomes a plain ``<span>``).
"""

from __future__ import annotations

import json
import re
from html import escape

from markupsafe import Markup

from .formats.markdown_body import marked_html
from .story import Paragraph, Span

# What XML 1.0 cannot carry: control characters but tab, line feed and carriage return; U+FFFE and
# U+FFFF; lone surrogates.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can carry it (feeds, SVG): each control character it cannot carry shown
    as its Unicode control picture (U+0007 as U+2407 ␇), any other such character as U+FFFD. For
    display only: the story keeps the text as published."""
    return NOT_IN_XML.sub(_picture, text) if NOT_IN_XML.search(text) else text


def _picture(m: re.Match) -> str:
    code = ord(m.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def _open_tag(span: Span, site_url: str, inside_link: bool) -> tuple[str, str]:
    css = f"mark-{escape(span.kind)}"
    title = f' title="{escape(span.title)}"' if span.title else ""
    if span.href and not inside_link:
        return f'<a class="{css}" href="{escape(site_url)}/{escape(span.href)}"{title}>', "</a>"
    return f'<span class="{css}"{title}>', "</span>"


def paragraph_html(text: str, spans: list[Span] | None = None, site_url: str = "", inside_link: bool = False) -> Markup:
    """``text`` with ``spans`` marked, as HTML safe to put inside a ``<p>`` (inside an ``<a>``
    when ``inside_link``: then no mark is a link)."""
    spans = sorted(
        (s for s in spans or () if 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, -s.end, s.kind, s.href or ""),
    )
    if not spans:
        return Markup(escape(text, quote=False))
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    stack: list[tuple[Span, str]] = []  # open spans with their closing tag
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [s for s in spans if s.start <= a and s.end >= b]
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep][0] is active[keep]:
            keep += 1
        while len(stack) > keep:
            out.append(stack.pop()[1])
        for span in active[keep:]:
            in_link = inside_link or any(close == "</a>" for _, close in stack)
            opening, closing = _open_tag(span, site_url, in_link)
            out.append(opening)
            stack.append((span, closing))
        out.append(escape(text[a:b], quote=False))
    while stack:
        out.append(stack.pop()[1])
    return Markup("".join(out))


def block_html(paragraph: Paragraph, spans: list[Span] | None = None, site_url: str = "") -> Markup:
    """A block of a story body as HTML, with ``spans`` (offsets into its plain text) marked.

    A plain paragraph is ``<p>`` and its marked text, as story paragraphs always were. A block
    with markup (a subhead, a list, a link or an emphasis...) keeps its cleaned HTML, and the
    marks are put on its text nodes: a mark that runs over an element's edge is cut there, and a
    mark inside a link of the story's own is a ``<span>``, never a link in a link."""
    if not paragraph.html:
        return Markup(f"<p>{paragraph_html(paragraph.text, spans, site_url)}</p>")
    if not spans:
        return Markup(paragraph.html)

    def mark(text: str, start: int, inside_link: bool) -> str:
        end = start + len(text)
        mine = [
            Span(max(s.start, start) - start, min(s.end, end) - start, s.kind, s.href, s.title)
            for s in spans
            if s.start < end and s.end > start
        ]
        return paragraph_html(text, mine, site_url, inside_link)

    return Markup(marked_html(paragraph.html, mark))


def json_ld(data: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block that no text can break out of.

    On one line: without ``indent``, ``json`` uses its C encoder, 4x faster for a story with 30
    comments (417 -> 109 us; one block per story, quotation and person page)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def alignment_html(ops: list[tuple[str, str, str]], side: str = "both") -> Markup:
    """Word alignment ``[(op, a_text, b_text)]`` (a = source, b = printing) as HTML.

    ``side="both"``: b's text with a's words it cut as ``<del>`` and words it added as ``<ins>``;
    ``"a"``: a's text with the words b does not print as ``<del>``; ``"b"``: b's text with the
    words a does not print as ``<ins>``. All text is escaped.
    """
    out: list[str] = []
    for op, a, b in ops:
        a, b = escape(a, quote=False), escape(b, quote=False)
        if op == "equal":
            out.append(b if side == "b" else a)
            continue
        if a and op in ("delete", "replace") and side in ("a", "both"):
            out.append(f"<del>{a}</del>")
        if b and op in ("insert", "replace") and side in ("b", "both"):
            out.append(f"<ins>{b}</ins>")
    return Markup(" ".join(out))
