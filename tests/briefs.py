"""Hand-built per-article briefs for merger tests.

Every brief here is written by hand for the tests (no model produced it). The evidence
strings paraphrase the kind of sentence a news article would contain; they are not taken
from any real article.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from summarise.schemas import ArticleBrief, ArticleRef, Coalition, CoalitionMember, Event, Figure, Person, Statement


def article_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


def member(name: str, evidence: str, **fields: Any) -> CoalitionMember:
    return CoalitionMember(name=name, evidence=evidence, **fields)


def coalition(name: str, members: list[str], evidence: str, **fields: Any) -> Coalition:
    """A coalition whose members are all backed by its own evidence sentence."""
    written = {"Türkiye": fields.pop("turkiye_as", None)}
    return Coalition(
        name=name,
        evidence=evidence,
        members=[member(m, evidence, name_as_written=written.get(m)) for m in members],
        **fields,
    )


def brief(
    name: str,
    outlet: str | None,
    published: str | None,
    on_topic: bool | None = True,
    url: str | None = None,
    **facts: Any,
) -> ArticleBrief:
    return ArticleBrief(
        article=ArticleRef(
            id=article_id(name),
            source=f"articles/{name}.txt",
            title=f"Story {name}",
            outlet=outlet,
            url=url,
            published=dt.date.fromisoformat(published) if published else None,
        ),
        on_topic=on_topic,
        **facts,
    )


def person(name: str, role: str | None, affiliation: str | None, evidence: str) -> Person:
    return Person(name=name, role=role, affiliation=affiliation, evidence=evidence)


def event(when_text: str, date: str | None, description: str, evidence: str, basis: str | None = None) -> Event:
    return Event(
        when_text=when_text,
        date=date,
        date_basis=basis or ("text" if date else None),
        description=description,
        evidence=evidence,
    )


def figure(value: float, as_written: str, unit: str, what: str, evidence: str, qualifier: str = "exact") -> Figure:
    return Figure(
        value=value, value_as_written=as_written, unit=unit, what=what, evidence=evidence, qualifier=qualifier
    )


def seed_situation() -> list[ArticleBrief]:
    """Five briefs shaped like the story the product was specified from.

    A five-country meeting (with Lebanon) in one source, a four-country pact in three others
    (one of them spelling Syria's president "Ahmed Al-Sarraj"), a US-led Global Coalition
    operation with Syria as its newest partner, and Türkiye written three ways.
    """
    five = "Officials from Turkiye, Syria, Iraq, Jordan and Lebanon agreed in Amman to run a joint operations room"
    four_a = "Turkey, Syria, Iraq and Jordan will bring their ministers together to form an alliance against ISIS"
    four_b = "Turkey, Iraq, Syria and Jordan pledged to work as four countries to wipe out Islamic State"
    four_c = "Ankara wants Türkiye, Syria, Iraq and Jordan to take charge of their own security against Daesh"
    global_coalition = "Syria has become the 90th partner of the US-led Global Coalition to Defeat ISIS"
    return [
        brief(
            "five-nations",
            "Regional Herald",
            "2025-03-10",
            coalitions=[
                coalition(
                    "joint operations room",
                    ["Türkiye", "Syria", "Iraq", "Jordan", "Lebanon"],
                    five,
                    kind="regional",
                    target="Daesh",
                    turkiye_as="Turkiye",
                    objectives=[Statement(text="coordinate the fight against Daesh", evidence=five)],
                )
            ],
            people=[person("Bashar Assad", "former president", "Syria", "Bashar Assad was driven from power")],
            events=[
                event("in March", "2025-03", "Five neighbours met in Amman", five, basis="publication_date"),
                event(
                    "Dec. 8",
                    "2024-12-08",
                    "Assad was driven from power",
                    "since Dec. 8, when Assad fell",
                    basis="publication_date",
                ),
            ],
            figures=[
                figure(
                    43000,
                    "43,000",
                    "detainees",
                    "detainees held in al-Hol camp",
                    "more than 43,000 detainees are held in al-Hol",
                    "more_than",
                )
            ],
        ),
        brief(
            "four-a",
            "Anatolia Wire",
            "2025-02-06",
            coalitions=[
                coalition(
                    "alliance against ISIS",
                    ["Türkiye", "Syria", "Iraq", "Jordan"],
                    four_a,
                    kind="regional",
                    target="ISIS",
                    turkiye_as="Turkey",
                )
            ],
            people=[
                person("Hakan Fidan", "Foreign Minister", "Turkey", "Foreign Minister Hakan Fidan said on Thursday"),
                person("Ahmad al-Sharaa", "interim President", "Syria", "Syria's interim President Ahmad al-Sharaa"),
            ],
        ),
        brief(
            "four-b",
            "Capital Dispatch",
            "2025-02-10",
            coalitions=[
                coalition(
                    "four-country pact",
                    ["Türkiye", "Iraq", "Syria", "Jordan"],
                    four_b,
                    kind="regional",
                    target="Islamic State",
                    member_count_stated=4,
                    turkiye_as="Turkey",
                )
            ],
            people=[
                person("Hakan Fidan", "Turkish Foreign Minister", "Türkiye", "Turkish Foreign Minister Hakan Fidan"),
                person("Ahmed Al-Sarraj", "President", "Syria", "Syria's new president, Ahmed Al-Sarraj, visited"),
                person("Recep Tayyip Erdoğan", "President", "Turkey", "President Recep Tayyip Erdoğan received"),
            ],
        ),
        brief(
            "four-c",
            "Frontier Post",
            None,
            coalitions=[
                coalition(
                    "regional cooperation",
                    ["Türkiye", "Syria", "Iraq", "Jordan"],
                    four_c,
                    kind="regional",
                    target="ISIS",
                )
            ],
            people=[person("Recep Tayyip Erdogan", "President", "Türkiye", "President Recep Tayyip Erdogan said")],
            events=[
                event(
                    "in March", "2025-03", "Ministers to meet", "ministers will meet in March", basis="publication_date"
                )
            ],
        ),
        brief(
            "global",
            "Levant Ledger",
            "2025-12-01",
            coalitions=[
                Coalition(
                    name="CENTCOM",
                    kind="regional",
                    target="ISIS",
                    evidence=global_coalition,
                    members=[
                        member("United States", global_coalition, role="leader", name_as_written="US"),
                        member("Syria", global_coalition),
                    ],
                )
            ],
            people=[person("Ahmed Al-Shar'a", "President", "Syria", "President Ahmed Al-Shar'a visited Washington")],
            figures=[
                figure(
                    24000,
                    "24,000",
                    "detainees",
                    "detainees in al-Hol camp",
                    "about 24,000 people remain in al-Hol",
                    "about",
                )
            ],
        ),
    ]
