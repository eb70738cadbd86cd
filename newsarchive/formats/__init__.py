"""Formats read and written: story files, captures, saved web pages, web archives, comment
exports, archive.json, citation formats."""
