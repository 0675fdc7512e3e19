"""The ``openai`` backend against real OpenAI-compatible servers serving the embedded model.

Marked ``server``: each test starts a real server process (``tests/servers.py``) on a loopback
port and runs the commands a user runs (``extract``, ``brief``, ``batch run --local`` with
``--backend openai``). Every answer is the model's own (greedy decoding), nothing is scripted;
the assertions are what must hold of any answer: valid, grounded briefs, the control off topic,
the members of the sample's five-country meeting all found, and faults that end in one clear
line or a retry with nothing lost. Several minutes on 2 cores.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import servers
from typer.testing import CliRunner

from summarise.articles import load_articles
from summarise.cli import app
from summarise.evaluate import load_gold
from summarise.evaluate.scoring import groundedness, score_members
from summarise.llm.capabilities import llama_server_props
from summarise.schemas import ArticleBrief, CoalitionBrief

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
#: One short on-topic sample per story (the ISIS one is the five-country meeting), and a control.
SAMPLES = {
    "isis": (ROOT / "fixtures/articles/01_amman_five_nations.txt", ROOT / "fixtures/eval/gold.json"),
    "red_sea": (
        ROOT / "fixtures/stories/red_sea/01_austin_announces_guardian.txt",
        ROOT / "fixtures/stories/red_sea/gold.json",
    ),
    "sahel": (ROOT / "fixtures/stories/sahel/03_niamey_confederation.txt", ROOT / "fixtures/stories/sahel/gold.json"),
}
CONTROL = ROOT / "fixtures/articles/07_off_topic_harbour.txt"
MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


@pytest.fixture(scope="session")
def gguf() -> Path:
    """The embedded model's GGUF, from the real model cache (assembled once)."""
    from summarise.exceptions import ModelUnavailableError
    from summarise.llm.embedded import DEFAULT_EMBEDDED_MODEL, EMBEDDED_MODELS, ensure_gguf

    try:
        return ensure_gguf(EMBEDDED_MODELS[DEFAULT_EMBEDDED_MODEL])
    except ModelUnavailableError as error:
        pytest.skip(f"embedded model unavailable: {error}")


def _start(kind: str, gguf: Path, folder: Path, **options) -> servers.Server:
    if reason := servers.missing(kind):
        pytest.skip(reason)
    return servers.start(kind, gguf, folder, **options)


@pytest.fixture(scope="session", params=servers.KINDS)
def server(request, gguf, tmp_path_factory):
    """Each real server kind installed here, one slot, shared by the tests that do not stop it."""
    kind = request.param
    running = _start(kind, gguf, tmp_path_factory.mktemp(kind.replace(".", "_")))
    yield running
    running.stop()


@pytest.fixture(params=servers.KINDS)
def kind(request) -> str:
    """A server kind installed here (the test starts its own)."""
    if reason := servers.missing(request.param):
        pytest.skip(reason)
    return request.param


def _use(monkeypatch, server: servers.Server) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    llama_server_props.cache_clear()  # what a server says of itself is kept per process: ask this one


def _invoke(*args: str):
    return CliRunner().invoke(app, [*args], catch_exceptions=False)


def _check_brief(brief: ArticleBrief, path: Path) -> None:
    """Valid (it parsed), grounded: every fact's evidence is the article's own text."""
    text = load_articles([str(path)]).articles[0].text
    grounded = groundedness(brief, text)
    assert grounded["ungrounded"] == [], grounded
    assert brief.extraction is not None and brief.extraction.backend == "openai"


def _members_score(story: str, brief: ArticleBrief) -> dict:
    path, gold_path = SAMPLES[story]
    return score_members(brief, load_gold(gold_path)[path.name])


REFUSED = "the endpoint refused response_format json_schema (HTTP 500); asking with json_object instead"


def _refusals(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if "refused" in record.getMessage()]


def _schema_modes(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "summarise.db") as database:
        return database.execute("SELECT model, mode FROM schema_modes").fetchall()


