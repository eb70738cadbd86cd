"""The ``archive`` command: import captures, lint and count the content, build the site.

Every problem is printed as ``path:line: message``; bad input never ends in a traceback.
Exit status: 0 when all went well, 1 for problems in the content or the input, 2 for a
command line that makes no sense (argparse's own convention).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from slugify import slugify

from newsarchive.errors import ArchiveError, Problem
from newsarchive.formats.capture_import import (
    ArchivistMetadata,
    ImportedStory,
    build_story,
    capture_name_for,
    import_capture,
    read_any,
)
from newsarchive.formats.comment_export import ExportThread, read_comment_export
from newsarchive.formats.comment_thread import parse_story_thread
from newsarchive.formats.html_page import is_html_page, thread_lines
from newsarchive.formats.page_markdown import read_blocks
from newsarchive.formats.story_file import (
    META_RE,
    SECTION_RE,
    load_story,
    parse_date,
    parse_story,
    read_text,
    text_lines,
)
from newsarchive.formats.version_import import PlannedVersion, free_capture_name, plan_version
from newsarchive.formats.web_archive import is_web_archive, read_web_archive
from newsarchive.model.story import MAX_SLUG_LENGTH, Archive, Story
from newsarchive.site.content_loader import NOTE, STORIES_DIR, lint_content, load_content, story_files
from newsarchive.site.progress import bar

# --- archive import ----------------------------------------------------------------------


@dataclass
class StoryHeader:
    """The metadata header of an existing story file, read leniently (for conflict checks)."""

    path: Path
    values: dict[str, str]
    lines: dict[str, int]


def read_headers(content: Path) -> list[StoryHeader]:
    """Headers of every story file under ``content``; unreadable files are skipped (lint reports them)."""
    headers = []
    for path in story_files(content):
        values, lines = {}, {}
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for n, line in enumerate(text_lines(text.removeprefix("\ufeff")), 1):
            m = META_RE.match(line)
            if not line.strip() or not m:
                break
            values.setdefault(m["key"].lower(), m["value"].strip())
            lines.setdefault(m["key"].lower(), n)
        headers.append(StoryHeader(path, values, lines))
    return headers


def conflicts(story: ImportedStory, capture_path: Path, content: Path, force: bool) -> list[Problem]:
    """Why ``story`` cannot be written under ``content`` (empty when it can)."""
    problems = []
    source = str(capture_path)
    target = content / STORIES_DIR / f"{story.slug}.md"
    capture_dest = content / story.capture_name
    if target.exists() and not force:
        problems.append(
            Problem(str(target), 1, f"a story with slug {story.slug!r} already exists; use --force to replace it")
        )
    for header in read_headers(content):
        if header.path == target:
            continue
        if header.values.get("slug") == story.slug:
            problems.append(
                Problem(
                    str(header.path),
                    header.lines["slug"],
                    f"already has slug {story.slug!r}; give the new story another --slug",
                )
            )
        if header.values.get("capture_record", "") != _record(story):
            continue  # another record of the same web archive
        if header.values.get("capture") == story.capture_name:
            where = f"{header.path}:{header.lines['capture']}"
            problems.append(
                Problem(
                    source,
                    1,
                    f"{story.capture_name} is already the capture of {where}; rename the file to import it as another story",
                )
            )
        elif header.values.get("capture_sha256", "").lower() == story.reading.sha256:
            where = f"{header.path}:{header.lines['capture_sha256']}"
            problems.append(
                Problem(source, 1, f"this capture is already archived as {header.values.get('capture')} ({where})")
            )
    if capture_dest.exists() and not _same_file(capture_dest, capture_path) and not force:
        if hashlib.sha256(capture_dest.read_bytes()).hexdigest() != story.reading.sha256:
            problems.append(
                Problem(
                    source, 1, f"a different file already exists at {capture_dest}; rename the capture or use --force"
                )
            )
    return problems


def _record(story: ImportedStory) -> str:
    """The web archive record a story is read from ("" for other captures)."""
    return story.reading.found.get("capture_record", ("", ""))[0]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def write_story(story: ImportedStory, data: bytes, capture_path: Path, content: Path) -> Path:
    """Write the capture copy and the story file, both or neither (temp files, then rename)."""
    target = content / STORIES_DIR / f"{story.slug}.md"
    capture_dest = content / story.capture_name
    files = [] if _same_file(capture_dest, capture_path) else [(capture_dest, data)]
    _write_all([*files, (target, story.text.encode("utf-8"))])
    return target


def _write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write each (path, bytes), all or none: every file to a temporary file beside it first, then
    each renamed into place, in the order given."""
    pending: list[tuple[Path, Path]] = []
    try:
        for final, payload in files:
            final.parent.mkdir(parents=True, exist_ok=True)
            pending.append((_temp_with(final, payload), final))
        for temp, final in pending:
            os.replace(temp, final)
    finally:
        for temp, _ in pending:
            temp.unlink(missing_ok=True)


