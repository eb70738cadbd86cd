"""A headline printed with its deck on one line, as news databases give it (capture_import)."""

from __future__ import annotations

from newsarchive.formats.capture_import import ArchivistMetadata, headline_problem, import_capture

DECK = (
    "Harbor fee vote splits council; Marina owners say the new charge will drive boats to other towns, "
    "and the mayor says the harbor cannot be cleaned without it. Council members will vote again in May "
    "after a hearing on the cost of dredging the channel and repairing the seawall."
)


def test_a_headline_with_a_capitalized_deck_is_a_headline_however_long_the_deck():
    assert len(DECK.split()) > 40
    assert headline_problem(DECK) == ""


def test_a_long_first_sentence_with_a_semicolon_is_still_no_headline():
    sentence = "Police said the road was closed; " + "the detour ran through the town center and past the school " * 3
    assert headline_problem(sentence.strip() + ".") != ""


def test_the_whole_line_is_the_title_and_the_slug_stays_a_usable_file_name():
    capture = f"{DECK}\n\nRIVERTON — The council voted 7-2 on Tuesday.\n".encode()
    story = import_capture(capture, "deck.txt", ArchivistMetadata(date="2016-03-18"))
    assert story.text.splitlines()[0] == f"Title: {DECK}"
    assert len(story.slug) <= 200 and story.slug.startswith("harbor-fee-vote-splits-council")
