"""Per-article extraction: from a cleaned article to a grounded :class:`ArticleBrief`.

The embedded model is asked one thing at a time (coalitions, people, events, figures,
claims and quotes), each request repeating the same system prompt and article first so
that it reuses its evaluation of the article; an endpoint is asked all five in one
request (``Extractor.combined``: one latency, the article's tokens sent once), whose
schema is the five step schemas together. Each answer is constrained by a small schema
built for this article:

* member names may only be countries and organisations the article names (found with
  the curated alias tables), so a member the text never mentions cannot be produced;
* people may only be the capitalised names found in the text;
* every item carries ``evidence`` that must occur in the article, and a member's
  evidence must name that member, an event's evidence must hold its date wording, a
  figure's evidence its number.

A failed check is fed back as a reask. If the answers still fail after the reasks,
the items that pass are kept and the others are listed in ``dropped_facts``: a fact
without evidence never reaches a brief. Dates are resolved in code
(:mod:`summarise.dates`), never by the model, so a year is never invented. Articles
that never name the target organisation are marked off-topic without a model call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from summarise import __version__
from summarise.articles import Article
from summarise.dates import looks_like_time, resolve_date
from summarise.entities import (
    TARGET_ORGANISATION,
    Entity,
    alias_in,
    entities_in,
    entity_named,
    names_entity,
    person_candidates,
    without_entity_names,
)
from summarise.exceptions import ContextOverflowError, ExtractionError, SummariseError
from summarise.grounding import addresses_a_model, find_span, mentions, sentences
from summarise.schemas import (
    EVIDENCE_MAX_CHARS,
    ArticleBrief,
    ArticleRef,
    Claim,
    Coalition,
    CoalitionKind,
    CoalitionMember,
    Event,
    Evidence,
    ExtractionInfo,
    Figure,
    FigureQualifier,
    Grounded,
    LongText,
    MemberStatus,
    Person,
    Quote,
    ShortText,
    Statement,
    Usage,
    check_evidence,
    validation_context,
)
from summarise.store import Store
from summarise.templates import PromptSet, load_prompts

if TYPE_CHECKING:  # the LLM layer (instructor, openai) is imported when a model is first asked
    from summarise.llm.client import StructuredClient

EXTRACTION_VERSION = "4"
NOT_MEMBERS = {TARGET_ORGANISATION, "Global Coalition to Defeat ISIS"}
#: A national body named as a member stands for its country ("CENTCOM joined ..." -> United States).
STANDS_FOR = {"CENTCOM": "United States"}
COALITION_WORDS = re.compile(
    r"\b(coalition|alliance|allies|joint|jointly|cent(re|er)|partner(s|ship)?|pact|bloc|mechanism|"
    r"framework|format|campaign|cooperat\w*|coordinat\w*|unite\w*|together|members?|join\w*)\b",
    re.I,
)


@dataclass(frozen=True)
class Step:
    """One question asked of the model about an article."""

    name: str
    max_tokens: int


STEPS = (
    Step("coalitions", 700),
    Step("people", 450),
    Step("events", 600),
    Step("figures", 500),
    Step("claims", 700),
)
#: Every step in one request (``Extractor.combined``).
COMBINED = Step("all", sum(step.max_tokens for step in STEPS))


# --- the answer schemas, built per article -------------------------------------------------


class StatementDraft(Grounded):
    """An objective or mechanism."""

    text: ShortText


def _choice(values: list[str]) -> Any:
    return Literal[tuple(values)] if values else str  # type: ignore[valid-type]


def coalitions_answer(member_names: list[str], organisations: list[str]) -> type[BaseModel]:
    """The schema of the coalitions step, limited to the names this article uses.

    Members come as a list of allowed names plus one ``members_evidence`` sentence
    that must name each of them (articles list members in one sentence; a small model
    copies one sentence far more reliably than one per member). With
    ``context["salvage"]`` set, members the evidence does not name are dropped (and
    listed in ``context["dropped"]``) instead of failing the answer.
    """
    MemberName = _choice(member_names)
    Organisation = _choice(organisations)

    class CoalitionDraft(Grounded):
        name: ShortText
        kind: CoalitionKind
        target: Organisation | None  # type: ignore[valid-type]
        led_by: MemberName | None  # type: ignore[valid-type]
        members_evidence: Evidence | None
        members: list[MemberName] = Field(max_length=15 if member_names else 0)  # type: ignore[valid-type]
        status: MemberStatus
        member_count_stated: int | None = Field(ge=1, le=200)
        objectives: list[StatementDraft] = Field(max_length=2)
        mechanisms: list[StatementDraft] = Field(max_length=2)

        @model_validator(mode="before")
        @classmethod
        def _last_resort_evidence(cls, data: Any, info: ValidationInfo) -> Any:
            """When salvaging, replace a paraphrased quote by the article's sentence naming the members."""
            context = validation_context(info)
            if not context.get("salvage") or not isinstance(data, dict):
                return data
            article_text = context["article_text"]
            members = [name for name in data.get("members") or [] if isinstance(name, str)]
            if isinstance(data.get("led_by"), str) and data["led_by"] not in members:
                members.append(data["led_by"])
            quotes = [data.get(key) for key in ("evidence", "members_evidence")]
            found = all(isinstance(q, str) and find_span(article_text, q, fuzzy=True) for q in quotes)
            if found and COALITION_WORDS.search(without_entity_names(str(data.get("evidence")))):
                return data
            sentence = sentence_naming_members(article_text, members)
            if sentence is None:
                return data
            context.setdefault("notes", []).append(
                f"the quotes given for coalition {data.get('name')!r} are not in the article or do not describe "
                "a coalition; its evidence is the article's sentence that names its members"
            )
            return {**data, "evidence": sentence, "members_evidence": sentence}

        @field_validator("members_evidence")
        @classmethod
        def _members_evidence_in_article(cls, value: str | None, info: ValidationInfo) -> str | None:
            return None if value is None else check_evidence(value, info)

        @field_validator("evidence")
        @classmethod
        def _describes_a_coalition(cls, value: str) -> str:
            if not COALITION_WORDS.search(without_entity_names(value)):
                raise ValueError(
                    "this evidence does not describe a coalition (no word such as coalition, alliance, "
                    "joint, centre, partnership): leave out what is not a coalition of several countries"
                )
            return value

        @model_validator(mode="after")
        def _evidence_names_members(self, info: ValidationInfo) -> CoalitionDraft:
            quoted = f"{self.members_evidence or ''}\n{self.evidence}"
            unnamed = [name for name in self.members if not names_member(quoted, name)]
            if unnamed:
                _drop_or_reask(
                    info,
                    [f"member {name} of {self.name!r}: not named in its evidence" for name in unnamed],
                    f"members_evidence does not name {', '.join(unnamed)}; copy the article's sentence that "
                    "names the members into members_evidence, and list only countries or organisations it names",
                )
                self.members = [name for name in self.members if name not in unnamed]
            count = self.member_count_stated
            if count is not None and not states_number(quoted, count):
                _drop_or_reask(
                    info,
                    [f"member count {count} of {self.name!r}: not stated in its evidence"],
                    f"member_count_stated is {count} but the evidence does not state that number; "
                    "use null unless the article says how many countries take part",
                )
                self.member_count_stated = None
            return self

    class CoalitionsAnswer(BaseModel):
        on_topic: bool
        coalitions: list[CoalitionDraft] = Field(max_length=3)

        @model_validator(mode="after")
        def _off_topic_has_no_coalitions(self) -> CoalitionsAnswer:
            if not self.on_topic and self.coalitions:
                raise ValueError("on_topic is false, so coalitions must be an empty list")
            return self

    return CoalitionsAnswer


