"""Prompt templates: plain files in ``prompts/``, hashed as one versioned set.

The hash of every template file (names and bytes) is the ``prompt_hash`` recorded
with every model call, every cache key and every recorded fixture: changing a
prompt invalidates the cache and the recordings that depend on it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from summarise.exceptions import ConfigError
from summarise.extraction.resources import data_dir


@dataclass(frozen=True)
class PromptSet:
    """The loaded templates and their combined hash."""

    directory: Path
    templates: dict[str, str]
    hash: str

    def render(self, name: str, **values: object) -> str:
        """Fill template ``name`` with ``values``; a missing value is an error."""
        try:
            template = self.templates[name]
        except KeyError:
            raise ConfigError(f"prompt template '{name}.txt' is missing from {self.directory}") from None
        try:
            return Template(template).substitute({k: str(v) for k, v in values.items()})
        except KeyError as missing:
            raise ConfigError(f"prompt template '{name}.txt' needs a value for {missing}") from None


def hash_templates(templates: dict[str, str]) -> str:
    """A short stable hash of a set of templates."""
    digest = hashlib.sha256()
    for name in sorted(templates):
        digest.update(name.encode() + b"\0" + templates[name].encode() + b"\0")
    return digest.hexdigest()[:12]


@lru_cache(maxsize=4)
def load_prompts(directory: Path | None = None) -> PromptSet:
    """Load every ``*.txt`` template of ``directory`` (default: the shipped ``prompts/``)."""
    folder = directory or data_dir("prompts")
    templates = {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    if not templates:
        raise ConfigError(f"no prompt templates (*.txt) in {folder}")
    return PromptSet(folder, templates, hash_templates(templates))
