"""The coalition brief as a Slack digest: mrkdwn text, Block Kit payloads, and posting to a webhook.

Everything that comes from an article or a model is untrusted here. It is escaped as Slack
requires (``&``, ``<``, ``>``), so it cannot open a link, a user or channel mention, or a
``<!channel>``/``<!here>`` broadcast. Bare ``@here``/``@channel`` words, user-like ``@names`` and
domain names get an invisible zero-width space, so Slack neither pings nor auto-links them.
Block Kit text objects are also marked ``verbatim``. The only links in a digest are the sources'
own http(s) URLs, written by this module as ``<url|outlet>``.

Slack's limits are kept: a section's text stays within 3,000 characters, a message within 50
blocks and its text under 40,000 characters. A digest too long for one message becomes several.
Lines are never cut inside an escape sequence or a link; a single line too long for a section is
shortened at a safe place with an ellipsis. ``--max-items`` keeps lists short with an explicit
"… N more" line. Block Kit blocks are built with slack-sdk's models, which check each block's
limits again as it is serialised: a block over them raises instead of going out.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from summarise.exceptions import SummariseError
from summarise.output.links import web_url
from summarise.schemas import CoalitionBrief, MergedCoalition, Source
from summarise.text.dates import date_span

if TYPE_CHECKING:
    from slack_sdk.models.blocks import Block

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
MESSAGE_LIMIT = 40000
HEADER_LIMIT = 150
DEFAULT_MAX_ITEMS = 8
STATUS_ICON = {"agreed": "✔", "single_source": "◐", "conflict": "⚠"}
_ZWSP = "\u200b"


class SlackError(SummariseError):
    """Posting to the webhook failed (the message says how; it never contains the URL)."""

    exit_code = 5


# --- escaping -----------------------------------------------------------------------------------

_BROADCAST = re.compile(r"@(?=(?:here|channel|everyone|[A-Za-z0-9._-]+)\b)", re.I)
_DOMAIN_DOT = re.compile(r"(?<=[A-Za-z0-9])\.(?=[A-Za-z]{2,}\b)")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")


def escape(text: object) -> str:
    """Untrusted text made inert for mrkdwn: escaped, no mention, no broadcast, no auto-link."""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _BROADCAST.sub("@" + _ZWSP, value)
    value = _SCHEME.sub(lambda m: m.group(1) + _ZWSP + ":", value)
    return _DOMAIN_DOT.sub(_ZWSP + ".", value)


def link(url: str | None, label: str) -> str:
    """``<url|label>`` for an http(s) URL, else the escaped label alone."""
    text = escape(label).replace("|", "¦")
    safe = web_url(url)
    if safe is None:
        return text
    return f"<{safe.replace('&', '&amp;')}|{text}>"  # web_url has encoded < > and |


_UNSAFE_CUT = re.compile(r"&[a-z]*$|<[^>]*$")


def shorten(line: str, limit: int) -> str:
    """``line`` within ``limit`` characters, cut before any escape sequence or link it would split."""
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    unsafe = _UNSAFE_CUT.search(cut)
    if unsafe:
        cut = cut[: unsafe.start()]
    return cut.rstrip() + "…"


# --- content ------------------------------------------------------------------------------------


@dataclass
class Section:
    """A titled list of mrkdwn lines: one Block Kit section (or several, if long)."""

    title: str
    lines: list[str]


def more(lines: list[str], max_items: int, what: str) -> list[str]:
    """``lines``, at most ``max_items`` of them and then "… N more <what>"."""
    if len(lines) <= max_items:
        return lines
    left = len(lines) - max_items
    return [*lines[:max_items], f"… {left} more {what if left > 1 else _singular(what)}"]


def _labels(brief: CoalitionBrief) -> dict[str, str]:
    return {source.id: source.label for source in brief.sources}


def _coalition_lines(coalition: MergedCoalition, labels: dict[str, str], max_items: int) -> list[str]:
    members = []
    for member in coalition.members:
        detail = f"{member.outlets}"
        if member.omitted_by:
            detail += f"; left out by {', '.join(labels[s] for s in member.omitted_by)}"
        members.append(f"{STATUS_ICON[member.status]} {escape(member.name)} ({detail})")
    shown = more(members, max_items * 2, "members")
    lines = [" · ".join(shown)] if shown else ["_no members named_"]
    facts = [
        f"target {escape(coalition.target)}" if coalition.target else None,
        f"led by {escape(coalition.led_by)}" if coalition.led_by else None,
        f"{coalition.outlets} outlet{'s' if coalition.outlets != 1 else ''}",
    ]
    lines.append("_" + ", ".join(f for f in facts if f) + "_")
    return lines


def digest_sections(
    brief: CoalitionBrief, since: dt.date | None = None, max_items: int = DEFAULT_MAX_ITEMS
) -> tuple[str, list[Section]]:
    """The digest's headline and its sections, every untrusted text escaped."""
    labels = _labels(brief)
    period = ""
    if brief.first_published and brief.last_published:
        period = f", {brief.first_published} to {brief.last_published}"
    headline = (
        f"{escape(brief.story)}: {len(brief.sources)} sources, {brief.outlets} outlets{period}, "
        f"{len(brief.conflicts)} conflicts"
    )
    sections = []
    for coalition in brief.coalitions[:max_items]:
        sections.append(
            Section(f"{coalition.id} {escape(coalition.name)}", _coalition_lines(coalition, labels, max_items))
        )
    if len(brief.coalitions) > max_items:
        left = len(brief.coalitions) - max_items
        sections.append(Section("More coalitions", [f"… {left} more coalition{'s' if left > 1 else ''}"]))

    dated = [entry for entry in brief.timeline if entry.date]
    if since is not None:
        dated = [entry for entry in dated if (span := date_span(entry.date)) is None or span[1] > since]
    newest = sorted(dated, key=lambda e: e.date or "", reverse=True)
    timeline = [
        f"• *{'≈' if entry.approximate else ''}{entry.date}* {escape(entry.description)} "
        f"({', '.join(labels[s] for s in entry.source_ids)})"
        for entry in newest
    ]
    title = "Latest" + (f" since {since.isoformat()}" if since else "")
    sections.append(Section(title, more(timeline, max_items, "events") or ["_no dated event_"]))

    conflicts = []
    for conflict in brief.conflicts:
        values = " vs ".join(
            f"{escape(value.value)} ({', '.join(labels[s] for s in value.sources)})" for value in conflict.values
        )
        conflicts.append(f"• ⚠ *{conflict.kind.replace('_', ' ')}*: {escape(conflict.about)}: {values}")
    sections.append(Section("Conflicts", more(conflicts, max_items, "conflicts") or ["_the sources agree_"]))

    sources = [source_line(source) for source in brief.sources]
    sections.append(Section("Sources", more(sources, max_items * 2, "sources")))
    return headline, sections


