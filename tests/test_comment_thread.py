"""Comment threads: the seed's real thread, fresh threads in other layouts, bad input, XSS text, fuzzing."""

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.analysis.commenters import group_commenters
from newsarchive.errors import ArchiveError, count_setting
from newsarchive.formats.comment_thread import Thread, commenter_slug, infer_replies, parse_story_thread, parse_thread
from newsarchive.formats.story_file import load_story, parse_story
from newsarchive.model.story import Comment

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content" / "stories" / "immigration-check-awaits-mass-arrestees.md"
XSS_PAYLOADS = (Path(__file__).parent / "fixtures" / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
PATH = "stories/test.md"

# (id, parent, printed number, author, line of the "N. Author says:" line), read off the seed story file
SEED_GOLD = [
    ("1", None, 1, "John Joseph Grimes", 41),
    ("2", None, 2, "come on", 45),
    ("3", None, 3, "Ellen", 49),
    ("4", None, 4, "Scooby", 53),
    ("5", None, 5, "DStein", 57),
    ("6", None, 6, "Denise", 61),
    ("7", None, 7, "fffefefefef", 65),
    ("8", None, 8, "ffefefefe", 69),
    ("9", None, 9, "kasser", 73),
    ("10", None, 10, "Buzz", 79),
    ("11", None, 11, "jean", 83),
    ("12", None, 12, "Joe", 88),
    ("13", None, 13, "cynic", 92),
    ("14", None, 14, "cynic", 96),
    ("15", None, 15, "jack1", 100),
    ("16", None, 16, "mark", 104),
    ("16.1", "16", 1, "cynic", 108),
    ("16.1.1", "16.1", 1, "mark", 112),
    ("17", None, 17, "mark", 116),
    ("18", None, 18, "David P. McConnell", 120),
    ("19", None, 19, "richard g king", 126),
    ("20", None, 20, "richard g king", 129),
]


def numbered(text: str, start: int = 1) -> list[tuple[int, str]]:
    """A comments section as story_file hands it over: (line number, line) pairs."""
    return list(enumerate(textwrap.dedent(text).strip("\n").splitlines(), start=start))


def by_id(thread: Thread) -> dict[str, Comment]:
    return {c.id: c for c in thread.comments}


def messages_at(thread: Thread, line: int) -> list[str]:
    return [p.message for p in thread.problems if p.line == line]


@pytest.fixture(scope="module")
def seed() -> Thread:
    return parse_story_thread(load_story(SEED))


# -- the seed thread ---------------------------------------------------------------------------------


def test_seed_thread_has_every_comment_with_id_parent_number_author_and_line(seed):
    got = [(c.id, c.parent, c.number, c.author, c.line) for c in seed.comments]
    assert got == SEED_GOLD
    assert [c.position for c in seed.comments] == list(range(1, 23))
    assert [c.depth for c in seed.comments if c.id.startswith("16")] == [0, 1, 2]


def test_seed_empty_comment_19_is_kept_without_paragraphs(seed):
    assert by_id(seed)["19"].paragraphs == []
    assert by_id(seed)["19"].author == "richard g king"


def test_seed_bodies_keep_every_character_and_the_paragraph_structure(seed):
    comments = by_id(seed)
    assert comments["2"].paragraphs == [
        "WHY have they been not doing this all along??? I thought after 911 things were different……well I guess not."
    ]
    assert comments["7"].paragraphs == ["Denise – if you werent such a biggot maybe then you would feel differentkly"]
    assert comments["16.1"].paragraphs[0].startswith("Mark…and what of those that are here legally?")
    assert comments["16.1.1"].paragraphs == ["legally is fine so is having a spanish face"]
    assert comments["18"].paragraphs[0] == "” 75 percent to 78 percent of those being deported are non-criminals.”"
    assert [len(comments[cid].paragraphs) for cid in ("9", "18")] == [2, 2]


def test_seed_line_break_inside_a_paragraph_is_kept_as_a_newline(seed):
    (paragraph,) = by_id(seed)["11"].paragraphs
    first, second = paragraph.split("\n")
    assert first.endswith("deport them quickly and expeditiously.")
    assert second.startswith("Finally, we fine the bejesus")


def test_seed_declared_23_archived_22_is_one_warning_at_the_heading(seed):
    assert [str(p) for p in seed.problems] == [
        f"{SEED}:39: 23 comments declared by the source, 22 archived (1 not in the capture)"
    ]


def test_seed_implicit_reply_only_7_to_6(seed):
    inferred = {c.id: c.reply_to_inferred for c in seed.comments if c.reply_to_inferred}
    # 16.1 opens "Mark…", which resolves to 16: its explicit parent already, so it is not repeated
    assert inferred == {"7": "6"}


def test_seed_thread_reads_the_same_with_windows_line_endings_and_without_any_indentation():
    text = SEED.read_text(encoding="utf-8")
    crlf = parse_story_thread(parse_story(text.replace("\n", "\r\n"), str(SEED)))
    story = parse_story(text, str(SEED))
    story.comment_lines = [(n, line.lstrip()) for n, line in story.comment_lines]
    flat = parse_story_thread(story)
    for thread in (crlf, flat):
        assert [(c.id, c.parent, c.number, c.author, c.line) for c in thread.comments] == SEED_GOLD
        assert by_id(thread)["11"].paragraphs == by_id(parse_story_thread(load_story(SEED)))["11"].paragraphs
        assert len(thread.problems) == 1


# -- fresh threads in other layouts --------------------------------------------------------------


def test_deeper_nesting_by_indentation_with_tabs():
    thread = parse_thread(
        numbered(
            """
            1. Alice says:
            \tFirst!
            \t1. Bob says:
            \t\tNo.
            \t\t1. Carol says:
            \t\t\tYes.
            \t\t\t1. Dan says:
            \t\t\t\tMaybe.
            \t\t2. Erin says:
            \t\t\tAgreed with Bob.
            2. Frank says:
            \tLate.
            """
        ),
        PATH,
        declared=6,
    )
    assert [(c.id, c.parent, c.author, c.depth) for c in thread.comments] == [
        ("1", None, "Alice", 0),
        ("1.1", "1", "Bob", 1),
        ("1.1.1", "1.1", "Carol", 2),
        ("1.1.1.1", "1.1.1", "Dan", 3),
        ("1.1.2", "1.1", "Erin", 2),
        ("2", None, "Frank", 0),
    ]
    assert by_id(thread)["1.1.1.1"].paragraphs == ["Maybe."]
    assert thread.problems == []


def test_unindented_thread_nests_by_numbering():
    thread = parse_thread(
        numbered(
            """
            15. jack1 says:
            ALL CAPS.

            16. R2-D2 v3.0 says:
            Beep.

            1. Dr. Who: 11 says:
            Bow ties are cool.

            1. R2-D2 v3.0 says:
            Beep boop.

            2. Amy says:
            A second reply to the Doctor.

            17. Rory says:
            Last.
            """,
            start=40,
        ),
        PATH,
    )
    assert [(c.id, c.number, c.author) for c in thread.comments] == [
        ("1", 15, "jack1"),
        ("2", 16, "R2-D2 v3.0"),
        ("2.1", 1, "Dr. Who: 11"),
        ("2.1.1", 1, "R2-D2 v3.0"),
        ("2.1.2", 2, "Amy"),
        ("3", 17, "Rory"),
    ]
    # the thread starts at 15: the capture holds a later page; that is worth a warning, once
    assert [(p.line, p.message) for p in thread.problems] == [
        (40, "numbering of top-level comments starts at 15: 14 comments (1–14) missing from the capture; "
         "this one is kept as comment 1")
    ]  # fmt: skip


def test_text_on_the_header_line_and_numbered_lists_in_bodies():
    thread = parse_thread(
        numbered(
            """
              1. Pat says: Three reasons:
                1. it is late
                2. it is costly
                3. nobody asked says so

                4) and a fourth.
              2. Lee says: short and sweet
              3. Kim says:
            """
        ),
        PATH,
    )
    assert [(c.id, c.author) for c in thread.comments] == [("1", "Pat"), ("2", "Lee"), ("3", "Kim")]
    assert by_id(thread)["1"].paragraphs == [
        "Three reasons:\n1. it is late\n2. it is costly\n3. nobody asked says so",
        "4) and a fourth.",
    ]
    assert by_id(thread)["2"].paragraphs == ["short and sweet"]
    assert by_id(thread)["3"].paragraphs == []
    assert thread.problems == []


def test_a_header_may_carry_the_comments_date_in_parentheses_after_says():
    thread = parse_thread(
        numbered(
            """
              1. Pat Reader says (2011-06-15 07:12 -04:00):
                Good start.
                1. Sam says (2011-06-15 08:00):
                  Agreed.
              2. Lee says (2011-06-16): short
              3. Kim says:
                Posted (2011-06-15 07:12): kept as text
            """
        ),
        PATH,
    )
    assert [(c.id, c.author, c.date, c.date_iso) for c in thread.comments] == [
        ("1", "Pat Reader", "2011-06-15 07:12 -04:00", "2011-06-15T07:12-04:00"),
        ("1.1", "Sam", "2011-06-15 08:00", "2011-06-15T08:00"),
        ("2", "Lee", "2011-06-16", "2011-06-16"),
        ("3", "Kim", "", ""),
    ]
    assert by_id(thread)["2"].paragraphs == ["short"]
    assert by_id(thread)["3"].paragraphs == ["Posted (2011-06-15 07:12): kept as text"]
    assert thread.problems == []


def test_a_parenthesis_after_says_that_is_no_date_is_not_a_header_date():
    thread = parse_thread(numbered("  1. Pat says:\n    a\n  2. Lee says (to Pat):\n    b"), PATH)
    # read as before dates existed: a header that lost its "says:" (with its warning), undated
    assert [(c.author, c.date) for c in thread.comments] == [("Pat", ""), ("Lee says (to Pat):", "")]
    assert "has no 'says:'" in messages_at(thread, 3)[0]


@pytest.mark.parametrize("written", ["2011-13-45", "2011-06-15 at noon", "2011-06-15 25:00", "2011-06-15 -04:00"])
def test_a_malformed_comment_date_is_reported_at_its_header_and_the_comment_kept_undated(written):
    thread = parse_thread(numbered(f"  1. Pat says ({written}):\n    text", start=40), PATH)
    [comment] = thread.comments
    assert (comment.author, comment.paragraphs, comment.date, comment.date_iso) == ("Pat", ["text"], "", "")
    [message] = messages_at(thread, 40)
    assert message.startswith("comment 1: ") and repr(written) in message and "YYYY-MM-DD HH:MM" in message


def test_archive_lint_locates_a_malformed_comment_date(tmp_path, capsys):
    from newsarchive import cli

    stories = tmp_path / "content" / "stories"
    stories.mkdir(parents=True)
    text = (ROOT / "tests" / "fixtures" / "new_story.md").read_text(encoding="utf-8")
    text = text.replace("  1. Pat Q. Reader says:", "  1. Pat Q. Reader says (2011-06-31 09:00):", 1)
    (stories / "new.md").write_text(text, encoding="utf-8")
    line = text.splitlines().index("  1. Pat Q. Reader says (2011-06-31 09:00):") + 1
    assert cli.main(["lint", "--content", str(tmp_path / "content")]) != 0
    out = capsys.readouterr()
    assert f"new.md:{line}: comment 1: impossible date '2011-06-31 09:00'" in out.out + out.err


def test_seed_threads_have_no_dates(seed):
    assert {c.date for c in seed.comments} == {""}


def test_the_parsed_thread_plugs_into_the_story():
    story = load_story(SEED)
    story.comments = parse_story_thread(story).comments
    assert story.comment("16.1.1").anchor == "comment-16-1-1"
    assert story.comment("16.1").text.startswith("Mark…")


# -- bad input: every oddity is a warning at its line; no comment is dropped -------------------------


def test_numbering_gap_is_warned_with_the_missing_count():
    thread = parse_thread(numbered("  1. A says:\n    a\n  2. B says:\n    b\n  5. C says:\n    c\n  6. D says:"), PATH)
    assert [(c.id, c.number) for c in thread.comments] == [("1", 1), ("2", 2), ("3", 5), ("4", 6)]
    assert messages_at(thread, 5) == [
        "numbering of top-level comments jumps from 2 to 5: 2 comments (3–4) missing from the capture; "
        "this one is kept as comment 3"
    ]
    assert len(thread.problems) == 1


def test_duplicated_number_is_warned_and_both_comments_kept():
    thread = parse_thread(numbered("  1. A says:\n    a\n  2. B says:\n    b\n  2. B says:\n    b again"), PATH)
    assert [(c.id, c.number, c.paragraphs) for c in thread.comments] == [
        ("1", 1, ["a"]),
        ("2", 2, ["b"]),
        ("3", 2, ["b again"]),
    ]
    assert messages_at(thread, 5) == ["number 2 repeats comment 2 among top-level comments; kept as comment 3"]


def test_out_of_order_number_and_missing_author_are_warned():
    thread = parse_thread(numbered("  1. A says:\n    1. R says:\n  3. C says:\n  2.  says:\n  4. D says:"), PATH)
    assert [(c.id, c.number, c.author) for c in thread.comments] == [
        ("1", 1, "A"),
        ("1.1", 1, "R"),
        ("2", 3, "C"),
        ("3", 2, ""),
        ("4", 4, "D"),
    ]
    assert messages_at(thread, 3) == [
        "numbering of top-level comments jumps from 1 to 3: 1 comment (2) missing from the capture; "
        "this one is kept as comment 2"
    ]
    assert messages_at(thread, 4) == [
        "top-level comments out of order: number 2 after 3; kept as comment 3",
        "comment 3 has no author name before 'says:'",
    ]
    assert messages_at(thread, 5) == []


def test_without_indentation_a_restarted_number_reads_as_a_reply():
    thread = parse_thread(numbered("1. A says:\n2. B says:\n3. C says:\n1. D says:\n4. E says:"), PATH)
    assert [(c.id, c.number) for c in thread.comments] == [("1", 1), ("2", 2), ("3", 3), ("3.1", 1), ("4", 4)]
    assert thread.problems == []


def test_reply_indented_before_any_parent_is_kept_top_level_with_a_warning():
    thread = parse_thread(numbered("    1. cynic says:\n      orphan\n  17. mark says:\n    later"), PATH)
    assert [(c.id, c.parent, c.author) for c in thread.comments] == [("1", None, "cynic"), ("2", None, "mark")]
    assert messages_at(thread, 1) == [
        "comment 1 is indented as a reply, but no earlier comment can be its parent; kept as a top-level comment"
    ]


def test_reply_two_levels_deep_without_its_parent_reply_is_attached_with_a_warning():
    thread = parse_thread(numbered("  15. jack1 says:\n    body\n      1. mark says:\n        deep"), PATH)
    assert [(c.id, c.parent) for c in thread.comments] == [("1", None), ("1.1", "1")]
    assert messages_at(thread, 3) == [
        "comment 1.1 is indented deeper than a reply to comment 1: the reply it answers is missing from the capture; "
        "kept as a reply to 1"
    ]


def test_reply_numbering_gap_names_the_parent():
    thread = parse_thread(numbered("  1. A says:\n    a\n    2. B says:\n      b"), PATH)
    assert [(c.id, c.parent, c.number) for c in thread.comments] == [("1", None, 1), ("1.1", "1", 2)]
    assert messages_at(thread, 3) == [
        "numbering of replies to comment 1 starts at 2: 1 comment (1) missing from the capture; "
        "this one is kept as comment 1.1"
    ]


def test_item_without_says_is_read_as_a_comment_with_a_warning():
    thread = parse_thread(
        numbered("  19. richard g king says:\n    first\n\n  20. richard g king\n\n    second"), PATH, declared=2
    )
    assert [(c.id, c.number, c.author, c.paragraphs) for c in thread.comments] == [
        ("1", 19, "richard g king", ["first"]),
        ("2", 20, "richard g king", ["second"]),
    ]
    assert messages_at(thread, 4) == ["comment 2 has no 'says:' after the author; read 'richard g king' as its author"]


def test_numbered_body_line_that_does_not_continue_the_numbering_stays_body_text():
    thread = parse_thread(numbered("  1. A says:\n    a\n  7. not a name\n  2. B says:"), PATH)
    assert [c.id for c in thread.comments] == ["1", "2"]
    assert by_id(thread)["1"].paragraphs == ["a\n7. not a name"]
    assert thread.problems == []


def test_header_with_text_that_does_not_fit_the_numbering_stays_body_text_with_a_warning():
    thread = parse_thread(
        numbered("  1. A says:\n    My notes:\n    3. The mayor says: we comply.\n  2. B says:\n    b"), PATH
    )
    assert [(c.id, c.author) for c in thread.comments] == [("1", "A"), ("2", "B")]
    assert by_id(thread)["1"].paragraphs == ["My notes:\n3. The mayor says: we comply."]
    assert messages_at(thread, 3) == [
        "line reads like a comment header numbered 3, but that number does not continue the thread's numbering "
        "here (expected 1); kept as body text of comment 1"
    ]


def test_text_before_the_first_comment_is_reported_with_its_lines():
    thread = parse_thread(numbered("Showing 20 of 23 comments\nsorted by date\n\n  1. A says:\n    a", start=40), PATH)
    assert [c.id for c in thread.comments] == ["1"]
    assert [(p.line, p.message) for p in thread.problems] == [
        (40, "text before the first comment belongs to no comment and is left out of the thread: "
         "lines 40–41 (2 lines) starting 'Showing 20 of 23 comments'")
    ]  # fmt: skip


def test_section_without_any_header_reports_all_text_and_the_declared_count():
    thread = parse_thread(numbered("Comments are closed.", start=12), PATH, declared=3)
    assert thread.comments == []
    assert [str(p) for p in thread.problems] == [
        f"{PATH}:12: text before the first comment belongs to no comment and is left out of the thread: "
        "line 12 (1 line) starting 'Comments are closed.'",
        f"{PATH}:11: 3 comments declared by the source, 0 archived (3 not in the capture)",
    ]


def test_more_comments_than_declared_is_a_warning_too():
    thread = parse_thread(numbered("1. A says:\n2. B says:", start=5), PATH, declared=1, heading_line=3)
    assert [str(p) for p in thread.problems] == [
        f"{PATH}:3: 1 comments declared by the source, 2 archived (1 more than declared)"
    ]


def test_empty_section():
    assert parse_thread([], PATH) == Thread([], [])


# -- implicit replies ------------------------------------------------------------------------------


def comment(cid: str, author: str, *paragraphs: str, parent: str | None = None) -> Comment:
    position = int(cid.split(".")[0]) if parent is None else 100
    return Comment(cid, parent, author, list(paragraphs), int(cid.split(".")[-1]), position, position)


def inferred(comments: list[Comment]) -> dict[str, str]:
    infer_replies(comments)
    return {c.id: c.reply_to_inferred for c in comments if c.reply_to_inferred}


@pytest.mark.parametrize(
    "opening",
    [
        "Denise – if you",
        "denise - if you",
        "DENISE — if you",
        "Denise: if you",
        "Denise…if you",
        "Denise... if you",
        "Denise, if you",
        "@denise if you",
        "Denise-- if you",
    ],
)
def test_an_opening_address_links_to_the_named_commenter(opening):
    assert inferred([comment("1", "Denise", "x"), comment("2", "Bob", opening)]) == {"2": "1"}


@pytest.mark.parametrize(
    "opening",
    ["Denise is right", "Denisette – hi", "Deniseville: a town", "Denise-style answers", "Hi Denise – if you", ""],
)
def test_no_link_without_a_separator_right_after_the_name(opening):
    assert inferred([comment("1", "Denise", "x"), comment("2", "Bob", opening)]) == {}


def test_multi_word_names_are_not_addressed_by_a_comma_but_one_word_names_are():
    comments = [comment("1", "come on", "x"), comment("2", "cynic", "y"), comment("3", "Joe", "z")]
    comments += [
        comment("4", "Ann", "Come on, people"),
        comment("5", "Ann", "Cynically, no"),
        comment("6", "Ann", "Joe, no"),
    ]
    comments += [comment("7", "Ann", "Come on – people")]
    assert inferred(comments) == {"6": "3", "7": "1"}


def test_the_nearest_earlier_comment_of_the_addressed_author_wins_never_itself_or_a_later_one():
    comments = [
        comment("1", "mark", "a"),
        comment("2", "mark", "b"),
        comment("3", "Mark", "Mark – talking to myself"),
        comment("4", "Ann", "Mark: which one?"),
        comment("5", "Zed", "Omar: you have not spoken yet"),
        comment("6", "Omar", "here now"),
    ]
    assert inferred(comments) == {"4": "3"}


def test_the_longest_matching_name_wins():
    comments = [comment("1", "Mary Ann", "a"), comment("2", "Mary", "b"), comment("3", "Lou", "Mary Ann: hello")]
    assert inferred(comments) == {"3": "1"}


def test_an_address_to_the_explicit_parent_is_not_repeated_but_one_to_someone_else_is():
    comments = [
        comment("1", "mark", "a"),
        comment("2", "Denise", "b"),
        comment("3", "cynic", "Mark…and what", parent="1"),
        comment("4", "cynic", "Denise – you too", parent="1"),
    ]
    comments[2].position, comments[3].position = 3, 4
    comments[2].reply_to_inferred = "stale"
    assert inferred(comments) == {"4": "2"}


# -- commenter slugs --------------------------------------------------------------------------------


def test_commenter_slugs_are_stable_readable_and_never_empty(seed):
    assert commenter_slug("David P. McConnell") == "david-p-mcconnell"
    assert commenter_slug("mark") == commenter_slug("Mark") == "mark"
    assert commenter_slug("???") == commenter_slug("???") != commenter_slug("!!!")
    assert commenter_slug("???").startswith("commenter-")
    assert commenter_slug("") and commenter_slug("   ")
    authors = {c.author for c in seed.comments}
    assert len({commenter_slug(a) for a in authors}) == len(authors)


def test_commenters_with_many_comments_get_a_page_of_their_own_and_keep_their_permalink():
    story = load_story(SEED)
    story.comments = parse_story_thread(story).comments
    people = {p.slug: p for p in group_commenters([story], own_page_from=3)}
    mark, king = people["mark"], people["richard-g-king"]
    assert [c.id for _, c in mark.comments] == ["16", "16.1.1", "17"] and mark.own_page
    assert mark.url == "commenters/m/#mark" and mark.page_url == "commenters/m/mark/"
    assert len(king.comments) == 2 and not king.own_page and king.page_url == king.url == "commenters/r/#richard-g-king"
    assert sorted(s for s, p in people.items() if p.own_page) == ["cynic", "mark"]
    assert not any(p.own_page for p in group_commenters([story]))  # by default, from 20 comments


def test_the_own_page_setting_is_a_number_of_comments():
    assert count_setting("COMMENTER_OWN_PAGE_FROM", 1) == 1 and count_setting("COMMENTER_OWN_PAGE_FROM", 20) == 20
    for bad in (0, -3, "20", 2.5, True, None):
        with pytest.raises(ArchiveError, match=r"^pelicanconf.py: COMMENTER_OWN_PAGE_FROM: expected a whole number"):
            count_setting("COMMENTER_OWN_PAGE_FROM", bad)


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:20])
def test_commenter_slug_of_markup_is_plain(payload):
    assert re.fullmatch(r"[a-z0-9-]+", commenter_slug(payload))


