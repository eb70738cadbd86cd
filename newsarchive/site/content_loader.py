"""Load and check every file under a content directory, collecting all problems at once.

Used by the build (which refuses to start on a problem) and by ``archive lint``: both find the
same problems with the same ``path:line: message`` (:func:`lint_content`, :func:`check_content`),
so what lint accepts builds, and what it refuses stops the build.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from newsarchive.errors import ArchiveError, Problem
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.corrections_file import read_corrections
from newsarchive.formats.pelican_article import ARTICLE_SUFFIXES, PELICAN_KEYS, metadata_notes
from newsarchive.formats.story_file import CAPTURES_DIR, META_RE, load_story, text_lines
from newsarchive.model.story import Story
from newsarchive.site.code_version import code_version
from newsarchive.site.file_record import FileRecord, identity

STORIES_DIR = "stories"
# What the build reads as a story: story files (``.md``) and the Pelican articles it reads with
# Pelican's readers (``.rst``, ``.html``: formats/pelican_article.py).
STORY_SUFFIXES = (".md", *ARTICLE_SUFFIXES)
# metadata keys a story file may carry: the story model's own, plus Pelican's that the site reads
KNOWN_METADATA = {
    "title", "date", "slug", "publisher", "source_url", "dateline", "credit", "rights", "event",
    "capture", "capture_sha256", "sources", "tags", "summary", "modified", "status",
    "captured", "capture_record", "comments_capture", "comments_capture_sha256", "versions",
    *PELICAN_KEYS,
}  # fmt: skip
NOTE = "note: "


@dataclass
class LoadedContent:
    stories: list[Story] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    duplicates: list[Story] = field(default_factory=list)  # stories whose slug an earlier file has


def _slug_line(story: Story) -> int | None:
    return story.metadata_lines.get("slug") or story.metadata_lines.get("title")


def _duplicate_slug(path: Path, line: int | None, slug: str, first: str) -> Problem:
    return Problem(str(path), line, f"duplicate slug {slug!r}: {first} has it too")


def _files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, as Pelican finds them (into linked folders too), sorted."""
    found = []
    for root, _dirs, files in os.walk(folder, followlinks=True):
        found += [Path(root, name) for name in files]
    return sorted(found)


def story_files(content_root: Path) -> list[Path]:
    """Story files and Pelican articles (``.md``, ``.rst``, ``.html``) under ``stories/``, in its
    subfolders too (Pelican reads them)."""
    return [path for path in _files_under(content_root / STORIES_DIR) if path.suffix in STORY_SUFFIXES]


def load_content(content_root: Path) -> LoadedContent:
    """Every story under ``content_root/stories``; errors for bad files and duplicate slugs.
    Comment threads are parsed later (the comment_threads plugin, ``archive lint``)."""
    loaded = LoadedContent()
    by_slug: dict[str, Story] = {}
    for path in story_files(content_root):
        try:
            story = load_story(path, content_root)
        except ArchiveError as err:
            loaded.errors.append(err.problem)
            continue
        if story.slug in by_slug:
            loaded.errors.append(_duplicate_slug(path, _slug_line(story), story.slug, by_slug[story.slug].path))
            loaded.duplicates.append(story)
            continue
        by_slug[story.slug] = story
        loaded.stories.append(story)
    return loaded


# --- what lint and the build refuse beyond a story file that does not parse -------------------


def comments_capture_problems(story: Story, content_root: Path) -> list[Problem]:
    """A ``Comments_capture`` (a comment export, ``archive import-comments``) that is not a file
    under ``captures/`` or whose sha256 is not the one recorded."""
    name = story.metadata.get("comments_capture")
    if not name:
        return []
    line = story.metadata_lines["comments_capture"]
    file = content_root / name
    if not name.startswith(f"{CAPTURES_DIR}/") or ".." in name.split("/") or not file.is_file() or file.is_symlink():
        return [Problem(story.path, line, f"comments capture {name!r} is not a file under {CAPTURES_DIR}/")]
    recorded = story.metadata.get("comments_capture_sha256", "").lower()
    actual = hashlib.sha256(file.read_bytes()).hexdigest()
    if actual != recorded:
        where = story.metadata_lines.get("comments_capture_sha256", line)
        return [
            Problem(
                story.path,
                where,
                f"comments capture {name} has sha256 {actual}, but the story records {recorded or 'none'}",
            )
        ]
    return []


