"""Vanilla Pelican for the benchmark baseline: no plugins, the default theme, default settings.

Only what every site sets is set here; ``bench.run`` passes the content directory and the output
directory on the command line, so vanilla reads exactly the same story files as the full build.
"""

SITENAME = "Benchmark baseline"
SITEURL = ""
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"
PLUGINS = []
