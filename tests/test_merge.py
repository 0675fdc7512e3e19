"""The merger: provenance, canonical names, member status, conflicts, and its properties."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarise.merge import merge_briefs
from summarise.merge.claims import step_disputed
from summarise.reading.events import figures_in
from summarise.schemas import (
    ArticleBrief,
    Claim,
    Coalition,
    CoalitionBrief,
    CoalitionMember,
    Event,
    Figure,
    Person,
    Quote,
    Statement,
)
from summarise.text.entities import person_key

from briefs import ANTI_ISIS, brief, coalition, event, figure, person, seed_situation


def coalition_named(merged: CoalitionBrief, name: str):
    return next(c for c in merged.coalitions if c.name.startswith(name))


def member_of(merged: CoalitionBrief, coalition_name: str, member: str):
    return next(m for m in coalition_named(merged, coalition_name).members if m.name == member)


def label(merged: CoalitionBrief, source_id: str) -> str:
    return next(s.label for s in merged.sources if s.id == source_id)


# --- the seed situation -------------------------------------------------------------------------


def test_seed_situation_gives_the_regional_coalition_and_the_global_coalition_apart():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    names = [c.name for c in merged.coalitions]
    assert len(names) == 2
    assert names[0].startswith("Regional coalition against ISIS")
    assert names[1] == "Global Coalition to Defeat ISIS"
    regional, global_coalition = merged.coalitions
    assert regional.target == global_coalition.target == "ISIS"  # "Daesh" and "Islamic State" are ISIS
    assert global_coalition.kind == "international" and global_coalition.led_by == "United States"
    assert [m.name for m in global_coalition.members] == ["United States", "Syria"]
    assert len(regional.supports) == 4 and regional.outlets == 4


def test_without_a_story_the_two_coalitions_stay_apart_by_their_members():
    merged = merge_briefs(seed_situation())
    assert len(merged.coalitions) == 2
    led_by = {c.led_by for c in merged.coalitions}
    assert "United States" in led_by
    us_led = next(c for c in merged.coalitions if c.led_by == "United States")
    assert {m.name for m in us_led.members} == {"United States", "Syria"}
    assert merged.story == "Coalitions against ISIS"  # told by the coalitions' common target


def test_coalitions_with_one_proper_name_are_one_whatever_their_members():
    named = [
        ("Operation Sentinel", ["Norway", "Denmark"]),
        ("Sentinel naval mission", ["Iceland", "Spain"]),  # the same proper name: one coalition
        ("US-led coalition against pirates", ["Chile", "Peru"]),
        ("US-led coalition against smugglers", ["Fiji", "Tonga"]),  # only generic words and names in common
    ]
    briefs = [
        brief(label, label.upper(), f"2024-01-0{n}", coalitions=[coalition(name, members, f"{name} was reported.")])
        for n, (label, (name, members)) in enumerate(zip("abcd", named, strict=True), start=1)
    ]
    merged = merge_briefs(briefs)
    assert sorted(len(c.supports) for c in merged.coalitions) == [1, 1, 2]


def test_seed_situation_lebanon_is_never_silently_agreed():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    lebanon = member_of(merged, "Regional", "Lebanon")
    assert lebanon.status == "conflict"
    assert len(lebanon.omitted_by) == 3
    kinds = {c.kind: c for c in merged.conflicts}
    assert {"member_list", "member_count"} <= set(kinds)
    lists = {v.value: v.sources for v in kinds["member_list"].values}
    assert "Türkiye, Syria, Iraq, Jordan, Lebanon" in lists
    assert "Türkiye, Syria, Iraq, Jordan" in lists
    counts = {v.value for v in kinds["member_count"].values}
    assert counts == {"4", "5"}


def test_seed_situation_turkiye_is_one_member_whatever_the_spelling():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    regional = coalition_named(merged, "Regional")
    turkiye = [m for m in regional.members if m.name in ("Türkiye", "Turkey", "Turkiye")]
    assert len(turkiye) == 1
    assert turkiye[0].status == "agreed" and turkiye[0].outlets == 4
    assert {s.as_written for s in turkiye[0].supports} == {"Turkiye", "Turkey", None}
    assert [p.name for p in merged.people].count("Hakan Fidan") == 1
    fidan = next(p for p in merged.people if p.name == "Hakan Fidan")
    assert [a.value for a in fidan.affiliations] == ["Türkiye"]


def test_seed_situation_al_sharaa_is_one_person_with_every_spelling_visible():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    sharaa = [p for p in merged.people if "Sharaa" in p.name or "Shar'a" in p.name or "Sarraj" in p.name]
    assert len(sharaa) == 1
    variants = {v.value for v in sharaa[0].variants}
    assert variants == {"Ahmad al-Sharaa", "Ahmed Al-Sarraj", "Ahmed Al-Shar'a"}
    assert len(sharaa[0].merged_because) == 2
    assert all(
        "the same name spelt another way" in reason or ("same role (president)" in reason and "Syria" in reason)
        for reason in sharaa[0].merged_because
    )
    spelling = [c for c in merged.conflicts if c.kind == "name_spelling"]
    assert len(spelling) == 1 and len(spelling[0].values) == 3


def test_seed_situation_figures_keep_both_values_with_their_dates():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    (group,) = merged.figures
    assert [v.value for v in group.values] == [43000, 24000]
    assert [v.published for v in group.values] == [[dt.date(2025, 3, 10)], [dt.date(2025, 12, 1)]]
    conflict = next(c for c in merged.conflicts if c.id == group.conflict)
    assert conflict.kind == "figure"
    assert "changed over time" in (conflict.note or "")
    assert [v.value for v in conflict.values] == [
        "43,000 (more than), reported 2025-03-10",
        "24,000 (about), reported 2025-12-01",
    ]


def test_seed_situation_timeline_never_keeps_a_year_the_source_cannot_give():
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    dated = [(e.date, e.description) for e in merged.timeline]
    assert dated == [
        ("2024-12-08", "Assad was driven from power"),
        ("2025-03", "Five neighbours met in Amman"),
        (None, "Ministers to meet"),  # its source has no publication date: "in March" of no known year
    ]
    undated = merged.timeline[-1]
    assert undated.approximate and [w.value for w in undated.when] == ["in March"]


# --- names --------------------------------------------------------------------------------------


def test_iraq_and_iran_never_merge_and_sdf_and_ypg_stay_apart():
    text = "Iraq, Iran, the SDF and the YPG were all named as taking part in the talks"
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-01-01",
                coalitions=[coalition("talks", ["Iraq", "Iran", "Syrian Democratic Forces", "YPG"], text)],
            )
        ]
    )
    assert [m.name for m in merged.coalitions[0].members] == ["Iraq", "Iran", "SDF", "YPG"]


def test_a_similar_name_without_the_same_role_and_country_is_another_person():
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-01-01",
                people=[person("Ahmad al-Sharaa", "President", "Syria", "President Ahmad al-Sharaa spoke")],
            ),
            brief(
                "b",
                "Outlet B",
                "2025-01-02",
                people=[person("Ahmed Al-Sarraj", "columnist", "Egypt", "columnist Ahmed Al-Sarraj wrote")],
            ),
            brief(
                "c",
                "Outlet C",
                "2025-01-03",
                people=[person("Ahmed Al-Sarraf", "President", None, "President Ahmed Al-Sarraf said")],
            ),
        ]
    )
    assert sorted(p.name for p in merged.people) == ["Ahmad al-Sharaa", "Ahmed Al-Sarraf", "Ahmed Al-Sarraj"]
    assert not [c for c in merged.conflicts if c.kind == "name_spelling"]


def test_spellings_that_differ_only_in_accents_case_or_the_article_are_one_person_without_conflict():
    assert person_key("Recep Tayyip Erdoğan") == person_key("recep tayyip erdogan")
    assert person_key("Bashar al-Assad") == person_key("Bashar Assad") == person_key("Bashar Al Assad")
    assert person_key("Ahmed Al-Shar'a") != person_key("Ahmad al-Sharaa")
    merged = merge_briefs(seed_situation(), ANTI_ISIS)
    erdogan = [p for p in merged.people if person_key(p.name) == "recep tayyip erdogan"]
    assert len(erdogan) == 1 and len(erdogan[0].variants) == 2
    assert not erdogan[0].merged_because
    assert all("Erdo" not in c.about for c in merged.conflicts)


def test_a_coalition_named_only_in_evidence_is_known_when_the_leader_fits():
    text = "Unlike the US-led Global Coalition to Defeat ISIS, the new group is run from Ankara with Iraq and Syria"
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-01-01",
                coalitions=[
                    Coalition(
                        name="new group",
                        kind="regional",
                        target="ISIS",
                        led_by="Turkey",
                        evidence=text,
                        members=[CoalitionMember(name=n, evidence=text) for n in ("Türkiye", "Iraq", "Syria")],
                    )
                ],
            )
        ]
    )
    assert merged.coalitions[0].name == "Regional coalition against ISIS, led by Türkiye"


# --- status, corroboration, copies --------------------------------------------------------------


def test_member_status_agreed_single_source_and_open_coalitions():
    a = "Jordan and Iraq joined the Global Coalition to Defeat ISIS long ago, officials recalled"
    b = "Jordan is a member of the Global Coalition to Defeat ISIS, and so is France"
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-01-01",
                coalitions=[coalition("Global Coalition to Defeat ISIS", ["Jordan", "Iraq"], a)],
            ),
            brief("b", "Outlet B", "2025-01-02", coalitions=[coalition("Global Coalition", ["Jordan", "France"], b)]),
        ],
        ANTI_ISIS,
    )
    (global_coalition,) = merged.coalitions
    status = {m.name: m.status for m in global_coalition.members}
    # an open coalition: an article naming a few of its members does not deny the others
    assert status == {"Jordan": "agreed", "Iraq": "single_source", "France": "single_source"}
    assert not merged.conflicts


def test_same_outlet_and_wire_copies_count_once():
    wire = [
        "Turkey, Syria, Iraq and Jordan agreed on Sunday to set up a joint operations centre against ISIS",
        "The centre will coordinate intelligence and border security between the four governments",
    ]
    copy_facts = dict(
        coalitions=[coalition("joint centre", ["Türkiye", "Syria", "Iraq", "Jordan"], wire[0])],
        events=[event("on Sunday", None, "Joint centre agreed", wire[1])],
    )
    merged = merge_briefs(
        [
            brief("wire-1", "Paper One", "2025-02-02", **copy_facts),
            brief("wire-2", "Paper Two", "2025-02-02", **copy_facts),  # the same wire story in another paper
            brief(
                "own-1",
                "Paper Three",
                "2025-02-03",
                coalitions=[coalition("pact", ["Türkiye", "Syria"], "Türkiye and Syria will lead the new pact")],
            ),
            brief(
                "own-2",
                "Paper Three",
                "2025-02-04",
                coalitions=[
                    coalition("pact", ["Türkiye", "Syria"], "Ankara and Damascus lead the pact, Türkiye and Syria said")
                ],
            ),
        ]
    )
    copies = [s for s in merged.sources if s.counted_with]
    assert len(copies) == 2
    (one_coalition,) = merged.coalitions
    turkiye = next(m for m in one_coalition.members if m.name == "Türkiye")
    assert len(turkiye.source_ids) == 4 and turkiye.outlets == 2
    assert merged.outlets == 2


def test_n_copies_of_one_article_count_one_outlet_and_change_nothing():
    (one,) = seed_situation()[:1]
    copies = [
        one.model_copy(update={"article": one.article.model_copy(update={"source": f"copy{n}.txt"})}) for n in range(4)
    ]
    merged = merge_briefs(copies)
    assert len(merged.sources) == 1 and merged.outlets == 1
    assert merged.sources[0].also_at == ["copy1.txt", "copy2.txt", "copy3.txt"]
    single = merge_briefs([copies[0]])
    assert merged.model_dump(exclude={"sources"}) == single.model_dump(exclude={"sources"})


def test_off_topic_articles_are_listed_flagged_and_contribute_nothing():
    stray = "Ferry operators and the port authority formed a joint company to run the new terminal"
    merged = merge_briefs(
        [
            *seed_situation()[:2],
            brief(
                "harbour",
                "Coastline Courier",
                "2025-05-20",
                on_topic=False,
                coalitions=[coalition("port group", ["Estonia", "Finland"], stray)],
            ),
        ]
    )
    harbour = next(s for s in merged.sources if s.outlet == "Coastline Courier")
    assert harbour.on_topic is False and harbour.facts == 0
    assert all(harbour.id not in c.source_ids for c in merged.coalitions)
    assert "Estonia" not in {m.name for c in merged.coalitions for m in c.members}
    assert merged.outlets == 2


# --- conflicts ----------------------------------------------------------------------------------


def test_a_week_and_a_day_inside_it_are_one_event_dated_by_the_day_and_a_day_outside_is_a_conflict():
    what = "Foreign ministers met in Amman to launch the centre"
    week = event(
        "this week", "2025-03-10/2025-03-16", what, "ministers met in Amman this week", basis="publication_date"
    )
    day = event("on March 12", "2025-03-12", what, "the ministers met in Amman on March 12")
    merged = merge_briefs(
        [brief("a", "Outlet A", "2025-03-14", events=[week]), brief("b", "Outlet B", "2025-03-14", events=[day])]
    )
    [entry] = merged.timeline
    assert (entry.date, entry.approximate, entry.conflict) == ("2025-03-12", False, None)

    earlier = event("on March 2", "2025-03-02", what, "the ministers met in Amman on March 2")
    merged = merge_briefs(
        [brief("a", "Outlet A", "2025-03-14", events=[week]), brief("c", "Outlet C", "2025-03-14", events=[earlier])]
    )
    assert sorted(e.date for e in merged.timeline) == ["2025-03-02", "2025-03-10/2025-03-16"]
    assert [c.kind for c in merged.conflicts] == ["date"]
    assert all(e.approximate == (e.date == "2025-03-10/2025-03-16") for e in merged.timeline)


def test_a_name_half_the_outlets_give_a_coalition_names_it_in_the_merged_brief():
    states = ["Norway", "Iceland", "Denmark"]
    sentence = "Norway, Iceland and Denmark run the patrol."

    def described(name: str, source: str):
        found = coalition(name, states, sentence, kind="regional", target="Harsk")
        return brief(source, f"Outlet {source}", "2025-03-14", coalitions=[found])

    merged = merge_briefs(
        [
            described("Operation Cod Shield", "a"),
            described("Cod Shield mission", "b"),
            described("the three-state patrol", "c"),
        ]
    )
    [shield] = merged.coalitions
    assert shield.name == "Operation Cod Shield"  # one proper name in two spellings, by two outlets of three
    assert merged.story == "Coalitions against Harsk"

    merged = merge_briefs(
        [
            described("Operation Cod Shield", "a"),
            described("northern patrol", "b"),
            described("the three-state patrol", "c"),
        ]
    )
    assert merged.coalitions[0].name == "Regional coalition against Harsk"  # one outlet of three: no common name


def test_one_leader_against_one_target_is_one_coalition_whatever_few_members_each_source_names():
    def described(name: str, source: str, members: list[str]):
        sentence = f"{', '.join(members)} take part in the Norway-led campaign against Harsk."
        found = coalition(name, members, sentence, kind="international", target="Harsk", led_by="Norway")
        return brief(source, f"Outlet {source}", "2025-03-14", coalitions=[found])

    merged = merge_briefs(
        [
            described("campaign against Harsk", "a", ["Norway", "Iceland"]),
            described("Norway-led coalition", "b", ["Norway", "Denmark", "Finland", "Estonia"]),
        ]
    )
    [campaign] = merged.coalitions  # members overlap by a fifth only, but one leader against one target
    assert {m.name for m in campaign.members} == {"Norway", "Iceland", "Denmark", "Finland", "Estonia"}

    merged = merge_briefs(
        [
            described("Norway-led coalition against Harsk", "a", ["Norway", "Iceland"]),
            described("Coalition against Harsk", "b", ["Norway", "Denmark", "Finland", "Estonia"]),
        ]
    )
    assert len(merged.coalitions) == 1  # words of the target and generic words are no names of their own

    merged = merge_briefs(
        [
            described("Operation Cod Shield", "a", ["Norway", "Iceland"]),
            described("Operation Net Guard", "b", ["Norway", "Denmark", "Finland", "Estonia"]),
        ]
    )
    assert len(merged.coalitions) == 2  # names of their own, not the same: two operations of one leader


def test_a_week_running_into_a_month_can_be_an_event_of_that_month():
    what = "Foreign ministers met in Amman to launch the centre"
    week = event(
        "last week", "2025-02-24/2025-03-02", what, "ministers met in Amman last week", basis="publication_date"
    )
    month = event("in March", "2025-03", what, "ministers met in Amman in March", basis="publication_date")
    merged = merge_briefs(
        [brief("a", "Outlet A", "2025-03-05", events=[week]), brief("b", "Outlet B", "2025-03-20", events=[month])]
    )
    assert len(merged.timeline) == 1 and not merged.conflicts  # they share March 1 and 2


def test_a_week_and_a_day_days_outside_it_for_one_named_step_are_a_date_conflict():
    week = event(
        "last week",
        "2025-03-03/2025-03-09",
        "Norway launched Operation Cod Shield with two frigates",
        "Norway launched Operation Cod Shield with two frigates last week",
        basis="publication_date",
    )
    day = event(
        "on March 12",
        "2025-03-12",
        "The first boats of Operation Cod Shield sailed",
        "The first boats of Operation Cod Shield sailed on March 12",
    )
    merged = merge_briefs(
        [brief("a", "Outlet A", "2025-03-14", events=[week]), brief("b", "Outlet B", "2025-03-14", events=[day])]
    )
    assert [c.kind for c in merged.conflicts] == ["date"]  # three days apart, the same named operation


def test_the_title_separates_coalition_names_that_hold_commas():
    def described(name: str, source: str, members: list[str], leader: str | None, target: str | None):
        sentence = f"{', '.join(members)} work together."
        found = coalition(name, members, sentence, kind="regional", target=target, led_by=leader)
        return brief(source, f"Outlet {source}", "2025-03-14", coalitions=[found])

    merged = merge_briefs(
        [
            described("the patrol", "a", ["Norway", "Iceland", "Denmark"], "Norway", None),
            described("Operation Cod Shield", "b", ["Chile", "Peru", "Ecuador"], None, "Harsk"),
        ]
    )
    assert merged.story == "Regional coalition, led by Norway; Operation Cod Shield"


def test_same_event_from_two_sources_is_one_entry_and_different_dates_are_a_conflict():
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-03-12",
                events=[
                    event(
                        "on March 9",
                        "2025-03-09",
                        "Foreign ministers met in Amman to launch the centre",
                        "the ministers met in Amman on March 9",
                    )
                ],
            ),
            brief(
                "b",
                "Outlet B",
                "2025-03-20",
                events=[
                    event(
                        "in March",
                        "2025-03",
                        "Foreign ministers met in Amman to launch the centre",
                        "foreign ministers gathered in Amman in March",
                        basis="publication_date",
                    )
                ],
            ),
            brief(
                "c",
                "Outlet C",
                "2025-03-20",
                events=[
                    event(
                        "on March 2",
                        "2025-03-02",
                        "The foreign ministers met in Amman and launched the centre",
                        "ministers met in Amman on March 2",
                    )
                ],
            ),
        ]
    )
    dates = [(e.date, len(e.supports)) for e in merged.timeline]
    assert dates == [("2025-03-02", 1), ("2025-03-09", 2)]  # "in March" joins the closer description
    (conflict,) = merged.conflicts
    assert conflict.kind == "date"
    assert {v.value for v in conflict.values} == {"2025-03-02", "2025-03-09"}
    assert all(e.conflict == conflict.id for e in merged.timeline)


def claiming(name: str, claim: str, evidence: str) -> ArticleBrief:
    """A brief of outlet ``name`` holding one claim of Ankara's."""
    return brief(name, f"Outlet {name}", "2025-01-01", claims=[Claim(holder="Ankara", claim=claim, evidence=evidence)])


