"""The ``archive`` command, run in-process on copies of the content in tmp_path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from newsarchive import cli
from newsarchive.model.story import MAX_SLUG_LENGTH

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "captures"
SEED_000 = "000_27d64d4e6c716b97.txt"
SEED_001 = "001_ad09dda9ef47575d.txt"
STORY_000 = "mass-police-to-join-immigration-checks-program"
STORY_001 = "immigration-check-awaits-mass-arrestees"
EVENT = "Massachusetts joins Secure Communities"
SEED_OPTIONS = {
    SEED_000: ["--date", "2010-12-17", "--publisher", "The Associated Press", "--event", EVENT, "--slug", STORY_000],
    SEED_001: [
        "--title",
        "Immigration Check Awaits Mass. Arrestees",
        "--date",
        "2010-12-17",
        "--publisher",
        "CBS Boston / WBZ",
        "--url",
        "http://boston.cbslocal.com/2010/12/17/immigration-check-awaits-mass-arrestees/",
        "--event",
        EVENT,
        "--slug",
        STORY_001,
    ],
}
PROBLEM_LINE = re.compile(r"^\S+:\d+: \S")


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the committed content/ directory."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def empty_content(tmp_path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path / "content"


@pytest.fixture
def inbox(tmp_path) -> Path:
    """The seed captures and the test captures, outside the content directory."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for capture in [
        ROOT / "content" / "captures" / SEED_000,
        ROOT / "content" / "captures" / SEED_001,
        *FIXTURES.iterdir(),
    ]:
        shutil.copy(capture, inbox / capture.name)
    return inbox


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


# --- import ------------------------------------------------------------------------------


@pytest.mark.parametrize("capture, slug", [(SEED_000, STORY_000), (SEED_001, STORY_001)])
def test_importing_a_seed_capture_reproduces_its_committed_story(capsys, empty_content, inbox, capture, slug):
    status, out, err = run(capsys, "import", inbox / capture, "--content", empty_content, *SEED_OPTIONS[capture])
    assert status == 0, err
    story = empty_content / "stories" / f"{slug}.md"
    assert out.strip() == str(story)
    assert story.read_text(encoding="utf-8") == (ROOT / "content" / "stories" / f"{slug}.md").read_text(
        encoding="utf-8"
    )
    assert (empty_content / "captures" / capture).read_bytes() == (inbox / capture).read_bytes()
    assert set(snapshot(empty_content)) == {f"stories/{slug}.md", f"captures/{capture}"}


@pytest.mark.parametrize("capture", [SEED_000, SEED_001])
def test_explain_maps_every_line_exactly_once_and_writes_nothing(capsys, content, inbox, capture):
    before = snapshot(content)
    status, out, _ = run(capsys, "import", "--explain", inbox / capture, "--content", content)
    assert status == 0
    numbers = [int(re.match(r"^line (\d+) -> \S", line)[1]) for line in out.splitlines()]
    total = len((inbox / capture).read_text(encoding="utf-8").splitlines())
    assert numbers == list(range(1, total + 1))
    assert snapshot(content) == before


def test_explain_names_each_kind_of_place(capsys, inbox):
    _, out, _ = run(capsys, "import", "--explain", inbox / SEED_001)
    places = dict(re.match(r"^line (\d+) -> (.*)$", line).groups() for line in out.splitlines())
    assert places["3"] == "body p2"
    assert places["5"] == "media after p2"
    assert places["25"] == "metadata Rights (also Credit)"
    assert places["30"] == "comments"
    assert places["120"] == "dropped"
    assert places["2"] == "blank"


def test_a_capture_without_headline_needs_title_and_the_error_says_so(capsys, content, inbox):
    before = snapshot(content)
    status, _, err = run(
        capsys, "import", inbox / SEED_001, "--content", content, "--date", "2010-12-17", "--slug", "x"
    )
    assert status == 1
    assert err.splitlines()[0].startswith(f"{inbox / SEED_001}:1: no headline") and "--title" in err
    assert snapshot(content) == before


@pytest.mark.parametrize(
    "name, line, words",
    [
        ("empty.txt", 1, "empty capture"),
        ("blank_lines.txt", 1, "empty capture"),
        ("binary.txt", 3, "binary data"),
        ("cp1252.txt", 3, "looks like cp1252 / Windows-1252"),
        ("no_body.txt", 1, "no story body"),
        ("comments_without_comments.txt", 5, "no comments follow"),
    ],
)
def test_bad_captures_fail_with_one_located_message_and_write_nothing(capsys, content, inbox, name, line, words):
    before = snapshot(content)
    status, out, err = run(capsys, "import", inbox / name, "--content", content, "--date", "2011-01-01", "--title", "T")
    assert status == 1 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{inbox / name}:{line}: ") and words in first
    assert snapshot(content) == before


