"""llama.cpp itself: a GGUF model loaded by llama-cpp-python, answering chat-completion requests.

This is the code that runs in the engine's worker process (:mod:`summarise.llm.worker`); the
``local`` backend (:mod:`summarise.llm.local`) talks to it from the command's process, so that
native code that crashes costs one clear error, not the run. It imports neither ``openai`` nor
pydantic: it returns plain dictionaries.

llama-cpp-python does not accept a ``response_format`` of type ``json_schema``; it constrains
decoding with ``{"type": "json_object", "schema": ...}``, so that is what the schema instructor
sends is turned into. Decoding is greedy (temperature 0) with a fixed seed, so one prompt gives
one answer. The model is loaded once and kept: successive requests that share a prefix (the
article) reuse its evaluation.

The schema is enforced by :class:`GreedyGrammar`, which gives the same tokens as
llama-cpp-python's own grammar sampling, faster: llama-cpp-python checks every token of the
vocabulary (151,000 for Qwen) against the grammar at every step, which cost a third of the
decoding time here; greedy decoding only needs to know whether the most likely token is
allowed, and only when it is not are the others checked.
"""

from __future__ import annotations

import ctypes
import json
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from summarise.exceptions import ContextOverflowError, ModelUnavailableError

#: The text ``measure_speed`` reads (any plain English prose does; this one is fixed so that every
#: machine reads the same tokens).
SPEED_TEXT = (
    "A coalition brief lists who is in which coalition, who said what, what happened when, which "
    "figures were reported and where the sources disagree. Every fact carries the words of each "
    "article that states it, quoted by the code from the article itself. "
)


