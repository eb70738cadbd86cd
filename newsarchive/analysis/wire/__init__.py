"""Shared wire text: passages that two or more stories print, found despite light edits.

The pipeline, a module per step (``docs/WIRE.md`` explains each choice and parameter):

1. Split every paragraph into sentences (very long sentences into chunks) and each sentence
   into normalized word tokens (case-folded, apostrophes and quote styles dropped, hyphens
   split). Normalization is only for matching: every text handed back is as printed.
2. Candidates: an inverted index of word n-grams ("shingles"), built by sorting hashed
   n-grams with numpy. Two sentences are a candidate pair when they share at least
   ``min_shared_shingles`` n-grams; n-grams found in more than ``max_shingle_df`` sentences
   are stock phrases and ignored. No sentence is compared with every other.
3. Verify each candidate with a local alignment on word tokens (an LCS alignment from
   rapidfuzz, scored with gap penalties, best-scoring stretch kept). Accepted pairs are
   extended to neighbouring sentences, so an edited sentence next to a shared one is found
   even when it shares no n-gram.
4. Matches between two stories that follow each other in both become runs; runs that print
   the same sentences are merged, across all stories, into one canonical passage with one
   witness per printing (a paragraph repeated inside one story gives two witnesses).
"""
