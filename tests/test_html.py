"""The HTML brief: one self-contained page whose matrices and timeline match the brief, article text inert.

Every page is checked twice by the same function: as rendered, and as headless Chromium leaves its
DOM after loading it from a file (scripts run, no network).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.merge import merge_briefs
from summarise.output.html.matrix import CELL_MARK, WIDE_MATRIX, PageSources
from summarise.output.html.page import render_coalition_brief_html
from summarise.output.html.timeline import LANE_GAP, WIDTH, Marker, axis_ticks, text_width, timeline_view
from summarise.output.links import web_url
from summarise.schemas import CoalitionBrief, MergedCoalition, Support
from summarise.text.dates import date_span

from briefs import (
    ANTI_ISIS,
    ATTRIBUTE_IN_TEXT,
    IMAGE_IN_TEXT,
    LOCAL_PATH,
    SCRIPT_IN_TEXT,
    caveats,
    hostile_for_html,
    many_sources,
    month_and_days,
    one_source,
    seed_situation,
    undated_only,
    year_and_days,
)
from dom import Element, parse

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(str(p) for p in (ROOT / "fixtures" / "articles").iterdir() if p.suffix in (".txt", ".md"))
RECORDINGS = ROOT / "fixtures" / "llm"
GENERATED = dt.datetime(2025, 12, 24, 9, 30, tzinfo=dt.UTC)


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def replay_brief(*args: str):
    return run("brief", "--backend", "replay", "--replay-dir", str(RECORDINGS), *args)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[CoalitionBrief, Path]:
    """The brief of the recorded sample articles, and its HTML page written by `brief -o x.html`."""
    folder = tmp_path_factory.mktemp("sample")
    page = folder / "brief.html"
    # A module fixture runs before the per-test isolated home is set: give it a home of its own.
    saved = os.environ.get("SUMMARISE_HOME")
    os.environ["SUMMARISE_HOME"] = str(folder / "home")
    try:
        written = replay_brief("-o", str(page), *ARTICLES)
        assert written.exit_code == 0, written.stderr
        as_json = replay_brief("--format", "json", *ARTICLES)
    finally:
        if saved is None:
            os.environ.pop("SUMMARISE_HOME", None)
        else:
            os.environ["SUMMARISE_HOME"] = saved
    return CoalitionBrief.model_validate_json(as_json.stdout), page


SHAPES: dict[str, Callable[[], list]] = {
    "one source": one_source,
    "100 sources": many_sources,
    "no dated events": undated_only,
    "hostile text": hostile_for_html,
    "seed situation": seed_situation,
    "year and days": year_and_days,
    "month and days": month_and_days,
    "caveats": caveats,
}


# --- what every page must show ---------------------------------------------------------------------


def normalised(text: str) -> str:
    return " ".join(text.split())


def every_support(brief: CoalitionBrief) -> list[Support]:
    supports: list[Support] = []
    for coalition in brief.coalitions:
        supports += coalition.supports
        for fact in [*coalition.members, *coalition.objectives, *coalition.mechanisms, *coalition.stated_counts]:
            supports += fact.supports
    for fact in [*brief.people, *brief.timeline, *brief.claims, *brief.quotes]:
        supports += fact.supports
    for group in brief.figures:
        for value in group.values:
            supports += value.supports
    return supports


def matrix_columns(coalition: MergedCoalition, brief: CoalitionBrief) -> list[str]:
    """The labels of the sources that describe a coalition, in the brief's order."""
    ids = set(coalition.source_ids)
    for member in coalition.members:
        ids |= set(member.source_ids) | set(member.omitted_by)
    return [source.label for source in brief.sources if source.id in ids]


