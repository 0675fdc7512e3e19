"""What changed between two briefs, for people: Markdown lines, each with its sources and their words.

Sources are named by their labels in the newer brief (S1, S2, ...; one the newer brief lost keeps
its older label, as ``old S3``), as in the brief itself.
"""

from __future__ import annotations

from collections.abc import Callable

from summarise.output.markdown import md
from summarise.schemas import BriefDiff, Change

#: How each kind of change begins, in words.
SAID = {
    "source_added": "new source",
    "source_removed": "source gone",
    "coalition_appeared": "new coalition",
    "coalition_disappeared": "coalition gone",
    "member_added": "joined",
    "member_removed": "no longer listed",
    "member_status": "status changed",
    "leader": "leader changed",
    "member_count": "member count changed",
    "conflict_new": "new conflict",
    "conflict_changed": "conflict changed",
    "conflict_settled": "conflict settled",
    "event_added": "new event",
    "figure_new": "new figure",
    "figure_value": "new value",
}
#: The most evidence quotes a change shows (the JSON keeps them all).
QUOTES = 3


def render_diff_markdown(diff: BriefDiff) -> str:
    """The diff as Markdown: a summary line, then one item a change with its evidence beneath."""
    labels = {source.id: source.label for source in diff.sources}
    head = f"# What changed: {md(diff.story)}\n\n{diff.old_sources} → {diff.new_sources} sources · "
    if not diff.changes:
        return head + "nothing changed\n"
    lines = [head + f"{len(diff.changes)} change(s)\n"]
    for change in diff.changes:
        lines.append(f"- {change_line(change, labels, md, '**')}")
        for support in change.supports[:QUOTES]:
            lines.append(f"  - {labels.get(support.source, support.source)}: “{md(support.evidence)}”")
        if len(change.supports) > QUOTES:
            lines.append(f"  - … {len(change.supports) - QUOTES} more")
    return "\n".join(lines) + "\n"


def change_line(change: Change, labels: dict[str, str], quote: Callable[[str], str], bold: str) -> str:
    """One change in words: what it is, its subject and coalition, before → after, its sources' labels.

    ``quote`` makes a text safe for the format (Markdown's, Slack's escaping); ``bold`` is its emphasis mark.
    """
    said = f"{bold}{SAID[change.kind]}{bold}: {quote(change.subject)}"
    if change.coalition and change.coalition != change.subject:
        said += f" ({quote(change.coalition)})"
    if change.before is not None and change.after is not None:
        said += f": {quote(change.before)} → {quote(change.after)}"
    elif change.after is not None:
        said += f": {quote(change.after)}"
    elif change.before is not None:
        said += f" (was: {quote(change.before)})"
    cited = list(dict.fromkeys(labels.get(support.source, support.source) for support in change.supports))
    return said + (f" ({', '.join(cited)})" if cited else "")
