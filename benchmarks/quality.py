"""Quality and cost per story: the eval scores of the tuned and the held-out articles apart, and per-article cost.

Usage::

    python benchmarks/quality.py [--backend replay|local|openai] [--questions auto|separate|combined]
                                 [--model NAME] [--story-file-for-isis] [--out DIR]

For each story of the fixtures (the ISIS samples of ``fixtures/articles/`` and the stories of
``fixtures/stories/``) it extracts the articles with ``summarise extract`` (the brief cache makes a
second run free), scores them with ``summarise eval --briefs``, and prints one row per story and
part: *tuned* (articles anyone looked at while changing the code) and *held out* (listed in
``fixtures/stories/holdout.json``: never looked at while tuning, the honest estimate of quality on
unseen news). It also scores the merged brief against the story's ``conflicts.json``: the conflicts
found of those listed there, and the merged coalitions against the story's real ones (one entry each,
with its stated leader),
and prints, for the on-topic articles, seconds, prompt and generated tokens and reasks per article
(a replayed run has no real seconds: use ``--backend local`` for the embedded model's figures).
``--backend openai`` asks the endpoint ``OPENAI_BASE_URL`` names (a llama.cpp server serving the
embedded GGUF, say), in the question mode ``--questions`` gives.

With no story file every article runs on the generic topic (any coalition); ``--story-file-for-isis``
runs the ISIS samples through ``stories/anti_isis.toml`` instead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STORIES = {
    "isis": (ROOT / "fixtures/articles", ROOT / "fixtures/eval/gold.json", ROOT / "fixtures/eval/conflicts.json"),
    "isis_holdout": (
        ROOT / "fixtures/stories/isis_holdout",
        ROOT / "fixtures/stories/isis_holdout/gold.json",
        ROOT / "fixtures/stories/isis_holdout/conflicts.json",
    ),
    "red_sea": (
        ROOT / "fixtures/stories/red_sea",
        ROOT / "fixtures/stories/red_sea/gold.json",
        ROOT / "fixtures/stories/red_sea/conflicts.json",
    ),
    **{
        story: (
            ROOT / f"fixtures/stories/{story}",
            ROOT / f"fixtures/stories/{story}/gold.json",
            ROOT / f"fixtures/stories/{story}/conflicts.json",
        )
        for story in ("sahel", "brics", "grain_deal")
    },
}
FIELDS = ("members", "statuses", "people", "events", "numbers", "objectives")


def summarise(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "summarise", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)


def articles_of(folder: Path, gold: Path) -> list[Path]:
    names = json.loads(gold.read_text(encoding="utf-8"))
    return sorted(path for path in folder.iterdir() if path.name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="replay")
    parser.add_argument("--questions", default="auto", choices=("auto", "separate", "combined"))
    parser.add_argument("--model", default=None, help="The endpoint's model name (openai backend).")
    parser.add_argument("--story-file-for-isis", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="Keep the briefs and reports in this folder.")
    options = parser.parse_args()

    from summarise.evaluate import totals

    holdout = json.loads((ROOT / "fixtures/stories/holdout.json").read_text(encoding="utf-8"))["holdout"]
    out = options.out or Path(tempfile.mkdtemp(prefix="summarise-quality-"))
    out.mkdir(parents=True, exist_ok=True)
    backend = ["--backend", options.backend, "--questions", options.questions]
    if options.model:
        backend += ["--model", options.model]
    if options.backend == "replay":
        backend += ["--replay-dir", str(ROOT / "fixtures/llm")]
    rows, costs = [], []
    for story, (folder, gold, conflicts) in STORIES.items():
        articles = [str(path) for path in articles_of(folder, gold)]
        with_story = story == "isis" and options.story_file_for_isis
        story_option = ["--story", str(ROOT / "stories/anti_isis.toml")] if with_story else []
        briefs = out / f"{story}.jsonl"
        extracted = summarise("extract", *backend, *story_option, "-f", "json", "-o", str(briefs), *articles)
        if not briefs.exists():
            print(f"{story}: extraction failed: {extracted.stderr.strip()[-400:]}", file=sys.stderr)
            continue
        scored = summarise(
            "eval", "--json", "--briefs", str(briefs), "--merged", str(conflicts), *story_option, str(gold), *articles
        )
        report = json.loads(scored.stdout)
        (out / f"{story}.eval.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        held = set(holdout.get(story, []))
        parts = {
            "tuned": [r for name, r in report["articles"].items() if name not in held],
            "held out": [r for name, r in report["articles"].items() if name in held],
        }
        for part, results in parts.items():
            if results:
                rows.append((story, part, totals(results)))
        rows.append((story, "conflicts", report.get("conflicts", {})))
        if "coalitions" in report:
            rows.append((story, "coalitions", report["coalitions"]))
        for line in briefs.read_text(encoding="utf-8").splitlines():
            brief = json.loads(line)
            info = brief.get("extraction") or {}
            if brief.get("on_topic") and not info.get("usage", {}).get("cached"):
                usage = info["usage"]
                costs.append(
                    (
                        story,
                        info.get("seconds") or 0.0,
                        usage["prompt_tokens"],
                        usage["completion_tokens"],
                        usage["reasks"],
                    )
                )
    print(f"{'story':14} {'part':10} {'n':>2} " + " ".join(f"{field:>10}" for field in FIELDS) + "  grounded  topic")
    for story, part, result in rows:
        if part == "conflicts":
            found = len(result.get("found", []))
            missed = result.get("missed")
            print(f"{story:14} {'conflicts':10}    found {found} of {result.get('gold', 0)}: missed {missed}")
            continue
        if part == "coalitions":
            print(
                f"{story:14} {'coalitions':10}    {result['entries']} merged entries for {result['real']} real: "
                f"{result['one_entry']} with one entry, {result['leader_right']} with the stated leader; "
                f"split {result['split'] or '-'}; not real {result['not_real'] or '-'}"
            )
            continue
        scores = " ".join(
            f"{result[field]['f1']:>10.2f}" if result[field]["articles"] else f"{'-':>10}" for field in FIELDS
        )
        grounded = result["groundedness"]
        topic = result["on_topic"]
        print(
            f"{story:14} {part:10} {result['articles']:>2} {scores}  {grounded['grounded']}/{grounded['facts']:<6}"
            f"  {topic['right']}/{topic['right'] + topic['wrong']}"
        )
    if costs:
        print(f"\nper on-topic article ({len(costs)} extracted, backend {options.backend}):")
        for label, index in (("seconds", 1), ("prompt tokens", 2), ("generated tokens", 3), ("reasks", 4)):
            values = [cost[index] for cost in costs]
            middle, mean = statistics.median(values), statistics.mean(values)
            print(f"  {label:17} median {middle:8.1f}   max {max(values):8.1f}   mean {mean:8.1f}")
    print(f"\nbriefs and reports in {out}")


if __name__ == "__main__":
    main()