def test_an_unterminated_quote_warns_with_its_line_and_still_imports(capsys, empty_content, inbox):
    status, out, err = run(
        capsys, "import", inbox / "unterminated_quote.txt", "--content", empty_content, "--date", "2011-01-01"
    )
    assert status == 0
    assert f"{inbox / 'unterminated_quote.txt'}:5: warning: quotation opened" in err
    assert (empty_content / "stories" / "mayor-speaks-at-opening.md").is_file()


def test_an_existing_slug_is_refused_unless_forced(capsys, content, inbox):
    before = snapshot(content)
    argv = ["import", inbox / SEED_000, "--content", content, *SEED_OPTIONS[SEED_000]]
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert err.startswith(f"{content / 'stories' / STORY_000}.md:1: a story with slug") and "--force" in err
    assert snapshot(content) == before

    status, out, _ = run(capsys, *argv, "--force")
    assert status == 0 and out.strip() == f"{content / 'stories' / STORY_000}.md"
    assert snapshot(content) == before  # the same capture and options give the same story


def test_a_capture_already_archived_under_another_story_is_refused(capsys, content, inbox):
    before = snapshot(content)
    # same file name as the capture of an existing story
    status, _, err = run(
        capsys, "import", inbox / SEED_000, "--content", content, "--date", "2010-12-17", "--slug", "other", "--force"
    )
    assert status == 1 and f"captures/{SEED_000} is already the capture of" in err
    # same bytes under another name
    renamed = inbox / "renamed.txt"
    shutil.copy(inbox / SEED_000, renamed)
    status, _, err = run(capsys, "import", renamed, "--content", content, "--date", "2010-12-17", "--slug", "other")
    assert status == 1 and err.startswith(f"{renamed}:1: this capture is already archived as captures/{SEED_000}")
    assert snapshot(content) == before


def test_a_different_file_with_the_same_capture_name_is_refused(capsys, empty_content, inbox):
    (empty_content / "captures").mkdir()
    (empty_content / "captures" / "dated_byline.txt").write_text("something else\n", encoding="utf-8")
    before = snapshot(empty_content)
    status, _, err = run(capsys, "import", inbox / "dated_byline.txt", "--content", empty_content)
    assert status == 1 and "a different file already exists at" in err
    assert snapshot(empty_content) == before


def test_several_captures_import_together_or_not_at_all(capsys, empty_content, inbox):
    captures = [inbox / "lowell_headline_staff.txt", inbox / "dated_byline.txt"]
    status, _, err = run(
        capsys, "import", *captures, inbox / "empty.txt", "--content", empty_content, "--date", "2011-06-01"
    )
    assert status == 1 and "empty.txt:1: empty capture" in err
    assert snapshot(empty_content) == {}

    status, out, _ = run(capsys, "-q", "import", *captures, "--content", empty_content, "--date", "2011-06-01")
    assert status == 0
    assert [Path(p).name for p in out.split()] == [
        "lowell-council-approves-new-budget.md",
        "storm-knocks-out-power-to-thousands.md",
    ]


def test_per_story_options_are_refused_with_several_captures(capsys, inbox):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["import", str(inbox / "dated_byline.txt"), str(inbox / "no_body.txt"), "--title", "T"])
    assert exit_.value.code == 2
    assert "one capture at a time" in capsys.readouterr().err


@pytest.mark.parametrize("option, value", [("--date", "17/12/2010"), ("--slug", "Not A Slug"), ("--url", "boston.com")])
def test_bad_option_values_are_usage_errors(capsys, inbox, option, value):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["import", str(inbox / "dated_byline.txt"), option, value])
    assert exit_.value.code == 2 and option in capsys.readouterr().err


def test_a_missing_capture_file_is_reported_without_traceback(capsys, content, tmp_path):
    status, _, err = run(capsys, "import", tmp_path / "nope.txt", "--content", content)
    assert status == 1 and err.startswith(f"{tmp_path / 'nope.txt'}: cannot read the capture")


# --- lint --------------------------------------------------------------------------------


def test_lint_passes_the_seeds_and_prints_a_summary(capsys, content):
    status, out, _ = run(capsys, "lint", "--content", content)
    assert status == 0
    assert out.splitlines()[-1].startswith("2 stories, 0 problems")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def story_path(content: Path, slug: str) -> Path:
    return content / "stories" / f"{slug}.md"


