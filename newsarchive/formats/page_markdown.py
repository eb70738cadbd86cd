"""An article extracted by trafilatura, written as the Markdown of a story body.

    blocks = markdown_blocks(extracted.body, "https://example.org/news/")
    # [["## What the council decided ##"], ["The **council** voted [5 to 2](https://example.org/v)."],
    #  ["- Parking rates rise", "- Two lots close"], ["> “We had no choice,” the mayor said."]]

trafilatura's XML tree of the article (``bare_extraction(..., include_formatting=True,
include_links=True).body``) becomes a list of blocks, each the Markdown lines of one top-level
block of the story body (:mod:`newsarchive.formats.markdown_body` reads them back):

* ``<p>`` -> a paragraph; ``<lb/>`` inside it -> a hard line break (``<br>``);
* ``<head rend="hN">`` -> a subhead ``## text ##`` (level N, at least 2: the page's title is the
  story's; closed with hashes, so that no subhead reads as a ``## Comments`` section);
* ``<list rend="ul|ol">`` of ``<item>`` -> a bulleted or numbered list (nested lists indented),
  adjacent lists of one kind -> one list (Markdown would join them anyway);
* ``<quote>`` -> a block quote of the blocks inside it (adjacent ones -> one block quote);
* ``<table>`` of ``<row>`` of ``<cell>`` -> a pipe table, its first row the header;
* ``<hi rend="#b">``/``"#i"`` -> ``**strong**``/``*emphasis*``; ``<ref target>`` -> a link when
  the target is an ``http(s)`` address (relative ones resolved against the page's address), its
  text alone otherwise (no ``javascript:`` or other scheme is ever written);
* any other element -> its content (a container's blocks, or its text).

Text is written escaped (:func:`~newsarchive.formats.markdown_body.escape_inline`), whitespace
runs collapsed to one space. Each block is checked: read back, it must be one block whose text
is the element's text (whitespace aside); a block that is not is written as escaped text lines
instead, so no markup ever changes or loses the article's words.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

from newsarchive.formats.markdown_body import Block, escape_inline, protect_line_start, read_body

EMPHASIS = {"#b": "**", "#i": "*"}
INDENT = "    "  # a nested list's indent in Python-Markdown
BLOCK_TAGS = {"p", "head", "list", "quote", "table", "code"}
URL_UNSAFE = re.compile(r"[\s()<>\[\]\\\"'`]")


def _tag(element) -> str:
    return element.tag if isinstance(element.tag, str) else ""


def _space(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "")


def link_target(target: str, base: str) -> str:
    """The ``http(s)`` address a link of the page points to, written safe for a Markdown link
    (spaces, parentheses, brackets and quotes percent-encoded); "" for any other target."""
    target = (target or "").strip()
    if not target or target.startswith("#"):
        return ""
    url = urljoin(base, target) if base else target
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)


def inline(element, base: str, skip: frozenset[str] = frozenset()) -> str:
    """The Markdown of ``element``'s content (not its tail) as one line; ``<lb/>`` -> ``<br>``;
    children tagged as in ``skip`` are left out (not their tails)."""
    parts = [escape_inline(_space(element.text))]
    for child in element:
        tag = _tag(child)
        if tag == "lb":
            parts.append("<br>")
        elif tag and tag not in skip:
            parts.append(_inline_element(child, tag, base))
        parts.append(escape_inline(_space(child.tail)))
    return "".join(parts)


def _inline_element(element, tag: str, base: str) -> str:
    content = inline(element, base)
    if not content.strip():
        return content
    if tag == "hi" and element.get("rend") in EMPHASIS:
        return _wrap(content, EMPHASIS[element.get("rend")])
    if tag == "ref":
        url = link_target(element.get("target", ""), base)
        if url:
            return _wrap(content, "[", f"]({url})")
    if tag in BLOCK_TAGS or tag == "item":  # a block inside a line of text: its text, set apart
        return f" {content} "
    return content


def _wrap(content: str, start: str, end: str | None = None) -> str:
    """``content`` between ``start`` and ``end`` (``start`` again when None), its surrounding
    spaces and line breaks kept outside the marks (Markdown reads ``** x**`` as text)."""
    core = content.strip()
    lead, trail = content[: len(content) - len(content.lstrip())], content[len(content.rstrip()) :]
    while core.startswith("<br>"):
        lead, core = lead + "<br>", core[4:].lstrip()
    while core.endswith("<br>"):
        trail, core = "<br>" + trail, core[:-4].rstrip()
    if not core:
        return content
    return f"{lead}{start}{core}{start if end is None else end}{trail}"


def _line(markdown: str) -> str:
    """One line of Markdown: spaces and line breaks at its ends taken away, its start protected."""
    text = markdown.strip()
    while text.startswith("<br>") or text.endswith("<br>"):
        text = (text[4:] if text.startswith("<br>") else text[:-4]).strip()
    return protect_line_start(text) if text else ""


def _words(text: str) -> str:
    return "".join(text.split())


def _text(element) -> str:
    return "".join(element.itertext())


class _Writer:
    """Collects the blocks of a tree in order; inline content between blocks becomes a paragraph."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.blocks: list[tuple[list[str], str, str]] = []  # (lines, the text they stand for, list kind)
        self.loose: list[str] = []
        self.loose_text: list[str] = []

    def add(self, lines: list[str], text: str, kind: str = "") -> None:
        self.flush()
        lines = [line for line in lines if line.strip()]
        if not _words(text) or not lines:
            return
        if kind and self.blocks and self.blocks[-1][2] == kind:  # Markdown would join them: join them here
            previous, previous_text, _ = self.blocks.pop()
            if kind == "quote":
                lines = [*previous, ">", *lines]
            else:
                lines = previous + _renumbered(lines, len([x for x in previous if not x.startswith(" ")]), kind)
            text = previous_text + text
        self.blocks.append((lines, text, kind))

    def flush(self) -> None:
        line = _line("".join(self.loose))
        text = "".join(self.loose_text)
        self.loose, self.loose_text = [], []
        if line and _words(text):
            self.blocks.append(([line], text, ""))

    def container(self, element) -> None:
        self.text(element.text)
        for child in element:
            tag = _tag(child)
            if tag == "p" or tag == "code":
                self.add(_paragraph(child, self.base), _text(child))
            elif tag == "head":
                self.add([_subhead(child, self.base)], _text(child))
            elif tag == "list":
                kind = "ol" if child.get("rend") == "ol" else "ul"
                self.add(_list(child, self.base, kind), _text(child), kind)
            elif tag == "quote":
                self.add(_quote(child, self.base), _text(child), "quote")
            elif tag == "table":
                self.add(_table(child, self.base), _text(child))
            elif tag == "lb":
                self.flush()
            elif tag == "graphic" or not tag:
                pass
            elif any(_tag(c) in BLOCK_TAGS for c in child.iter()):
                self.flush()
                self.container(child)
                self.flush()
            else:
                self.loose.append(_inline_element(child, tag, self.base))
                self.loose_text.append(_text(child))
            self.text(child.tail)

    def text(self, text: str | None) -> None:
        if text and text.strip():
            self.loose.append(escape_inline(_space(text)))
            self.loose_text.append(text)


