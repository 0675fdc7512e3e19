"""Asking the model about one prepared article: the messages of a question, the validated answer, its salvage.

An :class:`Asker` builds a question's answer model and messages (the system prompt, then the
article's block and the question's task), sends them through the validated client, notes the
usage, warnings and dropped facts in the brief's :class:`ExtractionInfo`, and salvages the valid
parts of an answer that never validated (:mod:`summarise.extraction.salvage`). Which questions it is
asked, and how (in turn, at once, in one request), is the strategy's (:mod:`summarise.extraction.strategies`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from summarise.exceptions import ExtractionError
from summarise.extraction.answers import combined_answer
from summarise.extraction.prepared import PreparedArticle
from summarise.extraction.questions import COMBINED, COMBINED_MAX_TOKENS, QUESTIONS, Question
from summarise.extraction.salvage import part_for, salvage
from summarise.extraction.templates import PromptSet
from summarise.schemas import ExtractionInfo, Usage

if TYPE_CHECKING:  # the LLM layer (instructor, openai) is imported when a model is first asked
    from summarise.llm.client import StructuredClient

Request = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Asker:
    """Asks questions about prepared articles with one validated client and prompt set."""

    client: StructuredClient
    prompts: PromptSet

    def ask(self, prepared: PreparedArticle, question: Question, info: ExtractionInfo) -> BaseModel | None:
        """``question``'s validated answer, or what holds of it, or None (noted in ``info``)."""
        model, messages = self.question(prepared, question)
        context = prepared.context()
        outcome = self._send(prepared, question.name, model, messages, question.max_tokens, context, info)
        if isinstance(outcome, ExtractionError):
            return self._salvage(question.name, model, outcome.last_content, context, info)
        return outcome

    def ask_all(self, prepared: PreparedArticle, info: ExtractionInfo) -> dict[str, BaseModel | None]:
        """Every question's answer from one request, by question name.

        An answer that fails as a whole is not lost as a whole: each question's part of it is
        salvaged on its own, so one bad part costs that question only (as when asked apart).
        """
        models, messages = self.all_questions(prepared)
        context = prepared.context()
        together = combined_answer(tuple(models.values()))
        outcome = self._send(prepared, COMBINED, together, messages, COMBINED_MAX_TOKENS, context, info)
        if isinstance(outcome, ExtractionError):
            return {
                name: self._salvage(name, model, part_for(model, outcome.last_content), context, info)
                for name, model in models.items()
            }
        return dict.fromkeys(models, outcome)

    def request(self, prepared: PreparedArticle, question: Question) -> Request:
        """The first request asking ``question``, as ``(step, request)`` (what the Batch API sends)."""
        model, messages = self.question(prepared, question)
        return question.name, self.client.request_for(model, messages, max_tokens=question.max_tokens)

    def request_all(self, prepared: PreparedArticle) -> Request:
        """The first request asking every question at once, as ``(step, request)``."""
        models, messages = self.all_questions(prepared)
        model = combined_answer(tuple(models.values()))
        return COMBINED, self.client.request_for(model, messages, max_tokens=COMBINED_MAX_TOKENS)

    def question(self, prepared: PreparedArticle, question: Question) -> tuple[type[BaseModel], list[dict]]:
        """``question``'s answer model for this article, and the messages asking it."""
        model, values = question.answer_model(prepared)
        return model, self._messages(prepared.block + self.prompts.render(question.name, **values))

    def all_questions(self, prepared: PreparedArticle) -> tuple[dict[str, type[BaseModel]], list[dict]]:
        """Each question's answer model, and the messages asking every question at once."""
        models: dict[str, type[BaseModel]] = {}
        tasks = []
        for question in QUESTIONS:
            models[question.name], values = question.answer_model(prepared)
            tasks.append(self.prompts.render(question.name, **values))
        return models, self._messages(prepared.block + self.prompts.render("combined") + "".join(tasks))

    def _messages(self, user: str) -> list[dict]:
        """The system prompt, then ``user`` (the article and the task)."""
        return [
            {"role": "system", "content": self.prompts.render("system").strip()},
            {"role": "user", "content": user},
        ]

    def _send(
        self,
        prepared: PreparedArticle,
        step: str,
        model: type[BaseModel],
        messages: list[dict],
        max_tokens: int,
        context: dict[str, Any],
        info: ExtractionInfo,
    ) -> BaseModel | ExtractionError:
        """Ask (with the client's reasks) and note the usage, dropped facts or failure in ``info``.

        An answer that never validated is returned as its error, for the caller to salvage.
        """
        from summarise.llm.client import CallInfo

        call = CallInfo(
            article_id=prepared.article.id, step=step, prompt_hash=self.prompts.hash, article_text=prepared.block
        )
        try:
            answer, usage = self.client.structured(model, messages, context=context, info=call, max_tokens=max_tokens)
        except ExtractionError as error:
            if isinstance(error.usage, Usage):
                info.usage.add(error.usage)
            info.warnings.append(f"{step}: {error.detail}")
            return error
        info.usage.add(usage)
        info.dropped_facts += [f"{step}: {item}" for item in context.get("dropped", [])]
        return answer

    @staticmethod
    def _salvage(
        step: str, model: type[BaseModel], content: str | None, context: dict[str, Any], info: ExtractionInfo
    ) -> BaseModel | None:
        """What holds of a failed answer (see :func:`salvage`), with what was dropped noted in ``info``."""
        lenient = {**context, "salvage": True, "dropped": [], "notes": []}
        salvaged, dropped = salvage(model, content, lenient)
        info.dropped_facts += [f"{step}: {item}" for item in dropped]
        info.warnings += [f"{step}: {note}" for note in dict.fromkeys(lenient["notes"])]
        return salvaged
