"""Score per-article briefs (and a merged brief's conflicts) against hand-made gold, per field.

The gold is a JSON object keyed by article file name (see ``fixtures/eval/README.md``)::

    {"03_example.txt": {"on_topic": true, "coalition": "...", "target": "ISIS",
                        "members": ["Türkiye", ...], "other_participants": ["Lebanon"],
                        "people": [{"name": "Hakan Fidan", "role": "Turkish Foreign Minister"}],
                        "events": [{"date": "2025-03-09", "date_text": "on Sunday", "what": "..."}],
                        "numbers": [{"value": 43000, "what": "detainees in al-Hol camp"}],
                        "objectives": ["..."]}}

How each field is scored (true positives, false positives = inventions, false negatives = misses;
precision, recall and F1 micro-averaged over articles):

- **members**: the canonical names (alias tables of :mod:`summarise.entities`) of the members of
  every coalition of the brief, against gold ``members`` and ``other_participants``.
- **people**: matched one to one, conservatively: equal after folding case, accents, apostrophes,
  hyphens and the particle "al", or rapidfuzz ``token_sort_ratio`` of those forms of at least 85
  (so "Ahmed Al-Sarraj" is not "Ahmad al-Sharaa"). Among matched people the **role** is right when
  both are empty or their words overlap enough (token-set ratio ≥ 70).
- **events**: a brief event and a gold event match when their texts are similar (the gold ``what``
  against the brief's description or evidence, token-set ratio ≥ 45) and the dates agree at the
  gold's precision (a gold range ``A/B`` takes any day inside it). An event the brief dates where the
  gold says the text allows no date is an **invented date**: wrong, counted as both an invention and
  a miss.
- **numbers**: matched by value (within 0.5 %), then, among equal values, by similarity of ``what``.
- **objectives** (only where the gold lists them): brief objectives and mechanisms against the gold
  phrases, token-set ratio ≥ 60.
- **off-topic articles** (gold ``on_topic`` false) yield no facts by design: for them only the topic
  and any invented fact are scored, whatever else their gold entry lists.
- **on_topic**: accuracy. **groundedness**: the share of the brief's facts whose evidence is the
  article's own text (expected: all).
- With gold conflicts (``{"conflicts": [{"about": "...", "values": [...]}]}``), the merged brief's
  conflicts are scored too: a gold conflict is found when one merged conflict holds every gold
  value (same text, the same set of countries for a member list, the same number or date, or for
  a statement its words, nearly verbatim, inside the merged value).

Conventions: precision is 1.0 when nothing was predicted and recall 1.0 when the gold is empty.
This module needs no model: it scores briefs however they were made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz

from summarise.dates import within
from summarise.entities import canonical_name, person_key
from summarise.exceptions import InputError
from summarise.grounding import normalise
from summarise.numbers import numbers_in
from summarise.schemas import ArticleBrief, CoalitionBrief, first_problem

NAME_MATCH_MIN_RATIO = 85.0
ROLE_MATCH_MIN_RATIO = 70.0
EVENT_TEXT_MIN_RATIO = 45.0
OBJECTIVE_MIN_RATIO = 60.0
CONFLICT_VALUE_MIN_RATIO = 90.0
FIELDS = ("members", "people", "events", "numbers", "objectives")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# --- the gold -----------------------------------------------------------------------------------


class GoldPerson(BaseModel):
    """A person the article names, with the role it gives (or null)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    role: str | None = None


class GoldEvent(BaseModel):
    """An event with its date at the precision the text allows, or null when it allows none."""

    model_config = ConfigDict(extra="forbid")
    date: str | None
    date_text: str | None = None
    what: str

    @field_validator("date")
    @classmethod
    def _date_or_range(cls, value: str | None) -> str | None:
        if value is not None and not all(_DATE.match(part) for part in value.split("/", 1)):
            raise ValueError(f"{value!r} is not YYYY-MM-DD, YYYY-MM, YYYY, a range A/B, or null")
        return value