def check_matrices(page: Element, brief: CoalitionBrief) -> int:
    """Each coalition's rows, columns and cells against the brief; returns the number of cells checked."""
    label = {source.id: source.label for source in brief.sources}
    tables = page.find_all("table", "matrix")
    assert len(tables) == sum(1 for coalition in brief.coalitions if coalition.members)
    cells = 0
    for coalition in brief.coalitions:
        if not coalition.members:
            continue
        table = page.find("table", "matrix", data_coalition=coalition.id)
        columns = matrix_columns(coalition, brief)
        heads = table.find_all("th", "source-head")
        assert [head.attrs["data-source"] for head in heads] == columns
        assert all(head.attrs["scope"] == "col" for head in heads)
        rows = table.find("tbody").find_all("tr")
        assert [row.attrs["data-member"] for row in rows] == [member.name for member in coalition.members]
        for row, member in zip(rows, coalition.members, strict=True):
            assert row.attrs["data-status"] == member.status and f"status-{member.status}" in row.classes
            header = row.find("th")
            assert header.attrs["scope"] == "row"
            assert member.name in header.text() and member.status.replace("_", " ") in header.text()  # not colour only
            tds = row.find_all("td")
            assert [td.attrs["data-source"] for td in tds] == columns
            listed = {label[s] for s in member.source_ids}
            omitted = {label[s] for s in member.omitted_by}
            for td in tds:
                source = td.attrs["data-source"]
                state = "listed" if source in listed else "omitted" if source in omitted else "silent"
                assert td.attrs["data-state"] == state, (member.name, source)
                assert CELL_MARK[state] in td.text()
                assert td.attrs["title"].startswith(f"{source} ")
                if state == "listed":
                    quotes = [s.evidence for s in member.supports if label[s.source] == source]
                    assert any(quote in td.attrs["title"] for quote in quotes)
                    assert td.find("a", "cell-link").attrs["href"].startswith("#")
                cells += 1
        if len(columns) > WIDE_MATRIX:  # printed as a list instead of a grid cut at the page edge
            section = page.find("section", "coalition", data_coalition=coalition.id)
            assert len(section.find("ul", "members-print").find_all("li")) == len(coalition.members)
    assert cells == sum(len(c.members) * len(matrix_columns(c, brief)) for c in brief.coalitions)
    return cells


def check_timeline(page: Element, brief: CoalitionBrief) -> int:
    """One marker per dated entry, with its source count and its precision; the undated beside the axis."""
    dated = [entry for entry in brief.timeline if entry.date]
    markers = page.find_all("g", "tl-marker")
    assert len(markers) == len(dated)
    for marker in markers:
        entry = brief.timeline[int(marker.attrs["data-entry"][1:]) - 1]
        assert marker.attrs["data-date"] == entry.date
        # outlets, as everywhere else on the page: copies of one story count once
        assert marker.attrs["data-count"] == str(entry.outlets)
        assert marker.find("text", "count").text() == str(entry.outlets)
        title = normalised(marker.find("title").text())
        assert f"{entry.outlets} outlet" in title and normalised(entry.description) in title
        if len(entry.source_ids) != entry.outlets:
            assert f"{len(entry.source_ids)} sources" in title
        assert ("approximate" in marker.classes) == entry.approximate
        assert len(marker.find_all("rect", "band")) == int(entry.approximate)
        assert len(marker.find_all("circle", "dot")) == int(not entry.approximate)
        assert ("conflict" in marker.classes) == bool(entry.conflict)
        labels = marker.find_all("text", "label")
        if entry.conflict:
            assert "⚠" in title and all(label.text().startswith("⚠") for label in labels)
    assert len(page.find_all("svg", "timeline")) == int(bool(dated))
    undated = [entry for entry in brief.timeline if not entry.date]
    items = page.find_all("li", "tl-undated-item")
    assert len(items) == len(undated)
    for item, entry in zip(items, undated, strict=True):
        assert all(normalised(when.value) in normalised(item.text()) for when in entry.when)  # the text's own words
    if brief.timeline and not dated:
        assert page.find_all("p", "no-dates")
    return len(markers)


