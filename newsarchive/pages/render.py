"""Turn paragraph text plus :class:`~newsarchive.model.story.Span` marks into safe HTML.

All text is escaped: spans only add ``<a>``/``<span>`` elements around stretches of it.
Overlapping spans are nested (a crossing span is closed and reopened); a link is never
nested inside another link, and every mark keeps its link (see :func:`paragraph_html`).
"""

from __future__ import annotations

import json
import re
from html import escape

from markupsafe import Markup

from newsarchive.formats.markdown_body import marked_html
from newsarchive.model.story import Paragraph, Span

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


WIRE = "wire"  # a wire span is a band, not a link: a marker link at its start leads to its page
_WORD = re.compile(r"\w")
WIRE_REF_LABEL = "Wire copy: every printing of this passage"


def _open_tag(span: Span, site_url: str, link: bool) -> str:
    css = f"mark-{escape(span.kind)}"
    title = f' title="{escape(span.title)}"' if span.title else ""
    if link:
        return f'<a class="{css}" href="{escape(site_url)}/{escape(span.href or "")}"{title}>'
    return f'<span class="{css}"{title}>'


def _wire_ref(span: Span, site_url: str) -> str:
    """The marker link at a wire span's start. Its visible word is drawn by the style sheet, so
    the story's text (copied, indexed for search, read by the analyses) stays as published."""
    return f'<a class="wire-ref" href="{escape(site_url)}/{escape(span.href or "")}" aria-label="{WIRE_REF_LABEL}"></a>'


def paragraph_html(text: str, spans: list[Span] | None = None, site_url: str = "", inside_link: bool = False) -> Markup:
    """``text`` with ``spans`` marked, as HTML safe to put inside a ``<p>`` (inside an ``<a>``
    when ``inside_link``: then no mark is a link).

    Marks nest and every mark keeps its link where marks overlap, with no link in a link: each
    stretch of text is a link of its innermost linked mark (a quotation is cut around the name
    linked inside it, and shown as a quotation around it); a wire span is a ``<span>`` band whose
    link is a small marker at its start."""
    spans = sorted(
        (s for s in spans or () if 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, -s.end, s.kind, s.href or ""),
    )
    if not spans:
        return Markup(escape(text, quote=False))
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    stack: list[tuple[Span, bool]] = []  # open marks, each with whether it is the link

    def open_marks(wanted: list[tuple[Span, bool]]) -> None:
        keep = 0
        while (
            keep < min(len(stack), len(wanted))
            and stack[keep][0] is wanted[keep][0]
            and stack[keep][1] == wanted[keep][1]
        ):
            keep += 1
        while len(stack) > keep:
            out.append("</a>" if stack.pop()[1] else "</span>")
        for span, link in wanted[keep:]:
            out.append(_open_tag(span, site_url, link))
            stack.append((span, link))

    pieces = []  # (start, end, marks over it, the mark whose link it is)
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [s for s in spans if s.start <= a and s.end >= b]
        linked = [s for s in active if s.href and s.kind != WIRE and not inside_link]
        pieces.append((a, b, active, linked[-1] if linked else None))
    # A mark's link is its pieces with words: a lone closing quotation mark after a linked name
    # is not a link of its own.
    worded = {id(owner) for a, b, _, owner in pieces if owner and _WORD.search(text, a, b)}
    for a, b, active, owner in pieces:
        for n, span in enumerate(active):
            if span.kind == WIRE and span.start == a and span.href and not inside_link:
                open_marks([(s, False) for s in active[: n + 1]])
                out.append(_wire_ref(span, site_url))
        if id(owner) in worded and not _WORD.search(text, a, b):
            owner = None
        open_marks([(s, s is owner) for s in active])
        out.append(escape(text[a:b], quote=False))
    open_marks([])
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
            Span(max(s.start, start) - start, min(s.end, end) - start, s.kind, _href(s, start), s.title)
            for s in spans
            if s.start < end and s.end > start
        ]
        return paragraph_html(text, mine, site_url, inside_link)

    return Markup(marked_html(paragraph.html, mark))


def _href(span: Span, start: int) -> str | None:
    """The link of ``span`` in a piece of text from ``start``: a wire span's marker link only
    where the span begins."""
    return None if span.kind == WIRE and span.start < start else span.href


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


OPENING_QUOTES = "\"'“‘«„‚"


def quoted(text: str) -> str:
    """``text`` between curly quotation marks, unless it opens with a quotation mark of its own
    (a passage that starts a quotation): never the doubled ``“"`` of quoting a quotation."""
    return text if text[:1] in OPENING_QUOTES else f"“{text}”"
