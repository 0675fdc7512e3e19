"""Render the merged brief as one self-contained HTML page: matrices, a timeline, evidence on hand.

The page needs no network to be read: its CSS, the SVG timeline and a few lines of script are
inline, and a Content-Security-Policy forbids loading anything else. Everything is laid out
here, in Python (the timeline's positions included); the Jinja2 template in
``summarise/html_templates/`` only writes it out, with autoescaping, so text from an article
(a quote, a title, an outlet's name) can never add markup, attributes or script. The script only
pins a matrix cell's evidence beside the matrix; without it every cell links to that evidence.

Like :mod:`summarise.render`, nothing here imports the model layer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

import jinja2
from markupsafe import Markup

from summarise import __version__
from summarise.dates import add_months, date_span
from summarise.links import web_url
from summarise.render import STATUS_MARK, coalition_evidence, distinct_evidence, publication_period, source_notes
from summarise.schemas import CoalitionBrief, MergedCoalition, MergedMember, Source, Support, TimelineEntry

_TEMPLATES = "html_templates"

#: Matrices with more source columns than this print as a list (a scroll box cannot be printed).
WIDE_MATRIX = 16
#: Above this many dated events the timeline draws markers without labels (the list below has them).
LABELLED_MARKERS = 30

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


class _Sources:
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


def quotes_of(supports: Iterable[Support], sources: _Sources) -> list[SourceQuote]:
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


def coalition_view(coalition: MergedCoalition, number: int, sources: _Sources, on_topic: int) -> CoalitionView:
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
    cells = []
    for column in columns:
        support = next((s for s in member.supports if s.source == column.id), None)
        item = items.get((column.id, support.evidence)) if support else first_item.get(column.id)
        state: CellState = "listed" if support else "omitted" if column.id in omitted else "silent"
        summary = _cell_summary(member, column, state, support)
        about = f"{summary}: “{support.evidence}”" if support else summary
        cells.append(Cell(column, state, CELL_MARK[state], summary, about, item.anchor if item else None))
    return MatrixRow(member, mark, details, cells)


def _cell_summary(member: MergedMember, column: SourceView, state: CellState, support: Support | None) -> str:
    who = f"{column.label} ({column.name})"
    if state == "listed" and support is not None:
        written = f" as “{support.as_written}”" if support.as_written and support.as_written != member.name else ""
        return f"{who} lists {member.name}{written}"
    if state == "omitted":
        return f"{who} lists this coalition's members without {member.name}"
    return f"{who} does not name {member.name}"


# --- the timeline -------------------------------------------------------------------------------

WIDTH = 900
MARGIN = 16
AXIS_Y = 30
FIRST_LANE_Y = 62
LANE_HEIGHT = 30
LANE_GAP = 6
RADIUS = 10
CHAR_WIDTH = 6.6
LABEL_GAP = 6
LABEL_CHARS = 38
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class TimelineItem:
    """One timeline entry as listed under the chart."""

    entry: TimelineEntry
    anchor: str
    date_label: str
    span: tuple[dt.date, dt.date] | None


@dataclass(frozen=True)
class Marker:
    """One event on the chart: a dot at a day, or a band over the month or year it is known to."""

    item: TimelineItem
    x: float
    x_end: float
    y: float
    left: float
    right: float
    count: int
    label: str
    label_x: float
    label_anchor: Literal["start", "end"]
    title: str

    @property
    def centre(self) -> float:
        """Where the guide line meets the axis."""
        return (self.x + self.x_end) / 2


@dataclass(frozen=True)
class Tick:
    """A date on the axis."""

    x: float
    label: str


@dataclass
class TimelineView:
    """The whole timeline: every entry for the list, the dated ones drawn, the undated beside the axis."""

    items: list[TimelineItem]
    markers: list[Marker] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    height: int = 0
    width: int = WIDTH
    margin: int = MARGIN
    axis_y: int = AXIS_Y
    radius: int = RADIUS

    @property
    def undated(self) -> list[TimelineItem]:
        """Entries whose date cannot be placed on the axis."""
        return [item for item in self.items if item.span is None]


def _date_label(entry: TimelineEntry) -> str:
    if not entry.date:
        return "undated"
    return f"≈ {entry.date}" if entry.approximate else entry.date


def timeline_view(brief: CoalitionBrief, sources: _Sources) -> TimelineView:
    """Place every dated entry on a date axis; positions are computed here, not in the browser.

    A day is a dot, a month or a year a dashed band over its days. Markers go in lanes under
    the axis: each in the first lane where it and its label do not touch the one before.
    """
    items = [
        TimelineItem(entry, f"t{n}", _date_label(entry), date_span(entry.date))
        for n, entry in enumerate(brief.timeline, start=1)
    ]
    view = TimelineView(items)
    dated = [(n, item, item.span) for n, item in enumerate(items) if item.span is not None]
    if not dated:
        return view
    lo, hi = _domain([span for _, _, span in dated])
    scale = (WIDTH - 2 * MARGIN) / (hi - lo).days

    def x_of(day: dt.date) -> float:
        return MARGIN + (day - lo).days * scale

    view.ticks = [Tick(round(x_of(day), 1), label) for day, label in axis_ticks(lo, hi)]
    labelled = len(dated) <= LABELLED_MARKERS
    lanes: list[float] = []
    placed: list[tuple[int, Marker]] = []
    for n, item, (first, after) in sorted(dated, key=lambda placing: (placing[2], placing[0])):
        start, end = x_of(first), x_of(after)
        if not item.entry.approximate or end - start < 2 * RADIUS:
            middle = (start + end) / 2
            start, end = middle - RADIUS, middle + RADIUS
        label = _short(item.entry.description) if labelled else ""
        if item.entry.conflict and label:
            label = "⚠ " + label
        label, label_x, anchor, left, right = _place_label(label, start, end, band=item.entry.approximate)
        lane = next((number for number, taken in enumerate(lanes) if taken + LANE_GAP < left), len(lanes))
        lanes[lane : lane + 1] = [right]
        marker = Marker(
            item=item,
            x=round(start, 1),
            x_end=round(end, 1),
            y=FIRST_LANE_Y + lane * LANE_HEIGHT,
            left=round(left, 1),
            right=round(right, 1),
            count=item.entry.outlets,
            label=label,
            label_x=round(label_x, 1),
            label_anchor=anchor,
            title=_marker_title(item, sources),
        )
        placed.append((n, marker))
    view.markers = [marker for _, marker in sorted(placed, key=lambda pair: pair[0])]
    view.height = FIRST_LANE_Y + len(lanes) * LANE_HEIGHT
    return view


def _place_label(
    label: str, start: float, end: float, band: bool
) -> tuple[str, float, Literal["start", "end"], float, float]:
    """Where a marker's label goes: after the marker, else before it, else inside a band left of its count.

    Where none of these has room for the whole label, it is shortened to the largest of them (or
    dropped, when even that holds only a few characters: the list under the chart has every event).
    Returns the label as drawn, its x and anchor, and the extent of marker and label together.
    """
    first, last = MARGIN / 2, WIDTH - MARGIN / 2
    after, before, inside = end + LABEL_GAP, start - LABEL_GAP, start + LABEL_GAP
    rooms: list[tuple[float, Literal["after", "before", "inside"]]] = [
        (last - after, "after"),
        (before - first, "before"),
    ]
    if band:
        rooms.append(((start + end) / 2 - RADIUS - inside, "inside"))  # the count sits in the band's middle
    place = next((where for room, where in rooms if text_width(label) <= room), None)
    if place is None:
        room, place = max(rooms)
        label = _fit(label, room)
    width = text_width(label)
    if not label:
        return "", after, "start", start, end
    if place == "after":
        return label, after, "start", start, after + width
    if place == "before":
        return label, before, "end", before - width, end
    return label, inside, "start", start, end


def text_width(text: str) -> float:
    """About how wide ``text`` is drawn in a label (a wide East Asian character counts twice)."""
    return CHAR_WIDTH * sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _fit(text: str, room: float) -> str:
    """``text`` shortened with an ellipsis to fit ``room``; empty if that leaves fewer than six characters."""
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    text = text.rstrip()
    return text + "…" if len(text) >= 6 else ""


def _domain(spans: list[tuple[dt.date, dt.date]]) -> tuple[dt.date, dt.date]:
    lo, hi = min(span[0] for span in spans), max(span[1] for span in spans)
    pad = max(2, round((hi - lo).days * 0.04))
    lo, hi = lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)
    short = 28 - (hi - lo).days
    if short > 0:
        lo, hi = lo - dt.timedelta(days=short // 2), hi + dt.timedelta(days=short - short // 2)
    return lo, hi


_TICK_STEPS: tuple[tuple[str, int], ...] = (
    ("day", 1), ("day", 7), ("month", 1), ("month", 2), ("month", 3), ("month", 6),
    ("year", 1), ("year", 2), ("year", 5), ("year", 10), ("year", 25), ("year", 50), ("year", 100),
)  # fmt: skip
MAX_TICKS = 9


def axis_ticks(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, str]]:
    """Dates to mark on an axis from ``lo`` to ``hi``, at the finest step that gives at most ``MAX_TICKS``."""
    days: list[dt.date] = []
    unit = "year"
    for unit, step in _TICK_STEPS:
        days = _tick_days(lo, hi, unit, step)
        if len(days) <= MAX_TICKS:
            break
    if len(days) > MAX_TICKS:
        days = days[:: math.ceil(len(days) / MAX_TICKS)]
    ticks = []
    for n, day in enumerate(days):
        if unit == "year":
            label = str(day.year)
        elif unit == "month":
            label = MONTHS[day.month - 1] + (f" {day.year}" if n == 0 or day.month == 1 else "")
        else:
            new_year = n == 0 or day.year != days[n - 1].year
            label = f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if new_year else "")
        ticks.append((day, label))
    return ticks


def _tick_days(lo: dt.date, hi: dt.date, unit: str, step: int) -> list[dt.date]:
    if unit == "day":
        day = lo + dt.timedelta(days=(-lo.weekday()) % 7 if step == 7 else 0)
        delta = dt.timedelta(days=step)
        days = []
        while day <= hi:
            days.append(day)
            day += delta
        return days
    if unit == "month":
        day = lo if lo.day == 1 else add_months(lo.replace(day=1), 1)
        while (day.month - 1) % step:
            day = add_months(day, 1)
        days = []
        while day <= hi:
            days.append(day)
            day = add_months(day, step)
        return days
    first = lo.year if (lo.month, lo.day) == (1, 1) else lo.year + 1
    first += (-first) % step
    return [dt.date(year, 1, 1) for year in range(first, hi.year + 1, step)]


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _marker_title(item: TimelineItem, sources: _Sources) -> str:
    entry = item.entry
    count = f"{entry.outlets} outlet{'s' if entry.outlets != 1 else ''}"
    if len(entry.source_ids) != entry.outlets:
        count += f" ({len(entry.source_ids)} sources)"
    kind = "approximate date" if entry.approximate else "date"
    wording = "; ".join(f"“{w.value}” ({', '.join(s.label for s in sources(w.sources))})" for w in entry.when)
    basis = " (year from publication date)" if entry.date_basis == "publication_date" else ""
    lines = [
        f"{item.date_label}{basis}: {entry.description}",
        f"{count}, {kind}: {wording}",
    ]
    if entry.conflict:
        lines.append(f"⚠ the sources' dates disagree ({entry.conflict})")
    return "\n".join(lines)


# --- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """What the page says first: how much it rests on and when it was made."""

    sources: int
    off_topic: int
    outlets: int
    period: str
    generated: str
    incomplete: list[Source]


def generation_time(generated_at: dt.datetime | None = None) -> dt.datetime:
    """When the page says it was made, in UTC.

    That is ``generated_at`` (a naive time is taken as UTC), else ``SOURCE_DATE_EPOCH`` (so that a
    build can make the same page twice), else now.
    """
    if generated_at is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        generated_at = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit() else dt.datetime.now(dt.UTC)
    if generated_at.tzinfo is None:
        return generated_at.replace(tzinfo=dt.UTC)
    return generated_at.astimezone(dt.UTC)


def _header(brief: CoalitionBrief, generated_at: dt.datetime) -> Header:
    generated = generated_at.strftime("%Y-%m-%d %H:%M UTC")
    off_topic = sum(1 for source in brief.sources if source.on_topic is False)
    incomplete = [source for source in brief.sources if source.incomplete]
    return Header(len(brief.sources), off_topic, brief.outlets, publication_period(brief), generated, incomplete)


def _asset(name: str) -> str:
    return resources.files("summarise").joinpath(_TEMPLATES, name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("summarise", _TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["plural"] = lambda count, word: f"{count} {word}{'' if count == 1 else 's'}"
    return environment


@lru_cache(maxsize=1)
def _page_assets() -> tuple[Markup, Markup, str]:
    """The inline CSS and script, and a Content-Security-Policy that allows that script alone."""
    style, script = _asset("brief.css"), _asset("brief.js")
    if "</" in style or "</" in script:
        raise AssertionError("an inline asset must not contain '</'")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    return Markup(style), Markup(script), policy  # our own files, never article text


def render_coalition_brief_html(brief: CoalitionBrief, generated_at: dt.datetime | None = None) -> str:
    """The merged brief as one self-contained HTML page (for ``generated_at``, see :func:`generation_time`)."""
    sources = _Sources(brief)
    on_topic = sum(1 for source in brief.sources if source.on_topic is not False)
    style, script, policy = _page_assets()
    template = _environment().get_template("brief.html.j2")
    return template.render(
        brief=brief,
        header=_header(brief, generation_time(generated_at)),
        coalitions=[coalition_view(c, n, sources, on_topic) for n, c in enumerate(brief.coalitions, start=1)],
        timeline=timeline_view(brief, sources),
        sources=sources,
        quotes_of=lambda supports: quotes_of(supports, sources),
        source_notes=lambda source: source_notes(source, lambda source_id: sources[source_id].label, detail=True),
        file_name=file_name,
        conflict_anchor={conflict.id: f"x{n}" for n, conflict in enumerate(brief.conflicts, start=1)},
        status_mark=STATUS_MARK,
        cell_mark=CELL_MARK,
        version=__version__,
        style=style,
        script=script,
        policy=policy,
    )