def check_page(page: Element, brief: CoalitionBrief) -> None:
    """Self-contained, every anchor resolves, every fact's evidence and every source on the page."""
    scripts = page.find_all("script")
    assert len(scripts) == 1 and "src" not in scripts[0].attrs
    assert not page.find_all("link") and not page.find_all("img") and not page.find_all("iframe")
    policy = page.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in policy
    ids = [element.attrs["id"] for element in page.iter() if "id" in element.attrs]
    assert len(ids) == len(set(ids))
    article_links = {web_url(source.url) for source in brief.sources} - {None}
    for element in page.iter():
        assert not any(name.startswith("on") for name, _ in element.attributes), element.tag
        assert "src" not in element.attrs and "data-injected" not in element.attrs
        href = element.attrs.get("href")
        if href is None:
            continue
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:
            assert href in article_links, href  # nothing but the articles themselves is linked from outside

    text = normalised(page.find("body").text())
    for support in every_support(brief):
        assert normalised(support.evidence) in text
    sources_table = page.find("table", "sources")
    label = {source.id: source.label for source in brief.sources}
    for source in brief.sources:
        row = sources_table.find("tr", id=PageSources(brief)[source.id].anchor)
        cells = [normalised(cell.text()) for cell in row.find_all("td")]
        assert normalised(row.find("th").text()) == source.label and cells[0] == normalised(source.outlet or "—")
        assert normalised(source.title or source.source.rsplit("/", 1)[-1]) == cells[1]  # a file's name, not its path
        links = row.find_all("a", "external")
        assert [a.attrs["href"] for a in links] == ([web_url(source.url)] if web_url(source.url) else [])
        expected = [  # what a reader must know before trusting the source, as the Markdown brief says it
            "off topic" if source.on_topic is False else None,
            f"counted with {label[source.counted_with]}" if source.counted_with else None,
            "incomplete" if source.incomplete else None,
            "more cop" if source.also_at else None,
        ]
        notes = cells[4]
        assert all(note in notes for note in expected if note) and (notes == "") == (expected == [None] * 4)
    warnings = page.find("header").find_all("p", "warning")
    assert len(warnings) == sum(1 for source in brief.sources if source.incomplete)
    for warning, source in zip(warnings, [source for source in brief.sources if source.incomplete], strict=True):
        said = normalised(warning.text())
        assert said.startswith(f"Incomplete: {source.label}") and all(step in said for step in source.incomplete)
    shown = text + " ".join(value or "" for element in page.iter() for _, value in element.attributes)
    for source in brief.sources:  # the page is meant to be shared: a file's name, never the folders above it
        folder = source.source.rpartition("/")[0]
        assert not folder or folder not in shown, source.source
    for person in brief.people:
        assert all(normalised(variant.value) in text for variant in person.variants)
    conflicts = page.find_all("li", "conflict")
    assert [li.attrs["data-kind"] for li in conflicts] == [conflict.kind for conflict in brief.conflicts]
    for conflict in brief.conflicts:
        assert all(normalised(value.value) in text for value in conflict.values)
    assert normalised(brief.story) in normalised(page.find("h1").text())
    check_separators(page)
    check_matrices(page, brief)
    check_timeline(page, brief)


def check_separators(page: Element) -> None:
    """Items in a row are separated by text, not by CSS alone: copied, they do not run together."""
    rows = [*page.find_all("p", "summary"), *page.find_all("p", "facts"), page.find("nav")]
    rows += [person.find_all("p")[0] for person in page.find_all("li", "person")]
    for row in rows:
        items = [child for child in row.children if isinstance(child, Element) and "sep" not in child.classes]
        assert len(items) >= 2
        assert normalised(row.text()) == " · ".join(normalised(item.text()) for item in items)
    for quote in page.find_all("q"):  # quotation marks are text too
        assert quote.text().startswith("“") and quote.text().endswith("”")


# --- the rendered page ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_the_page_matches_the_brief(shape):
    brief = merge_briefs(SHAPES[shape]())
    check_page(parse(render_coalition_brief_html(brief, generated_at=GENERATED)), brief)


def test_the_sample_page_written_by_the_cli_matches_its_brief(sample):
    brief, path = sample
    html = path.read_text(encoding="utf-8")
    page = parse(html)
    check_page(page, brief)
    header = normalised(page.find("header").text())
    assert "7 sources (1 off topic) · 6 outlets on topic · published 2024-12-14 to 2025-12-01 · " in header
    assert "3 conflicts" in header
    assert "Coalitions · Conflicts · People · Timeline · Figures · Claims · Sources" in header  # not run together
    facts = normalised(page.find_all("p", "facts")[0].text())
    assert facts.startswith("kind: regional · target: ISIS · 4 outlets · ")
    # the recorded run with no story file: the regional coalition (5 members × S2 S3 S4 S7: the scraped page's
    # "Turkish-Syrian Alliance" is given the other two states of the list its pair was taken from) and the
    # US-led one (3 members × S6)
    assert check_matrices(page, brief) == 5 * 4 + 3 * 1
    lebanon = page.find("tr", data_member="Lebanon")
    assert [td.attrs["data-state"] for td in lebanon.find_all("td")] == ["omitted", "omitted", "listed", "omitted"]


