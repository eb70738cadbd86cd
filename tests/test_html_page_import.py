"""Saved web pages as archivists hold them (newsarchive.formats.html_page), imported with no option."""

from __future__ import annotations

import email.mime.multipart
import email.mime.text
import gzip
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from newsarchive import cli
from newsarchive.errors import ArchiveError
from newsarchive.formats import archive_json
from newsarchive.formats.capture_import import ArchivistMetadata, capture_name_for, import_capture
from newsarchive.formats.html_page import read_page, render_lines
from newsarchive.formats.story_file import parse_story

NAV = "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li><li>Sign in</li></ul></nav>"
FOOTER = "<footer><p>Subscribe to our newsletter for the latest updates.</p><p>Privacy policy</p></footer>"
SCRIPT = "<script>document.write('tracking pixel ' + window.location)</script><style>p{color:red}</style>"

ENGLISH = [
    "The city council of Lowell voted seven to two on Tuesday night to approve a budget of three hundred million dollars for the coming fiscal year.",
    "“We made hard choices, and we made them together,” said Mayor Jane Doe after the vote, which followed four hours of public comment.",
    "The budget cuts funding for two libraries but adds six police officers and a new program for school nurses in every elementary school.",
    "Councilor John Roe, who voted against it, said the plan relied on optimistic revenue estimates that the state had not yet confirmed.",
]
RUSSIAN = [
    "В среду городской совет Новосибирска утвердил новый бюджет на следующий год после долгого обсуждения с жителями города.",
    "Мэр города заявил журналистам, что расходы на школы и больницы вырастут, а расходы на администрацию будут сокращены.",
    "Оппозиция в совете проголосовала против, назвав прогноз доходов слишком оптимистичным для нынешней экономической ситуации.",
]


def page(paragraphs, head="", lang="en", h1="Lowell council approves budget", extra=""):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{h1} | Lowell Sun</title>{head}</head>"
        f"<body>{NAV}{SCRIPT}<main><article><h1>{h1}</h1><p class='byline'>By Jane Reporter</p>{body}</article></main>"
        f"{extra}{FOOTER}</body></html>"
    ).encode()


JSON_LD = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Lowell council approves budget",
        "datePublished": "2011-06-14T21:05:00-04:00",
        "dateModified": "2011-06-15T08:00:00-04:00",
        "author": [{"@type": "Person", "name": "Jane Reporter"}],
        "publisher": {"@type": "Organization", "name": "Lowell Sun"},
    }
)
JSON_LD_PAGE = page(
    ENGLISH,
    head=f"<script type='application/ld+json'>{JSON_LD}</script>"
    "<link rel='canonical' href='https://www.lowellsun.example/2011/06/14/budget/'>",
)
OPEN_GRAPH_PAGE = page(
    RUSSIAN,
    lang="ru",
    h1="Совет утвердил бюджет",
    head="<meta property='og:title' content='Совет утвердил бюджет'>"
    "<meta property='og:site_name' content='Новости Сибири'>"
    "<meta property='og:url' content='https://news.example/ru/budget'>"
    "<meta property='article:published_time' content='2021-03-03T10:30:00+07:00'>",
)


def imported(data: bytes, name: str = "lowell.html", given: ArchivistMetadata | None = None):
    story = import_capture(data, name, given)
    return story, parse_story(story.text, f"stories/{story.slug}.md")


def test_a_page_with_json_ld_imports_with_no_option_and_says_where_each_value_came_from():
    story, parsed = imported(JSON_LD_PAGE)
    assert parsed.title == "Lowell council approves budget"
    assert parsed.date.isoformat() == "2011-06-14T21:05:00" and parsed.date_offset == "-04:00"
    assert parsed.publisher == "Lowell Sun"
    assert parsed.authors == ["Jane Reporter"]
    assert parsed.source_url == "https://www.lowellsun.example/2011/06/14/budget/"
    assert parsed.lang == "en"
    assert parsed.sources["title"] == "capture:json-ld"
    assert parsed.sources["date"] == "capture:json-ld"
    assert parsed.sources["source_url"] == "capture:link-canonical"
    assert [p.text for p in parsed.paragraphs] == ENGLISH  # exactly as extracted, one per paragraph
    assert "tracking pixel" not in story.text  # scripts are not text of the page


def test_archive_json_keeps_the_time_zone_and_the_new_fields():
    _, parsed = imported(JSON_LD_PAGE)
    data = archive_json.story_json(parsed)
    assert data["date"] == "2011-06-14T21:05:00-04:00"
    assert data["authors"] == ["Jane Reporter"] and data["lang"] == "en"
    assert data["modified"] == "2011-06-15T08:00:00-04:00"


