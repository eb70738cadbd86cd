"""``content/entities.yml``: an archivist's corrections to the people, organizations and speakers
the analysis finds (the format is described in docs/ARCHIVING.md).

This module reads the file into plain dataclasses, each value with its line, and refuses what
is wrong in the file itself (YAML syntax, unknown keys, a value of the wrong type, a key given
twice, a merge with other changes) as ``path:line: message``. What needs the archive to check
(an unknown slug, a merge cycle, two entities at one address) is checked where the corrections
are applied (``newsarchive/analysis/entity_corrections.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from newsarchive.errors import Problem

CORRECTIONS_FILE = "entities.yml"  # under the content folder
KINDS = ("person", "organization")
# an entity as the file names it: its slug, or its address without the slashes around it
ENTITY_REF_RE = re.compile(r"^(?:(?P<folder>people|organizations)/)?(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)/?$")
ENTITY_KEYS = {"name", "kind", "roles", "merge_into", "split"}
PART_KEYS = {"name", "kind", "roles", "stories"}
SPEAKER_KEYS = {"story", "paragraph", "text", "speaker"}


@dataclass
class EntityRef:
    """An entity as the file names it: a slug, maybe with its folder (``people/jane-roe``)."""

    slug: str
    kind: str | None  # "person" or "organization" when the folder is given
    line: int

    def __str__(self) -> str:
        return {"person": "people/", "organization": "organizations/", None: ""}[self.kind] + self.slug


@dataclass
class SplitPart:
    """One of the entities a wrongly merged entity is split into: it takes the mentions in ``stories``."""

    name: str
    stories: list[str]
    line: int
    kind: str | None = None  # None: the kind of the entity split
    roles: list[str] | None = None


@dataclass
class EntityCorrection:
    """What the file changes about one entity (every field optional, ``merge_into`` alone)."""

    entity: EntityRef
    name: str | None = None
    kind: str | None = None
    roles: list[str] | None = None
    merge_into: EntityRef | None = None
    split: list[SplitPart] = field(default_factory=list)


@dataclass
class SpeakerCorrection:
    """The speaker of the quotation that begins in ``paragraph`` of ``story`` (the one whose text
    contains ``text``, when given); ``speaker`` None: speaker unknown."""

    story: str
    paragraph: str
    speaker: EntityRef | None
    line: int
    text: str | None = None


@dataclass
class Corrections:
    path: str
    entities: list[EntityCorrection] = field(default_factory=list)
    speakers: list[SpeakerCorrection] = field(default_factory=list)


def corrections_path(content_root: Path) -> Path:
    return content_root / CORRECTIONS_FILE


def read_corrections(content_root: Path) -> tuple[Corrections | None, list[Problem]]:
    """The corrections of ``content_root/entities.yml`` and the problems of the file itself.
    (None, []) when there is no such file; (None, problems) when it cannot be read at all."""
    path = corrections_path(content_root)
    if not path.is_file():
        return None, []
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        return None, [Problem(where, 1, "not UTF-8 text")]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        return None, [Problem(where, mark.line + 1 if mark else 1, f"not valid YAML: {err.problem or err}")]
    except (OSError, yaml.YAMLError) as err:
        return None, [Problem(where, 1, f"cannot be read: {err}")]
    reader = _Reader(where)
    corrections = Corrections(where)
    if root is None:
        return corrections, []
    for key, value in reader.mapping(root, {"entities", "quotations"}, "the file"):
        if key == "entities":
            for ref_node, fix in reader.mapping(value, None, "entities"):
                ref = reader.entity_ref(ref_node)
                if ref is not None:
                    correction = reader.entity_correction(ref, fix)
                    if correction is not None:
                        corrections.entities.append(correction)
        elif key == "quotations":
            for item in reader.sequence(value, "quotations"):
                speaker = reader.speaker_correction(item)
                if speaker is not None:
                    corrections.speakers.append(speaker)
    return corrections, sorted(reader.problems, key=lambda p: (p.line or 0, p.message))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Reads the composed YAML nodes, noting each problem with its line."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | int, message: str) -> None:
        self.problems.append(Problem(self.path, node if isinstance(node, int) else _line(node), message))

    def mapping(self, node: yaml.Node, allowed: set[str] | None, what: str) -> list[tuple]:
        """(key, value node) pairs of a mapping; for ``allowed`` keys, the key's text, else its node."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what}: expected a mapping (key: value lines)")
            return []
        seen: dict[str, int] = {}
        pairs = []
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                self.problem(key_node, f"{what}: a key must be a plain word")
                continue
            if key in seen:
                self.problem(key_node, f"conflict: {key!r} is given twice in {what} (first at line {seen[key]})")
                continue
            seen[key] = _line(key_node)
            if allowed is not None and key not in allowed:
                self.problem(key_node, f"{what}: unknown key {key!r} (expected {', '.join(sorted(allowed))})")
                continue
            pairs.append((key if allowed is not None else key_node, value))
        return pairs

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what}: expected a list (lines starting with '- ')")
            return []
        return list(node.value)

    def text(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not node.value.strip():
            self.problem(node, f"{what}: expected a text on one line")
            return None
        return " ".join(node.value.split())

    def texts(self, node: yaml.Node, what: str) -> list[str] | None:
        items = [self.text(item, what) for item in self.sequence(node, what)]
        return None if None in items else items

    def kind(self, node: yaml.Node) -> str | None:
        value = self.text(node, "kind")
        if value is not None and value not in KINDS:
            self.problem(node, f"kind: expected person or organization, not {value!r}")
            return None
        return value

    def entity_ref(self, node: yaml.Node) -> EntityRef | None:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        m = ENTITY_REF_RE.match(value or "")
        if not m:
            self.problem(
                node, f"{value!r} is not an entity's slug (as in its address: people/SLUG/, organizations/SLUG/)"
            )
            return None
        kind = {"people": "person", "organizations": "organization"}.get(m["folder"])
        return EntityRef(m["slug"], kind, _line(node))

    def entity_correction(self, ref: EntityRef, node: yaml.Node) -> EntityCorrection | None:
        fields = self.mapping(node, ENTITY_KEYS, str(ref))
        fix = EntityCorrection(ref)
        for key, value in fields:
            if key == "name":
                fix.name = self.text(value, "name")
            elif key == "kind":
                fix.kind = self.kind(value)
            elif key == "roles":
                fix.roles = self.texts(value, "roles")
            elif key == "merge_into":
                fix.merge_into = self.entity_ref(value)
            elif key == "split":
                fix.split = [p for p in map(self.split_part, self.sequence(value, "split")) if p]
        if fix.merge_into is not None and len(fields) > 1:
            others = ", ".join(k for k, _ in fields if k != "merge_into")
            self.problem(node, f"conflict: {ref} is merged into {fix.merge_into} and also given {others}")
            return None
        return fix

    def split_part(self, node: yaml.Node) -> SplitPart | None:
        fields = dict(self.mapping(node, PART_KEYS, "a part of split"))
        if "name" not in fields or "stories" not in fields:
            self.problem(node, "a part of split needs a name and its stories")
            return None
        name, stories = self.text(fields["name"], "name"), self.texts(fields["stories"], "stories")
        if name is None or not stories:
            if stories == []:
                self.problem(fields["stories"], "stories: list the stories (slugs) whose mentions this part takes")
            return None
        part = SplitPart(name, stories, _line(node))
        if "kind" in fields:
            part.kind = self.kind(fields["kind"])
        if "roles" in fields:
            part.roles = self.texts(fields["roles"], "roles")
        return part

    def speaker_correction(self, node: yaml.Node) -> SpeakerCorrection | None:
        fields = dict(self.mapping(node, SPEAKER_KEYS, "a quotation"))
        missing = [k for k in ("story", "paragraph", "speaker") if k not in fields]
        if missing:
            self.problem(node, f"a quotation needs {', '.join(missing)} (story, paragraph and speaker)")
            return None
        story, paragraph = self.text(fields["story"], "story"), self.text(fields["paragraph"], "paragraph")
        speaker_node = fields["speaker"]
        unknown = isinstance(speaker_node, yaml.ScalarNode) and speaker_node.tag.endswith(":null")
        speaker = None if unknown else self.entity_ref(speaker_node)
        text = self.text(fields["text"], "text") if "text" in fields else None
        if story is None or paragraph is None or (speaker is None and not unknown):
            return None
        if not re.fullmatch(r"p[1-9][0-9]*", paragraph):
            self.problem(fields["paragraph"], f"paragraph: expected a paragraph id such as p3, not {paragraph!r}")
            return None
        return SpeakerCorrection(story, paragraph, speaker, _line(node), text)
