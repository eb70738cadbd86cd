"""The pure capture -> story-file conversion (newsarchive.formats.capture_import)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.errors import ArchiveError
from newsarchive.formats.capture_import import (
    ArchivistMetadata,
    build_story,
    headline_problem,
    import_capture,
    read_capture,
    read_date_line,
)
from newsarchive.formats.story_file import parse_story, text_lines

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "content" / "captures"
STORIES = ROOT / "content" / "stories"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captures"

EVENT = "Massachusetts joins Secure Communities"
# the metadata the archivist supplied by hand for the two seed stories
SEEDS = {
    "000_27d64d4e6c716b97.txt": ArchivistMetadata(
        date="2010-12-17",
        publisher="The Associated Press",
        event=EVENT,
        slug="mass-police-to-join-immigration-checks-program",
    ),
    "001_ad09dda9ef47575d.txt": ArchivistMetadata(
        title="Immigration Check Awaits Mass. Arrestees",
        date="2010-12-17",
        publisher="CBS Boston / WBZ",
        source_url="http://boston.cbslocal.com/2010/12/17/immigration-check-awaits-mass-arrestees/",
        event=EVENT,
        slug="immigration-check-awaits-mass-arrestees",
    ),
}


def fixture(name: str) -> tuple[bytes, str]:
    path = FIXTURES / name
    return path.read_bytes(), str(path)


@pytest.mark.parametrize("capture", sorted(SEEDS))
def test_seed_captures_reproduce_the_committed_stories_exactly(capture):
    given_metadata = SEEDS[capture]
    story = import_capture((CAPTURES / capture).read_bytes(), str(CAPTURES / capture), given_metadata)
    assert story.slug == given_metadata.slug
    assert story.text == (STORIES / f"{given_metadata.slug}.md").read_text(encoding="utf-8")
    assert story.reading.warnings == []


@pytest.mark.parametrize("capture", sorted(SEEDS))
def test_every_seed_line_goes_to_exactly_one_place_that_holds_it(capture):
    data = (CAPTURES / capture).read_bytes()
    lines = text_lines(data.decode("utf-8"))
    reading = read_capture(data, capture)
    assert [spot.line for spot in reading.places] == list(range(1, len(lines) + 1))

    story = parse_story(build_story(reading, SEEDS[capture], f"captures/{capture}").text, "story.md")
    comment_texts = [text for _, text in story.comment_lines]
    for spot in reading.places:
        text = lines[spot.line - 1].strip()
        kind, _, where = spot.place.partition(" ")
        if kind == "blank":
            assert text == ""
        elif kind == "body":
            assert text in story.paragraph(where).text
        elif kind == "media":
            assert any(m.text == text and f"after {m.after}" == where for m in story.media)
        elif kind == "metadata":
            assert text in story.metadata[where.lower()]
        elif kind == "comments" and spot.note != "heading":
            assert lines[spot.line - 1].rstrip() in comment_texts
        elif kind == "dropped":
            assert lines[spot.line - 1].rstrip() in story.dropped


def test_seed_001_places_media_rights_comments_and_boilerplate():
    reading = read_capture((CAPTURES / "001_ad09dda9ef47575d.txt").read_bytes(), "001.txt")
    place = {spot.line: spot for spot in reading.places}
    assert place[1].place == "body p1" and reading.dateline == "BOSTON (CBS/AP)"
    assert place[5].place == "media after p2"
    assert place[13].place == "media after p5"
    assert place[25].place == "metadata Rights" and place[25].note == "also Credit"
    assert reading.credit == "The Associated Press contributed to this report."
    assert place[27].place == "comments" and reading.comments_declared == 23
    assert place[120].place == "dropped" and reading.dropped[0] == "Leave a Reply"
    assert place[137].place == "dropped" and reading.dropped[-1] == "Connecting to %s"


def test_seed_001_has_no_headline_so_the_title_must_be_given():
    data = (CAPTURES / "001_ad09dda9ef47575d.txt").read_bytes()
    with pytest.raises(ArchiveError) as err:
        import_capture(data, "001.txt", ArchivistMetadata(date="2010-12-17"))
    assert err.value.line == 1
    assert "no headline" in err.value.message and "--title" in err.value.message


def test_headline_staff_byline_lowell_dateline_media_rights_and_comments():
    story = import_capture(*fixture("lowell_headline_staff.txt"), ArchivistMetadata(date="2011-06-01"))
    parsed = parse_story(story.text, "story.md")
    assert parsed.title == "Lowell council approves new budget"
    assert parsed.dateline == "LOWELL"
    assert parsed.paragraphs[0].text.startswith("LOWELL — The City Council")
    assert parsed.credit == "Staff and wire reports"
    assert parsed.rights == "Copyright 2011 The Lowell Sun. All rights reserved."
    assert [(m.after, m.text) for m in parsed.media] == [("p3", "WCAP's Dan Kerr reports.")]
    thread = [text for _, text in parsed.comment_lines if text]
    assert parsed.comments_declared == 2 and thread[0] == "  1. resident says:" and len(thread) == 4
    assert parsed.dropped == ["Leave a Comment", "You must be logged in to post a comment."]
    assert parsed.sources == {
        "title": "capture",
        "date": "archivist",
        "dateline": "capture",
        "credit": "capture",
        "rights": "capture",
        "comments": "capture",
    }


def test_a_date_line_in_the_capture_gives_the_date_and_bylines_give_the_credit():
    story = import_capture(*fixture("dated_byline.txt"))
    parsed = parse_story(story.text, "story.md")
    assert parsed.metadata["date"] == "2010-12-17 15:45" and parsed.sources["date"] == "capture"
    assert parsed.dateline == "WORCESTER, Mass. (AP)"
    assert parsed.credit == (
        "By JANE DOE, Associated Press Writer; Associated Press writer John Roe in Boston contributed to this report."
    )
    assert len(parsed.paragraphs) == 2


def test_archivist_options_override_the_capture_and_sources_say_so():
    story = import_capture(*fixture("dated_byline.txt"), ArchivistMetadata(title="Power out", date="2010-12-18"))
    parsed = parse_story(story.text, "story.md")
    assert (parsed.title, parsed.metadata["date"], parsed.slug) == ("Power out", "2010-12-18", "power-out")
    assert parsed.sources["title"] == parsed.sources["date"] == "archivist"


@pytest.mark.parametrize(
    "line",
    [
        "Mass. police to join immigration checks program",
        "Immigration Check Awaits Mass. Arrestees",
        "Troops return to the U.S.",
        "Is the budget too big?",
        "Storm: thousands without power",
    ],
)
def test_short_lines_that_do_not_end_like_sentences_are_headlines(line):
    assert headline_problem(line) == ""


@pytest.mark.parametrize(
    "line, reason",
    [
        ("The state agreed Friday to sign onto the program.", "ends like a sentence"),
        ("BOSTON (CBS/AP) — Massachusetts State Police will soon begin checking", "dateline"),
        ("word " * 45, "too long"),
        ("Staff and wire reports", "byline"),
        ("Comments (23)", "byline, credit, rights, media or date line"),
    ],
)
def test_lines_that_are_not_headlines_say_why(line, reason):
    assert reason in headline_problem(line.strip())


def test_a_headline_needs_a_paragraph_after_it_that_starts_like_a_sentence():
    reading = read_capture(b"Budget talks\n\nand then the council went home.\n", "c.txt")
    assert reading.headline == "" and "does not start like a story paragraph" in reading.not_headline_reason
    reading = read_capture(b"Budget talks\n\n\xe2\x80\x9cWe are done,\xe2\x80\x9d the mayor said.\n", "c.txt")
    assert reading.headline == "Budget talks"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("December 17, 2010", "2010-12-17"),
        ("Posted: Friday, Dec. 17, 2010 3:45 PM", "2010-12-17 15:45"),
        ("Updated Sept 3, 2011 at 12:05 am EDT", "2011-09-03 00:05"),
        ("February 30, 2010", ""),
        ("Mayor 17, 2010", ""),
    ],
)
def test_date_lines(text, expected):
    assert read_date_line(text) == expected


@pytest.mark.parametrize(
    "name, line, words",
    [
        ("empty.txt", 1, "empty capture"),
        ("blank_lines.txt", 1, "empty capture"),
        ("binary.txt", 3, "binary"),
        ("cp1252.txt", 3, "cp1252 / Windows-1252"),
        ("no_body.txt", 1, "no story body"),
        ("comments_without_comments.txt", 5, "no comments follow"),
    ],
)
def test_bad_captures_raise_an_archive_error_at_their_line(name, line, words):
    with pytest.raises(ArchiveError) as err:
        read_capture(*fixture(name))
    assert (err.value.path, err.value.line) == (str(FIXTURES / name), line)
    assert words in err.value.message


def test_cp1252_text_is_named_and_re_saving_as_utf8_suggested():
    with pytest.raises(ArchiveError) as err:
        read_capture(*fixture("cp1252.txt"))
    assert "0x97" in err.value.message and "re-save it as UTF-8" in err.value.message


def test_utf16_text_is_named():
    with pytest.raises(ArchiveError, match="UTF-16"):
        read_capture("Headline\n\nBody text.\n".encode("utf-16"), "c.txt")


def test_an_unterminated_quote_is_a_warning_with_its_line_not_an_error():
    story = import_capture(*fixture("unterminated_quote.txt"), ArchivistMetadata(date="2011-01-01"))
    [warning] = story.reading.warnings
    assert warning.line == 5 and "never closed" in warning.message and str(warning).startswith(warning.path + ":5: ")


def test_a_quotation_running_over_paragraphs_is_not_unterminated():
    assert read_capture(*fixture("quote_runs_over.txt")).warnings == []


def test_windows_line_endings_and_a_bom_read_like_plain_text():
    plain = read_capture(b"Headline here\n\nBOSTON \xe2\x80\x94 Body text.\n", "c.txt")
    windows = read_capture(b"\xef\xbb\xbfHeadline here\r\n\r\nBOSTON \xe2\x80\x94 Body text.\r\n", "c.txt")
    assert (windows.headline, windows.paragraphs, windows.dateline) == (plain.headline, plain.paragraphs, "BOSTON")


def test_a_title_without_letters_gets_the_slug_the_build_would_give_it():
    story = import_capture(
        b"BOSTON \xe2\x80\x94 Body text.\n", "c.txt", ArchivistMetadata(title="!!!", date="2011-01-01")
    )
    assert re.fullmatch(r"story-[0-9a-f]{12}", story.slug)
    assert parse_story(story.text, "story.md").slug == story.slug


def _check_import(data: bytes) -> None:
    """The property: success gives a parseable story accounting for every line once; failure is an ArchiveError with a line."""
    try:
        story = import_capture(data, "capture.txt", ArchivistMetadata(title="A title", date="2011-01-01"))
    except ArchiveError as err:
        assert isinstance(err.line, int) and err.line >= 1
        assert re.match(r"^capture\.txt:\d+: \S", str(err))
        return
    parsed = parse_story(story.text, "story.md")
    # the record stays exact: each body block's plain text is the captured paragraph, as typed
    assert [p.text for p in parsed.paragraphs] == [" ".join(lines) for lines in story.reading.paragraphs]
    lines = text_lines(data.decode("utf-8-sig"))
    assert [spot.line for spot in story.reading.places] == list(range(1, len(lines) + 1))


LINE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "Comments (2)",
            "  1. someone says:",
            "Leave a Reply",
            "BOSTON — Text.",
            "Staff and wire reports",
            "X Y reports.",
            "© 2010",
            "## Media",
            "“open",
            "December 17, 2010",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=20))
def test_any_text_imports_or_fails_with_a_located_archive_error(lines):
    _check_import("\n".join(lines).encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_import_or_fail_with_a_located_archive_error(data):
    _check_import(data)


# --- what real captures look like (issue 35 item 15) --------------------------------------------


def test_a_story_in_russian_has_its_headline_found_at_a_cyrillic_capital():
    capture = (
        "Совет утвердил бюджет\n\nВ среду городской совет утвердил бюджет.\n\n«Это трудное решение», — сказал мэр.\n"
    )
    story = import_capture(capture.encode(), "ru.txt", ArchivistMetadata(date="2021-03-03"))
    parsed = parse_story(story.text, "ru.md")
    assert parsed.title == "Совет утвердил бюджет"
    assert [p.text for p in parsed.paragraphs][0] == "В среду городской совет утвердил бюджет."


EXTRACTOR_TEXT = (
    "Lowell council approves a budget after four hours of public comment and a seven to two vote on Tuesday night in City Hall\n"
    "The City Council voted 7-2 Tuesday night to approve a $300 million budget.\n"
    "“We made hard choices,” Mayor Jane Doe said.\n"
    "The budget adds six police officers.\n"
)


def test_text_with_one_paragraph_per_line_and_a_long_title_line_imports_line_by_line():
    story = import_capture(EXTRACTOR_TEXT.encode(), "extracted.txt", ArchivistMetadata(date="2011-06-14"))
    parsed = parse_story(story.text, "x.md")
    assert parsed.title.startswith("Lowell council approves a budget") and len(parsed.title.split()) > 20
    assert [p.text for p in parsed.paragraphs] == EXTRACTOR_TEXT.splitlines()[1:]
    assert [str(p) for p in story.reading.places] == [
        "line 1 -> metadata Title",
        "line 2 -> body p1",
        "line 3 -> body p2",
        "line 4 -> body p3",
    ]


def test_wrapped_paragraphs_separated_by_blank_lines_still_join():
    capture = "Headline here\n\nThe council voted\nto approve the budget.\n\nThe mayor spoke.\n"
    story = import_capture(capture.encode(), "wrapped.txt", ArchivistMetadata(date="2011-06-14"))
    assert [p.text for p in parse_story(story.text, "x.md").paragraphs] == [
        "The council voted to approve the budget.",
        "The mayor spoke.",
    ]


def test_a_stray_escape_or_bell_is_left_out_of_the_story_and_noted_but_binary_data_is_refused():
    capture = "Headline here\n\nThe council \x1b[1mvoted\x07 to approve the budget.\n\nThe mayor spoke.\n"
    story = import_capture(capture.encode(), "esc.txt", ArchivistMetadata(date="2011-06-14"))
    parsed = parse_story(story.text, "x.md")
    assert parsed.paragraphs[0].text == "The council [1mvoted to approve the budget."
    assert "line 3 -> body p1 (control character left out)" in [str(p) for p in story.reading.places]
    assert story.reading.sha256 == __import__("hashlib").sha256(capture.encode()).hexdigest()
    with pytest.raises(ArchiveError, match="binary data"):
        read_capture(("Headline\n\n" + "\x1b\x07\x01" * 20 + " text.\n").encode(), "bin.txt")
