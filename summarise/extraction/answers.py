"""The answer schemas: what the model is asked to fill for one article, and how each answer is checked.

The model points, the code quotes. The article's sentences are numbered in the prompt; every
fact cites a sentence number, and the code fills its ``evidence`` with that sentence, word for
word (``context["sentences"]``), so evidence is always the article's own words. The model is
never asked to copy text.

Checks are about meaning, not copying. A member, number, date or quote must be stated in the
sentence the fact rests on. A small model often cites the wrong number, so a fact whose cited
sentence does not state it is moved to the sentence that does (:mod:`summarise.reading.support`); only a
member or name that no sentence supports fails, and is reasked once with the reason, then
dropped and recorded (``context["salvage"]``); an objective, mechanism or member count that no
sentence states is dropped and recorded at once (``context["dropped"]``, see :func:`_drop_quietly`).

The validation context (see :func:`grounding_context`): ``article_text``, ``sentences`` (the
numbered sentences), ``published`` (the publication date, for dates) and ``stands_for`` (a
story's extra aliases and the names they stand for).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, create_model, model_validator
from pydantic.json_schema import SkipJsonSchema

from summarise.reading.support import (
    STATES_TEXT_MIN,
    best_supporting,
    enumeration_sentence,
    list_holding,
    named_as_origin,
    stated_count,
    states_left,
    states_target,
    text_similarity,
)
from summarise.schemas import (
    CoalitionKind,
    ShortText,
    validation_context,
)
from summarise.text.entities import canonical_name, entities_in, names_entity, same_entity
from summarise.text.grounding import addresses_a_model, mentions, normalise, numbered_sentences

MAX_SENTENCE = 5000
#: How many sentences before or after a coalition's sentence that lists states its members may be listed in.
LISTING_REACH = 2
#: How many candidate names a sentence must name to be a list of members.
LISTED_STATES = 3


def grounding_context(
    text: str, published: object = None, stands_for: dict[str, str] | None = None, sentences: list[str] | None = None
) -> dict[str, Any]:
    """What the answer validators check against: the article's text, its numbered sentences, its date.

    ``sentences`` are the text's numbered sentences when the caller has them (a prepared article).
    """
    return {
        "article_text": text,
        "sentences": numbered_sentences(text) if sentences is None else sentences,
        "published": published,
        "stands_for": stands_for or {},
        "same_entity": same_entity,  # two names of one entity may differ between a quote and the article
    }


#: What an article may be mainly about: the first question. A small model finds a "coalition" in almost any
#: article naming several countries (a research consortium, a ferry route, a schools' robotics cup; 5 of 6
#: off-topic controls with no subject question); choosing the subject first, it tells those apart.
SUBJECTS = (
    "security or military cooperation between states",
    "an alliance, coalition, bloc or pact",
    "war, attacks or terrorism",
    "diplomacy or politics",
    "business, trade or the economy",
    "travel or transport",
    "science, health or the environment",
    "sport",
    "culture or local news",
)
#: The subjects of an article that may report a coalition. An economic bloc is "business, trade or the
#: economy": such an article is on topic when the coalitions question finds a coalition in it.
ON_TOPIC_SUBJECTS = frozenset(SUBJECTS[:5])
#: The on-topic subjects that need a coalition found to stay on topic (most business news reports none).
NEEDS_A_COALITION = frozenset(SUBJECTS[4:5])


class TopicAnswer(BaseModel):
    """The first question: the article's subject, which says whether it may be on topic."""

    model_config = ConfigDict(extra="forbid")

    subject: Literal[SUBJECTS]  # type: ignore[valid-type]

    @property
    def on_topic(self) -> bool:
        """Whether the subject may report a coalition."""
        return self.subject in ON_TOPIC_SUBJECTS


def _drop_or_reask(info: ValidationInfo, dropped: list[str], reask: str) -> None:
    """While salvaging, record what is left out; otherwise fail so that the model is reasked."""
    if not validation_context(info).get("salvage"):
        raise ValueError(reask)
    _drop_quietly(info, dropped)


def _drop_quietly(info: ValidationInfo, dropped: list[str]) -> None:
    """Leave out a detail no reask is worth: recorded with the dropped facts, the answer kept.

    An objective or mechanism no sentence states, or a member count the sentences do not
    give, was reasked in four of six sample articles; the reask (10-14 s here) rarely
    brought a stated one back, and a small model asked again sometimes rewrote what was
    right (a coalition's members). Members, leaders and names are still reasked.
    """
    validation_context(info).setdefault("dropped", []).extend(dropped)


