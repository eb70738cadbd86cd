"""The body of a story file, read as Markdown: top-level blocks with their plain text and HTML.

    blocks = read_body([(12, "A **bold** start."), (13, ""), (14, "- one"), (15, "- two")])
    [(b.text, b.html) for b in blocks]
    # [("A bold start.", "<p>A <strong>bold</strong> start.</p>"),
    #  ("one\\ntwo", "<ul>\\n<li>one</li>\\n<li>two</li>\\n</ul>")]

The body is converted by Python-Markdown (the library Pelican reads Markdown with) with the
``tables`` and ``sane_lists`` extensions, and the HTML it makes, raw HTML included, is cleaned by
nh3 on an allow-list (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`, ``http``/``https``/
``mailto`` or relative URLs, no ``style`` but ``text-align`` on table cells). Each top-level
element of the result is one block (a paragraph, subhead, list, block quote, figure, table,
preformatted text); loose text left at the top level by the cleaning becomes a paragraph.

A block's **plain text** is what the analyses and search read: the text of its text nodes in
order, a soft line break read as a space (as the old story format joined wrapped lines), a hard
line break (``<br>``) as ``\\n``, the items, rows and inner paragraphs of a block separated by
``\\n`` and table cells by ``\\t``. A figure's text is its caption, else its image's alt text.
The offsets of marks (quotations, wire copy, names) are offsets into this text:
:func:`marked_html` puts them back on the text nodes, never across an element.

A block whose HTML is a ``<p>`` holding text alone is *plain*: its ``html`` is ``""`` and it is
rendered exactly as story paragraphs always were (``newsarchive.pages.render.paragraph_html``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import markdown
import nh3

EXTENSIONS = ("tables", "sane_lists")
ALLOWED_TAGS = {
    *("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption"),
    *("ul", "ol", "li", "dl", "dt", "dd"),
    *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    *("a", "em", "strong", "b", "i", "u", "s", "del", "ins", "code", "kbd", "sub", "sup", "small"),
    *("mark", "abbr", "cite", "q", "br", "img"),
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}
STYLE_PROPERTIES = {"text-align"}
LINK_REL = "nofollow noopener noreferrer"

# A block of the body: what may stand at its top level.
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "ul", "ol", "dl", "table"}
# Elements whose text is set apart from what comes before it (by "\n", a cell by "\t").
SEPARATED = BLOCK_TAGS | {"li", "dt", "dd", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "figcaption"}
VOID_TAGS = {"br", "img", "hr", "wbr"}
SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:|^//", re.I)


class Text:
    """A text node. ``start`` is where its ``shown`` text begins in the block's plain text (None
    when the node is only layout whitespace between elements)."""

    __slots__ = ("text", "start", "shown")

    def __init__(self, text: str) -> None:
        self.text, self.start, self.shown = text, None, text


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Element | Text] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.attrs if k == name), None)


@dataclass
class Block:
    """One top-level block: its plain text, its HTML (``""`` for a plain paragraph), the line of
    the story file it starts on."""

    text: str
    html: str
    line: int
    tag: str = "p"


class _TreeBuilder(HTMLParser):
    """Cleaned HTML (well formed: nh3 wrote it) -> a tree of :class:`Element` and :class:`Text`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Element(tag, [(k, v or "") for k, v in attrs])
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, [(k, v or "") for k, v in attrs]))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(Text(data))


