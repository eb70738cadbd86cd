"""The story model every part of the archive reads and extends: stories, their comments, events."""