def test_contradictory_claims_are_listed_with_their_sources():
    merged = merge_briefs(
        [
            claiming("a", "Turkey will send troops to the joint centre", "Ankara says it will send troops"),
            claiming(
                "b", "Turkey will not send troops to the joint centre", "officials said Turkey will not send troops"
            ),
        ]
    )
    (conflict,) = merged.conflicts
    assert conflict.kind == "claim"
    assert [len(v.sources) for v in conflict.values] == [1, 1]
    assert len(merged.claims) == 2


def stating(name: str, holder: str, sentence: str, claim: str | None = None) -> ArticleBrief:
    """A brief of outlet ``name`` holding the claim its code reading of ``sentence`` gives (written by hand)."""
    claim = claim or sentence.rstrip(".")
    return brief(name, f"Outlet {name}", "2025-01-01", claims=[Claim(holder=holder, claim=claim, evidence=sentence)])


STEP_DISPUTED = "One source says it was done ({}), another that it was not."


@pytest.mark.parametrize(
    ("denial", "denied_claim", "step_only"),
    [
        # negated in words too: found by the step or by the negated claim text, either way a claim conflict
        (
            "Norland had still not signed the river accord, officials in Vessby said.",
            "Norland had still not signed the river accord",
            False,
        ),
        # "has yet to" is no negation word: only the step's denial tells the two apart
        (
            "Norland has yet to sign the river accord, officials in Vessby said.",
            "Norland has yet to sign the river accord",
            True,
        ),
    ],
)
def test_one_source_saying_a_step_was_taken_and_another_that_it_was_not_is_a_claim_conflict(
    denial, denied_claim, step_only
):
    # Invented sentences about a made-up state and town: one reports the signing, one attributes its denial.
    signed = "Norland has signed the river accord and will send two boats."
    merged = merge_briefs(
        [
            stating("a", "Outlet a", signed),
            stating("b", "officials in Vessby", denial, claim=denied_claim),
        ]
    )
    assert len(merged.claims) == 2
    (conflict,) = merged.conflicts
    assert conflict.kind == "claim"
    assert [len(v.sources) for v in conflict.values] == [1, 1]
    assert {v.value for v in conflict.values} == {signed.rstrip("."), denied_claim}
    assert step_disputed(signed, denial) == STEP_DISPUTED.format("sign")
    if step_only:
        assert conflict.note == STEP_DISPUTED.format("sign")


