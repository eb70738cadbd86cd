"""How to cite an archived story or quotation: Chicago, MLA and APA strings, BibTeX, RIS and
CSL-JSON downloads, and Highwire ``citation_*`` meta tags (what Zotero and Google Scholar read).

Everything is a plain function of a :class:`Reference`, made from a story
(:func:`story_reference`) or from a quotation and the story that first printed it
(:func:`quotation_reference`). Metadata is untrusted: each format escapes it its own way
(BibTeX braces, backslashes and TeX specials; RIS line breaks; JSON by ``json``; the HTML forms
of the strings by ``markupsafe``). The same reference always gives the same bytes.

Conventions (docs/URLS.md, "Citing"):

* The URL is the archive's permanent address of the page, ``SITEURL`` + the page's URL. A local
  build has no ``SITEURL``: the URL is then the site-relative path (``/stories/<slug>/``).
* No access date: an archive page never changes once published, so the strings give none (and
  CSL ``accessed`` is left out). A style that asks for one gets it from the reader, who appends
  "Accessed <date>." (the box says so); CSL ``archive`` names the archive.
* The language is the story's ``Lang``, else the archive's ``DEFAULT_LANG``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from typing import NamedTuple

from markupsafe import Markup, escape
from nameparser import HumanName

from newsarchive.model.story import Story

# A byline name with one of these words is an organization's, cited as written.
ORGANIZATION_WORD = re.compile(r"\b(press|news|staff|reuters|associated|agency|service|wire|inc|ltd|the)\b", re.I)
MONTHS = ("January February March April May June July August September October November December").split()
# MLA abbreviates months of more than four letters.
MLA_MONTHS = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()


@dataclass(frozen=True)
class Reference:
    """What a citation of one archive page says. ``authors`` are the byline's names as printed;
    ``speaker`` is set for a quotation (whose ``quoted`` is the quoted text)."""

    key: str  # an identifier made of [A-Za-z0-9_:-], unique in the archive
    title: str
    date: dt.datetime
    url: str  # the archive's permanent address of the page
    publisher: str = ""
    authors: tuple[str, ...] = ()
    lang: str = ""
    source_url: str = ""  # where the story was first published
    archive: str = ""  # the archive's name
    speaker: str = ""
    quoted: str = ""


def page_url(site_url: str, path: str) -> str:
    """The permanent address of the page at site-relative ``path``: ``SITEURL/path``, or
    ``/path`` when there is no ``SITEURL`` (a local build)."""
    return f"{site_url.rstrip('/')}/{path}"


def _slashed(date: dt.datetime) -> str:
    """``YYYY/MM/DD`` (Highwire's and RIS's form), four-digit years whatever the platform's strftime."""
    return f"{date.year:04d}/{date.month:02d}/{date.day:02d}"


def _key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:-]+", "-", text).strip("-") or "ref"


def story_reference(story: Story, site_url: str, archive: str = "", lang: str = "") -> Reference:
    """The reference of a story's page (``lang``: the language when the story names none)."""
    return Reference(
        key=_key(story.slug),
        title=story.title,
        date=story.date,
        url=page_url(site_url, story.url),
        publisher=story.publisher,
        authors=tuple(a for a in story.authors if a.strip()),
        lang=story.lang or lang,
        source_url=story.source_url if _is_web_url(story.source_url) else "",
        archive=archive,
    )


