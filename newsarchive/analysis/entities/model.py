"""The entity records: :class:`Entity` (a person or an organization with its roles, aliases and
mentions) and :class:`Mention` (where a story names one). Plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newsarchive.analysis.entities.names import _slug, name_parts
from newsarchive.model.story import ORGANIZATION_URL, PERSON_URL


@dataclass(slots=True)
class Mention:
    """Where an entity is named: story slug, paragraph id, character span, text as printed."""

    story: str
    paragraph: str
    start: int
    end: int
    text: str
    possessive: bool = False


@dataclass
class Entity:
    """A person or an organization, with every role, alias and mention found in the archive."""

    kind: str  # "person" | "organization"
    name: str
    roles: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # how many ways the archive names and describes a person (roles and printed names after pass 2)
    evidence: int = field(default=0, compare=False)

    @property
    def slug(self) -> str:
        return _slug(self.name)

    @property
    def url(self) -> str:
        template = PERSON_URL if self.kind == "person" else ORGANIZATION_URL
        return template.format(slug=self.slug)

    @property
    def first(self) -> str:
        return name_parts(self.name)[0]

    @property
    def last(self) -> str:
        return name_parts(self.name)[1]

    def add_role(self, role: str) -> None:
        role = " ".join(role.split())
        if role and role.lower() not in {r.lower() for r in self.roles}:
            self.roles.append(role)

    def add_alias(self, alias: str) -> None:
        alias = " ".join(alias.split())
        if alias and alias != self.name and alias not in self.aliases:
            self.aliases.append(alias)

    def to_json(self) -> dict:
        return {"slug": self.slug, "name": self.name, "roles": self.roles, "aliases": self.aliases, "url": self.url}
