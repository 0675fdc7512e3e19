"""Render per-article briefs as readable text (Markdown-flavoured, fine in a terminal)."""

from __future__ import annotations

from summarise.schemas import ArticleBrief

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
    meta = [part for part in (ref.outlet, ref.published.isoformat() if ref.published else None, ref.url) if part]
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
        ("People", [f"{p.name}" + "".join(f", {x}" for x in (p.role, p.affiliation) if x) + _cite(p.evidence)
                    for p in brief.people]),
        ("Events", [f"{e.date or '(date unknown)'} [{e.when_text}] {e.description}{_cite(e.evidence)}"
                    for e in brief.events]),
        ("Figures", [f"{f.value_as_written} {f.unit or ''} ({f.qualifier}): {f.what}{_cite(f.evidence)}"
                     for f in brief.figures]),
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
        spent = "from cache" if usage.cached else (
            f"{usage.calls} calls, {usage.reasks} reasks, {usage.prompt_tokens}+{usage.completion_tokens} tokens, "
            f"{info.seconds:.1f} s"
        )
        lines.append(f"\n_{info.backend}/{info.model}, prompts {info.prompt_hash}: {spent}_")
        if info.dropped_facts:
            lines.append(f"_{len(info.dropped_facts)} ungrounded fact(s) left out_")
    return "\n".join(lines) + "\n"
