"""Text analyses of the archive: plain functions and dataclasses, no Pelican."""
