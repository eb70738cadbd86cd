"""Citation strings, downloads and meta tags of newsarchive.formats.citation, on made-up metadata."""

from __future__ import annotations

import datetime as dt
import json
import re

from newsarchive.formats.citation import (
    Reference,
    apa,
    bibtex,
    bibtex_escape,
    chicago,
    csl_item,
    csl_json,
    meta_tags,
    mla,
    quotation_reference,
    ris,
    story_reference,
)
from newsarchive.model.story import Story

DAY = dt.datetime(2011, 3, 4)


def ref(**kw) -> Reference:
    base = dict(
        key="k",
        title="Council Votes on Budget",
        date=DAY,
        url="https://ex.org/stories/k/",
        publisher="The Daily Planet",
    )
    return Reference(**(base | kw))


def bibtex_fields(entry: str) -> tuple[str, str, dict[str, str]]:
    """(type, key, fields) of one BibTeX entry, reading brace-delimited values with nesting, as
    BibTeX does (an escaped ``\\{`` does not count)."""
    head = re.match(r"@(\w+)\{([^,\s]+),\n", entry)
    assert head, entry
    fields, i = {}, head.end()
    while True:
        m = re.compile(r"\s*(\w+) = \{").match(entry, i)
        if not m:
            break
        depth, j = 1, m.end()
        while depth:
            if entry[j] == "\\":
                j += 2
                continue
            depth += {"{": 1, "}": -1}.get(entry[j], 0)
            j += 1
        fields[m.group(1)] = entry[m.end() : j - 1]
        assert entry[j] == ",", entry[j:]
        i = j + 1
    assert entry[i:] == "\n}\n", f"unparsed: {entry[i:]!r}"
    return head.group(1), head.group(2), fields


def ris_records(text: str) -> list[list[tuple[str, str]]]:
    """RIS records as (tag, value) lists; every line must be ``XX  - value``."""
    records, current = [], []
    for line in text.splitlines():
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert m, f"not a RIS line: {line!r}"
        current.append((m.group(1), m.group(2)))
        if m.group(1) == "ER":
            records.append(current)
            current = []
    assert not current, "record without ER"
    return records


def test_a_story_with_two_authors_in_each_style():
    r = ref(authors=("Jane Q. Doe", "John Smith"))
    assert chicago(r).text == (
        "Doe, Jane Q., and John Smith. “Council Votes on Budget.” The Daily Planet, March 4, 2011. https://ex.org/stories/k/."
    )
    assert mla(r).text == (
        "Doe, Jane Q., and John Smith. “Council Votes on Budget.” The Daily Planet, 4 Mar. 2011, https://ex.org/stories/k/."
    )
    assert apa(r).text == (
        "Doe, J. Q., & Smith, J. (2011, March 4). Council Votes on Budget. The Daily Planet. https://ex.org/stories/k/"
    )
    assert "<i>The Daily Planet</i>" in chicago(r).html


def test_no_byline_starts_with_the_title_and_an_organization_is_not_inverted():
    assert chicago(ref()).text.startswith("“Council Votes on Budget.” The Daily Planet")
    assert apa(ref()).text.startswith("Council Votes on Budget. (2011, March 4).")
    r = ref(authors=("The Associated Press",))
    assert mla(r).text.startswith("The Associated Press. “Council")
    assert bibtex_fields(bibtex(r))[2]["author"] == "{The Associated Press}"
    assert csl_item(r)["author"] == [{"literal": "The Associated Press"}]


def test_mla_three_authors_is_first_et_al():
    assert mla(ref(authors=("Ann Lee", "Bo Park", "Cy Young"))).text.startswith("Lee, Ann, et al. “Council")


def test_a_title_ending_in_a_question_mark_gets_no_period():
    assert "“Who Pays?” The Daily Planet" in chicago(ref(title="Who Pays?")).text


def test_quotation_names_the_speaker_and_the_story():
    r = ref(speaker="Mary Roe", quoted="We will act.", url="/quotes/q-1/")
    assert (
        chicago(r).text
        == "Mary Roe, quoted in “Council Votes on Budget,” The Daily Planet, March 4, 2011, /quotes/q-1/."
    )
    assert mla(r).text.startswith("Mary Roe. Quoted in “Council Votes on Budget.”")
    assert apa(r).text.startswith("Mary Roe, quoted in Council Votes on Budget. (2011, March 4).")


HOSTILE = 'Evil } \\end{document} \\input{/etc/passwd} {"x"} 100% & #1 $5 _a_ ~^ <script>alert(1)</script>\nER  - \nTY  - JOUR'


