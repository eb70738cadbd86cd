"""archive_core makes Pelican's per-category, per-tag and per-author filtering of its articles
linear (plugins/archive_core/plugin.py: quick_listing_membership)."""

from __future__ import annotations

from types import SimpleNamespace

from plugins.archive_core.plugin import quick_listing_membership


class Article:  # like Pelican's: no __eq__, so `in` on a list is by identity
    def __init__(self, title: str) -> None:
        self.title = title


def test_groups_keep_their_articles_and_answer_in_by_identity():
    a, b, c = Article("a"), Article("b"), Article("c")
    generator = SimpleNamespace(categories=[("one", [a, b])], authors=[("x", [c])], tags={"t": [b, c]})
    context = {"categories": generator.categories, "tags": generator.tags}  # Pelican's context shares them
    quick_listing_membership(generator)
    (name, articles), (_, by_author) = generator.categories[0], generator.authors[0]
    assert name == "one" and articles == [a, b] and isinstance(articles, list)
    assert a in articles and c not in articles and Article("a") not in articles
    assert [x for x in (a, b, c) if x in generator.tags["t"]] == [b, c] and c in by_author
    assert context["categories"][0][1] is articles and context["tags"]["t"] is generator.tags["t"]
    assert articles[:1] == [a]  # slices (pagination) are plain lists of the same articles