def _temp_with(final: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return Path(name)


def cmd_import(args: argparse.Namespace) -> int:
    if not args.captures and not args.manifest:
        args.parser.error("give the captures to import, a folder of them, or --manifest list.csv")
    captures = [path for p in args.captures for path in _captures_in(Path(p))]
    if len(captures) > 1 and (args.title or args.slug or args.url):
        args.parser.error("--title, --slug and --url describe one story: import one capture at a time with them")
    if args.explain:
        return explain(captures, args.quiet)
    given = ArchivistMetadata(
        args.title, args.date, args.publisher, args.url, args.slug, args.event, captured=args.captured
    )
    jobs = [(path, given) for path in captures]
    planned: list[tuple[ImportedStory, bytes, Path]] = []
    versions: list[tuple[PlannedVersion, bytes, Path]] = []
    problems: list[Problem] = []
    if args.manifest:
        rows, problems = read_manifest(args.manifest, given)
        jobs += rows
    for path, given in _progress(jobs, args.quiet, "reading"):
        try:
            data = path.read_bytes()
            version = _as_version(data, path, given, args)
            if version is not None:
                if version is not _NOTHING_NEW:
                    problems += _version_clashes(version, path, versions)
                    versions.append((version, data, path))
                continue
            stories = _stories_of(data, path, given, args)
        except OSError as err:
            problems.append(Problem(str(path), None, f"cannot read the capture: {err.strerror}"))
            continue
        except ArchiveError as err:
            problems.append(err.problem)
            continue
        for story in stories:
            problems += conflicts(story, path, args.content, args.force)
            problems += _batch_clashes(story, path, planned)
            for warning in story.reading.warnings:
                print(warning, file=sys.stderr)
            planned.append((story, data, path))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"nothing imported: {_plural(len(problems), 'problem')}", file=sys.stderr)
        return 1
    for story, data, path in _progress(planned, args.quiet, "writing"):
        print(write_story(story, data, path, args.content))
    for version, data, path in versions:
        print(write_version(version, data, path, args.content))
    return 0


_NOTHING_NEW = PlannedVersion(0, Path(), "", "", "", "")  # the capture is already a version of its story


