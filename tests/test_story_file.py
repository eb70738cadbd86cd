"""The story-file format: what archivists write, and the errors they get when it's wrong."""

import hashlib
from pathlib import Path

import pytest

from newsarchive.errors import ArchiveError
from newsarchive.formats.story_file import load_story, parse_story
from newsarchive.site.content_loader import load_content

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
CBS = CONTENT / "stories" / "immigration-check-awaits-mass-arrestees.md"
AP = CONTENT / "stories" / "mass-police-to-join-immigration-checks-program.md"

MINIMAL = """Title: A story
Date: 2011-01-02

First paragraph.

Second paragraph,
wrapped over two lines.
"""


def test_minimal_story_gets_numbered_paragraphs_and_a_slug():
    story = parse_story(MINIMAL, "x.md")
    assert story.slug == "a-story"
    assert [(p.id, p.text, p.line) for p in story.paragraphs] == [
        ("p1", "First paragraph.", 4),
        ("p2", "Second paragraph, wrapped over two lines.", 6),
    ]
    assert story.comments_declared is None and story.comment_lines == [] and story.capture is None


def test_seed_cbs_story_keeps_every_part_of_the_capture():
    story = load_story(CBS, CONTENT)
    assert story.title == "Immigration Check Awaits Mass. Arrestees"
    assert story.date.date().isoformat() == "2010-12-17"
    assert story.dateline == "BOSTON (CBS/AP)"
    assert story.credit == "The Associated Press contributed to this report."
    assert story.rights.startswith("(TM and © Copyright 2010 CBS Radio Inc.")
    assert len(story.paragraphs) == 10
    assert story.paragraphs[0].text.startswith("BOSTON (CBS/AP) — Massachusetts State Police")
    assert [(m.after, m.text) for m in story.media] == [
        ("p2", "WBZ-TV’s Ron Sanders reports."),
        ("p5", "WBZ News Radio’s Lana Jones talks with immigration advocates about the change."),
    ]
    assert story.comments_declared == 23
    assert story.dropped[0] == "Leave a Reply" and story.dropped[-1] == "Connecting to %s"
    assert story.sources["title"] == "archivist" and story.sources["dateline"] == "capture"


def test_every_capture_line_is_in_the_story_file():
    """Nothing lost: each non-blank capture line appears in its story file (body, metadata,
    media, comments or dropped boilerplate), character for character."""
    for story_path in (AP, CBS):
        story = load_story(story_path, CONTENT)
        text = story_path.read_text(encoding="utf-8")
        capture = (CONTENT / story.capture.path).read_text(encoding="utf-8")
        for line in capture.splitlines():
            if line.strip() and not line.startswith("Comments ("):
                assert line.rstrip() in text, line


def test_seed_ap_story_headline_came_from_the_capture():
    story = load_story(AP, CONTENT)
    assert story.title == "Mass. police to join immigration checks program"
    assert story.sources["title"] == "capture"
    assert story.dateline == "BOSTON"
    assert len(story.paragraphs) == 17


def test_captures_are_byte_identical_to_the_seeds():
    seeds = ROOT.parent / "shared" / "seeds"
    for story in load_content(CONTENT).stories:
        data = (CONTENT / story.capture.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == story.capture.sha256
        if seeds.is_dir():
            assert data == (seeds / Path(story.capture.path).name).read_bytes()


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("Date: 2011-01-02\n\nBody.\n", 1, "missing required metadata 'Title'"),
        ("Title: T\n\nBody.\n", 1, "missing required metadata 'Date'"),
        ("Title: T\nDate: 2011-13-45\n\nBody.\n", 2, "unparseable date '2011-13-45'"),
        ("Title: T\nDate: yesterday\n\nBody.\n", 2, "unparseable date 'yesterday'"),
        ("Title: T\nDate: 2011-01-02\n", 3, "story has no body paragraphs"),
        ("Title: T\nTitle: U\nDate: 2011-01-02\n\nBody.\n", 2, "given twice"),
        ("Title: T\nthis is not metadata\n\nBody.\n", 2, "expected a 'Key: value' metadata line"),
        ("Title: T\nDate: 2011-01-02\n\nBody.\n\n## Media\n\n## Sidebar\n", 8, "unknown section '## Sidebar'"),
        ("Title: T\nDate: 2011-01-02\n\nBody.\n\n## Comments (many)\n", 6, "comment count 'many' is not a number"),
        ("Title: T\nDate: 2011-01-02\n\nBody.\n\n## Media\n- after p7: X reports.\n", 7, "no such paragraph"),
        ("Title: T\nDate: 2011-01-02\nSources: title=wikipedia\n\nBody.\n", 3, "bad Sources entry"),
        ("", 1, "empty story file"),
        ("Title: T\nDate: 2011-01-02\nSource_url: javascript:alert(1)\n\nBody.\n", 3, "Source_url must be an http"),
        ("Title: T\nDate: 2011-01-02\nSource_url: https://x.org/a b\n\nBody.\n", 3, "Source_url must be an http"),
    ],
)
def test_bad_story_files_name_the_line(text, line, message):
    with pytest.raises(ArchiveError) as err:
        parse_story(text, "stories/bad.md")
    assert err.value.path == "stories/bad.md"
    assert err.value.line == line
    assert message in err.value.message
    assert str(err.value).startswith(f"stories/bad.md:{line}: ")