def test_html_forms_escape_markup():
    r = ref(title=HOSTILE, publisher="<b>Pub</b>", authors=("<img src=x onerror=alert(1)> Doe",))
    for style in (chicago, mla, apa):
        html = str(style(r).html)
        assert "<script" not in html and "<b>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_bibtex_escapes_braces_backslashes_and_specials():
    r = ref(title=HOSTILE, authors=("Jo {Brace} Doe",), url="https://ex.org/a b/{x}\\y")
    kind, key, fields = bibtex_fields(bibtex(r))
    assert (kind, key) == ("article", "k")
    title = fields["title"]
    assert title.startswith("{") and title.endswith("}")
    inner = title[1:-1]
    assert "\n" not in inner
    # no unescaped brace or backslash command from the input survives
    assert not re.search(
        r"(?<!\\)[{}]",
        inner.replace(r"\textbackslash{}", "").replace(r"\textasciitilde{}", "").replace(r"\textasciicircum{}", ""),
    )
    assert r"\textbackslash{}end\{document\}" in inner
    assert r"100\% \& \#1 \$5 \_a\_" in inner
    assert fields["url"] == "https://ex.org/a%20b/%7Bx%7D%5Cy"
    assert fields["date"] == "2011-03-04" and fields["year"] == "2011"
    assert bibtex_escape("a\r\nb\u2028c") == "a b c"


def test_ris_keeps_each_value_on_one_line():
    r = ref(title=HOSTILE, authors=("Jane Doe", "Line\nBreak"), lang="en")
    (record,) = ris_records(ris(r))
    tags = [t for t, _ in record]
    assert tags[0] == "TY" and tags[-1] == "ER" and tags.count("TY") == 1 and tags.count("ER") == 1
    values = dict(record)
    assert values["TY"] == "NEWS" and values["PY"] == "2011" and values["DA"] == "2011/03/04"
    assert values["UR"] == "https://ex.org/stories/k/" and values["T2"] == "The Daily Planet"
    assert [v for t, v in record if t == "AU"] == ["Doe, Jane", "Break, Line"]
    assert values["TI"].startswith("Evil } \\end{document}") and values["TI"].endswith("ER - TY - JOUR")


def test_csl_json_round_trips_hostile_text():
    r = ref(title=HOSTILE, authors=("Jane Q. Doe",), lang="fr")
    (item,) = json.loads(csl_json(r))
    assert item["title"] == " ".join(HOSTILE.split())
    assert item["type"] == "article-newspaper" and item["id"] == "k"
    assert item["author"] == [{"family": "Doe", "given": "Jane Q."}]
    assert item["issued"] == {"date-parts": [[2011, 3, 4]]}
    assert item["container-title"] == "The Daily Planet" and item["URL"] == r.url and item["language"] == "fr"
    assert "accessed" not in item


def test_meta_tags_one_author_each_and_highwire_dates():
    tags = meta_tags(ref(authors=("Jane Doe", "John Smith"), lang="en", title="Two\nlines"))
    assert [v for n, v in tags if n == "citation_author"] == ["Jane Doe", "John Smith"]
    got = dict(tags)
    assert got["citation_title"] == "Two lines"
    assert got["citation_publication_date"] == "2011/03/04"
    assert got["citation_journal_title"] == "The Daily Planet"
    assert got["citation_public_url"] == got["citation_fulltext_html_url"] == "https://ex.org/stories/k/"
    assert got["citation_language"] == "en"
    assert "citation_author" not in dict(meta_tags(ref()))


def story(**kw) -> Story:
    return Story(path="x.md", slug="council-votes", title="Council Votes", date=DAY, **kw)


def test_story_reference_url_with_and_without_siteurl():
    assert story_reference(story(), "").url == "/stories/council-votes/"
    assert story_reference(story(), "https://ex.org/archive").url == "https://ex.org/archive/stories/council-votes/"
    assert story_reference(story(lang="de"), "", lang="en").lang == "de"
    assert story_reference(story(), "", lang="en").lang == "en"
    assert story_reference(story(source_url="javascript:alert(1)"), "").source_url == ""


def test_quotation_reference_is_at_the_quotation_page():
    r = quotation_reference("roe-1a2b", "quotes/roe-1a2b/", "We act.", "", story(publisher="P"), "https://ex.org")
    assert r.url == "https://ex.org/quotes/roe-1a2b/" and r.key == "quote-roe-1a2b"
    assert r.speaker == "Unidentified speaker" and r.title == "Council Votes"


def test_same_reference_same_bytes():
    r = ref(authors=("Jane Doe",), lang="en")
    assert (bibtex(r), ris(r), csl_json(r)) == (bibtex(ref(authors=("Jane Doe",), lang="en")), ris(r), csl_json(r))


def test_dates_have_four_digit_years():
    r = ref(date=dt.datetime(987, 6, 5))
    assert dict(meta_tags(r))["citation_publication_date"] == "0987/06/05"
    assert "DA  - 0987/06/05\n" in ris(r)