def _as_version(data: bytes, path: Path, given: ArchivistMetadata, args: argparse.Namespace) -> PlannedVersion | None:
    """The capture as the next version of a story already archived: the story ``--version-of``
    names, else the one whose Source_url is the capture's (``--url`` or what the page says).
    ``_NOTHING_NEW`` when its bytes are already a version of that story; None when it is no
    later capture of an archived story (it is imported as a story of its own)."""
    if is_web_archive(str(path)):
        if args.version_of:
            raise ArchiveError(str(path), None, "--version-of takes a text capture or a saved page, not a web archive")
        return None
    reading = read_any(data, str(path))
    url = given.source_url or reading.found.get("source_url", ("", ""))[0]
    header = _story_to_version(url, args.version_of, args.content, str(path))
    if header is None:
        return None
    story = load_story(header.path, args.content)
    if args.version_of and url and story.source_url and not _same_address(url, story.source_url):
        raise ArchiveError(
            str(path),
            None,
            f"this capture is of {url}, but {args.version_of} is a story of {story.source_url}: "
            "--version-of adds captures of the same page",
        )
    planned = plan_version(story, read_text(header.path), reading, given, capture_name_for(str(path)), args.content)
    if planned is None:
        print(f"{path}: {NOTE}already archived as a version of {story.slug}; nothing added", file=sys.stderr)
        return _NOTHING_NEW
    return planned


def _story_to_version(url: str, slug: str | None, content: Path, path: str) -> StoryHeader | None:
    """The story file a capture is a later version of: the one with slug ``slug``, else the one
    whose Source_url is ``url``; None when there is none."""
    for header in read_headers(content):
        if slug and header.values.get("slug", header.path.stem) == slug:
            return header
        if not slug and url and _same_address(url, header.values.get("source_url", "")):
            return header
    if slug:
        raise ArchiveError(path, None, f"--version-of {slug}: no story has that slug")
    return None


def _version_clashes(
    version: PlannedVersion, path: Path, versions: list[tuple[PlannedVersion, bytes, Path]]
) -> list[Problem]:
    return [
        Problem(
            str(path),
            None,
            f"{other_path} is also a new version of {version.story_path} in this import: import one version at a time",
        )
        for other, _, other_path in versions
        if other.story_path == version.story_path
    ]


def write_version(version: PlannedVersion, data: bytes, capture_path: Path, content: Path) -> Path:
    """Write the capture copy, the version file and the story file's new Versions: line; the story
    file last, so a version is listed only once its files are in place."""
    files = [(content / version.version_name, version.version_text.encode("utf-8"))]
    capture_dest = content / version.capture_name
    if not capture_dest.exists():
        files.insert(0, (capture_dest, data))
    files.append((version.story_path, version.story_text.encode("utf-8")))
    _write_all(files)
    return content / version.version_name


CAPTURE_SUFFIXES = (".txt", ".text")


def _captures_in(path: Path) -> list[Path]:
    """``path`` itself, or for a folder the captures in it (text, saved pages, web archives), sorted
    by name; hidden files and other kinds of file are left out."""
    if not path.is_dir():
        return [path]
    return sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and (p.name.lower().endswith(CAPTURE_SUFFIXES) or is_html_page(p.name) or is_web_archive(p.name))
    )


def read_manifest(
    manifest: Path, defaults: ArchivistMetadata
) -> tuple[list[tuple[Path, ArchivistMetadata]], list[Problem]]:
    """The rows of a CSV manifest: a ``file`` column (relative to the manifest's folder) and any of
    ``title``, ``date``, ``publisher``, ``url``, ``slug``, ``event``; an empty cell takes the
    command line's value. Each bad row or value is a Problem at its line."""
    import csv

    checks = {"title": _one_line, "date": _date, "publisher": _one_line, "url": _url, "slug": _slug, "event": _one_line}
    rows: list[tuple[Path, ArchivistMetadata]] = []
    problems: list[Problem] = []
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return [], [Problem(str(manifest), None, f"cannot read the manifest: {getattr(err, 'strerror', None) or err}")]
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    unknown = sorted(set(columns) - set(checks) - {"file"})
    if "file" not in columns or unknown:
        what = f"unknown column(s) {', '.join(unknown)}" if unknown else "no 'file' column"
        return [], [Problem(str(manifest), 1, f"{what}; the columns are file, {', '.join(checks)}")]
    for row in reader:
        line = reader.line_num
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not values.get("file"):
            problems.append(Problem(str(manifest), line, "no file named in this row"))
            continue
        given = {}
        for key, check in checks.items():
            if values.get(key):
                try:
                    given[key] = check(values[key])
                except argparse.ArgumentTypeError as err:
                    problems.append(Problem(str(manifest), line, f"{key}: {err}"))
        metadata = replace(defaults, **{("source_url" if k == "url" else k): v for k, v in given.items()})
        rows.append((manifest.parent / values["file"], metadata))
    return rows, problems