def test_a_page_in_russian_with_open_graph_only_imports_too():
    _, parsed = imported(OPEN_GRAPH_PAGE, "budget.htm")
    assert parsed.title == "Совет утвердил бюджет"
    assert (parsed.date.isoformat(), parsed.date_offset) == ("2021-03-03T10:30:00", "+07:00")
    assert parsed.publisher == "Новости Сибири" and parsed.sources["publisher"] == "capture:open-graph"
    assert parsed.source_url == "https://news.example/ru/budget"
    assert parsed.lang == "ru"
    assert [p.text for p in parsed.paragraphs] == RUSSIAN


def test_archivist_options_override_what_the_page_says():
    _, parsed = imported(JSON_LD_PAGE, given=ArchivistMetadata(title="Budget passes", publisher="The Sun"))
    assert (parsed.title, parsed.sources["title"]) == ("Budget passes", "archivist")
    assert (parsed.publisher, parsed.sources["publisher"]) == ("The Sun", "archivist")


def test_a_page_with_no_date_is_one_error_asking_for_the_option():
    bare = page(ENGLISH, head="<meta property='og:title' content='Lowell council approves budget'>")
    with pytest.raises(ArchiveError, match="--date"):
        import_capture(bare, "bare.html")
    _, parsed = imported(bare, "bare.html", ArchivistMetadata(date="2011-06-14"))
    assert parsed.sources["date"] == "archivist"


def test_every_line_of_the_rendering_is_accounted_for_once():
    reading = read_page(JSON_LD_PAGE, "lowell.html")
    lines = render_lines(__import__("lxml.html").html.fromstring(JSON_LD_PAGE))
    assert [spot.line for spot in reading.places] == list(range(1, len(lines) + 1))
    where = {spot.text: spot.place for spot in reading.places}
    assert where[ENGLISH[1]] == "body p2"
    assert where["Lowell council approves budget"] == "metadata Title"
    assert where["Subscribe to our newsletter for the latest updates."] == "dropped"
    assert where["Home"] == "dropped"
    assert reading.dropped == [spot.text for spot in reading.places if spot.place == "dropped"]
    assert not any("tracking pixel" in line for line in lines)


def test_gzipped_and_mhtml_pages_are_read_and_kept_under_names_that_never_serve_as_html():
    _, from_gzip = imported(gzip.compress(JSON_LD_PAGE), "lowell.html.gz")
    assert [p.text for p in from_gzip.paragraphs] == ENGLISH
    message = email.mime.multipart.MIMEMultipart("related")
    message.attach(email.mime.text.MIMEText(JSON_LD_PAGE.decode(), "html", "utf-8"))
    _, from_mhtml = imported(message.as_bytes(), "lowell.mhtml")
    assert [p.text for p in from_mhtml.paragraphs] == ENGLISH
    assert capture_name_for("x/lowell.html") == "captures/lowell.html.txt"
    assert capture_name_for("lowell.HTM") == "captures/lowell.HTM.txt"
    assert capture_name_for("lowell.mhtml") == "captures/lowell.mhtml.txt"
    assert capture_name_for("lowell.html.gz") == "captures/lowell.html.gz"


def test_a_page_with_no_article_text_is_refused():
    with pytest.raises(ArchiveError, match="no story body"):
        import_capture(b"<html><head><title>Empty</title></head><body><script>x()</script></body></html>", "empty.html")


def test_archive_import_keeps_the_page_byte_identical_as_text_and_writes_the_story(tmp_path, capsys):
    saved = tmp_path / "lowell.html"
    saved.write_bytes(JSON_LD_PAGE)
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(saved), "--content", str(content)]) == 0
    kept = content / "captures" / "lowell.html.txt"
    assert kept.read_bytes() == JSON_LD_PAGE
    story = (content / "stories" / "lowell-council-approves-budget.md").read_text(encoding="utf-8")
    assert f"Capture_sha256: {hashlib.sha256(JSON_LD_PAGE).hexdigest()}" in story
    assert "Capture: captures/lowell.html.txt" in story
    capsys.readouterr()
    assert cli.main(["lint", "--content", str(content)]) == 0, capsys.readouterr().out