def _content_with(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "stories").mkdir()
    (tmp_path / "captures").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_capture_checksum_mismatch_is_an_error(tmp_path):
    content = _content_with(tmp_path, {"captures/c.txt": "Original text.\n"})
    wrong = "0" * 64
    story = f"Title: T\nDate: 2011-01-02\nCapture: captures/c.txt\nCapture_sha256: {wrong}\n\nBody.\n"
    (content / "stories" / "t.md").write_text(story, encoding="utf-8")
    loaded = load_content(content)
    assert loaded.stories == []
    (problem,) = loaded.errors
    assert problem.line == 4 and "has sha256" in problem.message and wrong in problem.message


def test_duplicate_slugs_are_an_error(tmp_path):
    story = "Title: Same headline\nDate: 2011-01-02\n\nBody.\n"
    content = _content_with(tmp_path, {"stories/a.md": story, "stories/b.md": story})
    loaded = load_content(content)
    assert [s.path for s in loaded.stories] == [str(content / "stories/a.md")]
    (problem,) = loaded.errors
    assert problem.path.endswith("b.md") and problem.line == 1
    assert "duplicate slug 'same-headline'" in problem.message


def test_non_utf8_story_file_is_an_error(tmp_path):
    content = _content_with(tmp_path, {})
    (content / "stories" / "x.md").write_bytes("Title: Caf\u00e9\nDate: 2011-01-02\n\nBody.\n".encode("cp1252"))
    (problem,) = load_content(content).errors
    assert problem.line == 1 and "not valid UTF-8" in problem.message


def test_a_remembered_check_finds_what_loading_finds_and_parses_only_changed_files(tmp_path, monkeypatch):
    """The build checks the content before anything is replaced; with a record of the files that
    parsed cleanly, a rebuild's check parses only the story files (or captures) that changed, and
    still reports every problem archive lint reports."""
    from newsarchive.site import content_loader

    capture = "Captured page.\n"
    digest = hashlib.sha256(capture.encode()).hexdigest()
    (tmp_path / "content").mkdir()
    content = _content_with(
        tmp_path / "content",
        {
            "captures/c.txt": capture,
            "stories/a.md": "Title: Same headline\nDate: 2011-01-02\n\nBody.\n",
            "stories/b.md": "Title: B\nDate: 2011-01-02\nSlug: same-headline\n\nBody.\n",  # duplicate slug
            "stories/c.md": f"Title: C\nDate: 2011-01-03\nCapture: captures/c.txt\nCapture_sha256: {digest}\n\nBody.\n",
            "stories/d.md": "Title: D\nDate: 2011-02-30\n\nBody.\n",  # a bad date
        },
    )
    record = tmp_path / "checked.json"
    parsed = []
    load_story = content_loader.load_story
    monkeypatch.setattr(
        content_loader, "load_story", lambda path, root: parsed.append(path.name) or load_story(path, root)
    )

    def expected():  # what archive lint finds
        stories, problems, _ = content_loader.lint_content(content)
        parsed.clear()
        return problems, len(stories)

    first = expected()
    assert [p.line for p in first[0]] == [3, 2] and first[1] == 2
    assert content_loader.check_content(content, record) == first and parsed == ["a.md", "b.md", "c.md", "d.md"]
    parsed.clear()
    assert content_loader.check_content(content, record) == first and parsed == ["d.md"]  # the bad one only

    (content / "captures/c.txt").write_text("Captured page, edited.\n", encoding="utf-8")
    second = expected()
    assert "has sha256" in second[0][1].message
    assert content_loader.check_content(content, record) == second and parsed == ["c.md", "d.md"]
    parsed.clear()
    (content / "stories/a.md").unlink()  # b's slug is no longer taken
    third = expected()
    assert content_loader.check_content(content, record) == third and parsed == ["c.md", "d.md"]
    assert len(third[0]) == 2 and third[1] == 1