def _stories_of(data: bytes, path: Path, given: ArchivistMetadata, args: argparse.Namespace) -> list[ImportedStory]:
    """The stories one capture file holds: one, or one per HTML record of a web archive (only the
    record captured from ``--url`` when given). A web archive's other records are reported."""
    name = capture_name_for(str(path))
    if args.force:  # --force replaces a story, never a capture: other bytes are kept under another name
        name = free_capture_name(args.content, name, hashlib.sha256(data).hexdigest())
    if not is_web_archive(str(path)):
        return [import_capture(data, str(path), given, name)]
    archive = read_web_archive(data, str(path), given.source_url)
    if not args.quiet:
        for note in archive.skipped:
            print(f"{path}: {NOTE}{note}", file=sys.stderr)
    if len(archive.stories) > 1 and (given.title or given.slug):
        raise ArchiveError(
            str(path), None, f"{len(archive.stories)} HTML records: pick one with --url to give it --title or --slug"
        )
    given = replace(given, source_url=None)  # --url picked the record; its address is the record's
    return [build_story(reading, given, name) for reading in archive.stories]


def _batch_clashes(story: ImportedStory, path: Path, planned: list[tuple[ImportedStory, bytes, Path]]) -> list[Problem]:
    problems = []
    for other, _, other_path in planned:
        if other.slug == story.slug:
            problems.append(
                Problem(str(path), 1, f"slug {story.slug!r} is also the slug of {other_path} in this import")
            )
        if other.capture_name == story.capture_name and _record(other) == _record(story):
            problems.append(
                Problem(str(path), 1, f"{story.capture_name} is also where {other_path} goes in this import")
            )
    return problems


def explain(captures: list[Path], quiet: bool) -> int:
    """Print where each capture line would go; write nothing."""
    status = 0
    for path in captures:
        try:
            data = path.read_bytes()
            if is_web_archive(str(path)):
                archive = read_web_archive(data, str(path))
                readings = archive.stories
            else:
                readings = [read_any(data, str(path))]
        except OSError as err:
            print(Problem(str(path), None, f"cannot read the capture: {err.strerror}"), file=sys.stderr)
            status = 1
            continue
        except ArchiveError as err:
            print(err, file=sys.stderr)
            status = 1
            continue
        for reading in readings:
            if len(captures) > 1 or len(readings) > 1:
                record = reading.found.get("capture_record", ("", ""))[0]
                print(f"== {path}" + (f" {record} {reading.found['source_url'][0]}" if record else ""))
            for spot in reading.places:
                print(spot)
            if not quiet:
                for warning in reading.warnings:
                    print(warning, file=sys.stderr)
    return status


def _progress(items: list, quiet: bool, what: str):
    """``items`` with a progress bar on stderr when there are several and -q is not given."""
    if quiet or len(items) < 2:
        return items
    return bar(items, what, unit="capture")


# --- archive import-comments -------------------------------------------------------------


