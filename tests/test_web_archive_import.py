"""Web archives (WARC, WACZ) imported with ``archive import``: a WARC of several records, written
with warcio in the test."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive import cli
from newsarchive.errors import ArchiveError
from newsarchive.formats.story_file import parse_story
from newsarchive.formats.web_archive import read_web_archive
from tests.test_html_page_import import ENGLISH, JSON_LD_PAGE, OPEN_GRAPH_PAGE, RUSSIAN

FIRST = "https://www.lowellsun.example/2011/06/14/budget/"
SECOND = "https://news.example/ru/budget"


def warc(gzip: bool = True) -> bytes:
    """A WARC with two HTML pages, a request, an image, a 404 page and a revisit."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)

    def response(uri, body, content_type="text/html; charset=utf-8", status="200 OK", date="2024-05-01T12:30:05Z"):
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
        )
        writer.write_record(record)
        return record.rec_headers.get_header("WARC-Record-ID")

    writer.write_record(
        writer.create_warc_record(
            FIRST,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True),
        )
    )
    response(FIRST, JSON_LD_PAGE)
    response("https://www.lowellsun.example/logo.png", b"\x89PNG\r\n", content_type="image/png")
    response("https://www.lowellsun.example/gone", b"<html><body>Not found</body></html>", status="404 Not Found")
    response(SECOND, OPEN_GRAPH_PAGE, date="2024-05-02T08:00:00Z")
    writer.write_record(
        writer.create_revisit_record(
            FIRST, digest="sha1:AAAA", refers_to_uri=FIRST, refers_to_date="2024-05-01T12:30:05Z"
        )
    )
    return out.getvalue()


def test_each_html_response_becomes_a_story_and_the_other_records_are_reported():
    data = warc()
    reading = read_web_archive(data, "crawl.warc.gz")
    assert [r.found["source_url"] for r in reading.stories] == [(FIRST, "warc"), (SECOND, "warc")]
    assert [r.found["captured"][0] for r in reading.stories] == [
        "2024-05-01 12:30:05 +00:00",
        "2024-05-02 08:00:00 +00:00",
    ]
    assert all(r.found["capture_record"][0].startswith("<urn:uuid:") for r in reading.stories)
    assert all(r.sha256 == hashlib.sha256(data).hexdigest() for r in reading.stories)
    assert [p for [p] in reading.stories[1].paragraphs] == RUSSIAN
    skipped = "\n".join(reading.skipped)
    assert "logo.png: image/png, not an HTML page" in skipped
    assert "gone: HTTP status 404" in skipped
    assert "revisit record" in skipped


def test_url_picks_one_record_and_an_unknown_url_is_an_error():
    reading = read_web_archive(warc(gzip=False), "crawl.warc", SECOND)
    assert [r.found["source_url"][0] for r in reading.stories] == [SECOND]
    with pytest.raises(ArchiveError, match="no HTML response record captured from https://elsewhere.example/"):
        read_web_archive(warc(), "crawl.warc.gz", "https://elsewhere.example/")


def test_a_wacz_is_read_through_its_archive_folder():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wacz:
        wacz.writestr("archive/data.warc.gz", warc())
        wacz.writestr("datapackage.json", "{}")
    assert len(read_web_archive(buffer.getvalue(), "crawl.wacz").stories) == 2


def test_a_file_that_is_no_web_archive_is_one_clear_error():
    with pytest.raises(ArchiveError, match="not a readable web archive|no HTML page"):
        read_web_archive(b"hello, this is not a warc\n", "crawl.warc")


def test_archive_import_writes_one_story_per_page_sharing_the_archive_kept_whole(tmp_path, capsys):
    data = warc()
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    content = tmp_path / "content"
    assert cli.main(["import", str(tmp_path / "crawl.warc.gz"), "--content", str(content)]) == 0
    out, err = capsys.readouterr()
    assert "revisit record" in err and "image/png" in err
    assert (content / "captures" / "crawl.warc.gz").read_bytes() == data
    stories = sorted((content / "stories").glob("*.md"))
    assert len(stories) == 2
    parsed = {s.source_url: s for s in (parse_story(p.read_text(encoding="utf-8"), str(p), content) for p in stories)}
    first = parsed[FIRST]
    assert first.captured == "2024-05-01 12:30:05 +00:00" and first.sources["captured"] == "capture:warc"
    assert first.capture_record.startswith("<urn:uuid:") and first.capture.path == "captures/crawl.warc.gz"
    assert [p.text for p in first.paragraphs] == ENGLISH
    assert cli.main(["lint", "--captures", "--content", str(content)]) == 0
    # importing the same archive again is refused: its records are already archived
    assert cli.main(["import", str(tmp_path / "crawl.warc.gz"), "--content", str(content)]) == 1
    assert "already" in capsys.readouterr().err
