"""The story's coalitions discovered across its articles, statuses per source, count ranges, the drafted story file."""

from __future__ import annotations

import datetime as dt
import itertools

from summarise.articles.story import load_story
from summarise.evaluate import score_coalitions
from summarise.evaluate.gold import GoldArticle, GoldStoryCoalition
from summarise.evaluate.scoring import score_members, score_statuses
from summarise.merge import merge_briefs
from summarise.merge.drafting import draft_story, story_toml
from summarise.schemas import CoalitionMember
from summarise.text.dates import resolve_date
from summarise.text.entities import organisation_candidates

from briefs import brief, coalition, figure


def member(name: str, evidence: str, status: str = "member", status_date: str | None = None) -> CoalitionMember:
    return CoalitionMember(name=name, evidence=evidence, status=status, status_date=status_date)


def test_an_acronym_the_articles_spell_out_is_one_coalition_with_its_long_name():
    long = "Mali, Burkina Faso and Niger formed the Alliance of Sahel States (AES) on Saturday."
    short = "The AES said Mali, Niger and Burkina Faso would field a joint force."
    briefs = [
        brief("a", "A", "2024-01-01", coalitions=[coalition("Alliance of Sahel States", ["Mali", "Niger"], long)]),
        brief("b", "B", "2024-02-01", coalitions=[coalition("AES", ["Mali"], short)]),
    ]
    merged = merge_briefs(briefs)
    assert [c.name for c in merged.coalitions] == ["Alliance of Sahel States"]


def test_two_coalitions_with_names_of_their_own_stay_apart_whatever_members_they_share():
    aspides = "Greece, France, Italy and Germany sent frigates to Aspides, the EU mission."
    guardian = "Greece, France, Italy and Germany were named in Operation Prosperity Guardian."
    briefs = [
        brief("a", "A", "2024-02-19", coalitions=[coalition("Aspides", ["Greece", "France", "Italy"], aspides)]),
        brief("b", "B", "2024-02-20", coalitions=[coalition("Prosperity Guardian", ["Greece", "France"], guardian)]),
    ]
    assert len(merge_briefs(briefs).coalitions) == 2


def test_a_target_its_name_states_groups_a_coalition_with_the_same_leader_and_target():
    named = "The US-led coalition against ISIS carried out strikes, with Syria taking part."
    stated = "The United States leads a coalition fighting ISIS that Iraq supports."
    briefs = [
        brief("a", "A", "2024-01-01", coalitions=[coalition("US-led coalition against ISIS", ["Syria"], named)]),
        brief(
            "b",
            "B",
            "2024-01-02",
            coalitions=[coalition("coalition", ["Iraq"], stated, led_by="United States", target="ISIS")],
        ),
    ]
    first = coalition("US-led coalition against ISIS", ["Syria"], named, led_by="United States")
    briefs[0] = brief("a", "A", "2024-01-01", coalitions=[first])
    merged = merge_briefs(briefs)
    assert len(merged.coalitions) == 1 and merged.coalitions[0].target == "ISIS"


def test_the_coalitions_found_do_not_depend_on_the_order_of_the_articles():
    texts = [
        ("a", "Alliance of Sahel States", ["Mali", "Niger", "Burkina Faso"], "Mali, Niger and Burkina Faso formed it."),
        ("b", "Sahel alliance", ["Mali", "Niger"], "Mali and Niger spoke for the Sahel alliance."),
        ("c", "joint force", ["Mali", "Niger", "Burkina Faso"], "Mali, Niger and Burkina Faso set up a joint force."),
        ("d", "ECOWAS", ["Nigeria", "Ghana", "Senegal"], "Nigeria, Ghana and Senegal stayed in ECOWAS."),
    ]
    briefs = [brief(n, n.upper(), f"2024-01-0{i}", coalitions=[coalition(*t)]) for i, (n, *t) in enumerate(texts, 1)]
    shapes = {
        tuple(sorted(tuple(sorted(c.source_ids)) for c in merge_briefs(list(order)).coalitions))
        for order in itertools.permutations(briefs)
    }
    assert len(shapes) == 1


def _said(name: str, published: str, status: str, evidence: str, status_date: str | None = None):
    members = [
        member("Ukraine", evidence),
        member("Türkiye", evidence),
        member("Russia", evidence, status, status_date),
    ]
    grain = coalition("Black Sea Grain Initiative", [], evidence)
    grain.members = members
    return brief(name, name.upper(), published, coalitions=[grain])


def test_a_change_of_status_over_time_is_shown_per_source_and_is_no_conflict():
    briefs = [
        _said("a", "2022-07-23", "member", "Russia, Ukraine and Türkiye signed the grain deal."),
        _said("b", "2023-07-18", "withdrawn", "Russia quit the deal that Ukraine and Türkiye still back."),
    ]
    merged = merge_briefs(briefs)
    russia = next(m for m in merged.coalitions[0].members if m.name == "Russia")
    assert russia.membership == ["member", "withdrawn"]
    assert [s.value for s in russia.statuses] == ["member", "withdrawn"]
    assert not [c for c in merged.conflicts if c.kind == "status"]


