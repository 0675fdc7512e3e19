"""Concurrent extraction against an endpoint with a fixed latency: how close to the ideal, at what cost.

Usage::

    python benchmarks/concurrency.py [--articles 200] [--latency 0.3] [--concurrency 16] [--runs 3] [--llm]
                                     [--no-peers] [--process-only] [--tree PATH ...]

Starts a fake OpenAI-compatible endpoint in a separate process on 127.0.0.1 that answers every
chat request after ``--latency`` seconds with a valid (empty) answer: no model, so what is left
is our own pipeline. Writes N synthetic articles, then prints, for ``summarise`` (in this process,
through the same ``extract_all`` as the CLI, ``--concurrency`` articles at once):

* wall time, the ideal ``ceil(N / concurrency) * latency`` (an endpoint is asked an article's
  three questions in one request) and their ratio;
* CPU seconds of this process per article (the endpoint runs in another process), and the
  peak resident memory;
* a second run over the same articles (every brief from the cache, no request), in this
  process and through the ``summarise`` command in a new one (interpreter start and imports
  included);
* what a user sees: ``summarise extract ... --concurrency N`` timed whole as a new process
  (interpreter start, imports, reading, extraction, the store and the progress lines), each of
  ``--runs`` runs with an empty store (its own ``SUMMARISE_HOME``): wall seconds, the ideal,
  the ratio, the process's CPU seconds (user + system, from ``os.wait4``) and, with the peers,
  the speed-up over the sequential instructor loop; then the median of each. ``--tree`` names
  the source trees to run (this one by default; with several, their runs take turns, so that
  a change of load on a shared machine falls on each alike); ``--process-only`` skips the runs
  in this process.

Then the peers on the same endpoint and articles: a plain sequential ``instructor`` loop (one
request per article, what a user writes by hand), and with ``--llm`` the ``llm`` CLI with
``--schema`` if it is installed (``pip install llm``).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_scale import EMPTY_ANSWERS

PEER_ANSWER = {"coalition": "none", "members": []}


def fake_answer(body: dict) -> dict:
    """A valid empty answer to a request: only the fields its schema asks for (an extra one is reasked)."""
    text = json.dumps(body.get("messages", []))
    task = re.search(r"TASK: (\w+)", text)
    step = "all" if "TASKS:" in text else task.group(1) if task else None  # "all": every question in one request
    answer = EMPTY_ANSWERS[step] if step else PEER_ANSWER
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema") or {}
    wanted = schema.get("properties")
    return {key: value for key, value in answer.items() if key in wanted} if wanted else answer


def serve(latency: float, port_queue: multiprocessing.Queue) -> None:
    """The fake endpoint (runs in its own process)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay on replies

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            time.sleep(latency)
            content = json.dumps(fake_answer(body))
            answer = {
                "id": "chatcmpl-bench",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "m"),
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
            }
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def write_articles(folder: Path, count: int) -> list[str]:
    paths = []
    for index in range(count):
        index += 10_000 if folder.name == "warm" else 0
        path = folder / f"article-{index:05d}.md"
        path.write_text(
            f"---\ntitle: Report {index}\nsource: Outlet {index % 20}\npublished: 2025-03-{1 + index % 28:02d}\n---\n"
            f"Officials from Turkey, Syria and Iraq met on Monday to discuss the fight against ISIS, report "
            f"{index} says. Hakan Fidan said the three governments would share intelligence.\n",
            encoding="utf-8",
        )
        paths.append(str(path))
    return paths


