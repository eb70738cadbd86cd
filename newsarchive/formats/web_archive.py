"""Read web archives (``.warc``, ``.warc.gz``, ``.wacz``) as news stories, with warcio.

Each HTML ``response`` record (status 2xx, ``text/html`` or ``application/xhtml+xml``) is read as
a saved web page (:func:`newsarchive.formats.html_page.read_page`), plus what the record says:
the address it was captured from (``Source_url``, ``capture:warc``), when (``Captured``) and its
``WARC-Record-ID`` (``Capture_record``). The archive file is the capture of every story read from
it, kept whole with its sha256. Revisit records and non-HTML responses are reported, not
imported; requests, metadata and warcinfo records are not stories and pass silently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from newsarchive.errors import ArchiveError
from newsarchive.formats.capture_import import CaptureReading
from newsarchive.formats.html_page import read_page

WEB_ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".wacz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class WebArchiveReading:
    """The stories a web archive holds, and the records it holds that are not imported."""

    stories: list[CaptureReading] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "uri: why", one per record reported


def is_web_archive(path: str) -> bool:
    """True when ``path`` names a web archive by its extension."""
    return path.lower().endswith(WEB_ARCHIVE_SUFFIXES)


def _warc_streams(data: bytes, path: str):
    """The WARC streams of the file: itself, or each ``archive/*.warc[.gz]`` of a WACZ."""
    if not path.lower().endswith(".wacz"):
        yield io.BytesIO(data)
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as wacz:
            names = sorted(n for n in wacz.namelist() if n.startswith("archive/") and ".warc" in n)
            if not names:
                raise ArchiveError(path, None, "this WACZ holds no archive/*.warc file")
            for name in names:
                yield io.BytesIO(wacz.read(name))
    except zipfile.BadZipFile:
        raise ArchiveError(path, None, "not a readable WACZ (zip) file") from None


def _captured(warc_date: str) -> str:
    """``2026-12-07T03:10:00Z`` -> ``2026-12-07 03:10:00 +00:00``."""
    when = dt.datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S +00:00")


def read_web_archive(data: bytes, path: str, url: str | None = None) -> WebArchiveReading:
    """Every HTML response record of the web archive ``data`` (only the one captured from ``url``
    when given), read as a story; the other records reported in ``skipped``.

    Raises :class:`ArchiveError` when the file is no readable web archive, or ``url`` names no
    HTML record in it.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    result = WebArchiveReading()
    digest = hashlib.sha256(data).hexdigest()
    try:
        for stream in _warc_streams(data, path):
            for record in ArchiveIterator(stream, arc2warc=path.lower().endswith((".arc", ".arc.gz"))):
                _read_record(record, digest, path, url, result)
    except ArchiveLoadFailed as err:
        raise ArchiveError(path, None, f"not a readable web archive: {err}") from None
    if url and not result.stories:
        raise ArchiveError(path, None, f"no HTML response record captured from {url} in this web archive")
    if not result.stories:
        first = f" (first: {result.skipped[0]})" if result.skipped else ""
        raise ArchiveError(
            path, None, f"no HTML page in this web archive: {len(result.skipped)} record(s) reported{first}"
        )
    return result


def _read_record(record, digest: str, path: str, url: str | None, result: WebArchiveReading) -> None:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if url and uri != url:
        return
    kind = record.rec_type
    if kind == "revisit":
        result.skipped.append(f"{uri}: revisit record (the page was unchanged since an earlier capture), not imported")
        return
    if kind != "response":
        return
    status = record.http_headers.get_statuscode() if record.http_headers else ""
    content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        result.skipped.append(f"{uri}: {content_type or 'no content type'}, not an HTML page, not imported")
        return
    if not str(status).startswith("2"):
        result.skipped.append(f"{uri}: HTTP status {status}, not imported")
        return
    record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    try:
        reading = read_page(record.content_stream().read(), f"{path} ({uri})")
    except ArchiveError as err:
        result.skipped.append(f"{uri}: {err.problem.message}")
        return
    reading.path = path
    reading.sha256 = digest
    if uri.lower().startswith(("http://", "https://")):
        reading.found["source_url"] = (uri, "warc")
    reading.found["captured"] = (_captured(record.rec_headers.get_header("WARC-Date")), "warc")
    reading.found["capture_record"] = (record_id, "warc")
    result.stories.append(reading)
