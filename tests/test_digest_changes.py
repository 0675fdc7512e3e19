"""``summarise digest --since last``: the Slack digest of what changed since the last brief posted.

A fixture story replayed from ``fixtures/llm`` fills a folder one article at a time; the webhook is
the scripted stand-in of ``tests/webhook.py`` on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.merge.diff import diff_briefs
from summarise.output.changes import change_sections, render_change_mrkdwn
from summarise.schemas import CoalitionBrief
from summarise.store.database import Store
from summarise.store.history import BriefHistory

from webhook import Webhook, serving_webhook

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "fixtures" / "stories" / "red_sea"
REPLAY = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures" / "llm")]
ARTICLES = sorted(path for path in STORY.iterdir() if path.name in json.loads((STORY / "gold.json").read_text()))


@pytest.fixture
def webhook() -> Iterator[str]:
    with serving_webhook() as url:
        yield url


def digest(folder: Path, *more: str):
    return CliRunner().invoke(app, ["digest", *REPLAY, "--since", "last", *more, str(folder)])


def texts(payloads: list[dict]) -> str:
    return "\n".join(block["text"]["text"] for payload in payloads for block in payload["blocks"] if "text" in block)


def kept_briefs() -> list[CoalitionBrief]:
    history = BriefHistory(Store())
    return [CoalitionBrief.model_validate_json(history.brief(row["id"]) or "") for row in history.listed()]


def test_the_first_digest_is_whole_then_only_the_changes_then_nothing(tmp_path, webhook):
    news = tmp_path / "news"
    news.mkdir()
    for article in ARTICLES[:2]:
        shutil.copy(article, news)
    assert CliRunner().invoke(app, ["brief", *REPLAY, str(news)]).exit_code == 0  # kept, never posted
    first = digest(news, "--webhook-url", webhook)
    assert first.exit_code == 0, first.stderr
    assert "no brief of" in first.stderr and "posted yet: the full digest" in first.stderr
    assert "*Sources*" in texts(Webhook.received)  # the whole digest lists every source

    shutil.copy(ARTICLES[2], news)
    preview = digest(news, "--dry-run")  # what would be posted: the changes since the brief posted
    Webhook.received = []
    second = digest(news, "--webhook-url", webhook)
    assert second.exit_code == 0, second.stderr
    previewed = [json.loads(line)["blocks"] for line in preview.stdout.splitlines()]
    assert previewed == [message["blocks"] for message in Webhook.received]
    header = Webhook.received[0]["blocks"][0]["text"]["text"]
    assert ": since " in header and "1 new source," in header
    older, newer = (kept_briefs()[i] for i in (1, -1))  # the brief posted first, the one posted now
    expected = diff_briefs(older, newer)
    assert f"{len(expected.changes)} change(s) since the brief of" in second.stderr
    added = next(source for source in newer.sources if source.id not in {s.id for s in older.sources})
    body = texts(Webhook.received)
    assert "*New sources*" in body and added.label in body
    assert "*Sources*" not in body  # not the whole list again
    # every change of the diff is a line of the digest (none is cut at this size)
    _, sections = change_sections(expected, "x", max_items=100)
    assert sum(len(section.lines) for section in sections) == len(expected.changes)

    Webhook.received = []
    third = digest(news, "--webhook-url", webhook)
    assert third.exit_code == 0, third.stderr
    assert Webhook.received == []
    assert "nothing changed since the brief of" in third.stderr and "nothing to post" in third.stderr


def test_changes_are_counted_from_the_last_brief_posted_so_a_failed_post_loses_nothing(tmp_path, webhook):
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(ARTICLES[0], news)
    Webhook.script = [(500, {}, "boom")] * 2
    assert digest(news, "--webhook-url", webhook, "--retries", "1").exit_code == 5  # the first post fails
    Webhook.received = []
    assert digest(news, "--webhook-url", webhook).exit_code == 0
    assert "*Sources*" in texts(Webhook.received)  # still the whole digest: the channel saw nothing yet
    shutil.copy(ARTICLES[1], news)
    Webhook.script = [(500, {}, "boom")] * 2
    failed = digest(news, "--webhook-url", webhook, "--retries", "1")
    assert failed.exit_code == 5 and "HTTP 500" in failed.stderr
    assert "secret-token" not in failed.stdout + failed.stderr
    shutil.copy(ARTICLES[2], news)
    Webhook.received = []
    posted = digest(news, "--webhook-url", webhook)
    assert posted.exit_code == 0, posted.stderr
    header = Webhook.received[0]["blocks"][0]["text"]["text"]
    assert "2 new sources" in header  # both articles since the brief the channel last saw
    rows = BriefHistory(Store()).listed()
    history = Store().rows("SELECT id, posted FROM brief_history ORDER BY id", ())
    assert [row["posted"] is not None for row in history] == [False, True, False, True]
    assert len(rows) == 4


def test_since_last_is_refused_where_the_whole_brief_is_written(tmp_path):
    result = CliRunner().invoke(app, ["brief", *REPLAY, "--since", "last", str(ARTICLES[0])])
    assert result.exit_code == 2
    assert "--since last is for digest and watch" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_digest_of_changes_escapes_what_articles_say(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    shutil.copy(ARTICLES[0], news)
    older = kept_or_made(news)
    newer = older.model_copy(deep=True)
    newer.coalitions[0].members[0].name = "<!channel> @here <https://evil.example|click>"
    messages = render_change_mrkdwn(diff_briefs(older, newer), "Mon 07 Dec 05:26 UTC")
    text = "\n".join(messages)
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text


def kept_or_made(folder: Path) -> CoalitionBrief:
    result = CliRunner().invoke(app, ["brief", *REPLAY, "-f", "json", str(folder)])
    assert result.exit_code == 0, result.stderr
    return CoalitionBrief.model_validate_json(result.stdout)
