"""``summarise watch``: a folder filled one article at a time, each pass saying what that article changed.

The articles are a fixture story's, replayed from ``fixtures/llm`` (no model runs); each pass is
``watch --once`` (what a long watch does at every interval), so a pass is also a restart: what
the watch has seen lives in the store. Files are given a modification time in the past, as a
finished copy has; one test shows a file still being written waits for the next pass.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from summarise.cli import app
from summarise.merge.diff import diff_briefs
from summarise.output.diff import render_diff_markdown
from summarise.schemas import CoalitionBrief
from summarise.store.database import Store
from summarise.store.history import BriefHistory

from webhook import Webhook, serving, serving_webhook

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "fixtures" / "stories" / "red_sea"
REPLAY = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures" / "llm")]
ARTICLES = sorted(path for path in STORY.iterdir() if path.name in json.loads((STORY / "gold.json").read_text()))
#: Kinds of change that can only come from the article just added (what is gone or settled comes from older ones).
BROUGHT = {"source_added", "coalition_appeared", "member_added", "event_added", "figure_new", "figure_value"}


@pytest.fixture
def webhook() -> Iterator[str]:
    with serving_webhook() as url:
        yield url


def arrive(source: Path, folder: Path, name: str | None = None) -> Path:
    """Copy an article into the watched folder as a finished copy (its time a minute ago)."""
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    past = time.time() - 60
    os.utime(target, (past, past))
    return target


def watch(*args: str):
    return CliRunner().invoke(app, ["watch", "--once", *REPLAY, *args])


def kept() -> list[CoalitionBrief]:
    history = BriefHistory(Store())
    return [CoalitionBrief.model_validate_json(history.brief(row["id"]) or "") for row in history.listed()]


def test_each_arrival_gives_one_digest_naming_what_that_article_changed(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for number, article in enumerate(ARTICLES, start=1):
        arrive(article, news)
        result = watch(str(news))
        assert result.exit_code == 0, result.stderr
        briefs = kept()
        assert len(briefs) == number  # one brief kept a pass that changed something
        if number == 1:
            assert "the first brief of" in result.stderr
            assert result.stdout.startswith(f"# {briefs[0].story}")  # the whole brief
            continue
        older, newer = briefs[-2:]
        changes = diff_briefs(older, newer)
        assert result.stdout == render_diff_markdown(changes) + "\n"
        added = next(source for source in newer.sources if source.source.endswith(article.name))
        assert [c.after for c in changes.changes if c.kind == "source_added"] == [added.label]
        for change in changes.changes:
            if change.kind in BROUGHT - {"source_added"}:
                assert added.id in {support.source for support in change.supports}, change
    again = watch(str(news))
    assert again.exit_code == 0
    assert again.stdout == "" and f"nothing new in the {len(ARTICLES)} article(s) watched" in again.stderr


def test_a_changed_file_is_read_again_and_a_removed_one_is_gone(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    moving = arrive(ARTICLES[1], news, "latest.txt")
    assert watch(str(news)).exit_code == 0
    arrive(ARTICLES[2], news, "latest.txt")  # the same file, now holding another article
    changed = watch(str(news), "-f", "markdown")
    assert changed.exit_code == 0, changed.stderr
    assert "**new source**" in changed.stdout and "**source gone**" in changed.stdout
    moving.unlink()
    gone = watch(str(news))
    assert gone.exit_code == 0, gone.stderr
    assert "**source gone**" in gone.stdout and "**new source**" not in gone.stdout


def test_a_bad_article_is_said_once_and_the_others_are_briefed(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    bad = news / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02" * 400)
    os.utime(bad, (time.time() - 60, time.time() - 60))
    first = watch(str(news))
    assert first.exit_code == 2
    assert "broken.txt" in first.stderr and "error:" in first.stderr
    assert first.stdout.startswith("# ")  # the good article's brief all the same
    second = watch(str(news))
    assert second.exit_code == 0
    assert "broken.txt" not in second.stderr and "nothing new" in second.stderr
    arrive(ARTICLES[1], news)
    third = watch(str(news))
    assert third.exit_code == 0, third.stderr
    assert "broken.txt" not in third.stderr  # skipped until it changes


def test_an_article_whose_extraction_failed_is_tried_again_at_the_next_pass(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    unrecorded = news / "unrecorded.txt"
    unrecorded.write_text("A text no recording answers: the replay backend has nothing for it.\n", encoding="utf-8")
    os.utime(unrecorded, (time.time() - 60, time.time() - 60))
    for _ in range(2):
        result = watch(str(news))
        assert result.exit_code == 4, result.stderr  # no recording: the replay backend's failure
        assert "failed:" in result.stderr and "unrecorded.txt" in result.stderr


def test_a_file_still_being_written_waits_for_the_next_pass(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    shutil.copyfile(ARTICLES[0], news / ARTICLES[0].name)  # just written: its time is now
    waiting = watch(str(news))
    assert waiting.exit_code == 0
    assert "still being written" in waiting.stderr and waiting.stdout == ""
    assert kept() == []


def test_a_list_file_names_paths_and_is_read_again_each_pass(tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    for article in ARTICLES[:2]:
        arrive(article, folder)
    listing = folder / "articles.list"
    listing.write_text(f"# today's articles\n{ARTICLES[0].name}\n", encoding="utf-8")
    first = watch("--list", str(listing))
    assert first.exit_code == 0, first.stderr
    assert len(kept()[-1].sources) == 1
    listing.write_text(f"{ARTICLES[0].name}\n\n{ARTICLES[1].name}\n", encoding="utf-8")
    second = watch("--list", str(listing))
    assert second.exit_code == 0, second.stderr
    assert len(kept()[-1].sources) == 2 and "**new source**" in second.stdout


def test_ctrl_c_stops_the_watch_cleanly(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("summarise.cli.watch.pause", interrupted)
    result = CliRunner().invoke(app, ["watch", *REPLAY, "--interval", "5", str(news)])
    assert result.exit_code == 0, result.stderr
    assert "every 5 s; Ctrl-C stops" in result.stderr
    assert "stopped watching" in result.stderr and "after 1 pass(es)" in result.stderr
    assert len(kept()) == 1


def test_ctrl_c_in_the_middle_of_a_pass_loses_nothing_the_next_pass_needs(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    with monkeypatch.context() as patch:

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        patch.setattr("summarise.pipeline.extract_each", interrupted)
        stopped = CliRunner().invoke(app, ["watch", *REPLAY, str(news)])
    assert stopped.exit_code == 0 and "after 0 pass(es)" in stopped.stderr
    assert kept() == []
    resumed = watch(str(news))  # the interrupted pass recorded nothing: the article is read now
    assert resumed.exit_code == 0, resumed.stderr
    assert len(kept()) == 1 and resumed.stdout.startswith("# ")


def test_posting_what_changed_and_trying_a_failed_post_again(tmp_path, webhook):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    assert watch("--webhook-url", webhook, str(news)).exit_code == 0  # the whole digest
    arrive(ARTICLES[1], news)
    Webhook.script = [(500, {}, "boom")] * 2
    failed = watch("--webhook-url", webhook, "--retries", "1", str(news))
    assert failed.exit_code == 5 and "tried again at the next pass" in failed.stderr
    Webhook.received = []
    retried = watch("--webhook-url", webhook, str(news))  # no file changed: the unposted brief is posted
    assert retried.exit_code == 0, retried.stderr
    header = Webhook.received[0]["blocks"][0]["text"]["text"]
    assert ": since " in header and "1 new source" in header
    assert "secret-token" not in failed.stderr + retried.stderr + retried.stdout
    quiet = watch("--webhook-url", webhook, str(news))
    assert quiet.exit_code == 0 and "nothing new" in quiet.stderr


def test_bad_arguments_are_one_line_errors(tmp_path):
    for args, said in (
        ([], "name the folders, files or URLs to watch"),
        ([str(tmp_path / "nowhere")], "no such file or folder"),
        (["--list", str(tmp_path / "none.list")], "no such file (--list)"),
        (["-f", "html", str(tmp_path)], "unknown format 'html'"),
    ):
        result = watch(*args)
        assert result.exit_code == 2, args
        assert said in result.stderr and "Traceback" not in result.stderr


class Pages(BaseHTTPRequestHandler):
    """Serves ``Pages.served[path]`` as (status, text); everything it answers is set by the test."""

    served: ClassVar[dict[str, tuple[int, str]]] = {}

    def do_GET(self) -> None:
        status, text = type(self).served.get(self.path, (404, "not here"))
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pages(monkeypatch) -> Iterator[str]:
    for name in [name for name in os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    Pages.served = {}
    with serving(Pages) as base:
        yield base


def test_a_watched_url_is_asked_again_each_pass_and_a_site_down_loses_nothing(tmp_path, pages):
    listing = tmp_path / "today.list"
    listing.write_text(f"{pages}/red-sea\n", encoding="utf-8")
    Pages.served["/red-sea"] = (200, ARTICLES[0].read_text(encoding="utf-8"))
    first = watch("--list", str(listing), "--story-name", "red sea")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("# ") and kept()[-1].sources[0].source == f"{pages}/red-sea"
    same = watch("--list", str(listing), "--story-name", "red sea")
    assert same.exit_code == 0 and same.stdout == ""  # read again (cached brief), nothing changed
    Pages.served["/red-sea"] = (503, "maintenance")
    down = watch("--list", str(listing), "--story-name", "red sea")
    assert down.exit_code == 0, down.stderr
    assert down.stdout == "" and "read from the page cache" in down.stderr  # not "source gone"
    Pages.served["/red-sea"] = (200, ARTICLES[1].read_text(encoding="utf-8"))
    changed = watch("--list", str(listing), "--story-name", "red sea")
    assert changed.exit_code == 0, changed.stderr
    assert "**new source**" in changed.stdout and len(kept()) == 2


def test_a_bad_line_of_a_json_lines_file_does_not_drop_its_good_lines(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    lines = [json.dumps({"text": ARTICLES[0].read_text(encoding="utf-8")}), "{not json", "[1, 2]"]
    feed = news / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(feed, (time.time() - 60, time.time() - 60))
    first = watch(str(news))
    assert first.exit_code == 2 and "feed.jsonl:2" in first.stderr
    assert len(kept()[-1].sources) == 1
    arrive(ARTICLES[1], news)
    second = watch(str(news))
    assert second.exit_code == 2, second.stderr  # the bad lines are said again when the file is read again
    assert "**new source**" in second.stdout and "**source gone**" not in second.stdout
    assert len(kept()[-1].sources) == 2


def test_a_pass_stopped_after_reading_is_made_again_whole(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    assert watch(str(news)).exit_code == 0
    arrive(ARTICLES[1], news)
    with monkeypatch.context() as patch:

        def interrupted(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        patch.setattr("summarise.merge.merge_briefs", interrupted)
        stopped = CliRunner().invoke(app, ["watch", *REPLAY, str(news)])
    assert stopped.exit_code == 0 and len(kept()) == 1
    again = watch(str(news))  # the new article was read, not yet said: it is said now
    assert again.exit_code == 0, again.stderr
    assert "**new source**" in again.stdout and len(kept()) == 2


def test_an_error_in_a_pass_is_said_and_the_watch_goes_on(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    waits: list[float] = []

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the merge")

    def pause(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("summarise.merge.merge_briefs", broken)
    monkeypatch.setattr("summarise.cli.watch.pause", pause)
    result = CliRunner().invoke(app, ["watch", *REPLAY, "--interval", "7", str(news)])
    assert result.exit_code == 0, result.stderr
    said = result.stderr.count("the pass failed: internal error RuntimeError: a bug in the merge")
    assert said == 2 and waits == [7.0, 7.0] and "after 2 pass(es)" in result.stderr


def test_an_article_of_the_last_brief_that_fails_gets_one_pass_of_grace(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    changing = arrive(ARTICLES[1], news)
    assert watch(str(news)).exit_code == 0
    changing.write_text("Rewritten: a text no recording answers.\n", encoding="utf-8")
    os.utime(changing, (time.time() - 30, time.time() - 30))
    held = watch(str(news))
    assert held.exit_code == 4 and held.stdout == ""
    assert "1 article(s) of the last brief failed: the brief waits for the next pass" in held.stderr
    assert len(kept()) == 1
    still = watch(str(news))  # failed again: the brief goes on without it
    assert still.exit_code == 4
    assert "**source gone**" in still.stdout and len(kept()) == 2


def test_a_folder_that_cannot_be_listed_is_not_taken_for_empty(tmp_path, monkeypatch):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    assert watch(str(news)).exit_code == 0

    def denied(path: object) -> list[str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("summarise.articles.reading.os.listdir", denied)
    result = watch(str(news))
    assert result.exit_code == 2 and "cannot list" in result.stderr and result.stdout == ""
    assert len(kept()) == 1


def test_a_first_post_that_failed_is_made_at_the_next_pass_and_a_brief_kept_before_is_not_taken_for_posted(
    tmp_path, webhook
):
    news = tmp_path / "news"
    news.mkdir()
    arrive(ARTICLES[0], news)
    assert CliRunner().invoke(app, ["brief", *REPLAY, "--story-name", "desk", str(news)]).exit_code == 0
    Webhook.script = [(500, {}, "boom")] * 2
    failed = watch("--webhook-url", webhook, "--retries", "1", "--story-name", "desk", str(news))
    assert failed.exit_code == 5
    Webhook.received = []
    posted = watch("--webhook-url", webhook, "--story-name", "desk", str(news))
    assert posted.exit_code == 0, posted.stderr
    assert len(Webhook.received) == 1 and "since" not in Webhook.received[0]["blocks"][0]["text"]["text"]
    assert "posted yet: the full digest" in posted.stderr