def test_a_state_declining_a_step_others_took_is_no_conflict():
    # Invented sentences: Sudmark's refusal says nothing against the nine that joined (only "patrol" in common).
    merged = merge_briefs(
        [
            stating("a", "Outlet a", "Sudmark declined to join the patrol."),
            stating("b", "Outlet b", "Nine countries have joined the patrol."),
        ]
    )
    assert len(merged.claims) == 2
    assert merged.conflicts == []


def test_the_same_step_denied_of_one_named_state_and_taken_by_another_is_no_conflict():
    # Invented sentences with states the entity table knows (only those are compared as states): the same
    # words about the patrol, but Portugal declined while Spain joined.
    declined = "Portugal declined to join the shared river patrol along the border."
    merged = merge_briefs(
        [
            stating("a", "Outlet a", declined),
            stating("b", "Outlet b", "Spain has joined the shared river patrol along the border."),
        ]
    )
    assert merged.conflicts == []
    same_state = merge_briefs(  # the control: the same state both ways is disputed
        [
            stating("a", "Outlet a", declined),
            stating("b", "Outlet b", "Portugal has joined the shared river patrol along the border."),
        ]
    )
    (conflict,) = same_state.conflicts
    assert conflict.kind == "claim"


def test_a_named_state_declining_is_no_answer_to_unnamed_countries_joining():
    merged = merge_briefs(
        [
            stating("a", "Outlet a", "Portugal declined to join the shared river patrol along the border."),
            stating("b", "Outlet b", "Nine countries have joined the shared river patrol along the border."),
        ]
    )
    assert merged.conflicts == []