class GoldNumber(BaseModel):
    """A reported figure and what it measures."""

    model_config = ConfigDict(extra="forbid")
    value: float
    what: str


class GoldCoalition(BaseModel):
    """One coalition of an article that describes several (not scored: a record for the reader)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    leader: str | None = None
    target: str | None = None
    members: list[str] = Field(default_factory=list)


class GoldArticle(BaseModel):
    """The hand-made annotation of one article."""

    model_config = ConfigDict(extra="forbid")
    on_topic: bool
    coalition: str | None = None
    target: str | None = None
    members: list[str]
    other_participants: list[str] = Field(default_factory=list)
    # A field left out (or null) is not annotated, and not scored.
    people: list[GoldPerson] | None = None
    events: list[GoldEvent] | None = None
    numbers: list[GoldNumber] | None = None
    objectives: list[str] | None = None
    coalitions: list[GoldCoalition] | None = None


class GoldConflict(BaseModel):
    """A disagreement between sources the merged brief should list."""

    model_config = ConfigDict(extra="forbid")
    about: str
    values: list[str] = Field(min_length=2)


def load_gold(path: Path) -> dict[str, GoldArticle]:
    """Read a gold file; a malformed one is an :class:`InputError` naming the entry and field."""
    raw = _read_json(path)
    if not isinstance(raw, dict) or not raw:
        raise InputError(str(path), "the gold must be a JSON object keyed by article file name")
    gold: dict[str, GoldArticle] = {}
    for name, entry in raw.items():
        try:
            gold[name] = GoldArticle.model_validate(entry)
        except ValidationError as error:
            raise InputError(str(path), f"entry {name!r}: {first_problem(error)}") from None
    return gold


def load_gold_conflicts(path: Path) -> list[GoldConflict]:
    """Read ``{"conflicts": [...]}``."""
    raw = _read_json(path)
    if not isinstance(raw, dict) or "conflicts" not in raw:
        raise InputError(str(path), 'expected {"conflicts": [{"about": ..., "values": [...]}]}')
    try:
        return [GoldConflict.model_validate(item) for item in raw["conflicts"]]
    except ValidationError as error:
        raise InputError(str(path), first_problem(error)) from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(str(path), f"cannot read: {(error.strerror or str(error)).lower()}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(str(path), f"not valid JSON: {error}") from None


# --- matching helpers ---------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (1.0 for an empty prediction / empty gold)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def names_match(first: str, second: str) -> bool:
    """Whether two personal names denote the same person (conservatively)."""
    a, b = person_key(first), person_key(second)
    return bool(a and b) and (a == b or fuzz.token_sort_ratio(a, b) >= NAME_MATCH_MIN_RATIO)


def similarity(a: str | None, b: str | None) -> float:
    """Word-set similarity of two texts, 0-100."""
    if not a or not b:
        return 0.0
    return fuzz.token_set_ratio(normalise(a), normalise(b))


def _one_to_one(candidates: Iterable[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best score first (ties: earlier items first)."""
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def match_people(predicted: Sequence[str], gold: Sequence[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Match names one to one: ``(pairs (predicted, gold), unmatched predicted, unmatched gold)``.

    A predicted name repeated (the same normalised form) counts once.
    """
    first: dict[str, str] = {}
    for name in predicted:
        first.setdefault(person_key(name), name)
    left = list(first.values())
    right = list(dict.fromkeys(gold))
    candidates = [
        (
            101.0 if person_key(a) == person_key(b) else fuzz.token_sort_ratio(person_key(a), person_key(b)),
            i,
            j,
        )
        for i, a in enumerate(left)
        for j, b in enumerate(right)
        if names_match(a, b)
    ]
    pairs = _one_to_one(candidates)
    matched_left = {i for i, _ in pairs}
    matched_right = {j for _, j in pairs}
    return (
        [(left[i], right[j]) for i, j in pairs],
        [name for i, name in enumerate(left) if i not in matched_left],
        [name for j, name in enumerate(right) if j not in matched_right],
    )


def roles_agree(predicted: str | None, gold: str | None) -> bool:
    """A role is right when both are empty or their words overlap enough."""
    if not predicted or not gold:
        return not predicted and not gold
    return similarity(predicted, gold) >= ROLE_MATCH_MIN_RATIO


def date_agrees(predicted: str | None, gold: str | None) -> bool:
    """Whether a brief's date equals the gold's at the gold's precision: every day it covers is one of the gold's.

    "2025-03-09" agrees with a gold "2025-03" and with a gold range holding it; "2025-03" does not
    agree with a gold "2025-03-09" (less precise), nor a week with a day.
    """
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return within(predicted, gold)


def _field(tp: int, invented: list[Any], missed: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "tp": tp,
        "fp": len(invented),
        "fn": len(missed),
        **prf(tp, len(invented), len(missed)),
        "invented": invented,
        "missed": missed,
        **extra,
    }


# --- per field ----------------------------------------------------------------------------------


def score_members(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any]:
    """Members of every coalition of the brief against gold members and other participants.

    Where the gold lists an article's several coalitions (``coalitions``), their members count too:
    the brief's coalitions are all scored.
    """
    listed = [name for coalition in gold.coalitions or [] for name in coalition.members]
    wanted = list(dict.fromkeys(_canonical(n) for n in [*gold.members, *gold.other_participants, *listed]))
    found = list(dict.fromkeys(_canonical(m.name) for c in brief.coalitions for m in c.members))
    return _field(
        len([n for n in found if n in wanted]),
        [n for n in found if n not in wanted],
        [n for n in wanted if n not in found],
    )


def _canonical(name: str) -> str:
    return canonical_name(name) or name.strip()


def score_people(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any] | None:
    """People matched one to one by name, and the roles of the matched ones."""
    if gold.people is None:
        return None
    pairs, invented, missed = match_people([p.name for p in brief.people], [p.name for p in gold.people])
    predicted_role = {p.name: p.role for p in reversed(brief.people)}
    gold_role = {p.name: p.role for p in gold.people}
    roles = [
        {
            "name": name,
            "brief": predicted_role[name],
            "gold": gold_role[wanted],
            "right": roles_agree(predicted_role[name], gold_role[wanted]),
        }
        for name, wanted in pairs
    ]
    return _field(
        len(pairs),
        invented,
        missed,
        matched=[list(pair) for pair in pairs],
        roles_right=sum(1 for role in roles if role["right"]),
        roles_wrong=[role for role in roles if not role["right"]],
    )


def score_events(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any] | None:
    """Events matched by date (at the gold's precision) and text; invented dates listed."""
    if gold.events is None:
        return None
    events = brief.events
    text_scores = {
        (i, j): max(similarity(event.description, wanted.what), similarity(event.evidence, wanted.what))
        for i, event in enumerate(events)
        for j, wanted in enumerate(gold.events)
    }
    similar = {pair: score for pair, score in text_scores.items() if score >= EVENT_TEXT_MIN_RATIO}
    pairs = _one_to_one(
        (score, i, j) for (i, j), score in similar.items() if date_agrees(events[i].date, gold.events[j].date)
    )
    used_brief = {i for i, _ in pairs}
    used_gold = {j for _, j in pairs}
    # A dated brief event that matches, by text, a gold event the text gives no date for: an invented date.
    invented_dates = _one_to_one(
        (score, i, j)
        for (i, j), score in similar.items()
        if i not in used_brief and j not in used_gold and gold.events[j].date is None and events[i].date
    )
    return _field(
        len(pairs),
        [f"{events[i].date or 'undated'}: {events[i].description}" for i in range(len(events)) if i not in used_brief],
        [
            f"{gold.events[j].date or 'undated'}: {gold.events[j].what}"
            for j in range(len(gold.events))
            if j not in used_gold
        ],
        invented_dates=[
            f"{events[i].date} ({events[i].when_text}): {events[i].description}" for i, _ in invented_dates
        ],
    )


def score_numbers(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any] | None:
    """Figures matched by value, then by what they measure."""
    if gold.numbers is None:
        return None
    figures = brief.figures
    candidates = [
        (similarity(f"{figure.unit or ''} {figure.what}", wanted.what), i, j)
        for i, figure in enumerate(figures)
        for j, wanted in enumerate(gold.numbers)
        if abs(figure.value - wanted.value) <= 0.005 * max(abs(wanted.value), 1e-9)
    ]
    pairs = _one_to_one(candidates)
    used_brief = {i for i, _ in pairs}
    used_gold = {j for _, j in pairs}
    return _field(
        len(pairs),
        [f"{figures[i].value_as_written}: {figures[i].what}" for i in range(len(figures)) if i not in used_brief],
        [f"{gold.numbers[j].value:g}: {gold.numbers[j].what}" for j in range(len(gold.numbers)) if j not in used_gold],
    )


def score_objectives(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any] | None:
    """Objectives and mechanisms against the gold phrases, where the gold lists any."""
    if gold.objectives is None:
        return None
    statements = [s for c in brief.coalitions for s in [*c.objectives, *c.mechanisms]]
    candidates = [
        (max(similarity(s.text, phrase), similarity(s.evidence, phrase)), i, j)
        for i, s in enumerate(statements)
        for j, phrase in enumerate(gold.objectives)
    ]
    pairs = _one_to_one(c for c in candidates if c[0] >= OBJECTIVE_MIN_RATIO)
    used_brief = {i for i, _ in pairs}
    used_gold = {j for _, j in pairs}
    return _field(
        len(pairs),
        [statements[i].text for i in range(len(statements)) if i not in used_brief],
        [gold.objectives[j] for j in range(len(gold.objectives)) if j not in used_gold],
    )


def groundedness(brief: ArticleBrief, text: str | None) -> dict[str, Any]:
    """How many of the brief's facts have evidence that is the article's own text."""
    facts = brief.facts()
    if text is None:
        return {"facts": len(facts), "grounded": None, "share": None, "ungrounded": []}
    ungrounded = [fact.evidence for fact in facts if fact.evidence not in text]
    grounded = len(facts) - len(ungrounded)
    return {
        "facts": len(facts),
        "grounded": grounded,
        "share": round(grounded / len(facts), 4) if facts else 1.0,
        "ungrounded": ungrounded,
    }


def score_article(gold: GoldArticle, brief: ArticleBrief | None, text: str | None) -> dict[str, Any]:
    """Score one brief (``None`` when the article has none) against its gold entry."""
    empty = ArticleBrief(article={"id": "0" * 16, "source": "(missing)"}, on_topic=None)
    scored = brief or empty
    if not gold.on_topic:
        # An off-topic article yields no facts by design: only its topic and any invention are scored.
        gold = gold.model_copy(
            update={
                "members": [],
                "other_participants": [],
                "people": [] if gold.people is not None else None,
                "events": [] if gold.events is not None else None,
                "numbers": [] if gold.numbers is not None else None,
                "objectives": None,
            }
        )
    return {
        "missing": brief is None,
        "incomplete": bool(brief and brief.extraction and brief.extraction.failed_steps),
        "on_topic": {"gold": gold.on_topic, "brief": scored.on_topic, "right": scored.on_topic == gold.on_topic},
        "members": score_members(scored, gold),
        "people": score_people(scored, gold),
        "events": score_events(scored, gold),
        "numbers": score_numbers(scored, gold),
        "objectives": score_objectives(scored, gold),
        "groundedness": groundedness(brief, text) if brief else None,
    }


def score(
    gold: Mapping[str, GoldArticle], briefs: Iterable[ArticleBrief], texts: Mapping[str, str | None]
) -> dict[str, Any]:
    """Score every gold article; briefs are matched to gold by their article's file name."""
    by_name: dict[str, ArticleBrief] = {}
    unmatched: list[str] = []
    for brief in briefs:
        name = Path(brief.article.source).name
        if name in gold and name not in by_name:
            by_name[name] = brief
        else:
            unmatched.append(brief.article.source)
    articles = {name: score_article(entry, by_name.get(name), texts.get(name)) for name, entry in gold.items()}
    return {"articles": articles, "total": totals(articles.values()), "unmatched_briefs": unmatched}


def totals(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Micro-averaged totals over per-article results."""
    results = list(results)
    out: dict[str, Any] = {
        "articles": len(results),
        "missing_briefs": sum(1 for r in results if r["missing"]),
        "incomplete_briefs": sum(1 for r in results if r["incomplete"]),
        "on_topic": {
            "right": sum(1 for r in results if r["on_topic"]["right"]),
            "wrong": sum(1 for r in results if not r["on_topic"]["right"]),
        },
    }
    for key in FIELDS:
        parts = [r[key] for r in results if r[key] is not None]
        tp, fp, fn = (sum(part[k] for part in parts) for k in ("tp", "fp", "fn"))
        out[key] = {"tp": tp, "fp": fp, "fn": fn, **prf(tp, fp, fn), "articles": len(parts)}
    out["people"]["roles_right"] = sum(r["people"]["roles_right"] for r in results if r["people"])
    out["people"]["roles_wrong"] = sum(len(r["people"]["roles_wrong"]) for r in results if r["people"])
    out["events"]["invented_dates"] = sum(len(r["events"]["invented_dates"]) for r in results if r["events"])
    grounded = [r["groundedness"] for r in results if r["groundedness"] and r["groundedness"]["grounded"] is not None]
    facts = sum(g["facts"] for g in grounded)
    hits = sum(g["grounded"] for g in grounded)
    out["groundedness"] = {"facts": facts, "grounded": hits, "share": round(hits / facts, 4) if facts else None}
    return out


# --- conflicts of a merged brief ----------------------------------------------------------------


def _country_set(value: str) -> frozenset[str] | None:
    parts = [part.strip() for part in re.split(r",|\band\b", value) if part.strip()]
    names = [canonical_name(part) for part in parts]
    return frozenset(n for n in names if n) if parts and all(names) else None


def _numbers(value: str) -> set[float]:
    """The numbers a value states, in digits or words, its dates aside ("ten, reported 2023-12-19" holds 10 only)."""
    return set(numbers_in(re.sub(r"\d{4}-\d{2}(?:-\d{2})?", " ", value)))


def conflict_value_matches(gold_value: str, merged_value: str) -> bool:
    """Same text, the same set of countries, the same number or date, or (a statement) its words inside."""
    if normalise(gold_value) == normalise(merged_value):
        return True
    countries = _country_set(gold_value)
    if countries is not None:
        return countries == _country_set(merged_value)
    if re.fullmatch(r"[\d,.\s]+", gold_value):
        return _numbers(gold_value) <= _numbers(merged_value)
    if _DATE.match(gold_value):  # a date is that date: the day before is another value
        return gold_value in merged_value
    if len(gold_value.split()) <= 3:  # a name: a spelling one letter apart is another value
        return False
    # A statement: the gold's words (a passage of the article) inside the merged value, nearly verbatim.
    return fuzz.partial_ratio(normalise(gold_value), normalise(merged_value)) >= CONFLICT_VALUE_MIN_RATIO


def score_conflicts(merged: CoalitionBrief, gold: Sequence[GoldConflict]) -> dict[str, Any]:
    """Conflict recall: the gold conflicts one merged conflict holds every value of."""
    found, missed = [], []
    used: set[str] = set()
    for conflict in gold:
        match = next(
            (
                c
                for c in merged.conflicts
                if c.id not in used
                and all(any(conflict_value_matches(v, m.value) for m in c.values) for v in conflict.values)
            ),
            None,
        )
        if match:
            used.add(match.id)
            found.append({"about": conflict.about, "conflict": match.id, "kind": match.kind})
        else:
            missed.append(conflict.about)
    extra = [f"{c.id} {c.kind}: {c.about}" for c in merged.conflicts if c.id not in used]
    recall = round(len(found) / len(gold), 4) if gold else 1.0
    return {"gold": len(gold), "found": found, "missed": missed, "recall": recall, "not_in_gold": extra}


# --- report -------------------------------------------------------------------------------------


def render_report(report: Mapping[str, Any]) -> str:
    """A table of precision, recall and F1 per field, then each article's misses and inventions."""
    lines = _totals_lines(report["total"])
    if "conflicts" in report:
        conflicts = report["conflicts"]
        lines.append(
            f"conflicts of the merged brief: {len(conflicts['found'])}/{conflicts['gold']} found "
            f"(recall {conflicts['recall']:.2f}), {len(conflicts['not_in_gold'])} not in the gold"
        )
        lines += [f"  missed conflict: {about}" for about in conflicts["missed"]]
        lines += [f"  not in gold: {extra}" for extra in conflicts["not_in_gold"]]
    for name, result in report["articles"].items():
        if problems := _article_problems(result):
            lines += ["", name]
            lines += [f"  {problem}" for problem in problems]
    if report["unmatched_briefs"]:
        lines += ["", f"briefs without gold (not scored): {', '.join(report['unmatched_briefs'])}"]
    return "\n".join(lines) + "\n"


def _totals_lines(total: Mapping[str, Any]) -> list[str]:
    """The table of every field and of all of them, then topic, roles, dates, groundedness and counts."""
    lines = [f"{'field':<12} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for key in FIELDS:
        part = total[key]
        if not part["articles"]:
            continue
        lines.append(
            f"{key:<12} {part['tp']:>4} {part['fp']:>4} {part['fn']:>4} "
            f"{part['precision']:>6.2f} {part['recall']:>6.2f} {part['f1']:>6.2f}"
        )
    tp, fp, fn = (sum(total[key][k] for key in FIELDS) for k in ("tp", "fp", "fn"))
    all_fields = prf(tp, fp, fn)
    lines.append(
        f"{'all':<12} {tp:>4} {fp:>4} {fn:>4} "
        f"{all_fields['precision']:>6.2f} {all_fields['recall']:>6.2f} {all_fields['f1']:>6.2f}"
    )
    topic = total["on_topic"]
    ground = total["groundedness"]
    people = total["people"]
    lines += [
        "",
        f"on_topic: {topic['right']}/{topic['right'] + topic['wrong']} right",
        f"roles of matched people: {people['roles_right']} right, {people['roles_wrong']} wrong",
        f"invented event dates: {total['events']['invented_dates']}",
        "groundedness: "
        + (
            f"{ground['grounded']}/{ground['facts']} facts ({ground['share']:.2f})"
            if ground["share"] is not None
            else "n/a"
        ),
        f"articles: {total['articles']} "
        f"(no brief: {total['missing_briefs']}, incomplete: {total['incomplete_briefs']})",
    ]
    return lines


def _article_problems(result: Mapping[str, Any]) -> list[str]:
    """What one article's brief got wrong against its gold, a line each."""
    problems = []
    if result["missing"]:
        problems.append("no brief")
    if not result["on_topic"]["right"]:
        problems.append(f"on_topic {result['on_topic']['brief']} (gold {result['on_topic']['gold']})")
    for key in FIELDS:
        part = result[key]
        if part is None:
            continue
        problems += [f"{key} invented: {item}" for item in part["invented"]]
        problems += [f"{key} missed: {item}" for item in part["missed"]]
    problems += [f"invented date: {item}" for item in (result["events"] or {}).get("invented_dates", [])]
    problems += [
        f"role wrong: {r['name']}: {r['brief']!r} (gold {r['gold']!r})"
        for r in (result["people"] or {}).get("roles_wrong", [])
    ]
    ground = result["groundedness"]
    if ground and ground["ungrounded"]:
        problems += [f"evidence not in the article: {e[:80]!r}" for e in ground["ungrounded"]]
    return problems