@pytest.mark.parametrize("questions", ["separate", "combined"])
def test_extract_every_story(server, monkeypatch, allow_model_requests, questions, tmp_path, caplog):
    """Both question modes on one sample of each story and the control. llama-cpp-python's server refuses
    response_format json_schema: the refusal is logged, the question asked with json_object, the mode kept."""
    _use(monkeypatch, server)
    paths = [path for path, _ in SAMPLES.values()]

    # one request at a time, as both servers answer them: queued requests neither wait past the timeout on a
    # busy machine nor change the order in which the server reuses its evaluated prompt (and so the answers)
    result = _invoke(
        "extract",
        "--backend",
        "openai",
        "--model",
        MODEL,
        "--questions",
        questions,
        "-f",
        "json",
        "--concurrency",
        "1",
        *map(str, paths),
        str(CONTROL),
    )

    assert result.exit_code == 0, result.output
    briefs = {Path(b.article.source).name: b for b in map(ArticleBrief.model_validate_json, result.stdout.splitlines())}
    assert set(briefs) == {path.name for path in paths} | {CONTROL.name}
    assert briefs[CONTROL.name].on_topic is False
    recalled = []
    for story, (path, _) in SAMPLES.items():
        brief = briefs[path.name]
        _check_brief(brief, path)
        assert brief.on_topic is True, (story, brief.topic_evidence)
        assert brief.extraction.usage.calls == (1 if questions == "combined" else 2) + brief.extraction.usage.reasks
        members = _members_score(story, brief)
        # a small model's answers, not a gold copy: most of what it names are members, most members are named
        assert members["precision"] >= 0.5, (story, members)
        recalled.append((story, members["recall"]))
    # Asked one question at a time, most members of every sample are named. Asked every question at once, this
    # 1.5B model lost one or two samples' lists from run to run (2026-12-06, three runs: the Red Sea crew's
    # home countries given as members, refused by the code; an empty answer for the Sahel sample; see
    # docs/backends.md): then only what it keeps must be right (above) and the five-country meeting whole.
    if questions == "separate":
        assert all(recall >= 0.5 for _, recall in recalled), recalled
    # the five-country meeting: all five found
    assert _members_score("isis", briefs[SAMPLES["isis"][0].name])["missed"] == []
    if server.kind == "llama_cpp.server":  # the refusal, met once: the mode is remembered for the next requests
        assert _refusals(caplog) == [REFUSED]
        assert _schema_modes(tmp_path / "home") == [(MODEL, "json_object")]
    else:
        assert _refusals(caplog) == [] and _schema_modes(tmp_path / "home") == []


def test_brief_and_batch(server, monkeypatch, allow_model_requests, tmp_path, caplog):
    """`brief` (asked as the server can answer, and saying why) and `batch run --local`, which asks in the
    schema mode the brief found (no second refusal)."""
    _use(monkeypatch, server)
    path = SAMPLES["isis"][0]

    result = _invoke("brief", "--backend", "openai", "--model", MODEL, "-f", "json", str(path))

    assert result.exit_code == 0, result.output
    why = "a llama.cpp server with 1 slot" if server.kind == "llama-server" else "an endpoint (not a llama.cpp server)"
    assert why in result.stderr  # why it asks as it does
    merged = CoalitionBrief.model_validate_json(result.stdout)
    assert merged.coalitions and {m.name for m in merged.coalitions[0].members} >= {"Jordan", "Iraq", "Lebanon"}

    # the same store: the batch takes the on-topic brief from the cache and asks the server for the control
    # (one article's questions, not two: CI time)
    database = sqlite3.connect(tmp_path / "home" / "summarise.db")
    calls = database.execute("SELECT count(*) FROM calls").fetchone()[0]
    refusals = len(_refusals(caplog))
    result = _invoke(
        "batch", "run", "--local", "--backend", "openai", "--model", MODEL, "-f", "json", str(path), str(CONTROL)
    )

    assert result.exit_code == 0, result.output
    states = dict(database.execute("SELECT article_id, state FROM batch_articles").fetchall())
    ids = [article.id for article in load_articles([str(path), str(CONTROL)]).articles]
    assert states == {ids[0]: "cached", ids[1]: "done"}
    assert database.execute("SELECT count(*) FROM calls").fetchone()[0] > calls  # the control was asked
    assert len(_refusals(caplog)) == refusals  # in the remembered schema mode
    batched = CoalitionBrief.model_validate_json(result.stdout)
    assert {m.name for m in batched.coalitions[0].members} == {m.name for m in merged.coalitions[0].members}


