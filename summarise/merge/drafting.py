"""A story file drafted from the articles themselves: the coalitions discovered across them, for review.

``summarise story draft`` writes it. The coalitions are those the merger discovers across all
the articles (:func:`summarise.merge.coalitions.discover_coalitions`): each with its name, the
other proper names sources give it, its stated leader and target, its kind and whether its
membership is open (dozens of members, of which an article names a few) or closed. An analyst
reviews it and keeps it; ``--story`` then uses it for every later run.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from summarise import __version__
from summarise.articles.story import KnownCoalition, Story, StoryTarget
from summarise.merge.brief import merge_briefs
from summarise.merge.coalitions import is_proper_name
from summarise.merge.compare import norm
from summarise.schemas import ArticleBrief, CoalitionBrief, MergedCoalition

#: A coalition stating more members than this, or an international one, has open membership.
OPEN_MEMBERSHIP_COUNT = 15
#: The most aliases drafted for one coalition.
MAX_ALIASES = 8


def draft_story(briefs: list[ArticleBrief], story: Story | None = None) -> tuple[Story, CoalitionBrief]:
    """The story the articles tell (a :class:`Story`), and the merged brief it was drafted from."""
    merged = merge_briefs(briefs, story)
    coalitions = tuple(_known(coalition) for coalition in merged.coalitions)
    targets = list(dict.fromkeys(c.target for c in merged.coalitions if c.target))
    drafted = Story(
        title=merged.story[:200] or "Coalitions",
        targets=tuple(StoryTarget(name=target) for target in targets),
        coalitions=coalitions,
        aliases=dict(story.aliases) if story is not None else {},
    )
    return drafted, merged


def _known(coalition: MergedCoalition) -> KnownCoalition:
    names = [seen.value for seen in coalition.names_seen if is_proper_name(seen.value)]
    aliases = [name for name in dict.fromkeys(names) if norm(name) != norm(coalition.name)]
    stated = max((count.value for count in coalition.stated_counts), default=0)
    open_membership = coalition.kind == "international" or stated > OPEN_MEMBERSHIP_COUNT
    return KnownCoalition(
        name=coalition.name[:200],
        aliases=tuple(aliases[:MAX_ALIASES]),
        leader=coalition.led_by,
        target=coalition.target,
        kind=coalition.kind,
        membership="open" if open_membership else "closed",
    )


def story_toml(story: Story, merged: CoalitionBrief) -> str:
    """The drafted story as a commented TOML story file (``load_story`` reads it back)."""
    on_topic = sum(1 for source in merged.sources if source.on_topic)
    lines = [
        f"# Drafted by summarise {__version__} on {dt.date.today().isoformat()} from {len(merged.sources)} "
        f"article(s), {on_topic} on topic.",
        "# Review it before use: the names, aliases, leaders, targets and membership are what the articles",
        "# say, grouped by the code; fix what is wrong, then: summarise brief --story THIS_FILE ARTICLES...",
        f"title = {_string(story.title)}",
    ]
    for target in story.targets:
        lines += ["", "[[targets]]", f"name = {_string(target.name)}"]
    files = {source.id: Path(source.source).name for source in merged.sources}
    for coalition, merged_coalition in zip(story.coalitions, merged.coalitions, strict=True):
        sources = ", ".join(dict.fromkeys(files.get(s.source, s.source) for s in merged_coalition.supports))
        lines += ["", f"# {merged_coalition.id}: described by {merged_coalition.outlets} outlet(s): {sources}"]
        lines += ["[[coalitions]]", f"name = {_string(coalition.name)}"]
        lines.append(f"aliases = [{', '.join(_string(alias) for alias in coalition.aliases)}]")
        for key in ("leader", "target", "kind", "membership"):
            value = getattr(coalition, key)
            if value is not None:
                lines.append(f"{key} = {_string(value)}")
    if story.aliases:
        lines += ["", "[aliases]"]
        lines += [f"{_string(name)} = [{', '.join(map(_string, names))}]" for name, names in story.aliases.items()]
    return "\n".join(lines) + "\n"


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)
