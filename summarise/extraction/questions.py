"""The questions asked of the model about an article, as data: one registry, in the order asked.

Each :class:`Question` names its prompt (``prompts/<name>.txt``), its token budget, how its answer
model is built for one article (:mod:`summarise.extraction.answers`: a schema limited to the names the article
uses, and the values its prompt is filled with) and how its answer is applied to the brief
(:mod:`summarise.extraction.appliers`). The extractor asks the registry in turn, in parallel or in one request
(:class:`summarise.extraction.extract.Extractor`): three strategies over the same questions.

First the article's subject, then its coalitions. An article whose subject cannot report a
coalition (travel, science, sport, culture) is asked nothing more; one about business, trade or the
economy is on topic only if the coalitions question finds a coalition in it (an economic bloc is a
coalition; most business news reports none). Asked with no subject question, a small model found a
"coalition" in 5 of 6 off-topic controls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from summarise.articles import Article
from summarise.articles.story import Story, topic_of
from summarise.extraction.answers import SUBJECTS, TopicAnswer, cached_coalitions_answer
from summarise.extraction.appliers import apply_coalitions, apply_topic
from summarise.extraction.prepared import PreparedArticle
from summarise.schemas import ArticleBrief
from summarise.text.entities import Entity, organisation_candidates
from summarise.text.grounding import mentions, normalise

#: Builds a question's answer model for one article, and the values its prompt is filled with.
AnswerModel = Callable[[PreparedArticle], tuple[type[BaseModel], dict[str, str]]]
#: Fills the question's part of the brief from its validated answer.
Applier = Callable[[Any, ArticleBrief, PreparedArticle], None]


@dataclass(frozen=True)
class Question:
    """One question asked of the model about an article."""

    #: The question's name: its prompt's, and its step's in the call log and in ``failed_steps``.
    name: str
    #: The most tokens its answer may take.
    max_tokens: int
    answer_model: AnswerModel
    apply: Applier


def candidate_names(article: Article, named: list[Entity], story: Story | None, members_only: bool = True) -> list[str]:
    """Every state or organisation the article names: canonical when a table knows it, else as written.

    A story's targets and known coalitions are no members; its extra aliases count as the
    names they stand for.
    """
    not_members: set[str] = set()
    stands_for: dict[str, str] = {}
    if story is not None and members_only:
        not_members = {normalise(name) for name in story.target_names()}
        not_members |= {normalise(n) for c in story.coalitions for n in (c.name, *c.aliases)}
        stands_for = story.stands_for()
    names = [entity.canonical for entity in named]
    names += [alias for alias in stands_for if mentions(article.text, alias)]
    names += organisation_candidates(article.text)
    return [name for name in dict.fromkeys(names) if normalise(name) not in not_members]


def _topic_model(prepared: PreparedArticle) -> tuple[type[BaseModel], dict[str, str]]:
    return TopicAnswer, {"subjects": "; ".join(SUBJECTS)}


def _coalitions_model(prepared: PreparedArticle) -> tuple[type[BaseModel], dict[str, str]]:
    names = candidate_names(prepared.article, prepared.named, prepared.story)
    # Targets: every candidate, a story's targets included.
    targets = candidate_names(prepared.article, prepared.named, prepared.story, members_only=False)
    model = cached_coalitions_answer(tuple(names), tuple(targets))
    return model, {"topic": topic_of(prepared.story), "allowed_members": ", ".join(names) or "(none)"}


QUESTIONS: tuple[Question, ...] = (
    Question("topic", 40, _topic_model, apply_topic),
    Question("coalitions", 700, _coalitions_model, apply_coalitions),
)
#: Every question in one request: its step's name in the call log, and its token budget.
COMBINED = "all"
COMBINED_MAX_TOKENS = sum(question.max_tokens for question in QUESTIONS)
