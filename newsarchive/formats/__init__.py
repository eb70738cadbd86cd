"""Input and output formats: saved web pages, web archives."""
