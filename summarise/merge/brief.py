"""The merge itself: per-article briefs in, one coalition brief out, each kind of fact merged by its module."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from summarise.articles.story import Story
from summarise.merge.claims import merge_claims, merge_quotes
from summarise.merge.coalitions import merge_coalitions
from summarise.merge.figures import merge_figures
from summarise.merge.people import merge_people
from summarise.merge.sources import Conflicts, MergeSource, Outlets, sources_of
from summarise.merge.timeline import merge_timeline
from summarise.schemas import ArticleBrief, CoalitionBrief, MergedCoalition, Source

MERGE_VERSION = "2"


def merge_briefs(briefs: Iterable[ArticleBrief], story: Story | None = None) -> CoalitionBrief:
    """Merge per-article briefs into one coalition brief. The result does not depend on input order.

    A story file's known coalitions group every description that names them, and its extra
    aliases count as the names they stand for; with no story, coalitions are grouped by
    target, leader and members alone.
    """
    sources = sources_of(briefs)
    outlets = Outlets(sources)
    conflicts = Conflicts(outlets)
    story_sources = [source for source in sources if source.on_topic is not False]
    coalitions = merge_coalitions(story_sources, outlets, conflicts, story)
    people = merge_people(story_sources, outlets, conflicts)
    timeline = merge_timeline(story_sources, outlets, conflicts)
    figures = merge_figures(story_sources, outlets, conflicts)
    claims = merge_claims(story_sources, outlets, conflicts)
    quotes = merge_quotes(story_sources, outlets)
    dates = [source.published for source in sources if source.published]
    return CoalitionBrief(
        story=story.title if story is not None else _title(coalitions),
        sources=[_source_model(source) for source in sources],
        outlets=outlets.count(source.id for source in story_sources),
        first_published=min(dates, default=None),
        last_published=max(dates, default=None),
        coalitions=coalitions,
        people=people,
        timeline=timeline,
        figures=figures,
        claims=claims,
        quotes=quotes,
        conflicts=conflicts.items,
        merge_version=MERGE_VERSION,
    )


def _title(coalitions: list[MergedCoalition]) -> str:
    """The story the merged coalitions tell, when no story file names it."""
    targets = Counter(c.target for c in coalitions if c.target)
    if targets:
        target, count = targets.most_common(1)[0]
        if count * 2 > len(coalitions):
            return f"Coalitions against {target}"
    if 1 <= len(coalitions) <= 3:
        names = [c.name for c in coalitions]
        return "; ".join(names)  # a name may hold commas ("Regional coalition, led by X")
    return "Coalitions and alliances"


def _source_model(source: MergeSource) -> Source:
    inputs = sorted({brief.article.source for brief in source.briefs})
    failed = sorted({step for brief in source.briefs if brief.extraction for step in brief.extraction.failed_steps})
    on_topic = source.on_topic
    facts = len({(type(f).__name__, f.model_dump_json()) for b in source.briefs for f in b.facts()})
    return Source(
        label=source.label,
        id=source.id,
        source=inputs[0],
        also_at=inputs[1:],
        title=source.first("title"),
        outlet=source.first("outlet"),
        url=source.first("url"),
        published=source.published,
        on_topic=on_topic,
        counted_with=None if source.group == source.id else source.group,
        facts=0 if on_topic is False else facts,
        incomplete=failed,
    )
