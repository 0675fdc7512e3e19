"""How an article's questions are asked: in turn, at once, or in one request; the same questions each way.

The strategy is chosen when the extractor is built (:func:`strategy_for`), from what the backend
does well: the embedded model answers one question at a time, each request repeating the same
system prompt and article first so that it reuses its evaluation of the article; an endpoint that
serves requests side by side gets an article's questions at once (one latency per article instead
of one per question); any other endpoint gets them in one request (one latency, the article's
tokens sent once), whose schema is their answer models together. Each yields the answers in the
registry's order, so the brief they make is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from summarise.exceptions import SummariseError
from summarise.extraction.asking import Asker, Request
from summarise.extraction.prepared import PreparedArticle
from summarise.extraction.questions import COMBINED, QUESTIONS, Question
from summarise.schemas import ExtractionInfo, Usage

#: The answers of an article's questions as a strategy gets them, in the registry's order (``None``: failed).
Answers = Iterator[tuple[Question, BaseModel | None]]
OnStep = Callable[[str], None] | None


class Strategy(Protocol):
    """One way of asking an article's questions."""

    @property
    def name(self) -> str:
        """How the run describes it ("in turn", "at once", "in one request")."""
        ...

    def answers(self, asker: Asker, prepared: PreparedArticle, info: ExtractionInfo, on_step: OnStep) -> Answers:
        """Each question with its answer, in the registry's order."""
        ...

    def requests(self, asker: Asker, prepared: PreparedArticle) -> list[Request]:
        """The first request of every question, as ``(step, request)`` (what the Batch API sends)."""
        ...


@dataclass(frozen=True)
class InTurn:
    """One question after another: a question is asked only once the answer before it is applied."""

    name: str = "in turn"

    def answers(self, asker: Asker, prepared: PreparedArticle, info: ExtractionInfo, on_step: OnStep) -> Answers:
        """Ask each question when the one before it is applied (an off-topic article is asked no more)."""
        for question in QUESTIONS:
            if on_step:
                on_step(question.name)
            yield question, asker.ask(prepared, question, info)

    def requests(self, asker: Asker, prepared: PreparedArticle) -> list[Request]:
        """One request a question."""
        return [asker.request(prepared, question) for question in QUESTIONS]


@dataclass(frozen=True)
class AtOnce(InTurn):
    """Every question in its own thread; the answers come in the registry's order, as if asked in turn."""

    name: str = "at once"

    def answers(self, asker: Asker, prepared: PreparedArticle, info: ExtractionInfo, on_step: OnStep) -> Answers:
        """Ask every question at once; every answer is paid for, used or not."""
        from concurrent.futures import ThreadPoolExecutor

        infos = [info.model_copy(update={"usage": Usage(), "warnings": [], "dropped_facts": []}) for _ in QUESTIONS]
        with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
            futures = [
                pool.submit(asker.ask, prepared, question, question_info)
                for question, question_info in zip(QUESTIONS, infos, strict=True)
            ]
        outcomes: list[Any] = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except SummariseError as error:
                outcomes.append(error)
        for question_info in infos:
            info.usage.add(question_info.usage)
        for question, question_info, outcome in zip(QUESTIONS, infos, outcomes, strict=True):
            info.warnings += question_info.warnings
            info.dropped_facts += question_info.dropped_facts
            if isinstance(outcome, SummariseError):
                raise outcome
            yield question, outcome


@dataclass(frozen=True)
class InOneRequest:
    """One request for every question; its parts come in the registry's order."""

    name: str = "in one request"

    def answers(self, asker: Asker, prepared: PreparedArticle, info: ExtractionInfo, on_step: OnStep) -> Answers:
        """Ask every question in one request; a failed part costs that question only."""
        if on_step:
            on_step(COMBINED)
        answers = asker.ask_all(prepared, info)
        for question in QUESTIONS:
            if question.name in answers:
                yield question, answers[question.name]

    def requests(self, asker: Asker, prepared: PreparedArticle) -> list[Request]:
        """One request for the article."""
        return [asker.request_all(prepared)]


def strategy_for(*, combined: bool, parallel_steps: bool) -> Strategy:
    """In one request when ``combined``, else at once when ``parallel_steps``, else in turn."""
    if combined:
        return InOneRequest()
    return AtOnce() if parallel_steps else InTurn()
