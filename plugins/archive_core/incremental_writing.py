"""Pages whose inputs did not change since the last build are linked, not rendered.

Pelican renders every page on every build. This writer (Pelican's ``get_writer`` signal) asks
``newsarchive.site.page_reuse`` for each page's key; when the previous build wrote the same page with
the same key and its file is still there as written, the file is hard-linked into the new output
instead, and Pelican's ``content_written`` is sent for it as for a rendered page. Keys are
recorded for every page written, in ``<CACHE_PATH>/pages-<output>.json``, saved when the build
finishes (``finalized``): a failed build leaves the previous record as it was.

``newsarchive.site.build`` renders into a temporary directory and names the output it will replace
in ``ARCHIVE_OUTPUT``; run directly, Pelican's own output directory is both (a page whose key
did not change is left as it is). ``ARCHIVE_REUSE_PAGES=0`` renders every page;
``ARCHIVE_CHECK_REUSE=1`` also renders each reused page and fails the build if it differs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import Writer

from newsarchive.site.code_version import code_version
from newsarchive.site.file_record import FileRecord
from newsarchive.site.page_reuse import Manifest, PageKeys, environment_digest, source_digest, story_digests


class _State:
    digests: dict[str, str] | None = None  # slug -> source digest, taken before the analyses
    keys: PageKeys | None = None
    previous: Manifest | None = None  # what the last build wrote
    written: Manifest | None = None  # what this build writes (this process's share)
    old_dir: str | None = None  # where the last build's pages are
    in_place = False  # ...which is where this build writes
    manifest: Path | None = None
    check = False

    def __init__(self) -> None:
        self.writers: list[ReusingWriter] = []  # this process's writers, for the files they wrote
        self.parts: FileRecord | None = None  # where files' parts are, and their keys (record_parts)
        self.child_files: list[str] = []  # the files the forked writer wrote (take_share)


_state = _State()


def digest_when_read(story) -> None:
    """``story_read`` receiver: the story's source digest, taken as its file is read."""
    story.source_digest = source_digest(story)


def remember_sources(generator) -> None:
    """``archive_ready`` receiver: the stories' digests, before any analysis adds to them."""
    _state.digests = story_digests(generator.context["archive"].stories)


def start(generators) -> None:
    """``all_generators_finalized`` receiver: load the last build's record (before the writer
    forks, so the child shares it)."""
    if _state.digests is None or not generators:
        return
    settings = generators[0].settings
    out_dir = Path(settings["OUTPUT_PATH"]).resolve()
    final = Path(os.environ.get("ARCHIVE_OUTPUT") or out_dir).resolve()
    environment = environment_digest(Path(settings["THEME"]) / "templates", settings) + code_version()
    name = hashlib.blake2b(str(final).encode(), digest_size=6).hexdigest()
    _state.manifest = Path(settings["CACHE_PATH"]) / f"pages-{name}.json"
    _state.keys = PageKeys(_state.digests, environment)
    reuse = os.environ.get("ARCHIVE_REUSE_PAGES", "1") != "0"
    _state.previous = Manifest.load(_state.manifest, environment) if reuse else Manifest(environment)
    _state.written = Manifest(environment)
    _state.old_dir, _state.in_place = str(final), final == out_dir
    _state.check = os.environ.get("ARCHIVE_CHECK_REUSE") == "1"


class ReusingWriter(Writer):
    """Pelican's Writer, linking a page from the last build when its key is unchanged."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _state.writers.append(self)

    def write_file(
        self,
        name,
        template,
        context,
        relative_urls=False,
        paginated=None,
        template_name=None,
        override_output=False,
        url=None,
        **kwargs,
    ):
        key = None
        if name and _state.keys is not None and not (relative_urls or paginated or override_output):
            key = _state.keys.key(template.name, name, kwargs, context)
        if key is not None and self._reused(name, key):
            if _state.check:
                self._check(name, template, context, kwargs)
            if signals.content_written.receivers:  # its context is a copy: made only when listened to
                signals.content_written.send(self._path(name), context=_page_context(context, name, kwargs))
            return
        super().write_file(
            name, template, context, relative_urls, paginated, template_name, override_output, url, **kwargs
        )
        if key is not None:
            _state.written.record(name, key, os.path.join(self.output_path, name))

    def write_made(self, name: str, inputs, make) -> None:
        """Write the file ``name`` (relative to the output) with the text ``make()`` returns,
        or link the last build's when ``inputs``, everything ``make`` reads, are the same."""
        key = _state.keys.made_key(name, inputs) if _state.keys is not None else None
        if key is not None and self._reused(name, key):
            if _state.check and Path(self.output_path, name).read_text(encoding="utf-8") != make():
                raise SystemExit(
                    f"error: {name}: reused from the last build, but making it now gives other bytes: the inputs "
                    "given to write_made miss something its maker reads"
                )
            return
        path = self._path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fp:
            fp.write(make())
        self._written_files.add(path)
        if key is not None:
            _state.written.record(name, key, path)

    def _path(self, name: str) -> str:
        """``sanitised_join(output_path, name)``, without its checks for a plain relative name (no
        segment starting with a dot, no empty one), which cost time on every page."""
        if "/." in "/" + name or "//" in name or name.endswith("/"):
            return sanitised_join(self.output_path, name)
        if self._root is None:
            self._root = os.path.abspath(self.output_path)
        return os.path.join(self._root, name)

    _root: str | None = None

    def _reused(self, name: str, key: str) -> bool:
        """Put the last build's file ``name`` in place if it was written with ``key`` and is
        still as written; False (nothing done) otherwise."""
        old = os.path.join(_state.old_dir, name)  # strings, not pathlib: called for every page
        if not _state.previous.matches(name, key, old):
            return False
        if self._link(name, old):
            _state.written.pages[name] = _state.previous.pages[name]  # the same file
        else:
            _state.written.record(name, key, os.path.join(self.output_path, name))
        return True

    def _check(self, name: str, template, context, kwargs) -> None:
        """Render a reused page anyway (into a scratch directory) and fail if it differs. The scratch
        copy is not a page of the site: plugins are not told of it (``content_written`` is muted)."""
        with tempfile.TemporaryDirectory(prefix=".reuse-check-", dir=Path(self.output_path).parent) as scratch:
            with signals.content_written.muted():
                Writer(scratch, settings=self.settings).write_file(name, template, context, **kwargs)
            if Path(scratch, name).read_bytes() != Path(self.output_path, name).read_bytes():
                raise SystemExit(  # exit 1 with this message, no traceback
                    f"error: {name}: reused from the last build, but rendering it now gives other bytes: the recipe "
                    f"for {template.name} in newsarchive/site/page_reuse.py misses something the template reads"
                )

    def _link(self, name: str, old: str) -> bool:
        """Put the last build's page ``old`` in place; False if it had to be copied (another file)."""
        path = self._path(name)
        self._written_files.add(path)
        if _state.in_place:
            return True  # the page is already there
        try:
            os.mkdir(os.path.dirname(path))  # most pages have a folder of their own, whose parent exists
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            os.link(old, path)
        except OSError:  # another filesystem
            shutil.copy2(old, path)
            return False
        return True


