"""Render briefs for people: per-article text, and the merged brief as Markdown.

Nothing here imports the model layer: rendering, like merging, needs no model. Text that comes
from articles or a model is escaped, so it can never add markup, links or HTML to the output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from summarise.output.links import web_url
from summarise.schemas import ArticleBrief, CoalitionBrief, MergedCoalition, Source, Support

_EVIDENCE_CHARS = 110


def _cite(evidence: str) -> str:
    text = " ".join(evidence.split())
    if len(text) > _EVIDENCE_CHARS:
        text = text[: _EVIDENCE_CHARS - 1].rstrip() + "…"
    return f'  — "{text}"'


def render_article_brief(brief: ArticleBrief) -> str:
    """A readable summary of one brief: every fact followed by its evidence."""
    ref = brief.article
    lines = [f"## {ref.title or ref.source}"]
    published = ref.published.isoformat() if ref.published else None
    meta = [part for part in (ref.outlet, published, web_url(ref.url)) if part]
    lines.append(f"{' · '.join(meta) or ref.source}  (id {ref.id})")
    if not brief.on_topic:
        lines.append("Off topic: no coalition facts extracted.")
    for coalition in brief.coalitions:
        count = f", {coalition.member_count_stated} members stated" if coalition.member_count_stated else ""
        target = f" against {coalition.target}" if coalition.target else ""
        lines.append(f"\nCoalition: {coalition.name} ({coalition.kind}{target}{count})")
        for member in coalition.members:
            written = f" [as '{member.name_as_written}']" if member.name_as_written not in (None, member.name) else ""
            role = f", {member.role}" if member.role else ""
            lines.append(f"- {member.name}{written} ({member.status}{role}){_cite(member.evidence)}")
        for label, statements in (("objective", coalition.objectives), ("mechanism", coalition.mechanisms)):
            lines += [f"- {label}: {s.text}{_cite(s.evidence)}" for s in statements]
    sections = [
        (
            "People",
            [
                f"{p.name}" + "".join(f", {x}" for x in (p.role, p.affiliation) if x) + _cite(p.evidence)
                for p in brief.people
            ],
        ),
        (
            "Events",
            [f"{e.date or '(date unknown)'} [{e.when_text}] {e.description}{_cite(e.evidence)}" for e in brief.events],
        ),
        (
            "Figures",
            [
                f"{f.value_as_written} {f.unit or ''} ({f.qualifier}): {f.what}{_cite(f.evidence)}"
                for f in brief.figures
            ],
        ),
        ("Claims", [f"{c.holder}: {c.claim}{_cite(c.evidence)}" for c in brief.claims]),
        ("Quotes", [f'{q.speaker}: "{q.text}"' for q in brief.quotes]),
    ]
    for title, items in sections:
        if items:
            lines.append(f"\n{title}:")
            lines += [f"- {item}" for item in items]
    if brief.extraction:
        info = brief.extraction
        usage = info.usage
        spent = (
            "from cache"
            if usage.cached
            else (
                f"{usage.calls} calls, {usage.reasks} reasks, {usage.prompt_tokens}+{usage.completion_tokens} tokens, "
                f"{info.seconds:.1f} s"
            )
        )
        lines.append(f"\n_{info.backend}/{info.model}, prompts {info.prompt_hash}: {spent}_")
        if info.dropped_facts:
            lines.append(f"_{len(info.dropped_facts)} ungrounded fact(s) left out_")
    return "\n".join(lines) + "\n"


# --- the merged brief -------------------------------------------------------------------------

STATUS_MARK = {"agreed": "✔ agreed", "single_source": "◐ single source", "conflict": "⚠ conflict"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md(text: object) -> str:
    """Text from an article or a model, safe inside Markdown: no markup, links, HTML or table breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


# --- what every renderer of the merged brief says alike ---------------------------------------------


def publication_period(brief: CoalitionBrief) -> str:
    """When the sources were published: ``published A to B``, ``published A`` or that it is unknown."""
    if brief.first_published and brief.first_published != brief.last_published:
        return f"published {brief.first_published} to {brief.last_published}"
    if brief.first_published:
        return f"published {brief.first_published}"
    return "publication dates unknown"


def distinct_evidence(supports: Iterable[Support]) -> list[tuple[str, str]]:
    """Each distinct (source id, evidence) once, in the order given: the verbatim words each source uses."""
    return list(dict.fromkeys((support.source, support.evidence) for support in supports))


def coalition_evidence(coalition: MergedCoalition, order: Callable[[str], int]) -> list[tuple[str, str, list[str]]]:
    """Each sentence backing a coalition or its members, once: (source id, evidence, what it backs).

    What it backs is "the coalition" and/or member names; sentences go in ``order`` of their sources.
    """
    backing: dict[tuple[str, str], list[str]] = {}
    for support in coalition.supports:
        backing.setdefault((support.source, support.evidence), []).append("the coalition")
    for member in coalition.members:
        for support in member.supports:
            names = backing.setdefault((support.source, support.evidence), [])
            names += [] if member.name in names else [member.name]
    ordered = sorted(backing.items(), key=lambda item: order(item[0][0]))
    return [(source, evidence, about) for (source, evidence), about in ordered]


