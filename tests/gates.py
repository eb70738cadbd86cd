"""Helpers for the quality gates (tests/test_quality_gates.py): walk a built site and list problems.

Every ``*_problems`` function returns a list of readable strings, one per problem, so a gate can
``assert not problems, "\\n".join(problems)``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

TOOLS = Path(__file__).resolve().parent / "tools"

# Attributes that hold a URL the browser follows or loads.
URL_ATTRS = ("href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "cite", "srcset")
# Elements the theme never emits: any of them in output/ came from content.
FOREIGN_ELEMENTS = ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "style")
# What the Content-Security-Policy of every page may allow for scripts.
ALLOWED_SCRIPT_SOURCES = {"'self'", "'wasm-unsafe-eval'"}


def html_pages(site: Path) -> list[Path]:
    """Every HTML file of a built site, sorted."""
    return sorted(site.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def tree(path: Path) -> lxml.html.HtmlElement:
    """A page parsed by lxml alone, for checks that read only tags and attributes: the parse
    :func:`soup` gives, without BeautifulSoup's tree built over it."""
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


def rel(site: Path, path: Path) -> str:
    return path.relative_to(site).as_posix()


def page_url(site: Path, page: Path) -> str:
    """The site-relative URL of a page file: ``stories/x/index.html`` -> ``/stories/x/``."""
    path = "/" + rel(site, page)
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def ids_of(doc: lxml.html.HtmlElement) -> set[str]:
    """Fragment targets of a page: element ids and ``<a name>``."""
    return {str(value) for value in doc.xpath("//@id | //a/@name")}


class LinkChecker:
    """Resolves internal URLs of a site built for ``siteurl`` (``""``, ``/archive`` or ``https://host/path``)."""

    def __init__(self, site: Path, siteurl: str = ""):
        self.site = site
        self.siteurl = siteurl.rstrip("/")
        parts = urlsplit(self.siteurl)
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        self.prefix = parts.path.rstrip("/")  # the sub-path every internal URL must start with
        self._ids: dict[Path, set[str]] = {}

    def ids(self, target: Path) -> set[str]:
        if target not in self._ids:
            self._ids[target] = ids_of(tree(target)) if target.suffix == ".html" else set()
        return self._ids[target]

    def is_internal(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return bool(self.origin) and (url == self.origin or url.startswith(self.origin + "/"))
        return True

    def target(self, url: str, base: Path) -> tuple[Path | None, str]:
        """The file an internal ``url`` found on page ``base`` points at (None if missing), and why."""
        if self.origin and url.startswith(self.origin):
            url = url[len(self.origin) :] or "/"
        path = unquote(urlsplit(url).path)
        if not path:
            return base, ""
        if path.startswith("/"):
            if self.prefix and not (path == self.prefix or path.startswith(self.prefix + "/")):
                return None, f"outside the site's sub-path {self.prefix}/"
            path = path[len(self.prefix) :] or "/"
            file = self.site / path.lstrip("/")
        else:
            file = base.parent / path
        if path.endswith("/") or file.is_dir():
            file = file / "index.html"
        try:
            file.resolve().relative_to(self.site.resolve())
        except ValueError:
            return None, "points outside output/"
        return (file, "") if file.is_file() else (None, "no such file")

    def check(self, url: str, base: Path) -> str | None:
        """None if an internal ``url`` on page ``base`` resolves (file and ``#fragment``), else why not."""
        file, why = self.target(url, base)
        if file is None:
            return why
        fragment = unquote(urlsplit(url).fragment)
        if fragment and fragment not in self.ids(file):
            return f"no element id={fragment!r} in {rel(self.site, file)}"
        return None


def urls_in(doc: lxml.html.HtmlElement) -> Iterator[tuple[str, str, str]]:
    """(tag name, attribute, url) for every URL attribute of a page (each ``srcset`` candidate apart)."""
    for el in doc.iter(etree.Element):
        for attr in URL_ATTRS:
            value = el.get(attr)
            if value is None:
                continue
            if attr == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        yield el.tag, attr, candidate.split()[0]
            else:
                yield el.tag, attr, value.strip()


def link_problems(site: Path, siteurl: str = "") -> list[str]:
    """Every internal URL in every page, and every ``<loc>`` of the sitemap, must resolve."""
    checker = LinkChecker(site, siteurl)
    problems = []
    for page in html_pages(site):
        for tag, attr, url in urls_in(tree(page)):
            if checker.is_internal(url) and not url.startswith(("data:", "mailto:", "javascript:")):
                why = checker.check(url, page)
                if why:
                    problems.append(f"{rel(site, page)}: <{tag} {attr}={url!r}>: {why}")
    sitemap = site / "sitemap.xml"
    if sitemap.exists():
        for url in re.findall(r"<loc>([^<]*)</loc>", sitemap.read_text(encoding="utf-8")):
            why = checker.check(url, site / "index.html") if checker.is_internal(url) else "not on this site"
            if why:
                problems.append(f"sitemap.xml: <loc>{url}</loc>: {why}")
    return problems


def npm_tool(name: str) -> Path:
    """``tests/tools/<name>/node_modules``, installed from its lock file (``npm ci``, no install scripts)."""
    folder = TOOLS / name
    modules = folder / "node_modules"
    if not modules.is_dir():
        if not shutil.which("npm"):
            raise RuntimeError(f"npm is needed to install tests/tools/{name}")
        cmd = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"]
        done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"npm ci in tests/tools/{name} failed:\n{done.stderr}")
    return modules


