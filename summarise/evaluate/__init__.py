"""Score per-article briefs (and a merged brief's conflicts) against hand-made gold, per field.

The gold is a JSON object keyed by article file name (see ``fixtures/eval/README.md``)::

    {"03_example.txt": {"on_topic": true, "coalition": "...", "target": "ISIS",
                        "members": ["Türkiye", ...], "other_participants": ["Lebanon"],
                        "people": [{"name": "Hakan Fidan", "role": "Turkish Foreign Minister"}],
                        "events": [{"date": "2025-03-09", "date_text": "on Sunday", "what": "..."}],
                        "numbers": [{"value": 43000, "what": "detainees in al-Hol camp"}],
                        "objectives": ["..."]}}

How each field is scored (true positives, false positives = inventions, false negatives = misses;
precision, recall and F1 micro-averaged over articles):

- **members**: the canonical names (alias tables of :mod:`summarise.text.entities`) of the members of
  every coalition of the brief, against gold ``members`` and ``other_participants``.
- **people**: matched one to one, conservatively: equal after folding case, accents, apostrophes,
  hyphens and the particle "al", or rapidfuzz ``token_sort_ratio`` of those forms of at least 85
  (so "Ahmed Al-Sarraj" is not "Ahmad al-Sharaa"). Among matched people the **role** is right when
  both are empty or their words overlap enough (token-set ratio ≥ 70).
- **events**: a brief event and a gold event match when their texts are similar (the gold ``what``
  against the brief's description or evidence, token-set ratio ≥ 45) and the dates agree at the
  gold's precision (a gold range ``A/B`` takes any day inside it). An event the brief dates where the
  gold says the text allows no date is an **invented date**: wrong, counted as both an invention and
  a miss.
- **numbers**: matched by value (within 0.5 %), then, among equal values, by similarity of ``what``.
- **objectives** (only where the gold lists them): brief objectives and mechanisms against the gold
  phrases, token-set ratio ≥ 60.
- **off-topic articles** (gold ``on_topic`` false) yield no facts by design: for them only the topic
  and any invented fact are scored, whatever else their gold entry lists.
- **on_topic**: accuracy. **groundedness**: the share of the brief's facts whose evidence is the
  article's own text (expected: all).
- With gold conflicts (``{"conflicts": [{"about": "...", "values": [...]}]}``), the merged brief's
  conflicts are scored too: a gold conflict is found when one merged conflict holds every gold
  value (same text, the same set of countries for a member list, the same number or date, or for
  a statement its words, nearly verbatim, inside the merged value).

Conventions: precision is 1.0 when nothing was predicted and recall 1.0 when the gold is empty.
This package needs no model: it scores briefs however they were made.

The package: :mod:`~summarise.evaluate.gold` reads the gold, :mod:`~summarise.evaluate.matching`
pairs a brief's items with the gold's, :mod:`~summarise.evaluate.scoring` scores each field, article
and the totals, :mod:`~summarise.evaluate.conflicts` a merged brief's conflicts, and
:mod:`~summarise.evaluate.report` renders the result.
"""

from summarise.evaluate.conflicts import score_coalitions, score_conflicts
from summarise.evaluate.gold import GoldArticle, GoldConflict, load_gold, load_gold_coalitions, load_gold_conflicts
from summarise.evaluate.report import render_report
from summarise.evaluate.scoring import score, totals

__all__ = [
    "GoldArticle",
    "GoldConflict",
    "load_gold",
    "load_gold_coalitions",
    "load_gold_conflicts",
    "render_report",
    "score",
    "score_coalitions",
    "score_conflicts",
    "totals",
]