class LlamaEngine:
    """One GGUF model in this process, loaded on first use (building the engine loads nothing)."""

    def __init__(self, gguf_path: str, *, n_ctx: int = 8192, n_threads: int | None = None, seed: int = 0) -> None:
        self.gguf_path = Path(gguf_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(os.cpu_count() or 1, 1)
        self.seed = seed
        self._llama: Any = None

    @property
    def llama(self) -> Any:
        """The loaded ``llama_cpp.Llama`` (loading it first)."""
        if self._llama is None:
            Llama = _llama_cpp().Llama
            try:
                # No flash attention: 20 % faster prompt reading and 10 % faster decoding here, but its different
                # rounding flips greedy answers of this small model (measured: a coalition named after a country).
                self._llama = Llama(
                    model_path=str(self.gguf_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    seed=self.seed,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as error:
                raise ModelUnavailableError(f"cannot load {self.gguf_path}: {error}") from None
        return self._llama

    def load(self) -> None:
        """Load the model now (else the first request does)."""
        self.llama  # noqa: B018 - loading is the point

    def system_info(self) -> str:
        """What the engine was compiled with: ``CPU : SSE3 = 1 | AVX2 = 1 | ... | AMX_INT8 = 1 |``."""
        info = _llama_cpp().llama_print_system_info()
        return info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)

    def complete(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one chat-completions request, schema-constrained when it carries a schema."""
        llama = self.llama
        arguments: dict[str, Any] = {
            "messages": request["messages"],
            "temperature": request.get("temperature", 0) or 0,
            "max_tokens": request.get("max_tokens") or 800,
            "seed": self.seed,
        }
        response_format = request.get("response_format")
        schema = None
        if response_format and response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
        elif response_format:
            arguments["response_format"] = response_format
        try:
            if schema is not None and not arguments["temperature"]:
                return _greedy_with_grammar(llama, arguments, schema)
            if schema is not None:
                return llama.create_chat_completion(
                    **arguments, response_format={"type": "json_object", "schema": schema}
                )
            return llama.create_chat_completion(**arguments)
        except ValueError as error:
            if "exceed context window" in str(error) or "context" in str(error).lower():
                raise ContextOverflowError(
                    f"the article does not fit the model's context of {self.n_ctx} tokens ({error}): "
                    "raise it with --n-ctx or SUMMARISE_N_CTX, or shorten the article"
                ) from None
            raise

    def reset(self) -> None:
        """Forget the evaluated prompt (the next request reads its prompt from the start)."""
        self.llama.reset()

    def measure_speed(self, generate: int = 32) -> dict[str, float]:
        """Read :data:`SPEED_TEXT` from an empty cache, then write ``generate`` tokens greedily; time both."""
        llama = self.llama
        tokens = llama.tokenize(SPEED_TEXT.encode("utf-8"))
        llama.reset()
        started = time.perf_counter()
        llama.eval(tokens)
        read = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(generate):
            llama.eval([llama.sample(temp=0)])
        written = time.perf_counter() - started
        llama.reset()
        return {
            "prompt_tokens": len(tokens),
            "prompt_seconds": read,
            "generated": generate,
            "generate_seconds": written,
        }

    def close(self) -> None:
        """Free the model."""
        if self._llama is not None:
            self._llama.close()
            self._llama = None


def _llama_cpp() -> Any:
    """The ``llama_cpp`` module, or the error that says how to install it."""
    try:
        import llama_cpp
    except ImportError:
        raise ModelUnavailableError(
            "the local backend needs llama-cpp-python: pip install 'summarise[local]' "
            "(it compiles from source, about 5 minutes), or set OPENAI_API_KEY / OPENAI_BASE_URL"
        ) from None
    return llama_cpp


def _greedy_with_grammar(llama: Any, arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A greedy completion held to ``schema`` by :class:`GreedyGrammar`.

    Should the grammar check itself fail (an error inside a llama.cpp callback cannot
    stop the generation), the request is made again with llama-cpp-python's own grammar.
    """
    from llama_cpp import LlamaGrammar, LogitsProcessorList

    grammar = LlamaGrammar.from_string(schema_grammar(json.dumps(schema)), verbose=False)
    check = GreedyGrammar(llama, grammar)
    try:
        answer = llama.create_chat_completion(**arguments, logits_processor=LogitsProcessorList([check]))
    finally:
        check.close()
    if check.error is None:
        return answer
    return llama.create_chat_completion(**arguments, grammar=grammar)


@lru_cache(maxsize=64)
def schema_grammar(schema_json: str) -> str:
    """The llama.cpp grammar (GBNF) of a JSON schema, by llama-cpp-python's converter: single spaces, no line breaks.

    The embedded model decodes with it, and a llama.cpp server is sent it (``openai_backend``): given the
    schema itself, that server lets the model break lines and indent, which a 1.5B coder model does
    (measured: 54 % more generated tokens per article). Converted once per schema.
    """
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return json_schema_to_gbnf(schema_json)


class GreedyGrammar:
    """A logits processor for greedy decoding that lets only tokens the grammar allows be chosen.

    At each step the most likely token is checked against the grammar alone; when the
    grammar refuses it, every token is checked and the refused ones are set to minus
    infinity. Greedy decoding then picks what llama.cpp's grammar sampler would have left
    it: the most likely allowed token. The grammar's state follows the tokens generated
    so far, read from the ids the processor is given.
    """

    def __init__(self, llama: Any, grammar: Any) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8")
        )
        self._one = (llama_cpp.llama_token_data * 1)()
        self._prompt_length: int | None = None
        self._accepted = 0
        self.error: Exception | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """The scores with the tokens the grammar refuses at minus infinity (unchanged if the best is allowed)."""
        try:
            return self._constrain(input_ids, scores)
        except Exception as error:  # raised inside a C callback, it would be lost: kept for the caller
            self.error = self.error or error
            return scores

    def _constrain(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np

        lib = self._lib
        if self._prompt_length is None:
            self._prompt_length = len(input_ids)
        for token in input_ids[self._prompt_length + self._accepted :]:
            lib.llama_sampler_accept(self._sampler, int(token))
            self._accepted += 1
        best = int(np.argmax(scores))
        # ctypes converts Python numbers on assignment; llama_cpp types the fields as their ctypes classes.
        self._one[0].id, self._one[0].logit, self._one[0].p = best, float(scores[best]), 0.0  # type: ignore[assignment]
        self._apply(self._one, 1)
        if np.isfinite(self._one[0].logit):
            return scores
        size = len(scores)
        data = (lib.llama_token_data * size)()
        layout = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)
        view = np.frombuffer(data, dtype=layout)
        view["id"] = np.arange(size)
        view["logit"] = scores
        self._apply(data, size)
        return view["logit"].copy()

    def _apply(self, data: Any, size: int) -> None:
        """Set the logit of every candidate in ``data`` that the grammar refuses to minus infinity."""
        candidates = self._lib.llama_token_data_array(data=data, size=size, selected=-1, sorted=False)
        self._lib.llama_sampler_apply(self._sampler, ctypes.byref(candidates))

    def close(self) -> None:
        """Free the grammar sampler."""
        if self._sampler is not None:
            self._lib.llama_sampler_free(self._sampler)
            self._sampler = None