def source_line(source: Source) -> str:
    """A source as the digest lists it: label, its outlet linked to its page, date, off topic."""
    name = source.outlet or source.title or source.source.replace("\\", "/").rsplit("/", 1)[-1]
    note = " _(off topic)_" if source.on_topic is False else ""
    date = f" {source.published}" if source.published else ""
    return f"{source.label} {link(source.url, name)}{date}{note}"


# --- mrkdwn text --------------------------------------------------------------------------------


def render_mrkdwn(brief: CoalitionBrief, since: dt.date | None = None, max_items: int = DEFAULT_MAX_ITEMS) -> list[str]:
    """The digest as mrkdwn messages (usually one), each under Slack's message text limit."""
    return mrkdwn_messages(*digest_sections(brief, since, max_items))


def mrkdwn_messages(headline: str, sections: Sequence[Section]) -> list[str]:
    """A headline and its sections as mrkdwn messages, each under Slack's message text limit."""
    lines = [f"*{headline}*"]
    for section in sections:
        lines += ["", f"*{section.title}*", *(shorten(line, SECTION_LIMIT) for line in section.lines)]
    return _pack(lines, MESSAGE_LIMIT - 100)


def _pack(lines: Sequence[str], limit: int) -> list[str]:
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > limit:
            messages.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        messages.append("\n".join(current))
    return messages


# --- Block Kit ----------------------------------------------------------------------------------


def render_blocks(
    brief: CoalitionBrief, since: dt.date | None = None, max_items: int = DEFAULT_MAX_ITEMS
) -> list[dict[str, Any]]:
    """The digest as Block Kit payloads ``{"text": fallback, "blocks": [...]}`` (several if needed).

    The blocks are slack-sdk's models (``slack_sdk.models.blocks``): serialising one checks it
    against Slack's limits (a section's text within 3,000 characters, a header's within 150, a
    header's and a section's text present) and raises ``SlackObjectFormationError`` instead of
    letting out a block Slack would refuse. This module's own cuts keep every block within them first.
    """
    return block_payloads(*digest_sections(brief, since, max_items))