def run_summarise(paths: list[str], concurrency: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of this process, exit status of one extraction over ``paths``."""
    from summarise.cli import ExtractionOptions, extract_all

    briefs: list = []
    options = ExtractionOptions(backend="openai", model="bench", concurrency=concurrency)
    cpu, wall = time.process_time(), time.perf_counter()
    code = extract_all(paths, options, briefs.append)
    return time.perf_counter() - wall, time.process_time() - cpu, code


def run_cli(paths: list[str], concurrency: int) -> tuple[float, int]:
    """Wall seconds and exit status of ``summarise extract`` over ``paths`` in a new process."""
    command = [sys.executable, "-m", "summarise", "extract", "--backend", "openai", "-m", "bench"]
    command += ["-j", str(concurrency), "-f", "json", "-o", os.devnull, *paths]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode


def run_process(paths: list[str], concurrency: int, home: Path, tree: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and exit status of ``summarise extract`` as a new process.

    What a user runs, timed whole: interpreter start, imports, reading, extraction, the store
    (an empty one in ``home``) and the progress lines (to a file, as when stderr is redirected).
    ``tree`` is the source tree whose ``summarise`` runs (first on the child's ``PYTHONPATH``).
    """
    command = [sys.executable, "-m", "summarise", "extract", "--backend", "openai", "-m", "bench"]
    command += ["-j", str(concurrency), "-f", "json", "-o", os.devnull, *paths]
    env = {**os.environ, "SUMMARISE_HOME": str(home), "PYTHONPATH": str(tree)}
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, child.returncode


def time_process(
    paths: list[str], concurrency: int, latency: float, runs: int, work: Path, trees: list[Path]
) -> dict[Path, list[float]]:
    """Print ``runs`` timings of the command as a process for each of ``trees`` (their runs taking turns,
    so that a change of load falls on every tree alike) and their medians; return the wall seconds."""
    n, ideal = len(paths), math.ceil(len(paths) / concurrency) * latency
    print(f"summarise extract as a new process, empty store, {n} articles, concurrency {concurrency}:")
    walls: dict[Path, list[float]] = {tree: [] for tree in trees}
    cpus: dict[Path, list[float]] = {tree: [] for tree in trees}
    for index in range(runs):
        for number, tree in enumerate(trees):
            wall, cpu, code = run_process(paths, concurrency, work / f"home-process-{index}-{number}", tree)
            walls[tree].append(wall)
            cpus[tree].append(cpu)
            print(
                f"  {tree} run {index + 1}: wall {wall:.2f} s; ideal {ideal:.2f} s; ratio {wall / ideal:.2f}; "
                f"CPU {cpu:.2f} s (exit {code}; load {os.getloadavg()[0]:.2f})"
            )
    for tree in trees:
        wall, cpu = statistics.median(walls[tree]), statistics.median(cpus[tree])
        print(
            f"  {tree} median: wall {wall:.2f} s; ratio {wall / ideal:.2f}; CPU {cpu:.2f} s "
            f"({1000 * cpu / n:.1f} ms per article)"
        )
    return walls


def run_instructor_loop(paths: list[str], base_url: str) -> float:
    import instructor
    import openai
    from pydantic import BaseModel

    class PeerBrief(BaseModel):
        coalition: str
        members: list[str]

    client = instructor.from_openai(openai.OpenAI(base_url=base_url, api_key="bench"), mode=instructor.Mode.JSON_SCHEMA)
    started = time.perf_counter()
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        client.chat.completions.create(
            model="bench", response_model=PeerBrief, messages=[{"role": "user", "content": text}], max_retries=1
        )
    return time.perf_counter() - started


def run_llm_cli(paths: list[str], base_url: str, work: Path) -> tuple[float, int, str] | None:
    """Seconds for the llm CLI over ``paths``, how many calls failed, and the first failure's message."""
    if shutil.which("llm") is None:
        return None
    config = work / "llm"
    config.mkdir(exist_ok=True)
    (config / "extra-openai-models.yaml").write_text(
        f"- model_id: bench\n  model_name: bench\n  api_base: {base_url}\n  api_key_name: bench\n"
        "  supports_schema: true\n",
        encoding="utf-8",
    )
    (config / "keys.json").write_text(json.dumps({"bench": "bench"}), encoding="utf-8")
    env = {**os.environ, "LLM_USER_PATH": str(config), "OPENAI_API_KEY": "bench"}
    failures, first = 0, ""
    started = time.perf_counter()
    for path in paths:
        done = subprocess.run(
            ["llm", "prompt", "-m", "bench", "--schema", "coalition, members", "--no-log"],
            input=Path(path).read_text(encoding="utf-8"),
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            failures += 1
            first = first or done.stderr.strip()[-200:]
    return time.perf_counter() - started, failures, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--llm", action="store_true", help="also time the llm CLI (if installed)")
    parser.add_argument("--runs", type=int, default=3, help="timings of the command as a process (median shown)")
    parser.add_argument("--no-peers", action="store_true", help="time summarise only")
    parser.add_argument(
        "--tree",
        type=Path,
        nargs="+",
        default=[Path(__file__).resolve().parents[1]],
        help="source trees the process runs (default this one; several to compare, their runs taking turns)",
    )
    parser.add_argument("--process-only", action="store_true", help="skip the runs in this process")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="summarise-concurrency-"))
    os.environ["SUMMARISE_HOME"] = str(work / "home")
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(args.latency, ports), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{ports.get(timeout=10)}/v1"
    os.environ["OPENAI_BASE_URL"] = base_url
    os.environ["OPENAI_API_KEY"] = "sk-bench-not-a-key"
    (work / "articles").mkdir()
    paths = write_articles(work / "articles", args.articles)
    n, c, latency = args.articles, args.concurrency, args.latency
    try:
        if not args.process_only:
            time_in_process(paths, c, latency)
        walls = time_process(paths, c, latency, args.runs, work, args.tree)
        if args.no_peers:
            return
        peer = run_instructor_loop(paths, base_url)
        print(
            f"plain sequential instructor loop, one request per article: {peer:.2f} s; ideal {n * latency:.2f} s "
            f"(ratio {peer / (n * latency):.2f})"
        )
        for tree, times in walls.items():
            print(
                f"  summarise extract as a process ({tree}) is {peer / statistics.median(times):.1f}x the loop "
                f"(runs: {', '.join(f'{peer / wall:.1f}x' for wall in times)})"
            )
        if args.llm:
            timed = run_llm_cli(paths, base_url, work)
            if timed is None:
                print("llm CLI: not installed (pip install llm)")
            else:
                seconds, failures, first = timed
                print(
                    f"llm CLI with --schema, one process per article: {seconds:.2f} s; ideal {n * latency:.2f} s "
                    f"(ratio {seconds / (n * latency):.2f}); {failures} of {n} calls failed {first}"
                )
    finally:
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)


