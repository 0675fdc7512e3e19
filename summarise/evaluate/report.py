"""The report of ``summarise eval``: the table of every field, then each article's misses and inventions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from summarise.evaluate.scoring import FIELDS, prf


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
    if "coalitions" in report:
        found = report["coalitions"]
        lines.append(
            f"coalitions of the merged brief: {found['entries']} entries for {found['real']} real; "
            f"{found['one_entry']} real with one entry, {found['leader_right']} with its stated leader"
        )
        lines += [f"  split: {name} over {', '.join(ids)}" for name, ids in found["split"].items()]
        lines += [f"  missing: {name}" for name in found["missing"]]
        lines += [f"  no real coalition: {name}" for name in found["not_real"]]
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