def source_notes(source: Source, label: Callable[[str], str], detail: bool = False) -> list[str]:
    """What a reader should know about a source before trusting it (``detail``: which questions failed)."""
    notes = []
    if source.on_topic is False:
        notes.append("off topic: not merged")
    elif source.on_topic is None:
        notes.append("topic not determined")
    if source.counted_with:
        notes.append(f"counted with {label(source.counted_with)}")
    if source.incomplete:
        notes.append(f"incomplete: no valid answer for {', '.join(source.incomplete)}" if detail else "incomplete")
    if source.also_at:
        notes.append(f"{len(source.also_at)} more cop{'ies' if len(source.also_at) > 1 else 'y'}")
    return notes


class _Labels:
    def __init__(self, brief: CoalitionBrief) -> None:
        self.label = {source.id: source.label for source in brief.sources}

    def order(self, source_id: str) -> int:
        """Position of a source in the brief (its label's number)."""
        return list(self.label).index(source_id) if source_id in self.label else len(self.label)

    def __call__(self, source_ids: Iterable[str]) -> str:
        return ", ".join(self.label.get(source, source) for source in dict.fromkeys(source_ids))

    def evidence(self, supports: Iterable[Support], indent: str = "  ") -> list[str]:
        """One line per distinct (source, evidence): the verbatim words each source uses."""
        return [
            f'{indent}- {self.label.get(source, source)}: "{md(evidence)}"'
            for source, evidence in distinct_evidence(supports)
        ]


def _outlets(count: int) -> str:
    return f"{count} outlet{'s' if count != 1 else ''}"


def render_coalition_brief_markdown(brief: CoalitionBrief) -> str:
    """The merged brief as Markdown: every fact with its sources and their verbatim evidence."""
    labels = _Labels(brief)
    lines = _header_lines(brief)
    lines += ["", "## Coalitions", ""]
    if not brief.coalitions:
        lines.append("No coalition is described by the sources.")
    for coalition in brief.coalitions:
        lines += _coalition_lines(coalition, labels)
    for section in (_conflict_lines, _people_lines, _timeline_lines, _figure_lines, _claim_and_quote_lines):
        lines += section(brief, labels)
    lines += _source_lines(brief, labels)
    return "\n".join(lines) + "\n"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _header_lines(brief: CoalitionBrief) -> list[str]:
    """The title, the one-line summary, the legend and the incomplete sources."""
    on_topic = [source for source in brief.sources if source.on_topic is not False]
    off_topic = len(brief.sources) - len(on_topic)
    summary = [
        _plural(len(brief.sources), "source"),
        f"{_plural(brief.outlets, 'outlet')} on topic",
        publication_period(brief),
        _plural(len(brief.conflicts), "conflict"),
    ]
    if off_topic:
        summary.append(f"{off_topic} off topic")
    lines = [f"# {md(brief.story)}", "", " · ".join(summary), ""]
    lines.append(
        "_Corroboration counts distinct outlets; copies of one story count once. "
        "✔ agreed: listed by 2+ outlets · ◐ single source · ⚠ conflict: a source that lists the members leaves it out._"
    )
    incomplete = [source for source in brief.sources if source.incomplete]
    if incomplete:
        lines.append("")
        lines += [
            f"> **Incomplete:** {s.label} ({md(s.outlet or s.source)}): no valid answer for {', '.join(s.incomplete)}."
            for s in incomplete
        ]
    return lines


def _conflict_lines(brief: CoalitionBrief, labels: _Labels) -> list[str]:
    lines = ["", "## Conflicts", ""]
    if not brief.conflicts:
        lines.append("The sources do not disagree on any fact found.")
    for number, conflict in enumerate(brief.conflicts, start=1):
        lines.append(f"{number}. **{conflict.kind.replace('_', ' ')}** ({conflict.id}): {md(conflict.about)}")
        lines += [f"   - {md(value.value)} — {labels(value.sources)}" for value in conflict.values]
        if conflict.note:
            lines.append(f"   - _{md(conflict.note)}_")
    return lines


def _people_lines(brief: CoalitionBrief, labels: _Labels) -> list[str]:
    lines = ["", "## People", ""]
    if not brief.people:
        lines.append("No person is named.")
    for person in brief.people:
        details = [f"{md(role.value)} ({labels(role.sources)})" for role in person.roles]
        details += [md(affiliation.value) for affiliation in person.affiliations]
        head = f"- **{md(person.name)}**" + (f" — {'; '.join(details)}" if details else "")
        lines.append(f"{head} · {_outlets(person.outlets)}")
        others = [v for v in person.variants if v.value != person.name]
        if others:
            written = ", ".join(f"{md(v.value)} ({labels(v.sources)})" for v in others)
            lines.append(f"  - also written: {written}")
        lines += [f"  - _{md(reason)}_" for reason in person.merged_because]
        lines += labels.evidence(person.supports)
    return lines


