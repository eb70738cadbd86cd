"""For generated archives, ``archive lint`` and the build agree: what lint accepts builds, what it
refuses stops the build with the same ``path:line`` lines and leaves the previous output/ as it was.

The archives hold what real content holds and once broke the build: stories of one to three words
in any script, control characters, emoji-only titles and events, odd slugs, threads of one-word
comments, long and repetitive paragraphs (up to and past the maximum a story may print), long
runs of capitalized words. Most
examples are checked at the level the build's check and analyses run at; a few are built.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import copy_project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsarchive import cli
from newsarchive.analysis.quotes.analysis import analyze
from newsarchive.analysis.wire.passages import find_wire_passages
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.story_file import MAX_BODY_CHARACTERS
from newsarchive.model.events import group_events
from newsarchive.model.story import MAX_SLUG_LENGTH, Archive
from newsarchive.pages.render import NOT_IN_XML, paragraph_html, xml_text
from newsarchive.site import build
from newsarchive.site.content_loader import check_content, lint_content

# any character a line can hold: every script, symbols, emoji, control characters (but line feeds)
CHARACTER = st.characters(exclude_categories=("Cs",), exclude_characters="\n\r")
WORD = st.text(CHARACTER, min_size=1, max_size=8).filter(lambda w: w.strip() and not w.isspace())
LATIN_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=8)
EMOJI = st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=4)
CONTROL = st.sampled_from(["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe"])


def words(low: int = 1, high: int = 3) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(WORD, LATIN_WORD, CONTROL), min_size=low, max_size=high).map(" ".join)


TITLE = st.one_of(words(), EMOJI, st.builds(lambda a, c, b: a + c + b, LATIN_WORD, CONTROL, LATIN_WORD))
NAME = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)
SLUG = st.one_of(
    st.sampled_from(["..", "../search", "../../../tmp/x", "a/b", "Mixed Case", "ok-slug", "x" * (MAX_SLUG_LENGTH + 1)]),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    EMOJI,
)
SENTENCE = "The council met on Tuesday and voted to approve the budget after a long debate."


@st.composite
def story_files(draw) -> str:
    """One story file, as an archivist might write it, right or wrong."""
    header = [f"Title: {draw(TITLE)}", "Date: 2011-01-0" + str(draw(st.integers(1, 9)))]
    for key, value in (
        ("Slug", SLUG),
        ("Event", st.one_of(TITLE, EMOJI)),
        ("Publisher", st.one_of(LATIN_WORD, words(), EMOJI)),
    ):
        if draw(st.booleans()):
            header.append(f"{key}: {draw(value)}")
    kind = draw(st.sampled_from(["short", "short", "short", "repeated", "names", "huge"]))
    if kind == "short":
        body = draw(st.lists(words(), min_size=1, max_size=3))
    elif kind == "names":  # a long run of capitalized words: one "name" of thousands of letters
        body = ["The " + " ".join(draw(st.lists(NAME, min_size=1, max_size=12)) * draw(st.integers(1, 300))) + " said."]
    elif kind == "repeated":  # one paragraph printed many times, or one long paragraph of it
        times = draw(st.integers(2, 60))
        body = [SENTENCE] * times if draw(st.booleans()) else [" ".join([SENTENCE] * times)]
    else:  # about the most a story may print, or just past it
        size = MAX_BODY_CHARACTERS + draw(st.sampled_from([-len(SENTENCE) * 3, len(SENTENCE)]))
        body = [" ".join([SENTENCE] * (size // (len(SENTENCE) + 1)))]
    text = "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"
    if draw(st.booleans()):  # a thread of one-word comments
        comments = draw(st.lists(st.tuples(words(1, 2), words(1, 1)), min_size=1, max_size=4))
        thread = "\n\n".join(f"  {n}. {author} says:\n\n    {said}" for n, (author, said) in enumerate(comments, 1))
        text += f"\n## Comments ({len(comments)})\n\n{thread}\n"
    return text


ARCHIVES = st.lists(story_files(), min_size=1, max_size=3)


def write_archive(content: Path, texts: list[str]) -> None:
    (content / "stories").mkdir(parents=True)
    (content / "captures").mkdir()
    for n, text in enumerate(texts):
        (content / "stories" / f"story-{n}.md").write_text(text, encoding="utf-8")


SAFE_SLUG = re.compile(rf"[a-z0-9-]{{1,{MAX_SLUG_LENGTH}}}")


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARCHIVES)
@example(  # a story with a duplicate slug and a problem of its own: both say both
    [
        "Title: 0\nDate: 2011-01-01\n\n0\n",
        "Title: 0\nDate: 2011-01-01\n\n0\n\n## Comments (1)\n\n  1. \x0b says:\n\n    0\n",
    ]
)
def test_lint_and_the_builds_check_agree_and_what_lint_accepts_analyses(texts):
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        write_archive(content, texts)
        stories, problems, _ = lint_content(content)
        assert check_content(content) == (problems, len(stories))
        if problems:
            assert all(p.path and p.line and p.message for p in problems)
            return
        for story in stories:
            assert SAFE_SLUG.fullmatch(story.slug)
            story.comments = parse_story_thread(story).comments
            for text in (story.title, story.publisher, story.event, *(p.text for p in story.paragraphs)):
                assert not NOT_IN_XML.search(xml_text(text))
            assert all("<" not in paragraph_html(p.text) for p in story.paragraphs)  # all text escaped
        assert all(SAFE_SLUG.fullmatch(event.slug) for event in group_events(stories))
        find_wire_passages(stories)
        named = analyze(Archive(list(stories)))
        assert all(SAFE_SLUG.fullmatch(entity.slug) for entity in named.people + named.organizations)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The project's code, theme and settings, with no content."""
    project = copy_project(tmp_path_factory.mktemp("property") / "project")
    shutil.rmtree(project / "content")
    return project


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(ARCHIVES)
def test_lint_exit_0_means_the_build_succeeds_and_exit_1_that_it_stops_with_the_same_lines(
    project, capsys, monkeypatch, texts
):
    shutil.rmtree(project / "content", ignore_errors=True)
    write_archive(project / "content", texts)
    shutil.rmtree(project / "output", ignore_errors=True)
    (project / "output").mkdir()
    (project / "output" / "index.html").write_text("the previous site\n", encoding="utf-8")
    monkeypatch.chdir(project)
    status = cli.main(["lint", "-q", "--content", "content"])
    lint = capsys.readouterr().out.splitlines()
    built = build.main(["--content", "content", "--output", "output", "--no-search", "-q"])
    printed = capsys.readouterr().err.splitlines()
    assert status == built, printed
    if status:
        assert printed[:-1] == lint and printed[-1].startswith("build stopped:")
        assert [p.name for p in (project / "output").iterdir()] == ["index.html"]
        assert (project / "output" / "index.html").read_text(encoding="utf-8") == "the previous site\n"
    else:
        assert "Traceback" not in "\n".join(printed)
        assert (project / "output" / "archive.json").is_file()