def story_problems(story: Story, content_root: Path) -> tuple[list[Problem], list[Problem]]:
    """(problems, notes) of a story that parses: its metadata, its comment thread.

    A thread problem is a note when its message starts with ``note:`` or when it sits on the
    ``## Comments (N)`` heading line (the declared-vs-archived count); every other thread problem
    (numbering gaps, repeats, orphans...) is a problem."""
    problems, notes = comments_capture_problems(story, content_root), metadata_notes(story)
    for part in [v.story for v in story.versions] or [story]:  # each version's file on its own
        problems += check_metadata(part)
        if part.comment_lines or part.comments_line:
            for problem in parse_story_thread(part).problems:
                informational = problem.message.startswith(NOTE) or problem.line == part.comments_line
                (notes if informational else problems).append(problem)
        for key in sorted(set(part.metadata) - KNOWN_METADATA):
            notes.append(
                Problem(
                    part.path,
                    part.metadata_lines[key],
                    f"{NOTE}unknown metadata {key.title()!r} (not used by the archive)",
                )
            )
    return problems, notes


def check_metadata(story: Story) -> list[Problem]:
    """Metadata that parses but is wrong: a URL, Sources naming absent fields, a Dateline that is
    not how the first paragraph begins."""
    problems = []
    lines = story.metadata_lines

    def problem(key: str, message: str) -> None:
        problems.append(Problem(story.path, lines.get(key, 1), message))

    if story.source_url and not re.match(r"^https?://\S+$", story.source_url):
        problem("source_url", f"Source_url {story.source_url!r} is not an http(s) URL")
    for key in story.sources:
        present = story.comments_line is not None if key == "comments" else bool(story.metadata.get(key))
        if not present:
            problem("sources", f"Sources names {key!r}, but the story has no {key.title()}")
    if story.dateline and not story.paragraphs[0].text.startswith(story.dateline):
        problem("dateline", f"Dateline {story.dateline!r} is not how p1 begins")
    return problems


def capture_problems(content_root: Path, used: set[str]) -> list[Problem]:
    """Everything under ``captures/`` that is not a regular file some story names (``used``:
    paths relative to ``content_root``, as :func:`capture_key` gives them). Pelican publishes the
    whole folder, so a symbolic link (which may lead anywhere) or a stray file stops the build."""
    problems = []
    top = content_root / CAPTURES_DIR
    if top.is_symlink():
        return [Problem(str(top), None, "a symbolic link: captures/ must be a folder of regular files")]
    for root, dirs, files in os.walk(top):  # links are not followed: each is reported instead
        for name in sorted(dirs + files):
            path = Path(root, name)
            mode = os.lstat(path).st_mode
            rel = path.relative_to(content_root).as_posix()
            if stat.S_ISLNK(mode):
                problems.append(
                    Problem(str(path), 1, "a symbolic link among the captures: only regular files are published")
                )
            elif stat.S_ISDIR(mode):
                continue
            elif not stat.S_ISREG(mode):
                problems.append(Problem(str(path), 1, "not a regular file: only regular files are published"))
            elif not name.startswith(".") and rel not in used:
                problems.append(
                    Problem(str(path), 1, "capture not used by any story (no story file names it in Capture:)")
                )
    return problems


def capture_key(value: str) -> str:
    """A ``Capture:`` value as the path :func:`capture_problems` compares."""
    return os.path.normpath(value).replace(os.sep, "/")


def header_captures(path: Path, content_root: Path | None = None) -> set[str]:
    """The ``Capture:`` and ``Comments_capture:`` of a story file's header, read leniently (a story
    that fails to load still uses its captures); with ``content_root``, those of the versions its
    ``Versions:`` line lists too."""
    try:
        text = path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff")
    except OSError:
        return set()
    found = set()
    for line in text_lines(text):
        m = META_RE.match(line)
        if not line.strip() or not m:
            break
        if m["key"].lower() in ("capture", "comments_capture"):
            found.add(capture_key(m["value"].strip()))
        elif m["key"].lower() == "versions" and content_root is not None:
            for name in filter(None, (name.strip() for name in m["value"].split(","))):
                if ".." not in name.split("/"):
                    found |= header_captures(content_root / name)
    return found