def _page_context(context: dict, name: str, kwargs: dict) -> dict:
    """The context Pelican's Writer renders page ``name`` with (and sends with
    ``content_written``), for a page without relative URLs or pagination."""
    page = context.copy()
    page["localsiteurl"] = page.get("localsiteurl", None)
    page["output_file"] = name
    page.update(kwargs)
    return page


def writer_class(pelican):
    """``get_writer`` receiver."""
    return ReusingWriter


def _files_written() -> list[str]:
    return sorted({path for writer in _state.writers for path in writer._written_files} | set(_state.child_files))


def this_process_share() -> tuple[dict, list[str]] | None:
    """What this process wrote: the record of its pages and every file it wrote or linked
    (absolute paths); None when no record is kept. The forked writer gives it to the build's
    process (:func:`take_share`)."""
    if _state.written is None:
        return None
    return _state.written.pages, _files_written()


def take_share(share: tuple[dict, list[str]] | None) -> None:
    """Make the forked writer's share (:func:`this_process_share`) this process's."""
    if share is None or _state.written is None:
        return
    pages, files = share
    _state.written.pages.update(pages)
    _state.child_files = files


def files_written() -> list[str] | None:
    """Every file this build wrote or linked, both processes' (absolute paths), once the forked
    writer is done; None when the writers did not record them (no incremental writing)."""
    if _state.written is None or not _state.writers:
        return None
    return _files_written()


def page_key(name: str) -> str | None:
    """The key this build gave page ``name`` (written or linked by this process), if it has one."""
    entry = _state.written.pages.get(name) if _state.written is not None else None
    return entry[0] if entry else None


def _parts() -> FileRecord:
    """Where the parts of files are (archive.json's stories), by the file's identity, kept in the
    cache folder beside the pages' record."""
    if _state.parts is None:
        _state.parts = FileRecord(_state.manifest.with_name(_state.manifest.name.replace("pages-", "parts-", 1)))
    return _state.parts


@contextmanager
def kept_parts(name: str, keys: dict[str, str | None]) -> Iterator[Callable[[str], bytes | None]]:
    """A reader of the parts of the file ``name`` (archive.json's stories) as the last build wrote
    them: it gives a part's bytes when its key (``keys``) is the one recorded then and the last
    build's file is still the one written (``record_parts``), else None. Parts are read from the
    file one at a time (the file holds every story); write the new file under another name
    and rename it, so that the old one stays readable when both are in one place."""
    spans: dict[str, tuple[int, int]] = {}
    fd = None
    if _state.written is not None and _state.previous.pages:
        try:
            fd = os.open(os.path.join(_state.old_dir, name), os.O_RDONLY)
            known, value = _parts().lookup(name, os.fstat(fd))
        except OSError:
            known, value = False, None
        if known and value[0] == _state.written.environment:
            spans = {
                part: (start, end)
                for part, (key, start, end) in value[1].items()
                if key is not None and keys.get(part) == key
            }
    try:
        yield lambda part: os.pread(fd, span[1] - span[0], span[0]) if (span := spans.get(part)) else None
    finally:
        if fd is not None:
            os.close(fd)


def checking() -> bool:
    """Whether reused pages are rendered again and compared (``ARCHIVE_CHECK_REUSE=1``)."""
    return _state.check


def record_parts(name: str, path: Path, keys: dict[str, str | None], parts: dict[str, tuple[int, int]]) -> None:
    """Remember where each part of the file ``name``, just written at ``path``, is, under its key:
    saved with this build's record of pages (``finish``)."""
    if _state.written is None:
        return
    spans = {part: [keys.get(part), start, end] for part, (start, end) in parts.items()}
    _parts().note(name, os.stat(path), [_state.written.environment, spans])


def finish(pelican) -> None:
    """``finalized`` receiver (after the forked writer is done): save this build's record."""
    if _state.written is None:
        return
    _state.written.save(_state.manifest)
    if _state.parts is not None:
        _state.parts.save()
