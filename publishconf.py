"""Settings for the published site (GitHub Pages): pelicanconf plus the public URL.

Set ``SITEURL`` in the environment to the site's public root, e.g.
``https://example.github.io/archive`` (a sub-path works: every link starts with SITEURL).
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL.startswith(("http://", "https://")):
    # feeds and the sitemap need absolute URLs: refuse to publish without one
    sys.exit("publishconf.py: set SITEURL to the site's public address, e.g. SITEURL=https://example.github.io/archive")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
