"""Score extracted article briefs against hand-made gold.

Usage::

    python benchmarks/score_briefs.py GOLD.json BRIEFS.jsonl [--json] [--articles DIR]

``BRIEFS.jsonl`` is the output of ``summarise extract --format json`` (one
``ArticleBrief`` per line). A brief is matched to its gold entry by the file name of
``brief["article"]["source"]``; ``GOLD.json`` is keyed by article file name (see
``fixtures/eval/README.md`` for its format).

What is measured, per article and in total:

* **on_topic**: whether the brief's ``on_topic`` equals the gold value (right/wrong).
* **members**: the union of the member names of *all* coalitions in the brief (every
  status) against gold ``members`` ∪ ``other_participants``, both sides mapped to
  canonical names with :func:`summarise.entities.canonical_name`. True positives,
  false positives (names the gold does not have: inventions, listed) and false
  negatives (gold names the brief misses, listed); precision, recall and F1.
* **people**: brief people matched one-to-one to gold people by name. The match is
  conservative: two names match if they are equal after folding case and accents,
  dropping apostrophes, reading hyphens as spaces and dropping the particles "al"/"el",
  or if rapidfuzz ``token_sort_ratio`` of those forms is at least 85. So "Ahmed
  Al-Sarraj" does not match "Ahmad al-Sharaa" (ratio 75), and a surname alone does
  not match a full name. Unmatched brief people are false positives, unmatched gold
  people false negatives; precision, recall and F1.
* **groundedness**: the share of the brief's facts (``ArticleBrief.facts()``) whose
  ``evidence`` occurs in the article text exactly as written, i.e.
  ``summarise.grounding.find_span(text, evidence) == evidence`` for the article
  loaded with ``summarise.articles.load_articles`` from ``DIR/<name>`` (default
  ``fixtures/articles`` of this repository). Extraction stores the article's own span
  (``find_span`` output: the article's characters, edge punctuation trimmed), so a
  valid brief's evidence passes; a reworded, re-cased or hand-typed quote does not.

Totals are micro-averaged (counts summed over articles). Conventions: precision is
1.0 when nothing was predicted, recall is 1.0 when the gold is empty, F1 is their
harmonic mean (0.0 if both are 0). A gold article without a brief counts as a miss
(on_topic wrong, every gold member and person a false negative); a brief without a
gold entry is reported and left out of the scores.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from summarise.articles import load_articles
from summarise.entities import canonical_name
from summarise.grounding import find_span
from summarise.schemas import ArticleBrief

DEFAULT_ARTICLES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"
NAME_MATCH_MIN_RATIO = 85.0
_PARTICLES = {"al", "el"}
_APOSTROPHES = "'\u2018\u2019\u02bc\u02bb`\u00b4\u2032"
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2212"


# --- name handling -----------------------------------------------------------------


def canonical(name: str) -> str:
    """The canonical country/organisation name of ``name``, or ``name`` itself if unknown."""
    return canonical_name(name) or name.strip()


def normalise_person(name: str) -> str:
    """Comparison form of a personal name: no case, accents, apostrophes, hyphens or al/el."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.casefold()
    text = re.sub(f"[{re.escape(_APOSTROPHES)}]", "", text)
    text = re.sub(f"[{re.escape(_HYPHENS)}]", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(word for word in text.split() if word not in _PARTICLES)


def names_match(first: str, second: str) -> bool:
    """Whether two personal names denote the same person (conservatively)."""
    a, b = normalise_person(first), normalise_person(second)
    if not a or not b:
        return False
    return a == b or fuzz.token_sort_ratio(a, b) >= NAME_MATCH_MIN_RATIO


def match_people(predicted: Sequence[str], gold: Sequence[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Match names one-to-one: exact normalised matches first, then the best fuzzy ones.

    Returns ``(pairs (predicted, gold), unmatched predicted, unmatched gold)``. A
    predicted name repeated (same normalised form) is counted once.
    """
    unique: dict[str, str] = {}
    for name in predicted:
        unique.setdefault(normalise_person(name), name)
    left = list(unique.values())
    remaining = list(dict.fromkeys(gold))
    pairs: list[tuple[str, str]] = []
    candidates: list[tuple[float, int, int]] = []
    for i, name in enumerate(left):
        for j, wanted in enumerate(remaining):
            if names_match(name, wanted):
                same = normalise_person(name) == normalise_person(wanted)
                score = 101.0 if same else fuzz.token_sort_ratio(normalise_person(name), normalise_person(wanted))
                candidates.append((score, i, j))
    used_left: set[int] = set()
    used_gold: set[int] = set()
    for _, i, j in sorted(candidates, key=lambda item: -item[0]):
        if i in used_left or j in used_gold:
            continue
        used_left.add(i)
        used_gold.add(j)
        pairs.append((left[i], remaining[j]))
    false_pos = [name for i, name in enumerate(left) if i not in used_left]
    false_neg = [name for j, name in enumerate(remaining) if j not in used_gold]
    return pairs, false_pos, false_neg


# --- metrics -----------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (1.0 for an empty prediction / empty gold)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def brief_members(brief: ArticleBrief) -> list[str]:
    """Canonical names of the members of every coalition of the brief, in order, once each."""
    names = [canonical(member.name) for coalition in brief.coalitions for member in coalition.members]
    return list(dict.fromkeys(names))


def groundedness(brief: ArticleBrief, text: str | None) -> dict[str, Any]:
    """How many of the brief's facts have evidence that occurs verbatim in ``text``."""
    facts = brief.facts()
    if text is None:
        return {"facts": len(facts), "grounded": None, "share": None, "ungrounded": []}
    ungrounded = [fact.evidence for fact in facts if find_span(text, fact.evidence) != fact.evidence]
    grounded = len(facts) - len(ungrounded)
    share = round(grounded / len(facts), 4) if facts else 1.0
    return {"facts": len(facts), "grounded": grounded, "share": share, "ungrounded": ungrounded}


def score_article(gold: Mapping[str, Any], brief: ArticleBrief | None, text: str | None) -> dict[str, Any]:
    """Score one brief (``None`` if missing) against its gold entry."""
    gold_members = list(dict.fromkeys(canonical(n) for n in [*gold["members"], *gold.get("other_participants", [])]))
    gold_people = [person["name"] for person in gold.get("people", [])]
    predicted_members = brief_members(brief) if brief else []
    predicted_people = [person.name for person in brief.people] if brief else []

    member_tp = [name for name in predicted_members if name in gold_members]
    member_fp = [name for name in predicted_members if name not in gold_members]
    member_fn = [name for name in gold_members if name not in predicted_members]
    pairs, people_fp, people_fn = match_people(predicted_people, gold_people)

    return {
        "missing": brief is None,
        "on_topic": {
            "gold": gold["on_topic"],
            "brief": brief.on_topic if brief else None,
            "right": brief is not None and brief.on_topic == gold["on_topic"],
        },
        "members": {
            "tp": len(member_tp),
            "fp": len(member_fp),
            "fn": len(member_fn),
            "matched": member_tp,
            "invented": member_fp,
            "missed": member_fn,
            **prf(len(member_tp), len(member_fp), len(member_fn)),
        },
        "people": {
            "tp": len(pairs),
            "fp": len(people_fp),
            "fn": len(people_fn),
            "matched": [list(pair) for pair in pairs],
            "invented": people_fp,
            "missed": people_fn,
            **prf(len(pairs), len(people_fp), len(people_fn)),
        },
        "groundedness": groundedness(brief, text) if brief else None,
    }


def score(
    gold: Mapping[str, Mapping[str, Any]],
    briefs: Iterable[ArticleBrief],
    texts: Mapping[str, str | None],
) -> dict[str, Any]:
    """Score every gold article; ``texts`` maps article file names to their loaded text."""
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
        "on_topic": {
            "right": sum(1 for r in results if r["on_topic"]["right"]),
            "wrong": sum(1 for r in results if not r["on_topic"]["right"]),
        },
    }
    for key in ("members", "people"):
        tp, fp, fn = (sum(r[key][k] for r in results) for k in ("tp", "fp", "fn"))
        out[key] = {"tp": tp, "fp": fp, "fn": fn, **prf(tp, fp, fn)}
    grounded = [r["groundedness"] for r in results if r["groundedness"] and r["groundedness"]["grounded"] is not None]
    facts = sum(g["facts"] for g in grounded)
    hits = sum(g["grounded"] for g in grounded)
    out["groundedness"] = {"facts": facts, "grounded": hits, "share": round(hits / facts, 4) if facts else None}
    return out


# --- input/output --------------------------------------------------------------------


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    """Read the gold file and check each entry has the fields the scorer uses."""
    gold = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(gold, dict):
        raise ValueError(f"{path}: the gold must be a JSON object keyed by article file name")
    for name, entry in gold.items():
        for field in ("on_topic", "members"):
            if field not in entry:
                raise ValueError(f"{path}: entry {name!r} lacks {field!r}")
    return gold


def load_briefs(path: Path) -> list[ArticleBrief]:
    """Read JSON Lines of briefs (grounding is not re-checked on load)."""
    briefs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            briefs.append(ArticleBrief.model_validate_json(line))
        except ValueError as error:
            raise ValueError(f"{path}:{number}: not an ArticleBrief: {error}") from error
    return briefs


def load_texts(names: Iterable[str], folder: Path) -> dict[str, str | None]:
    """The cleaned text of each article file under ``folder`` (``None`` if it cannot be loaded)."""
    texts: dict[str, str | None] = {}
    for name in names:
        result = load_articles([str(folder / name)])
        texts[name] = result.articles[0].text if result.articles else None
    return texts


def _ratio(values: Mapping[str, Any]) -> str:
    return f"P={values['precision']:.2f} R={values['recall']:.2f} F1={values['f1']:.2f}"


def render_text(report: Mapping[str, Any]) -> str:
    """A human-readable report."""
    lines: list[str] = []
    for name, result in report["articles"].items():
        lines.append(name + ("  [NO BRIEF]" if result["missing"] else ""))
        topic = result["on_topic"]
        lines.append(
            f"  on_topic: {'right' if topic['right'] else 'WRONG'} (gold {topic['gold']}, brief {topic['brief']})"
        )
        for key in ("members", "people"):
            part = result[key]
            lines.append(f"  {key}: tp={part['tp']} fp={part['fp']} fn={part['fn']}  {_ratio(part)}")
            if part["invented"]:
                lines.append(f"    invented: {', '.join(part['invented'])}")
            if part["missed"]:
                lines.append(f"    missed: {', '.join(part['missed'])}")
        ground = result["groundedness"]
        if ground is None:
            lines.append("  groundedness: n/a")
        elif ground["grounded"] is None:
            lines.append(f"  groundedness: article text not found ({ground['facts']} facts)")
        else:
            lines.append(f"  groundedness: {ground['grounded']}/{ground['facts']} ({ground['share']:.2f})")
            lines += [f"    not in text: {evidence[:100]!r}" for evidence in ground["ungrounded"]]
    total = report["total"]
    lines.append("TOTAL")
    lines.append(f"  articles: {total['articles']} (missing briefs: {total['missing_briefs']})")
    lines.append(f"  on_topic: right={total['on_topic']['right']} wrong={total['on_topic']['wrong']}")
    for key in ("members", "people"):
        part = total[key]
        lines.append(f"  {key}: tp={part['tp']} fp={part['fp']} fn={part['fn']}  {_ratio(part)}")
    ground = total["groundedness"]
    share = "n/a" if ground["share"] is None else f"{ground['share']:.2f}"
    lines.append(f"  groundedness: {ground['grounded']}/{ground['facts']} ({share})")
    if report["unmatched_briefs"]:
        lines.append(f"  briefs without gold (not scored): {', '.join(report['unmatched_briefs'])}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score summarise briefs against gold annotations.")
    parser.add_argument("gold", type=Path, help="gold JSON keyed by article file name")
    parser.add_argument("briefs", type=Path, help="JSON Lines from `summarise extract --format json`")
    parser.add_argument("--json", action="store_true", help="print one machine-readable JSON object")
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES, help="folder of the article files")
    args = parser.parse_args(argv)
    try:
        gold = load_gold(args.gold)
        briefs = load_briefs(args.briefs)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = score(gold, briefs, load_texts(gold, args.articles))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(render_text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
