"""Per-article extraction: from a cleaned article to a grounded :class:`ArticleBrief`.

The embedded model is asked one thing at a time: the article's subject first (an off-topic
article costs that one short call), then its coalitions. Each request
repeats the same system prompt and article first, so that it reuses its evaluation of the
article; an endpoint is asked everything in one request (``Extractor.combined``: one latency,
the article's tokens sent once), whose schema is the step schemas together.

The model points, the code quotes (:mod:`summarise.answers`): the article's sentences are
numbered, every fact cites one, and its ``evidence`` is that sentence, word for word. Each
answer is constrained by a schema built for this article: members, leaders and targets are
the countries and organisations the article names. A
cited sentence that does not state the fact is moved to one that does, or the fact is reasked
once with the reason (an objective, mechanism or member count is not), then dropped and listed
in ``dropped_facts``.

The rest is read by the code from the sentences, with no model: the dated events (every time
expression, its date resolved from the words and the publication date, so a year is never
invented) and the figures (every number) by :mod:`summarise.readings`, the claims and quotes
(the article's attributions) by :mod:`summarise.statements`, the people and their roles by
:mod:`summarise.people`.

A story file's keyword pre-filter marks an article that names none of its keywords off-topic
without a model call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from summarise import __version__
from summarise.answers import (
    SUBJECTS,
    TopicAnswer,
    cached_coalitions_answer,
    combined_answer,
    grounding_context,
    names_a_country,
    names_member,
    same_fact_key,
)
from summarise.articles import Article
from summarise.entities import (
    Entity,
    alias_in,
    entities_in,
    organisation_candidates,
    without_entity_names,
)
from summarise.exceptions import ContextOverflowError, ExtractionError, SummariseError
from summarise.grounding import find_span, mentions, normalise, numbered_sentences, numbered_text
from summarise.people import people_in
from summarise.readings import events_in, figures_in
from summarise.schemas import (
    EVIDENCE_MAX_CHARS,
    ArticleBrief,
    ArticleRef,
    Claim,
    Coalition,
    CoalitionMember,
    Event,
    ExtractionInfo,
    Figure,
    Person,
    Quote,
    Statement,
    Usage,
)
from summarise.statements import quotations, statements
from summarise.store import Store
from summarise.story import Story, story_hash, topic_of
from summarise.support import states_leader, states_target
from summarise.templates import PromptSet, load_prompts

if TYPE_CHECKING:  # the LLM layer (instructor, openai) is imported when a model is first asked
    from summarise.llm.client import StructuredClient

#: Part of every cache key: raise it whenever the code changes what it makes of an article (what it reads,
#: keeps or drops), so that briefs cached by an older summarise are made again, not served.
EXTRACTION_VERSION = "16"
#: How the warning of an article the story's keyword pre-filter skipped begins.
PREFILTER_SKIPPED = "skipped by the story's keyword pre-filter"


@dataclass(frozen=True)
class Step:
    """One question asked of the model about an article."""

    name: str
    max_tokens: int


STEPS = (
    Step("topic", 40),
    Step("coalitions", 600),
)
#: Every step in one request (``Extractor.combined``).
COMBINED = Step("all", sum(step.max_tokens for step in STEPS))


def _combined_of(models: dict[str, type[BaseModel]]) -> type[BaseModel]:
    return combined_answer(tuple(models.values()))


def _part_for(model: type[BaseModel], content: str | None) -> str | None:
    """The keys of ``model`` in an answer to every question at once (the answer itself if not an object)."""
    try:
        data = json.loads(content or "")
    except json.JSONDecodeError:
        return content
    if not isinstance(data, dict):
        return content
    return json.dumps({key: data[key] for key in model.model_fields if key in data}, ensure_ascii=False)


# --- running the steps ---------------------------------------------------------------------------


@dataclass
class Extractor:
    """Extract briefs with one client, prompt set and (optional) store."""

    client: StructuredClient
    store: Store | None = None
    prompts: PromptSet = field(default_factory=load_prompts)
    use_cache: bool = True
    #: Ask an article's three questions at once (for endpoints: one latency per article instead of
    #: three). The brief is the same; only an article the model finds off-topic costs two answers
    #: that are then left unused.
    parallel_steps: bool = False
    #: Ask an article's three questions in one request (for endpoints: one latency, the article's
    #: tokens sent once instead of three times). The embedded model keeps one question at a time:
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

    def extract(self, article: Article, on_step: Callable[[str], None] | None = None) -> ArticleBrief:
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

    def _extract_fresh(self, article: Article, on_step: Callable[[str], None] | None) -> ArticleBrief:
        """Extract; an article too long for the model's context is cut (at a paragraph) and the cut recorded."""
        if self.story is not None and not self.story.passes_prefilter(article.text):
            info = self._new_info()
            info.warnings.append(
                f"{PREFILTER_SKIPPED} (it names none of: "
                f"{', '.join(self.story.keywords)}): off-topic, no model call made"
            )
            if not looks_english(article.text):
                info.warnings.append(
                    "the article does not look English: keywords are matched in English only, so a story told "
                    "in another language is not recognised"
                )
            return ArticleBrief(article=article_ref(article), on_topic=False, extraction=info)
        read = article
        for _ in range(CONTEXT_CUTS):
            try:
                brief = self._extract_text(read, on_step)  # a cut article keeps its id and reference
            except ContextOverflowError:
                shorter = shorten_text(read.text, int(len(read.text) * CONTEXT_CUT_SHARE))
                if not shorter or shorter == read.text:
                    raise
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

    def _new_info(self) -> ExtractionInfo:
        return ExtractionInfo(
            backend=self.client.backend.name, model=self.client.backend.model, prompt_hash=self.prompts.hash
        )

    def _extract_text(self, article: Article, on_step: Callable[[str], None] | None) -> ArticleBrief:
        started = time.perf_counter()
        info = self._new_info()
        brief = ArticleBrief(article=article_ref(article), on_topic=None, extraction=info)
        named = entities_in(article.text)
        if self.combined:
            if on_step:
                on_step("all")
            self._ask_combined(article, named, brief, info)
            _add_readings(brief, article)
            info.seconds = round(time.perf_counter() - started, 2)
            return brief
        if self.parallel_steps:
            self._ask_all_at_once(article, named, brief, info)
            _add_readings(brief, article)
            info.seconds = round(time.perf_counter() - started, 2)
            return brief
        for step in self._steps_for(article):
            if on_step:
                on_step(step.name)
            answer = self._ask(article, step, named, info)
            if answer is None:
                info.failed_steps.append(step.name)
                continue
            _apply(step.name, answer, brief, article, self.stands_for, self.target_aliases)
            if step.name == "topic" and brief.on_topic is False:
                break
        _add_readings(brief, article)
        info.seconds = round(time.perf_counter() - started, 2)
        return brief

    def _ask_all_at_once(
        self, article: Article, named: list[Entity], brief: ArticleBrief, info: ExtractionInfo
    ) -> None:
        """Every question in its own thread; answers are applied in the usual order, as if asked in turn."""
        from concurrent.futures import ThreadPoolExecutor

        steps = self._steps_for(article)
        infos = [info.model_copy(update={"usage": Usage(), "warnings": [], "dropped_facts": []}) for _ in steps]
        with ThreadPoolExecutor(max_workers=len(steps)) as pool:
            futures = [
                pool.submit(self._ask, article, step, named, step_info)
                for step, step_info in zip(steps, infos, strict=True)
            ]
        outcomes: list[Any] = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except SummariseError as error:
                outcomes.append(error)
        for step_info in infos:  # every answer was paid for, used or not
            info.usage.add(step_info.usage)
        for step, step_info, outcome in zip(steps, infos, outcomes, strict=True):
            info.warnings += step_info.warnings
            info.dropped_facts += step_info.dropped_facts
            if isinstance(outcome, SummariseError):
                raise outcome
            if outcome is None:
                info.failed_steps.append(step.name)
                continue
            _apply(step.name, outcome, brief, article, self.stands_for, self.target_aliases)
            if step.name == "topic" and brief.on_topic is False:
                return  # the other answers are not used for an off-topic article (their failures either)

    def _ask_combined(self, article: Article, named: list[Entity], brief: ArticleBrief, info: ExtractionInfo) -> None:
        """One request for every question; its parts are applied in the usual order.

        An answer that fails as a whole is not lost as a whole: each question's part of it
        is salvaged on its own, so one bad part costs that question only (as when asked apart).
        """
        from summarise.llm.client import CallInfo

        block = self._article_block(article)
        models, messages = self._combined_question(article, named, block)
        context = self.context(article)
        call = CallInfo(article_id=article.id, step=COMBINED.name, prompt_hash=self.prompts.hash, article_text=block)
        answers: dict[str, BaseModel | None]
        try:
            answer, usage = self.client.structured(
                _combined_of(models), messages, context=context, info=call, max_tokens=COMBINED.max_tokens
            )
            info.usage.add(usage)
            info.dropped_facts += [f"{COMBINED.name}: {item}" for item in context.get("dropped", [])]
            answers = dict.fromkeys(models, answer)
        except ExtractionError as error:
            if isinstance(error.usage, Usage):
                info.usage.add(error.usage)
            info.warnings.append(f"{COMBINED.name}: {error.detail}")
            answers = {
                name: self._salvage(name, model, _part_for(model, error.last_content), context, info)
                for name, model in models.items()
            }
        for step in STEPS:
            if step.name not in answers:
                continue  # not asked
            if answers[step.name] is None:
                info.failed_steps.append(step.name)
                continue
            _apply(step.name, answers[step.name], brief, article, self.stands_for, self.target_aliases)
            if step.name == "topic" and brief.on_topic is False:
                return

    def _combined_question(
        self, article: Article, named: list[Entity], block: str | None = None
    ) -> tuple[dict[str, type[BaseModel]], list[dict]]:
        """Each question's answer model, and the messages asking every question at once."""
        models: dict[str, type[BaseModel]] = {}
        tasks = []
        for step in self._steps_for(article):
            models[step.name], values = self._answer_model(article, step, named)
            tasks.append(self.prompts.render(step.name, **values))
        messages = [
            {"role": "system", "content": self.prompts.render("system").strip()},
            {
                "role": "user",
                "content": (block or self._article_block(article)) + self.prompts.render("combined") + "".join(tasks),
            },
        ]
        return models, messages

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
            request = self.client.request_for(_combined_of(models), messages, max_tokens=COMBINED.max_tokens)
            return [(COMBINED.name, request)]
        built = []
        for step in self._steps_for(article):
            model, messages = self._question(article, step, named)
            built.append((step.name, self.client.request_for(model, messages, max_tokens=step.max_tokens)))
        return built

    def _question(
        self, article: Article, step: Step, named: list[Entity], block: str | None = None
    ) -> tuple[type[BaseModel], list[dict]]:
        model, values = self._answer_model(article, step, named)
        block = block or self._article_block(article)
        messages = [
            {"role": "system", "content": self.prompts.render("system").strip()},
            {"role": "user", "content": block + self.prompts.render(step.name, **values)},
        ]
        return model, messages

    def _ask(self, article: Article, step: Step, named: list[Entity], info: ExtractionInfo) -> BaseModel | None:
        from summarise.llm.client import CallInfo

        block = self._article_block(article)
        model, messages = self._question(article, step, named, block)
        context = self.context(article)
        call = CallInfo(article_id=article.id, step=step.name, prompt_hash=self.prompts.hash, article_text=block)
        try:
            answer, usage = self.client.structured(
                model, messages, context=context, info=call, max_tokens=step.max_tokens
            )
        except ExtractionError as error:
            if isinstance(error.usage, Usage):
                info.usage.add(error.usage)
            info.warnings.append(f"{step.name}: {error.detail}")
            return self._salvage(step.name, model, error.last_content, context, info)
        info.usage.add(usage)
        info.dropped_facts += [f"{step.name}: {item}" for item in context.get("dropped", [])]
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

    def _answer_model(self, article: Article, step: Step, named: list[Entity]) -> tuple[type[BaseModel], dict]:
        if step.name == "topic":
            return TopicAnswer, {"subjects": "; ".join(SUBJECTS)}
        if step.name == "coalitions":
            names = self._candidate_names(article, named)
            allowed = ", ".join(names) or "(none)"
            # Targets: every candidate, a story's targets included.
            targets = self._candidate_names(article, named, members_only=False)
            return cached_coalitions_answer(tuple(names), tuple(targets)), {
                "topic": topic_of(self.story),
                "allowed_members": allowed,
            }
        raise ValueError(f"no question named {step.name!r}")

    @staticmethod
    def _steps_for(article: Article) -> list[Step]:
        """The questions asked of the model about this article."""
        return list(STEPS)

    def _candidate_names(self, article: Article, named: list[Entity], members_only: bool = True) -> list[str]:
        """Every state or organisation the article names: canonical when a table knows it, else as written.

        A story's targets and known coalitions are no members; its extra aliases count as the
        names they stand for.
        """
        not_members: set[str] = set()
        stands_for: dict[str, str] = {}
        if self.story is not None and members_only:
            not_members = {normalise(name) for name in self.story.target_names()}
            not_members |= {normalise(n) for c in self.story.coalitions for n in (c.name, *c.aliases)}
            stands_for = self.story.stands_for()
        names = [entity.canonical for entity in named]
        names += [alias for alias in stands_for if mentions(article.text, alias)]
        names += organisation_candidates(article.text)
        return [name for name in dict.fromkeys(names) if normalise(name) not in not_members]

    @property
    def target_aliases(self) -> dict[str, tuple[str, ...]]:
        """Each name of a story target (normalised) and all of that target's names (none without a story)."""
        if self.story is None:
            return {}
        return {
            normalise(name): (target.name, *target.aliases)
            for target in self.story.targets
            for name in (target.name, *target.aliases)
        }

    @property
    def stands_for(self) -> dict[str, str]:
        """The story's extra aliases and the names they stand for (none without a story)."""
        return self.story.stands_for() if self.story is not None else {}

    def context(self, article: Article) -> dict[str, Any]:
        """What the answer validators check against (see :func:`grounding_context`), with the story's aliases."""
        return grounding_context(article.text, article.published, self.stands_for)

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


