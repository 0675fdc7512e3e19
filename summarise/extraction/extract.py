"""Per-article extraction: from a cleaned article to a grounded :class:`ArticleBrief`.

The questions are data (:mod:`summarise.extraction.questions`): the article's subject first (an off-topic
article costs that one short call), then its coalitions. The article is prepared once
(:class:`~summarise.extraction.prepared.PreparedArticle`: its numbered sentences, the names it uses,
its prompt block) and its questions asked by the strategy chosen when the extractor is built
(:mod:`summarise.extraction.strategies`: in turn for the embedded model, at once or in one request
for an endpoint) through an :class:`~summarise.extraction.asking.Asker`. Each answer is applied by
its question's applier (:mod:`summarise.extraction.appliers`); what fails validation is salvaged in
parts (:mod:`summarise.extraction.salvage`).

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import ValidationError

from summarise import __version__
from summarise.articles import Article
from summarise.articles.story import Story, story_hash
from summarise.exceptions import ContextOverflowError
from summarise.extraction.appliers import add_readings
from summarise.extraction.asking import Asker, Request
from summarise.extraction.prepared import PreparedArticle
from summarise.extraction.strategies import OnStep, Strategy, strategy_for
from summarise.extraction.templates import PromptSet, load_prompts
from summarise.schemas import ArticleBrief, ArticleRef, ExtractionInfo, Usage
from summarise.store.database import Store

if TYPE_CHECKING:  # the LLM layer (instructor, openai) is imported when a model is first asked
    from summarise.llm.client import StructuredClient

#: Part of every cache key: raise it whenever the code changes what it makes of an article (what it reads,
#: keeps or drops), so that briefs cached by an older summarise are made again, not served.
EXTRACTION_VERSION = "26"
#: How the warning of an article the story's keyword pre-filter skipped begins.
PREFILTER_SKIPPED = "skipped by the story's keyword pre-filter"


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
    #: How the questions are asked (from ``combined`` and ``parallel_steps``, when the extractor is built).
    strategy: Strategy = field(init=False)
    asker: Asker = field(init=False)

    def __post_init__(self) -> None:
        self.strategy = strategy_for(combined=self.combined, parallel_steps=self.parallel_steps)
        self.asker = Asker(self.client, self.prompts)

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
        prepared = self.prepare(article)
        for question, answer in self.strategy.answers(self.asker, prepared, info, on_step):
            if answer is None:
                info.failed_steps.append(question.name)
                continue
            question.apply(answer, brief, prepared)
            if brief.on_topic is False:
                break  # an article off topic is asked nothing more (the answers asked at once are left unused)
        add_readings(brief, prepared)
        info.seconds = round(time.perf_counter() - started, 2)
        return brief

    def prepare(self, article: Article) -> PreparedArticle:
        """``article`` made ready for its questions: numbered, its names found, its prompt block rendered."""
        return PreparedArticle.of(article, self.story, self.prompts)

    def requests(self, article: Article) -> list[Request]:
        """The first request of every question :meth:`extract` would ask, as ``(step, request)``.

        The Batch API path sends these; an article the story's pre-filter skips gets none
        (extraction marks it off-topic without a model call).
        """
        if self.story is not None and not self.story.passes_prefilter(article.text):
            return []
        return self.strategy.requests(self.asker, self.prepare(article))


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
