"""How cache keys tell one model from another, computed without importing any SDK."""

from __future__ import annotations

from pathlib import Path

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def openai_identity(model: str, base_url: str | None) -> str:
    """An endpoint's model: its name and the endpoint (never the key)."""
    return f"openai:{model}@{base_url or 'api.openai.com'}"


def local_identity(model: str, gguf_path: Path | None, sha256: str | None) -> str:
    """A GGUF model: its name and file hash, or (for an unpinned file) its size and modification time."""
    if sha256:
        return f"local:{model}@{sha256[:12]}"
    if gguf_path is None:
        raise ValueError("a local model needs its file hash or its path")
    stat = gguf_path.stat()
    return f"local:{model}@{gguf_path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