def attach_comments(story_text: str, thread: ExportThread, how: str, capture_name: str, sha256: str, path: str) -> str:
    """``story_text`` with ``thread`` as its ``## Comments`` section (before ``## Dropped
    boilerplate``), the export's dropped comments added to the dropped lines, and the export
    recorded in the header (``Comments_capture``, its sha256, ``Sources: comments=capture:HOW``).

    Raises :class:`ArchiveError` when the story already has a comment thread."""
    lines = story_text.splitlines()
    header_end = next((n for n, line in enumerate(lines) if not line.strip()), len(lines))
    sections = {}
    for n, line in enumerate(lines[header_end:], header_end):
        m = SECTION_RE.match(line.rstrip())
        if m:
            sections[m["name"].strip().lower()] = n
    if "comments" in sections:
        raise ArchiveError(path, sections["comments"] + 1, "the story already has a comment thread")
    header = lines[:header_end]
    sources = next((n for n, line in enumerate(header) if line.lower().startswith("sources:")), None)
    entry = f"comments=capture:{how}"
    if sources is None:
        header.append(f"Sources: {entry}")
    else:
        header[sources] += f", {entry}" if header[sources].split(":", 1)[1].strip() else f" {entry}"
    at = sources if sources is not None else len(header) - 1
    header[at:at] = [f"Comments_capture: {capture_name}", f"Comments_capture_sha256: {sha256}"]
    thread_section = ["## Comments", "", *thread_lines(thread.comments)[:-1], ""]
    rest = lines[header_end:]
    dropped_at = sections.get("dropped boilerplate")
    if dropped_at is None:
        rest = [*rest, "", *thread_section[:-1]]
        if thread.dropped:
            rest += ["", "## Dropped boilerplate", "", *thread.dropped]
    else:
        cut = dropped_at - header_end
        rest = [*rest[:cut], *thread_section, *rest[cut:], *thread.dropped]
    return "\n".join(header + rest).rstrip("\n") + "\n"


def _same_address(a: str, b: str) -> bool:
    def address(url: str) -> str:
        url = re.sub(r"^[a-z]+://", "", url.strip().lower())
        return re.sub(r"^www\.", "", url).split("#")[0].rstrip("/")

    return bool(a) and address(a) == address(b)


def cmd_import_comments(args: argparse.Namespace) -> int:
    export, content = Path(args.export), args.content
    target = content / STORIES_DIR / f"{args.story}.md"
    try:
        data = export.read_bytes()
        story_text = target.read_text(encoding="utf-8")
    except OSError as err:
        print(Problem(err.filename or str(export), None, f"cannot read: {err.strerror}"), file=sys.stderr)
        return 1
    threads = read_comment_export(data, str(export))
    source_url = next(
        (line.split(":", 1)[1].strip() for line in story_text.splitlines() if line.lower().startswith("source_url:")),
        "",
    )
    wanted = args.thread or source_url
    chosen = [t for t in threads if _same_address(wanted, t.link)] if wanted else []
    if not chosen and len(threads) == 1 and not args.thread:
        chosen = threads
    if len(chosen) != 1:
        links = ", ".join(t.link or t.title or "?" for t in threads[:5])
        raise ArchiveError(
            str(export), None, f"{len(threads)} thread(s) in the export ({links}); name the story's with --thread URL"
        )
    how = "disqus" if data.lstrip()[:200].find(b"<disqus") >= 0 else "wxr"
    name = f"captures/{export.name}" + ("" if export.name.lower().endswith(".txt") else ".txt")
    digest = hashlib.sha256(data).hexdigest()
    if (content / name).exists() and hashlib.sha256((content / name).read_bytes()).hexdigest() != digest:
        raise ArchiveError(str(export), None, f"a different file already exists at {content / name}; rename the export")
    text = attach_comments(story_text, chosen[0], how, name, digest, str(target))
    parse_story(text, str(target))  # what is written must read back
    story = ImportedStory(args.story, text, name, None)
    print(write_story(story, data, export, content))
    dropped = len(chosen[0].dropped)
    if dropped and not args.quiet:
        print(
            f"{export}: {NOTE}{_plural(dropped, 'comment')} not approved (pending, spam, deleted): listed as dropped",
            file=sys.stderr,
        )
    return 0


# --- archive lint ------------------------------------------------------------------------


