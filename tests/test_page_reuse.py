"""A build reuses the pages of the previous one whose inputs did not change
(newsarchive/site/page_reuse.py, plugins/archive_core/incremental_writing.py), and still writes
exactly what a build from nothing writes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from pathlib import Path
from types import SimpleNamespace

import gates
import pytest
from conftest import copy_project, run_build
from test_quality_gates import build
from test_spare_tree import tree

from bench import corpus
from newsarchive.analysis.entities.model import Entity
from newsarchive.analysis.quotes.model import Fragment, Quote, QuoteOccurrence
from newsarchive.model.story import Archive, Paragraph, Story
from newsarchive.site.page_reuse import Manifest, PageKeys, _stable_bytes, environment_digest, story_digests
from newsarchive.site.spare_tree import spare_path


def story(slug: str, title: str = "A title", text: str = "Words.") -> Story:
    date = dt.datetime(2010, 12, 17)
    return Story(path=f"{slug}.md", slug=slug, title=title, date=date, paragraphs=[Paragraph("p1", text, 5)])


def quote_page(stories: list[Story], speaker_roles: list[str], listed_at: str = "people/jane-roe/"):
    """kwargs and context of a quote page printed in ``stories``, listed on the page ``listed_at``."""
    occurrences = [
        QuoteOccurrence(s.slug, s.path, s.date, [Fragment("p1", 0, 8, "Words.")], line=5, order=0) for s in stories
    ]
    quote = Quote(id="words-1234", speaker="jane-roe", text="Words.", occurrences=occurrences)
    person = Entity(kind="person", name="Jane Roe", roles=speaker_roles)
    kwargs = {"quote": quote, "variants": list(zip(occurrences, quote.diffs, strict=False)), "citations": []}
    context = {
        "archive": Archive(list(stories)),
        "speakers": {("person", "jane-roe"): person},
        "unattributed_url": "u/",
        "quote_listed_at": {"words-1234": listed_at},
    }
    return kwargs, context


def test_a_page_key_changes_with_what_its_template_reads_and_only_that():
    a, b, unrelated = story("a"), story("b"), story("c")
    keys = PageKeys(story_digests([a, b, unrelated]))
    key = keys.key("quote.html", "quotes/q/index.html", *quote_page([a, b], ["Mayor"]))
    assert key == keys.key("quote.html", "quotes/q/index.html", *quote_page([a, b], ["Mayor"]))
    assert key != keys.key("quote.html", "quotes/q/index.html", *quote_page([a, b], ["Governor"]))  # speaker's role
    assert key != keys.key("quote.html", "quotes/q/index.html", *quote_page([a], ["Mayor"]))  # one printing fewer
    moved = quote_page([a, b], ["Mayor"], listed_at="people/jane-roe/quotes/page/2/")  # listed on another page
    assert key != keys.key("quote.html", "quotes/q/index.html", *moved)
    retitled = PageKeys(story_digests([a, story("b", title="Another title"), unrelated]))
    assert key != retitled.key("quote.html", "quotes/q/index.html", *quote_page([a, b], ["Mayor"]))
    edited_elsewhere = PageKeys(story_digests([a, b, story("c", text="Other words.")]))
    assert key == edited_elsewhere.key("quote.html", "quotes/q/index.html", *quote_page([a, b], ["Mayor"]))
    assert keys.key("index.html", "index.html", {}, {}) is None  # no recipe: always rendered


def test_a_story_page_key_counts_its_file_and_what_the_analyses_added():
    """A story page is keyed by its file's digest plus the analyses' marks, notes, data and the
    comments' citations: each changes the key; another story's edit does not."""
    from newsarchive.model.story import Comment, Note, Span

    def page(s):
        article = SimpleNamespace(story=s, category=SimpleNamespace(url="publishers/x/"))
        return {"article": article}, {"archive": Archive([s, story("other")])}

    s = story("a")
    s.comments = [Comment("1", None, "Reader", ["Words."], 1, 1, 9)]
    keys = PageKeys(story_digests([s, story("other")]))
    key = keys.key("article.html", "stories/a/index.html", *page(s))
    assert key == PageKeys(story_digests([s, story("other", text="Edited.")])).key(
        "article.html", "stories/a/index.html", *page(s)
    )
    s.add_span("p1", Span(0, 5, "quote", "quotes/q/"))
    marked = keys.key("article.html", "stories/a/index.html", *page(s))
    s.spans["p1"][0].title = "a title"
    titled = keys.key("article.html", "stories/a/index.html", *page(s))
    s.add_note("p1", Note("quoted in comment 1"))
    noted = keys.key("article.html", "stories/a/index.html", *page(s))
    s.comments[0].cites = [{"story": "a", "paragraph": "p1", "quote": None}]
    cited = keys.key("article.html", "stories/a/index.html", *page(s))
    s.data["wire_share"] = 0.5
    shared = keys.key("article.html", "stories/a/index.html", *page(s))
    assert len({key, marked, titled, noted, cited, shared}) == 6
    assert key != PageKeys(story_digests([story("a", text="Edited."), story("other")])).key(
        "article.html", "stories/a/index.html", *page(story("a", text="Edited."))
    )


def test_a_story_keeps_the_digest_taken_as_its_file_was_read():
    """The reader hashes each story as its file is read (story_read), and Pelican's cache keeps
    the hash with the story: a rebuild does not hash every story again."""
    from plugins.archive_core.incremental_writing import digest_when_read

    s = story("a")
    expected = story_digests([s])["a"]
    digest_when_read(s)
    assert s.source_digest == expected and story_digests([s]) == {"a": expected}
    s.title = "Changed after reading"  # the kept digest stands for the file, not for the object now
    assert story_digests([s]) == {"a": expected} != story_digests([story("a", title="Changed after reading")])


def test_equal_values_give_equal_key_bytes_however_their_objects_are_shared():
    word = "".join(["sha", "red"])
    shared = [word, word]
    separate = ["shared", "".join(["sh", "ared"])]
    assert shared == separate and shared[0] is shared[1] and separate[0] is not separate[1]
    assert _stable_bytes(shared) == _stable_bytes(separate)


def test_the_environment_is_the_templates_and_the_settings_but_not_where_the_build_writes(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "base.html").write_text("<html>{{ SITENAME }}</html>")
    settings = {"SITENAME": "Archive", "OUTPUT_PATH": "/tmp/a", "ARCHIVE_PARALLEL_WRITING": True, "ORDER": len}
    digest = environment_digest(templates, settings)
    assert digest == environment_digest(templates, {**settings, "OUTPUT_PATH": "/tmp/b"})
    assert digest == environment_digest(templates, {**settings, "ARCHIVE_PARALLEL_WRITING": False})
    assert digest != environment_digest(templates, {**settings, "SITENAME": "Another"})
    (templates / "base.html").write_text("<html>{{ SITENAME }}!</html>")
    assert digest != environment_digest(templates, settings)


def test_the_manifest_vouches_for_a_file_only_as_it_was_written(tmp_path):
    page = tmp_path / "out" / "p" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>old</p>")
    manifest = Manifest("env")
    manifest.record("p/index.html", "k1", page)
    manifest.save(tmp_path / "pages.json")
    loaded = Manifest.load(tmp_path / "pages.json", "env")
    assert loaded.matches("p/index.html", "k1", page)
    assert not loaded.matches("p/index.html", "k2", page)  # another key
    assert not Manifest.load(tmp_path / "pages.json", "other env").matches("p/index.html", "k1", page)
    page.write_text("<p>new, by hand</p>")
    assert not loaded.matches("p/index.html", "k1", page)  # the file is not what was written


# --- real builds ----------------------------------------------------------------------------------

WRITTEN_PATHS_PLUGIN = '''
import os

from pelican import signals


def note(path, context):
    """Note each page written, relative to the output, as another plugin (a sitemap) would."""
    with open(os.environ["WRITTEN_PATHS_LOG"], "a", encoding="utf-8") as log:
        log.write(os.path.relpath(path, context["OUTPUT_PATH"]) + " " + context["output_file"] + "\\n")


def register():
    signals.content_written.connect(note)
'''


def inodes(out: Path) -> dict[str, int]:
    made = (".html", ".svg", ".bib", ".ris")
    return {gates.rel(out, p): p.stat().st_ino for p in out.rglob("*") if p.suffix in made or p.name == "cite.json"}


def files(out: Path) -> dict[str, bytes]:
    return {gates.rel(out, p): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def manifest_of(project: Path) -> dict:
    (found,) = project.glob("cache/*/pages-*.json")
    return json.loads(found.read_text())["pages"]


def wait_for(path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.exists(), f"{path} did not appear in {seconds} s"


@pytest.fixture(scope="module")
def rebuilds(tmp_path_factory) -> SimpleNamespace:
    """One archive (the seeds plus 20 synthetic stories: quotations, wire clusters, comments,
    events), with its search index, built four times; the tests below check what each build did:

    1. ``cold``: into a new ``out``;
    2. ``unchanged``: again into ``out`` (another process: another hash seed); build 1's output,
       replaced, is cleared into the spare folders (newsarchive/site/spare_tree.py);
    3. ``edited``: after adding, retitling, editing and removing stories, into ``out`` with
       ARCHIVE_CHECK_REUSE=1 (every reused page is rendered again and compared), written into
       build 1's spare folders;
    4. ``edited-cold``: the same content with nothing reused, into a new directory ``cold``.

    The project has a plugin noting each page Pelican's ``content_written`` announces, as a
    sitemap plugin would, in ``<build>.log``."""
    base = tmp_path_factory.mktemp("reuse")
    project = copy_project(base / "project", 'PLUGINS = [*PLUGINS, "written_paths"]')
    corpus.generate(project / "content", 20, seed=3)
    (project / "plugins" / "written_paths").mkdir()
    (project / "plugins" / "written_paths" / "__init__.py").write_text(WRITTEN_PATHS_PLUGIN, encoding="utf-8")
    out, cold = base / "out", base / "cold"
    run = SimpleNamespace(base=base, out=out, cold=cold)

    def build_as(name: str, target: Path, **env: str) -> None:
        build(project, target, "", WRITTEN_PATHS_LOG=str(base / f"{name}.log"), **env)

    build_as("cold", out)
    run.cold_inodes, run.cold_files = inodes(out), files(out)
    run.cold_stories_folder = (out / "stories").stat().st_ino
    run.keyed = manifest_of(project)
    (record,) = project.glob("cache/*/parts-*.json")  # where archive.json's stories are, by page key
    run.parts = json.loads(record.read_text())["files"]["archive.json"][-1][1]  # [identity..., [environment, parts]]

    build_as("unchanged", out)
    run.unchanged_inodes, run.unchanged_files = inodes(out), files(out)
    wait_for(spare_path(out))  # build 1's output, cleared to its folders, for build 3

    stories = sorted((project / "content" / "stories").glob("*.md"))
    # a new story; a story retitled (other pages show its title); a paragraph edited; a story removed
    slug, text = corpus.Corpus(20, seed=3).story(20)
    (project / "content" / "stories" / f"{slug}.md").write_text(text, encoding="utf-8")
    retitled = max(stories, key=lambda p: p.read_text().count("“"))  # the most quotations
    drawn = re.search(r'href="/stories/([^/"]+)/"', next(out.glob("events/*/wire-diagram.svg")).read_text())[1]
    in_diagram = next(p for p in stories if p.stem == drawn or re.search(rf"^Slug: {drawn}$", p.read_text(), re.M))
    for story in {retitled, in_diagram}:  # and a story a diagram draws
        story.write_text(re.sub(r"^Title: .*$", "Title: A retitled story", story.read_text(), count=1, flags=re.M))
    edited = stories[-1]
    edited.write_text(edited.read_text().replace(" said ", " told reporters ", 1))
    run.removed = re.search(r"^Slug: (.+)$", stories[-2].read_text(), re.M)[1]
    assert (out / "stories" / run.removed).is_dir()
    stories[-2].unlink()

    build_as("edited", out, ARCHIVE_CHECK_REUSE="1")
    run.edited_inodes = inodes(out)
    build_as("edited-cold", cold, ARCHIVE_REUSE_PAGES="0")
    return run


def story_pages_heard(log: Path) -> set[str]:
    """The story pages a build's ``content_written`` announced, as the plugin noted them."""
    lines = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert all(path == name for path, name in lines)  # the path and the context's output_file agree
    return {path for path, _ in lines if path.startswith("stories/")}


