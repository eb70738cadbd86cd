"""Ordinary content an archivist may put in content/: it builds, or ``archive lint`` and the build
refuse it alike, with ``path:line: message``, a non-zero exit, no traceback and the previous
output/ as it was."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, copy_project, run_build

from newsarchive import cli
from newsarchive.analysis.comment_citations import _run_hashes, _WordHashes, find_citations
from newsarchive.analysis.entities import evidence as entity_evidence
from newsarchive.analysis.entities import scan as entity_scan
from newsarchive.analysis.entities.find import find_entities
from newsarchive.analysis.entities.lexicon import AFTER_NAME
from newsarchive.errors import ArchiveError
from newsarchive.formats.capture_import import ArchivistMetadata, import_capture
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.story_file import MAX_BODY_CHARACTERS, MAX_STORY_CHARACTERS, parse_story, read_text
from newsarchive.model.story import MAX_SLUG_LENGTH, url_slug
from newsarchive.pages.render import xml_text
from newsarchive.site import build
from newsarchive.site.content_loader import check_content, lint_content

AP = "mass-police-to-join-immigration-checks-program"
QUIET = """\
Title: Council meets
Date: 2011-01-04

Developing story.

More to come.

## Comments (3)

  1. Ann says:

    Great article!

  2. Bob says:

    So true.

    1. Cy says:

      Yes.
