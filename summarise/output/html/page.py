"""Render the merged brief as one self-contained HTML page: matrices, a timeline, evidence on hand.

The page needs no network to be read: its CSS, the SVG timeline and a few lines of script are
inline, and a Content-Security-Policy forbids loading anything else. Everything is laid out
in Python (the timeline's positions included); the Jinja2 template in
``summarise/output/html/templates/`` only writes it out, with autoescaping, so text from an article
(a quote, a title, an outlet's name) can never add markup, attributes or script. The script only
pins a matrix cell's evidence beside the matrix; without it every cell links to that evidence.

The matrices are laid out in :mod:`summarise.output.html.matrix`, the timeline in :mod:`summarise.output.html.timeline`.
Like :mod:`summarise.output.markdown`, nothing here imports the model layer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

from summarise import __version__
from summarise.output.html.matrix import CELL_MARK, PageSources, coalition_view, file_name, quotes_of
from summarise.output.html.timeline import timeline_view
from summarise.output.markdown import STATUS_MARK, publication_period, source_notes
from summarise.schemas import CoalitionBrief, Source

_TEMPLATES = "templates"


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
    return resources.files("summarise.output.html").joinpath(_TEMPLATES, name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("summarise.output.html", _TEMPLATES),
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
    sources = PageSources(brief)
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
