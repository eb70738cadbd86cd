"""search_page: publish the search page ``search/index.html`` from the theme's ``search.html``.

The index itself is made by Pagefind after Pelican has written the site (see
``newsarchive/site/build.py``); this plugin only writes the page that queries it. Conventions for
the templates that feed the index are in ``docs/SEARCH.md``.
"""

from __future__ import annotations

from pelican import signals
from pelican.generators import Generator

SEARCH_URL = "search/"


class SearchPageGenerator(Generator):
    """Writes ``search/index.html`` once, from the ``search`` template."""

    def generate_output(self, writer):
        writer.write_file(
            SEARCH_URL + "index.html",
            self.get_template("search"),
            self.context,
            page_name=SEARCH_URL,
        )


def get_generators(pelican):
    return SearchPageGenerator


signals.get_generators.connect(get_generators)


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