"""


def story(*body: str, header: str = "") -> str:
    return f"Title: A story\nDate: 2011-01-02\n{header}\n" + "\n\n".join(body) + "\n"


# --- 1. quiet threads and one-line stories ----------------------------------------------------


def test_texts_all_under_four_words_have_no_runs():
    assert _run_hashes(["Great article!", "So true."], _WordHashes()) == ([0, 0], b"")
    counts, runs = _run_hashes(["So true.", "one two three four five", "Yes."], _WordHashes())
    assert counts == [0, 2, 0] and len(runs) == 16


def test_a_quiet_thread_cites_nothing():
    quiet = parse_story(QUIET, "quiet.md")
    quiet.comments = parse_story_thread(quiet).comments
    assert len(quiet.comments) == 3 and find_citations([quiet], []) == []


# --- 2. control characters --------------------------------------------------------------------


def test_xml_text_shows_what_xml_cannot_carry_as_control_pictures():
    assert xml_text("a\x00b\x07c\td\ne\rf\x0b\x0c\x1b\ufffe") == "a␀b␇c\td\ne\rf␋␌␛\ufffd"
    text = "Plain text, “quoted” — kept."
    assert xml_text(text) is text


# --- 3, 4. slugs ------------------------------------------------------------------------------


def test_a_title_with_nothing_to_slugify_gets_a_stable_slug_of_its_own():
    assert (
        url_slug("😀😀😀", "story")
        == url_slug("😀😀😀", "story")
        == "story-" + hashlib.sha256("😀😀😀".encode()).hexdigest()[:12]
    )
    assert url_slug("😀", "story") != url_slug("😀😀", "story")
    assert parse_story(story("Body.").replace("A story", "🔥🔥"), "x.md").slug.startswith("story-")
    assert url_slug("Москва сегодня", "story") == "moskva-segodnia"  # other scripts transliterate


def test_a_long_title_gets_a_cut_slug_and_titles_differing_after_the_cut_keep_apart():
    a, b = "word " * 60 + "one", "word " * 60 + "two"
    assert len(url_slug(a, "story")) <= MAX_SLUG_LENGTH and url_slug(a, "story") != url_slug(b, "story")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("..", "slug '..' is not a URL slug (lowercase letters, digits, hyphens)"),
        ("../search", "slug '../search' is not a URL slug (lowercase letters, digits, hyphens): try 'search'"),
        ("../../../tmp/x", "is not a URL slug"),
        (f"../stories/{AP}", f"try 'stories-{AP}'"),
        ("x" * (MAX_SLUG_LENGTH + 1), f"at most {MAX_SLUG_LENGTH}"),
    ],
)
def test_a_slug_that_is_no_url_slug_is_refused_at_its_line(slug, message):
    with pytest.raises(ArchiveError) as err:
        parse_story(story("Body.", header=f"Slug: {slug}\n"), "x.md")
    assert err.value.line == 3 and message in err.value.message


@pytest.mark.parametrize(("key", "value"), [("Publisher", "😀"), ("Tags", "news, 😀"), ("Publisher", "<b></b>")])
def test_a_publisher_or_tag_that_names_no_page_is_refused(key, value):
    with pytest.raises(ArchiveError) as err:
        parse_story(story("Body.", header=f"{key}: {value}\n"), "x.md")
    assert err.value.line == 3 and "has no letter or digit" in err.value.message


# --- 6. cost ----------------------------------------------------------------------------------


class _Reads:
    """A compiled pattern that notes the length of each text it is asked to match."""

    def __init__(self, pattern, read: list[int]):
        self.pattern, self.read = pattern, read

    def match(self, text, *args):
        self.read.append(len(text))
        return self.pattern.match(text, *args)


def test_the_name_scan_reads_a_bounded_window_after_each_name(monkeypatch):
    """What is read after each name found is at most AFTER_NAME characters, not the rest of the
    paragraph (a copy of the rest per name made a long paragraph cost its length squared)."""
    evidence: list[int] = []
    roles: list[int] = []
    monkeypatch.setattr(entity_evidence, "PAREN_ACRONYM_RE", _Reads(entity_evidence.PAREN_ACRONYM_RE, evidence))
    queue_role = entity_scan._queue_role
    monkeypatch.setattr(
        entity_scan,
        "_queue_role",
        lambda person, after, *rest: roles.append(len(after)) or queue_role(person, after, *rest),
    )
    people = [f"{first} {last}" for first in ("Jane", "Robert", "Maria") for last in ("Doe", "Roe", "Moreau")]
    text = " ".join(f"{people[k % 9]}, a senator, met Mayor {people[(k + 4) % 9]} in Boston." for k in range(400))
    found = find_entities([parse_story(story(text), "x.md")])
    assert len(found.people) >= 9 and len(evidence) > 400 and len(roles) > 400
    assert max(evidence + roles) <= AFTER_NAME < len(text) // 50


PATHOLOGICAL = textwrap.dedent(
    """
    import resource, sys
    cap = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CPU, (300, 300))  # a runaway is killed, never waited for
    from newsarchive.formats.comment_thread import parse_story_thread
    from newsarchive.analysis.quotes.analysis import analyze
    from newsarchive.model.story import Archive
    from newsarchive.formats.story_file import parse_story
    from newsarchive.analysis.wire.passages import find_wire_passages

    stories = [parse_story(open(path, encoding="utf-8").read(), path) for path in sys.argv[2:]]
    for s in stories:
        s.comments = parse_story_thread(s).comments
    wire = find_wire_passages(stories)
    result = analyze(Archive(stories))
    print(len(wire.passages), len(result.people), "done")
    """
)
MEMORY_CAP = 800 * 2**20  # address space: the interpreter with numpy and rapidfuzz maps about 170 MB


def test_pathological_stories_within_the_maximum_are_analysed_within_a_memory_cap(tmp_path):
    """A paragraph repeated until the body is full (the wire analysis once matched every pair of
    its sentences: 2.4 GB at 250 repeats), one paragraph of capitalized names as long as a body
    may be, and a thread of 5,000 one-line comments, analysed as the build does, in a process
    whose address space is capped."""
    paragraph = ("The council met on Tuesday and voted to approve the budget after a long debate. " * 10).strip()
    repeated = story(*[paragraph] * (MAX_BODY_CHARACTERS // (len(paragraph) + 1)))
    names = " ".join(f"Alpha{k % 97} Beta, and Gamma{k % 89}, said Delta{k % 83}." for k in range(4000))
    capitalized = story(names[: MAX_BODY_CHARACTERS - 10])
    thread = "\n\n".join(f"  {k}. Reader{k % 300} says:\n\n    So true." for k in range(1, 5001))
    comments = story("Developing story.") + f"\n## Comments (5000)\n\n{thread}\n"
    paths = []
    for name, text in (("repeated", repeated), ("capitalized", capitalized), ("comments", comments)):
        parse_story(text, name)  # each is within the maximum
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / f"{name}.md"))
    cmd = [sys.executable, "-c", PATHOLOGICAL, str(MEMORY_CAP), *paths]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.endswith("done\n"), done.stderr[-3000:]


def test_a_story_over_the_maximum_size_is_refused_at_the_line_where_it_passes_it():
    paragraph = "word " * 10_000
    with pytest.raises(ArchiveError) as err:
        parse_story(story(*[paragraph] * 5), "big.md")
    assert err.value.line == 12 and f"{MAX_BODY_CHARACTERS:,}" in err.value.message  # p5 passes it
    with pytest.raises(ArchiveError) as err:
        parse_story(story("Body.") + "\n## Dropped boilerplate\n" + ("x" * 999 + "\n") * 5000, "big.md")
    assert err.value.line == 6 + 4000 and f"{MAX_STORY_CHARACTERS:,}" in err.value.message


# --- 14. lines as editors count them; the byte order mark -----------------------------------


def test_form_feeds_vertical_tabs_and_line_separators_do_not_shift_line_numbers():
    text = story("One\x0cpage\x0bbreak.", "Two\u2028lines\u2029in one.", "Three.", header="Event: E\x85vent\n")
    parsed = parse_story(text, "x.md")
    assert [(p.id, p.line) for p in parsed.paragraphs] == [("p1", 5), ("p2", 7), ("p3", 9)]
    assert parsed.paragraphs[1].text == "Two\u2028lines\u2029in one."  # kept as published
    with pytest.raises(ArchiveError) as err:
        parse_story(text.replace("Three.", "Three.\n\n## Media\n- after p7: a video"), "x.md")
    assert err.value.line == 12


def test_a_byte_order_mark_is_no_text_to_the_build_nor_to_import(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + story("Body.", "Second.\x0cstill second.").encode())
    parsed = parse_story(read_text(path), str(path))
    assert parsed.title == "A story" and [p.line for p in parsed.paragraphs] == [4, 6]
    capture = b"\xef\xbb\xbfHeadline of the day\n\nLOWELL \xe2\x80\xa8 The council voted on Tuesday.\n\nIt said so.\n"
    imported = import_capture(capture, "cap.txt", ArchivistMetadata(date="2011-01-02"))
    assert imported.slug == "headline-of-the-day" and imported.text.startswith("Title: Headline of the day\n")
    assert [str(p) for p in imported.reading.places][-1].startswith("line 5 ")  # U+2028 ends no line


# --- 12. captures stay inside content/captures/ -------------------------------------------------


def _content(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    content = tmp_path / "content"
    for rel, data in files.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            (content / rel).write_text(data, encoding="utf-8")
        else:
            (content / rel).write_bytes(data)
    (content / "stories").mkdir(parents=True, exist_ok=True)
    return content


def _with_capture(path: str, data: bytes) -> str:
    return story("Body.", header=f"Capture: {path}\nCapture_sha256: {hashlib.sha256(data).hexdigest()}\n")


@pytest.mark.parametrize(
    ("capture", "message"),
    [
        ("../../../../etc/passwd", "is not a path under captures/"),
        ("/etc/passwd", "is not a path under captures/"),
        ("captures/../stories/x.md", "is not a path under captures/"),
        ("captures/link.txt", "is reached through a symbolic link"),
        ("captures/linked/c.txt", "is reached through a symbolic link"),
    ],
)
def test_a_capture_outside_captures_or_behind_a_link_is_refused_by_lint_and_the_build(tmp_path, capture, message):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "c.txt").write_bytes(b"secret\n")
    content = _content(tmp_path, {"captures/.keep": ""})
    (content / "captures" / "link.txt").symlink_to(target / "c.txt")
    (content / "captures" / "linked").symlink_to(target, target_is_directory=True)
    data = b"secret\n" if "captures/" in capture else Path(capture).read_bytes() if capture.startswith("/") else b"x"
    (content / "stories" / "x.md").write_text(_with_capture(capture, data), encoding="utf-8")
    _, problems, _ = lint_content(content)
    assert check_content(content) == (problems, 0)  # the story does not load
    lines = [str(p) for p in problems]
    assert any(line.startswith(f"{content / 'stories' / 'x.md'}:3: capture") and message in line for line in lines)
    assert f"{content / 'captures' / 'link.txt'}:1: a symbolic link among the captures" in " ".join(lines)
    assert f"{content / 'captures' / 'linked'}:1: a symbolic link among the captures" in " ".join(lines)


# --- through real builds ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the project with the seed archive and four stories that each ended the build in
    a traceback (1, 2, 3, 14: a quiet thread, control characters, emoji titles and events, form
    feeds and a byte order mark), built into its output/ with the search index."""
    project = copy_project(tmp_path_factory.mktemp("faults") / "project")
    stories = project / "content" / "stories"
    (stories / "quiet.md").write_text(QUIET, encoding="utf-8")
    (stories / "bell.md").write_text(
        story("A NUL \x00 and a BEL \x07 in a paragraph.", header="Publisher: Bell\x07 News\nTags: a\x01b\n").replace(
            "A story", "Bell\x07 rings"
        ),
        encoding="utf-8",
    )
    (stories / "emoji.md").write_text(
        story("Fire in the hills, officials said.", header="Event: 🔥\n").replace("A story", "🔥🔥🔥"), encoding="utf-8"
    )
    (stories / "pages.md").write_bytes(
        b"\xef\xbb\xbf" + story("Page\x0cbreak.", "Line\u2028break.").replace("A story", "Pages").encode()
    )
    done = run_build(project / "content", project / "output", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr  # what test_quiet_threads_... looks at first
    return project


def copy_of(built: Path, project: Path, *without: str) -> None:
    """A copy of the project ``built`` at ``project`` (``cp -a``) but for the folders ``without``
    in it; never its search index's shards, which no build of a copy reads (``--no-search``), nor
    what the build left beside its output for a detached process to delete."""
    project.mkdir()
    output = built / "output"
    skipped = {*without, build.search_cache(output).name, *(path.name for path in build.leftovers(output))}
    kept = [path for path in built.iterdir() if path.name not in skipped]
    subprocess.run(["cp", "-a", *map(str, kept), str(project)], check=True)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_quiet_threads_control_characters_emoji_titles_and_form_feeds_build(built):
    """1, 2, 3, 14: each of these stories ended the build in a traceback; ``built`` builds them
    (and fails there if the build fails or prints a traceback)."""
    out = built / "output"
    feed = feedparser.parse((out / "feeds" / "all.atom.xml").read_bytes())
    assert not feed.bozo and "Bell␇ rings" in [e.title for e in feed.entries]
    archive = {s["slug"]: s for s in json.loads((out / "archive.json").read_text(encoding="utf-8"))["stories"]}
    bell = next(s for s in archive.values() if s["title"].startswith("Bell"))
    assert bell["title"] == "Bell\x07 rings"  # the record keeps what was published
    fire = url_slug("🔥🔥🔥", "story")
    assert fire in archive and (out / "stories" / fire / "index.html").is_file()
    assert (out / "events" / url_slug("🔥", "event") / "index.html").is_file()
    assert (out / "stories" / "council-meets" / "index.html").is_file()


REFUSED = {
    "slug ..": ({"stories/odd.md": story("Body.", header="Slug: ..\n")}, ["stories/odd.md:3: slug '..'"]),
    "slug ../search": (
        {"stories/odd.md": story("Body.", header="Slug: ../search\n")},
        ["stories/odd.md:3: slug '../search'"],
    ),
    "slug out of the site": (
        {"stories/odd.md": story("Body.", header="Slug: ../../../tmp/x\n")},
        ["stories/odd.md:3: slug '../../../tmp/x'"],
    ),
    "slug over another story's page": (
        {"stories/odd.md": story("Body.", header=f"Slug: ../stories/{AP}\n")},
        [f"stories/odd.md:3: slug '../stories/{AP}'"],
    ),
    "slug clash": (
        {"stories/odd.md": story("Body.", header=f"Slug: {AP}\n")},
        [f"stories/odd.md:3: duplicate slug '{AP}'"],
    ),
    "HTML article without a date": (
        {"stories/odd.html": "<html><head><title>Odd</title></head><body>x</body></html>\n"},
        ["stories/odd.html:1: missing required metadata 'Date'"],
    ),
    "capture outside": (
        {"stories/odd.md": _with_capture("../../../../etc/passwd", b"x")},
        ["stories/odd.md:3: capture '../../../../etc/passwd' is not a path under captures/"],
    ),
    "stray capture": ({"captures/stray.txt": "x\n"}, ["captures/stray.txt:1: capture not used by any story"]),
    "too big": ({"stories/odd.md": story(*["word " * 30_000] * 2)}, ["stories/odd.md:6: the story's paragraphs pass"]),
}


def lint_and_build(project: Path, capsys, monkeypatch) -> tuple[int, list[str], int, list[str]]:
    """``archive lint -q`` and ``archive build --no-search`` run in ``project`` as a user would
    (in-process): (lint's status, its lines, the build's status, its lines)."""
    monkeypatch.chdir(project)
    status = cli.main(["lint", "-q", "--content", "content"])
    lint = capsys.readouterr().out.splitlines()
    built = build.main(["--content", "content", "--output", "output", "--no-search", "-q"])
    return status, lint, built, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_lint_refuses_stops_the_build_with_the_same_messages_and_output_intact(
    built, tmp_path, capsys, monkeypatch, case
):
    """4, 5, 6, 12: the build's own check refuses what lint refuses, with the same lines, before
    anything is replaced (a slug over another story's page built with exit 0 and replaced it)."""
    files, expected = REFUSED[case]
    project = tmp_path / "project"
    copy_of(built, project, "cache")
    for rel, text in files.items():
        (project / "content" / rel).write_text(text, encoding="utf-8")
    before = _tree(project / "output")
    status, lint, built_status, printed = lint_and_build(project, capsys, monkeypatch)
    assert status == built_status == 1, printed
    assert all(any(line.startswith(f"content/{e}") for line in lint) for e in expected), lint
    assert printed[:-1] == lint and printed[-1].startswith("build stopped:")
    assert _tree(project / "output") == before
    assert not (tmp_path / "tmp").exists()


def test_a_symlink_among_the_captures_is_never_published(built, tmp_path):
    """12: a link to /etc/passwd in captures/ was copied into the site."""
    project = tmp_path / "project"
    copy_of(built, project, "cache")
    (project / "content" / "captures" / "passwd.txt").symlink_to("/etc/passwd")
    done = run_build(Path("content"), Path("output"), "--no-search", cwd=project)
    assert done.returncode == 1
    assert done.stderr.startswith("content/captures/passwd.txt:1: a symbolic link among the captures")
    assert not (project / "output" / "captures" / "passwd.txt").exists()


def test_pelican_alone_publishes_an_rst_article_in_the_story_folder_as_a_story(built, tmp_path):
    """5: the theme met an article without a story and ended in a traceback; every article Pelican
    reads in the story folder is now read as a story (formats/pelican_article.py)."""
    project = tmp_path / "project"
    copy_of(built, project, "cache", "output")
    (project / "content" / "stories" / "odd.rst").write_text(
        "Odd\n###\n\n:date: 2011-01-01\n\nText.\n", encoding="utf-8"
    )
    cmd = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "pelican-output"]
    done = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=dict(os.environ, COLUMNS="250"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "UndefinedError" not in done.stdout + done.stderr
    assert "Text." in (project / "pelican-output" / "stories" / "odd" / "index.html").read_text(encoding="utf-8")


def test_a_story_file_that_cannot_be_read_is_a_problem_not_a_traceback(tmp_path):
    content = _content(tmp_path, {})
    (content / "stories" / "gone.md").symlink_to(tmp_path / "nowhere.md")
    stories, problems, _ = lint_content(content)
    assert [str(p) for p in problems] == [
        f"{content / 'stories' / 'gone.md'}: cannot read the story file: No such file or directory"
    ]
    assert check_content(content) == (problems, 0)
