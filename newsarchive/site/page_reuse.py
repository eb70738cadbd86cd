"""Reuse the pages of the previous build whose inputs did not change.

Rendering is most of a build, and adding one story changes few of its pages. So every page the build
writes gets a **key**, a hash of what its template reads, and the build records ``page -> key``
beside the previous output. On the next build, a page whose key is unchanged and whose previous file
is still the one recorded is hard-linked from the previous output instead of being rendered again.

    keys = PageKeys(story_digests(archive.stories))   # before any analysis changes the stories
    key = keys.key("quote.html", name, kwargs, context)
    if previous.matches(name, key, old_dir):          # the same key, the same file
        ...link the old file...

**What a key covers.** A template reads the objects it is given (``kwargs``: the page's own
quote, entity, passage...) and looks more up in the shared context. Each page kind's
:data:`RECIPES` entry returns every value its template reads: the page's objects whole, and each
lookup it makes (``speakers.get(quote.speaker_key)``, ``archive.story(slug)``...). A story the
page merely refers to (a quotation's source, an event's coverage) counts by what its file says
(:func:`story_digests`, taken before the analyses add to it): such pages show a story's title,
publisher, date, URL or paragraph text, never its analysis. A story page counts its own story
by the same digest (its comment thread is parsed from the file too), plus everything the
analyses add to it: marks, notes, plugin data and the comments' citations. Templates without a
recipe (listings, feeds, the search page) are rendered every time.

**When a template changes what it reads, change its recipe.** The key also covers the
templates' bytes and the settings (:func:`environment_digest`), and the manifest lives in the
code-versioned cache, so any change of code, theme or settings renders every page again.
``ARCHIVE_CHECK_REUSE=1`` renders every page anyway and fails the build if a page it would have
reused differs from the previous one: the tests build archives that way after adding, editing
and removing stories.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.model.story import Story, field_values
from newsarchive.site.atomic_write import write_atomically
from newsarchive.site.faults import note_discarded

MANIFEST_FORMAT = 1


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def story_digests(stories: Iterable[Story]) -> dict[str, str]:
    """slug -> a hash of each story as read from its file: the one taken as the file was read
    (``Story.source_digest``, kept in Pelican's cache with the story), else one taken now (call
    before analyses add to them)."""
    return {s.slug: s.source_digest or source_digest(s) for s in stories}


def source_digest(story: Story) -> str:
    """A hash of ``story`` as it is now. Take it as its file is read (``Story.source_digest``),
    so that a rebuild has it from Pelican's cache instead of hashing every story again."""
    return _digest(_stable_bytes(story))