def block_payloads(headline: str, sections: Sequence[Section]) -> list[dict[str, Any]]:
    """A headline and its sections as Block Kit payloads: a header, then a divider and section(s) each."""
    from slack_sdk.models.blocks import DividerBlock, HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock

    plain = re.sub(r"[*_]", "", headline)
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=shorten(_unescape(plain), HEADER_LIMIT)))]
    for section in sections:
        blocks.append(DividerBlock())
        for chunk in _pack(
            [f"*{section.title}*", *(shorten(line, SECTION_LIMIT) for line in section.lines)], SECTION_LIMIT
        ):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk, verbatim=True)))
    payloads = []
    for start in range(0, len(blocks), BLOCK_LIMIT):
        part = blocks[start : start + BLOCK_LIMIT]
        fallback = shorten(headline, 3000) if start == 0 else f"{shorten(headline, 2900)} (continued)"
        payloads.append({"text": fallback, "blocks": [_type_first(block.to_dict()) for block in part]})
    return payloads


def _type_first(value: Any) -> Any:
    """slack-sdk's JSON of a block (keys sorted) with each object's ``type`` first, as this module always wrote it."""
    if isinstance(value, list):
        return [_type_first(item) for item in value]
    if not isinstance(value, dict):
        return value
    ordered = {"type": value["type"]} if "type" in value else {}
    return ordered | {key: _type_first(item) for key, item in value.items() if key != "type"}


def _unescape(text: str) -> str:
    """Plain-text objects show text as it is: undo the mrkdwn escapes (the zero-width spaces stay)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- posting ------------------------------------------------------------------------------------


@dataclass
class PostResult:
    """What posting a digest did."""

    messages: int
    status: int
    attempts: int


def post_digest(
    payloads: Sequence[dict[str, Any]],
    webhook_url: str,
    retries: int = 3,
    timeout: float = 15,
    sleep: Callable[[float], None] = time.sleep,
) -> PostResult:
    """Post every payload to an incoming webhook with slack-sdk's ``WebhookClient``.

    A 429 is retried after its ``Retry-After`` (at most a minute), a 5xx after an exponential
    backoff, each at most ``retries`` times. Raises :class:`SlackError` when a message cannot be
    posted; the URL (a secret) never appears in it.
    """
    from slack_sdk.webhook import WebhookClient

    parts = urlsplit(webhook_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise SlackError("the Slack webhook URL is not an http(s) URL (it is not shown: it is a secret)")
    retry = _webhook_retry(retries, sleep)
    client = WebhookClient(webhook_url, timeout=max(1, int(timeout)), retry_handlers=[retry])
    status = 0
    attempts = 0
    for number, payload in enumerate(payloads, start=1):
        retry.retried = 0
        try:
            response = client.send(
                text=payload["text"], blocks=payload["blocks"], unfurl_links=False, unfurl_media=False
            )
        except Exception as error:  # urllib and socket errors: their reason, never the URL
            reason = str(getattr(error, "reason", "") or error or type(error).__name__)
            raise SlackError(
                f"could not reach the Slack webhook for message {number}: {reason.replace(webhook_url, '<webhook>')}"
            ) from None
        status = response.status_code
        attempts += retry.retried + 1
        if status != 200:
            body = str(response.body or "").replace(webhook_url, "<webhook>")[:200]
            tries = retry.retried + 1
            raise SlackError(
                f"the Slack webhook answered HTTP {status} to message {number} of {len(payloads)} "
                f"after {tries} attempt{'s' if tries != 1 else ''}: {body or 'no body'}"
            )
    return PostResult(messages=len(payloads), status=status, attempts=attempts)


RETRY_AFTER_CAP = 60.0


def _webhook_retry(retries: int, sleep: Callable[[float], None]) -> Any:
    """A slack-sdk retry handler for 429 (honouring Retry-After) and every 5xx answer."""
    from slack_sdk.http_retry.handler import RetryHandler

    class WebhookRetry(RetryHandler):
        retried = 0

        def _can_retry(self, *, state, request, response=None, error=None) -> bool:
            return response is not None and (response.status_code == 429 or response.status_code >= 500)

        def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
            state.next_attempt_requested = True
            delay = min(2.0**state.current_attempt, RETRY_AFTER_CAP)
            if response is not None and response.status_code == 429:
                headers = {key.lower(): value for key, value in response.headers.items()}
                value = headers.get("retry-after", ["1"])
                value = value[0] if isinstance(value, list) else value
                try:
                    delay = min(max(float(value), 0.0), RETRY_AFTER_CAP)
                except ValueError:
                    delay = 1.0
            sleep(delay)
            self.retried += 1
            state.increment_current_attempt()

    return WebhookRetry(max_retry_count=retries)


def _singular(plural: str) -> str:
    """The singular of a list's name ("members" -> "member", "entries" -> "entry")."""
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural[:-1] if plural.endswith("s") else plural
