"""The batch job: request files, a fake Batch API on 127.0.0.1, faults, kills at every stage, local runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from summarise.articles import load_articles
from summarise.batch.jobs import BatchJobs, strict_response_format
from summarise.batch.tables import BatchTables
from summarise.cli import app
from summarise.llm import BackendConfig
from summarise.store.database import Store

from fakes import run_summarise

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(str(p) for p in (ROOT / "fixtures" / "articles").iterdir() if p.suffix in (".txt", ".md"))
SCHEMA = json.loads((ROOT / "schemas" / "coalition_brief.schema.json").read_text(encoding="utf-8"))
# 7 samples, each asked (with no story file, the model decides the topic); an endpoint is asked an
# article's questions in one request, the replayed embedded model one question per request: three each
# (topic, coalitions, people; the events, figures and claims are read by the code, never asked).
REQUESTS = 7
QUESTIONS = 2  # topic and coalitions: people, events, figures and claims are read by the code
REQUESTS_ONE_QUESTION_EACH = 7 * QUESTIONS
FAKE_KEY = "sk-test-batch-0123456789abcdef"


def cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def fake(monkeypatch, allow_model_requests):
    with FakeOpenAI(polls_before_done=2) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        yield server


def replayed_brief() -> dict:
    result = cli("brief", "--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm"), "-f", "json", *ARTICLES)
    return json.loads(result.stdout)


def without_paths(brief: dict) -> dict:
    for source in brief["sources"]:
        source["source"] = Path(source["source"]).name
    return brief


# --- request files ------------------------------------------------------------------------------


def test_strict_schema_closes_every_object_and_requires_every_field():
    loose = {
        "type": "json_schema",
        "json_schema": {
            "name": "A",
            "schema": {
                "type": "object",
                "properties": {"a": {"type": "string", "default": "x"}, "b": {"$ref": "#/$defs/B"}},
                "required": ["b"],
                "$defs": {"B": {"type": "object", "properties": {"c": {"type": "integer"}}}},
            },
        },
    }
    strict = strict_response_format(loose)
    schema = strict["json_schema"]["schema"]
    assert strict["json_schema"]["strict"] is True
    assert schema["required"] == ["a", "b"] and schema["additionalProperties"] is False
    assert schema["$defs"]["B"]["required"] == ["c"] and "default" not in schema["properties"]["a"]
    assert "strict" not in loose["json_schema"]  # the original is untouched


def test_request_files_use_the_batch_wire_format_and_split_at_the_limit(tmp_path):
    jobs = BatchJobs(BackendConfig(backend="replay", replay_dir=ROOT / "fixtures/llm"), max_requests=7)
    job, problems = jobs.build(ARTICLES)
    parts = jobs.tables.parts(job)
    assert problems == [] and [p["requests"] for p in parts] == [7, 7]
    ids = []
    for part in parts:
        for line in Path(part["path"]).read_text(encoding="utf-8").splitlines():
            request = json.loads(line)
            assert set(request) == {"custom_id", "method", "url", "body"}
            assert (request["method"], request["url"]) == ("POST", "/v1/chat/completions")
            assert request["body"]["response_format"]["json_schema"]["strict"] is True
            ids.append(request["custom_id"])
    assert len(ids) == len(set(ids)) == REQUESTS_ONE_QUESTION_EACH
    assert {custom_id.rsplit("-", 1)[1] for custom_id in ids} == {"topic", "coalitions"}
    again, _ = jobs.build(ARTICLES)
    assert again == job and len(jobs.tables.parts(job)) == 2  # the same job: nothing built twice
    jobs.close()


def test_a_job_keeps_the_way_it_was_built_whatever_the_backend_says_later(tmp_path, monkeypatch):
    import summarise.batch.jobs
    from summarise.llm.capabilities import ENDPOINT

    config = BackendConfig(backend="replay", replay_dir=ROOT / "fixtures/llm")
    jobs = BatchJobs(config)
    job, _ = jobs.build(ARTICLES[:1])
    assert jobs.tables.combined(job) is False  # replay: one question per request
    # later the backend says it takes every question at once (say, a server that answers /props no more)
    monkeypatch.setattr(summarise.batch.jobs, "backend_capabilities", lambda _config: ENDPOINT)
    again, _ = jobs.build(ARTICLES[:1])
    assert again == job and jobs.tables.combined(job) is False
    assert jobs._extractor(jobs.target, job).combined is False  # collected and run as it was built
    jobs.close()


# --- the Batch API, end to end --------------------------------------------------------------------


def test_submit_status_collect_gives_the_same_brief_as_the_synchronous_path(fake):
    on_topic = [article.id for article in load_articles(ARTICLES).articles][:4]  # the off-topic sample is last
    fake.faults = dict(zip(on_topic, ["error", "invalid_json", "http500", "missing"], strict=True))
    fake.extra_lines = ['{"id": "x", "custom_id": "not-ours", "response": null, "error": null}\n', "garbage\n"]
    submitted = cli("batch", "submit", *ARTICLES)
    assert submitted.exit_code == 0, submitted.stderr
    job = submitted.stdout.strip()
    assert f"job {job}: {REQUESTS} requests for 7 articles (0 already extracted) in 1 batch(es)" in submitted.stderr
    assert (fake.uploads, fake.creates) == (1, 1)
    assert fake.batches["batch_1"]["metadata"] == {"summarise_job": job, "summarise_part": "1"}

    status = cli("batch", "status", job, "--json")
    assert json.loads(status.stdout)[0]["parts"][0]["status"] == "in_progress"
    not_yet = cli("batch", "collect", job)
    assert not_yet.exit_code == 75 and "run `summarise batch collect` later" in not_yet.stderr

    collected = cli("batch", "collect", job, "-f", "json")
    assert collected.exit_code == 0, collected.stderr
    assert "1 output line(s) with an unknown custom_id: not-ours" in collected.stderr
    assert "1 output line(s) were not JSON" in collected.stderr
    merged = json.loads(collected.stdout)
    jsonschema.validate(merged, SCHEMA)
    assert without_paths(merged) == without_paths(replayed_brief())
    assert fake.chat_requests > 0  # the failed, invalid and missing ones were re-driven synchronously
    assert FAKE_KEY not in collected.stderr + collected.stdout

    again = cli("batch", "collect", job, "-f", "json")
    assert "7 articles (7 already done, 0 extracted)" in again.stderr
    assert without_paths(json.loads(again.stdout)) == merged
    store = Store()
    assert BatchTables(store).counts(job)["results"] == REQUESTS - 1  # 1 line was never returned (missing)
    store.close()


@pytest.mark.parametrize("final", ["expired", "cancelled", "failed"])
def test_every_terminal_state_is_finished_by_re_driving(monkeypatch, allow_model_requests, final):
    with FakeOpenAI(final_status=final, polls_before_done=0) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
        job = cli("batch", "submit", *ARTICLES).stdout.strip()
        cli("batch", "status", job)
        collected = cli("batch", "collect", job, "-f", "json")
        assert collected.exit_code == 0, collected.stderr
        assert without_paths(json.loads(collected.stdout)) == without_paths(replayed_brief())
        assert server.chat_requests >= (REQUESTS // 2 if final == "expired" else 0)


def test_articles_extracted_before_are_not_sent(fake):
    first = cli("extract", "--backend", "openai", "-f", "json", ARTICLES[0])
    assert first.exit_code == 0, first.stderr
    submitted = cli("batch", "submit", *ARTICLES)
    assert "(1 already extracted)" in submitted.stderr
    assert f"job {submitted.stdout.strip()}: {REQUESTS - 1} requests" in submitted.stderr


# --- kill -9 at every stage ---------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["building", "uploading", "uploaded", "creating", "created"])
def test_a_submit_killed_at_any_stage_is_finished_by_running_it_again(tmp_path, stage):
    with FakeOpenAI() as server:
        env = {
            **os.environ,
            "SUMMARISE_HOME": str(tmp_path / "jobs"),
            "OPENAI_BASE_URL": server.url,
            "OPENAI_API_KEY": FAKE_KEY,
        }
        args = ["batch", "submit", "--max-requests", "2", *ARTICLES]
        killed = run_summarise(args, env, crash_at=stage)
        assert killed.returncode == -9, killed.stderr
        finished = run_summarise(args, env)
        assert finished.returncode == 0, finished.stderr
        assert (server.uploads, server.creates) == (4, 4)  # 7 requests in files of 2: nothing sent twice
        inputs = [server.files[b["input_file_id"]]["content"] for b in server.batches.values()]
        ids = [json.loads(line)["custom_id"] for content in inputs for line in content.decode().splitlines()]
        assert len(ids) == len(set(ids)) == REQUESTS


@pytest.mark.parametrize("stage", ["downloaded", "extracted"])
def test_a_collect_killed_at_any_stage_loses_nothing_and_stores_nothing_twice(tmp_path, stage):
    with FakeOpenAI(polls_before_done=0) as server:
        first = load_articles(ARTICLES).articles[0].id
        server.faults = {f"{first}-": "error"}  # an error line: that article is re-driven synchronously
        env = {
            **os.environ,
            "SUMMARISE_HOME": str(tmp_path / "jobs"),
            "OPENAI_BASE_URL": server.url,
            "OPENAI_API_KEY": FAKE_KEY,
        }
        job = run_summarise(["batch", "submit", *ARTICLES], env).stdout.strip()
        run_summarise(["batch", "status", job], env)
        killed = run_summarise(["batch", "collect", job, "-f", "json"], env, crash_at=stage)
        assert killed.returncode == -9
        finished = run_summarise(["batch", "collect", job, "-f", "json"], env)
        assert finished.returncode == 0, finished.stderr
        assert without_paths(json.loads(finished.stdout)) == without_paths(replayed_brief())
        store = Store(tmp_path / "jobs" / "summarise.db")
        rows = store.rows("SELECT article_id, COUNT(*) AS n FROM briefs GROUP BY article_id", ())
        store.close()
        assert len(rows) == 7 and all(row["n"] == 1 for row in rows)  # every article's brief, each once


# --- local execution ----------------------------------------------------------------------------


def test_batch_run_local_executes_the_job_without_the_batch_api():
    result = cli(
        "batch",
        "run",
        "--local",
        "--backend",
        "replay",
        "--replay-dir",
        str(ROOT / "fixtures/llm"),
        "--concurrency",
        "3",
        "-f",
        "json",
        *ARTICLES,
    )
    assert result.exit_code == 0, result.stderr
    assert without_paths(json.loads(result.stdout)) == without_paths(replayed_brief())
    # replay: a question per request; the off-topic sample's other question has no recording (no
    # answer) and is not needed (its subject ends its extraction)
    answered = REQUESTS_ONE_QUESTION_EACH - (QUESTIONS - 1)
    assert (
        f"the batch answered {answered} of {REQUESTS_ONE_QUESTION_EACH} requests, this run used {answered} of its "
        "answers and sent 0 request(s) synchronously"
    ) in result.stderr
    assert cli("batch", "run", *ARTICLES).exit_code == 2  # without --local: a usage error


def test_a_job_built_with_other_prompts_is_not_collected_by_sending_everything_again(fake):
    job = cli("batch", "submit", *ARTICLES).stdout.strip()
    store = Store()
    store.execute("UPDATE batch_jobs SET prompt_hash = ? WHERE job = ?", ("0123456789ab", job))
    store.close()
    chats_before = fake.chat_requests
    collected = cli("batch", "collect", job, "-f", "json")
    assert collected.exit_code == 3
    assert f"job {job} was built with prompts 0123456789ab" in collected.stderr
    assert "Traceback" not in collected.stderr and collected.stdout == ""
    assert fake.chat_requests == chats_before  # nothing was sent again


def test_a_failed_batch_write_leaves_no_transaction_open(tmp_path):
    store = Store(tmp_path / "store.db")
    with pytest.raises(ValueError):
        BatchTables(store).add_article("job", "a1", "a.txt", "pending", "key", [("malformed", 1)])  # type: ignore[list-item]
    BatchTables(store).set_part("job", 1, path="part-1.jsonl")  # a transaction left open would refuse this
    assert BatchTables(store).parts("job")[0]["path"] == "part-1.jsonl"
    store.close()