def test_leader_disagreement_is_a_conflict():
    text_a = "Jordan will lead the alliance of Jordan, Iraq and Syria against ISIS"
    text_b = "Iraq is to lead the alliance with Jordan and Syria against ISIS"
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-01-01",
                coalitions=[coalition("alliance", ["Jordan", "Iraq", "Syria"], text_a, led_by="Jordan")],
            ),
            brief(
                "b",
                "Outlet B",
                "2025-01-02",
                coalitions=[coalition("alliance", ["Iraq", "Jordan", "Syria"], text_b, led_by="Iraq")],
            ),
        ]
    )
    assert len(merged.coalitions) == 1
    (conflict,) = merged.conflicts
    assert conflict.kind == "leader" and {v.value for v in conflict.values} == {"Jordan", "Iraq"}


# --- properties ---------------------------------------------------------------------------------

COUNTRY_SPELLINGS = [
    "Turkey",
    "Türkiye",
    "Turkiye",
    "Syria",
    "Iraq",
    "Iran",
    "Jordan",
    "Lebanon",
    "United States",
    "US",
]
PEOPLE = [
    ("Ahmad al-Sharaa", "interim President", "Syria"),
    ("Ahmed Al-Shar'a", "President", "Syria"),
    ("Ahmed Al-Sarraj", "President", "Syria"),
    ("Hakan Fidan", "Foreign Minister", "Turkey"),
    ("Recep Tayyip Erdoğan", "President", "Türkiye"),
    ("Recep Tayyip Erdogan", None, None),
    ("Brad Cooper", "commander", "CENTCOM"),
]
DATES = [("in March", "2025-03"), ("on March 9", "2025-03-09"), ("in 2024", "2024"), ("recently", None)]


