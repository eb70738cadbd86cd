"""newsarchive.site.analysis_memo: per-story analysis results kept from one build for the next, and the
quotation analysis that uses it (a rebuild after a new story gives what a cold analysis gives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpus import Corpus
from newsarchive.analysis.quotes.analysis import analyze
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.story_file import parse_story
from newsarchive.model.story import Archive
from newsarchive.site.analysis_memo import AnalysisMemo, memo_key
from newsarchive.site.content_loader import load_content


def test_a_value_is_computed_once_and_kept_for_the_next_build(tmp_path):
    path = tmp_path / "memo.pickle"
    memo = AnalysisMemo.load(path)
    calls = []
    assert memo.get("k", lambda: calls.append(1) or "value") == "value"
    assert memo.get("k", lambda: calls.append(1) or "other") == "value"  # the first value is kept
    memo.save()
    again = AnalysisMemo.load(path)
    assert again.get("k", lambda: calls.append(1) or "recomputed") == "value"
    assert calls == [1] and (again.hits, again.misses) == (1, 0)


def test_a_save_keeps_only_what_the_build_used(tmp_path):
    path = tmp_path / "memo.pickle"
    memo = AnalysisMemo(path)
    memo.get("removed story", lambda: 1)
    memo.get("kept story", lambda: 2)
    memo.save()
    memo = AnalysisMemo.load(path)
    memo.get("kept story", lambda: 0)
    memo.save()
    kept = AnalysisMemo.load(path)
    assert list(kept.entries) == ["kept story"] and kept.get("kept story", lambda: 0) == 2


def test_values_come_back_as_they_went_in(tmp_path):
    value = [("a", 1, None, True, 2.5), ["b", ("c",)], {"d": [1]}]
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    assert memo.get("k", lambda: value) == value
    memo.save()
    assert AnalysisMemo.load(tmp_path / "memo.pickle").get("k", lambda: None) == value


@pytest.mark.parametrize("data", [b"", b"not a pickle", b"\x80\x05K\x01."])  # the last: a pickled 1
def test_an_unreadable_memo_is_an_empty_one(tmp_path, data):
    path = tmp_path / "memo.pickle"
    path.write_bytes(data)
    assert AnalysisMemo.load(path).entries == {}


def test_a_memo_that_keeps_nothing_only_computes():
    """No last build's values and no file to save to (the publish settings): no key is made."""
    memo = AnalysisMemo()

    def key():
        raise AssertionError("no key needed")

    assert not memo.keeps and memo.get(key, lambda: "value") == "value"
    assert memo.used == {} and (memo.hits, memo.misses) == (0, 0)
    assert AnalysisMemo(Path("memo.pickle")).keeps  # one that will be saved makes keys


def test_keys_differ_when_any_part_does():
    assert memo_key("a", ("b", 1)) == memo_key("a", ("b", 1))
    assert len({memo_key("a", ("b", 1)), memo_key("a", ("b", 2)), memo_key("a", ("c", 1)), memo_key("b")}) == 4


def _stories(texts: list[str], root: Path) -> list:
    stories = []
    for n, text in enumerate(texts):
        story = parse_story(text, f"content/stories/{n:04}.md")
        story.comments = parse_story_thread(story).comments
        stories.append(story)
    return stories


def _analysis(stories, memo=None) -> str:
    result = analyze(Archive(list(stories)), memo)
    out = result.to_json()
    out["problems"] = [str(p) for p in result.problems]
    out["citations"] = [c.to_json() for c in result.citations]
    out["mentions"] = [[(m.story, m.paragraph, m.start, m.end) for m in e.mentions] for e in result.people]
    return json.dumps(out, sort_keys=True, default=str)


@pytest.fixture(scope="module")
def corpus_texts():
    corpus = Corpus(40, seed=3)
    return [corpus.story(i)[1] for i in range(40)]


def test_a_rebuild_with_one_new_story_equals_a_cold_analysis(tmp_path, corpus_texts):
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    _analysis(_stories(corpus_texts[:39], tmp_path), memo)
    memo.save()
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    warm = _analysis(_stories(corpus_texts, tmp_path), memo)
    assert warm == _analysis(_stories(corpus_texts, tmp_path))
    assert memo.misses >= 3  # at least the new story's evidence, mentions and quotations


def test_a_story_naming_only_known_people_leaves_the_others_analysis_as_kept(tmp_path, corpus_texts):
    """The new story repeats a kept one under another title: no name, alias or role is new, so
    every other story's evidence, mentions and quotations come from the memo."""
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    texts = corpus_texts[:39]
    _analysis(_stories(texts, tmp_path), memo)
    memo.save()
    retold = texts[5].replace("Title: ", "Title: Retold: ", 1).replace("Slug: ", "Slug: retold-", 1)
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    warm = _analysis(_stories([*texts, retold], tmp_path), memo)
    assert warm == _analysis(_stories([*texts, retold], tmp_path))
    assert (memo.hits, memo.misses) == (3 * 39, 3)


def test_stories_read_from_files_are_kept_by_their_source_digest(tmp_path, corpus_texts):
    """In a build each story carries the digest taken as its file was read, and the memo keeps its
    steps under it: a story edited between builds is analysed again (and only it), and the
    result is the cold one."""
    from newsarchive.site.page_reuse import source_digest

    def read(texts):
        stories = _stories(texts, tmp_path)
        for story in stories:
            story.source_digest = source_digest(story)
        return stories

    texts = corpus_texts[:39]
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    _analysis(read(texts), memo)
    memo.save()
    assert "which meets again next month." in texts[7]
    edited = [*texts[:7], texts[7].replace("which meets again next month.", "which meets again next week."), *texts[8:]]
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    warm = _analysis(read(edited), memo)
    assert warm == _analysis(read(edited))
    assert (memo.hits, memo.misses) == (3 * 38, 3)


def test_a_role_learnt_from_a_new_story_changes_who_speaks_in_an_old_one(tmp_path):
    """A quotation attributed to "the officer" goes to the person of that role named before it; a
    story printed later can be the one that says she is an officer. Her name is known before, so
    the old story's mentions are kept; its quotations are kept under the roles of the people it
    names, so they are found again."""
    old = (
        "Title: The count\nDate: 2010-01-02\n\n"
        "Nadia Quinlan said the count was slow.\n\n"
        '"We have finished the count and the numbers will stand," the officer said.\n'
    )
    new = (
        "Title: The officer\nDate: 2010-01-03\n\n"
        "Nadia Quinlan, the state's chief election officer, said the count was over.\n"
    )
    memo = AnalysisMemo(tmp_path / "memo.pickle")
    before = _analysis(_stories([old], tmp_path), memo)
    memo.save()
    assert "speaker unknown" in before
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    warm = _analysis(_stories([old, new], tmp_path), memo)
    assert warm == _analysis(_stories([old, new], tmp_path))
    assert "speaker unknown" not in warm and '"speaker": "nadia-quinlan"' in warm
    assert memo.hits == 2  # the old story's evidence and mentions


def test_the_seeds_analysed_from_a_memo_equal_a_cold_analysis(tmp_path):
    content = Path(__file__).resolve().parent.parent / "content"
    memo = AnalysisMemo(tmp_path / "memo.pickle")

    def seeds():
        stories = load_content(content).stories
        for story in stories:
            story.comments = parse_story_thread(story).comments
        return stories

    cold = _analysis(seeds(), memo)
    memo.save()
    memo = AnalysisMemo.load(tmp_path / "memo.pickle")
    assert _analysis(seeds(), memo) == cold
    assert memo.misses == 0
