"""``make serve`` (newsarchive/site/serve.py): the built site on 127.0.0.1, with its own 404 page."""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from newsarchive.site.serve import make_server


@pytest.fixture
def served(site):
    server = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_missing_page_is_answered_with_the_sites_own_404_page(served, site):
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{served}/stories/no-such-story/")
    assert answer.value.code == 404
    assert answer.value.read() == (site / "404.html").read_bytes()
    assert answer.value.headers["Content-Type"] == "text/html; charset=utf-8"


def test_pages_are_served_as_they_are(served, site):
    with urllib.request.urlopen(f"{served}/") as page:
        assert page.read() == (site / "index.html").read_bytes()


def test_make_serve_listens_on_127_0_0_1_by_default(site):
    server = subprocess.Popen(
        [sys.executable, "-m", "newsarchive.site.serve", "--port", "0", "--directory", str(site)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stderr.readline()
        assert line.startswith(f"Serving {site} at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split()[0]
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"{url}missing")
        assert answer.value.code == 404 and answer.value.read() == (site / "404.html").read_bytes()
    finally:
        server.terminate()
        server.wait()