@st.composite
def article_briefs(draw, index: int) -> ArticleBrief:
    """A random, valid brief drawn from small pools of names, dates and values."""
    rng = random.Random(draw(st.integers(0, 10**6)))
    sentence = f"Sentence {index}: " + " ".join(rng.sample(["alpha", "beta", "gamma", "delta", "omega"], 3))
    members = rng.sample(COUNTRY_SPELLINGS, rng.randint(0, 5))
    coalitions = []
    if len(members) >= 2:
        coalitions.append(
            Coalition(
                name=rng.choice(["the alliance", "Global Coalition to Defeat ISIS", "joint centre"]),
                kind=rng.choice(["regional", "international", "other"]),
                target=rng.choice(["ISIS", "Daesh", None]),
                evidence=sentence + " coalition",
                members=[CoalitionMember(name=m, evidence=f"{sentence} lists {m}") for m in members],
                member_count_stated=rng.choice([None, None, len(members), 4]),
                objectives=[
                    Statement(text=rng.choice(["defeat ISIS", "share intelligence"]), evidence=sentence + " aim")
                ],
            )
        )
    people = [
        Person(name=n, role=r, affiliation=a, evidence=f"{sentence} names {n}")
        for n, r, a in rng.sample(PEOPLE, rng.randint(0, 3))
    ]
    events = [
        Event(
            when_text=w,
            date=d,
            date_basis="text" if d else None,
            description=rng.choice(["ministers met", "centre opened"]),
            evidence=f"{sentence} event {w}",
        )
        for w, d in rng.sample(DATES, rng.randint(0, 2))
    ]
    figures = [
        Figure(
            value=v, value_as_written=f"{v:,}", unit="detainees", what="detainees in al-Hol", evidence=f"{sentence} {v}"
        )
        for v in rng.sample([43000, 24000, 10000], rng.randint(0, 2))
    ]
    claims = [
        Claim(holder="Ankara", claim=c, evidence=f"{sentence} claim")
        for c in rng.sample(["troops will be sent", "troops will not be sent"], rng.randint(0, 1))
    ]
    quotes = [Quote(speaker="Fidan", text="we are ready", evidence=f"{sentence} quote")] if rng.random() < 0.3 else []
    return brief(
        f"random-{index}-{rng.randint(0, 3)}",
        rng.choice(["Outlet A", "Outlet B", "Outlet C", None]),
        rng.choice(["2025-01-05", "2025-03-12", None]),
        on_topic=rng.choice([True, True, True, False, None]),
        coalitions=coalitions,
        people=people,
        events=events,
        figures=figures,
        claims=claims,
        quotes=quotes,
    )


