"""Text analyses: plain functions over stories, no Pelican."""
