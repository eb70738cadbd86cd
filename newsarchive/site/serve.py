"""``make serve``: the built site over HTTP, on 127.0.0.1 unless told otherwise.

Python's ``http.server`` answers a missing page with its own bare error page; this server answers
it with the site's ``404.html`` (status 404), as GitHub Pages does. Each request looks
``output/`` up by name, so a build publishing a new site meanwhile is served at once::

    python -m newsarchive.site.serve [--bind 127.0.0.1] [--port 8000] [--directory output]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
from pathlib import Path

NOT_FOUND_PAGE = "404.html"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Python's static file handler, answering a missing file with the site's ``404.html``."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = os.path.join(self.directory, NOT_FOUND_PAGE)
        if code != 404 or not os.path.isfile(page):
            super().send_error(code, message, explain)
            return
        with open(page, "rb") as file:
            body = file.read()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(directory: Path, bind: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server of ``directory`` on ``bind``:``port`` (0: any free port), not yet serving."""
    handler = functools.partial(SiteHandler, directory=os.fspath(directory))
    return http.server.ThreadingHTTPServer((bind, port), handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsarchive.site.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--directory", type=Path, default=Path("output"))
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"{args.directory}: no site here; build it first (make html)", file=sys.stderr)
        return 1
    server = make_server(args.directory, args.bind, args.port)
    host, port = server.server_address[:2]
    print(f"Serving {args.directory} at http://{host}:{port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
