"""The HTML page's sources and its member × source matrices, laid out for the template.

Every source gets a label, an anchor and a description (:class:`PageSources`); each coalition gets a
matrix whose columns are the sources that describe it and whose cells say whether a source lists a
member, with the evidence on hand (:func:`coalition_view`). Like :mod:`summarise.output.markdown`, nothing
here imports the model layer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from summarise.output.links import web_url
from summarise.output.markdown import STATUS_MARK, coalition_evidence, distinct_evidence
from summarise.schemas import CoalitionBrief, MergedCoalition, MergedMember, Source, Support

#: Matrices with more source columns than this print as a list (a scroll box cannot be printed).
WIDE_MATRIX = 16

CellState = Literal["listed", "omitted", "silent"]
CELL_MARK: dict[CellState, str] = {"listed": "✓", "omitted": "✗", "silent": "–"}


# --- sources and evidence -----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceView:
    """A source as the page cites it: its label, its anchor and a one-line description."""

    id: str
    label: str
    anchor: str
    name: str
    title: str | None
    url: str | None
    published: dt.date | None

    @property
    def description(self) -> str:
        """Outlet, title and date, for a tooltip."""
        parts = [self.name, f"“{self.title}”" if self.title else None, str(self.published or "") or None]
        return f"{self.label}: " + ", ".join(part for part in parts if part)


def file_name(source: Source) -> str:
    """Where a source was read from, without the folders above it: the page is meant to be shared."""
    return re.split(r"[\\/]", source.source)[-1] or source.source


class PageSources:
    """The brief's sources as the page cites them, by id and in the brief's order."""

    def __init__(self, brief: CoalitionBrief) -> None:
        self.views = {
            source.id: SourceView(
                id=source.id,
                label=source.label,
                anchor=f"src-{number}",
                name=source.outlet or file_name(source),
                title=source.title,
                url=web_url(source.url),
                published=source.published,
            )
            for number, source in enumerate(brief.sources, start=1)
        }
        self.order = {source_id: number for number, source_id in enumerate(self.views)}

    def __getitem__(self, source_id: str) -> SourceView:
        view = self.views.get(source_id)
        if view is None:  # a brief edited by hand may cite an unknown id: show it, link nowhere
            return SourceView(source_id, source_id, "", source_id, None, None, None)
        return view

    def __call__(self, source_ids: Iterable[str]) -> list[SourceView]:
        """The views of the distinct ids, in the order given."""
        return [self[source_id] for source_id in dict.fromkeys(source_ids)]

    def position(self, source_id: str) -> int:
        """Where a source stands in the brief (an unknown id after all the others)."""
        return self.order.get(source_id, len(self.order))

    def sort(self, source_ids: Iterable[str]) -> list[str]:
        """Distinct ids in the brief's order of sources."""
        return sorted(dict.fromkeys(source_ids), key=self.position)


@dataclass(frozen=True)
class SourceQuote:
    """One source's verbatim words for a fact."""

    source: SourceView
    text: str


def quotes_of(supports: Iterable[Support], sources: PageSources) -> list[SourceQuote]:
    """One quote per distinct (source, evidence), in the order given."""
    return [SourceQuote(sources[source], evidence) for source, evidence in distinct_evidence(supports)]


# --- the member × source matrix -------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    """A sentence of one source backing a coalition or some of its members."""

    anchor: str
    source: SourceView
    text: str
    about: list[str]


@dataclass(frozen=True)
class Cell:
    """Whether one source lists one member: a short statement, and the same with the evidence (the tooltip)."""

    source: SourceView
    state: CellState
    mark: str
    summary: str
    about: str
    evidence: str | None


@dataclass(frozen=True)
class MatrixRow:
    """A member, its status and one cell per source column."""

    member: MergedMember
    mark: str
    details: list[str]
    cells: list[Cell]


@dataclass(frozen=True)
class CoalitionView:
    """A coalition with its matrix (members × the sources that describe it) and its evidence."""

    coalition: MergedCoalition
    anchor: str
    columns: list[SourceView]
    rows: list[MatrixRow]
    evidence: list[EvidenceItem]
    silent_sources: int

    @property
    def wide(self) -> bool:
        """Too many columns to print as a grid."""
        return len(self.columns) > WIDE_MATRIX


def coalition_view(coalition: MergedCoalition, number: int, sources: PageSources, on_topic: int) -> CoalitionView:
    """Lay out one coalition: its columns are the sources that describe it, in the brief's order."""
    anchor = f"c{number}"
    evidence = [
        EvidenceItem(f"{anchor}-e{n}", sources[source], text, about)
        for n, (source, text, about) in enumerate(coalition_evidence(coalition, sources.position), start=1)
    ]
    items = {(item.source.id, item.text): item for item in evidence}
    first_item: dict[str, EvidenceItem] = {}
    for item in evidence:
        first_item.setdefault(item.source.id, item)
    column_ids = sources.sort(
        [*coalition.source_ids, *(s for m in coalition.members for s in [*m.source_ids, *m.omitted_by])]
    )
    columns = sources(column_ids)
    rows = [_matrix_row(member, columns, items, first_item) for member in coalition.members]
    return CoalitionView(coalition, anchor, columns, rows, evidence, max(on_topic - len(columns), 0))


def _matrix_row(
    member: MergedMember,
    columns: list[SourceView],
    items: dict[tuple[str, str], EvidenceItem],
    first_item: dict[str, EvidenceItem],
) -> MatrixRow:
    mark = STATUS_MARK[member.status]
    if member.status == "agreed":
        mark += f" ({member.outlets} outlets)"
    details = [f"role: {role.value}" for role in member.roles]
    if member.membership != ["member"]:
        details.append("/".join(member.membership))
    omitted = set(member.omitted_by)
    said = {source: status.value for status in member.statuses for source in status.sources}
    cells = []
    for column in columns:
        support = next((s for s in member.supports if s.source == column.id), None)
        item = items.get((column.id, support.evidence)) if support else first_item.get(column.id)
        state: CellState = "listed" if support else "omitted" if column.id in omitted else "silent"
        status = said.get(column.id, "member")
        summary = _cell_summary(member, column, state, support)
        if state == "listed" and status != "member":
            summary += f": {status}"
        about = f"{summary}: “{support.evidence}”" if support else summary
        cell_mark = status.split(",")[0] if state == "listed" and status != "member" else CELL_MARK[state]
        cells.append(Cell(column, state, cell_mark, summary, about, item.anchor if item else None))
    return MatrixRow(member, mark, details, cells)


def _cell_summary(member: MergedMember, column: SourceView, state: CellState, support: Support | None) -> str:
    who = f"{column.label} ({column.name})"
    if state == "listed" and support is not None:
        written = f" as “{support.as_written}”" if support.as_written and support.as_written != member.name else ""
        return f"{who} lists {member.name}{written}"
    if state == "omitted":
        return f"{who} lists this coalition's members without {member.name}"
    return f"{who} does not name {member.name}"
