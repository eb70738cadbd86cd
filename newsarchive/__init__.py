"""newsarchive: the story model, text analysis and `archive` CLI behind the news archive site.

Nothing in this package imports Pelican: the Pelican plugins in ``plugins/`` are thin
adapters over these plain modules.
"""

__version__ = "0.1.0"