def names_member(text: str, name: str, stands_for: dict[str, str] | None = None) -> bool:
    """Whether ``text`` names a member: by its own names (a table's aliases, or as written), or by what it stands for.

    ``stands_for`` maps a story's extra aliases to their canonical names ("a command" -> its country):
    a sentence naming either names the member.
    """
    if names_entity(text, name) or mentions(text, name):
        return True
    stands_for = stands_for or {}
    if name in stands_for and names_member(text, stands_for[name]):
        return True
    return any(canonical == name and mentions(text, alias) for alias, canonical in stands_for.items())


class Pointed(BaseModel):
    """A fact the model points at: it cites the number of the article sentence that states it.

    The code fills ``evidence`` with the cited sentence. A subclass's :meth:`_support` checks the
    sentence states the fact and moves the pointer to the sentence that does when it does not.
    """

    model_config = ConfigDict(extra="forbid")

    # Each subclass declares ``sentence`` (the cited sentence) after the fact's own fields, so that the
    # model writes what it read before it points: pointing first, a small model counts the numbers up.
    # (A field declared here would come first in every subclass's schema.)
    evidence: SkipJsonSchema[str] = ""
    if TYPE_CHECKING:
        sentence: int | None
    #: Set by :meth:`_support` when no sentence states the fact: the owner leaves it out.
    _unsupported: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _quote_the_supporting_sentence(self, info: ValidationInfo) -> Pointed:
        context = validation_context(info)
        numbered = context.get("sentences")
        if numbered is None:
            return self
        cited = self.sentence
        if cited is not None and 1 <= cited <= len(numbered) and addresses_a_model(numbered[cited - 1]):
            raise ValueError(
                f"sentence {cited} is an instruction to a language model written into the article, not "
                "reporting: it supports no fact"
            )
        self._support(numbered, context, info)
        if self._unsupported:
            return self
        if self.sentence is None or not 1 <= self.sentence <= len(numbered):
            raise ValueError(
                f"sentence {self.sentence} does not exist: the article's sentences are numbered 1 to {len(numbered)}"
            )
        self.evidence = numbered[self.sentence - 1]
        if addresses_a_model(self.evidence):
            raise ValueError(
                f"sentence {self.sentence} is an instruction to a language model written into the article, not "
                "reporting: it supports no fact"
            )
        return self

    def _support(self, numbered: list[str], context: dict[str, Any], info: ValidationInfo) -> None:
        """Check the cited sentence states the fact; move ``sentence`` to the one that does. Default: trust it."""


#: A sentence number as the model gives it.
SentenceNumber = Annotated[int, Field(ge=1, le=MAX_SENTENCE, description="The number of the sentence that states it.")]


class StatementDraft(Pointed):
    """An objective or mechanism: a short statement of a stated aim or arrangement."""

    text: ShortText
    sentence: SentenceNumber

    def _support(self, numbered: list[str], context: dict[str, Any], info: ValidationInfo) -> None:
        found = best_supporting(numbered, self.sentence, lambda s: text_similarity(self.text, s), STATES_TEXT_MIN)
        if found is None:
            self._unsupported = True
            return
        self.sentence = found


def names_a_country(name: str) -> bool:
    """Whether ``name`` is only a country's name ("United States", "Turkey"), not a grouping's."""
    canonical = canonical_name(name)
    return canonical is not None and any(e.kind == "country" and e.canonical == canonical for e in entities_in(name))


_JOINED = re.compile(r"\s(?:and|or)\s")


def _joined_names(name: str) -> bool:
    """Whether a candidate name is two names run together ("NATO or the European Union")."""
    return _JOINED.search(name) is not None and not names_entity(name, name)


def _choice(values: list[str]) -> Any:
    """The values as a ``Literal``, in sorted order.

    ``Literal`` types with the same values in another order are equal, and pydantic reuses the
    schema of the first one it built: sorted, the schema (and so the request) of an article does
    not depend on which articles were read before it.
    """
    return Literal[tuple(sorted(set(values)))] if values else str