def corrections_problems(content_root: Path, stories: list[Story]) -> list[Problem]:
    """What is wrong with ``content_root/entities.yml`` (the archivist's corrections): in the file
    itself, and against ``stories`` (an unknown slug, a merge cycle, a conflict, a quotation that
    is not there). The build refuses the same things with the same messages: the file's own
    problems before Pelican starts (:func:`check_content`), the rest where the quotation analysis
    applies the corrections (``analysis/entity_corrections.py``). The entities and, for the
    stories whose speakers the file sets, the quotations are found here as the build finds them."""
    # the analyses are imported here: the build's check (check_content) never runs them
    from newsarchive.analysis.entities.find import find_entities
    from newsarchive.analysis.entity_corrections import correct_entities, correct_speakers
    from newsarchive.analysis.quotes.extraction import extract_quotes

    corrections, problems = read_corrections(content_root)
    if corrections is None or problems:
        return problems
    stories = [s for s in stories if s.status not in ("draft", "hidden")]  # the build's analyses see these
    corrected = correct_entities(corrections, find_entities(stories), stories)
    if corrected.problems:
        return corrected.problems
    named = {fix.story for fix in corrections.speakers}
    occurrences = [o for s in stories if s.slug in named for o in extract_quotes(s, corrected.index)[0]]
    paragraphs = {s.slug: {p.id for p in s.paragraphs} for s in stories}
    return correct_speakers(corrections, occurrences, corrected, paragraphs)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))


def lint_content(content_root: Path) -> tuple[list[Story], list[Problem], list[Problem]]:
    """Every story under ``content_root`` that loads, with every problem and note, sorted."""
    loaded = load_content(content_root)
    problems = list(loaded.errors)
    notes: list[Problem] = []
    for story in loaded.stories + loaded.duplicates:  # a duplicate's own problems are reported too
        found, noted = story_problems(story, content_root)
        problems += found
        notes += noted
    used = set().union(*(header_captures(path, content_root) for path in story_files(content_root)))
    problems += capture_problems(content_root, used)
    problems += corrections_problems(content_root, loaded.stories)
    return loaded.stories, _sorted(problems), _sorted(notes)


# --- checking a content directory again -----------------------------------------------------------


def check_content(content_root: Path, record: Path | None = None) -> tuple[list[Problem], int]:
    """The problems :func:`lint_content` reports for ``content_root`` and the number of stories
    that load, without keeping the stories.

    With ``record`` (a :class:`~newsarchive.site.file_record.FileRecord` file), each story file with no
    problem is remembered there with its slug, its capture file's identity, the version of the
    code that checked it and its comment export's path, if any: the next check parses only the
    files that changed. Slugs are remembered too, so duplicates are still found across all files.
    """
    files = FileRecord(record) if record else None
    version = code_version() if files else None
    problems: list[Problem] = []
    by_slug: dict[str, str] = {}
    used: set[str] = set()
    for path in story_files(content_root):
        st = _stat(path) if files else None
        known, value = files.lookup(path, st) if st else (False, None)
        if known and (value[4:5] != [version] or value[2] and value[3] != _identity(content_root / value[2])):
            known = False  # checked by other code, or the capture changed: check again
        if not known:
            try:
                story = load_story(path, content_root)
            except ArchiveError as err:
                problems.append(err.problem)
                used |= header_captures(path, content_root)
                continue
            capture = story.capture.path if story.capture else None
            found = story_problems(story, content_root)[0]
            problems += found
            comments = story.metadata.get("comments_capture")
            value = [story.slug, _slug_line(story), capture, capture and _identity(content_root / capture), version]
            value += [capture_key(comments)] if comments else []
            value += [capture_key(v.capture.path) for v in story.versions[:-1] if v.capture]
            if st and not found and not story.versions:  # versions are other files: read each time
                files.note(path, st, value)
        if value[2]:
            used.add(capture_key(value[2]))
        used.update(value[5:])  # the comment export, if any
        slug, line = value[0], value[1]
        if slug in by_slug:
            problems.append(_duplicate_slug(path, line, slug, by_slug[slug]))
            continue
        by_slug[slug] = str(path)
    problems += capture_problems(content_root, used)
    problems += read_corrections(content_root)[1]  # the rest is checked where they are applied
    if files:
        try:
            files.save()
        except OSError:  # a record that cannot be written is no error
            pass
    return _sorted(problems), len(by_slug)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _identity(path: Path) -> list[int] | None:
    st = _stat(path)
    return identity(st) if st else None