def parse_html(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


_markdown = markdown.Markdown(extensions=list(EXTENSIONS))


def _markdown_html(source: str) -> str:
    _markdown.reset()
    return _markdown.convert(source)


def clean_html(html: str) -> str:
    """``html`` with only what :data:`ALLOWED_TAGS` and :data:`ALLOWED_ATTRIBUTES` allow."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def read_body(lines: list[tuple[int, str]], local_image: Callable[[str, int], str] | None = None) -> list[Block]:
    """The blocks of a Markdown body given as ``(line number, line)`` pairs, in order.

    ``local_image(src, line)`` is called for each image whose ``src`` is not an external address
    and returns the address to publish it at (it may raise to refuse it); an image with an
    external address is shown as a link to it instead (the site loads no images from elsewhere).
    """
    if all(_plain_line(text) for _, text in lines):
        return _paragraphs(lines)
    return read_html(_markdown_html("\n".join(text for _, text in lines)), lines, local_image)


# What Markdown (with the extensions used) or HTML could read as anything but text: a body whose
# lines have none of these is paragraphs of text alone, read without converting it (7 times
# faster: most captured stories are such bodies). The tests check both ways read alike.
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<>&#|\x00-\x1f\x7f]")
_MARKUP_LINE = re.compile(r"^(?:\s|\d+\.|[-+=>])|\s$")


def _plain_line(text: str) -> bool:
    return not text or not (_MARKUP_CHARS.search(text) or _MARKUP_LINE.search(text))


def _paragraphs(lines: list[tuple[int, str]]) -> list[Block]:
    """The blocks of a body of text alone: its runs of non-blank lines, joined with a space."""
    blocks: list[Block] = []
    run: list[str] = []
    for n, text in [*lines, (0, "")]:
        if text:
            if not run:
                blocks.append(Block("", "", n))
            run.append(text)
        elif run:
            blocks[-1].text = " ".join(run)
            run = []
    return blocks


def read_html(
    html: str, lines: list[tuple[int, str]], local_image: Callable[[str, int], str] | None = None
) -> list[Block]:
    """The blocks of a body given as HTML (cleaned here), ``lines`` its source for line numbers."""
    nodes = top_level_blocks(parse_html(clean_html(html)))
    blocks = [Block(plain_text(node), "", 0, node.tag) for node in nodes]
    _place(blocks, lines)
    for block, node in zip(blocks, nodes, strict=True):
        if _images(node, block.line, local_image):
            node = _as_figure(node)
        block.tag, block.text = node.tag, plain_text(node)
        if not _plain_paragraph(node):
            block.html = serialize(node)
    return blocks


def top_level_blocks(root: Element) -> list[Element]:
    """The top-level block elements of ``root``; inline content left between them (by the
    cleaning of raw HTML) is wrapped in a paragraph, whitespace alone is dropped."""
    blocks: list[Element] = []
    loose: list[Element | Text] = []

    def flush() -> None:
        if any(isinstance(n, Element) or n.text.strip() for n in loose):
            while loose and isinstance(loose[0], Text) and not loose[0].text.strip():
                loose.pop(0)
            while loose and isinstance(loose[-1], Text) and not loose[-1].text.strip():
                loose.pop()
            if loose and isinstance(loose[0], Text):
                loose[0].text = loose[0].text.lstrip()
            if loose and isinstance(loose[-1], Text):
                loose[-1].text = loose[-1].text.rstrip()
            blocks.append(Element("p", [], list(loose)))
        loose.clear()

    for child in root.children:
        if isinstance(child, Element) and child.tag in BLOCK_TAGS:
            flush()
            if plain_text(child) or _has_image(child):
                blocks.append(child)
        else:
            loose.append(child)
    flush()
    return blocks


def plain_text(block: Element) -> str:
    """The plain text of ``block`` (see the module's docstring); sets each text node's place."""
    out: list[str] = []
    length = 0

    def add(piece: str) -> None:
        nonlocal length
        out.append(piece)
        length += len(piece)

    def walk(node: Element, pre: bool) -> None:
        structural = any(isinstance(c, Element) and c.tag in SEPARATED for c in node.children)
        for child in node.children:
            if isinstance(child, Text):
                child.start = None
                if not pre and structural and not child.text.strip():
                    continue  # layout between elements
                child.shown = child.text if pre else SOFT_BREAK.sub(" ", child.text)
                child.start = length
                add(child.shown)
            elif child.tag == "br":
                add("\n")
            elif child.tag in SEPARATED:
                if length and out[-1][-1:] not in ("\n", "\t"):
                    add("\t" if child.tag in ("td", "th") else "\n")
                walk(child, pre or child.tag == "pre")
            else:
                walk(child, pre)

    walk(Element("", [], [block]), False)
    text = "".join(out)
    if not text.strip() and block.tag == "figure":
        return next((img.get("alt") or "" for img in _iter(block) if img.tag == "img"), "")
    return text


def marked_html(html: str, mark: Callable[[str, int, bool], str]) -> str:
    """``html`` (a block's) written again with each text node's shown text replaced by
    ``mark(shown, start, inside_link)``: ``start`` is its offset in the block's plain text."""
    root = parse_html(html)
    block = next(c for c in root.children if isinstance(c, Element))
    plain_text(block)
    return serialize(block, mark)


def serialize(node: Element, mark: Callable[[str, int, bool], str] | None = None, inside_link: bool = False) -> str:
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in node.attrs)
    if node.tag in VOID_TAGS:
        return f"<{node.tag}{attrs}>"
    inside_link = inside_link or node.tag == "a"
    parts = []
    for child in node.children:
        if isinstance(child, Element):
            parts.append(serialize(child, mark, inside_link))
        elif mark is not None and child.start is not None:
            parts.append(mark(child.shown, child.start, inside_link))
        else:
            parts.append(escape(child.shown if child.start is not None else child.text, quote=False))
    return f"<{node.tag}{attrs}>{''.join(parts)}</{node.tag}>"


def _iter(node: Element) -> Iterator[Element]:
    for child in node.children:
        if isinstance(child, Element):
            yield child
            yield from _iter(child)


def _has_image(node: Element) -> bool:
    return any(n.tag == "img" and n.get("src") for n in _iter(node))


def _plain_paragraph(node: Element) -> bool:
    return node.tag == "p" and all(isinstance(c, Text) for c in node.children)


def _images(node: Element, line: int, local_image: Callable[[str, int], str] | None) -> bool:
    """Resolve the images in ``node``: local ones through ``local_image``, external ones turned
    into links, ones without an address dropped. True when ``node`` is a paragraph holding one
    image and nothing else (a figure)."""

    def visit(parent: Element) -> None:
        for n, child in enumerate(parent.children):
            if not isinstance(child, Element):
                continue
            if child.tag != "img":
                visit(child)
                continue
            src = (child.get("src") or "").strip()
            if not src:
                parent.children[n] = Text("")
            elif EXTERNAL.match(src):
                label = child.get("alt") or src
                parent.children[n] = Element("a", [("href", src), ("rel", LINK_REL)], [Text(label)])
            else:
                if local_image is not None:
                    child.attrs = [(k, local_image(src, line) if k == "src" else v) for k, v in child.attrs]
                if child.get("alt") is None:
                    child.attrs.append(("alt", ""))

    visit(node)
    content = [c for c in node.children if isinstance(c, Element) or c.text.strip()]
    return node.tag == "p" and len(content) == 1 and isinstance(content[0], Element) and content[0].tag == "img"


def _as_figure(p: Element) -> Element:
    """``<p><img title=T></p>`` -> ``<figure><img><figcaption>T</figcaption></figure>``."""
    img = next(c for c in p.children if isinstance(c, Element))
    title = img.get("title")
    img.attrs = [(k, v) for k, v in img.attrs if k != "title"]
    children: list[Element | Text] = [img]
    if title:
        children.append(Element("figcaption", [], [Text(title)]))
    return Element("figure", [], children)


WORD = re.compile(r"\w+")


def _place(blocks: list[Block], lines: list[tuple[int, str]]) -> None:
    """Give each block the line it starts on: the first line after the previous block (a subhead's
    line, or the lines up to a blank one) holding the block's first word, else the first
    non-blank line there."""
    at = 0
    for block in blocks:
        while at < len(lines) and not lines[at][1].strip():
            at += 1
        start = at
        first = WORD.search(block.text)
        if first:
            for k in range(at, len(lines)):
                if first.group() in lines[k][1]:
                    start = k
                    break
        block.line = lines[min(start, len(lines) - 1)][0] if lines else 0
        at = start + 1
        if block.tag[:1] != "h":  # a subhead is one line; other blocks run to a blank line
            while at < len(lines) and lines[at][1].strip():
                at += 1


# --- writing captured text so that it reads back as typed ---------------------------------------------

_INLINE = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "&": "&amp;",
        "<": "&lt;",
        "\t": "&#9;",
        "\r": "&#13;",  # a carriage return inside a line: Markdown would end the line there
    }
)
_LINE_START = re.compile(r"^(?:(?P<mark>[#>+\-])|(?P<eq>=)|(?P<number>\d+)\.)")


def escape_line(line: str) -> str:
    """``line`` (one line of a captured paragraph, without leading or trailing whitespace) written
    so that the body reads it back as exactly this text: every character Markdown or HTML would
    interpret is escaped (``\\*``, ``\\_``, ``\\[``, ``&amp;``, ``&lt;``...), and so is a line start
    that would open a subhead, list, block quote, rule or table (``\\#``, ``\\-``, ``2010\\.``)."""
    return protect_line_start(escape_inline(line))


def escape_inline(text: str) -> str:
    """``text`` with every character Markdown or HTML would interpret inside a line escaped."""
    return text.translate(_INLINE)


def protect_line_start(line: str) -> str:
    """A line of Markdown (its text already escaped by :func:`escape_inline`) whose start would open
    a subhead, list, block quote, rule or table, escaped there so that it reads as text."""
    m = _LINE_START.match(line)
    if m is None:
        return line
    if m["mark"]:
        return "\\" + line
    if m["eq"]:
        return "&#61;" + line[1:]
    return f"{m['number']}\\.{line[m.end() :]}"