def quotation_reference(
    quote_id: str,
    quote_url: str,
    quoted: str,
    speaker: str,
    story: Story,
    site_url: str,
    archive: str = "",
    lang: str = "",
) -> Reference:
    """The reference of a quotation's page: ``speaker`` (empty when unknown) quoted in ``story``
    (the first story that printed it), at the quotation page's address."""
    base = story_reference(story, site_url, archive, lang)
    return Reference(
        key=_key(f"quote-{quote_id}"),
        title=base.title,
        date=base.date,
        url=page_url(site_url, quote_url),
        publisher=base.publisher,
        authors=base.authors,
        lang=base.lang,
        source_url=base.source_url,
        archive=archive,
        speaker=speaker or "Unidentified speaker",
        quoted=quoted,
    )


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks, Unicode separators) as one space."""
    return " ".join(text.split())


# --- names ----------------------------------------------------------------------------------------


class NameParts(NamedTuple):
    title: str
    first: str
    middle: str
    last: str
    suffix: str


@functools.lru_cache(maxsize=4096)
def _name(name: str) -> NameParts:
    """The parts of a person's name (``nameparser``; parsing is slow and bylines repeat, so cached)."""
    n = HumanName(_one_line(name))
    return NameParts(n.title, n.first, n.middle, n.last, n.suffix)


def _person_like(name: str) -> bool:
    """A byline name that reads as a person's (two words or more, no organization word); an
    organization ("The Associated Press") is cited as written."""
    parsed = _name(name)
    return bool(parsed.first and parsed.last) and not ORGANIZATION_WORD.search(name)


def _inverted(name: str) -> str:
    """``Last, First Middle`` (a person), or the name as written (an organization)."""
    if not _person_like(name):
        return _one_line(name)
    n = _name(name)
    given = " ".join(p for p in (n.title, n.first, n.middle) if p)
    last = n.last + (f", {n.suffix}" if n.suffix else "")
    return f"{last}, {given}"


def _initials(name: str) -> str:
    """APA: ``Last, F. M.`` (a person), or the name as written (an organization)."""
    if not _person_like(name):
        return _one_line(name)
    n = _name(name)
    initials = " ".join(part[0] + "." for part in f"{n.first} {n.middle}".split() if part)
    return f"{n.last}, {initials}" + (f", {n.suffix}" if n.suffix else "")


def _and_list(names: list[str]) -> str:
    """``A``, ``A, and B``, ``A, B, and C`` (the first name is inverted, hence the comma before "and")."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", and " + names[-1]


def _authors_chicago(authors: tuple[str, ...]) -> str:
    names = [_inverted(authors[0])] + [_one_line(a) for a in authors[1:]]
    if len(names) > 10:
        return ", ".join(names[:7]) + ", et al."
    return _and_list(names)


def _authors_mla(authors: tuple[str, ...]) -> str:
    if len(authors) >= 3:
        return f"{_inverted(authors[0])}, et al."
    return _and_list([_inverted(authors[0])] + [_one_line(a) for a in authors[1:]])


def _authors_apa(authors: tuple[str, ...]) -> str:
    names = [_initials(a) for a in authors]
    if len(names) == 1:
        return names[0]
    if len(names) > 20:
        return ", ".join(names[:19]) + ", . . . " + names[-1]
    return ", ".join(names[:-1]) + ", & " + names[-1]


# --- the three styles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formatted:
    """A citation string as plain text (to copy) and as HTML (italics where the style has them)."""

    text: str
    html: Markup


class _Parts:
    """A citation built from plain and italic parts, rendered both as text and as escaped HTML."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bool]] = []

    def add(self, text: str, italic: bool = False) -> _Parts:
        self.parts.append((text, italic))
        return self

    def container(self, name: str, then: str) -> _Parts:
        """The publication's name in italics followed by ``then``; nothing when there is none."""
        return self.add(_one_line(name), italic=True).add(then) if name else self

    def done(self) -> Formatted:
        text = "".join(t for t, _ in self.parts)
        html = "".join(f"<i>{escape(t)}</i>" if i else escape(t) for t, i in self.parts)
        return Formatted(text, Markup(html))


def _end(text: str, mark: str = ".") -> str:
    """``text`` followed by ``mark`` unless it already ends in punctuation that closes a sentence."""
    text = _one_line(text)
    return text if text.endswith((".", "?", "!")) else text + mark


def _quoted_title(title: str, mark: str = ".") -> str:
    """A title in double quotes, the period or comma inside (US style), unless it ends in ? or !"""
    title = _one_line(title)
    return f"“{title}”" if title.endswith(("?", "!")) else f"“{title}{mark}”"