def test_an_unchanged_archive_reuses_every_page_with_a_key(rebuilds):
    keyed = rebuilds.keyed
    kinds = {"stories", "quotes", "people", "wire", "compare", "commenters"}
    assert len(keyed) > 300 and {n.split("/")[0] for n in keyed} >= kinds
    assert any(n.endswith(".svg") for n in keyed)  # the wire diagrams, made without a template
    assert {n.rpartition("/")[2] for n in keyed} >= {"cite.bib", "cite.ris", "cite.json"}  # and the citations
    assert len(rebuilds.parts) > 20 and all(key for key, _, _ in rebuilds.parts.values())
    before, after = rebuilds.cold_inodes, rebuilds.unchanged_inodes
    assert [n for n in keyed if after[n] != before[n]] == []  # linked from the last build, not rendered
    assert rebuilds.unchanged_files == rebuilds.cold_files


def test_a_reused_page_still_sends_content_written(rebuilds):
    """Plugins listening to Pelican's ``content_written`` (a sitemap) hear of every story page,
    whether it was rendered or linked from the last build, with the page's context."""
    story_pages = {n for n in rebuilds.keyed if n.startswith("stories/") and n.endswith(".html")}  # with a key
    before, after = rebuilds.cold_inodes, rebuilds.unchanged_inodes
    assert story_pages and all(after[n] == before[n] for n in story_pages)  # linked, not rendered
    first, second = (story_pages_heard(rebuilds.base / f"{name}.log") for name in ("cold", "unchanged"))
    assert story_pages <= first
    assert second == first
    # a build checking its reused pages (ARCHIVE_CHECK_REUSE=1) announces its pages only, not the copies
    # it renders to compare: it is heard as the build of the same content with nothing reused
    edited, edited_cold = (story_pages_heard(rebuilds.base / f"{name}.log") for name in ("edited", "edited-cold"))
    assert edited == edited_cold and edited != first