def test_sources_giving_statuses_no_change_explains_are_a_status_conflict():
    briefs = [
        _said("a", "2023-07-18", "withdrawn", "Russia quit the deal that Ukraine and Türkiye still back."),
        _said("b", "2023-07-19", "suspended", "Russia suspended its part in the deal Ukraine and Türkiye run."),
    ]
    merged = merge_briefs(briefs)
    [conflict] = [c for c in merged.conflicts if c.kind == "status"]
    assert {v.value for v in conflict.values} == {"withdrawn", "suspended"} and "Russia" in conflict.about
    russia = next(m for m in merged.coalitions[0].members if m.name == "Russia")
    assert russia.status == "conflict"


def _counted(name: str, day: str, count: int, written: str, qualifier: str):
    sentence = f"{written} countries have joined the operation led by the United States with Bahrain and Canada."
    bloc = coalition("Operation Sentinel", ["United States", "Bahrain", "Canada"], sentence, member_count_stated=count)
    return brief(
        name,
        name.upper(),
        day,
        coalitions=[bloc],
        figures=[figure(count, written.split()[-1], "countries", "countries joined", sentence, qualifier)],
    )


def test_counts_are_compared_as_ranges_their_qualifiers_allow():
    more_than_20 = _counted("a", "2024-01-01", 20, "More than 20", "more_than")
    exactly_23 = _counted("b", "2024-01-02", 23, "Exactly 23", "exact")
    a_total_of_20 = _counted("c", "2024-01-03", 20, "A total of 20", "exact")
    kinds = {c.kind for c in merge_briefs([more_than_20, exactly_23]).conflicts}
    assert "member_count" not in kinds and "figure" not in kinds
    conflicts = merge_briefs([more_than_20, a_total_of_20]).conflicts
    assert {"member_count", "figure"} <= {c.kind for c in conflicts}


def test_a_drafted_story_file_reads_back_with_the_discovered_coalitions():
    long = "Mali, Burkina Faso and Niger formed the Alliance of Sahel States (AES) on Saturday."
    short = "The AES said Mali, Niger and Burkina Faso would field a joint force."
    briefs = [
        brief("a", "A", "2024-01-01", coalitions=[coalition("Alliance of Sahel States", ["Mali", "Niger"], long)]),
        brief("b", "B", "2024-02-01", coalitions=[coalition("AES", ["Mali", "Niger"], short)]),
    ]
    story, merged = draft_story(briefs)
    text = story_toml(story, merged)
    assert text.startswith("# Drafted by summarise")

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "story.toml"
        path.write_text(text, encoding="utf-8")
        read = load_story(path)
    [known] = read.coalitions
    assert known.name == "Alliance of Sahel States" and known.aliases == ("AES",)
    assert known.membership == "closed" and read.targets == ()
    again = merge_briefs(briefs, read)
    assert [c.name for c in again.coalitions] == ["Alliance of Sahel States"]


def test_statuses_are_scored_apart_from_members():
    evidence = "Argentina declined the invitation while Brazil, India and China welcomed Egypt."
    bloc = coalition("BRICS", ["Brazil", "India", "China"], evidence)
    bloc.members += [member("Argentina", evidence, "declined"), member("Egypt", evidence, "joining")]
    scored = brief("a", "A", "2024-01-01", coalitions=[bloc])
    gold = GoldArticle(
        on_topic=True,
        members=["Brazil", "India", "China", "Egypt"],
        statuses={"Argentina": "declined", "Egypt": "joining", "Saudi Arabia": "invited"},
    )
    assert score_members(scored, gold)["fp"] == 0  # a state that declined is no member
    statuses = score_statuses(scored, gold)
    assert (statuses["tp"], statuses["fp"], statuses["fn"]) == (2, 0, 1)


def test_the_merged_coalitions_are_scored_against_the_real_ones():
    aspides = "Greece, France, Italy and Germany sent frigates to Aspides, the EU mission."
    guardian = "The United States leads Operation Prosperity Guardian with Bahrain and Canada."
    merged = merge_briefs(
        [
            brief("a", "A", "2024-02-19", coalitions=[coalition("Aspides", ["Greece", "France", "Italy"], aspides)]),
            brief(
                "b",
                "B",
                "2024-02-20",
                coalitions=[
                    coalition(
                        "Operation Prosperity Guardian",
                        ["United States", "Bahrain", "Canada"],
                        guardian,
                        led_by="United States",
                    )
                ],
            ),
        ]
    )
    real = [
        GoldStoryCoalition(name="Aspides", leader="Greece", members=["Greece", "France", "Italy", "Germany"]),
        GoldStoryCoalition(name="Operation Prosperity Guardian", leader="United States"),
    ]
    scored = score_coalitions(merged, real)
    assert (scored["real"], scored["entries"], scored["one_entry"], scored["leader_right"]) == (2, 2, 2, 1)


