"""How long merging many per-article briefs takes, and how much memory it needs.

Usage::

    python benchmarks/merge_speed.py [--briefs 1000] [--seed 7] [--repeat 3]

Builds N synthetic ``ArticleBrief``s about one story (no model involved; the briefs are
generated here, from fixed pools of countries, people with spelling variants, events, figures
and claims, so that they cluster the way real coverage of one story does), then times
``summarise.merge.merge_briefs`` on them and prints:

* the wall time of the merge (best and median of ``--repeat`` runs; generation excluded),
* the peak Python heap during the merge (``tracemalloc``), and
* the process's peak resident memory (``ru_maxrss``) after everything.

Target for 1,000 briefs on a 2-core machine: under 1 second and under 200 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarise.merge import merge_briefs
from summarise.schemas import (
    ArticleBrief,
    ArticleRef,
    Claim,
    Coalition,
    CoalitionMember,
    Event,
    Figure,
    Person,
    Quote,
    Statement,
)

COUNTRIES = ["Turkey", "Türkiye", "Turkiye", "Syria", "Iraq", "Jordan", "Lebanon", "Iran", "United States", "France"]
PEOPLE = [
    ("Ahmad al-Sharaa", "interim President", "Syria"),
    ("Ahmed Al-Shar'a", "President", "Syria"),
    ("Ahmed Al-Sarraj", "President", "Syria"),
    ("Hakan Fidan", "Foreign Minister", "Turkey"),
    ("Recep Tayyip Erdoğan", "President", "Türkiye"),
    ("Recep Tayyip Erdogan", "President", None),
    ("Brad Cooper", "commander", "CENTCOM"),
]
_FIRST = ["Leyla", "Omar", "Selin", "Yusuf", "Nadia", "Karim", "Elif", "Tariq", "Rana", "Murat"]
_LAST = ["Demir", "Haddad", "Kaya", "Nasser", "Aydin", "Khalil", "Sahin", "Mansour"]
PEOPLE += [
    (
        f"{first} {last}",
        random.Random(f"{first}{last}").choice(["spokesperson", "minister", "general", "analyst"]),
        random.Random(f"{last}{first}").choice(COUNTRIES),
    )
    for first in _FIRST
    for last in _LAST
]
EVENTS = (
    [(f"on March {d}", f"2025-03-{d:02d}", f"ministers met for round {d}") for d in range(1, 29)]
    + [
        ("in March", "2025-03", "ministers met in Amman"),
        ("in 2019", "2019", "sanctions were imposed"),
        ("recently", None, "talks went on"),
    ]
    + [(f"on June {d}", f"2025-06-{d:02d}", f"joint raid number {d} hit depots") for d in range(1, 29)]
)
FIGURES = [
    ("detainees", "detainees held in al-Hol camp"),
    ("depots", "weapons depots destroyed"),
    ("countries", "countries of origin of detainees"),
    ("troops", "troops deployed in the north"),
]
CLAIMS = [f"Turkey will {'not ' if n % 2 else ''}send troops to zone {n // 2}" for n in range(20)]


def synthetic_brief(index: int, rng: random.Random) -> ArticleBrief:
    """One article's brief; its evidence strings are unique per article, as real ones would be."""
    say = f"Article {index} reports that"
    members = rng.sample(COUNTRIES[:7], rng.randint(2, 5)) if rng.random() < 0.8 else ["United States", "Syria"]
    name = "Global Coalition to Defeat ISIS" if "United States" in members else rng.choice(["the alliance", "pact"])
    coalition = Coalition(
        name=name,
        kind="international" if "United States" in members else "regional",
        target=rng.choice(["ISIS", "Daesh", "Islamic State"]),
        evidence=f"{say} {', '.join(members)} formed {name}",
        members=[CoalitionMember(name=m, evidence=f"{say} {m} takes part") for m in members],
        member_count_stated=rng.choice([None, None, None, len(members), 4]),
        objectives=[Statement(text=rng.choice(["defeat ISIS", "share intelligence"]), evidence=f"{say} the aim")],
    )
    people = [Person(name=n, role=r, affiliation=a, evidence=f"{say} {n} spoke") for n, r, a in rng.sample(PEOPLE, 4)]
    events = [
        Event(when_text=w, date=d, date_basis="text" if d else None, description=what, evidence=f"{say} {what} {w}")
        for w, d, what in rng.sample(EVENTS, 3)
    ]
    figures = [
        Figure(
            value=rng.choice([43000, 24000, 15, 47, 500]),
            value_as_written="n",
            unit=unit,
            what=what,
            evidence=f"{say} a figure on {what}",
        )
        for unit, what in rng.sample(FIGURES, 2)
    ]
    claims = [Claim(holder="Ankara", claim=c, evidence=f"{say} a claim: {c}") for c in rng.sample(CLAIMS, 2)]
    quotes = [Quote(speaker="Hakan Fidan", text=f"We are ready, round {rng.randint(1, 30)}", evidence=f"{say} a quote")]
    text_id = hashlib.sha256(f"article {index}".encode()).hexdigest()[:16]
    return ArticleBrief(
        article=ArticleRef(
            id=text_id,
            source=f"articles/{index:05d}.txt",
            title=f"Story {index}",
            outlet=f"Outlet {rng.randint(1, 120)}",
            published=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 330)),
        ),
        on_topic=rng.random() > 0.05,
        coalitions=[coalition],
        people=people,
        events=events,
        figures=figures,
        claims=claims,
        quotes=quotes,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    briefs = [synthetic_brief(index, rng) for index in range(args.briefs)]
    facts = sum(len(b.facts()) for b in briefs)

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        merged = merge_briefs(briefs)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    merge_briefs(briefs)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"briefs merged:        {len(briefs)} ({facts} facts)")
    print(
        f"merged brief:         {len(merged.coalitions)} coalitions, {len(merged.people)} people, "
        f"{len(merged.timeline)} timeline entries, {len(merged.figures)} figure groups, "
        f"{len(merged.claims)} claims, {len(merged.conflicts)} conflicts"
    )
    print(
        f"merge time:           best {min(times):.3f} s, median {statistics.median(times):.3f} s over {len(times)} runs"
    )
    print(f"peak Python heap:     {heap_peak / 2**20:.1f} MB during one merge (tracemalloc)")
    print(f"peak resident memory: {rss_kb / 1024:.1f} MB for the whole process (ru_maxrss)")


if __name__ == "__main__":
    main()
