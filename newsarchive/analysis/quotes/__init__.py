"""Direct quotations in story bodies: extraction, attribution, cross-referencing across stories.

The rules are documented in ``docs/QUOTES.md``. In short:

* Quotation marks: curly ``“`` opens and ``”`` closes; a straight ``"`` opens when no quotation is
  open and closes otherwise; ``''`` as news databases print them, ``„low-high“`` and ``»...«``
  pair by shape. Single quotes are apostrophes or nested quotes: never segments.
* Every quoted stretch is a quotation unless it is a name, a title or markup
  (:func:`is_name_in_quotes`). Its speaker comes from a speech verb attached to it (``"...,"
  X said``, ``said X``, ``X said: "..."``, ``according to X``), from the statement it continues
  (split quote, next paragraph of a multi-paragraph quote), from a speech verb earlier in its
  sentence, from the paragraph before (a whole sentence standing alone), or from the sentence's
  subject (a partial quotation). ``he``/``she`` go to the nearest earlier subject whose gender
  does not contradict them.
* Bad marks never raise: an unclosed or stray mark keeps the quote with speaker unknown and a
  warning at ``path:line``; so does an attribution that resolves to no person.

A module per concern, each importing only those before it:

* ``sentences``: sentence starts, split sentences, the normalized form printings are matched on.
* ``marks``: quotation marks as printed and the quoted segments of a paragraph.
* ``model``: the records (``Fragment``, ``QuoteOccurrence``, ``Quote``, ``DiffOp``).
* ``speakers``: an attribution phrase to a person or organization; genders read from a story.
* ``extraction``: a story's quotations and their speakers (``extract_quotes``).
* ``statements``: printings merged into statements across stories (``cross_reference``,
  ``word_diff``).
* ``printings``: a quote's printings exactly as printed, each compared with the fullest.
* ``analysis``: the whole archive (``analyze``, ``QuoteAnalysis``), with the analysis memo.
"""