def vnu_problems(files: list[Path], root: Path) -> list[str]:
    """Errors the Nu Html Checker finds in ``files`` (HTML, and CSS with ``.css``), in one JVM run."""
    jar = npm_tool("vnu") / "vnu-jar" / "build" / "dist" / "vnu.jar"
    # One short run: the JVM's first JIT tier alone checks as well with half the CPU time (its
    # frames are larger, hence the bigger stack the checker's schema needs).
    java = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m", "-jar", str(jar)]
    cmd = [*java, "--errors-only", "--format", "json", "--also-check-css", *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    report = json.loads(done.stderr or done.stdout)
    problems = []
    for msg in report["messages"]:
        where = unquote(msg.get("url", "")).removeprefix("file:")
        try:
            where = Path(where).relative_to(root).as_posix()
        except ValueError:
            pass
        problems.append(f"{where}:{msg.get('lastLine', '?')}: {msg['type']}: {msg['message']}")
    return problems


def csp_directives(doc: BeautifulSoup) -> dict[str, list[str]] | None:
    """The page's Content-Security-Policy meta tag as {directive: sources}, or None when missing."""
    meta = doc.find("meta", attrs={"http-equiv": re.compile("^content-security-policy$", re.I)})
    if meta is None:
        return None
    directives = {}
    for part in meta.get("content", "").split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def csp_problems(site: Path) -> list[str]:
    """Every page has a CSP meta tag, first in ``<head>`` before any script, allowing only own scripts."""
    problems = []
    for page in html_pages(site):
        doc = soup(page)
        name = rel(site, page)
        csp = csp_directives(doc)
        if csp is None:
            problems.append(f"{name}: no Content-Security-Policy meta tag")
            continue
        scripts = csp.get("script-src", csp.get("default-src"))
        if scripts is None:
            problems.append(f"{name}: CSP has neither script-src nor default-src")
        elif "'self'" not in scripts or set(scripts) - ALLOWED_SCRIPT_SOURCES:
            problems.append(f"{name}: CSP script-src {' '.join(scripts)!r} allows more than the site's own scripts")
        if csp.get("object-src") != ["'none'"]:
            problems.append(f"{name}: CSP object-src is not 'none'")
        if "base-uri" not in csp:
            problems.append(f"{name}: CSP has no base-uri")
        meta = doc.find("meta", attrs={"http-equiv": re.compile("^content-security-policy$", re.I)})
        if meta.find_parent("head") is None:
            problems.append(f"{name}: the CSP meta tag is not in <head>")
        if meta.find_previous("script") is not None:
            problems.append(f"{name}: a <script> comes before the CSP meta tag")
    return problems


def theme_script(el, siteurl: str) -> bool:
    """True for the scripts the theme emits: JSON-LD data blocks and ``<script src>`` into theme/ or pagefind/."""
    if el.get("type", "").strip().lower() == "application/ld+json":
        return "src" not in el.attrs
    src = el.get("src")
    if not src or el.string:
        return False
    base = siteurl.rstrip("/")
    return src.startswith((f"{base}/theme/", f"{base}/pagefind/"))


def element_problems(doc: BeautifulSoup, siteurl: str = "") -> list[str]:
    """Markup in ``doc`` that can run script and that the theme never emits: ``on*`` attributes,
    ``javascript:`` (or ``vbscript:``/``data:text/html``) URLs, ``srcdoc``, foreign ``<script>``,
    frames, objects, ``<base>``, ``<style>`` and meta refresh."""
    problems = []
    for el in doc.find_all(True):
        for attr, value in el.attrs.items():
            text = " ".join(value) if isinstance(value, list) else value
            if attr.lower().startswith("on"):
                problems.append(f"<{el.name} {attr}={text[:40]!r}>: event-handler attribute")
            elif attr.lower() == "srcdoc":
                problems.append(f"<{el.name} srcdoc=...>: inline document")
            elif attr.lower() in URL_ATTRS:
                squeezed = re.sub(r"[\x00-\x20]+", "", unquote(text)).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                    problems.append(f"<{el.name} {attr}={text[:60]!r}>: script URL")
        if el.name == "script" and not theme_script(el, siteurl):
            problems.append(f"<script {el.attrs}> not from the theme: {(el.string or '')[:60]!r}")
        if el.name in FOREIGN_ELEMENTS:
            problems.append(f"<{el.name}> element")
        if el.name == "meta" and el.get("http-equiv", "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
    return problems


def injection_problems(site: Path, siteurl: str = "") -> list[str]:
    """:func:`element_problems` over every page of a built site."""
    return [f"{rel(site, page)}: {p}" for page in html_pages(site) for p in element_problems(soup(page), siteurl)]


def json_ld_blocks(doc: BeautifulSoup) -> tuple[list, list[str]]:
    """The parsed ``application/ld+json`` blocks of a page, and the blocks that do not parse."""
    blocks, errors = [], []
    for el in doc.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            blocks.append(json.loads(el.string or ""))
        except json.JSONDecodeError as err:
            errors.append(f"invalid JSON-LD: {err}")
    return blocks, errors


def typed_objects(data) -> Iterator[dict]:
    """Every JSON object with an ``@type``, at any depth (``@graph``, ``comment``, ``hasPart``, ...)."""
    if isinstance(data, dict):
        if "@type" in data:
            yield data
        for value in data.values():
            yield from typed_objects(value)
    elif isinstance(data, list):
        for value in data:
            yield from typed_objects(value)


def types_of(obj: dict) -> set[str]:
    kind = obj.get("@type")
    return set(kind) if isinstance(kind, list) else {kind}


def is_reference(obj: dict) -> bool:
    """A node that only points at an object described elsewhere: ``{"@type", "@id"/"url", "name"}``."""
    return bool({"@id", "url"} & obj.keys()) and obj.keys() <= {"@type", "@id", "url", "name"}


def named(value) -> bool:
    """A schema.org Person/Organization (or a list of them) with a non-empty name, or a reference by @id."""
    if isinstance(value, list):
        return bool(value) and all(named(v) for v in value)
    return isinstance(value, dict) and (bool(str(value.get("name", "")).strip()) or "@id" in value)


def ref(value) -> str | None:
    """The URL a JSON-LD reference points at: ``{"@id": url}``, ``{"url": url}`` or a plain string."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("@id") or value.get("url")
    return None


def object_problems(obj: dict, known_ids: set[str]) -> list[str]:
    """Checks by @type: NewsArticle, Comment, Quotation, Person, Organization."""
    kinds = types_of(obj)
    problems = []
    label = "/".join(sorted(map(str, kinds)))
    if kinds & {"NewsArticle", "Article"}:
        for key in ("headline", "datePublished", "url"):
            if not str(obj.get(key, "")).strip():
                problems.append(f"{label} without {key}")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d([T ].*)?", str(obj.get("datePublished", ""))):
            problems.append(f"{label} datePublished {obj.get('datePublished')!r} is not ISO 8601")
        if not named(obj.get("publisher")):
            problems.append(f"{label} without a named publisher")
    if "Comment" in kinds:
        if "text" not in obj:
            problems.append(f"Comment {obj.get('@id') or obj.get('url')} without text")
        if not named(obj.get("author")):
            problems.append(f"Comment {obj.get('@id') or obj.get('url')} without a named author")
        parent = ref(obj.get("parentItem"))
        if parent is None:
            problems.append(f"Comment {obj.get('@id') or obj.get('url')} without parentItem")
        elif parent not in known_ids:
            problems.append(f"Comment {obj.get('@id') or obj.get('url')}: parentItem {parent!r} is not on the page")
    if "Quotation" in kinds:
        if not str(obj.get("text", "")).strip():
            problems.append(f"Quotation {obj.get('@id') or obj.get('url')} without text")
        if not (named(obj.get("spokenByCharacter")) or named(obj.get("creator"))):
            problems.append(f"Quotation {obj.get('@id') or obj.get('url')} without spokenByCharacter or creator")
    if kinds & {"Person", "Organization"} and not named(obj):
        problems.append(f"{label} without a name")
    return problems


def structured_data_problems(site: Path, siteurl: str = "") -> tuple[list[str], dict[str, int]]:
    """Problems in every page's JSON-LD, and how many objects of each @type were seen."""
    checker = LinkChecker(site, siteurl)
    problems, counts = [], {}
    for page in html_pages(site):
        name = rel(site, page)
        doc = soup(page)
        blocks, errors = json_ld_blocks(doc)
        problems += [f"{name}: {e}" for e in errors]
        objects = [obj for block in blocks for obj in typed_objects(block)]
        known = {ref(obj) for obj in objects} | {obj.get("url") for obj in objects}
        for obj in objects:
            if not is_reference(obj):
                for kind in types_of(obj):
                    counts[kind] = counts.get(kind, 0) + 1
                problems += [f"{name}: {p}" for p in object_problems(obj, known)]
            for key in ("@id", "url"):
                url = obj.get(key)
                if isinstance(url, str) and checker.is_internal(url):
                    why = checker.check(url, page)
                    if why:
                        problems.append(f"{name}: {'/'.join(sorted(types_of(obj)))} {key} {url!r}: {why}")
        if name.startswith("stories/") and doc.select_one("article.story"):
            problems += [f"{name}: {p}" for p in story_json_ld_problems(doc, objects)]
    return problems, counts


def story_json_ld_problems(doc: BeautifulSoup, objects: list[dict]) -> list[str]:
    """A story page's NewsArticle agrees with what the page shows: headline, date, publisher, dateline."""
    articles = [obj for obj in objects if "NewsArticle" in types_of(obj) and not is_reference(obj)]
    if len(articles) != 1:
        return [f"{len(articles)} NewsArticle objects in JSON-LD (expected 1)"]
    article = articles[0]
    problems = []
    if article.get("headline") != doc.h1.get_text(strip=True):
        problems.append(f"NewsArticle headline {article.get('headline')!r} is not the page's <h1>")
    time = doc.select_one(".story-header time[datetime]")
    if time and not str(article.get("datePublished", "")).startswith(time["datetime"]):
        problems.append(f"NewsArticle datePublished {article.get('datePublished')!r} is not {time['datetime']}")
    dateline = doc.select_one(".story-header .dateline")
    if dateline and article.get("dateline") != dateline.get_text(strip=True):
        problems.append(f"NewsArticle dateline {article.get('dateline')!r} is not {dateline.get_text(strip=True)!r}")
    comments = [el["id"] for el in doc.select("[id^=comment-]")]
    listed = [obj for obj in objects if "Comment" in types_of(obj)]
    if comments and not listed:
        problems.append(f"{len(comments)} comments on the page but no Comment in JSON-LD")
    return problems


# kind -> (glob under output/, required). The largest matching page is checked (most content).
PAGE_KINDS = {
    "home": ("index.html", True),
    "story": ("stories/*/index.html", True),
    "event": ("events/*/index.html", True),
    "story list": ("stories/index.html", False),
    "event list": ("events/index.html", False),
    "publisher": ("publishers/*/index.html", False),
    "publisher list": ("publishers/index.html", False),
    "about": ("about/index.html", False),
    "quote": ("quotes/*/index.html", False),
    "quote list": ("quotes/index.html", False),
    "person": ("people/*/index.html", False),
    "organization": ("organizations/*/index.html", False),
    "wire passage": ("wire/*/index.html", False),
    "comparison": ("compare/*/index.html", False),
    "commenters": ("commenters/index.html", False),
    "commenter": ("commenters/*/index.html", False),
    "search": ("search/index.html", False),
    "404": ("404.html", False),
}


def largest_page(site: Path, kind: str) -> Path | None:
    """The largest page of ``kind`` (a key of :data:`PAGE_KINDS`) in ``site``, or None if it has none."""
    found = sorted(site.glob(PAGE_KINDS[kind][0]), key=lambda p: (-p.stat().st_size, p))
    return found[0] if found else None


def open_page_kind(page, url: str, kind: str) -> None:
    """Opens ``url``, a page of ``kind``, in ``page`` and returns once it is shown: the search page
    with a query, once its results (read from the index after load) are listed."""
    if kind != "search":
        page.goto(url)
        return
    page.goto(url + "?q=immigration")
    page.wait_for_selector("#search-results > li")


def axe_context(browser, **options):
    """A new Chromium context (``options`` as for ``new_context``) in which every page has axe-core
    loaded before its own scripts run; the CSP is bypassed so that axe may run."""
    context = browser.new_context(bypass_csp=True, **options)
    context.add_init_script(path=str(npm_tool("axe") / "axe-core" / "axe.min.js"))
    return context
