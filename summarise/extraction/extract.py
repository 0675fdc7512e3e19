"""Per-article extraction: from a cleaned article to a grounded :class:`ArticleBrief`.

The questions are data (:mod:`summarise.extraction.questions`): the article's subject first (an off-topic
article costs that one short call), then its coalitions. The embedded model is asked them in
turn, each request repeating the same system prompt and article first so that it reuses its
evaluation of the article; an endpoint is asked them all in one request (``Extractor.combined``:
one latency, the article's tokens sent once), whose schema is their answer models together, or in
parallel (``Extractor.parallel_steps``). Each answer is applied by its question's applier
(:mod:`summarise.extraction.appliers`); what fails validation is salvaged in parts
(:mod:`summarise.extraction.salvage`).

The model points, the code quotes (:mod:`summarise.extraction.answers`): the article's sentences are
numbered, every fact cites one, and its ``evidence`` is that sentence, word for word. Each
answer is constrained by a schema built for this article: members, leaders and targets are
the countries and organisations the article names. A
cited sentence that does not state the fact is moved to one that does, or the fact is reasked
once with the reason (an objective, mechanism or member count is not), then dropped and listed
in ``dropped_facts``.

The rest is read by the code from the sentences, with no model: the dated events (every time
expression, its date resolved from the words and the publication date, so a year is never
invented) and the figures (every number) by :mod:`summarise.reading.events`, the claims and quotes
(the article's attributions) by :mod:`summarise.reading.statements`, the people and their roles by
:mod:`summarise.reading.people`.

A story file's keyword pre-filter marks an article that names none of its keywords off-topic
without a model call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from summarise import __version__
from summarise.articles import Article
from summarise.articles.story import Story, story_hash
from summarise.exceptions import ContextOverflowError, ExtractionError, SummariseError
from summarise.extraction.answers import combined_answer, grounding_context
from summarise.extraction.appliers import add_readings
from summarise.extraction.questions import COMBINED, COMBINED_MAX_TOKENS, QUESTIONS, Asked, Question
from summarise.extraction.salvage import part_for, salvage
from summarise.extraction.templates import PromptSet, load_prompts
from summarise.schemas import ArticleBrief, ArticleRef, ExtractionInfo, Usage
from summarise.store.database import Store
from summarise.text.entities import Entity, entities_in
from summarise.text.grounding import numbered_sentences, numbered_text

if TYPE_CHECKING:  # the LLM layer (instructor, openai) is imported when a model is first asked
    from summarise.llm.client import StructuredClient

#: Part of every cache key: raise it whenever the code changes what it makes of an article (what it reads,
#: keeps or drops), so that briefs cached by an older summarise are made again, not served.
EXTRACTION_VERSION = "26"
#: How the warning of an article the story's keyword pre-filter skipped begins.
PREFILTER_SKIPPED = "skipped by the story's keyword pre-filter"

#: The answers of an article's questions as a strategy gets them, in the registry's order (``None``: failed).
Answers = Iterator[tuple[Question, BaseModel | None]]
OnStep = Callable[[str], None] | None


@dataclass
class Extractor:
    """Extract briefs with one client, prompt set and (optional) store."""

    client: StructuredClient
    store: Store | None = None
    prompts: PromptSet = field(default_factory=load_prompts)
    use_cache: bool = True
    #: Ask an article's questions at once (for endpoints: one latency per article instead of one per
    #: question). The brief is the same; only an article the model finds off-topic costs answers
    #: that are then left unused.
    parallel_steps: bool = False
    #: Ask an article's questions in one request (for endpoints: one latency, the article's tokens
    #: sent once instead of once per question). The embedded model keeps one question at a time:
    #: its small schemas and short answers are what a 1.5B model gets right.
    combined: bool = False
    #: The story file, if one was given: topic, targets, known coalitions, aliases, pre-filter.
    story: Story | None = None

    def cache_key(self, article: Article) -> str:
        """The key of an article's brief in the store's cache."""
        return cache_key(
            article,
            identity=self.client.backend.identity(),
            prompt_hash=self.prompts.hash,
            reasks=self.client.policy.reasks,
            combined=self.combined,
            story=story_hash(self.story),
        )

    def extract(self, article: Article, on_step: OnStep = None) -> ArticleBrief:
        """The grounded brief of one article (from the cache when it was extracted before)."""
        key = self.cache_key(article)
        if self.use_cache and self.store is not None and (brief := cached_brief(self.store, key, article)):
            return brief
        brief = self._extract_fresh(article, on_step)
        if self.store is not None and brief.extraction is not None and not brief.extraction.failed_steps:
            self.store.save_brief(
                key,
                article_id=article.id,
                backend=self.client.backend.name,
                model=self.client.backend.model,
                prompt_hash=self.prompts.hash,
                brief_json=brief.model_dump_json(),
            )
        return brief

    def _extract_fresh(self, article: Article, on_step: OnStep) -> ArticleBrief:
        """Extract; an article too long for the model's context is cut (at a paragraph) and the cut recorded."""
        if self.story is not None and not self.story.passes_prefilter(article.text):
            return self._skipped(article)
        read = article
        for _ in range(CONTEXT_CUTS):
            try:
                brief = self._extract_text(read, on_step)  # a cut article keeps its id and reference
            except ContextOverflowError as error:
                shorter = shorten_text(read.text, int(len(read.text) * cut_share(str(error))))
                if not shorter or shorter == read.text:
                    if read is article:
                        raise  # not even cut once: the engine's or endpoint's own words say why
                    break  # cut as far as it goes
                read = dataclasses.replace(article, text=shorter)
                continue
            if read is not article and brief.extraction is not None:
                brief.extraction.warnings.insert(
                    0,
                    f"the article was cut to its first {len(read.text):,} of {len(article.text):,} characters to fit "
                    "the model's context: nothing after that was read",
                )
            return brief
        raise ContextOverflowError(
            f"the article does not fit the model's context even cut to {len(read.text):,} characters: "
            "raise --n-ctx or split the article"
        )

    def _skipped(self, article: Article) -> ArticleBrief:
        """The brief of an article the story's keyword pre-filter skips: off-topic, no model call."""
        assert self.story is not None
        info = self._new_info()
        info.warnings.append(
            f"{PREFILTER_SKIPPED} (it names none of: {', '.join(self.story.keywords)}): off-topic, no model call made"
        )
        if not looks_english(article.text):
            info.warnings.append(
                "the article does not look English: keywords are matched in English only, so a story told "
                "in another language is not recognised"
            )
        return ArticleBrief(article=article_ref(article), on_topic=False, extraction=info)

    def _new_info(self) -> ExtractionInfo:
        return ExtractionInfo(
            backend=self.client.backend.name, model=self.client.backend.model, prompt_hash=self.prompts.hash
        )

    def _extract_text(self, article: Article, on_step: OnStep) -> ArticleBrief:
        """Ask the questions (by the strategy this extractor uses), apply each answer, then add the readings."""
        started = time.perf_counter()
        info = self._new_info()
        brief = ArticleBrief(article=article_ref(article), on_topic=None, extraction=info)
        named = entities_in(article.text)
        if self.combined:
            strategy = self._in_one_request
        elif self.parallel_steps:
            strategy = self._at_once
        else:
            strategy = self._in_turn
        for question, answer in strategy(article, named, info, on_step):
            if answer is None:
                info.failed_steps.append(question.name)
                continue
            question.apply(answer, brief, article, self.story)
            if brief.on_topic is False:
                break  # an article off topic is asked nothing more (the answers asked at once are left unused)
        add_readings(brief, article)
        info.seconds = round(time.perf_counter() - started, 2)
        return brief

    # --- the strategies: the same questions, asked in turn, at once or in one request ------------

    def _in_turn(self, article: Article, named: list[Entity], info: ExtractionInfo, on_step: OnStep) -> Answers:
        """One question after another: a question is asked only once the answer before it is applied."""
        for question in QUESTIONS:
            if on_step:
                on_step(question.name)
            yield question, self._ask(article, question, named, info)

    def _at_once(self, article: Article, named: list[Entity], info: ExtractionInfo, on_step: OnStep) -> Answers:
        """Every question in its own thread; the answers come in the registry's order, as if asked in turn."""
        from concurrent.futures import ThreadPoolExecutor

        infos = [info.model_copy(update={"usage": Usage(), "warnings": [], "dropped_facts": []}) for _ in QUESTIONS]
        with ThreadPoolExecutor(max_workers=len(QUESTIONS)) as pool:
            futures = [
                pool.submit(self._ask, article, question, named, question_info)
                for question, question_info in zip(QUESTIONS, infos, strict=True)
            ]
        outcomes: list[Any] = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except SummariseError as error:
                outcomes.append(error)
        for question_info in infos:  # every answer was paid for, used or not
            info.usage.add(question_info.usage)
        for question, question_info, outcome in zip(QUESTIONS, infos, outcomes, strict=True):
            info.warnings += question_info.warnings
            info.dropped_facts += question_info.dropped_facts
            if isinstance(outcome, SummariseError):
                raise outcome
            yield question, outcome

    def _in_one_request(self, article: Article, named: list[Entity], info: ExtractionInfo, on_step: OnStep) -> Answers:
        """One request for every question; its parts come in the registry's order.

        An answer that fails as a whole is not lost as a whole: each question's part of it
        is salvaged on its own, so one bad part costs that question only (as when asked apart).
        """
        if on_step:
            on_step(COMBINED)
        block = self._article_block(article)
        models, messages = self._combined_question(article, named, block)
        context = self.context(article)
        together = combined_answer(tuple(models.values()))
        outcome = self._send(article, COMBINED, together, messages, block, COMBINED_MAX_TOKENS, context, info)
        answers: dict[str, BaseModel | None]
        if isinstance(outcome, ExtractionError):
            answers = {
                name: self._salvage(name, model, part_for(model, outcome.last_content), context, info)
                for name, model in models.items()
            }
        else:
            answers = dict.fromkeys(models, outcome)
        for question in QUESTIONS:
            if question.name in answers:
                yield question, answers[question.name]

    # --- building and asking one question ------------------------------------------------------------

    def _combined_question(
        self, article: Article, named: list[Entity], block: str | None = None
    ) -> tuple[dict[str, type[BaseModel]], list[dict]]:
        """Each question's answer model, and the messages asking every question at once."""
        models: dict[str, type[BaseModel]] = {}
        tasks = []
        for question in QUESTIONS:
            models[question.name], values = question.answer_model(Asked(article, named, self.story))
            tasks.append(self.prompts.render(question.name, **values))
        block = block or self._article_block(article)
        return models, self._messages(block + self.prompts.render("combined") + "".join(tasks))

    def requests(self, article: Article) -> list[tuple[str, dict[str, Any]]]:
        """The first request of every question :meth:`extract` would ask, as ``(step, request)``.

        The Batch API path sends these; an article the story's pre-filter skips gets none
        (extraction marks it off-topic without a model call).
        """
        if self.story is not None and not self.story.passes_prefilter(article.text):
            return []
        named = entities_in(article.text)
        if self.combined:
            models, messages = self._combined_question(article, named)
            model = combined_answer(tuple(models.values()))
            return [(COMBINED, self.client.request_for(model, messages, max_tokens=COMBINED_MAX_TOKENS))]
        built = []
        for question in QUESTIONS:
            model, messages = self._question(article, question, named)
            built.append((question.name, self.client.request_for(model, messages, max_tokens=question.max_tokens)))
        return built

    def _question(
        self, article: Article, question: Question, named: list[Entity], block: str | None = None
    ) -> tuple[type[BaseModel], list[dict]]:
        model, values = question.answer_model(Asked(article, named, self.story))
        return model, self._messages(
            (block or self._article_block(article)) + self.prompts.render(question.name, **values)
        )

    def _messages(self, user: str) -> list[dict]:
        """The system prompt, then ``user`` (the article and the task)."""
        return [
            {"role": "system", "content": self.prompts.render("system").strip()},
            {"role": "user", "content": user},
        ]

    def _ask(self, article: Article, question: Question, named: list[Entity], info: ExtractionInfo) -> BaseModel | None:
        block = self._article_block(article)
        model, messages = self._question(article, question, named, block)
        context = self.context(article)
        outcome = self._send(article, question.name, model, messages, block, question.max_tokens, context, info)
        if isinstance(outcome, ExtractionError):
            return self._salvage(question.name, model, outcome.last_content, context, info)
        return outcome

    def _send(
        self,
        article: Article,
        step: str,
        model: type[BaseModel],
        messages: list[dict],
        block: str,
        max_tokens: int,
        context: dict[str, Any],
        info: ExtractionInfo,
    ) -> BaseModel | ExtractionError:
        """Ask (with the client's reasks) and note the usage, dropped facts or failure in ``info``.

        An answer that never validated is returned as its error, for the caller to salvage.
        """
        from summarise.llm.client import CallInfo

        call = CallInfo(article_id=article.id, step=step, prompt_hash=self.prompts.hash, article_text=block)
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

    def context(self, article: Article) -> dict[str, Any]:
        """What the answer validators check against (see :func:`grounding_context`), with the story's aliases."""
        stands_for = self.story.stands_for() if self.story is not None else {}
        return grounding_context(article.text, article.published, stands_for)

    def _article_block(self, article: Article) -> str:
        return self.prompts.render(
            "article",
            title=article.title or "(none)",
            outlet=article.outlet or "(unknown)",
            published=article.published.isoformat() if article.published else "(unknown)",
            text=numbered_text(numbered_sentences(article.text)),
        )