BREAKAGES = {
    "missing metadata": (
        lambda c: edit(story_path(c, STORY_000), "Date: 2010-12-17\n", ""),
        "missing required metadata 'Date'",
    ),
    "invalid date": (
        lambda c: edit(story_path(c, STORY_000), "Date: 2010-12-17", "Date: yesterday"),
        ":2: unparseable date",
    ),
    "invalid slug": (
        lambda c: edit(story_path(c, STORY_000), f"Slug: {STORY_000}", "Slug: Mass Police"),
        ":3: slug 'Mass Police' is not a URL slug",
    ),
    "checksum mismatch": (
        lambda c: (c / "captures" / SEED_000).write_bytes((c / "captures" / SEED_000).read_bytes() + b"\n"),
        f"{STORY_000}.md:8: capture captures/{SEED_000} has sha256",
    ),
    "media at a missing paragraph": (
        lambda c: edit(story_path(c, STORY_001), "- after p5:", "- after p55:"),
        ":37: media placeholder follows p55",
    ),
    "duplicate slug": (
        lambda c: shutil.copy(story_path(c, STORY_000), c / "stories" / "copy.md"),
        f"{STORY_000}.md:3: duplicate slug '{STORY_000}'",
    ),
    "unused capture": (
        lambda c: (c / "captures" / "stray.txt").write_text("x\n"),
        "stray.txt:1: capture not used by any story",
    ),
    "missing capture": (
        lambda c: (c / "captures" / SEED_001).unlink(),
        f":10: capture file 'captures/{SEED_001}' not found",
    ),
    "sources naming an absent field": (
        lambda c: edit(story_path(c, STORY_000), "Dateline: BOSTON\n", ""),
        "Sources names 'dateline'",
    ),
    "dateline not opening p1": (
        lambda c: edit(story_path(c, STORY_000), "Dateline: BOSTON", "Dateline: LOWELL"),
        ":5: Dateline 'LOWELL' is not how p1 begins",
    ),
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_lint_finds_each_kind_of_problem(capsys, content, kind):
    breakage, expected = BREAKAGES[kind]
    breakage(content)
    status, out, _ = run(capsys, "lint", "--content", content)
    assert status == 1
    problems = [
        line for line in out.splitlines()[:-1] if ": note: " not in line and "declared by the source" not in line
    ]
    assert problems and all(PROBLEM_LINE.match(line) for line in problems)
    assert any(expected in line for line in problems), out
    assert re.match(r"^\d+ stor(y|ies), [1-9]\d* problems?", out.splitlines()[-1])


def test_lint_reports_comment_numbering_problems_but_not_the_declared_count(capsys, content):
    pytest.importorskip("newsarchive.formats.comment_thread")
    status, out, _ = run(capsys, "lint", "--content", content)
    assert status == 0 and "23 comments declared by the source, 22 archived" in out  # informational
    edit(story_path(content, STORY_001), "  4. Scooby says:", "  9. Scooby says:")
    status, out, _ = run(capsys, "lint", "--content", content)
    assert status == 1
    assert any(line.startswith(f"{story_path(content, STORY_001)}:53: ") for line in out.splitlines())


def test_lint_quiet_prints_only_problems(capsys, content):
    assert run(capsys, "-q", "lint", "--content", content)[:2] == (0, "")
    assert run(capsys, "lint", "-q", "--content", content)[:2] == (0, "")


# --- stats, help, build ------------------------------------------------------------------


def test_stats_counts_the_seeds(capsys, content):
    status, out, _ = run(capsys, "stats", "--content", content)
    assert status == 0
    rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines())
    assert rows["stories"] == "2"
    assert rows["paragraphs"] == "27"
    assert rows["media placeholders"] == "2"
    assert rows.get("comments", "22 archived (23 declared").startswith("22 archived (23 declared")
    assert rows.get("comments declared", "23") == "23"
    if "wire passages" in rows:  # when newsarchive.analysis.wire is installed: the CBS story reuses AP copy
        assert int(rows["wire passages"]) >= 1
        assert rows[f"wire share: {STORY_001}"] != "0%" and rows[f"wire share: {STORY_000}"] != "0%"


@pytest.mark.parametrize("command", [[], ["import"], ["lint"], ["stats"]])
def test_every_command_has_help_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    assert exit_.value.code == 0
    assert "example" in capsys.readouterr().out


def test_build_forwards_its_arguments(capsys, monkeypatch):
    build = pytest.importorskip("newsarchive.site.build")
    calls = []
    monkeypatch.setattr(build, "main", lambda argv: calls.append(argv) or 0)
    assert cli.main(["build", "--settings", "publishconf.py", "--no-search"]) == 0
    assert cli.main(["-q", "build", "--help"]) == 0
    assert calls == [["--settings", "publishconf.py", "--no-search"], ["--help", "-q"]]


def test_a_slug_longer_than_the_maximum_is_one_clear_error_before_anything_is_written(capsys, content, inbox):
    before = snapshot(content)
    too_long = "a" * (MAX_SLUG_LENGTH + 1)
    with pytest.raises(SystemExit) as exit_:
        cli.main(
            [
                "import",
                str(inbox / SEED_000),
                "--content",
                str(content),
                "--slug",
                too_long,
                *SEED_OPTIONS[SEED_000][:2],
            ]
        )
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"archive import: error: argument --slug: a slug of {MAX_SLUG_LENGTH + 1} characters is too long: "
        f"at most {MAX_SLUG_LENGTH}"
    )
    assert snapshot(content) == before