def test_archive_import_explain_maps_each_rendered_line(tmp_path, capsys):
    saved = tmp_path / "lowell.html"
    saved.write_bytes(JSON_LD_PAGE)
    assert cli.main(["import", "--explain", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "-> body p1 | The city council of Lowell" in out
    assert "-> dropped | Privacy policy" in out
    assert not (Path.cwd() / "content" / "captures" / "lowell.html.txt").exists()


def test_a_story_whose_capture_would_be_served_as_a_live_page_is_refused():
    story, _ = imported(JSON_LD_PAGE)
    text = story.text.replace("Capture: captures/lowell.html.txt", "Capture: captures/lowell.html")
    with pytest.raises(ArchiveError, match="live web page"):
        parse_story(text, "stories/x.md")


WORDPRESS_COMMENTS = """
<div id="comments"><h2 class="comments-title">3 thoughts on “Lowell council approves budget”</h2>
<ol class="comment-list">
 <li id="comment-11" class="comment even depth-1">
  <article class="comment-body">
   <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Pat Reader</b> <span class="says">says:</span></div>
    <div class="comment-metadata"><a href="#comment-11"><time datetime="2011-06-15T07:12:00-04:00">June 15, 2011 at 7:12 am</time></a></div></footer>
   <div class="comment-content"><p>Six more officers is a good start.</p><p>But the libraries matter too.</p></div>
   <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
  </article>
  <ol class="children">
   <li id="comment-12" class="comment odd depth-2">
    <article class="comment-body">
     <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Sam Neighbor</b> <span class="says">says:</span></div></footer>
     <div class="comment-content"><p>Agreed about the libraries.</p></div>
    </article>
   </li>
  </ol>
 </li>
 <li id="comment-13" class="comment even depth-1">
  <article class="comment-body">
   <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Lee</b> <span class="says">says:</span></div></footer>
   <div class="comment-content"><p>Who checked the revenue numbers?</p></div>
  </article>
 </li>
</ol>
<div id="respond"><h3>Leave a Reply</h3></div></div>
"""


def test_wordpress_comments_in_the_page_become_the_thread_with_authors_and_nesting():
    from newsarchive.formats.comment_thread import parse_story_thread

    data = page(ENGLISH, head=f"<script type='application/ld+json'>{JSON_LD}</script>", extra=WORDPRESS_COMMENTS)
    story, parsed = imported(data)
    assert parsed.sources["comments"] == "capture:html"
    thread = parse_story_thread(parsed)
    assert [(c.id, c.parent, c.author, c.paragraphs) for c in thread.comments] == [
        ("1", None, "Pat Reader", ["Six more officers is a good start.", "But the libraries matter too."]),
        ("1.1", "1", "Sam Neighbor", ["Agreed about the libraries."]),
        ("2", None, "Lee", ["Who checked the revenue numbers?"]),
    ]
    assert [p.text for p in parsed.paragraphs] == ENGLISH
    where = {spot.text: spot.place for spot in story.reading.places}
    assert where["Agreed about the libraries."] == "comments"
    assert where["Leave a Reply"] == "dropped"


@pytest.mark.parametrize(
    "shown, written",
    [
        ("2011-06-15T07:12:00-04:00", "2011-06-15 07:12 -04:00"),
        ("2011-06-15T11:12:30Z", "2011-06-15 11:12:30 +00:00"),
        ("2011-06-15 07:12:00", "2011-06-15 07:12"),
        ("2011-06-15", "2011-06-15"),
        ("June 15, 2011 at 7:12 pm", "2011-06-15 19:12"),
        ("15 June 2011", "2011-06-15"),
        ("June 15 at 7:12 pm", ""),  # no year: nothing is filled in from today
        ("3 days ago", ""),
        ("0000-00-00 00:00:00", ""),
        ("", ""),
    ],
)
def test_a_comment_date_as_shown_is_written_in_the_thread_header_form(shown, written):
    from newsarchive.formats.comment_thread import comment_date_iso
    from newsarchive.formats.html_page import thread_date

    assert thread_date(shown) == written
    if written:
        comment_date_iso(written)  # what the importer writes, the thread reads


def test_dated_wordpress_comments_are_imported_shown_and_kept_in_archive_json(tmp_path, capsys):
    """A saved page with dated comments, imported and built as an archivist would: the thread header
    carries the date, --explain places the line that showed it, the story page shows it in a
    ``<time>``, archive.json and the comment's JSON-LD keep it; an undated comment stays undated."""
    from bs4 import BeautifulSoup
    from conftest import run_build

    saved = tmp_path / "lowell.html"
    saved.write_bytes(
        page(ENGLISH, head=f"<script type='application/ld+json'>{JSON_LD}</script>", extra=WORDPRESS_COMMENTS)
    )
    assert cli.main(["import", "--explain", str(saved)]) == 0
    assert "-> comments (date) | June 15, 2011 at 7:12 am" in capsys.readouterr().out
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(saved), "--content", str(content)]) == 0
    slug = "lowell-council-approves-budget"
    story = (content / "stories" / f"{slug}.md").read_text(encoding="utf-8")
    assert "  1. Pat Reader says (2011-06-15 07:12 -04:00):\n" in story and "    1. Sam Neighbor says:\n" in story

    done = run_build(content, tmp_path / "output", "--no-search")
    assert done.returncode == 0, done.stderr
    html = BeautifulSoup(
        (tmp_path / "output" / "stories" / slug / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    heads = {h["id"]: h for h in html.select(".comment-head")}
    time = heads["comment-1"].find("time")
    assert (time["datetime"], time.get_text()) == ("2011-06-15T07:12-04:00", "2011-06-15 07:12 -04:00")
    assert heads["comment-1-1"].find("time") is None and heads["comment-2"].find("time") is None
    data = json.loads((tmp_path / "output" / "archive.json").read_text(encoding="utf-8"))
    items = {c["id"]: c for c in next(s for s in data["stories"] if s["slug"] == slug)["comments"]["items"]}
    assert items["1"]["date"] == "2011-06-15T07:12-04:00" and "date" not in items["1.1"]
    schema = json.loads((Path(__file__).parent.parent / "docs" / "archive.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    items["1"]["date"] = "June 15, 2011"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    ld = [json.loads(s.string) for s in html.find_all("script", type="application/ld+json")]
    comments = {c["@id"].rsplit("#", 1)[1]: c for d in ld if d.get("@type") == "NewsArticle" for c in d["comment"]}
    assert (
        comments["comment-1"]["dateCreated"] == "2011-06-15T07:12-04:00" and "dateCreated" not in comments["comment-2"]
    )


def test_the_story_pages_json_ld_names_the_authors_and_the_time_with_its_zone():
    from newsarchive.pages.structured_data import news_article

    _, parsed = imported(JSON_LD_PAGE)
    data = news_article(parsed, "https://archive.example")
    assert data["author"] == [{"@type": "Person", "name": "Jane Reporter"}]
    assert data["datePublished"] == "2011-06-14T21:05:00-04:00"


def test_a_page_whose_text_the_story_file_could_not_hold_is_refused_not_written_broken():
    tricky = page(
        [*ENGLISH[:2], "## Media", *ENGLISH[2:]], head=f"<script type='application/ld+json'>{JSON_LD}</script>"
    )
    try:
        story, parsed = imported(tricky)
    except ArchiveError as err:
        assert "would not read back" in err.message
    else:  # the line was escaped by the story-file writer: it reads back as the paragraph it was
        assert "## Media" in [p.text for p in parsed.paragraphs]


def test_lint_captures_reads_the_page_again_and_finds_a_body_that_no_longer_matches(tmp_path, capsys):
    saved = tmp_path / "lowell.html"
    saved.write_bytes(JSON_LD_PAGE)
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(saved), "--content", str(content)]) == 0
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 0
    story = content / "stories" / "lowell-council-approves-budget.md"
    story.write_text(story.read_text(encoding="utf-8").replace("seven to two", "7-2"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["lint", "--content", str(content)]) == 0
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 1
    assert "body differs from what captures/lowell.html.txt gives from paragraph p1 on" in capsys.readouterr().out


def test_lint_captures_accepts_a_page_imported_before_comment_dates_were_read(tmp_path, capsys):
    saved = tmp_path / "lowell.html"
    saved.write_bytes(
        page(ENGLISH, head=f"<script type='application/ld+json'>{JSON_LD}</script>", extra=WORDPRESS_COMMENTS)
    )
    content = tmp_path / "content"
    assert cli.main(["import", "-q", str(saved), "--content", str(content)]) == 0
    story = content / "stories" / "lowell-council-approves-budget.md"
    text = story.read_text(encoding="utf-8")
    # as the importer wrote it before: an undated header, the date's line among the dropped ones
    old = text.replace(" says (2011-06-15 07:12 -04:00):", " says:").replace(
        "\n3 thoughts on “Lowell council approves budget”\n",
        "\n3 thoughts on “Lowell council approves budget”\nJune 15, 2011 at 7:12 am\n",
    )
    assert old.count("June 15, 2011 at 7:12 am") == 1 and "(2011-06-15" not in old
    story.write_text(old, encoding="utf-8")
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 0, capsys.readouterr().out
    story.write_text(old.replace("\nReply\n", "\n"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 1
    assert "dropped lines differ" in capsys.readouterr().out


@pytest.mark.parametrize(
    "title, publisher, expected",
    [
        ("Budget passes | The Sun", "The Sun", "Budget passes"),
        ("Budget passes - TheSun", "The Sun", "Budget passes"),
        ("The Guardian view on the budget | Editorial", "The Guardian", "The Guardian view on the budget | Editorial"),
        ("Budget passes - and the mayor is pleased", "The Sun", "Budget passes - and the mayor is pleased"),
        ("The Sun", "The Sun", "The Sun"),
    ],
)
def test_a_site_name_after_the_headline_is_left_out_of_the_title(title, publisher, expected):
    from newsarchive.formats.html_page import without_site_name

    assert without_site_name(title, publisher) == expected