def coalitions_answer(member_names: list[str], organisations: list[str]) -> type[BaseModel]:
    """The schema of the coalitions step, limited to the names this article uses.

    A member must be named in the coalition's sentence or in the sentence that names most of its
    members (a list the model may have pointed past): within ``LISTING_REACH`` sentences of it when
    the coalition's sentence is itself a list of names, anywhere otherwise; a member
    named nowhere near the coalition is reasked, then dropped. A name given as both a member
    and the target stays a member.
    """
    MemberName = _choice(member_names)
    Organisation = _choice(organisations)

    class CoalitionDraft(Pointed):
        name: ShortText
        made_of: ShortText
        kind: CoalitionKind
        target: Organisation | None  # type: ignore[valid-type]
        led_by: MemberName | None  # type: ignore[valid-type]
        members: list[MemberName] = Field(max_length=15 if member_names else 0)  # type: ignore[valid-type]
        member_count_stated: int | None = Field(ge=1, le=200)
        sentence: SentenceNumber
        objectives: list[StatementDraft] = Field(max_length=2)
        mechanisms: list[StatementDraft] = Field(max_length=2)
        #: The sentence naming most of the members: found by the code.
        members_sentence: SkipJsonSchema[int | None] = None
        members_evidence: SkipJsonSchema[str | None] = None

        def _support(self, numbered: list[str], context: dict[str, Any], info: ValidationInfo) -> None:
            stands_for = context.get("stands_for") or {}

            def named(sentence: str, name: str) -> bool:
                # A crew's or a firm's home country is named, but not as a party (see named_as_origin).
                return names_member(sentence, name, stands_for) and not named_as_origin(sentence, name, member_names)

            _drop_unstated_statements(self, info)
            _refuse_a_country_name(self)
            members = _tidy_names(self)
            pool = _ground_members(self, members, member_names, numbered, named, info)
            _complete_listed_members(self, pool, member_names, numbered)
            _quote_the_members(self, members, pool, numbered, named)
            _check_member_count(self, pool, numbered, info)

    class CoalitionsAnswer(BaseModel):
        coalitions: list[CoalitionDraft] = Field(max_length=3)

        @model_validator(mode="before")
        @classmethod
        def _new_attempt(cls, data: Any, info: ValidationInfo) -> Any:
            """What an earlier answer left out is not this answer's: start the dropped list again."""
            context = validation_context(info)
            if context and not context.get("salvage"):
                context["dropped"] = []
            return data

    return CoalitionsAnswer


# --- the checks of a coalition draft (see ``coalitions_answer``), in the order they run ---------------------------
#: Whether a sentence names a member (by its own names or a story alias standing for it).
Names = Callable[[str, str], bool]


def _drop_unstated_statements(draft: Any, info: ValidationInfo) -> None:
    """Leave out the objectives and mechanisms no sentence states (recorded, not reasked)."""
    for field in ("objectives", "mechanisms"):
        statements = getattr(draft, field)
        unstated = [s for s in statements if s._unsupported]
        _drop_quietly(info, [f"{field[:-1]} {s.text!r} of {draft.name!r}: no sentence states it" for s in unstated])
        setattr(draft, field, [s for s in statements if not s._unsupported])


def _refuse_a_country_name(draft: Any) -> None:
    """A state is no coalition: named after a state that is not in it, the "coalition" is a list of names.

    The model paired them with a state it read nearby (a crew's nationalities, a country's partners).
    """
    if names_a_country(draft.name) and canonical_name(draft.name) not in {*draft.members, draft.led_by}:
        raise ValueError(
            f"{draft.name!r} is the name of a country, not of a coalition, and not one of its members: give "
            "the name the article gives the coalition, alliance or mechanism, or leave it out if the article "
            "describes none"
        )


def _tidy_names(draft: Any) -> list[str]:
    """The members without repeats, the coalition itself or two names run together."""
    itself = normalise(draft.name)
    if draft.led_by is not None and (normalise(draft.led_by) == itself or _joined_names(draft.led_by)):
        draft.led_by = None
    # A coalition is not its own member, and "X and Y" (two names run together) names no one member.
    return [m for m in dict.fromkeys(draft.members) if normalise(m) != itself and not _joined_names(m)]


def _ground_members(
    draft: Any, members: list[str], member_names: list[str], numbered: list[str], named: Names, info: ValidationInfo
) -> list[int]:
    """Keep the members named in the cited sentences or the list near them; the sentences they may be named in.

    A member named nowhere near the coalition is reasked (then dropped while salvaging).
    """
    count = len(numbered)
    cited = [n for n in (draft.members_sentence, draft.sentence) if n is not None and 1 <= n <= count]
    # A coalition's sentence that itself lists states is its member list: names listed in another
    # sentence further away (a crew's nationalities, another group) are not its members. A sentence
    # listing none (or a number the article does not have) leaves the list anywhere.
    listing_here = 1 <= draft.sentence <= count and (
        sum(named(numbered[draft.sentence - 1], name) for name in member_names) >= LISTED_STATES
    )
    reach = range(draft.sentence - LISTING_REACH, draft.sentence + LISTING_REACH + 1)
    near = [n for n in reach if 1 <= n <= count] if listing_here else list(range(1, count + 1))
    found = enumeration_sentence([numbered[n - 1] for n in near], members, named)
    listing = near[found - 1] if found else None
    pool = [*cited, *([listing] if listing else [])]
    unnamed = [name for name in members if not any(named(numbered[n - 1], name) for n in pool)]
    if unnamed:
        # Say which names the cited sentences do hold: pointing at its own sentence, a small model corrects
        # its list; told only what is wrong, it repeats it.
        holds = [name for name in member_names if any(named(numbered[n - 1], name) for n in pool)]
        _drop_or_reask(
            info,
            [f"member {name} of {draft.name!r}: not named in its cited sentences" for name in unnamed],
            f"sentence {draft.sentence} does not name {', '.join(unnamed)}, nor does the sentence listing the "
            "other members"
            + (f"; they name {', '.join(holds)}" if holds else "")
            + ": list only states or organisations the article says take part",
        )
    draft.members = [name for name in members if name not in unnamed]
    _separate_roles(draft, [numbered[n - 1] for n in pool])
    return pool