def test_header_says_when_the_page_was_generated(monkeypatch):
    brief = merge_briefs(one_source())
    html = render_coalition_brief_html(brief, generated_at=GENERATED)
    assert "Generated 2025-12-24 09:30 UTC" in html
    assert "<span>1 source</span>" in html and "1 sources" not in html
    in_berlin = GENERATED.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert "Generated 2025-12-24 09:30 UTC" in render_coalition_brief_html(brief, generated_at=in_berlin)
    naive = GENERATED.replace(tzinfo=None)  # taken as UTC, and said to be
    assert "Generated 2025-12-24 09:30 UTC" in render_coalition_brief_html(brief, generated_at=naive)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(GENERATED.timestamp())))  # a reproducible build
    again = render_coalition_brief_html(brief)
    assert again == render_coalition_brief_html(brief) and "Generated 2025-12-24 09:30 UTC" in again


def test_a_hand_edited_brief_citing_an_unknown_source_links_nowhere():
    brief = merge_briefs(seed_situation(), ANTI_ISIS)
    member = brief.coalitions[0].members[0]
    member.supports.append(member.supports[0].model_copy(update={"source": "0123456789abcdef"}))
    page = parse(render_coalition_brief_html(brief, generated_at=GENERATED))
    head = page.find("table", "matrix", data_coalition=brief.coalitions[0].id).find_all("th", "source-head")[-1]
    assert normalised(head.text()) == "0123456789abcdef" and not head.find_all("a")  # shown, not linked
    ids = {element.attrs["id"] for element in page.iter() if "id" in element.attrs}
    hrefs = [element.attrs["href"] for element in page.iter() if element.attrs.get("href", "").startswith("#")]
    assert all(href[1:] in ids for href in hrefs)  # no href="#"


def test_article_text_shows_as_text_never_as_markup():
    brief = merge_briefs(hostile_for_html())
    html = render_coalition_brief_html(brief, generated_at=GENERATED)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html and "<script>document" not in html and "<img src=x" not in html
    assert '" onmouseover="' not in html and "&#34; onmouseover=&#34;" in html
    assert "javascript:" not in html.lower()
    page = parse(html)
    check_page(page, brief)
    text = page.find("body").text()
    for hostile in (SCRIPT_IN_TEXT, ATTRIBUTE_IN_TEXT, IMAGE_IN_TEXT, "<script>alert(1)</script>"):
        assert hostile in text  # shown to the reader, as written
    assert page.find("head").find("title").text() == f"{brief.story} · coalition brief"


def test_the_caveats_about_sources_are_on_the_page():
    brief = merge_briefs(caveats())
    html = render_coalition_brief_html(brief, generated_at=GENERATED)
    page = parse(html)
    check_page(page, brief)
    warning = normalised(page.find("p", "warning").text())
    assert warning == "Incomplete: S4 River Post: no valid answer for people."
    notes = {
        normalised(row.find("th").text()): normalised(row.find_all("td")[4].text())
        for row in page.find("table", "sources").find("tbody").find_all("tr")
    }
    assert notes == {
        "S1": "1 more copy",
        "S2": "counted with S1",
        "S3": "off topic: not merged",
        "S4": "incomplete: no valid answer for people",
        "S5": "",
    }
    met, met_later = page.find_all("g", "tl-marker")
    assert met.attrs["data-count"] == "1"  # S1 and S2 are one outlet's two reports
    assert "1 outlet (2 sources)" in met.find("title").text()
    for marker in (met, met_later):
        assert "conflict" in marker.classes and marker.find("text", "label").text() == "⚠ Ministers met in Amman"
    assert LOCAL_PATH not in html and "/home/analyst" not in html  # the page is shared: no local path on it
    s5 = page.find("table", "sources").find("tr", id="src-5")
    assert [normalised(td.text()) for td in s5.find_all("td")][:3] == ["—", "unsourced-note.txt", "—"]


