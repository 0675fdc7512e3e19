"""Hand-built per-article briefs for merger and renderer tests.

Every brief here is written by hand for the tests (no model produced it). The evidence
strings paraphrase the kind of sentence a news article would contain; they are not taken
from any real article.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from summarise.articles.story import load_story
from summarise.schemas import (
    ArticleBrief,
    ArticleRef,
    Claim,
    Coalition,
    CoalitionMember,
    Event,
    ExtractionInfo,
    Figure,
    Person,
    Quote,
    Statement,
)

#: The shipped anti-ISIS story file: the seed situation below is that story.
ANTI_ISIS = load_story(Path(__file__).resolve().parents[1] / "stories" / "anti_isis.toml")


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


# --- shapes a renderer must cope with -------------------------------------------------------------


def one_source() -> list[ArticleBrief]:
    """A single article: every status is single_source, one column per matrix."""
    text = "Jordan and Iraq said on March 3, 2025 that they would share intelligence on ISIS cells"
    return [
        brief(
            "single",
            "Lone Observer",
            "2025-03-04",
            url="https://example.org/lone",
            coalitions=[coalition("intelligence pact", ["Jordan", "Iraq"], text, kind="bilateral", target="ISIS")],
            events=[event("on March 3, 2025", "2025-03-03", "Jordan and Iraq agreed to share intelligence", text)],
            figures=[figure(2, "two", "countries", "countries in the pact", text)],
        )
    ]


def many_sources(count: int = 100) -> list[ArticleBrief]:
    """``count`` outlets describing a regional coalition, and two of them the US-led Global Coalition.

    Every report lists Türkiye, Syria and Iraq; most list Jordan, a few Lebanon, one Egypt (the
    lists that leave them out make them conflicts). Every third report names the same meeting (one
    timeline entry, many sources), every fourth a month-only date, every seventh a wording with no
    date at all.
    """
    briefs = []
    for n in range(count):
        listed = ["Türkiye", "Syria", "Iraq"] + ["Jordan"] * (n % 5 != 0) + ["Lebanon"] * (n % 9 == 0)
        listed += ["Egypt"] * (n == count // 2)
        text = f"Report {n}: " + ", ".join(listed) + " agreed to coordinate their fight against ISIS"
        coalitions = [coalition("regional coordination", listed, text, kind="regional", target="ISIS")]
        if n in (1, 2):
            allies = ["United States", "France"] if n == 1 else ["United States"]
            global_text = f"Report {n}: " + " and ".join(allies) + " lead the Global Coalition to Defeat ISIS"
            coalitions.append(
                coalition("Global Coalition to Defeat ISIS", allies, global_text, kind="international", target="ISIS")
            )
        events = []
        if n % 3 == 0:
            events.append(event("on March 9, 2025", "2025-03-09", "Ministers met in Amman", f"{text} on March 9, 2025"))
        if n % 4 == 1:
            events.append(event("in June 2025", "2025-06", "A joint operations room opened", f"{text} in June 2025"))
        if n % 7 == 2:
            events.append(event("in the coming weeks", None, f"Border patrol plan number {n}", f"{text} soon"))
        if n % 10 == 5:
            day = f"2025-{1 + n % 12:02d}-{1 + n % 27:02d}"
            events.append(event(f"on {day}", day, f"Raid {n} on a depot", f"{text} on {day}"))
        briefs.append(
            brief(
                f"many-{n:03d}",
                f"Outlet {n:03d}",
                f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
                url=f"https://example.org/many/{n}",
                coalitions=coalitions,
                events=events,
            )
        )
    return briefs


def undated_only() -> list[ArticleBrief]:
    """Events whose dates no source allows: no publication date, and wordings without a date."""
    text = "Syria and Iraq will hold talks on border security before long"
    return [
        brief(
            "undated-a",
            "Quiet Gazette",
            None,
            coalitions=[coalition("border talks", ["Syria", "Iraq"], text, kind="bilateral")],
            events=[event("before long", None, "Syria and Iraq hold border talks", text)],
        ),
        brief(
            "undated-b",
            "Evening Note",
            None,
            events=[event("in March", None, "Ministers to meet", "the ministers will meet in March")],
        ),
    ]


def year_and_days() -> list[ArticleBrief]:
    """A date known only to its year beside three days in June: the year's band spans most of the axis."""
    return [
        brief(
            "year-and-days",
            "Almanac Weekly",
            "2025-07-01",
            events=[
                event(
                    "in 2025",
                    "2025",
                    "Five neighbours first proposed a joint operations room against ISIS",
                    "In 2025 five neighbours first proposed a joint operations room against ISIS",
                ),
                event("on June 1, 2025", "2025-06-01", "Talks opened in Amman", "Talks opened on June 1, 2025"),
                event("on June 2, 2025", "2025-06-02", "安曼会谈第二天各国部长签署了联合声明", "June 2, 2025: 会谈"),
                event("on June 3, 2025", "2025-06-03", "Talks closed with a statement", "on June 3, 2025 they closed"),
            ],
        )
    ]


def month_and_days() -> list[ArticleBrief]:
    """A date known only to its month beside days of that month: a short axis the month's band fills."""
    return [
        brief(
            "month-and-days",
            "Border Monitor",
            "2025-06-20",
            events=[
                event(
                    "in June 2025",
                    "2025-06",
                    "The joint operations room is to open its second regional hub",
                    "In June 2025 the joint operations room is to open its second regional hub",
                ),
                event("on June 10, 2025", "2025-06-10", "Ministers met", "Ministers met on June 10, 2025"),
                event("on June 12, 2025", "2025-06-12", "A first joint raid", "a first joint raid on June 12, 2025"),
            ],
        )
    ]