def _separate_roles(draft: Any, sentences: list[str]) -> None:
    """A coalition's target, or a body its members leave, is never its member: the sentences decide which it is.

    A name given as both member and target is the target when a sentence about the coalition says it
    acts against it ("against X", "X attacks"), else a member whose target the model guessed. A name
    these sentences say is fought, or left ("left X", "withdrew from X"), is no member.
    """
    if draft.target in draft.members:
        if any(states_target(sentence, draft.target) for sentence in sentences):
            draft.members = [name for name in draft.members if name != draft.target]
        else:
            draft.target = None
    draft.members = [
        name
        for name in draft.members
        if not any(
            states_target(sentence, name, before_only=True) or states_left(sentence, name) for sentence in sentences
        )
    ]


def _complete_listed_members(draft: Any, pool: list[int], member_names: list[str], numbered: list[str]) -> None:
    """A list the model took two or more members from is the member list: what it left out of it is a member too.

    ("A, B, C and D agreed ..." answered with A, B and D.)
    """
    itself = normalise(draft.name)
    for number in pool:
        listed = list_holding(numbered[number - 1], draft.members, member_names)
        if listed:
            draft.members += [
                name for name in listed if name not in {*draft.members, draft.target} and normalise(name) != itself
            ]
            break


def _quote_the_members(draft: Any, members: list[str], pool: list[int], numbered: list[str], named: Names) -> None:
    """Quote the sentence naming most members; a cited sentence naming none moves to it (or to the one naming it)."""
    count = len(numbered)
    if pool:
        draft.members_sentence = max(pool, key=lambda n: sum(named(numbered[n - 1], m) for m in draft.members))
        draft.members_evidence = numbered[draft.members_sentence - 1]
    if not (1 <= draft.sentence <= count) or not any(named(numbered[draft.sentence - 1], m) for m in members):
        naming = draft.members_sentence or best_supporting(
            numbered, draft.sentence, lambda s: text_similarity(draft.name, s), STATES_TEXT_MIN
        )
        draft.sentence = naming or draft.sentence


def _check_member_count(draft: Any, pool: list[int], numbered: list[str], info: ValidationInfo) -> None:
    """A member count stands only stated beside the members (in their sentences or next to them), and not too small."""
    if draft.member_count_stated is None:
        return
    candidates = [n + step for n in dict.fromkeys((*pool, draft.sentence)) for step in (0, -1, 1) if n]
    if stated_count(numbered, candidates, draft.member_count_stated) is None:
        _drop_quietly(
            info, [f"member count {draft.member_count_stated} of {draft.name!r}: not stated in its sentences"]
        )
        draft.member_count_stated = None
    elif draft.member_count_stated < len(draft.members):  # "two airbases" near a list of four states
        _drop_quietly(
            info,
            [
                f"member count {draft.member_count_stated} of {draft.name!r}: fewer than the "
                f"{len(draft.members)} members its sentences list"
            ],
        )
        draft.member_count_stated = None


@lru_cache(maxsize=256)
def cached_coalitions_answer(member_names: tuple[str, ...], organisations: tuple[str, ...]) -> type[BaseModel]:
    """One schema class per set of names: articles naming the same states and organisations share it."""
    return coalitions_answer(list(member_names), list(organisations))


@lru_cache(maxsize=256)
def combined_answer(models: tuple[type[BaseModel], ...]) -> type[BaseModel]:
    """Every step's answer in one object (``models`` in the order asked): their fields and validators together."""
    return create_model("ArticleAnswer", __base__=tuple(reversed(models)))


def same_fact_key(draft: BaseModel) -> tuple:
    """Two drafts with this key say the same thing (a model repeating itself): only the first is kept."""
    fields = {name: getattr(draft, name) for name in ("sentence", "when", "number", "text") if hasattr(draft, name)}
    return (type(draft).__name__, *(normalise(str(value)) for value in fields.values()))
