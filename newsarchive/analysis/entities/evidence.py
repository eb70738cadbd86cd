"""Pass 1, one story at a time (:func:`story_evidence`): what the story says about each name: a
person (a title, a role appositive, a party tag, a speech verb next to it), an organization (an
organization word, a parenthesized acronym, an appositive calling it a group), or a place (a name
after "in", "near", ...). A pure function of the story.
"""

from __future__ import annotations

import re

from newsarchive.analysis.entities.chunks import _Chunk, _chunks, _mask, _titles
from newsarchive.analysis.entities.lexicon import (
    AFTER_NAME,
    AFTER_QUOTATION_RE,
    APPOSITIVE_RE,
    CLAUSE_END_RE,
    GROUP_HEADS,
    LEADING_STOP,
    LOWER_WORD_AFTER_RE,
    ORG_APPOSITIVE_RE,
    PAREN_ACRONYM_RE,
    PARTY_RE,
    ROLE_BEFORE_RE,
    ROLE_NOUNS,
    SENTENCE_START_RE,
    SPEECH_AFTER_RE,
    SPEECH_BEFORE_RE,
    SPEECH_ROLE_BEFORE_RE,
    TITLES,
    after_place_word,
    after_preposition,
)
from newsarchive.analysis.entities.names import _is_name, _is_org_name
from newsarchive.model.story import Story


def _role_text(role: str) -> str:
    return re.sub(r"^(?:the|a|an)\s", "", role.strip())


def _appositive_role(after: str) -> str | None:
    m = PARTY_RE.match(after)
    if m:
        return m["role"]
    m = APPOSITIVE_RE.match(after)
    if not m:
        return None
    role = m["role"].strip()
    words = re.findall(r"[A-Za-z-]+", role.split(" of ")[0].split(" for ")[0].split(" at ")[0])
    if len(role.split()) > 20 or not any(w.lower() in ROLE_NOUNS for w in words):
        return None
    if role[0].isupper() and role.split()[0] not in ("The", "A", "An"):
        return None  # "Smith, Jones and Brown": a list, not a role
    return role


def _has_role_noun(text: str) -> bool:
    return any(w.lower() in ROLE_NOUNS for w in re.findall(r"[A-Za-z-]+", text))


def _subject(text: str, c: _Chunk) -> bool:
    """Whether the name ``c`` can be the subject of the speech verb after it: not a preposition's
    object, and not one word that starts a sentence (which any word capitalizes there; a name
    named only so is a person if other evidence says so: a full name, a title, "said X")."""
    if after_preposition(text, c.start):
        return False
    if " " in c.text or (c.text not in GROUP_HEADS and AFTER_QUOTATION_RE.search(text, max(0, c.start - 4), c.start)):
        return True  # '“How are you?” Miller said': the word after a quotation, before its verb, names who spoke
    return not SENTENCE_START_RE.search(text, max(0, c.start - 6), c.start)


def story_evidence(story: Story) -> list[tuple[str, str, str | None]]:
    """Pass 1 for one story: the evidence it gives, in text order, as ``("person", name, role or
    None)``, ``("organization", name, description or None)``, ``("acronym", acronym, name)`` and
    ``("place", name, None)`` (a name after "in", "near", ...)."""
    out: list[tuple[str, str, str | None]] = []
    for para in story.paragraphs:
        text = para.text
        titled = _titles(text)
        for m in titled:
            if not _is_name(m["name"]):
                continue
            mods = [w for w in m["mods"].split() if w not in LEADING_STOP]
            role = TITLES[m["title"]]
            out.append(("person", m["name"], " ".join(mods + [role]) if role else None))
        for c in _chunks(_mask(text, [m.span() for m in titled])):
            # the speech verb before a name ends right before it: 20 characters hold the longest one
            after, before = text[c.end : c.end + AFTER_NAME], text[max(0, c.start - 20) : c.start]
            # a role right before the name ("spokesman Tom Reyes"), maybe after a speech verb: a longer look back
            role_before = ROLE_BEFORE_RE.search(text, max(0, c.start - 20), c.start)
            speech_before = SPEECH_BEFORE_RE.search(before) or (
                role_before and SPEECH_ROLE_BEFORE_RE.search(text, max(0, c.start - 80), c.start)
            )
            acr = PAREN_ACRONYM_RE.match(after)
            if acr and len(c.text.split()) > 1:
                out.append(("acronym", acr["acr"], c.text))
                continue
            if _is_org_name(c.text):
                out.append(("organization", c.text, None))
            org_appos = ORG_APPOSITIVE_RE.match(after)
            if org_appos and _has_role_noun(org_appos["d"]):
                org_appos = None  # "Tom Reyes, a senior adviser on the Ortiz campaign": a person's role
            if org_appos and (len(c.text.split()) > 1 or _is_org_name(c.text)):
                out.append(("organization", c.text, org_appos["d"]))
                continue
            if not _is_name(c.text) or c.possessive:
                continue
            if after_place_word(text, c.start):
                out.append(("place", c.text, None))
                continue
            role = _appositive_role(after)
            if role:
                out.append(("person", c.text, None))  # the role itself is read in pass 3, with references resolved
                for obj in re.finditer(r"\b(?:of|for|at|with)\s(?:the\s)?(?P<org>[A-Z].*)$", role):
                    out.extend(
                        ("organization", oc.text, None)
                        for oc in _chunks(obj["org"])
                        if not LOWER_WORD_AFTER_RE.match(obj["org"], oc.end) or _is_org_name(oc.text)
                    )
            elif speech_before and CLAUSE_END_RE.match(after):
                out.append(("person", c.text, None))  # "said Millona."
            elif role_before and " " in c.text:
                out.append(("person", c.text, None))  # "spokesman Tom Reyes"
            elif SPEECH_AFTER_RE.match(after) and _subject(text, c):
                out.append(("person", c.text, None))  # "Montes said"
    return out
