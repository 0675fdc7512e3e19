"""The Slack digest: safe mrkdwn, Slack's limits, and posting to a local stand-in webhook.

The whole digests of the recorded stories, as mrkdwn and as Block Kit, are snapshots in
``tests/test_output_snapshots.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.merge import merge_briefs
from summarise.output.slack import (
    BLOCK_LIMIT,
    MESSAGE_LIMIT,
    SECTION_LIMIT,
    SlackError,
    escape,
    link,
    post_digest,
    render_blocks,
    render_mrkdwn,
    shorten,
)
from summarise.schemas import ArticleBrief, Claim

from briefs import ANTI_ISIS, brief, coalition, event, many_sources, seed_situation
from webhook import Webhook, serving_webhook

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(str(p) for p in (ROOT / "fixtures" / "articles").iterdir() if p.suffix in (".txt", ".md"))
HOSTILE = (
    "<!channel> <!here> <!everyone> @here @channel <@U123> <#C123> <http://evil.example|click> "
    "&amp; a & b <b>bold</b> visit evil.example or https://evil.example/x"
)


def hostile_brief() -> ArticleBrief:
    text = f"Turkey and Syria formed a pact, {HOSTILE}"
    return brief(
        "hostile",
        f"Outlet {HOSTILE}",
        "2025-01-01",
        url="https://example.org/a?x=1&y=<2>|3",
        coalitions=[coalition(f"pact {HOSTILE}", ["Türkiye", "Syria"], text, target=HOSTILE)],
        events=[event("on January 1", "2025-01-01", f"meeting {HOSTILE}", text)],
        claims=[Claim(holder=HOSTILE, claim=f"claim {HOSTILE}", evidence=text)],
    )


def assert_inert(text: str, allowed_links: set[str]) -> None:
    """No broadcast, mention, channel link or link but the allowed source links."""
    for bracketed in re.findall(r"<[^>]*>", text):
        assert bracketed in allowed_links, bracketed
    assert "<!" not in text and "<@" not in text and "<#" not in text
    assert not re.search(r"@(here|channel|everyone)\b", text)
    assert "evil.example" not in text  # a zero-width space keeps Slack from linking the domain
    assert "https://evil" not in text
    assert not re.search(r"&(?!amp;|lt;|gt;)", text)  # every & is an escape or escaped


def test_article_text_cannot_ping_or_link_in_mrkdwn_or_blocks():
    merged = merge_briefs([hostile_brief()])
    (message,) = render_mrkdwn(merged)
    links = set(re.findall(r"<[^>]*>", message))
    assert len(links) == 1 and next(iter(links)).startswith("<https://example.org/a?x=1&amp;y=%3C2%3E%7C3|Outlet ")
    assert_inert(message, links)
    (payload,) = render_blocks(merged)
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert block["text"]["verbatim"] is True
            assert_inert(block["text"]["text"], links)
    assert_inert(payload["text"], set())


def test_escape_and_link_rules():
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("<!here>") == "&lt;!here&gt;"
    assert escape("@here and @channel") == "@\u200bhere and @\u200bchannel"
    assert escape("see example.com") == "see example\u200b.com"
    assert escape("U.S. forces") == "U.S. forces"
    assert link("javascript:alert(1)", "x") == "x"
    assert link("ht\ttps://example.org/a", "x") == "x" and link("https://exa\nmple.org/a", "x") == "x"
    assert link("https://example.org/p?a=1&b=2", "A|B <c>") == "<https://example.org/p?a=1&amp;b=2|A¦B &lt;c&gt;>"


def test_shorten_never_cuts_an_escape_or_a_link():
    line = "x" * 20 + "&amp;" + "y" * 20
    for limit in range(21, 30):
        cut = shorten(line, limit)
        assert len(cut) <= limit and cut.endswith("…")
        assert "&" not in cut or "&amp;" in cut
    linked = "see <https://example.org/long|Example> now"
    assert shorten(linked, 20) == "see…"


def test_a_long_brief_respects_slack_limits_and_says_what_it_left_out():
    briefs = []
    for n in range(120):
        text = f"Article {n}: Jordan and Iraq agree on step {n} " + "with a long explanation " * 12
        briefs.append(
            brief(
                f"long-{n}",
                f"Outlet {n}",
                f"2025-0{1 + n % 9}-1{n % 10}",
                url=f"https://example.org/{n}",
                coalitions=[coalition(f"group {n}", ["Jordan", "Iraq", "Syria"][: 2 + n % 2], text)],
                events=[event("on that day", None, f"step {n} " + "x" * 400, text)],
                claims=[Claim(holder="Amman", claim=f"Jordan will host {n} meetings", evidence=text)],
            )
        )
    merged = merge_briefs(briefs)
    short = render_mrkdwn(merged, max_items=3)
    assert len(short) == 1 and "… 114 more sources" in short[0]
    payloads = render_blocks(merged, max_items=500)
    assert len(payloads) >= 1
    for payload in payloads:
        assert len(payload["blocks"]) <= BLOCK_LIMIT
        for block in payload["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_LIMIT
    messages = render_mrkdwn(merged, max_items=500)
    assert all(len(m) < MESSAGE_LIMIT for m in messages)
    assert sum(m.count("<https://example.org/") for m in messages) == 120  # every source link, none lost


def test_slack_sdk_refuses_a_block_over_slacks_limits_should_our_own_cuts_let_one_through(monkeypatch):
    from slack_sdk.errors import SlackObjectFormationError

    import summarise.output.slack as slack

    merged = merge_briefs(many_sources(100)).model_copy(update={"story": "A story " * 40})
    monkeypatch.setattr(slack, "HEADER_LIMIT", 1000)
    with pytest.raises(SlackObjectFormationError, match="cannot exceed 150 characters"):
        render_blocks(merged)
    monkeypatch.setattr(slack, "HEADER_LIMIT", 150)
    monkeypatch.setattr(slack, "SECTION_LIMIT", 6000)
    with pytest.raises(SlackObjectFormationError, match="cannot exceed 3000 characters"):
        render_blocks(merged, max_items=500)
    monkeypatch.setattr(slack, "SECTION_LIMIT", 3000)
    (payload,) = render_blocks(merged, max_items=500)
    assert max(len(block["text"]["text"]) for block in payload["blocks"] if block["type"] == "section") > 2000


def test_since_and_max_items_keep_the_digest_short():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    import datetime as dt

    (message,) = render_mrkdwn(merged, since=dt.date(2025, 1, 1), max_items=1)
    latest = message.split("*Latest since 2025-01-01*")[1].split("*Conflicts*")[0]
    assert "2024-12-08" not in latest and "≈2025-03" in latest
    assert "… 3 more conflicts" in message  # one of the four conflicts shown


# --- posting to a stand-in webhook on 127.0.0.1 ---------------------------------------------------


@pytest.fixture
def webhook() -> Iterator[str]:
    with serving_webhook() as url:
        yield url


def test_posting_succeeds(webhook):
    payloads = render_blocks(merge_briefs(seed_situation(), ANTI_ISIS))
    result = post_digest(payloads, webhook, sleep=lambda seconds: None)
    assert (result.messages, result.status, result.attempts) == (1, 200, 1)
    assert Webhook.received[0]["blocks"] == payloads[0]["blocks"]
    assert Webhook.received[0]["unfurl_links"] is False


def test_a_429_is_retried_after_retry_after(webhook):
    Webhook.script = [(429, {"Retry-After": "7"}, "rate_limited"), (200, {}, "ok")]
    slept: list[float] = []
    result = post_digest(render_blocks(merge_briefs(seed_situation(), ANTI_ISIS)), webhook, sleep=slept.append)
    assert slept == [7.0]
    assert (result.status, result.attempts) == (200, 2)
    assert len(Webhook.received) == 2


def test_a_500_that_never_ends_exhausts_the_retries_with_a_clear_error(webhook):
    Webhook.script = [(500, {}, "internal_error")] * 4
    slept: list[float] = []
    with pytest.raises(SlackError) as raised:
        post_digest(render_blocks(merge_briefs(seed_situation(), ANTI_ISIS)), webhook, retries=3, sleep=slept.append)
    message = str(raised.value)
    assert message == "the Slack webhook answered HTTP 500 to message 1 of 1 after 4 attempts: internal_error"
    assert slept == [1.0, 2.0, 4.0]
    assert "secret-token" not in message and "127.0.0.1" not in message


def test_digest_command_posts_and_never_prints_the_url(webhook, monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", webhook)
    args = ["digest", "--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm"), *ARTICLES]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "posted 1 message(s) to the Slack webhook (HTTP 200, 1 attempt(s))" in result.stderr
    assert "secret-token" not in result.stdout + result.stderr
    Webhook.script = [(500, {}, "boom")] * 2
    failed = CliRunner().invoke(app, [*args, "--retries", "1"], catch_exceptions=False)
    assert failed.exit_code == 5
    assert "HTTP 500" in failed.stderr and "secret-token" not in failed.stdout + failed.stderr


def test_digest_without_a_webhook_says_how_to_fix_it():
    result = CliRunner().invoke(app, ["digest", *ARTICLES[:1]], catch_exceptions=False)
    assert result.exit_code == 3
    assert "pass --webhook-url or set SLACK_WEBHOOK_URL" in result.stderr


def test_one_more_item_is_said_in_the_singular():
    merged = merge_briefs(seed_situation())
    (message,) = render_mrkdwn(merged, max_items=len(merged.timeline) - 1)
    assert "… 1 more " in message  # the limit leaves exactly one item out somewhere
    assert not re.findall(r"… 1 more \w+s\b", message)
