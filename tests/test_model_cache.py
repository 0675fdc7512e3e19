"""The embedded model's file: assembled once into a cache every store folder shares, hashed once.

The model here is a small made-up one (three parts of a few bytes, written by the test): no real
model is joined or loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from summarise.exceptions import ModelUnavailableError
from summarise.llm import embedded
from summarise.llm.embedded import EmbeddedModel, ensure_gguf, model_cache_dir

PARTS = [b"GGUF" + bytes(range(40)), bytes(range(40, 90)), b"tail of the model"]


@dataclass(frozen=True)
class _SmallModel(EmbeddedModel):
    folder: Path = Path()

    def part_path(self, number: int) -> Path:
        return self.folder / f"part{number:02d}.bin"


def small_model(folder: Path) -> _SmallModel:
    folder.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(PARTS, 1):
        (folder / f"part{number:02d}.bin").write_bytes(data)
    whole = b"".join(PARTS)
    return _SmallModel(
        name="tiny", description="made up by the test", package="none", distribution="none", version="0",
        parts=len(PARTS), size=len(whole), sha256=hashlib.sha256(whole).hexdigest(), extra="none", folder=folder,
    )  # fmt: skip


def test_two_store_folders_share_one_assembled_model(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model = small_model(tmp_path / "parts")
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path / "home-one"))
    first = ensure_gguf(model)
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path / "home-two"))
    assert ensure_gguf(model) == first and first.parent == model_cache_dir()
    assert not (tmp_path / "home-one").exists() and not (tmp_path / "home-two").exists()
    assert first.read_bytes() == b"".join(PARTS)


def test_the_model_is_hashed_once_and_again_only_when_it_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARISE_MODEL_CACHE", str(tmp_path / "models"))
    model = small_model(tmp_path / "parts")
    hashed: list[Path] = []
    real_sha256_of = embedded.sha256_of
    monkeypatch.setattr(embedded, "sha256_of", lambda path: hashed.append(path) or real_sha256_of(path))
    path = ensure_gguf(model)  # joined and hashed while joining
    ensure_gguf(model)
    ensure_gguf(model)
    assert hashed == []  # the check made while joining is remembered
    path.write_bytes(b"X" + path.read_bytes()[1:])  # same size, damaged
    with pytest.raises(ModelUnavailableError, match="is damaged"):
        ensure_gguf(model)
    assert hashed == [path]


def test_a_model_an_earlier_release_assembled_in_the_store_folder_is_used_where_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path / "home"))
    model = small_model(tmp_path / "parts")
    earlier = tmp_path / "home" / "models" / model.filename
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"".join(PARTS))
    assert ensure_gguf(model) == earlier
    assert not (model_cache_dir() / model.filename).exists()  # not joined again