brief_lists = st.integers(1, 6).flatmap(lambda n: st.tuples(*(article_briefs(i) for i in range(n)))).map(list)


@settings(max_examples=60, deadline=None)
@given(briefs=brief_lists, data=st.data())
def test_merging_does_not_depend_on_the_order_of_the_articles(briefs, data):
    shuffled = data.draw(st.permutations(briefs))
    assert merge_briefs(shuffled).model_dump_json() == merge_briefs(briefs).model_dump_json()


@settings(max_examples=40, deadline=None)
@given(briefs=brief_lists)
def test_merging_briefs_with_themselves_changes_no_fact_and_adds_no_conflict(briefs):
    once = merge_briefs(briefs)
    twice = merge_briefs(briefs + briefs)
    assert twice.model_dump_json() == once.model_dump_json()


@settings(max_examples=60, deadline=None)
@given(briefs=brief_lists)
def test_every_fact_of_every_on_topic_brief_is_reachable_in_the_merged_brief(briefs):
    merged = merge_briefs(briefs)
    reachable = supports_by_section(merged)
    for one in briefs:
        if one.on_topic is False:
            continue
        for fact in one.facts():
            section = SECTION[type(fact).__name__]
            assert (one.article.id, fact.evidence) in reachable[section], (section, fact)