CONTEXT_CUTS = 4  # attempts: the whole article, then cut to 60 %, 36 %, 22 % of its length
CONTEXT_CUT_SHARE = 0.6


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


def _apply(
    step: str,
    answer: Any,
    brief: ArticleBrief,
    article: Article,
    stands_for: dict[str, str],
    target_aliases: dict[str, tuple[str, ...]] | None = None,
) -> None:
    if step == "topic":
        brief.on_topic = answer.on_topic
    elif step == "coalitions":
        numbered = numbered_sentences(article.text)
        heads = [head_noun(draft.name) for draft in answer.coalitions]
        shared = {head for head in heads if heads.count(head) > 1}
        about = [
            _sentences_about(draft, numbered, head if head not in shared else None)
            for draft, head in zip(answer.coalitions, heads, strict=True)
        ]
        stated = [
            _stated_target(draft, stands_for, quoted, target_aliases)
            for draft, quoted in zip(answer.coalitions, about, strict=True)
        ]
        brief.coalitions = [
            Coalition(
                evidence=draft.evidence,
                name=_grouping_name(draft),
                kind=draft.kind,
                target=draft.target if target_stated else None,
                led_by=stands_for.get(leader, leader) if (leader := _named_leader(draft, stands_for, quoted)) else None,
                member_count_stated=draft.member_count_stated,
                members=_members(draft, leader, stands_for),
                objectives=[Statement(evidence=s.evidence, text=s.text) for s in draft.objectives],
                mechanisms=[Statement(evidence=s.evidence, text=s.text) for s in draft.mechanisms],
            )
            for draft, quoted, target_stated in zip(answer.coalitions, about, stated, strict=True)
        ]
        if brief.extraction is not None:
            brief.extraction.dropped_facts += [
                f"coalitions: target {draft.target} of {draft.name!r}: no sentence about it says it acts against it"
                for draft, target_stated in zip(answer.coalitions, stated, strict=True)
                if draft.target and not target_stated
            ]
            brief.extraction.dropped_facts += [
                f"coalitions: {c.name!r} ({', '.join(m.name for m in c.members) or 'no member'}): one member, or two "
                "called bilateral or paired in the name: a relationship, not a coalition"
                for c in brief.coalitions
                if _relationship(c)
            ]
        brief.coalitions = [c for c in brief.coalitions if not _relationship(c)]
        if brief.coalitions:
            brief.topic_evidence = brief.coalitions[0].evidence