def test_server_killed_mid_request_then_slow_to_load(kind, gguf, monkeypatch, allow_model_requests, tmp_path):
    """Killed while it reads an article: one clear line, exit 5. Started again and used at once, while it
    still loads the model (llama-server answers 503 "Loading model"; llama-cpp-python's server refuses
    connections until it has loaded): the command waits for it and completes."""
    server = servers.start(kind, gguf, tmp_path / "server")
    _use(monkeypatch, server)
    path = CONTROL  # the shortest article: the kill still lands in its first question

    def kill_when_busy() -> None:
        time.sleep(4)  # reading the control's first question takes 15 s or more here
        server.kill()

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    try:
        result = _invoke("extract", "--backend", "openai", "--model", MODEL, "--retries", "1", str(path))
    finally:
        killer.join()
        server.stop()

    assert result.exit_code == 5, result.output
    assert "Traceback" not in result.output
    failures = [line for line in result.stderr.splitlines() if line.startswith(("error", "failed"))]
    assert failures and all("endpoint" in line for line in failures), result.stderr

    server = servers.start(kind, gguf, tmp_path / "server", port=server.port, wait=False)
    _use(monkeypatch, server)  # a new command: nothing known of the server yet
    try:
        again = _invoke("extract", "--backend", "openai", "--model", MODEL, "-f", "json", str(path))
    finally:
        server.stop()
    assert again.exit_code == 0, again.output + server.log_tail()
    brief = ArticleBrief.model_validate_json(again.stdout)
    _check_brief(brief, path)
    assert brief.on_topic is False


def test_context_overflow_from_the_server(kind, gguf, monkeypatch, allow_model_requests, tmp_path):
    """A context smaller than the question: the server's real 400 (llama-server: 'exceeds the available context
    size'; llama-cpp-python's: 'maximum context length') makes the code cut the article until the question fits;
    the brief says what was cut, and the answer that no longer fits is one line saying so (exit 6)."""
    server = servers.start(kind, gguf, tmp_path / "server", ctx=512)
    try:
        _use(monkeypatch, server)
        path = ROOT / "fixtures/articles/06_scraped_fidan_page.txt"
        result = _invoke("extract", "--backend", "openai", "--model", MODEL, "-f", "json", str(path))
    finally:
        server.stop()

    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2, 6), result.output
    if result.exit_code == 2:  # not even the shortest cut fits: one line
        assert "does not fit the model's context" in result.stderr, result.output
        return
    brief = ArticleBrief.model_validate_json(result.stdout)
    assert any("cut to its first" in warning for warning in brief.extraction.warnings), brief.extraction
    _check_brief(brief, path)
    if result.exit_code == 6:
        incomplete = [line for line in result.stderr.splitlines() if line.startswith("incomplete:")]
        assert len(incomplete) == 1 and "context" in incomplete[0], result.stderr


def test_a_model_name_the_server_does_not_serve(server, monkeypatch, allow_model_requests):
    """Both servers serve one model whatever the name asked; llama.cpp's says which, and the run says so."""
    _use(monkeypatch, server)
    result = _invoke("extract", "--backend", "openai", "--model", "no-such-model", "-f", "json", str(CONTROL))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["on_topic"] is False
    if server.kind != "llama-server":
        return
    props = servers.props(server)
    assert Path(props["model_path"]).name in result.stderr and "no-such-model" in result.stderr


def test_the_server_was_built_without_amx_kernels(server):
    """The server's build lists no AMX kernels (docs/engine.md).

    llama-cpp-python's server logs its system info as it starts; llama-server logs it only at log
    verbosity 4, so it is asked the way ``summarise doctor`` asks it (started with no model).
    """
    from summarise.llm import native

    if server.kind == "llama-server":
        build = native.llama_server_build()
        assert build is not None and build.system_info is not None, build
        system_info = build.system_info
    else:
        log = server.log.read_text(errors="replace")
        found = next((line for line in log.splitlines() if "SSE3 = " in line), None)
        assert found is not None, f"{server.kind} logged no system information:\n{server.log_tail()}"
        system_info = found
    assert "SSE3 = 1" in system_info
    assert not native.has_amx_kernels(system_info), f"{server.kind} has AMX kernels: {system_info}"