def test_only_web_links_are_linked_and_as_checked():
    assert web_url("https://example.org/a b?x=1&y=<2>") == "https://example.org/a%20b?x=1&y=%3C2%3E"
    assert web_url(" http://example.org/ ") == "http://example.org/"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "//example.org", "example.org", None):
        assert web_url(bad) is None
    # urlsplit drops tabs and newlines: these would pass as https and come back as another URL
    for hidden in (
        "ht\ttps://example.org/a",
        "https://exa\nmple.org/a",
        "java\r\nscript:alert(1)",
        "https://x.org/\x00",
    ):
        assert web_url(hidden) is None, repr(hidden)
    tabbed = one_source()
    tabbed[0].article.url = "ht\ttps://example.org/lone"
    html = render_coalition_brief_html(merge_briefs(tabbed), generated_at=GENERATED)
    assert "example.org/lone" not in html and not parse(html).find_all("a", "external")


# --- the timeline's geometry ----------------------------------------------------------------------


def test_date_spans_cover_the_days_a_partial_date_allows():
    assert date_span("2025-03-09") == (dt.date(2025, 3, 9), dt.date(2025, 3, 10))
    assert date_span("2025-12") == (dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert date_span("2025") == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert date_span("2025-02-30") is None and date_span("0000") is None and date_span(None) is None


def test_axis_ticks_pick_a_step_that_fits():
    months = axis_ticks(dt.date(2024, 11, 20), dt.date(2025, 4, 10))
    assert [label for _, label in months] == ["Dec 2024", "Jan 2025", "Feb", "Mar", "Apr"]
    days = axis_ticks(dt.date(2025, 3, 1), dt.date(2025, 3, 6))
    assert [label for _, label in days] == ["1 Mar 2025", "2 Mar", "3 Mar", "4 Mar", "5 Mar", "6 Mar"]
    years = axis_ticks(dt.date(1990, 6, 1), dt.date(2025, 6, 1))
    assert [label for _, label in years] == ["1995", "2000", "2005", "2010", "2015", "2020", "2025"]
    for lo, hi in [(dt.date(2025, 1, 1), dt.date(2025, 1, 2) + dt.timedelta(days=n * 37)) for n in range(60)]:
        ticks = axis_ticks(lo, hi)
        assert 1 <= len(ticks) <= 9 and all(lo <= day <= hi for day, _ in ticks)
        assert [day for day, _ in ticks] == sorted(day for day, _ in ticks)


def label_extent(marker: Marker) -> tuple[float, float]:
    """Where a marker's label is drawn, by the renderer's own estimate of its width (Chromium measures it too)."""
    width = text_width(marker.label)
    left = marker.label_x if marker.label_anchor == "start" else marker.label_x - width
    return round(left, 1), round(left + width, 1)


@pytest.mark.parametrize("shape", ["100 sources", "year and days", "month and days"])
def test_markers_follow_the_dates_and_never_overlap_in_a_lane(shape):
    brief = merge_briefs(SHAPES[shape]())
    view = timeline_view(brief, PageSources(brief))
    assert len(view.markers) == sum(1 for entry in brief.timeline if entry.date)
    for marker in view.markers:
        assert 0 <= marker.left <= marker.x <= marker.x_end <= marker.right <= WIDTH
        assert marker.y < view.height
        if marker.label:  # drawn whole inside the chart, within the room the lane keeps for it
            left, right = label_extent(marker)
            assert marker.left <= left and right <= marker.right, marker.label
            assert marker.label.rstrip("…") in f"⚠ {normalised(marker.item.entry.description)}"
    by_date = sorted(view.markers, key=lambda m: m.item.span)
    where = [m.x if m.item.entry.approximate else m.centre for m in by_date]  # a band starts at its first day
    assert where == sorted(where)
    for a in view.markers:
        for b in view.markers:
            if a is not b and a.y == b.y:
                assert a.right + LANE_GAP <= b.left or b.right + LANE_GAP <= a.left
    if shape != "100 sources":
        assert all(marker.label for marker in view.markers)  # few markers: each has its label, short if need be
        band = next(m for m in view.markers if m.item.entry.approximate)
        assert band.x_end - band.x > WIDTH * 0.8  # the year (or month) spans most of the axis
        assert band.x < band.label_x < band.centre  # so its label is drawn inside the band, left of the count
        return
    june = next(m for m in view.markers if m.item.entry.date == "2025-06")
    assert june.x_end - june.x > 60  # a month is drawn as the month: a band, not a dot
    meeting = next(m for m in view.markers if m.item.entry.date == "2025-03-09")
    assert meeting.count == 34  # one marker for the meeting every third report names


# --- the command line -----------------------------------------------------------------------------


def test_html_by_format_or_by_file_name_from_brief_and_merge(tmp_path, sample):
    _, written = sample
    assert written.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")  # auto: .html means html
    printed = replay_brief("--format", "html", *ARTICLES)
    assert printed.exit_code == 0 and printed.stdout.startswith("<!DOCTYPE html>")
    saved = tmp_path / "briefs.jsonl"
    saved.write_text("\n".join(b.model_dump_json() for b in seed_situation()) + "\n", encoding="utf-8")
    merged = run("merge", str(saved), "-o", str(tmp_path / "seed.htm"))
    assert merged.exit_code == 0
    assert "Lebanon" in (tmp_path / "seed.htm").read_text(encoding="utf-8")
    unknown = run("merge", "--format", "pdf", str(saved))
    assert unknown.exit_code == 2 and "html" in unknown.stderr


# --- in a real browser ------------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # a container's small /dev/shm must not crash the renderer
]
BROWSER_TIMEOUT = 60


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium (.ci/run installs it)")
    return path


