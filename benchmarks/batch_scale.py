"""Time and peak memory of the batch path for many articles: build the request files, collect the results.

Usage::

    python benchmarks/batch_scale.py [--articles 10000] [--keep DIR]

Writes N synthetic articles (short texts made up here, each naming ISIS and a few countries)
into a temporary folder, then, in a temporary ``SUMMARISE_HOME``:

1. **build**: ``BatchJobs.build`` reads the articles one at a time and writes the JSONL request
   files (3 requests per article: topic, coalitions, people) and the job's rows in SQLite;
2. **ingest**: a synthetic Batch API output file with one valid answer per request (written
   here, in the wire format, in shuffled order) is read line by line into the store;
3. **collect**: every article is extracted from those answers (validation included) and its
   brief stored, as ``summarise batch collect`` does.

No model and no network are involved: the answers are empty but valid (no coalition, no
people; the events, figures and claims are read by the code as always), which measures our own
overhead. Prints the seconds of each phase and the peak resident memory of the process after
each phase (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COUNTRIES = ["Turkey", "Syria", "Iraq", "Jordan", "Lebanon", "Iran", "Egypt", "France"]
EMPTY_ANSWERS = {
    "topic": {"subject": "security or military cooperation between states"},
    "coalitions": {"coalitions": []},
}
EMPTY_ANSWERS["all"] = {key: value for answer in EMPTY_ANSWERS.values() for key, value in answer.items()}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_articles(folder: Path, count: int) -> None:
    rng = random.Random(3)
    for index in range(count):
        names = rng.sample(COUNTRIES, 3)
        text = (
            f"---\ntitle: Report {index}\nsource: Outlet {index % 50}\npublished: 2025-03-{1 + index % 28:02d}\n---\n"
            f"Officials from {names[0]}, {names[1]} and {names[2]} met on Monday to discuss the fight against "
            f"ISIS, report number {index}. They agreed to share intelligence and to meet again next month.\n"
        )
        (folder / f"article-{index:05d}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="summarise-batch-bench-"))
    os.environ["SUMMARISE_HOME"] = str(work / "home")
    from summarise.batch.jobs import BatchJobs, CollectReport
    from summarise.llm import BackendConfig
    from summarise.llm.base import completion_from_text

    articles = work / "articles"
    articles.mkdir()
    write_articles(articles, args.articles)
    print(f"articles: {args.articles} in {articles}; baseline peak RSS {peak_mb():.0f} MB")

    jobs = BatchJobs(BackendConfig(backend="replay", replay_dir=work, model="bench"))
    started = time.perf_counter()
    job, _ = jobs.build([str(articles)])
    parts = jobs.tables.parts(job)
    requests = sum(part["requests"] for part in parts)
    size = sum(part["bytes"] for part in parts)
    print(
        f"build:   {time.perf_counter() - started:7.1f} s  {requests} requests, {size / 2**20:.0f} MB in "
        f"{len(parts)} file(s); peak RSS {peak_mb():.0f} MB"
    )

    output = work / "output.jsonl"
    with open(output, "w", encoding="utf-8") as out:
        for part in parts:
            with open(part["path"], encoding="utf-8") as lines:
                for number, line in enumerate(lines):
                    custom_id = json.loads(line)["custom_id"]
                    step = custom_id.rsplit("-", 1)[1]
                    body = completion_from_text(json.dumps(EMPTY_ANSWERS[step]), model="bench").model_dump(mode="json")
                    record = {
                        "id": f"r{number}",
                        "custom_id": custom_id,
                        "response": {"status_code": 200, "request_id": f"q{number}", "body": body},
                        "error": None,
                    }
                    out.write(json.dumps(record) + "\n")
    report = CollectReport(job)
    started = time.perf_counter()
    jobs.ingest(job, output, report)
    print(f"ingest:  {time.perf_counter() - started:7.1f} s  {report.lines} lines; peak RSS {peak_mb():.0f} MB")

    started = time.perf_counter()
    briefs = jobs.finish(job, report)
    seconds = time.perf_counter() - started
    print(
        f"collect: {seconds:7.1f} s  {len(briefs)} briefs ({report.from_batch} answers from the batch, "
        f"{report.redriven} sent again); {1000 * seconds / max(len(briefs), 1):.1f} ms per article; "
        f"peak RSS {peak_mb():.0f} MB"
    )
    jobs.close()


if __name__ == "__main__":
    main()