def rederived_problems(story: Story, content: Path) -> list[Problem]:
    """For a story imported from a saved web page or a web archive: read its capture again and
    check that the body and the dropped lines are what the capture gives (every line of the
    page's rendering still accounted for in the story)."""
    if not story.capture:
        return []
    name = story.capture.path.rsplit("/", 1)[-1]
    page_name = name[: -len(".txt")] if name.endswith(".txt") else name
    if not (is_html_page(page_name) or is_web_archive(name)):
        return []
    line = story.metadata_lines.get("capture", 1)
    try:
        data = (content / story.capture.path).read_bytes()
        if is_web_archive(name):
            found = read_web_archive(data, name).stories
            readings = [r for r in found if r.found["capture_record"][0] == story.capture_record]
        else:
            readings = [read_any(data, page_name)]
    except (OSError, ArchiveError) as err:
        return [Problem(story.path, line, f"capture {story.capture.path} cannot be read again: {err}")]
    if not readings:
        return [Problem(story.path, line, f"no record {story.capture_record} in {story.capture.path}")]
    reading = readings[0]
    problems = []
    expected = [(" ".join(lines), "") for lines in reading.paragraphs]
    if reading.markdown:  # a saved page's body: its blocks' text and markup
        expected = [(block.text, block.html) for block in read_blocks(reading.markdown)]
    actual = [(p.text, p.html if reading.markdown else "") for p in story.paragraphs]
    if expected != actual and reading.markdown and not any(p.html for p in story.paragraphs):
        # a page imported before bodies kept their structure: its paragraphs of text, same words
        if _words(t for t, _ in expected) == _words(p.text for p in story.paragraphs):
            actual = expected
    if expected != actual:
        at = next(
            (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
            min(len(expected), len(actual)),
        )
        where = story.paragraphs[at].line if at < len(story.paragraphs) else line
        problems.append(
            Problem(story.path, where, f"body differs from what {story.capture.path} gives from paragraph p{at + 1} on")
        )
    # a page imported before comment dates were read keeps the lines that showed them as dropped
    undated = [spot.text for spot in reading.places if spot.place == "dropped" or spot.note == "date"]
    if list(story.dropped) not in (list(reading.dropped), undated):
        problems.append(Problem(story.path, line, f"dropped lines differ from what {story.capture.path} gives"))
    return problems


def _words(texts) -> str:
    return "".join("".join(texts).split())


def cmd_lint(args: argparse.Namespace) -> int:
    """Print what the build would refuse (problems) and what is only worth knowing (notes); with
    ``--captures``, also read each saved page's capture again and compare (``rederived_problems``)."""
    stories, problems, notes = lint_content(args.content)
    if args.captures:
        for story in stories:
            problems += rederived_problems(story, args.content)
    for problem in problems:
        print(problem)
    if not args.quiet:
        for note in notes:
            print(note)
        summary = f"{_plural(len(stories), 'story', 'stories')}, {_plural(len(problems), 'problem')}"
        print(summary + (f", {_plural(len(notes), 'note')}" if notes else ""))
    return 1 if problems else 0


# --- archive stats -----------------------------------------------------------------------


def stats(content: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(label, value) rows describing the archive, and the problems that kept stories out."""
    loaded = load_content(content)
    stories = loaded.stories
    rows = [
        ("stories", str(len(stories))),
        ("paragraphs", str(sum(len(s.paragraphs) for s in stories))),
        ("media placeholders", str(sum(len(s.media) for s in stories))),
    ]
    for story in stories:
        story.comments = parse_story_thread(story).comments
    declared = sum(s.comments_declared or 0 for s in stories)
    archived = sum(len(s.comments) for s in stories)
    rows.append(("comments", f"{archived} archived ({declared} declared by the sources)"))
    rows += _analysis_rows(stories)
    return rows, loaded.errors


def _analysis_rows(stories: list[Story]) -> list[tuple[str, str]]:
    """Quotes, people, organizations and wire passages: the same analysis the build runs
    (``stories`` carry their parsed comments). Imported here: ``archive import`` never needs them."""
    from newsarchive.analysis.quotes.analysis import analyze as analyze_quotes
    from newsarchive.analysis.wire.passages import find_wire_passages

    result = analyze_quotes(Archive(list(stories)))
    wire = find_wire_passages(stories)
    rows = [
        ("quotes", str(len(result.quotes))),
        ("people", str(len(result.people))),
        ("organizations", str(len(result.organizations))),
        ("comment citations", str(len(result.citations))),
        ("wire passages", str(len(wire.passages))),
    ]
    for story in sorted(stories, key=lambda s: (s.date, s.slug)):
        rows.append((f"wire share: {story.slug}", f"{wire.share.get(story.slug, 0.0):.0%}"))
    return rows


def cmd_stats(args: argparse.Namespace) -> int:
    rows, problems = stats(args.content)
    for problem in problems:
        print(problem, file=sys.stderr)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if problems and not args.quiet:
        print(f"{_plural(len(problems), 'story file')} left out: run archive lint", file=sys.stderr)
    return 1 if problems else 0


# --- archive build -----------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    try:
        from newsarchive.site import build
    except ImportError:
        print("archive build: newsarchive.site.build is not installed", file=sys.stderr)
        return 2
    forwarded = list(args.build_args)
    if args.quiet and "-q" not in forwarded and "--quiet" not in forwarded:
        forwarded.append("-q")
    return build.main(forwarded)


# --- the command line --------------------------------------------------------------------


def _date(value: str) -> str:
    try:
        parse_date(value, "", 0)
    except ArchiveError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: write YYYY-MM-DD (or YYYY-MM-DD HH:MM, or YYYY-MM-DD HH:MM +HH:MM)"
        ) from None
    return value.strip()


def _slug(value: str) -> str:
    if not value or slugify(value) != value:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a slug (lowercase letters, digits, hyphens): try {slugify(value)!r}"
        )
    if len(value) > MAX_SLUG_LENGTH:
        raise argparse.ArgumentTypeError(f"a slug of {len(value)} characters is too long: at most {MAX_SLUG_LENGTH}")
    return value


def _url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value.strip()):
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    return value.strip()


def _one_line(value: str) -> str:
    if not value.strip() or "\n" in value or "\r" in value:
        raise argparse.ArgumentTypeError("must be one non-empty line")
    return value.strip()


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


IMPORT_EPILOG = """\
examples:
  archive import capture.txt --date 2010-12-17 --publisher "The Associated Press"
  archive import --explain capture.txt          # show where each line would go, write nothing
  archive import a.txt b.txt --date 2010-12-17   # several captures that have headlines
  archive import page.html                      # a saved web page: metadata from the page itself
  archive import crawl.warc.gz                  # every HTML page a web archive holds

The first line is taken as the headline when it is short, does not end like a sentence and is
followed by the story's first paragraph; otherwise give --title. Options override what the
capture says; the story's Sources: line records which value came from where."""


def make_parser() -> argparse.ArgumentParser:
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars, notes or summaries"
    )
    content = argparse.ArgumentParser(add_help=False)
    content.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="the content directory (default: content)"
    )
    formatter = argparse.RawDescriptionHelpFormatter

    parser = argparse.ArgumentParser(
        prog="archive",
        description="Keep the news archive: import raw captures as story files, check and count the content, build the site.",
        epilog="example:\n  archive import capture.txt --date 2010-12-17 && archive lint && archive build",
        formatter_class=formatter,
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars, notes or summaries")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "import",
        parents=[quiet, content],
        help="turn raw captures into story files",
        description="Copy each capture into DIR/captures/ and write DIR/stories/<slug>.md from it; print the story path.",
        epilog=IMPORT_EPILOG,
        formatter_class=formatter,
    )
    p.add_argument(
        "captures",
        nargs="*",
        metavar="CAPTURE",
        help="raw capture(s): UTF-8 text, a saved web page (.html, .htm, .html.gz, .mhtml), a web archive (.warc, .warc.gz, .wacz), or a folder of them",
    )
    p.add_argument("--title", type=_one_line, help="headline, when the capture does not start with one")
    p.add_argument("--date", type=_date, help="publication date, YYYY-MM-DD")
    p.add_argument("--publisher", type=_one_line, help="who published the story")
    p.add_argument("--url", type=_url, help="where the story was published; in a web archive, the record to import")
    p.add_argument("--slug", type=_slug, help="URL slug (default: from the title)")
    p.add_argument("--event", type=_one_line, help="the news event the story belongs to")
    p.add_argument(
        "--manifest",
        type=Path,
        metavar="LIST.csv",
        help="a CSV of captures to import: a 'file' column and any of title, date, publisher, url, slug, event",
    )
    p.add_argument(
        "--version-of",
        type=_slug,
        metavar="SLUG",
        help="add the capture as a later version of this story (default: of the story with the capture's URL)",
    )
    p.add_argument("--captured", type=_date, help="when the capture was made, YYYY-MM-DD HH:MM (+HH:MM)")
    p.add_argument("--force", action="store_true", help="replace a story with the same slug (never a capture)")
    p.add_argument("--explain", action="store_true", help="print where each capture line goes; write nothing")
    p.set_defaults(func=cmd_import, parser=p)

    p = commands.add_parser(
        "import-comments",
        parents=[quiet, content],
        help="attach a comment export (WordPress WXR, Disqus XML) to a story",
        description="Add the thread of a WordPress (WXR) or Disqus export to DIR/stories/SLUG.md as its ## Comments section; "
        "keep the export in DIR/captures/ with its sha256.",
        epilog="example:\n  archive import-comments wordpress.xml --story lowell-council-approves-budget",
        formatter_class=formatter,
    )
    p.add_argument("export", metavar="EXPORT.xml", help="a WordPress export (WXR) or a Disqus export")
    p.add_argument("--story", required=True, type=_slug, help="the slug of the story the thread belongs to")
    p.add_argument("--thread", type=_url, help="the post's address in the export (default: the story's Source_url)")
    p.set_defaults(func=cmd_import_comments)

    p = commands.add_parser(
        "lint",
        parents=[quiet, content],
        help="check every story and capture",
        description="Check all of DIR and print every problem as path:line: message. Exit 1 when anything is wrong.",
        epilog="example:\n  archive lint --content content\n\nLines starting 'note:' and comment-count differences are informational.",
        formatter_class=formatter,
    )
    p.add_argument(
        "--captures",
        action="store_true",
        help="also read every saved page and web archive again and check the stories against them (slower)",
    )
    p.set_defaults(func=cmd_lint)

    p = commands.add_parser(
        "stats",
        parents=[quiet, content],
        help="count stories, paragraphs, comments, quotes, wire passages",
        description="Count what the archive holds.",
        epilog="example:\n  archive stats --content content",
        formatter_class=formatter,
    )
    p.set_defaults(func=cmd_stats)

    p = commands.add_parser(
        "build",
        parents=[quiet],
        help="build the site (options go to newsarchive.site.build; see archive build --help)",
        description="Build the static site. Arguments after 'build' are passed to newsarchive.site.build.",
        epilog="example:\n  archive build --settings publishconf.py",
        formatter_class=formatter,
        add_help=False,
    )
    p.add_argument("build_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``archive`` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    leading = 0
    while leading < len(argv) and argv[leading] in ("-q", "--quiet"):
        leading += 1
    if argv[leading : leading + 1] == ["build"]:  # build parses its own options (and --help)
        return cmd_build(argparse.Namespace(build_args=argv[leading + 1 :], quiet=leading > 0))
    parser = make_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    try:
        return args.func(args)
    except ArchiveError as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