def dump_dom(chromium: str, page: Path, profile: Path, *flags: str) -> str:
    """The DOM Chromium holds after loading ``page`` (its scripts have run); fails rather than hangs."""
    args = [chromium, *CHROMIUM_FLAGS, *flags, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    process = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "HOME": str(profile)},
    )
    try:
        out, err = process.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"chromium did not finish loading {page.name} within {BROWSER_TIMEOUT} s "
            "(an alert() run from article text would hold the page open)"
        )
    finally:  # whatever happened, no chromium process (renderers, zygote, ...) outlives the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == 0, f"chromium failed ({process.returncode}): {err[-2000:]}"
    return out


@pytest.mark.browser
@pytest.mark.parametrize("shape", ["sample", *SHAPES])
def test_in_chromium_the_page_matches_the_brief_and_no_article_script_runs(shape, chromium, sample, tmp_path):
    if shape == "sample":
        brief, path = sample
    else:
        brief = merge_briefs(SHAPES[shape]())
        path = tmp_path / "brief.html"
        path.write_text(render_coalition_brief_html(brief, generated_at=GENERATED), encoding="utf-8")
    page = parse(dump_dom(chromium, path, tmp_path / "profile"))
    root = page.find("html")
    assert root.attrs.get("data-script") == "ran"  # the page's own script ran: scripts were enabled
    assert "data-injected" not in root.attrs  # and none from the articles did
    assert page.find("head").find("title").text() == f"{brief.story} · coalition brief"
    check_page(page, brief)
    if shape == "hostile text":
        assert SCRIPT_IN_TEXT in page.find("body").text()


def with_test_script(html: str, script: str) -> str:
    """The page with one more inline script at the end of its body, allowed by adding its hash to the page's policy."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    allowed = "script-src &#39;sha256-"  # in the policy's attribute, as the template escapes it
    assert html.count(allowed) == 1
    html = html.replace(allowed, f"script-src &#39;sha256-{digest}&#39; &#39;sha256-")
    head, tail = html.rsplit("</body>", 1)
    return f"{head}<script>{script}</script></body>{tail}"


#: Run in the page once it is laid out: how wide the page is, which elements stick out of the body (those
#: inside a scroll box only count through the box), and where each timeline label is drawn.
LAYOUT_PROBE = """
(function () {
  var root = document.documentElement, body = document.body;
  var edge = body.getBoundingClientRect().right - parseFloat(getComputedStyle(body).paddingRight) + 1;
  var wide = [];
  function inScrollBox(element) {
    for (var up = element.parentElement; up && up !== body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  }
  body.querySelectorAll("*").forEach(function (element) {
    if (element.tagName === "SCRIPT" || element.closest("svg") !== null && element.tagName !== "svg") return;
    if (inScrollBox(element)) return;
    var box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > edge) {
      var name = element.tagName.toLowerCase() + "." + (element.getAttribute("class") || "");
      wide.push(name + ":" + Math.round(box.right));
    }
  });
  root.setAttribute("data-scroll-width", String(root.scrollWidth));
  root.setAttribute("data-client-width", String(root.clientWidth));
  root.setAttribute("data-too-wide", wide.join(" "));
  document.querySelectorAll("svg.timeline text.label").forEach(function (label) {
    var box = label.getBBox();
    label.setAttribute("data-box", box.x.toFixed(1) + " " + (box.x + box.width).toFixed(1));
  });
  document.currentScript.remove();
})();
"""


def laid_out(chromium: str, html: str, tmp_path: Path, width: int) -> Element:
    """Chromium's DOM of ``html`` in a window ``width`` pixels wide, with what LAYOUT_PROBE measured."""
    path = tmp_path / f"laid-out-{width}.html"
    path.write_text(with_test_script(html, LAYOUT_PROBE), encoding="utf-8")
    return parse(dump_dom(chromium, path, tmp_path / f"profile-{width}", f"--window-size={width},1000")).find("html")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1265, 520])
