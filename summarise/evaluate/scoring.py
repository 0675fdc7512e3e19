"""Scoring briefs against the gold: each field of an article, an article, every article, and the totals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from summarise.evaluate.gold import GoldArticle
from summarise.evaluate.matching import date_agrees, match_people, one_to_one, roles_agree, similarity
from summarise.schemas import IN_COALITION, ArticleBrief, ArticleRef
from summarise.text.entities import canonical_name

EVENT_TEXT_MIN_RATIO = 45.0
OBJECTIVE_MIN_RATIO = 60.0
FIELDS = ("members", "statuses", "people", "events", "numbers", "objectives")


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (1.0 for an empty prediction / empty gold)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


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


def score_members(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any]:
    """Members of every coalition of the brief against gold members and other participants.

    Where the gold lists an article's several coalitions (``coalitions``), their members count too:
    the brief's coalitions are all scored.
    """
    listed = [name for coalition in gold.coalitions or [] for name in coalition.members]
    wanted = list(dict.fromkeys(_canonical(n) for n in [*gold.members, *gold.other_participants, *listed]))
    found = list(
        dict.fromkeys(_canonical(m.name) for c in brief.coalitions for m in c.members if m.status in IN_COALITION)
    )
    return _field(
        len([n for n in found if n in wanted]),
        [n for n in found if n not in wanted],
        [n for n in wanted if n not in found],
    )


def score_statuses(brief: ArticleBrief, gold: GoldArticle) -> dict[str, Any] | None:
    """Each state's status other than plain membership (joining, invited, declined, withdrawn...) against the gold's."""
    if gold.statuses is None:
        return None
    wanted = {(_canonical(name), status) for name, status in gold.statuses.items()}
    found = {(_canonical(m.name), m.status) for c in brief.coalitions for m in c.members if m.status != "member"}
    return _field(
        len(found & wanted),
        [f"{name}: {status}" for name, status in sorted(found - wanted)],
        [f"{name}: {status}" for name, status in sorted(wanted - found)],
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
    pairs = one_to_one(
        (score, i, j) for (i, j), score in similar.items() if date_agrees(events[i].date, gold.events[j].date)
    )
    used_brief = {i for i, _ in pairs}
    used_gold = {j for _, j in pairs}
    # A dated brief event that matches, by text, a gold event the text gives no date for: an invented date.
    invented_dates = one_to_one(
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
    pairs = one_to_one(candidates)
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
    pairs = one_to_one(c for c in candidates if c[0] >= OBJECTIVE_MIN_RATIO)
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
    empty = ArticleBrief(article=ArticleRef(id="0" * 16, source="(missing)"), on_topic=None)
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
                "statuses": {} if gold.statuses is not None else None,
            }
        )
    return {
        "missing": brief is None,
        "incomplete": bool(brief and brief.extraction and brief.extraction.failed_steps),
        "on_topic": {"gold": gold.on_topic, "brief": scored.on_topic, "right": scored.on_topic == gold.on_topic},
        "members": score_members(scored, gold),
        "statuses": score_statuses(scored, gold),
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