# -- XSS payloads are text like any other ---------------------------------------------------------


def test_there_are_enough_xss_payloads_and_each_fires_a_detectable_alert():
    assert len(XSS_PAYLOADS) >= 60
    assert all(p and p == p.strip() for p in XSS_PAYLOADS)
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)
    detectable = ("alert(1)", "__xss", "7*7", "YWxlcnQoMSk", "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg", "&#40;&#49;&#41;")
    detectable += ("&#x28;&#x31;&#x29;", "&#x28&#x31&#x29", "\\u0061lert(1)")
    assert [p for p in XSS_PAYLOADS if not any(d in p for d in detectable)] == []


def test_xss_payloads_round_trip_as_plain_text_in_authors_and_bodies():
    section = []
    for i, payload in enumerate(XSS_PAYLOADS, start=1):
        section += [f"  {i}. {payload} says:", "", f"    {payload}", f"    {payload}", "", f"    {payload}", ""]
    thread = parse_thread(list(enumerate(section, start=1)), PATH, declared=len(XSS_PAYLOADS))
    assert thread.problems == []
    assert [c.author for c in thread.comments] == XSS_PAYLOADS
    assert [c.paragraphs for c in thread.comments] == [[f"{p}\n{p}", p] for p in XSS_PAYLOADS]


