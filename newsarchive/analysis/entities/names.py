"""Printed names as strings: a name's parts and slug, a title stripped, whether a capitalized run
can be a person's name or an organization's, and whether two printed names are one person
(``rapidfuzz`` on first and last names) or one organization (initials, "of" tail, spelling).
Pure functions of their arguments, remembered per name.
"""

from __future__ import annotations

import functools
import re

from nameparser import HumanName
from rapidfuzz import fuzz

from newsarchive.analysis.entities.lexicon import (
    ACRONYM_RE,
    CONNECTORS,
    GROUP_WORDS,
    LEADING_STOP,
    NAME_PART,
    ORG_WORDS,
    TITLE_ALT,
)
from newsarchive.model.story import url_slug


@functools.lru_cache(maxsize=65536)
def _slug(name: str) -> str:
    return url_slug(name, "name")  # a run of capitalized words may be very long: its slug is cut


@functools.lru_cache(maxsize=65536)
def name_parts(name: str) -> tuple[str, str]:
    """(first, last) of a name, lowercase; a single word is a last name."""
    words = name.split()
    if len(words) == 1:
        return "", words[0].lower()
    parsed = HumanName(name)
    return parsed.first.lower(), (parsed.last or words[-1]).lower()


STRIP_TITLE_RE = re.compile(rf"^(?:[A-Z][A-Za-z.-]*\s){{0,3}}?(?:{TITLE_ALT})\s(?P<rest>.+)$")
POSSESSIVE_END_RE = re.compile(r"['’]s?$")


@functools.lru_cache(maxsize=65536)
def strip_title(name: str) -> str:
    m = STRIP_TITLE_RE.match(name.strip())
    name = m["rest"] if m else name.strip()
    return POSSESSIVE_END_RE.sub("", name)


def _same_person(a: str, b: str) -> bool:
    fa, la = name_parts(a)
    fb, lb = name_parts(b)
    if not (fa and fb) or fuzz.ratio(la, lb) < 90:
        return False
    return fa == fb or fa.startswith(fb) or fb.startswith(fa) or fuzz.ratio(fa, fb) >= 80


@functools.lru_cache(maxsize=65536)
def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 4 or words[0] in LEADING_STOP or (len(words) == 1 and text in GROUP_WORDS):
        return False
    if any(w.lower() in ORG_WORDS for w in words):
        return False
    initial_first = re.fullmatch(r"[A-Z]\.", words[0]) and len(words) < 3  # "J. Gerald Hobart" is a name
    return all(re.fullmatch(NAME_PART, w) for w in words) and not initial_first


@functools.lru_cache(maxsize=65536)
def _is_org_name(text: str) -> bool:
    """Ends (or its part before "of" ends) or starts with an organization word, or is "ACRONYM of X"."""
    head = text.split(" of ")[0]
    words, head_words = text.lower().split(), head.lower().split()
    if not words:
        return False
    if words[-1] in ORG_WORDS or head_words[-1] in ORG_WORDS or (words[0] in ORG_WORDS and len(words) > 1):
        return True
    return " of " in text and bool(ACRONYM_RE.match(head))


def _org_signature(name: str) -> tuple[str, str]:
    """(initials of the head, the "of ..." tail): 'ACLU of Massachusetts' == 'American ... Union of Massachusetts'."""
    head, _, tail = name.partition(" of ")
    if ACRONYM_RE.match(head):
        initials = head
    else:
        initials = "".join(w[0] for w in head.split() if w.lower() not in CONNECTORS and w[0].isupper())
    return initials.upper(), tail.lower()


def _same_org(a: str, b: str) -> bool:
    if a.lower() == b.lower():
        return True
    head_a, head_b = a.partition(" of ")[0], b.partition(" of ")[0]
    if ACRONYM_RE.match(head_a) or ACRONYM_RE.match(head_b):
        return _org_signature(a) == _org_signature(b)
    return fuzz.ratio(a.lower(), b.lower()) >= 94