def _entry(p: _Parts, ref: Reference, authors: str, title: str, rest: str) -> Formatted:
    """``p`` followed by ``authors`` (when any), ``title``, the publisher in italics and ``rest``;
    ``authors`` and ``title`` end in their own punctuation."""
    if ref.authors:
        p.add(authors + " ")
    return p.add(title + " ").container(ref.publisher, ", ").add(rest).done()


def chicago(ref: Reference) -> Formatted:
    """Chicago (17th ed.) bibliography entry for a news article online; for a quotation,
    "Speaker, quoted in Author, "Title," *Publisher*, Month D, YYYY, URL."."""
    date = f"{MONTHS[ref.date.month - 1]} {ref.date.day}, {ref.date.year}"
    authors = _authors_chicago(ref.authors) if ref.authors else ""
    if ref.speaker:
        p = _Parts().add(f"{_one_line(ref.speaker)}, quoted in ")
        return _entry(p, ref, authors + ",", _quoted_title(ref.title, ","), f"{date}, {ref.url}.")
    return _entry(_Parts(), ref, _end(authors), _quoted_title(ref.title), f"{date}. {ref.url}.")


def mla(ref: Reference) -> Formatted:
    """MLA (9th ed.) works-cited entry; for a quotation, "Speaker. Quoted in ..."."""
    date = f"{ref.date.day} {MLA_MONTHS[ref.date.month - 1]} {ref.date.year}"
    p = _Parts().add(f"{_end(ref.speaker)} Quoted in ") if ref.speaker else _Parts()
    authors = _end(_authors_mla(ref.authors)) if ref.authors else ""
    return _entry(p, ref, authors, _quoted_title(ref.title), f"{date}, {ref.url}.")


def apa(ref: Reference) -> Formatted:
    """APA (7th ed.) reference-list entry for a news article online (no author: the title takes
    the author's place); for a quotation, "Speaker, quoted in " and the story's entry."""
    date = f"({ref.date.year}, {MONTHS[ref.date.month - 1]} {ref.date.day})."
    title = _end(ref.title)
    p = _Parts()
    if ref.speaker:
        p.add(f"{_one_line(ref.speaker)}, quoted in ")
    if ref.authors:
        p.add(f"{_end(_authors_apa(ref.authors))} {date} {title} ")
    else:
        p.add(f"{title} {date} ")
    p.container(ref.publisher, ". ")
    return p.add(ref.url).done()


# --- downloads -------------------------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIALS))