@lru_cache(maxsize=256)
def _cached_coalitions_answer(member_names: tuple[str, ...], organisations: tuple[str, ...]) -> type[BaseModel]:
    """One schema class per set of names: articles naming the same countries share it."""
    return coalitions_answer(list(member_names), list(organisations))


@lru_cache(maxsize=256)
def _cached_people_answer(candidates: tuple[str, ...]) -> type[BaseModel]:
    return people_answer(list(candidates))


def people_answer(candidates: list[str]) -> type[BaseModel]:
    """The schema of the people step, limited to the candidate names of this article.

    The model names people and their roles; the evidence is not asked of it but taken
    from the article: the sentence that names the person (with the role, when one does).
    """
    PersonName = _choice(candidates)

    class PersonDraft(BaseModel):
        name: PersonName  # type: ignore[valid-type]
        role: ShortText | None
        affiliation: ShortText | None

    class PeopleAnswer(BaseModel):
        people: list[PersonDraft] = Field(max_length=12)

    return PeopleAnswer


class EventDraft(Grounded):
    """A dated event as the model reports it."""

    when: ShortText
    what: LongText

    @model_validator(mode="after")
    def _evidence_holds_date(self) -> EventDraft:
        if not mentions(self.evidence, self.when):
            raise ValueError(
                f"'when' must be the article's own words for the time, found in the evidence: {self.when!r}"
            )
        return self


