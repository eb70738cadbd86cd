"""An SVG picture of shared wire text: stories as columns of paragraphs, passages as bands.

``render_svg(stories, passages, url_prefix)`` draws each story as a column of paragraph boxes
(height proportional to the paragraph's words, numbered as on the story page), shades in each
box the part that prints a wire passage, and joins the witnesses of each passage with a coloured
band. Boxes link to the paragraph (``STORY_URL#pN``), bands and legend entries to the passage
page (``WIRE_URL``); every box and band has a ``<title>`` tooltip. Readers see outlets and
paragraph numbers, never ids. Two stories fit a phone's width (346 px) at natural size, so no
text is drawn below 11 px there. No JavaScript; the output is a deterministic, standalone SVG
document.
"""

from __future__ import annotations

import html
import textwrap

from newsarchive.analysis.wire.model import WirePassage
from newsarchive.analysis.words import word_count
from newsarchive.model.story import STORY_URL, Story
from newsarchive.pages.render import quoted, xml_text

COLUMN_WIDTH = 130
COLUMN_GAP = 70
MARGIN = 8
LINE = 15  # one line of 12 px text
CHAR_WIDTH = 6.6  # the mean advance of a 12 px sans-serif character, to wrap lines
LABEL_SIZE = 11  # paragraph numbers inside the boxes
BOX_GAP = 4
MIN_BOX = 6
MAX_COLUMN_HEIGHT = 900
TEXT = "#1a1a1a"
BOX_FILL, BOX_STROKE = "#ececec", "#555555"
# dark, distinguishable colours, each with at least 4.5:1 contrast against white
PALETTE = ["#0072B2", "#B84A00", "#007A5A", "#A3367F", "#5E4B8B", "#7A6200", "#00708A", "#B0304A"]


def escape(value: str, quote: bool = True) -> str:
    """``value`` escaped for the SVG, as XML can carry it (``render.xml_text``)."""
    return html.escape(xml_text(value), quote)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lines(text: str, width: float, most: int) -> list[str]:
    """``text`` wrapped to ``width`` px of 12 px text, at most ``most`` lines (the last cut with …)."""
    chars = max(8, int(width / CHAR_WIDTH))
    lines = textwrap.wrap(text, chars) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = _short(lines[-1] + " …", chars)
    return lines


