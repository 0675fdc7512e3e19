"""Where the shipped data folders (``prompts/``, ``schemas/``) are found.

In a built wheel they live inside the package as ``summarise/_data/<name>``; in a
source checkout or an editable install they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

from summarise.exceptions import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def data_dir(name: str) -> Path:
    """The folder holding the shipped data ``name`` (``"prompts"`` or ``"schemas"``)."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"the '{name}' folder is missing from this installation: reinstall summarise")