def cache_key(
    article: Article, *, identity: str, prompt_hash: str, reasks: int, combined: bool, story: str = "none"
) -> str:
    """The key of an article's brief in the store's cache, for a model (``identity``) and prompts."""
    parts = [
        EXTRACTION_VERSION,
        __version__,
        f"reasks={reasks}",
        "questions=combined" if combined else "questions=separate",
        identity,
        prompt_hash,
        f"story={story}",
        article.id,
        article.title or "",
        article.outlet or "",
        str(article.published or ""),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def cached_brief(store: Store, key: str, article: Article) -> ArticleBrief | None:
    """The brief cached under ``key``, referring to ``article`` as read this time (its path may differ)."""
    cached = store.cached_brief(key)
    if cached is None:
        return None
    try:
        brief = ArticleBrief.model_validate_json(cached)
    except ValidationError:
        return None  # a cached brief that no longer validates is extracted again
    brief.article = article_ref(article)
    if brief.extraction is not None:
        brief.extraction.usage = Usage(cached=True)
    return brief


_ENGLISH = {"the", "and", "of", "to", "in", "a", "is", "was", "for", "on", "that", "with", "said", "by", "from"}


def looks_english(text: str) -> bool:
    """Whether common English words make up a fair share of ``text``'s words."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    return not words or sum(word in _ENGLISH for word in words) / len(words) >= 0.08


#: Attempts: the whole article, then cuts to at most 60 % of the text before each time (0.6 ** 11 of a
#: 5 MB article, the longest one read, is 18 KB).
CONTEXT_CUTS = 12
CONTEXT_CUT_SHARE = 0.6
#: The part of what a context holds that a cut aims at: the prompt's questions and the answer need the rest.
_CONTEXT_MARGIN = 0.85


def cut_share(error: str) -> float:
    """How much of an article to keep after a context overflow: at most 60 %, less when the error says more.

    An engine or endpoint that says how many tokens were asked and how many its context holds
    ("Requested tokens (40321) exceed context window of 8192") gives the share that would fit; a
    long article then fits at the first cut instead of after many.
    """
    # Token counts: numbers of 512 or more (a context is no smaller; an HTTP status is): the context is
    # the smallest, what was asked the largest (other counts, "577 in the messages", lie between).
    counts = sorted({n for n in (int(n) for n in re.findall(r"\b\d+\b", error.replace(",", ""))) if n >= 512})
    if len(counts) >= 2:
        return min(CONTEXT_CUT_SHARE, _CONTEXT_MARGIN * counts[0] / counts[-1])
    return CONTEXT_CUT_SHARE


def shorten_text(text: str, limit: int) -> str:
    """The first paragraphs (or sentences) of ``text`` that fit in ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    for mark in ("\n\n", ". ", "\n"):
        at = cut.rfind(mark)
        if at > limit // 3:
            return cut[: at + (1 if mark == ". " else 0)].rstrip()
    return cut.rstrip()


def article_ref(article: Article) -> ArticleRef:
    """The reference a brief keeps to its article."""
    return ArticleRef(
        id=article.id,
        source=article.source,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        published=article.published,
    )
