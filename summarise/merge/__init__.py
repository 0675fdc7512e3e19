"""Reconcile many per-article briefs into one coalition brief, with no model.

The merger only reorganises what the articles said: it never adds a fact. Every merged fact
keeps each source's own evidence span, so a line of the brief can always be traced to the
words of an article. Disagreements are not resolved but listed.

Rules, in the order they are applied:

- **Sources.** Briefs of the same text (same article id) are one source. Sources are ordered by
  publication date, outlet, title and id, whatever the order of the input: the merge is
  deterministic. Articles from the same outlet, or copies of the same wire story (they share
  most of their long evidence spans), count as one outlet for corroboration. Off-topic articles
  are listed and flagged but contribute nothing.
- **Names.** Countries and organisations get their canonical names from the curated tables of
  :mod:`summarise.text.entities` (Turkey and Türkiye are one; Iraq and Iran never are). People are
  matched by a spelling key (case, accents, apostrophes and the particle "al" do not count);
  names that are merely similar (al-Sharaa and Al-Sarraj) are merged only when both carry the
  same role and the same country, the reason is recorded, and every spelling stays visible.
- **Coalitions.** Discovered across all the articles, not article by article
  (:func:`~summarise.merge.coalitions.discover_coalitions`): every pair of descriptions from
  different articles is scored (a story's known coalition; the same proper name, or an acronym the
  articles spell out; the same stated leader against the same target; members overlapping by half)
  and linked surest first, never two of one article, never two with different names of their own or
  different stated leaders. ``summarise story draft`` writes the result as a story file.
- **Member status.** A source *enumerates* a coalition when it states a member count or lists
  three or more members. A member left out by an enumerating source is in ``conflict``;
  otherwise it is ``agreed`` when two or more outlets list it and ``single_source`` when one
  does. Open coalitions (international ones, where an article names only a few of dozens of
  members) have no enumerating sources.
  Each member also keeps what each source says it is (member, joining, invited, declined,
  withdrawn, suspended, observer) with the date its sentence gives; statuses no change over time
  explains are a ``status`` conflict.
- **Timeline.** A date taken from a publication date is dropped when the source has none (the
  wording stays). Events with compatible dates (one a prefix of the other) and similar
  descriptions are one entry; very similar events with incompatible dates are a date conflict.
- **Figures.** Grouped by unit and by what they measure; each distinct value (as qualified: "more
  than 20" and "20" are two) is kept with its sources and their publication dates, never averaged;
  values of two sources that cannot both be true as qualified are a conflict (member counts too).
- **Claims.** Near-identical claims are merged; two claims on the same point where exactly one is
  negated are a conflict.

The package: :mod:`summarise.merge.brief` merges (``merge_briefs``), one module a kind of fact
(:mod:`~summarise.merge.coalitions`, :mod:`~summarise.merge.people`, :mod:`~summarise.merge.timeline`,
:mod:`~summarise.merge.figures`, and :mod:`~summarise.merge.claims` for claims and quotes), over
:mod:`~summarise.merge.sources` (sources, outlets, supports, the conflicts found) and
:mod:`~summarise.merge.compare` (the thresholds, text compared, clustering).
"""

from summarise.merge.brief import MERGE_VERSION, merge_briefs

__all__ = ["MERGE_VERSION", "merge_briefs"]
