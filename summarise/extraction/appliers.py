"""How each answer of the model, and what the code reads itself, becomes facts of an article's brief.

An applier takes a question's validated answer (:mod:`summarise.extraction.answers`) and fills its part of the
:class:`ArticleBrief`; a story file's extra aliases and target names count as the names they stand
for. The coalitions applier keeps only what the sentences about a coalition state: a target they
say it acts against, a leader they say leads it; a "coalition" of one member, or of two that the
model calls bilateral or that its name only pairs, is a relationship and is left out.

:func:`add_readings` adds what the code reads from an on-topic article's sentences with no model:
events, figures, claims, quotes and people.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any, TypeVar

from pydantic import ValidationError

from summarise.extraction.answers import NEEDS_A_COALITION, names_a_country, names_member
from summarise.extraction.prepared import PreparedArticle
from summarise.reading.events import events_in, figures_in
from summarise.reading.people import people_in
from summarise.reading.statements import quotations, statements
from summarise.reading.support import made_of_states, states_leader, states_target, statuses_in
from summarise.schemas import (
    EVIDENCE_MAX_CHARS,
    ArticleBrief,
    Claim,
    Coalition,
    CoalitionMember,
    Event,
    Figure,
    Person,
    Quote,
    Statement,
)
from summarise.text.entities import alias_in, entities_in, organisation_candidates, without_entity_names
from summarise.text.grounding import find_span, mentions, normalise

Fact = TypeVar("Fact")


def apply_topic(answer: Any, brief: ArticleBrief, prepared: PreparedArticle) -> None:
    """The subject question: whether the article may be on topic (see :data:`NEEDS_A_COALITION`)."""
    brief.on_topic = answer.on_topic
    brief.subject = answer.subject


def apply_coalitions(answer: Any, brief: ArticleBrief, prepared: PreparedArticle) -> None:
    """The coalitions question: each coalition with what its sentences state of its target, leader and members.

    Whether the article is on topic is the topic question's answer (:func:`apply_topic`), except for
    business, trade or economic news: that is on topic when the model found a grouping of states,
    their organisations or armed groups in it (an economic bloc), even one whose members its sentences
    do not all support. A grouping of companies, researchers or people is none.
    """
    groupings = [draft for draft in answer.coalitions if not made_of_states(draft.made_of)]
    if brief.extraction is not None:
        brief.extraction.dropped_facts += [
            f"coalitions: {draft.name!r}: made of {draft.made_of!r}, not of states, their organisations or armed groups"
            for draft in groupings
        ]
    answer = answer.model_copy(update={"coalitions": [d for d in answer.coalitions if d not in groupings]})
    article, story, numbered = prepared.article, prepared.story, prepared.sentences
    stands_for = prepared.stands_for()
    target_aliases = story.target_aliases() if story is not None else {}
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

    opposed = [_opposed(draft, quoted) for draft, quoted in zip(answer.coalitions, about, strict=True)]

    entities = prepared.named
    named = list(dict.fromkeys(e.canonical for e in entities))
    bodies = [e.canonical for e in entities if e.kind != "country"]
    bodies += organisation_candidates(article.text)

    def coalition(drafted: tuple[Any, list[str], bool, set[str]]) -> Coalition:
        draft, quoted, target_stated, against = drafted
        draft.members = [name for name in draft.members if name not in against]
        # One coalition in the article: any sentence may say who declined or left it ("Russia quit the deal").
        read = numbered if len(answer.coalitions) == 1 else quoted
        statuses = _read_statuses(draft, read, [*draft.members, *named], _other_bodies(draft, bodies))
        return Coalition(
            evidence=draft.evidence,
            name=_grouping_name(draft),
            kind=draft.kind,
            target=draft.target if target_stated else None,
            led_by=stands_for.get(leader, leader) if (leader := _named_leader(draft, stands_for, quoted)) else None,
            member_count_stated=draft.member_count_stated,
            members=_members(draft, leader, stands_for, statuses, article.published),
            objectives=[Statement(evidence=s.evidence, text=s.text) for s in draft.objectives],
            mechanisms=[Statement(evidence=s.evidence, text=s.text) for s in draft.mechanisms],
        )

    drafted = zip(answer.coalitions, about, stated, opposed, strict=True)
    brief.coalitions = valid_facts(brief, "coalitions", coalition, drafted, lambda item: item[0].name)
    if brief.extraction is not None:
        brief.extraction.dropped_facts += [
            f"coalitions: member {name} of {draft.name!r}: a sentence about it says it acts against {name}"
            for draft, against in zip(answer.coalitions, opposed, strict=True)
            for name in sorted(against)
        ]
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
    # Business news is on topic when the model found a grouping of states in it (an economic bloc), even one
    # whose members its sentences do not all support.
    if brief.subject in NEEDS_A_COALITION:
        brief.on_topic = bool(answer.coalitions)
    if brief.coalitions:
        brief.topic_evidence = brief.coalitions[0].evidence


def add_readings(brief: ArticleBrief, prepared: PreparedArticle) -> None:
    """What the code reads from an on-topic article's sentences: events, figures, claims, quotes and people.

    See :mod:`summarise.reading.events` and :mod:`summarise.reading.statements`; every evidence is a sentence
    of the article (cut at ``EVIDENCE_MAX_CHARS``, so still its own words).
    """
    if not brief.on_topic:
        return
    article, numbered = prepared.article, prepared.sentences

    def event(e: Any) -> Event:
        return Event(
            evidence=e.sentence[:EVIDENCE_MAX_CHARS],
            when_text=e.when,
            date=e.date,
            date_basis=e.basis,
            description=e.description[:500],
        )

    def figure(f: Any) -> Figure:
        return Figure(
            evidence=f.sentence[:EVIDENCE_MAX_CHARS],
            value=f.value,
            value_as_written=f.written[:200],
            unit=f.unit[:200] if f.unit else None,
            what=f.what[:500],
            qualifier=f.qualifier,
        )

    def claim(s: Any) -> Claim:
        return Claim(evidence=s.sentence[:EVIDENCE_MAX_CHARS], holder=s.holder[:200], claim=s.claim[:500])

    def quote(q: Any) -> Quote:
        return Quote(evidence=q.text[:EVIDENCE_MAX_CHARS], speaker=q.speaker[:200], text=q.text[:500])

    def person(p: Any) -> Person:
        return Person(
            evidence=p.sentence[:EVIDENCE_MAX_CHARS],
            name=p.name,
            role=p.role[:200] if p.role else None,
            affiliation=p.affiliation,
        )

    events = valid_facts(brief, "events", event, events_in(numbered, article.published))
    brief.events = sorted(events, key=lambda e: (e.date is None, e.date or ""))
    brief.figures = valid_facts(brief, "figures", figure, figures_in(numbered))
    brief.claims = valid_facts(brief, "claims", claim, statements(numbered, article.outlet))
    brief.quotes = valid_facts(brief, "quotes", quote, quotations(numbered))
    brief.people = valid_facts(brief, "people", person, people_in(numbered))


def valid_facts(
    brief: ArticleBrief,
    kind: str,
    make: Callable[[Any], Fact],
    readings: Iterable[Any],
    describe: Callable[[Any], str] | None = None,
) -> list[Fact]:
    """``make(reading)`` for each reading; one whose fact fails validation is dropped and recorded, never the article.

    The record (in the brief's ``dropped_facts``) names the kind, the reading's words and what failed.
    """
    kept: list[Fact] = []
    for reading in readings:
        try:
            kept.append(make(reading))
        except ValidationError as error:
            if brief.extraction is None:
                continue
            words = describe(reading) if describe else getattr(reading, "sentence", getattr(reading, "text", ""))
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            brief.extraction.dropped_facts.append(
                f"{kind}: {str(words)[:80]!r}: {where + ': ' if where else ''}{first['msg'].lower()}"
            )
    return kept


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


def _other_bodies(draft: Any, bodies: list[str]) -> list[str]:
    """The organisations the article names that are not this coalition (by its name or one inside it)."""
    own = normalise(draft.name)
    return [body for body in dict.fromkeys(bodies) if not (mentions(draft.name, body) or normalise(body) in own)]


#: How far along each status is: of two an article gives one state, the one further on is kept.
_STATUS_STEP = {"invited": 0, "observer": 1, "joining": 2, "declined": 3, "suspended": 3, "withdrawn": 4}


def _read_statuses(draft: Any, quoted: list[str], names: list[str], other_bodies: list[str]) -> list[Any]:
    """The statuses the coalition's sentences give (see :func:`statuses_in`), read by the code.

    "Argentina declined", "invited A, B and C", "Russia quit the deal": each quotes its sentence. Asked for
    them with name, status and sentence, the embedded model left the list empty in all 58 answers of the
    recorded fixtures, so the code reads them. A status other than joining takes the name out of the members.
    """
    given: dict[str, Any] = {}
    itself = normalise(draft.name)
    for sentence in quoted:
        for name, status in statuses_in(sentence, names, other_bodies).items():
            if name == draft.target or normalise(name) == itself:
                continue
            # One article saying two things of a state ("invited", then "would join"): the step further on.
            if name not in given or _STATUS_STEP[status] > _STATUS_STEP[given[name].status]:
                given[name] = SimpleNamespace(name=name, status=status, evidence=sentence)
    statuses = list(given.values())
    outside = {status.name for status in statuses if status.status != "joining"}
    draft.members = [name for name in draft.members if name not in outside]
    return statuses


def _opposed(draft: Any, quoted: list[str]) -> set[str]:
    """The members a sentence about the coalition says it acts against ("the coalition to defeat X"): its targets."""
    return {name for name in draft.members if any(states_target(text, name, before_only=True) for text in quoted)}


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


def _members(
    draft: Any, leader: str | None, stands_for: dict[str, str], said: list[Any], published: Any = None
) -> list[CoalitionMember]:
    """The members, then each state or body with a stated status (joining, invited, declined, withdrawn...).

    A member's evidence is the sentence quoted for the members or the coalition; a status's is the
    sentence that states it, and its date is the date that sentence gives, if any.
    """
    members: list[CoalitionMember] = []
    names = list(draft.members)
    if leader and leader not in names:
        names.insert(0, leader)
    statuses = {s.name: s for s in said}
    seen: set[str] = set()
    for name in [*names, *(name for name in statuses if name not in names)]:
        member = stands_for.get(name, name)
        if member in seen:
            continue
        seen.add(member)
        stated = statuses.get(name)
        if stated is not None:
            quoted: tuple[str | None, ...] = (stated.evidence,)
        else:
            quoted = (draft.members_evidence, draft.evidence)
        evidence = next((text for text in quoted if text and names_member(text, name, stands_for)), draft.evidence)
        members.append(
            CoalitionMember(
                evidence=evidence,
                name=member,
                name_as_written=alias_in(evidence, name) or alias_in(evidence, member) or _as_written(evidence, name),
                role="leader" if leader == name else None,
                status=stated.status if stated is not None else "member",
                status_date=_date_of(evidence, published) if stated is not None else None,
            )
        )
    return members


def _date_of(sentence: str, published: Any) -> str | None:
    """The first date the sentence gives (resolved against the publication date), if any."""
    return next((event.date for event in events_in([sentence], published) if event.date), None)


def _as_written(evidence: str, name: str) -> str | None:
    """``name`` as ``evidence`` spells it, for a name no table knows."""
    span = find_span(evidence, name)
    return span if span and span != name else None
