"""Pelican settings for local builds (``make html``). ``publishconf.py`` extends them."""

import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from newsarchive.pages.render import json_ld, paragraph_html  # noqa: E402
from newsarchive.site.code_version import code_version  # noqa: E402

SITENAME = "Secure Communities News Archive"
SITESUBTITLE = "Stories, reader comments, quotations and wire copy, preserved and cross-referenced"
SITEURL = os.environ.get("SITEURL", "")
RELATIVE_URLS = False
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%A, %B %-d, %Y"

PATH = "content"
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["captures"]
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
# Order matters: archive_core builds the shared Archive that the others read and extend.
PLUGINS = ["archive_core", "comment_threads", "quotes_people", "wire_copy", "search_page", "citations"]
ARCHIVE_NAV = [
    ("Quotes", "quotes/"),
    ("People", "people/"),
    ("Organizations", "organizations/"),
    ("Wire copy", "wire/"),
    ("Commenters", "commenters/"),
]

# The published URL scheme: see docs/URLS.md. A URL, once published, never changes.
ARTICLE_URL = "stories/{slug}/"
ARTICLE_SAVE_AS = "stories/{slug}/index.html"
# A story in another language (Lang:) lives at the same address: slugs are unique across languages.
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "publishers/{slug}/"
CATEGORY_SAVE_AS = "publishers/{slug}/index.html"
CATEGORIES_URL = "publishers/"
CATEGORIES_SAVE_AS = "publishers/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_URL = "stories/"
ARCHIVES_SAVE_AS = "stories/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives", "404"]  # 404.html: GitHub Pages serves it
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None}
DEFAULT_PAGINATION = 50
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_DOMAIN = SITEURL
# local builds have no public address; publishconf.py requires one, so this warning is noise here
LOG_FILTER = [(logging.WARNING, "Feeds generated without SITEURL or FEED_DOMAIN set properly may not be valid")]
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/publishers/{slug}.atom.xml"
TAG_FEED_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RSS_FEED_SUMMARY_ONLY = True

DEFAULT_CATEGORY = "Unattributed"
USE_FOLDER_AS_CATEGORY = False
SLUGIFY_SOURCE = "title"
OUTPUT_SOURCES = False
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = True
# The reader cache holds parsed stories: keyed by the code that parsed them, so an update of
# newsarchive/ or plugins/ never serves stale results.
CACHE_PATH = os.path.join("cache", code_version())
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
# Stored as plain pickle: gzip took 6 s of every 10,000-story build for a 24 MB cache file.
GZIP_CACHE = False
# No translations: a story's slug is unique (the build checks it). Pelican's translation
# grouping compares every story with a list of all the others (quadratic: 2.6 s at 10,000).
ARTICLE_TRANSLATION_ID = None


def newest_first(story):
    """Stories newest first, those of the same date by slug. Pelican's grouping of translations
    used to sort them by slug before its date sort; its file list is a set, in no fixed order."""
    return (-story.date.timestamp(), story.slug)


ARTICLE_ORDER_BY = newest_first

# A commenter with this many comments or more is listed on a page of their own
# (/commenters/<letter>/<slug>/), not in full on their letter page (plugins/comment_threads).
COMMENTER_OWN_PAGE_FROM = 20
# "Stories naming X" on a person's or organization's page: this many a page, oldest first; pages 2
# and on at /people/<slug>/page/N/ (plugins/quotes_people).
ENTITY_STORIES_PER_PAGE = 100
TYPOGRIFY = False
FORMATTED_FIELDS = ["summary"]

JINJA_GLOBALS = {"paragraph_html": paragraph_html, "json_ld": json_ld}
# autoescape: every value is escaped unless it is Markup (trusted HTML is marked with |safe in the theme)
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True}

# On two or more cores, the quotation and wire pages are written by a forked child while Pelican
# writes the stories and listings (plugins/archive_core/background_writing.py). Same files either
# way; ARCHIVE_PARALLEL_WRITING=0 in the environment writes everything in one process.
ARCHIVE_PARALLEL_WRITING = os.environ.get("ARCHIVE_PARALLEL_WRITING", "1") != "0"
# Likewise the wire-copy analysis runs in a forked child, from the moment Pelican starts, while
# Pelican reads the stories and analyses the comments and quotations (plugins/wire_copy);
# ARCHIVE_PARALLEL_ANALYSIS=0 runs it in the build's own process.
ARCHIVE_PARALLEL_ANALYSIS = os.environ.get("ARCHIVE_PARALLEL_ANALYSIS", "1") != "0"
# Drafts are not published (Status: draft); hidden stories get their page, in no listing.
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
