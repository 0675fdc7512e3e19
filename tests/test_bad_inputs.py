"""Every kind of bad input at once: each gets one clear line naming it, or a correct result; nothing else is lost."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarise.articles import load_articles
from summarise.cli import app

ROOT = Path(__file__).resolve().parents[1]
GOOD = str(ROOT / "fixtures/articles/01_amman_five_nations.txt")
#: The story file's keyword pre-filter skips the off-topic inputs without a model call (they have no recording).
STORY = str(ROOT / "stories/anti_isis.toml")
HARBOUR = (ROOT / "fixtures/articles/07_off_topic_harbour.txt").read_text(encoding="utf-8")


def make_inputs(folder: Path) -> dict[str, Path]:
    paths = {
        "empty": folder / "empty.txt",
        "blank": folder / "blank.txt",
        "binary": folder / "binary.txt",
        "latin1": folder / "latin1.txt",
        "huge": folder / "huge.txt",
        "html": folder / "page.html",
        "french": folder / "french.txt",
        "offtopic": folder / "harbour.txt",
        "folder": folder / "more",
        "missing": folder / "nowhere.txt",
        "jsonl": folder / "feed.jsonl",
        "copy": folder / "copy-of-harbour.txt",
    }
    paths["empty"].write_bytes(b"")
    paths["blank"].write_text("  \n\t\n   \n", encoding="utf-8")
    paths["binary"].write_bytes(bytes(range(256)) * 40)
    paths["latin1"].write_bytes("Le ministre a annoncé une réunion à Ankara.".encode("latin-1"))
    with open(paths["huge"], "wb") as huge:
        huge.write(b"word " * (4 * 1024 * 1024))  # 20 MB
    paths["html"].write_text(
        "<html><head><style>body{color:red}</style><script>alert('x'); var tracker = 1;</script></head>"
        "<body><nav>Home | News</nav><article><h1>Harbour news</h1><p>The new ferry terminal of Marrowick "
        "opened on Monday after two years of building work, and the first crossing left at noon.</p>"
        "<p>The council expects up to 1,200 passengers an hour in the summer months.</p></article></body></html>",
        encoding="utf-8",
    )
    paths["french"].write_text(
        "Les ministres de quatre pays voisins se sont réunis à Amman pour coordonner la lutte contre "
        "l'organisation État islamique, a annoncé le ministère jordanien.\n",
        encoding="utf-8",
    )
    paths["offtopic"].write_text(HARBOUR, encoding="utf-8")
    paths["copy"].write_text(HARBOUR, encoding="utf-8")
    paths["folder"].mkdir()
    (paths["folder"] / "inside.md").write_text("A bakery in Tallinn won a prize for its rye bread this week.\n")
    good_line = {"text": "A new bus line links the airport and the old town from May.", "title": "Buses"}
    paths["jsonl"].write_text(json.dumps(good_line) + "\n{not json\n" + json.dumps({**good_line, "text": "Trams too."}))
    return paths


def test_each_bad_input_gets_one_line_and_the_rest_still_runs(tmp_path):
    paths = make_inputs(tmp_path)
    args = [str(p) for p in paths.values()] + [GOOD]
    replay = ["--backend", "replay", "--replay-dir", str(ROOT / "fixtures/llm"), "--story", STORY]
    result = CliRunner().invoke(
        app,
        ["extract", *replay, "-f", "json", *args],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith(("error:", "skipped:"))]
    expected_problems = {
        "empty": "empty",
        "blank": "empty",
        "binary": "binary",
        "latin1": "UTF-8",
        "huge": "MB",
        "missing": "no such file",
        "jsonl": ":2:",
        "copy": "same text as",
    }
    for name, problem in expected_problems.items():
        mine = [line for line in errors if str(paths[name]) in line.split(": same text as")[0]]
        assert len(mine) == 1 and problem in mine[0], (name, mine)
    assert len(errors) == len(expected_problems)

    briefs = {Path(b["article"]["source"].split(":")[0]).name: b for b in map(json.loads, result.stdout.splitlines())}
    assert briefs["01_amman_five_nations.txt"]["on_topic"] is True  # the good article still got its brief
    for name in ("page.html", "harbour.txt", "inside.md", "feed.jsonl", "french.txt"):
        assert briefs[name]["on_topic"] is False and briefs[name]["coalitions"] == []  # never an invented coalition
    assert "does not look English" in " ".join(briefs["french.txt"]["extraction"]["warnings"])
    assert "does not look English" not in " ".join(briefs["harbour.txt"]["extraction"]["warnings"])


def test_html_scripts_and_styles_never_reach_the_text(tmp_path):
    (article,) = load_articles([str(make_inputs(tmp_path)["html"])]).articles
    assert "ferry terminal" in article.text
    assert "alert" not in article.text and "color:red" not in article.text and "tracker" not in article.text