class EventsAnswer(BaseModel):
    """The events step."""

    events: list[EventDraft] = Field(max_length=12)


_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "dozens": None,
}


def number_in(text: str) -> float | None:
    """The number a figure's wording gives: digits ("43,000", "2.5 million") or a number word."""
    match = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    if match:
        value = float(match.group(0).replace(",", ""))
        for word, factor in (("thousand", 1e3), ("million", 1e6), ("billion", 1e9)):
            if word in text.lower():
                value *= factor
        return value
    for word, value in _NUMBER_WORDS.items():
        if re.search(rf"\b{word}\b", text.lower()):
            return float(value) if value is not None else None
    return None


def _drop_or_reask(info: ValidationInfo, dropped: list[str], reask: str) -> None:
    """While salvaging, record what is left out; otherwise fail so that the model is reasked."""
    context = validation_context(info)
    if not context.get("salvage"):
        raise ValueError(reask)
    context.setdefault("dropped", []).extend(dropped)


def names_member(text: str, name: str) -> bool:
    """Whether ``text`` names a member: by its own names, or by the country it stands for."""
    return names_entity(text, name) or (name in STANDS_FOR and names_entity(text, STANDS_FOR[name]))


def sentence_naming_members(article_text: str, members: list[str]) -> str | None:
    """The article sentence that names the most of ``members`` (two at least) and describes a coalition."""
    best, best_count = None, 1
    for sentence in sentences(article_text):
        if (
            len(sentence) > EVIDENCE_MAX_CHARS
            or not COALITION_WORDS.search(without_entity_names(sentence))
            or addresses_a_model(sentence)
        ):
            continue
        count = sum(names_member(sentence, name) for name in members)
        if count > best_count:
            best, best_count = sentence, count
    return best


def states_number(text: str, number: int) -> bool:
    """Whether ``text`` states ``number`` in digits or in words ("four countries")."""
    if re.search(rf"(?<![\d,.]){number}(?![\d,])", text):
        return True
    words = [word for word, value in _NUMBER_WORDS.items() if value == number]
    return any(re.search(rf"\b{word}\b", text, re.I) for word in words)


class FigureDraft(Grounded):
    """A reported number as the model reports it."""

    value_as_written: ShortText
    value: float
    unit: ShortText | None
    what: LongText
    qualifier: FigureQualifier

    @model_validator(mode="after")
    def _number_is_in_evidence(self) -> FigureDraft:
        if not mentions(self.evidence, self.value_as_written):
            raise ValueError(f"value_as_written must be copied from the evidence: {self.value_as_written!r}")
        written = number_in(self.value_as_written)
        if written is None:
            raise ValueError(f"value_as_written must be a number as the article writes it: {self.value_as_written!r}")
        if abs(written - self.value) > 1e-6 * max(abs(written), 1):
            raise ValueError(f"value {self.value:g} does not match value_as_written {self.value_as_written!r}")
        return self


class ClaimDraft(Grounded):
    """A claim as the model reports it."""

    holder: ShortText
    claim: LongText


_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


class QuoteDraft(BaseModel):
    """A quotation as the model reports it: its text is its own evidence.

    The text must stand between quotation marks in the article, and the speaker must be
    named in the quote's paragraph or the one before it.
    """

    speaker: ShortText
    text: Evidence

    @field_validator("text")
    @classmethod
    def _quote_in_article(cls, value: str, info: ValidationInfo) -> str:
        span = check_evidence(value, info)
        article_text = validation_context(info).get("article_text")
        if article_text is None:
            return span
        start = article_text.find(span)
        before = article_text[max(start - 2, 0) : start] if start >= 0 else ""
        after = article_text[start + len(span) : start + len(span) + 3] if start >= 0 else ""
        quoted = any(mark in before for mark in _QUOTE_MARKS) or any(mark in after for mark in _QUOTE_MARKS)
        if not quoted and span[:1] not in _QUOTE_MARKS:
            raise ValueError("this text is not in quotation marks in the article: a quote must be quoted words")
        return span

    @model_validator(mode="after")
    def _speaker_near_quote(self, info: ValidationInfo) -> QuoteDraft:
        article_text = validation_context(info).get("article_text")
        if article_text is None:
            return self
        paragraphs = article_text.split("\n\n")
        index = next((i for i, paragraph in enumerate(paragraphs) if self.text in paragraph), None)
        nearby = "" if index is None else "\n".join(paragraphs[max(index - 1, 0) : index + 1])
        names = [word for word in re.split(r"[\s,]+", self.speaker) if len(word) > 2]
        if not any(mentions(nearby, word) for word in names):
            raise ValueError(
                f"the speaker {self.speaker!r} is not named next to this quote in the article; "
                "give the name the article attributes the quote to"
            )
        return self