def _paragraph(element, base: str) -> list[str]:
    line = _line(inline(element, base))
    return [line] if line else []


def _subhead(element, base: str) -> str:
    rend = element.get("rend") or ""
    level = min(6, max(2, int(rend[1]) if re.fullmatch(r"h[1-6]", rend) else 3))
    text = _line(inline(element, base).replace("<br>", " ")).replace("#", "\\#")
    return f"{'#' * level} {text} {'#' * level}" if text else ""


def _list(element, base: str, kind: str, depth: int = 0) -> list[str]:
    lines: list[str] = []
    number = 0
    for item in element:
        nested = [c for c in item if _tag(c) == "list"]
        text = _line(inline(item, base, frozenset({"list"})))
        if text:
            number += 1
            marker = f"{number}." if kind == "ol" else "-"
            lines.append(f"{INDENT * depth}{marker} {text}")
        for sub in nested:
            sub_kind = "ol" if sub.get("rend") == "ol" else "ul"
            lines += _list(sub, base, sub_kind, depth + 1)
    return lines


def _renumbered(lines: list[str], start: int, kind: str) -> list[str]:
    if kind != "ol":
        return lines
    out, number = [], start
    for line in lines:
        if line.startswith(" "):
            out.append(line)
        else:
            number += 1
            out.append(re.sub(r"^\d+\.", f"{number}.", line))
    return out


def _quote(element, base: str) -> list[str]:
    inner = _Writer(base)
    inner.container(element)
    inner.flush()
    lines: list[str] = []
    for block, _, _ in inner.blocks:
        if lines:
            lines.append(">")
        lines += [f"> {line}" for line in block]
    return lines


def _table(element, base: str) -> list[str]:
    rows = []
    for row in element.iter("row"):
        cells = [_line(inline(cell, base).replace("<br>", " ")) for cell in row if _tag(cell) == "cell"]
        if any(cells):
            rows.append(cells)
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    return lines + ["| " + " | ".join(r) + " |" for r in rows[1:]]


def markdown_blocks(body, base: str = "") -> list[list[str]]:
    """The blocks of the article tree ``body`` as Markdown lines (see the module docstring); ``base``
    is the page's address, against which relative links are resolved."""
    writer = _Writer(base)
    writer.container(body)
    writer.flush()
    pairs = [(lines, text) for lines, text, _ in writer.blocks]
    if not _reads_back(pairs):
        pairs = [(lines if _reads_back([(lines, text)]) else _as_text(text), text) for lines, text in pairs]
        if not _reads_back(pairs):  # blocks that Markdown joins: each written as text
            pairs = [(_as_text(text), text) for _, text in pairs]
    return [lines for lines, _ in pairs if lines]


def _reads_back(pairs: list[tuple[list[str], str]]) -> bool:
    """True when the blocks, read as a story body, are as many blocks with the same words."""
    blocks = read_blocks([lines for lines, _ in pairs])
    return len(blocks) == len(pairs) and all(
        _words(b.text) == _words(text) for b, (_, text) in zip(blocks, pairs, strict=True)
    )


def read_blocks(markdown: list[list[str]]) -> list[Block]:
    """The body made of the blocks ``markdown`` (each its Markdown lines), read as a story body."""
    source = [line for lines in markdown for line in (*lines, "")]
    return read_body(list(enumerate(source, 1)))


def _as_text(text: str) -> list[str]:
    """``text`` as a paragraph of escaped lines, one per line of it."""
    return [protect_line_start(escape_inline(line)) for line in (_space(t).strip() for t in text.splitlines()) if line]