def time_in_process(paths: list[str], c: int, latency: float) -> None:
    """A run in this process (imports excluded), then one from the cache, in this process and in a new one."""
    n = len(paths)
    work = Path(paths[0]).parents[1]
    from summarise.cli.common import err

    err.quiet = True  # no progress lines in the measurement (every command prints through this console)
    (work / "warm").mkdir()
    run_summarise(write_articles(work / "warm", 4), c)  # imports and first connections are not per-article costs
    wall, cpu, code = run_summarise(paths, c)
    ideal = math.ceil(n / c) * latency
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"summarise, {n} articles, latency {latency * 1000:.0f} ms, concurrency {c} (exit {code}):")
    print(f"  wall {wall:.2f} s; ideal {ideal:.2f} s; ratio {wall / ideal:.2f}")
    print(
        f"  our CPU {1000 * cpu / n:.1f} ms per article (this process; the endpoint is another); peak RSS {rss:.0f} MB"
    )
    wall2, cpu2, _ = run_summarise(paths, c)
    print(f"  second run (all from the cache, no request): {wall2:.2f} s, CPU {1000 * cpu2 / n:.2f} ms/article")
    wall3, code3 = run_cli(paths, c)
    print(f"  the same through the CLI, a new process (imports included): {wall3:.2f} s (exit {code3})")


if __name__ == "__main__":
    main()
