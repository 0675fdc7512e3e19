"""The Slack digest of what changed since an earlier brief (``digest --since last``, ``watch``).

Made from a :class:`~summarise.schemas.BriefDiff`: a headline saying since when and how much
changed, then one section per part of the brief that changed (new sources linked to their pages,
coalitions and members, conflicts, new events, figures), each change one line with its sources'
labels. The lines are those of ``summarise diff`` (:func:`summarise.output.diff.change_line`),
escaped for Slack like the full digest, and cut and packed into messages by the same code.
"""

from __future__ import annotations

from typing import Any

from summarise.output.diff import change_line
from summarise.output.slack import (
    DEFAULT_MAX_ITEMS,
    Section,
    block_payloads,
    escape,
    more,
    mrkdwn_messages,
    source_line,
)
from summarise.schemas import BriefDiff

#: The digest's sections, in order, and the kinds of change each gathers.
PARTS = (
    (
        "Coalitions and members",
        (
            "coalition_appeared",
            "coalition_disappeared",
            "member_added",
            "member_removed",
            "member_status",
            "leader",
            "member_count",
        ),
    ),
    ("Conflicts", ("conflict_new", "conflict_changed", "conflict_settled")),
    ("New in the timeline", ("event_added",)),
    ("Figures", ("figure_new", "figure_value")),
)


def change_sections(diff: BriefDiff, since: str, max_items: int = DEFAULT_MAX_ITEMS) -> tuple[str, list[Section]]:
    """The headline ("<story>: since <since>: ...") and the sections of the changes; none when nothing changed."""
    labels = {source.id: source.label for source in diff.sources}
    added = [s for s in diff.sources if any(c.kind == "source_added" and c.after == s.label for c in diff.changes)]
    others = [change for change in diff.changes if change.kind not in ("source_added", "source_removed")]
    counted = [f"{len(added)} new source{'s' if len(added) != 1 else ''}"] if added else []
    if gone := sum(change.kind == "source_removed" for change in diff.changes):
        counted.append(f"{gone} source{'s' if gone != 1 else ''} gone")
    counted.append(f"{len(others)} change{'s' if len(others) != 1 else ''}")
    headline = f"{escape(diff.story)}: since {escape(since)}: {', '.join(counted)}"
    sections: dict[str, list[str]] = {}
    if added:
        sections["New sources"] = [source_line(source) for source in added]
    for title, kinds in PARTS:
        lines = [f"• {change_line(c, labels, escape, '*')}" for c in others if c.kind in kinds]
        if lines:
            sections[title] = lines
    gone_sources = [f"• {change_line(c, labels, escape, '*')}" for c in diff.changes if c.kind == "source_removed"]
    if gone_sources:
        sections["Sources gone"] = gone_sources
    what = {"New sources": "sources", "Sources gone": "sources"}
    return headline, [
        Section(title, more(lines, max_items * 2 if title in what else max_items, what.get(title, "changes")))
        for title, lines in sections.items()
    ]


def render_change_mrkdwn(diff: BriefDiff, since: str, max_items: int = DEFAULT_MAX_ITEMS) -> list[str]:
    """The digest of changes as mrkdwn messages."""
    return mrkdwn_messages(*change_sections(diff, since, max_items))


def render_change_blocks(diff: BriefDiff, since: str, max_items: int = DEFAULT_MAX_ITEMS) -> list[dict[str, Any]]:
    """The digest of changes as Block Kit payloads, ready for :func:`summarise.output.slack.post_digest`."""
    return block_payloads(*change_sections(diff, since, max_items))