def _stable_bytes(value: Any) -> bytes:
    """``value`` pickled without pickle's memo: equal values give equal bytes however their
    objects are shared (objects made in this process and objects unpickled from a forked analysis
    or from Pelican's cache are shared differently). A cycle raises ValueError."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo
    pickler.dump(value)
    return buffer.getvalue()


# --- what each page template reads (keep in step with theme/templates/) ---------------------------
# A recipe gets the page's template arguments and the shared context and returns a value holding
# everything the template reads. ``src(story)`` stands for a story the page refers to: what its
# file says, not what the analyses added.


def _article(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    story = getattr(kw.get("article"), "story", None)
    if not isinstance(story, Story):
        return None
    archive = ctx["archive"]
    # What the file says (the comment thread too: parsed from it, before or after the digest), by
    # its digest; then what the analyses added: marks, notes, plugin data, the comments' citations
    # (plugin data less the views of the story itself: comment_threads' StoryComments).
    spans = {pid: _flat(spans) for pid, spans in story.spans.items()}
    notes = {pid: _flat(notes) for pid, notes in story.notes.items()}
    data = {k: v for k, v in story.data.items() if getattr(v, "story", None) is not story}
    cites = [c.cites for c in story.comments]
    speakers = ctx.get("speakers_in", {}).get(story.slug)
    others = [src(archive.story(slug)) for slug in story.data.get("wire_shares_with", [])]
    # the addresses Pelican gives the body's {filename}/{static} links (other files' URLs)
    links = [kw["article"]._update_content(p.html, ctx.get("SITEURL", "")) for p in story.paragraphs if "{" in p.html]
    return src(story), spans, notes, data, cites, kw["article"].category.url, speakers, others, links


def _flat(items: list) -> list[tuple]:
    """Dataclass instances of one kind as tuples of their fields, which pickle much faster than
    the dataclasses (a story page's key covers every mark and mention of its story)."""
    return list(map(field_values(type(items[0])), items)) if items else []


def _event(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    event = kw["event"]
    return event.slug, event.name, [src(s) for s in event.stories], ctx.get("wire_diagrams", {}).get(event.slug)


def _quote(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    quote, citations, archive = kw["quote"], kw["citations"], ctx["archive"]
    speaker = ctx["speakers"].get(quote.speaker_key)
    speaker = speaker and (speaker.name, speaker.roles, speaker.url)
    stories = [src(archive.story(o.story)) for o in quote.occurrences]
    stories += [src(archive.story(c.story)) for c in citations]
    # printings: the quote's occurrences cut from its stories' text
    return quote, citations, speaker, stories, ctx["quote_listed_at"][quote.id]


def _entity(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    entity, archive = kw["entity"], ctx["archive"]
    # the sentences naming the entity come from these stories' text and its mentions' places
    stories = [src(archive.story(slug)) for slug in kw["entity_stories"].slugs]
    whole = field_values(type(entity), but="mentions")(entity), _flat(entity.mentions)
    pages = kw["stories_page_urls"], kw["stories_count"], kw["quotes_page_urls"], kw["quotes_count"]
    return whole, kw["entity_quotes"], kw["entity_publishers"], stories, pages, _printing_stories(kw, ctx, src)


def _entity_quotes(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    entity = kw["entity"]
    pages = kw["quotes_page"], kw["quotes_page_urls"], kw["quotes_count"], kw["facet_date"]
    quotes = kw["entity_quotes"], kw["entity_publishers"], _printing_stories(kw, ctx, src)
    return entity.name, entity.kind, entity.url, quotes, pages


def _printing_stories(kw: dict, ctx: dict, src: Callable[[Story], str]) -> list[str]:
    """The stories printing the page's quotations: each is shown as its fullest printing, cut from
    its story's text, under a source line naming the publishers of the stories printing it."""
    archive = ctx["archive"]
    return [src(archive.story(o.story)) for q in kw["entity_quotes"] for o in q.occurrences]


def _entity_stories(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    entity, archive, named = kw["entity"], ctx["archive"], kw["entity_stories"]
    stories = [src(archive.story(slug)) for slug in named.slugs], named.mention_spans()
    return entity.name, entity.url, stories, kw["stories_page"], kw["stories_page_urls"], kw["stories_count"]


def _wire_passage(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    passage, archive = kw["passage"], ctx["archive"]
    # variants: each witness aligned with passage.text, made from the passage alone
    return passage, src(kw["source_story"]), [src(archive.story(s)) for s in passage.stories]


def _compare(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    # sections: the pair's rows aligned word by word, made from the pair and the two stories' text
    pair = kw["pair"]
    whole = field_values(type(pair), but="rows")(pair), _flat(pair.rows)
    return whole, src(kw["story_a"]), src(kw["story_b"])


def _commenter_group(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    # a commenter with a page of their own is shown by name and count (their comments, by length)
    people = [(p.slug, p.names, p.own_page, _comments(p, src)) for p in kw["members"]]
    return kw["group"], [group for group, _ in kw["groups"]], people


def _commenter(kw: dict, ctx: dict, src: Callable[[Story], str]) -> Any:
    person = kw["person"]
    return person.slug, person.names, _comments(person, src)


def _comments(person, src: Callable[[Story], str]) -> list[tuple[str, str]]:
    # each comment is shown by its story's title, publisher and URL and by its own id, anchor and
    # first paragraph: all parsed from the story's file
    return [(src(story), c.id) for story, c in person.comments]


# template file name -> (kwargs, context, src) -> everything the template reads, or None (render it)
RECIPES: dict[str, Callable[[dict, dict, Callable[[Story], str]], Any]] = {
    "article.html": _article,
    "event.html": _event,
    "quote.html": _quote,
    "entity.html": _entity,
    "entity_stories.html": _entity_stories,
    "entity_quotes.html": _entity_quotes,
    "wire_passage.html": _wire_passage,
    "compare.html": _compare,
    "commenter_group.html": _commenter_group,
    "commenter.html": _commenter,
}


@dataclass
class PageKeys:
    """Keys of pages, from the stories' source digests and an :func:`environment_digest`."""

    digests: dict[str, str]
    environment: str = ""

    def key(self, template: str, name: str, kwargs: dict, context: dict) -> str | None:
        """The page's key, or None for a template without a recipe (always rendered)."""
        recipe = RECIPES.get(template)
        try:
            inputs = recipe and recipe(kwargs, context, self.source)
        except KeyError:  # a story read from no file: no digest
            return None
        if inputs is None:
            return None
        return _digest(_stable_bytes((self.environment, template, name, inputs)))

    def made_key(self, name: str, inputs: Any) -> str:
        """The key of a file made by a function from ``inputs``, everything it reads."""
        return _digest(_stable_bytes((self.environment, "made", name, inputs)))

    def source(self, story: Story) -> str:
        """What ``story``'s file says, as a digest."""
        return self.digests[story.slug]


def environment_digest(templates: Path, settings: dict[str, Any]) -> str:
    """A hash of every template file and every setting (but where the output goes): a change
    to either renders every page again."""
    parts = [sys.version, _stable({k: v for k, v in settings.items() if k not in SETTINGS_NOT_IN_PAGES})]
    for path in sorted(p for p in templates.rglob("*") if p.is_file()):
        parts.append(path.relative_to(templates).as_posix())
        parts.append(_digest(path.read_bytes()))
    return _digest(repr(parts).encode())


# Settings that say how this build runs, not what its pages say.
SETTINGS_NOT_IN_PAGES = {"OUTPUT_PATH", "PELICAN_CLASS", "ARCHIVE_PARALLEL_WRITING", "ARCHIVE_PARALLEL_ANALYSIS"}


def _stable(value: Any) -> str:
    """``repr`` without memory addresses: functions and classes by name, mappings sorted."""
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k!r}: {_stable(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_stable(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_stable(v) for v in value)) + "}"
    if callable(value) or isinstance(value, type):
        return f"<{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__qualname__)}>"
    return repr(value)


# --- the record of the previous build -------------------------------------------------------------


@dataclass
class Manifest:
    """``page -> [key, size, mtime_ns, inode]`` of the pages a build wrote with a key."""

    environment: str
    pages: dict[str, list] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, environment: str) -> Manifest:
        """The manifest at ``path`` if it was made in the same environment; else an empty one
        (and a one-line note if it cannot be read)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(environment)
        except (OSError, ValueError) as error:
            note_discarded(path, error)
            return cls(environment)
        if not isinstance(data, dict):
            note_discarded(path, "not a record of pages")
            return cls(environment)
        if data.get("format") != MANIFEST_FORMAT:
            return cls(environment)  # written by other code
        pages = data.get("pages")
        if not isinstance(pages, dict) or not all(isinstance(e, list) and len(e) == 4 for e in pages.values()):
            note_discarded(path, "not a record of pages")
            return cls(environment)
        if data.get("environment") != environment:
            return cls(environment)  # other templates, settings or code: nothing to reuse
        return cls(environment, pages)

    def matches(self, name: str, key: str, old_file: Path | str) -> bool:
        """Page ``name`` had ``key`` last time and ``old_file`` is still what was written then."""
        entry = self.pages.get(name)
        if not entry or entry[0] != key:
            return False
        try:
            st = os.stat(old_file)
        except OSError:
            return False
        return [st.st_size, st.st_mtime_ns, st.st_ino] == entry[1:]

    def record(self, name: str, key: str, written: Path | str) -> None:
        st = os.stat(written)
        self.pages[name] = [key, st.st_size, st.st_mtime_ns, st.st_ino]

    def save(self, path: Path) -> None:
        """Write whole or not at all, pages sorted."""
        data = {"format": MANIFEST_FORMAT, "environment": self.environment, "pages": dict(sorted(self.pages.items()))}
        write_atomically(path, json.dumps(data, separators=(",", ":")))