def _timeline_lines(brief: CoalitionBrief, labels: _Labels) -> list[str]:
    lines = ["", "## Timeline", ""]
    if not brief.timeline:
        lines.append("No dated or undated event is reported.")
    for entry in brief.timeline:
        when = "; ".join(f'"{md(w.value)}" ({labels(w.sources)})' for w in entry.when)
        date = entry.date or "undated"
        if entry.date and entry.date_basis == "publication_date":
            date += ", year from publication date"
        conflict = f" ⚠ dates disagree ({entry.conflict})" if entry.conflict else ""
        lines.append(f"- **{date}** — {md(entry.description)} · {when} · {_outlets(entry.outlets)}{conflict}")
        lines += labels.evidence(entry.supports)
    return lines


def _figure_lines(brief: CoalitionBrief, labels: _Labels) -> list[str]:
    lines = ["", "## Figures", ""]
    if not brief.figures:
        lines.append("No figure is reported.")
    for group in brief.figures:
        conflict = f" ⚠ values differ ({group.conflict})" if group.conflict else ""
        unit = f" ({md(group.unit)})" if group.unit else ""
        lines.append(f"- **{md(group.what)}**{unit}{conflict}")
        for value in group.values:
            qualifiers = [q.replace("_", " ") for q in value.qualifiers if q != "exact"]
            qualifier = f" ({'/'.join(qualifiers)})" if qualifiers else ""
            dates = f", {', '.join(d.isoformat() for d in value.published)}" if value.published else ""
            lines.append(
                f"  - {md(' / '.join(value.as_written))}{qualifier} — {labels(value.source_ids)}{dates} · "
                f"{_outlets(value.outlets)}"
            )
            lines += labels.evidence(value.supports, indent="    ")
    return lines


def _claim_and_quote_lines(brief: CoalitionBrief, labels: _Labels) -> list[str]:
    """Claims and quotes, each section only when there is one."""
    lines: list[str] = []
    if brief.claims:
        lines += ["", "## Claims", ""]
        for claim in brief.claims:
            lines.append(f"- **{md(claim.holder)}**: {md(claim.claim)} · {_outlets(claim.outlets)}")
            lines += labels.evidence(claim.supports)
    if brief.quotes:
        lines += ["", "## Quotes", ""]
        for quote in brief.quotes:
            lines.append(f'- **{md(quote.speaker)}**: "{md(quote.text)}" — {labels(quote.source_ids)}')
    return lines


def _source_lines(brief: CoalitionBrief, labels: _Labels) -> list[str]:
    lines = ["", "## Sources", "", "| | Outlet | Title | Published | Id | Note |", "|---|---|---|---|---|---|"]
    for source in brief.sources:
        title = md(source.title or source.source)
        if url := web_url(source.url):  # the rule every renderer keeps: http(s) only, encoded (no | or > left)
            title = f"[{title}](<{url}>)"
        notes = "; ".join(source_notes(source, lambda source_id: labels([source_id])))
        lines.append(
            f"| {source.label} | {md(source.outlet or '—')} | {title} | {source.published or '—'} | "
            f"`{source.id}` | {notes} |"
        )
    return lines


def _coalition_lines(coalition: MergedCoalition, labels: _Labels) -> list[str]:
    names = ", ".join(f'"{md(n.value)}" ({labels(n.sources)})' for n in coalition.names_seen)
    facts = [f"kind: {coalition.kind}", f"target: {md(coalition.target or 'not stated')}"]
    if coalition.led_by:
        facts.append(f"led by {md(coalition.led_by)}")
    facts.append(_outlets(coalition.outlets))
    lines = [f"### {coalition.id} · {md(coalition.name)}", "", " · ".join(facts), "", f"Called: {names}", ""]
    for count in coalition.stated_counts:
        lines.append(f"Stated member count: {count.value} ({labels(count.source_ids)})")
    if coalition.members:
        lines += ["| Member | Status | Listed by | Left out by | Role |", "|---|---|---|---|---|"]
        for member in coalition.members:
            status = STATUS_MARK[member.status]
            if member.status == "agreed":
                status += f" ({_outlets(member.outlets)})"
            if member.membership != ["member"]:  # what each source says it is: a member, declined, withdrawn...
                status += "; " + "; ".join(f"{md(said.value)} ({labels(said.sources)})" for said in member.statuses)
            roles = "; ".join(md(role.value) for role in member.roles)
            lines.append(
                f"| {md(member.name)} | {status} | {labels(member.source_ids)} | {labels(member.omitted_by) or '—'} | "
                f"{roles or '—'} |"
            )
        lines.append("")
    for title, statements in (("Objectives", coalition.objectives), ("Mechanisms", coalition.mechanisms)):
        if statements:
            lines.append(f"{title}:")
            for statement in statements:
                lines.append(f"- {md(statement.text)} ({labels(statement.source_ids)})")
                lines += labels.evidence(statement.supports)
            lines.append("")
    lines.append("Evidence:")
    lines += [
        f'- {labels([source])}: "{md(evidence)}" — for {", ".join(md(name) for name in names)}'
        for source, evidence, names in coalition_evidence(coalition, labels.order)
    ]
    lines.append("")
    return lines