#: Where caveats() reads its article with no metadata from: a path on the analyst's own machine.
LOCAL_PATH = "/home/analyst/private/leads/unsourced-note.txt"


def caveats() -> list[ArticleBrief]:
    """Every caveat a brief can carry about its sources.

    Two outlets date one meeting differently (a date conflict); the first outlet's second report
    repeats its date (counted with it: two sources, one outlet); one report's extraction failed on
    two questions (incomplete); one input is the same text as another (one more copy); one article
    has no outlet, title or URL and was read from a local file; one is off topic.
    """
    met_a = "Ministers of Turkey and Syria met in Amman on March 9, 2025 and agreed to share intelligence"
    met_b = "The Turkish and Syrian ministers met in Amman on March 12, 2025, officials said"
    met_c = "On March 9, 2025 the ministers of Turkey and Syria met in Amman, a second report said"
    unsourced = "Iraq is expected to join the intelligence pact with Turkey and Syria"
    first = brief(
        "caveat-a",
        "Harbour Times",
        "2025-03-10",
        url="https://example.org/harbour/a",
        coalitions=[coalition("intelligence pact", ["Türkiye", "Syria"], met_a)],
        events=[event("on March 9, 2025", "2025-03-09", "Ministers met in Amman", met_a)],
    )
    incomplete = brief(
        "caveat-b",
        "River Post",
        "2025-03-13",
        url="https://example.org/river",
        coalitions=[coalition("intelligence pact", ["Türkiye", "Syria"], met_b)],
        events=[event("on March 12, 2025", "2025-03-12", "Ministers met in Amman", met_b)],
        extraction=ExtractionInfo(backend="replay", model="m", prompt_hash="0", failed_steps=["people"]),
    )
    anonymous = ArticleBrief(
        article=ArticleRef(id=article_id("caveat-d"), source=LOCAL_PATH),
        on_topic=True,
        coalitions=[coalition("intelligence pact", ["Türkiye", "Syria", "Iraq"], unsourced)],
    )
    return [
        first,
        first.model_copy(update={"article": first.article.model_copy(update={"source": "inbox/caveat-a.txt"})}),
        incomplete,
        brief(
            "caveat-c",
            "Harbour Times",
            "2025-03-11",
            url="https://example.org/harbour/c",
            events=[event("on March 9, 2025", "2025-03-09", "Ministers met in Amman", met_c)],
        ),
        anonymous,
        brief("caveat-e", "Weather Desk", "2025-03-12", on_topic=False),
    ]


SCRIPT_IN_TEXT = "<script>document.title='INJECTED';document.documentElement.dataset.injected='1'</script>"
ATTRIBUTE_IN_TEXT = '" onmouseover="document.title=\'INJECTED\'" data-injected="1'
IMAGE_IN_TEXT = "<img src=x onerror=\"document.documentElement.dataset.injected='1'\">"
#: One unbroken run of text far wider than any window (a URL, a run-together name).
LONG_URL = "https://example.org/report?ref=" + "0123456789abcdef" * 10
LONG_WORD = "Confederation" * 12


def hostile_for_html() -> list[ArticleBrief]:
    """Article text that would run script or add attributes if a renderer let it through as markup."""
    evidence = f"Turkey and Syria signed the pact, said <script>alert(1)</script> {ATTRIBUTE_IN_TEXT}"
    pact = coalition(f"pact {SCRIPT_IN_TEXT}", ["Türkiye", "Syria"], evidence, target=IMAGE_IN_TEXT)
    pact.members.append(CoalitionMember(name=f"Atlantis {IMAGE_IN_TEXT}", role=ATTRIBUTE_IN_TEXT, evidence=evidence))
    pact.members.append(CoalitionMember(name=LONG_WORD, evidence=f"{LONG_WORD} joined the pact, see {LONG_URL}"))
    return [
        brief(
            "hostile-html",
            f"Outlet {SCRIPT_IN_TEXT}",
            "2025-01-01",
            url="javascript:document.title='INJECTED'",
            coalitions=[pact],
            people=[person(f"Name {ATTRIBUTE_IN_TEXT}", IMAGE_IN_TEXT, None, evidence)],
            events=[
                event("on January 1, 2025", "2025-01-01", f"meeting {SCRIPT_IN_TEXT}", evidence),
                event(f"soon {IMAGE_IN_TEXT}", None, f"talks {ATTRIBUTE_IN_TEXT}", f"{evidence} soon"),
            ],
            figures=[
                figure(3, f"3 {SCRIPT_IN_TEXT}", "raids", f"raids {IMAGE_IN_TEXT}", evidence),
                figure(3e60, "3" + "0" * 60, "dinars", LONG_WORD, f"{evidence} {LONG_URL}"),
            ],
            claims=[Claim(holder=SCRIPT_IN_TEXT, claim=f"claim {ATTRIBUTE_IN_TEXT}", evidence=evidence)],
            quotes=[
                Quote(
                    speaker=IMAGE_IN_TEXT,
                    text=f"we said <script>alert(1)</script> {ATTRIBUTE_IN_TEXT} {LONG_WORD}",
                    evidence=f"he said: we said <script>alert(1)</script> {ATTRIBUTE_IN_TEXT} {LONG_WORD}",
                )
            ],
        ),
        brief(
            "hostile-html-2",
            "Plain Outlet",
            "2025-01-02",
            url="https://example.org/plain?a=1&b=<2>&c=" + "x" * 200,
            coalitions=[coalition("pact", ["Türkiye", "Syria"], "Turkey and Syria signed the pact on Monday")],
        ),
    ]
