"""People and organizations named in story bodies: names, roles, aliases and mentions.

No language model: the rules read capitalized-name sequences and weigh evidence.

* A **person** is a run of 1-4 capitalized name words with person evidence somewhere in the
  archive: a title prefix ("Gov.", "Public Safety Secretary", "Attorney General"), a role
  appositive ("Patricia Montes, executive director of Centro Presente"), a party tag
  ("Steven Baddour, D-Methuen") or a speech verb next to it ("Montes said", "said Millona.").
* An **organization** is a capitalized run (which may contain "of", "and", "for", "the") that ends
  or starts with an organization word (Coalition, Department, Union, Police, Centro...), that is
  followed by a parenthesized acronym ("Immigration and Customs Enforcement (ICE)"), that is the
  object of a role ("director of Centro Presente"), or that an appositive calls a group
  ("Centro Presente, a Somerville-based immigrant advocacy group"). Organization evidence beats
  person evidence.
* Names are split into parts with ``nameparser``; people whose first and last names agree
  (``rapidfuzz``, so "Steve"/"Steven" and small misspellings) are one person.
* Mentions: full names, title + name, a bare surname (resolved to the full name in the same
  story first, else to the one person in the archive with that surname), "the Patrick
  administration" (a known surname), acronyms and "ACLU of X" forms of an organization, and
  definite references such as "the coalition" to the nearest preceding organization whose
  name contains that word.

A module per concern, each importing only those before it:

* ``lexicon``: speech verbs, titles, role and organization words, the patterns around a name.
* ``names``: a printed name's parts, slug and title; whether two names are one person or one
  organization.
* ``model``: the records (``Entity``, ``Mention``).
* ``index``: ``EntityIndex`` and the lookups by name it answers with.
* ``chunks``: capitalized runs and titled names in a paragraph.
* ``evidence``: pass 1, what one story says each name is.
* ``merging``: pass 2, names merged into people and organizations.
* ``scan``: pass 3, one story's mentions and roles.
* ``find``: ``find_entities``, the three passes over an archive, with the analysis memo.
"""
