"""citations: a "Cite this" box on every story and quotation page, Highwire ``citation_*`` meta
tags in their heads, and a story's BibTeX, RIS and CSL-JSON downloads beside its page
(``stories/<slug>/cite.bib``, ``cite.ris``, ``cite.json``).

Thin glue over ``newsarchive.formats.citation``: template globals that give a page its
citation, and a generator that writes the downloads. Comes after ``quotes_people`` in
``PLUGINS`` (a quotation's citation names the story that first printed it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from newsarchive.analysis.quotes.printings import printed_parts, printed_text
from newsarchive.formats import citation
from newsarchive.model.story import Story
from newsarchive.site.progress import TimedStages


@dataclass(frozen=True)
class PageCitation:
    """What a page's template shows: the three strings, the meta tags and the downloads' URLs
    (site-relative; empty for a page with none)."""

    url: str
    chicago: citation.Formatted
    mla: citation.Formatted
    apa: citation.Formatted
    meta: list[tuple[str, str]]
    downloads: list[tuple[str, str]]  # (label, site-relative URL)

    @property
    def styles(self) -> list[tuple[str, Markup]]:
        return [("Chicago", self.chicago.html), ("MLA", self.mla.html), ("APA", self.apa.html)]


DOWNLOAD_LABELS = {"cite.bib": "BibTeX", "cite.ris": "RIS", "cite.json": "CSL-JSON"}


def page_citation(ref: citation.Reference, downloads_in: str = "") -> PageCitation:
    downloads = [(DOWNLOAD_LABELS[name], downloads_in + name) for name in citation.DOWNLOADS] if downloads_in else []
    return PageCitation(
        ref.url, citation.chicago(ref), citation.mla(ref), citation.apa(ref), citation.meta_tags(ref), downloads
    )


def _story_reference(story: Story, settings) -> citation.Reference:
    return citation.story_reference(
        story, settings.get("SITEURL", ""), settings.get("SITENAME", ""), settings.get("DEFAULT_LANG", "")
    )


def first_printing(quote, archive) -> Story:
    """The story that printed ``quote`` first (earliest date, then slug)."""
    return min((archive.story(o.story) for o in quote.occurrences), key=lambda s: (s.date, s.slug))


def add_template_globals(generator):
    settings, context = generator.settings, generator.context

    def story_citation(story: Story) -> PageCitation:
        return page_citation(_story_reference(story, settings), story.url)

    def quote_citation(quote, speaker) -> PageCitation:
        story = first_printing(quote, context["archive"])
        printing = next(o for o in quote.occurrences if o.story == story.slug)
        ref = citation.quotation_reference(
            quote.id,
            quote.url,
            printed_text(
                printed_parts(printing, lambda pid: story.paragraph(pid).text), marks=False
            ),  # as printed there
            speaker.name if speaker else "",
            story,
            settings.get("SITEURL", ""),
            settings.get("SITENAME", ""),
            settings.get("DEFAULT_LANG", ""),
        )
        return page_citation(ref)

    generator.env.globals.update(story_citation=story_citation, quote_citation=quote_citation)


class CitationsGenerator(TimedStages, Generator):
    """Writes each story's downloads beside its page (hidden stories too: their pages link them)."""

    stage_name = "citations"

    def _generate_context(self):
        pass

    def _generate_output(self, writer):
        """Each download made from the story's citation (its ``repr`` is everything the formats
        read): a rebuild links the last build's file when the citation is the same."""
        articles = self.context.get("articles", []) + self.context.get("hidden_articles", [])
        for story in (a.story for a in articles if hasattr(a, "story")):
            ref = _story_reference(story, self.settings)
            for name, write in citation.DOWNLOADS.items():
                writer.write_made(story.url + name, repr(ref), partial(write, ref))


def get_generators(pelican):
    return CitationsGenerator


signals.generator_init.connect(add_template_globals)
signals.get_generators.connect(get_generators)


def register():
    """Receivers are connected at import time (blinker holds them weakly)."""