def _add_readings(brief: ArticleBrief, article: Article) -> None:
    """What the code reads from an on-topic article's sentences: events, figures, claims, quotes and people.

    See :mod:`summarise.readings` and :mod:`summarise.statements`; every evidence is a sentence
    of the article (cut at ``EVIDENCE_MAX_CHARS``, so still its own words).
    """
    if not brief.on_topic:
        return
    numbered = numbered_sentences(article.text)
    brief.events = sorted(
        (
            Event(
                evidence=e.sentence[:EVIDENCE_MAX_CHARS],
                when_text=e.when,
                date=e.date,
                date_basis=e.basis,
                description=e.description[:500],
            )
            for e in events_in(numbered, article.published)
        ),
        key=lambda event: (event.date is None, event.date or ""),
    )
    brief.figures = [
        Figure(
            evidence=f.sentence[:EVIDENCE_MAX_CHARS],
            value=f.value,
            value_as_written=f.written[:200],
            unit=f.unit[:200] if f.unit else None,
            what=f.what[:500],
            qualifier=f.qualifier,
        )
        for f in figures_in(numbered)
    ]
    found = statements(numbered, article.outlet)
    brief.claims = [
        Claim(evidence=s.sentence[:EVIDENCE_MAX_CHARS], holder=s.holder[:200], claim=s.claim[:500]) for s in found
    ]
    brief.quotes = [
        Quote(evidence=q.text[:EVIDENCE_MAX_CHARS], speaker=q.speaker[:200], text=q.text[:500])
        for q in quotations(numbered)
    ]
    brief.people = [
        Person(
            evidence=p.sentence[:EVIDENCE_MAX_CHARS],
            name=p.name,
            role=p.role[:200] if p.role else None,
            affiliation=p.affiliation,
        )
        for p in people_in(numbered)
    ]


