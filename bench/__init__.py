"""Benchmark harness: synthetic archives (``bench.corpus``) and ``make bench`` (``bench.run``)."""
