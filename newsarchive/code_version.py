"""A short fingerprint of the code that turns content into pages (for cache keys)."""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("newsarchive", "plugins")


def code_version(root: Path = ROOT) -> str:
    """sha256 (12 hex digits) over every .py file of the package and the plugins."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
