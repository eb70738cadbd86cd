"""Text analyses over stories: quotations and speakers, people and organizations, shared wire
copy, comments that quote a story, commenters. Plain functions: no Pelican, no files."""
