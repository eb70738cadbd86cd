"""A short fingerprint of the code that turns content into pages (for cache keys)."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("newsarchive", "plugins")
# The libraries whose output a cached page or memo holds: a new version of any of them renders
# or reads differently, so nothing made under the old one may be reused.
RENDERING_LIBRARIES = ("pelican", "Jinja2", "MarkupSafe", "Markdown", "nh3", "pagefind")


def library_versions() -> list[str]:
    """``name==version`` for each of :data:`RENDERING_LIBRARIES` (``name==missing`` if absent)."""
    found = []
    for name in RENDERING_LIBRARIES:
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}==missing")
    return found


def code_version(root: Path = ROOT) -> str:
    """sha256 (12 hex digits) over every .py file of the package and the plugins and the versions
    of the libraries that render pages: it changes whenever either does."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    for pinned in library_versions():
        digest.update(pinned.encode())
    return digest.hexdigest()[:12]