def bibtex_escape(text: str) -> str:
    """``text`` on one line as a BibTeX field value, every brace, backslash and TeX special
    escaped (so the braces of the value always balance and nothing runs as a TeX command)."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_SPECIALS[m.group()], _one_line(text))


def _bibtex_url(url: str) -> str:
    """A URL for biblatex's verbatim ``url`` field: characters that would unbalance or end it
    (braces, backslash, whitespace) percent-encoded."""
    return re.sub(r"[{}\\\s%]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _bibtex_person(name: str) -> str:
    """A BibTeX name: ``Last, First`` for a person, an organization in braces (kept whole)."""
    if _person_like(name):
        return bibtex_escape(_inverted(name))
    return "{" + bibtex_escape(name) + "}"


def bibtex(ref: Reference) -> str:
    """One ``@article`` entry (biblatex fields, which BibTeX ignores when it does not know them)."""
    fields = []
    if ref.authors:
        fields.append(("author", " and ".join(_bibtex_person(a) for a in ref.authors)))
    fields.append(("title", "{" + bibtex_escape(ref.title) + "}"))
    if ref.publisher:
        fields.append(("journal", bibtex_escape(ref.publisher)))
    fields += [
        ("date", ref.date.date().isoformat()),
        ("year", str(ref.date.year)),
        ("month", str(ref.date.month)),
        ("day", str(ref.date.day)),
        ("url", _bibtex_url(ref.url)),
    ]
    if ref.lang:
        fields.append(("langid", bibtex_escape(ref.lang)))
    if ref.speaker:
        fields.append(("note", bibtex_escape(f"{ref.speaker}, quoted: “{ref.quoted}”")))
    if ref.source_url:
        fields.append(("origurl", _bibtex_url(ref.source_url)))
    if ref.archive:
        fields.append(("organization", bibtex_escape(ref.archive)))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@article{{{ref.key},\n{body}}}\n"


def _ris_value(text: str) -> str:
    """A RIS field value: one line (a line break would end the field and start a forged tag)."""
    return _one_line(text)


def ris(ref: Reference) -> str:
    """One RIS record (``TY  - NEWS`` ... ``ER  - ``), one field a line."""
    lines = [("TY", "NEWS"), ("ID", ref.key), ("TI", ref.title)]
    lines += [("AU", _inverted(a)) for a in ref.authors]
    if ref.publisher:
        lines += [("T2", ref.publisher), ("PB", ref.publisher)]
    lines += [("PY", str(ref.date.year)), ("DA", _slashed(ref.date)), ("UR", ref.url)]
    if ref.lang:
        lines.append(("LA", ref.lang))
    if ref.archive:
        lines.append(("DP", ref.archive))
    if ref.speaker:
        lines.append(("N1", f"{ref.speaker}, quoted: “{ref.quoted}”"))
    if ref.source_url:
        lines.append(("L2", ref.source_url))
    out = "".join(f"{tag}  - {_ris_value(value)}\n" for tag, value in lines)
    return out + "ER  - \n"


def _csl_name(name: str) -> dict[str, str]:
    if not _person_like(name):
        return {"literal": _one_line(name)}
    n = _name(name)
    given = " ".join(p for p in (n.first, n.middle) if p)
    out = {"family": n.last, "given": given}
    if n.suffix:
        out["suffix"] = n.suffix
    return out


def csl_item(ref: Reference) -> dict:
    """The reference as one CSL-JSON item (type ``article-newspaper``)."""
    item: dict = {
        "id": ref.key,
        "type": "article-newspaper",
        "title": _one_line(ref.title),
        "issued": {"date-parts": [[ref.date.year, ref.date.month, ref.date.day]]},
        "URL": ref.url,
    }
    if ref.authors:
        item["author"] = [_csl_name(a) for a in ref.authors]
    if ref.publisher:
        item["container-title"] = _one_line(ref.publisher)
        item["publisher"] = _one_line(ref.publisher)
    if ref.lang:
        item["language"] = ref.lang
    if ref.archive:
        item["archive"] = _one_line(ref.archive)
    if ref.speaker:
        item["note"] = f"{_one_line(ref.speaker)}, quoted: “{_one_line(ref.quoted)}”"
    if ref.source_url:
        item["archive_location"] = ref.source_url
    return item


def csl_json(ref: Reference) -> str:
    """A CSL-JSON file: a list of one item on one line, keys sorted, UTF-8, ending in a newline
    (no indent: json's indenting encoder is pure Python, 4 times slower)."""
    return json.dumps([csl_item(ref)], ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# The downloads written beside a story page: file name -> formatter.
DOWNLOADS = {"cite.bib": bibtex, "cite.ris": ris, "cite.json": csl_json}


def meta_tags(ref: Reference) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` meta tags (name, content), in the order Zotero's Embedded
    Metadata translator and Google Scholar read them; values on one line (the template escapes)."""
    tags = [("citation_title", ref.title)]
    tags += [("citation_author", a) for a in ref.authors]
    tags.append(("citation_publication_date", _slashed(ref.date)))
    if ref.publisher:
        tags += [("citation_journal_title", ref.publisher), ("citation_publisher", ref.publisher)]
    tags += [("citation_public_url", ref.url), ("citation_fulltext_html_url", ref.url)]
    if ref.lang:
        tags.append(("citation_language", ref.lang))
    return [(name, _one_line(value)) for name, value in tags]