def paragraph_numbers(numbers: list[int]) -> str:
    """``[2, 3, 5]`` as readers count paragraphs: "¶2–3, ¶5"."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"¶{r[0]}" if len(r) == 1 else f"¶{r[0]}–{r[-1]}" for r in runs)


def diagram_inputs(
    stories: list[Story], passages: list[WirePassage], url_prefix: str = "", id_prefix: str = "wire-diagram"
) -> tuple:
    """Everything :func:`render_svg` reads, as plain values: a build that has the file it drew
    from the same inputs keeps it (archive_core's incremental writing). Keep it in step."""
    read = [(s.slug, s.title, s.publisher, [(p.id, p.text) for p in s.paragraphs]) for s in stories]
    return read, passages, url_prefix, id_prefix


def render_svg(
    stories: list[Story], passages: list[WirePassage], url_prefix: str = "", id_prefix: str = "wire-diagram"
) -> str:
    """Standalone SVG of ``stories`` (one column each, in the order given) and the ``passages``
    they share. Witnesses in stories not given are left out. Links are ``url_prefix`` + the
    site-relative URL, so pass the site root ("/" or "../../")."""
    column = {s.slug: k for k, s in enumerate(stories)}
    number = {(s.slug, p.id): n for s in stories for n, p in enumerate(s.paragraphs, start=1)}
    lengths = [[max(1, word_count(p.text)) for p in s.paragraphs] for s in stories]
    tallest = max((sum(ls) for ls in lengths), default=1)
    most_boxes = max((len(ls) for ls in lengths), default=0)
    scale = min(1.5, max(0.05, (MAX_COLUMN_HEIGHT - most_boxes * (BOX_GAP + MIN_BOX)) / tallest))
    headers = [(_lines(s.publisher_label, COLUMN_WIDTH, 2), _lines(s.title, COLUMN_WIDTH, 3)) for s in stories]
    header_height = max((len(a) + len(b) for a, b in headers), default=1) * LINE + 10

    boxes: dict[tuple[str, str], tuple[float, float, float]] = {}  # (slug, pid) -> x, y, height
    body: list[str] = []
    columns_height = 0.0
    for k, story in enumerate(stories):
        x = MARGIN + k * (COLUMN_WIDTH + COLUMN_GAP)
        story_href = _attr(url_prefix + STORY_URL.format(slug=story.slug))
        outlet_lines, title_lines = headers[k]
        body.append(f'<g class="story" id="{_attr(id_prefix)}-story-{_attr(story.slug)}">')
        body.append(f'<a href="{story_href}"><title>{escape(story.publisher_label)}: {escape(story.title)}</title>')
        y = MARGIN + 12
        for line in outlet_lines:
            body.append(f'<text x="{x}" y="{y}" font-weight="bold">{escape(line)}</text>')
            y += LINE
        for line in title_lines:
            body.append(f'<text x="{x}" y="{y}">{escape(line)}</text>')
            y += LINE
        body.append("</a>")
        y = MARGIN + header_height
        for para, n_words in zip(story.paragraphs, lengths[k], strict=True):
            h = max(MIN_BOX, n_words * scale)
            boxes[(story.slug, para.id)] = (x, y, h)
            n = number[(story.slug, para.id)]
            href = _attr(f"{url_prefix}{STORY_URL.format(slug=story.slug)}#{para.id}")
            tip = escape(f"{story.publisher_label} ¶{n} ({n_words} words): {_short(para.text, 160)}")
            label = (
                f'<text x="{x + 4}" y="{y + LABEL_SIZE:.1f}" font-size="{LABEL_SIZE}">¶{n}</text>'
                if h >= LABEL_SIZE + 2
                else ""
            )
            body.append(
                f'<a href="{href}"><title>{tip}</title><rect class="paragraph" x="{x}" y="{y:.1f}" '
                f'width="{COLUMN_WIDTH}" height="{h:.1f}" fill="{BOX_FILL}" stroke="{BOX_STROKE}"/>{label}</a>'
            )
            y += h + BOX_GAP
        columns_height = max(columns_height, y)
        body.append("</g>")

    legend_entries = []
    drawn = 0
    for n, passage in enumerate(passages):
        color = PALETTE[n % len(PALETTE)]
        extents = []  # (column, top, bottom) of each witness drawn
        shades = []
        printed = []  # (column, "Outlet ¶2–3") of each witness drawn
        for w in passage.witnesses:
            if w.story not in column:
                continue
            top = bottom = None
            for pid, (start, end) in w.spans.items():
                if (w.story, pid) not in boxes:
                    continue
                x, y, h = boxes[(w.story, pid)]
                size = max(1, len(next(p.text for p in stories[column[w.story]].paragraphs if p.id == pid)))
                y0, y1 = y + h * start / size, y + h * min(end, size) / size
                shades.append(
                    f'<rect x="{x}" y="{y0:.1f}" width="{COLUMN_WIDTH}" height="{max(1.0, y1 - y0):.1f}" '
                    f'fill="{color}" fill-opacity="0.35" pointer-events="none"/>'
                )
                top = y0 if top is None else min(top, y0)
                bottom = y1 if bottom is None else max(bottom, y1)
            if top is not None:
                extents.append((column[w.story], top, max(bottom, top + 1)))
                numbers = [number[(w.story, pid)] for pid in w.spans if (w.story, pid) in number]
                printed.append(
                    (column[w.story], f"{stories[column[w.story]].publisher_label} {paragraph_numbers(numbers)}")
                )
        if len(extents) < 2:
            continue
        drawn += 1
        extents.sort()
        paths = [_band(a, b) for a, b in zip(extents, extents[1:], strict=False)]
        where = "; ".join(text for _, text in sorted(printed))  # left to right, as drawn
        label = escape(
            f"Shared wire copy, printed {len(passage.witnesses)} times ({where}): {_short(passage.text, 120)}"
        )
        href = _attr(url_prefix + passage.url)
        body.append(f'<g class="wire-link" id="{_attr(id_prefix)}-{_attr(passage.id)}">')
        body.extend(shades)
        body.append(f'<a href="{href}"><title>{label}</title>')
        body.extend(
            f'<path d="{d}" fill="{color}" fill-opacity="0.3" stroke="{color}" stroke-width="1.5"/>' for d in paths
        )
        body.append("</a></g>")
        legend_entries.append((color, passage, where))

    width = MARGIN * 2 + max(1, len(stories)) * COLUMN_WIDTH + max(0, len(stories) - 1) * COLUMN_GAP
    width = max(width, 2 * COLUMN_WIDTH + COLUMN_GAP + 2 * MARGIN)
    legend, legend_height = _legend(legend_entries, columns_height + 10, url_prefix, width)
    height = columns_height + 10 + legend_height + MARGIN
    title = f"Shared wire text in {len(stories)} stor{'y' if len(stories) == 1 else 'ies'}"
    desc = (
        f"Each column is a story, each box a paragraph (height proportional to its words). "
        f"{drawn} shared wire passage{'s' if drawn != 1 else ''} are drawn as coloured bands joining "
        "the paragraphs that print them."
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
        f'viewBox="0 0 {width} {height:.0f}" role="img" '
        f'aria-labelledby="{_attr(id_prefix)}-title {_attr(id_prefix)}-desc" '
        f'font-family="sans-serif" font-size="12" fill="{TEXT}">'
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        head,
        f'<title id="{_attr(id_prefix)}-title">{escape(title)}</title>',
        f'<desc id="{_attr(id_prefix)}-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
        *body,
        *legend,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _band(a: tuple[int, float, float], b: tuple[int, float, float]) -> str:
    """A closed path joining witness extent ``a`` to ``b`` (column, top, bottom)."""
    (ca, ta, ba), (cb, tb, bb) = a, b
    if ca == cb:  # a passage printed twice in one story: a loop out to the right of the column
        x = MARGIN + ca * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_WIDTH
        bulge = x + COLUMN_GAP * 0.6
        return (
            f"M{x},{ta:.1f} C{bulge:.1f},{ta:.1f} {bulge:.1f},{tb:.1f} {x},{tb:.1f} "
            f"L{x},{bb:.1f} C{bulge - 20:.1f},{bb:.1f} {bulge - 20:.1f},{ba:.1f} {x},{ba:.1f} Z"
        )
    x1 = MARGIN + ca * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_WIDTH
    x2 = MARGIN + cb * (COLUMN_WIDTH + COLUMN_GAP)
    mid = (x1 + x2) / 2
    return (
        f"M{x1},{ta:.1f} C{mid:.1f},{ta:.1f} {mid:.1f},{tb:.1f} {x2},{tb:.1f} "
        f"L{x2},{bb:.1f} C{mid:.1f},{bb:.1f} {mid:.1f},{ba:.1f} {x1},{ba:.1f} Z"
    )


def _legend(
    entries: list[tuple[str, WirePassage, str]], top: float, url_prefix: str, width: float
) -> tuple[list[str], float]:
    """Legend lines (SVG elements), wrapped to ``width``, and their height."""
    x, text_x = MARGIN, MARGIN + 32
    room = width - text_x - MARGIN
    out = ['<g class="legend">', f'<text x="{x}" y="{top + 12:.1f}" font-weight="bold">Legend</text>']
    y = top + 20
    keys = [
        (
            f'fill="{BOX_FILL}" stroke="{BOX_STROKE}"',
            "A paragraph, numbered as in its story; its height shows its length.",
        ),
        (
            f'fill="{PALETTE[0]}" fill-opacity="0.3" stroke="{PALETTE[0]}"',
            "Shared wire copy: a band joins the paragraphs that print it.",
        ),
    ]
    for paint, text in keys:
        out.append(f'<rect x="{x}" y="{y:.1f}" width="24" height="14" {paint}/>')
        for line in _lines(text, room, 3):
            out.append(f'<text x="{text_x}" y="{y + 11:.1f}">{escape(line)}</text>')
            y += LINE
        y += 5
    for color, passage, where in entries:
        href = _attr(url_prefix + passage.url)
        out.append(
            f'<a href="{href}"><rect x="{x}" y="{y:.1f}" width="24" height="14" fill="{color}" fill-opacity="0.3" '
            f'stroke="{color}"/>'
        )
        for line in _lines(where, room, 3) + _lines(quoted(passage.text), room, 1):
            out.append(f'<text x="{text_x}" y="{y + 11:.1f}">{escape(line)}</text>')
            y += LINE
        out.append("</a>")
        y += 5
    out.append("</g>")
    return out, y - top
