"""Recorded exchanges: the ``replay`` backend and the recorder that writes them.

A recording is one readable JSON file per request in a fixtures folder, named by the
request's key (:func:`summarise.llm.base.request_key`). It says how it was recorded:
backend, model, GGUF hash, runtime, prompt hash and date. Replay answers a request
from its recording and nothing else: a request without one is an error that names
the missing key.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from summarise.exceptions import ConfigError, ReplayMissingError
from summarise.llm.base import ChatBackend, WrappingBackend, request_key
from summarise.llm.capabilities import RECORDED
from summarise.llm.registry import BackendConfig, Progress, Registration

if TYPE_CHECKING:  # the SDK's types are imported when a recording is read, not when the backend is named
    from openai.types.chat import ChatCompletion

FORMAT_VERSION = 1
#: The folder of recordings unless ``--replay-dir`` or ``SUMMARISE_REPLAY_DIR`` says otherwise.
DEFAULT_REPLAY_DIR = Path("fixtures/llm")


class ReplayBackend(ChatBackend):
    """Answers from recorded exchanges only."""

    name: ClassVar[str] = "replay"

    def __init__(self, directory: Path, model: str = "replay") -> None:
        self.directory = directory
        self.model = model

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """The recorded answer to ``request``."""
        key = request_key(request)
        path = self.directory / f"{key}.json"
        if not path.is_file():
            raise ReplayMissingError(key, str(self.directory))
        recording = json.loads(path.read_text(encoding="utf-8"))
        from openai.types.chat import ChatCompletion

        return ChatCompletion.model_validate(recording["response"])


def _identity(config: BackendConfig) -> str:
    return f"replay:{config.model or 'replay'}"


def _build(config: BackendConfig, progress: Progress | None) -> ReplayBackend:
    directory = config.replay_dir or DEFAULT_REPLAY_DIR
    if not directory.is_dir():
        raise ConfigError(f"replay folder {directory} does not exist: pass --replay-dir or set SUMMARISE_REPLAY_DIR")
    return ReplayBackend(directory, model=config.model or "replay")


#: The ``replay`` backend: recorded exchanges answer, as well as the recording's model did.
REGISTRATION = Registration("replay", _identity, lambda config: RECORDED, _build)


#: What ``recorded_with`` says of the recording itself, beside the backend's own description.
_RECORDING_KEYS = frozenset({"prompt_hash", "first_prompt_hash", "story_hash", "date", "how"})


class RecordingBackend(WrappingBackend):
    """Passes requests to a real backend and writes each exchange as a fixture."""

    name: ClassVar[str] = "recording"

    def __init__(self, inner: ChatBackend, directory: Path, prompt_hash: str, story_hash: str = "none") -> None:
        super().__init__(inner)
        self.directory = directory
        self.prompt_hash = prompt_hash
        self.story_hash = story_hash

    def complete(self, request: dict[str, Any]) -> ChatCompletion:
        """Answer with the real backend and save the exchange.

        An exchange already in the folder (the same request, so the same prompt text, to the
        same backend, model and runtime) is reused: an interrupted recording resumes
        where it stopped, and a change that alters some requests costs only those. A reused
        exchange recorded under another prompt set (a change to other prompts) is stamped with
        the current ``prompt_hash`` and keeps its first ``date`` and the hash it was recorded with.
        """
        key = request_key(request)
        reused = self._recorded(key)
        if reused is not None:
            return reused
        response = self.inner.complete(request)
        self.directory.mkdir(parents=True, exist_ok=True)
        recording = {
            "format": FORMAT_VERSION,
            "key": key,
            "recorded_with": {
                **self.inner.describe(),
                "prompt_hash": self.prompt_hash,
                "story_hash": self.story_hash,
                "date": dt.date.today().isoformat(),
                "how": "summarise record (see README, 'Recorded fixtures')",
            },
            "request": {k: v for k, v in request.items() if k not in ("extra_headers", "timeout")},
            "response": response.model_dump(mode="json", exclude_none=True),
        }
        path = self.directory / f"{key}.json"
        path.write_text(json.dumps(recording, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return response

    def _recorded(self, key: str) -> ChatCompletion | None:
        path = self.directory / f"{key}.json"
        try:
            recording = json.loads(path.read_text(encoding="utf-8"))
            how = recording["recorded_with"]
            made_by = {k: v for k, v in how.items() if k not in _RECORDING_KEYS}
            if made_by != self.inner.describe():
                return None  # another backend, model, runtime or runtime setting
            from openai.types.chat import ChatCompletion

            response = ChatCompletion.model_validate(recording["response"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if how.get("prompt_hash") != self.prompt_hash:
            how.setdefault("first_prompt_hash", how.get("prompt_hash"))
            how["prompt_hash"] = self.prompt_hash
            path.write_text(json.dumps(recording, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        path.touch()  # still in use: a folder's untouched recordings are the stale ones
        return response

    def close(self) -> None:
        """Close the real backend."""
        self.inner.close()
