"""Unit tests of benchmarks/score_briefs.py on tiny hand-made cases."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from summarise.schemas import ArticleBrief, ArticleRef, Coalition, CoalitionMember, Person

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "score_briefs.py"


@pytest.fixture(scope="module")
def scorer():
    spec = importlib.util.spec_from_file_location("score_briefs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_briefs"] = module
    spec.loader.exec_module(module)
    return module


TEXT = (
    "Turkey, Syria and Jordan agreed to fight ISIS together. "
    "Turkish Foreign Minister Hakan Fidan met Ahmed Al-Sarraj in Ankara."
)
GOLD = {
    "t.txt": {
        "on_topic": True,
        "coalition": "pact",
        "target": "ISIS",
        "members": ["Türkiye", "Syria"],
        "other_participants": ["Jordan"],
        "people": [
            {"name": "Hakan Fidan", "role": "Turkish Foreign Minister"},
            {"name": "Ahmed Al-Sarraj", "role": None},
        ],
        "events": [],
        "numbers": [],
        "objectives": [],
    }
}
# As stored by extraction: the article's own span, edge punctuation stripped by find_span.
EVIDENCE = "Turkey, Syria and Jordan agreed to fight ISIS together"


def make_brief(members, people=(), on_topic=True, source="fixtures/articles/t.txt", evidence=EVIDENCE):
    coalition = Coalition(
        name="pact",
        evidence=evidence,
        members=[CoalitionMember(name=name, evidence=evidence) for name in members],
    )
    return ArticleBrief(
        article=ArticleRef(id="0" * 16, source=source),
        on_topic=on_topic,
        coalitions=[coalition] if members else [],
        people=[Person(name=name, evidence="Hakan Fidan met Ahmed Al-Sarraj") for name in people],
    )


def run(scorer, brief, text=TEXT):
    return scorer.score(GOLD, [brief], {"t.txt": text})


def test_perfect_brief_scores_one(scorer):
    brief = make_brief(["Türkiye", "Syria", "Jordan"], ["Hakan Fidan", "Ahmed Al-Sarraj"])
    report = run(scorer, brief)
    total = report["total"]
    assert total["on_topic"] == {"right": 1, "wrong": 0}
    for key in ("members", "people"):
        assert (total[key]["precision"], total[key]["recall"], total[key]["f1"]) == (1.0, 1.0, 1.0)
    assert total["groundedness"]["share"] == 1.0


def test_aliases_are_canonicalised(scorer):
    report = run(scorer, make_brief(["Turkey", "Syria", "Jordan"]))
    assert report["total"]["members"]["f1"] == 1.0


def test_invented_member_lowers_precision(scorer):
    report = run(scorer, make_brief(["Türkiye", "Syria", "Jordan", "Finland"]))
    members = report["articles"]["t.txt"]["members"]
    assert members["invented"] == ["Finland"]
    assert members["precision"] == 0.75
    assert members["recall"] == 1.0


def test_missed_member_lowers_recall(scorer):
    report = run(scorer, make_brief(["Türkiye", "Syria"]))
    members = report["articles"]["t.txt"]["members"]
    assert members["missed"] == ["Jordan"]
    assert members["precision"] == 1.0
    assert members["recall"] == pytest.approx(2 / 3, abs=1e-3)


def test_people_match_across_case_accents_and_particles(scorer):
    assert scorer.names_match("HAKAN FIDAN", "Hakan Fidan")
    assert scorer.names_match("Recep Tayyip Erdoğan", "recep tayyip erdogan")
    assert scorer.names_match("Bashar Assad", "Bashar al-Assad")
    assert scorer.names_match("Ahmed Al-Shar\u2019a", "ahmed al-shar'a")
    report = run(scorer, make_brief(["Türkiye"], ["hakan fidan", "AHMED AL SARRAJ"]))
    assert report["articles"]["t.txt"]["people"]["f1"] == 1.0


def test_sarraj_is_not_sharaa(scorer):
    assert not scorer.names_match("Ahmed Al-Sarraj", "Ahmad al-Sharaa")
    gold = {"t.txt": {**GOLD["t.txt"], "people": [{"name": "Ahmad al-Sharaa", "role": None}]}}
    report = scorer.score(gold, [make_brief(["Türkiye"], ["Ahmed Al-Sarraj"])], {"t.txt": TEXT})
    people = report["articles"]["t.txt"]["people"]
    assert people["tp"] == 0
    assert people["invented"] == ["Ahmed Al-Sarraj"]
    assert people["missed"] == ["Ahmad al-Sharaa"]


def test_surname_alone_does_not_match_and_duplicates_count_once(scorer):
    pairs, invented, missed = scorer.match_people(["Fidan", "Hakan Fidan", "hakan fidan"], ["Hakan Fidan"])
    assert pairs == [("Hakan Fidan", "Hakan Fidan")]
    assert invented == ["Fidan"]
    assert missed == []


def test_evidence_must_equal_the_article_span(scorer):
    brief = make_brief(["Syria"], evidence="turkey, syria and jordan agreed")
    assert run(scorer, brief)["articles"]["t.txt"]["groundedness"]["share"] == 0.0


def test_off_topic_and_ungrounded_evidence(scorer):
    brief = make_brief(["Türkiye", "Syria", "Jordan"], on_topic=False, evidence="Turkey and Syria signed a treaty.")
    result = run(scorer, brief)["articles"]["t.txt"]
    assert result["on_topic"]["right"] is False
    assert result["groundedness"]["share"] == 0.0
    assert "Turkey and Syria signed a treaty." in result["groundedness"]["ungrounded"]


def test_missing_and_unmatched_briefs(scorer):
    report = scorer.score(GOLD, [make_brief(["Syria"], source="elsewhere/other.txt")], {"t.txt": TEXT})
    assert report["unmatched_briefs"] == ["elsewhere/other.txt"]
    assert report["articles"]["t.txt"]["missing"] is True
    assert report["total"]["members"]["recall"] == 0.0


def test_main_json_end_to_end(scorer, tmp_path, capsys):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "t.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    brief = make_brief(["Türkiye", "Syria", "Jordan"], ["Hakan Fidan", "Ahmed Al-Sarraj"])
    (tmp_path / "briefs.jsonl").write_text(brief.model_dump_json() + "\n\n", encoding="utf-8")
    code = scorer.main(
        [
            str(tmp_path / "gold.json"),
            str(tmp_path / "briefs.jsonl"),
            "--json",
            "--articles",
            str(tmp_path / "articles"),
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"]["members"]["f1"] == 1.0
    assert report["total"]["groundedness"] == {"facts": 6, "grounded": 6, "share": 1.0}
