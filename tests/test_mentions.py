"""How a person's or an organization's page shows where they are named (newsarchive.analysis.mentions)."""

from newsarchive.analysis.mentions import aliases_to_show, in_sentence


def test_a_name_is_shown_in_its_own_sentence_as_printed():
    text = "The state joined. Gov. Jane Roe said on Friday that it would. Critics disagreed."
    start = text.index("Jane Roe")
    shown = in_sentence(text, start, start + len("Jane Roe"))
    assert (shown.before, shown.name, shown.after) == ("Gov. ", "Jane Roe", " said on Friday that it would.")
    assert shown.sentence == text.index("Gov.")  # "Gov." does not end a sentence


def test_a_long_sentence_is_cut_at_words_on_each_side():
    text = "word " * 60 + "Roe " + "more " * 60
    start = text.index("Roe")
    shown = in_sentence(text, start, start + 3, room=40)
    assert shown.before.startswith("…") and shown.after.endswith("…")
    assert len(shown.before) <= 41 and len(shown.after) <= 41
    assert shown.before[1:] in text and shown.after[:-1] in text  # cut, never rewritten


def test_also_called_leaves_out_names_behind_a_title():
    aliases = ["Attorney General Jane Roe", "Roe", "Gov. Roe", "State Sen. Jane Roe", "the Roe administration"]
    assert aliases_to_show("Jane Roe", aliases, ["Attorney General"]) == ["Roe", "the Roe administration"]
    # a longer name that is not a title and a name are kept
    assert aliases_to_show("Police Department", ["City Police Department"], []) == ["City Police Department"]