@settings(max_examples=40, deadline=None)
@given(briefs=brief_lists)
def test_every_support_and_conflict_points_at_a_listed_source(briefs):
    merged = merge_briefs(briefs)
    ids = {s.id for s in merged.sources}
    for section in supports_by_section(merged).values():
        assert {source for source, _ in section} <= ids
    for conflict in merged.conflicts:
        assert all(set(v.sources) <= ids for v in conflict.values)
        assert len({v.value for v in conflict.values}) == len(conflict.values) >= 2
    assert [s.label for s in merged.sources] == [f"S{n}" for n in range(1, len(merged.sources) + 1)]


SECTION = {
    "Coalition": "coalitions",
    "CoalitionMember": "members",
    "Statement": "statements",
    "Person": "people",
    "Event": "timeline",
    "Figure": "figures",
    "Claim": "claims",
    "Quote": "quotes",
}


def supports_by_section(merged: CoalitionBrief) -> dict[str, set[tuple[str, str]]]:
    def pairs(items) -> set[tuple[str, str]]:
        return {(s.source, s.evidence) for item in items for s in item.supports}

    return {
        "coalitions": pairs(merged.coalitions),
        "members": pairs(m for c in merged.coalitions for m in c.members),
        "statements": pairs(s for c in merged.coalitions for s in [*c.objectives, *c.mechanisms]),
        "people": pairs(merged.people),
        "timeline": pairs(merged.timeline),
        "figures": pairs(v for g in merged.figures for v in g.values),
        "claims": pairs(merged.claims),
        "quotes": pairs(merged.quotes),
    }


