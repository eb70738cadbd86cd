"""quotes_people: quotations, the people and organizations who speak or are named, and the
comments that quote stories.

Thin glue over ``newsarchive.analysis.quotes`` / ``entities`` / ``citations``. Comes after
``comment_threads`` in ``PLUGINS`` (citations need parsed comments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from newsarchive.analysis.comment_citations import Citation, find_citations
from newsarchive.analysis.entities.find import find_entities
from newsarchive.analysis.entity_corrections import CorrectionsError
from newsarchive.analysis.mentions import aliases_to_show, in_sentence
from newsarchive.analysis.quotes.analysis import analyze
from newsarchive.analysis.quotes.printings import printed_parts, printed_text, printings
from newsarchive.analysis.quotes.sentences import sentence_starts
from newsarchive.errors import count_setting
from newsarchive.formats.corrections_file import read_corrections
from newsarchive.model.story import UNATTRIBUTED_QUOTES_URL
from newsarchive.pages.structured_data import person as person_json_ld
from newsarchive.pages.structured_data import quotation as quotation_json_ld
from newsarchive.site.analysis_memo import memo_in_cache
from newsarchive.site.forked_call import ForkedCall
from newsarchive.site.progress import TimedStages, progress, report_reuse

INDEXES = {"quotes/": "quotes", "people/": "people", "organizations/": "organizations"}
MEMO_NAME = "quotation-analysis.pickle"  # in CACHE_PATH (newsarchive.site.analysis_memo)
CITATION_MEMO_NAME = "citation-runs.pickle"  # the same, for the comments' citations
QUOTES_PER_SPEAKER_IN_INDEX = 3  # /quotes/ shows each speaker's most printed; their page has all
# "Stories naming X" is paginated, oldest story first, so earlier pages keep their stories as the
# archive grows, and no page lists thousands of stories.
STORIES_PER_ENTITY_PAGE = 100
# A person's quotations, in the order they are listed, this many a page: each page is one search
# record, and the record of a page is what a visitor's browser loads for a hit on it.
QUOTES_PER_ENTITY_PAGE = 100


def kept_citations(stories: list, settings: dict) -> list[Citation]:
    """The comments' citations with no quotations, each story's runs kept in the build's cache
    (``CITATION_MEMO_NAME``) for the next build."""
    memo = memo_in_cache(settings, CITATION_MEMO_NAME)
    found = find_citations(stories, [], memo=memo)
    memo.save()
    return found


class QuotesGenerator(TimedStages, Generator):
    stage_name = "quotes"
    write_in_background = True  # its pages are written by a forked child (archive_core/background_writing.py)

    def _generate_context(self):
        setting = self.settings.get("ENTITY_STORIES_PER_PAGE", STORIES_PER_ENTITY_PAGE)
        self.stories_per_page = count_setting("ENTITY_STORIES_PER_PAGE", setting)
        setting = self.settings.get("ENTITY_QUOTES_PER_PAGE", QUOTES_PER_ENTITY_PAGE)
        self.quotes_per_page = count_setting("ENTITY_QUOTES_PER_PAGE", setting)
        archive = self.context["archive"]
        corrections, problems = read_corrections(Path(self.settings["PATH"]))
        if problems:
            raise CorrectionsError(problems)
        memo = memo_in_cache(self.settings, MEMO_NAME)
        entities = find_entities(archive.stories, memo)
        # The comments' citations need no quotations until each is named after the one it falls on:
        # a forked child finds them meanwhile. It starts after the entities, not before, because the
        # wire analysis's child runs until about then (docs/BENCHMARK-HISTORY.md).
        pending = ForkedCall(kept_citations, archive.stories, self.settings)
        self.analysis = result = analyze(archive, memo, entities, pending.result, corrections)
        report_reuse("quotes: story analyses", memo.hits, memo.misses)
        memo.save()
        archive.sections.update(result.sections())
        archive.warnings.extend(result.problems)
        for slug, pid, span in result.quote_spans() + result.mention_spans() + result.citation_spans():
            archive.story(slug).add_span(pid, span)
        for slug, pid, note in result.citation_notes():
            archive.story(slug).add_note(pid, note)
        self.quotes_of = defaultdict(list)  # speaker (kind, slug) -> their quotations; None: speaker unknown
        for quote in result.quotes:
            self.quotes_of[quote.speaker_key].append(quote)
        self.citations_of = defaultdict(list)
        for citation in result.citations:
            if citation.quote:
                self.citations_of[citation.quote].append(citation)
        people = {p.slug: p for p in result.people}
        speakers = {(e.kind, e.slug): e for e in result.people + result.organizations}  # a quote's speaker_key
        # where each quotation is listed: the page of its speaker's quotations that holds it
        self.quote_pages_of = {}  # speaker key -> [(page url, quotations)]
        listed_at = {}
        for key, quotes in self.quotes_of.items():
            if key not in speakers:
                listed_at.update((q.id, UNATTRIBUTED_QUOTES_URL) for q in quotes)
                continue
            pages = paged(quotes, self.quotes_per_page, speakers[key].url, "quotes/page/")
            self.quote_pages_of[key] = pages
            listed_at.update((q.id, url) for url, page in pages for q in page)
        speakers_in = defaultdict(set)
        for quote in result.quotes:
            for occ in quote.occurrences:
                if quote.speaker_key in speakers:
                    speakers_in[occ.story].add(speakers[quote.speaker_key].name)
        by_speaker = sorted(
            self.quotes_of.items(),
            key=lambda kv: (kv[0] not in speakers, speakers[kv[0]].name if kv[0] in speakers else ""),
        )
        self.context.update(
            quotes_index=[(speakers.get(key), quotes, most_printed(quotes)) for key, quotes in by_speaker],
            unattributed_url=UNATTRIBUTED_QUOTES_URL,
            speakers_in={slug: sorted(names) for slug, names in speakers_in.items()},
            quotes=result.quotes,
            people=result.people,
            organizations=result.organizations,
            quotes_of=self.quotes_of,
            person_by_slug=people,
            speakers=speakers,
            quote_listed_at=listed_at,
        )
        # the old addresses of renamed, retyped and merged entities: pages that send the visitor on
        self.context.setdefault("unlisted_pages", []).extend(result.redirects)

    def _generate_output(self, writer):
        result = self.analysis
        archive = self.context["archive"]
        for url, template in INDEXES.items():
            writer.write_file(url + "index.html", self.get_template(template), self.context, page_name=url)
        for quote in progress(result.quotes, "quote pages"):
            writer.write_file(
                quote.url + "index.html",
                self.get_template("quote"),
                self.context,
                quote=quote,
                printings=printings(quote, partial(paragraph_text, archive)),
                citations=self.citations_of.get(quote.id, []),
                page_name=quote.url,
            )
        archive = self.context["archive"]
        unattributed = [q for q in result.quotes if q.speaker_key not in self.context["speakers"]]
        if unattributed:
            stories = [archive.story(o.story) for q in unattributed for o in q.occurrences]
            writer.write_file(
                UNATTRIBUTED_QUOTES_URL + "index.html",
                self.get_template("quotes_unattributed"),
                self.context,
                unattributed=unattributed,
                facet_date=min(s.date for s in stories),
                facet_publishers=sorted({s.publisher for s in stories if s.publisher}),
                page_name=UNATTRIBUTED_QUOTES_URL,
            )
        for url, entity in sorted(result.redirects.items()):
            writer.write_file(
                url + "index.html", self.get_template("moved"), self.context, entity=entity, page_name=url
            )
        starts_of = {}  # (story slug, paragraph id) -> sentence starts, for NamedInStories
        for entity in result.people + result.organizations:
            mentions_in = defaultdict(list)  # story slug -> the entity's mentions in it, in order
            for m in entity.mentions:
                mentions_in[m.story].append(m)
            stories = sorted(mentions_in, key=lambda slug: (archive.story(slug).date, slug))
            story_pages = paged(stories, self.stories_per_page, entity.url, "page/")
            page_urls = [url for url, _ in story_pages]
            quotes = self.quotes_of.get((entity.kind, entity.slug), [])
            listing = self.quote_pages_of.get((entity.kind, entity.slug)) or paged([], 1, entity.url, "")
            quote_page_urls = [url for url, _ in listing]
            publishers = sorted({archive.story(o.story).publisher or "" for q in quotes for o in q.occurrences})
            writer.write_file(
                entity.url + "index.html",
                self.get_template("entity"),
                self.context,
                entity=entity,
                entity_quotes=listing[0][1],
                quotes_page_urls=quote_page_urls,
                quotes_count=len(quotes),
                entity_publishers=publishers,
                entity_stories=NamedInStories(archive, story_pages[0][1], mentions_in, starts_of),
                stories_page=1,
                stories_page_urls=page_urls,
                stories_count=len(stories),
                page_name=entity.url,
            )
            for number, (url, page) in enumerate(story_pages[1:], start=2):
                writer.write_file(
                    url + "index.html",
                    self.get_template("entity_stories"),
                    self.context,
                    entity=entity,
                    entity_stories=NamedInStories(archive, page, mentions_in, starts_of),
                    stories_page=number,
                    stories_page_urls=page_urls,
                    stories_count=len(stories),
                    page_name=url,
                )
            for number, (url, page) in enumerate(listing[1:], start=2):
                writer.write_file(
                    url + "index.html",
                    self.get_template("entity_quotes"),
                    self.context,
                    entity=entity,
                    entity_quotes=page,
                    quotes_page=number,
                    quotes_page_urls=quote_page_urls,
                    quotes_count=len(quotes),
                    entity_publishers=publishers,
                    facet_date=min(o.date for q in page for o in q.occurrences),
                    page_name=url,
                )


def paged(items: list, per_page: int, first_url: str, later: str) -> list[tuple[str, list]]:
    """``items`` cut into pages of ``per_page``, in their order, each with its address: the
    first at ``first_url``, page N at ``<first_url><later>N/``. One empty page when there are none."""
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
    return [(first_url if n == 1 else f"{first_url}{later}{n}/", page) for n, page in enumerate(pages, 1)]


def most_printed(quotes, n=QUOTES_PER_SPEAKER_IN_INDEX):
    """The ``n`` quotations printed most often, in their listed order among equals."""
    return sorted(quotes, key=lambda q: -len(q.occurrences))[:n]


class NamedInStories(Sequence):
    """One page of "Stories naming X": for each story slug of ``slugs``, ``(story, [(paragraph
    id, InContext)])``, each sentence naming X once, in order. The sentences are found when the
    page is rendered, not for a page linked from the last build. ``mentions_in``: story slug ->
    X's mentions in it; ``starts_of``: (slug, paragraph id) -> sentence starts, shared by all."""

    def __init__(self, archive, slugs: list[str], mentions_in: dict, starts_of: dict) -> None:
        self.archive, self.slugs, self.mentions_in, self.starts_of = archive, slugs, mentions_in, starts_of
        self._items: list | None = None

    def mention_spans(self) -> list[tuple]:
        """What the sentences are found from, besides the stories' text: each mention's place."""
        return [(m.story, m.paragraph, m.start, m.end) for slug in self.slugs for m in self.mentions_in[slug]]

    def _found(self) -> list:
        if self._items is None:
            self._items = [(self.archive.story(slug), self._sentences(slug)) for slug in self.slugs]
        return self._items

    def _sentences(self, slug: str) -> list:
        found, seen = [], set()
        for m in self.mentions_in[slug]:
            text = paragraph_text(self.archive, slug, m.paragraph)
            key = (slug, m.paragraph)
            if key not in self.starts_of:
                self.starts_of[key] = sentence_starts(text)
            shown = in_sentence(text, m.start, m.end, starts=self.starts_of[key])
            if (m.paragraph, shown.sentence) not in seen:
                seen.add((m.paragraph, shown.sentence))
                found.append((m.paragraph, shown))
        return found

    def __getitem__(self, index):
        return self._found()[index]

    def __len__(self) -> int:
        return len(self.slugs)


def paragraph_text(archive, slug, pid):
    """The printed text of paragraph ``pid`` of story ``slug``."""
    return archive.story(slug).paragraph(pid).text


def add_template_globals(generator):
    context = generator.context

    def fullest_printing(quote):
        """The parts of ``quote``'s fullest printing, exactly as printed (newsarchive.analysis.quotes.printings.printed_parts)."""
        occurrence = quote.occurrences[quote.fullest]
        return printed_parts(occurrence, partial(paragraph_text, context["archive"], occurrence.story))

    generator.env.globals.update(
        quotation_json_ld=quotation_json_ld,
        person_json_ld=person_json_ld,
        fullest_printing=fullest_printing,
        printed_text=printed_text,
        aliases_to_show=aliases_to_show,
    )


def get_generators(pelican):
    return QuotesGenerator


signals.generator_init.connect(add_template_globals)
signals.get_generators.connect(get_generators)


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