def _grouping_name(draft: Any) -> str:
    """The coalition's name; one named after one of its own states is called what it is, a grouping of them."""
    if not names_a_country(draft.name):
        return draft.name
    names = list(dict.fromkeys(draft.members))
    if len(names) < 2:
        return draft.name
    return f"grouping of {', '.join(names[:-1])} and {names[-1]}"[:200]


def _relationship(coalition: Coalition) -> bool:
    """Whether a "coalition" is a relationship (a visit, a deal), not a coalition.

    Several states or organisations make a coalition: one member, or two that the model itself
    calls bilateral or that the name only pairs ("the US-Turkey alliance"), do not.
    """
    members = len(coalition.members)
    if members < 2 and (coalition.member_count_stated or 0) < 2:
        return True
    return members <= 2 and (coalition.kind == "bilateral" or _pair_name(coalition))


def _pair_name(coalition: Coalition) -> bool:
    """Whether a coalition's name is only its two members' names ("United States-Turkey alliance")."""
    rest = without_entity_names(coalition.name)
    named = {e.canonical for e in entities_in(coalition.name)}
    members = {m.name for m in coalition.members}
    generic = {"alliance", "partnership", "pact", "coalition", "axis", "ties", "relations", "cooperation", "the"}
    return len(named) == 2 and named == members and set(re.findall(r"[a-z]+", rest.lower())) <= generic