@pytest.mark.parametrize("shape", ["sample", *SHAPES])
def test_in_chromium_nothing_is_wider_than_the_window(shape, width, chromium, sample, tmp_path):
    if shape == "sample":
        html = sample[1].read_text(encoding="utf-8")
    else:
        html = render_coalition_brief_html(merge_briefs(SHAPES[shape]()), generated_at=GENERATED)
    root = laid_out(chromium, html, tmp_path, width)
    assert int(root.attrs["data-client-width"]) <= width
    assert int(root.attrs["data-scroll-width"]) <= int(root.attrs["data-client-width"])  # no sideways scrolling
    assert root.attrs["data-too-wide"] == ""  # no text sticks out of its box: long words break
    svg = root.find_all("svg", "timeline")
    view_width = float(svg[0].attrs["viewbox"].split()[2]) if svg else 0
    for label in root.find_all("text", "label"):
        left, right = (float(x) for x in label.attrs["data-box"].split())
        assert left >= 0 and right <= view_width, label.text()  # drawn inside the chart, not cut at its edge


@pytest.mark.browser
def test_in_chromium_clicking_a_cell_pins_its_evidence_under_the_matrix(chromium, sample, tmp_path):
    brief, path = sample
    click = 'document.querySelector("tr[data-member=Lebanon] td[data-source=S4] a").click();'
    clicked = tmp_path / "clicked.html"
    clicked.write_text(with_test_script(path.read_text(encoding="utf-8"), click), encoding="utf-8")
    page = parse(dump_dom(chromium, clicked, tmp_path / "profile"))
    regional = page.find("section", "coalition", data_coalition=brief.coalitions[0].id)
    pinned = regional.find("td", "pinned")
    assert pinned.attrs["data-source"] == "S4" and pinned.attrs["data-state"] == "listed"
    pin = regional.find("div", "pin")
    assert "hidden" not in pin.attrs
    assert normalised(pin.text()).startswith("S4 (Euphrates Herald) lists Lebanon")
    lebanon = next(m for m in brief.coalitions[0].members if m.name == "Lebanon")
    assert normalised(lebanon.supports[0].evidence) in normalised(pin.text())
    other = page.find("section", "coalition", data_coalition=brief.coalitions[1].id).find("div", "pin")
    assert "hidden" in other.attrs


def test_every_renderer_keeps_the_one_url_rule_markdown_too():
    from summarise.output.markdown import render_article_brief, render_coalition_brief_markdown

    hostile = hostile_for_html()
    piped = hostile[0].model_copy(deep=True)
    piped.article = piped.article.model_copy(update={"id": "b" * 16, "url": "https://example.org/a|b c>d"})
    merged = merge_briefs([*hostile, piped])
    markdown = render_coalition_brief_markdown(merged)
    assert "javascript:" not in markdown.lower()
    assert "https://example.org/a%7Cb%20c%3Ed" in markdown  # a | would end the Sources table's cell
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "Story hostile-html" in line]
    assert rows and all(row.count("|") == 7 for row in rows)
    assert "javascript:" not in render_article_brief(hostile[0]).lower()