def test_claims_that_differ_only_in_a_number_are_not_merged_but_listed_as_a_conflict():
    merged = merge_briefs(
        [
            claiming("a", "Turkey will send 500 troops to the zone", "it will send 500 troops"),
            claiming("b", "Turkey will send 5,000 troops to the zone", "up to 5,000 troops"),
        ]
    )
    assert len(merged.claims) == 2
    (conflict,) = merged.conflicts
    assert conflict.kind == "claim" and "different numbers" in (conflict.note or "")


def test_figures_are_matched_by_what_their_sentences_count():
    # Invented sentences: the count is read from the words after the number, not from the model's labels.
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-05-01",
                figures=[
                    figure(8, "eight", "boats", "boats seized", "Raiders seized eight fishing boats off the cape."),
                    figure(30, "30", "boats", "countries", "The seized boats fly the flags of 30 countries."),
                ],
            ),
            brief(
                "b",
                "Outlet B",
                "2025-05-03",
                figures=[
                    figure(12, "a dozen", "vessels", "attacks", "Raiders hold a dozen fishing boats, the navy said."),
                    figure(9, "nine", "countries", "joined", "Nine countries have joined the patrol."),
                    figure(4, "fourth", "member", "Chile", "Chile is the patrol's fourth member."),
                    figure(3, "3", "members", "members", "The patrol grew from 3 members to 9 countries this year."),
                ],
            ),
        ]
    )
    disputes = [c for c in merged.conflicts if c.kind == "figure"]
    assert [[v.value.split(",")[0] for v in c.values] for c in disputes] == [["eight", "a dozen"]]


def test_a_date_dispute_is_found_through_the_name_an_event_description_gives():
    # Invented: one sentence says "the patrol", its description names it; the other sentence names it.
    merged = merge_briefs(
        [
            brief(
                "a",
                "Outlet A",
                "2025-06-03",
                events=[
                    event(
                        "on Monday",
                        "2025-06-02",
                        "Admiral Ruiz sent the first ships of Operation Quiet Harbour to sea",
                        "Admiral Ruiz sent the first ships of the patrol to sea on Monday.",
                        basis="publication_date",
                    )
                ],
            ),
            brief(
                "b",
                "Outlet B",
                "2025-06-05",
                events=[
                    event(
                        "on June 3",
                        "2025-06-03",
                        "the navy began Operation Quiet Harbour with six ships",
                        "The navy began Operation Quiet Harbour on June 3 with six ships.",
                    )
                ],
            ),
        ]
    )
    [dispute] = [c for c in merged.conflicts if c.kind == "date"]
    assert sorted(v.value for v in dispute.values) == ["2025-06-02", "2025-06-03"]


def test_two_numbers_of_one_sentence_are_two_measures():
    # Invented: two outlets write the same sentence; its two numbers count boats and towns.
    def read(label: str, outlet: str, published: str, sentence: str):
        figures = [figure(f.value, f.written, f.unit, f.what, f.sentence, f.qualifier) for f in figures_in([sentence])]
        return brief(label, outlet, published, figures=figures)

    merged = merge_briefs(
        [
            read("a", "River Post", "2025-03-01", "At Lantby more than 400 boats from 12 towns are moored."),
            read("b", "Valley News", "2025-03-02", "At Lantby more than 400 boats from 12 towns are now moored."),
        ]
    )
    assert sorted([v.value for v in group.values] for group in merged.figures) == [[12], [400]]
    assert not [c for c in merged.conflicts if c.kind == "figure"]