# -- fuzzing: odd input never crashes and never loses a line ---------------------------------------

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
free_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=LINE_BREAKS), max_size=30)
structured = st.builds(
    "{}{}{} {}{}".format,
    st.sampled_from(["", "  ", "    ", "\t", " \t ", "      "]),
    st.integers(0, 25).map(str),
    st.sampled_from([".", ")", "", ":"]),
    st.sampled_from(["mark", "Dr. J: 2.0", "", "come on", "says", "<b>x</b>", "a says: b"]),
    st.sampled_from([" says:", " says: hi", "", " SAYS:", "says:", " says: 3. x says:"]),
)
section_lines = st.lists(st.one_of(free_text, structured, st.just("")), max_size=40)


def covered_by_problem(thread: Thread, line: int) -> bool:
    for problem in thread.problems:
        m = re.search(r"lines? (\d+)(?:–(\d+))?", problem.message)
        if problem.line == line or (m and int(m[1]) <= line <= int(m[2] or m[1])):
            return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(section_lines, st.one_of(st.none(), st.integers(0, 50)))
def test_arbitrary_sections_never_crash_and_never_lose_a_line(raw_lines, declared):
    lines = list(enumerate(raw_lines, start=10))
    try:
        thread = parse_thread(lines, PATH, declared)
    except ArchiveError:
        return
    infer_replies(thread.comments)
    header_lines = {c.line for c in thread.comments}
    body_lines = {part for c in thread.comments for p in c.paragraphs for part in p.split("\n")}
    for n, raw in lines:
        text = raw.strip()
        if text:
            assert n in header_lines or text in body_lines or covered_by_problem(thread, n), (n, raw)
    assert len({c.id for c in thread.comments}) == len(thread.comments)
    assert [c.position for c in thread.comments] == list(range(1, len(thread.comments) + 1))
    ids = {c.id for c in thread.comments}
    assert all(c.parent is None or c.parent in ids for c in thread.comments)
    assert all(c.reply_to_inferred is None or c.reply_to_inferred in ids for c in thread.comments)
    assert all(commenter_slug(c.author) for c in thread.comments)