def test_after_adding_editing_and_removing_stories_the_site_is_what_a_cold_build_writes(rebuilds):
    before, after = rebuilds.unchanged_inodes, rebuilds.edited_inodes
    reused = [n for n in after if before.get(n) == after[n]]
    assert len(reused) > 200
    got, want = files(rebuilds.out), files(rebuilds.cold)
    assert sorted(got) == sorted(want)  # the removed story's pages are gone
    assert [n for n in want if got[n] != want[n]] == []


def test_a_build_into_the_spare_folders_publishes_what_a_new_directory_gets(rebuilds):
    """The edited build wrote into the folders of the first build's output (the spare of
    newsarchive/site/spare_tree.py) and removed those it left empty: it published the files,
    bytes and folders the build into a new directory did."""
    out = rebuilds.out
    assert (out / "stories").stat().st_ino == rebuilds.cold_stories_folder  # the first build's folder, written into
    assert not (out / "stories" / rebuilds.removed).exists()  # the removed story's folder went with it
    assert tree(out) == tree(rebuilds.cold)


def test_a_recipe_that_misses_what_its_template_reads_is_caught(tmp_path):
    """The check is real: an event page's recipe that forgets its stories reuses a stale page,
    and ARCHIVE_CHECK_REUSE=1 stops the build, leaving output/ as it was."""
    work = copy_project(tmp_path / "project")  # the seeds, stories of events
    recipes = work / "newsarchive" / "site" / "page_reuse.py"
    source = recipes.read_text()
    assert "[src(s) for s in event.stories]" in source
    recipes.write_text(source.replace("[src(s) for s in event.stories]", "len(event.stories)"))
    out = build(work, tmp_path / "out", "", "--no-search")
    in_event = next(
        p for p in (work / "content" / "stories").glob("*.md") if re.search(r"^Event: \S", p.read_text(), re.M)
    )
    in_event.write_text(re.sub(r"^Title: .*$", "Title: Retitled", in_event.read_text(), count=1, flags=re.M))
    previous = files(out)
    env = dict(os.environ, SITEURL="", COLUMNS="160", ARCHIVE_CHECK_REUSE="1")
    done = run_build(work / "content", out, "--no-search", env=env, cwd=work)
    assert done.returncode != 0
    assert "the recipe for event.html in newsarchive/site/page_reuse.py misses something the template reads" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    assert files(out) == previous