class ClaimsAnswer(BaseModel):
    """The claims-and-quotes step."""

    claims: list[ClaimDraft] = Field(max_length=8)
    quotes: list[QuoteDraft] = Field(max_length=8)


@lru_cache(maxsize=256)
def _combined_answer(coalitions: type[BaseModel], people: type[BaseModel]) -> type[BaseModel]:
    """Every step's answer in one object: the step schemas' fields and validators together."""
    return create_model(
        "ArticleAnswer", __base__=(ClaimsAnswer, FiguresAnswer, EventsAnswer, people, coalitions)
    )


def _combined_of(models: dict[str, type[BaseModel]]) -> type[BaseModel]:
    return _combined_answer(models["coalitions"], models["people"])


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
    #: Ask an article's five questions at once (for endpoints: one latency per article instead of
    #: five). The brief is the same; only an article the model finds off-topic costs four answers
    #: that are then left unused.
    parallel_steps: bool = False
    #: Ask an article's five questions in one request (for endpoints: one latency, the article's
    #: tokens sent once instead of five times). The embedded model keeps one question at a time:
    #: its small schemas and short answers are what a 1.5B model gets right.
    combined: bool = False

    def cache_key(self, article: Article) -> str:
        """The key of an article's brief in the store's cache."""
        return cache_key(
            article,
            identity=self.client.backend.identity(),
            prompt_hash=self.prompts.hash,
            reasks=self.client.policy.reasks,
            combined=self.combined,
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
        if not names_entity(article.text, TARGET_ORGANISATION):
            info = self._new_info()
            info.warnings.append(
                f"the article never names {TARGET_ORGANISATION} (or an alias): off-topic, no model call made"
            )
            if not looks_english(article.text):
                info.warnings.append(
                    "the article does not look English: names are matched in English only, so a story told "
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
            info.seconds = round(time.perf_counter() - started, 2)
            return brief
        if self.parallel_steps:
            self._ask_all_at_once(article, named, brief, info)
            info.seconds = round(time.perf_counter() - started, 2)
            return brief
        for step in STEPS:
            if on_step:
                on_step(step.name)
            answer = self._ask(article, step, named, info)
            if answer is None:
                info.failed_steps.append(step.name)
                continue
            _apply(step.name, answer, brief, article)
            if step.name == "coalitions" and brief.on_topic is False:
                break
        info.seconds = round(time.perf_counter() - started, 2)
        return brief

    def _ask_all_at_once(
        self, article: Article, named: list[Entity], brief: ArticleBrief, info: ExtractionInfo
    ) -> None:
        """Every question in its own thread; answers are applied in the usual order, as if asked in turn."""
        from concurrent.futures import ThreadPoolExecutor

        infos = [info.model_copy(update={"usage": Usage(), "warnings": [], "dropped_facts": []}) for _ in STEPS]
        with ThreadPoolExecutor(max_workers=len(STEPS)) as pool:
            futures = [
                pool.submit(self._ask, article, step, named, step_info)
                for step, step_info in zip(STEPS, infos, strict=True)
            ]
        outcomes: list[Any] = []
        for future in futures:
            try:
                outcomes.append(future.result())
            except SummariseError as error:
                outcomes.append(error)
        for step_info in infos:  # every answer was paid for, used or not
            info.usage.add(step_info.usage)
        for step, step_info, outcome in zip(STEPS, infos, outcomes, strict=True):
            info.warnings += step_info.warnings
            info.dropped_facts += step_info.dropped_facts
            if isinstance(outcome, SummariseError):
                raise outcome
            if outcome is None:
                info.failed_steps.append(step.name)
                continue
            _apply(step.name, outcome, brief, article)
            if step.name == "coalitions" and brief.on_topic is False:
                return  # the other answers are not used for an off-topic article (their failures either)

    def _ask_combined(self, article: Article, named: list[Entity], brief: ArticleBrief, info: ExtractionInfo) -> None:
        """One request for every question; its parts are applied in the usual order.

        An answer that fails as a whole is not lost as a whole: each question's part of it
        is salvaged on its own, so one bad part costs that question only (as when asked apart).
        """
        from summarise.llm.client import CallInfo

        models, messages = self._combined_question(article, named)
        context = {"article_text": article.text}
        call = CallInfo(article_id=article.id, step=COMBINED.name, prompt_hash=self.prompts.hash)
        answers: dict[str, BaseModel | None]
        try:
            answer, usage = self.client.structured(
                _combined_of(models), messages, context=context, info=call, max_tokens=COMBINED.max_tokens
            )
            info.usage.add(usage)
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
            if answers[step.name] is None:
                info.failed_steps.append(step.name)
                continue
            _apply(step.name, answers[step.name], brief, article)
            if step.name == "coalitions" and brief.on_topic is False:
                return

    def _combined_question(
        self, article: Article, named: list[Entity]
    ) -> tuple[dict[str, type[BaseModel]], list[dict]]:
        """Each question's answer model, and the messages asking every question at once."""
        models: dict[str, type[BaseModel]] = {}
        tasks = []
        for step in STEPS:
            models[step.name], values = self._answer_model(article, step, named)
            tasks.append(self.prompts.render(step.name, **values))
        messages = [
            {"role": "system", "content": self.prompts.render("system").strip()},
            {
                "role": "user",
                "content": self._article_block(article) + self.prompts.render("combined") + "".join(tasks),
            },
        ]
        return models, messages

    def requests(self, article: Article) -> list[tuple[str, dict[str, Any]]]:
        """The first request of every question :meth:`extract` would ask, as ``(step, request)``.

        The Batch API path sends these; an article that never names the target gets none
        (extraction marks it off-topic without a model call).
        """
        if not names_entity(article.text, TARGET_ORGANISATION):
            return []
        named = entities_in(article.text)
        if self.combined:
            models, messages = self._combined_question(article, named)
            request = self.client.request_for(_combined_of(models), messages, max_tokens=COMBINED.max_tokens)
            return [(COMBINED.name, request)]
        built = []
        for step in STEPS:
            model, messages = self._question(article, step, named)
            built.append((step.name, self.client.request_for(model, messages, max_tokens=step.max_tokens)))
        return built

    def _question(self, article: Article, step: Step, named: list[Entity]) -> tuple[type[BaseModel], list[dict]]:
        model, values = self._answer_model(article, step, named)
        messages = [
            {"role": "system", "content": self.prompts.render("system").strip()},
            {"role": "user", "content": self._article_block(article) + self.prompts.render(step.name, **values)},
        ]
        return model, messages

    def _ask(self, article: Article, step: Step, named: list[Entity], info: ExtractionInfo) -> BaseModel | None:
        from summarise.llm.client import CallInfo

        model, messages = self._question(article, step, named)
        context = {"article_text": article.text}
        call = CallInfo(article_id=article.id, step=step.name, prompt_hash=self.prompts.hash)
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
        if step.name == "coalitions":
            members = [entity.canonical for entity in named if entity.canonical not in NOT_MEMBERS]
            organisations = [entity.canonical for entity in named if entity.kind == "organisation"]
            target = entity_named(TARGET_ORGANISATION)
            label = ", ".join(target.names[:4]) if target else TARGET_ORGANISATION
            allowed = ", ".join(members) or "(none)"
            return _cached_coalitions_answer(tuple(members), tuple(organisations)), {
                "target": label,
                "allowed_members": allowed,
            }
        if step.name == "people":
            candidates = person_candidates(article.text)
            return _cached_people_answer(tuple(candidates)), {"candidates": "; ".join(candidates) or "(none found)"}
        answers = {"events": EventsAnswer, "figures": FiguresAnswer, "claims": ClaimsAnswer}
        return answers[step.name], {}

    def _article_block(self, article: Article) -> str:
        return self.prompts.render(
            "article",
            title=article.title or "(none)",
            outlet=article.outlet or "(unknown)",
            published=article.published.isoformat() if article.published else "(unknown)",
            text=article.text,
        )


def cache_key(article: Article, *, identity: str, prompt_hash: str, reasks: int, combined: bool) -> str:
    """The key of an article's brief in the store's cache, for a model (``identity``) and prompts."""
    parts = [
        EXTRACTION_VERSION,
        __version__,
        f"reasks={reasks}",
        "questions=combined" if combined else "questions=separate",
        identity,
        prompt_hash,
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


class FiguresAnswer(BaseModel):
    """The figures step."""

    figures: list[FigureDraft] = Field(max_length=12)


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


#: What a small model writes into a string field when it means "nothing".
_PLACEHOLDERS = {"", "null", "none", "n/a", "unknown", "-"}


def _apply(step: str, answer: Any, brief: ArticleBrief, article: Article) -> None:
    if step == "coalitions":
        brief.on_topic = answer.on_topic
        brief.coalitions = [
            Coalition(
                evidence=draft.evidence,
                name=draft.name,
                kind=draft.kind,
                target=draft.target,
                led_by=STANDS_FOR.get(leader, leader) if (leader := _named_leader(draft)) else None,
                member_count_stated=draft.member_count_stated,
                members=_members(draft, leader),
                objectives=[Statement(evidence=s.evidence, text=s.text) for s in draft.objectives],
                mechanisms=[Statement(evidence=s.evidence, text=s.text) for s in draft.mechanisms],
            )
            for draft in answer.coalitions
        ]
        brief.coalitions = [c for c in brief.coalitions if len(c.members) >= 2 or (c.member_count_stated or 0) >= 2]
        if brief.coalitions:
            brief.topic_evidence = brief.coalitions[0].evidence
    elif step == "people":
        seen: set[str] = set()
        article_sentences = sentences(article.text)
        for draft in answer.people:
            naming = [s for s in article_sentences if mentions(s, draft.name)]
            if draft.name in seen or not naming:
                continue
            seen.add(draft.name)
            with_role = [s for s in naming if draft.role and mentions(s, draft.role)]
            sentence = (with_role or naming)[0][:EVIDENCE_MAX_CHARS]
            evidence = find_span(article.text, sentence) or sentence
            role = draft.role if with_role else None
            affiliation = None if (draft.affiliation or "").strip().lower() in _PLACEHOLDERS else draft.affiliation
            brief.people.append(Person(evidence=evidence, name=draft.name, role=role, affiliation=affiliation))
    elif step == "events":
        for draft in answer.events:
            if not looks_like_time(draft.when):
                continue
            date, basis = resolve_date(draft.when, article.published)
            brief.events.append(
                Event(
                    evidence=draft.evidence, when_text=draft.when, date=date, date_basis=basis, description=draft.what
                )
            )
        brief.events.sort(key=lambda event: (event.date is None, event.date or ""))
    elif step == "figures":
        brief.figures = [
            Figure(
                evidence=d.evidence,
                value=d.value,
                value_as_written=d.value_as_written,
                unit=d.unit,
                what=d.what,
                qualifier=d.qualifier,
            )
            for d in answer.figures
        ]
    elif step == "claims":
        brief.claims = [Claim(evidence=d.evidence, holder=d.holder, claim=d.claim) for d in answer.claims]
        brief.quotes = [
            Quote(evidence=q.text, speaker=q.speaker, text=q.text) for q in answer.quotes if len(q.text) >= 8
        ]


def _named_leader(draft: Any) -> str | None:
    """The coalition's leader as the model gives it, if its quotes name it."""
    quoted = f"{draft.members_evidence or ''}\n{draft.evidence}"
    return draft.led_by if draft.led_by and names_member(quoted, draft.led_by) else None


def _members(draft: Any, leader: str | None) -> list[CoalitionMember]:
    members: list[CoalitionMember] = []
    names = list(draft.members)
    if leader and leader not in names:
        names.insert(0, leader)
    seen: set[str] = set()
    for name in names:
        member = STANDS_FOR.get(name, name)
        if member in seen:
            continue
        seen.add(member)
        evidence = next(
            (text for text in (draft.members_evidence, draft.evidence) if text and names_member(text, name)),
            draft.evidence,
        )
        members.append(
            CoalitionMember(
                evidence=evidence,
                name=member,
                name_as_written=alias_in(evidence, name) or alias_in(evidence, member),
                role="leader" if leader == name else None,
                status=draft.status,
            )
        )
    return members


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