def _distinct(drafts: list[Any]) -> list[Any]:
    """The drafts without repeats (a small model may list one fact several times)."""
    seen: set[tuple] = set()
    kept = []
    for draft in drafts:
        key = same_fact_key(draft)
        if key not in seen:
            seen.add(key)
            kept.append(draft)
    return kept


def head_noun(name: str) -> str | None:
    """The common noun a coalition's name rests on, lower case ("alliance" of "Alliance of Sahel States").

    The last word before a preposition or a bracket, or the first of a name that starts with
    "Operation" or "Mission" ("operation" of "Operation Prosperity Guardian"); ``None`` when that
    word is a state's or a body's name, a number, or the name is one word (a proper name: "Aspides").
    """
    if len(name.split()) < 2:
        return None
    if first := _NAMED_FIRST.match(name):
        return first.group(1).lower()
    before = re.split(r"\s(?:of|for|against|to|in|on|with|from)\s|\(", name, maxsplit=1)[0]
    words = re.findall(r"[A-Za-z][a-z]+", before)
    if not words or entities_in(words[-1]):
        return None
    return words[-1].lower()


#: A name of the form "Operation Sentinel", "Mission Aspides": the first word is what it is.
_NAMED_FIRST = re.compile(r"^(Operation|Mission)\s+[A-Z]")


def _sentences_about(draft: Any, numbered: list[str], head: str | None) -> list[str]:
    """The sentences about a coalition: its own, its members', those naming it and those calling it "the <head>".

    A name that is a state's names no coalition, nor does one short or lower-case word; ``head``
    ("alliance" for the Alliance of Sahel States) is ``None`` when another coalition of the article
    shares it.
    """
    quoted = [draft.members_evidence or "", draft.evidence]
    proper = len(draft.name.split()) >= 2 or re.fullmatch(r"[A-Z][\w-]{3,}", draft.name) is not None  # "Aspides"
    if proper and not names_a_country(draft.name):
        quoted += [sentence for sentence in numbered if mentions(sentence, draft.name)]
    if head:
        quoted += [sentence for sentence in numbered if mentions(sentence, f"the {head}")]
    return list(dict.fromkeys(quoted))  # a sentence both cited and naming the coalition is read once


def _aliases(name: str, stands_for: dict[str, str]) -> list[str]:
    """``name`` and the story's extra aliases that stand for it."""
    return [name, *(alias for alias, canonical in stands_for.items() if canonical == name)]