def test_a_dateline_or_a_run_of_words_before_an_organisation_word_is_no_candidate():
    text = "ERBIL, Kurdistan Region - The United States on Monday announced Operation Guard with the AES on Monday.\n"
    found = organisation_candidates(text)
    assert "ERBIL" not in found and "AES" in found
    assert not any("Monday" in name for name in found)


def test_the_tense_of_its_clause_places_a_month_without_a_year():
    published = dt.date(2025, 11, 11)
    assert resolve_date("in December", published, "after the regime fell in December")[0] == "2024-12"
    assert resolve_date("in December", published, "talks will resume in December")[0] == "2025-12"
    assert resolve_date("in December", published)[0] == "2025-12"  # no tense: the nearest December
    assert resolve_date("in October", dt.date(2025, 11, 20), "the vote will be held in October")[0] == "2026-10"


def test_one_name_is_one_coalition_even_when_sources_state_different_leaders():
    first = "South Africa, which chairs BRICS this year, hosted Brazil, Russia, India and China."
    second = "Brazil, which chairs BRICS in 2025, welcomed Indonesia as a full member."
    briefs = [
        brief(
            "a",
            "A",
            "2023-08-25",
            coalitions=[coalition("BRICS", ["Brazil", "Russia", "India"], first, led_by="South Africa")],
        ),
        brief(
            "b", "B", "2025-01-07", coalitions=[coalition("BRICS", ["Indonesia", "Brazil"], second, led_by="Brazil")]
        ),
    ]
    merged = merge_briefs(briefs)
    assert [c.name for c in merged.coalitions] == ["BRICS"]
    assert [c.kind for c in merged.conflicts] == ["leader"]


def test_statuses_are_read_from_the_words_around_the_states_the_sentence_names():
    from summarise.reading.support import statuses_in

    names = ["Argentina", "Egypt", "Ethiopia", "United Arab Emirates", "Mali", "Niger", "Russia"]
    assert statuses_in("The leaders agreed to invite Argentina, Egypt and Ethiopia.", names) == {
        "Argentina": "invited",
        "Egypt": "invited",
        "Ethiopia": "invited",
    }
    assert statuses_in("The United Arab Emirates said it would join in January.", names) == {
        "United Arab Emirates": "joining"
    }
    assert statuses_in("Argentina declined the offer.", names) == {"Argentina": "declined"}
    assert statuses_in("Russia's withdrawal ended the deal.", names) == {"Russia": "withdrawn"}
    # Leaving another body is no status in this coalition.
    assert statuses_in("Mali and Niger left ECOWAS in January.", names, ["ECOWAS"]) == {}


def test_a_member_list_differing_only_by_a_suspended_member_is_no_member_list_dispute():
    evidence = "Russia, Ukraine, Türkiye and the United Nations run the grain deal."
    suspended = "Ukraine, Türkiye and the United Nations go on while Russia suspended its part."
    first = coalition("Black Sea Grain Initiative", ["Russia", "Ukraine", "Türkiye", "United Nations"], evidence)
    second = coalition("Black Sea Grain Initiative", ["Ukraine", "Türkiye", "United Nations"], suspended)
    second.members.append(member("Russia", suspended, "suspended"))
    merged = merge_briefs(
        [brief("a", "A", "2022-10-01", coalitions=[first]), brief("b", "B", "2022-11-01", coalitions=[second])]
    )
    assert not [c for c in merged.conflicts if c.kind in ("member_list", "member_count", "status")]


def test_a_grouping_is_a_coalition_when_made_of_states_or_their_bodies_not_of_one_person_or_of_companies():
    from summarise.reading.support import made_of_states

    for states in ("ten countries", "Gulf monarchies", "NATO", "Mali, Burkina Faso and Niger", "member states"):
        assert made_of_states(states), states
    for others in (
        "US Secretary of State Antony Blinken",
        "universities and marine institutes",
        "Egypt and Mumbai studios",
    ):
        assert not made_of_states(others), others


def test_a_state_named_only_as_the_home_of_a_crew_is_not_named_as_a_party():
    from summarise.reading.support import named_as_origin

    crew = "Its 25 crew members, who come from Bulgaria, Ukraine and Mexico, are still being held."
    names = ["Bulgaria", "Ukraine", "Mexico", "France", "Italy"]
    assert all(named_as_origin(crew, name, names) for name in ("Bulgaria", "Ukraine", "Mexico"))
    assert not named_as_origin("Warships from France and Italy will join the operation.", "France", names)
