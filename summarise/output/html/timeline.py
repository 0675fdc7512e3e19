"""The HTML page's timeline: every dated event placed on a date axis, in Python, as SVG coordinates.

A day is a dot, a month or a year a dashed band over its days; markers go in lanes under the axis,
their labels placed where they fit (:func:`timeline_view`). Like :mod:`summarise.output.markdown`, nothing
here imports the model layer.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from summarise.output.html.matrix import PageSources
from summarise.schemas import CoalitionBrief, TimelineEntry
from summarise.text.dates import add_months, date_span

#: Above this many dated events the timeline draws markers without labels (the list below has them).
LABELLED_MARKERS = 30

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


def timeline_view(brief: CoalitionBrief, sources: PageSources) -> TimelineView:
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


def _marker_title(item: TimelineItem, sources: PageSources) -> str:
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