def _stated_target(
    draft: Any, stands_for: dict[str, str], quoted: list[str], target_aliases: dict[str, tuple[str, ...]] | None
) -> bool:
    """Whether a sentence about the coalition says it acts against the model's target ("against X", "X attacks").

    A small model fills ``target`` with a state named nearby (the country a group is based in, the
    one ships are linked to, a bloc the members left); only a sentence saying so keeps it. A story's
    target counts under any of its names (``target_aliases``).
    """
    if not draft.target:
        return False
    names = [*_aliases(draft.target, stands_for), *(target_aliases or {}).get(normalise(draft.target), ())]
    return any(states_target(text, name) for text in quoted for name in dict.fromkeys(names))


def _named_leader(draft: Any, stands_for: dict[str, str], quoted: list[str]) -> str | None:
    """The coalition's leader as the model gives it, if a sentence about the coalition (``quoted``) says it leads.

    A small model fills ``led_by`` with a host city's state or the first state named; only a
    sentence saying so ("X-led", "led by X", "X chairs it", "X is the lead nation") makes it the
    leader.
    """

    def leads(name: str) -> bool:
        return any(states_leader(text, alias) for text in quoted for alias in _aliases(name, stands_for))

    if draft.led_by and leads(draft.led_by):
        return draft.led_by
    # Not the one the model gave: the one state or body these sentences say leads it, if there is one.
    stated = {e.canonical for text in quoted for e in entities_in(text) if leads(e.canonical)}
    return stated.pop() if len(stated) == 1 else None


def _members(draft: Any, leader: str | None, stands_for: dict[str, str]) -> list[CoalitionMember]:
    members: list[CoalitionMember] = []
    names = list(draft.members)
    if leader and leader not in names:
        names.insert(0, leader)
    joining = [name for name in draft.joining if name not in names]
    seen: set[str] = set()
    for name in [*names, *joining]:
        member = stands_for.get(name, name)
        if member in seen:
            continue
        seen.add(member)
        quoted = (draft.members_evidence, draft.evidence)
        evidence = next((text for text in quoted if text and names_member(text, name, stands_for)), draft.evidence)
        members.append(
            CoalitionMember(
                evidence=evidence,
                name=member,
                name_as_written=alias_in(evidence, name) or alias_in(evidence, member) or _as_written(evidence, name),
                role="leader" if leader == name else None,
                status="prospective" if name in joining else "member",
            )
        )
    return members


def _as_written(evidence: str, name: str) -> str | None:
    """``name`` as ``evidence`` spells it, for a name no table knows."""
    span = find_span(evidence, name)
    return span if span and span != name else None


def salvage(model: type[BaseModel], content: str | None, context: dict[str, Any]) -> tuple[BaseModel | None, list[str]]:
    """Keep the parts of a failed answer that validate; describe the dropped ones.

    List items that fail are removed one by one (recursively); the answer is then
    validated again. Returns ``(None, dropped)`` when nothing usable remains.
    """
    if not content:
        return None, []
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return None, ["the whole answer (not valid JSON)"]
    dropped: list[str] = []
    cleaned = _salvage_value(model, data, context, dropped, path="")
    if cleaned is None:
        return None, dropped
    try:
        value = model.model_validate(cleaned, context=context)
        return value, [*dropped, *dict.fromkeys(context.get("dropped", []))]
    except ValidationError as error:
        return None, [*dropped, f"the whole answer ({error.error_count()} errors)"]


def _salvage_value(model: type[BaseModel], data: Any, context: dict, dropped: list[str], path: str) -> Any:
    if not isinstance(data, dict):
        return None
    result = dict(data)
    for name, info in model.model_fields.items():
        item_model = _list_item_model(info.annotation)
        if item_model is None or not isinstance(data.get(name), list):
            continue
        kept = []
        for index, item in enumerate(data[name]):
            fixed = _salvage_value(item_model, item, context, dropped, f"{path}{name}[{index}].")
            if fixed is None:
                continue
            try:
                item_model.model_validate(fixed, context=context)
            except ValidationError as error:
                reason = error.errors()[0]["msg"][:140]
                label = fixed.get("name") or fixed.get("text") or fixed.get("when") or fixed.get("value_as_written")
                dropped.append(f"{path}{name}[{index}] {label!r}: {reason}")
                continue
            kept.append(fixed)
        result[name] = kept
    return result


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", ())
    is_list = getattr(annotation, "__origin__", None) is list and args
    if is_list and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0]
    return None
