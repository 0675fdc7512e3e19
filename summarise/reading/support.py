"""Which numbered sentence of an article supports a fact: the code's half of "the model points, the code quotes".

A small model points at the wrong sentence often (the one before, the next one, the
number of the item in its own list), yet the fact it reports is usually right and
stated elsewhere in the article. A near miss must never cost the fact: each function
here checks the sentence the model cited first and, when it does not support the fact,
finds the sentence that does, from what the fact carries (a name, a number, a date, its
words). Only a fact that no sentence supports is refused.

Sentences are numbered from 1, as the prompt shows them (:func:`grounding.numbered_sentences`).
Nothing here knows a story: names, numbers and dates are compared generically.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from rapidfuzz import fuzz

from summarise.text.entities import entities_in, name_spans
from summarise.text.grounding import normalise
from summarise.text.numbers import states_number, written_numbers

#: token-set ratio of a fact's words against a sentence for the sentence to state it.
STATES_TEXT_MIN = 55.0


def best_supporting(
    sentences: Sequence[str], cited: int | None, score: Callable[[str], float], minimum: float
) -> int | None:
    """The cited sentence if it scores ``minimum``, else the best-scoring sentence that does."""
    if cited is not None and 1 <= cited <= len(sentences) and score(sentences[cited - 1]) >= minimum:
        return cited
    scored = [(score(sentence), -number, number) for number, sentence in enumerate(sentences, start=1)]
    best = max(scored, default=None)
    return best[2] if best is not None and best[0] >= minimum else None


def text_similarity(text: str, sentence: str) -> float:
    """How much of a short statement ``text`` the sentence says (token-set ratio of their normalised words)."""
    return fuzz.token_set_ratio(normalise(text), normalise(sentence))


# --- numbers --------------------------------------------------------------------------------------

_QUALIFIERS: tuple[tuple[str, str], ...] = (
    (r"(?:more than|over|above|upwards of|in excess of)", "more_than"),
    (r"(?:less than|fewer than|under|below)", "less_than"),
    (r"(?:about|around|some|roughly|approximately|nearly|almost|close to|an estimated|estimated)", "about"),
    (r"(?:up to|as many as|as much as)", "up_to"),
    (r"(?:at least|no fewer than|no less than|a minimum of)", "at_least"),
)


def locate(sentence: str, written: str) -> int:
    """Where a number as written stands in the sentence, as a whole word ("12" is not inside "2012"), or -1."""
    found = re.search(rf"(?<![\w,.]){re.escape(written)}(?![\w]|[,.]\d)", sentence) if written else None
    return found.start() if found else -1


def qualifier_before(sentence: str, written: str) -> str:
    """The qualifier the sentence puts before the number ("more than 43,000" is more_than), else exact."""
    at = locate(sentence, written)
    before = sentence[max(at - 30, 0) : at].lower() if at >= 0 else ""
    for pattern, qualifier in _QUALIFIERS:
        if re.search(pattern + r"\s*$", before):
            return qualifier
    return "exact"


def stated_count(sentences: Sequence[str], candidates: Sequence[int], count: int) -> int | None:
    """The first of ``candidates`` (sentence numbers) that states ``count``."""
    return next((n for n in candidates if 1 <= n <= len(sentences) and states_number(sentences[n - 1], count)), None)


# --- dates ----------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_RANGE = r"(?:\s*(?:-|–|and|to)\s*[0-3]?\d)?"
_TIME_EXPRESSIONS = re.compile(
    "|".join(
        [
            rf"\b(?:on\s+|since\s+|by\s+|from\s+)?{_MONTH}\s+{_DAY}{_RANGE}(?:,?\s+{_YEAR})?\b",
            rf"\b(?:on\s+|since\s+)?{_DAY}{_RANGE}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b",
            rf"\b(?:in\s+|since\s+|by\s+|early\s+|late\s+|mid-)?{_MONTH}(?:,?\s+{_YEAR})?\b",
            rf"\b(?:in\s+|since\s+|by\s+)?{_YEAR}\b",
            r"\b(?:today|yesterday|tomorrow)\b",
            r"\b(?:last|this|next)\s+(?:week|month|year)\b",
            r"\b(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b",
        ]
    ),
    re.IGNORECASE,
)


def time_expressions(sentence: str) -> list[str]:
    """The time expressions a sentence holds, as written ("in March", "Dec. 8", "on November 24 and 27")."""
    found = []
    for match in _TIME_EXPRESSIONS.finditer(sentence):
        words = match.group(0).strip()
        month_only = re.fullmatch(rf"(?:in\s+|since\s+|by\s+)?({_MONTH})", words, re.IGNORECASE)
        if month_only and month_only.group(1)[:1].islower():
            continue  # "may", "march": a verb, not a month
        found.append(words)
    return found


# --- names ----------------------------------------------------------------------------------------


def enumeration_sentence(
    sentences: Sequence[str], names: Sequence[str], named: Callable[[str, str], bool]
) -> int | None:
    """The sentence that names the most of ``names`` (two at least), the first of equals."""
    best, best_count = None, 1
    for number, sentence in enumerate(sentences, start=1):
        count = sum(named(sentence, name) for name in names)
        if count > best_count:
            best, best_count = number, count
    return best


def numbers_written(sentence: str) -> list[str]:
    """The numbers a sentence writes outside its time expressions, in order ("ten", "43,000", "a dozen")."""
    times = [(m.start(), m.end()) for m in _TIME_EXPRESSIONS.finditer(sentence)]
    return [
        sentence[start:end]
        for start, end in written_numbers(sentence)
        if not any(start < t_end and t_start < end for t_start, t_end in times)
    ]


def without_times(text: str) -> str:
    """``text`` with its time expressions blanked out ("on Monday", "in March")."""
    return _TIME_EXPRESSIONS.sub(" ", text)


#: What may stand between two names of one list: a comma, "and", "or", "as well as", an article.
_LIST_GAP = re.compile(r"^\s*,?\s*(?:(?:and|or|as well as|&)\s+)?(?:the\s+)?$", re.IGNORECASE)
#: Names a list holds at least, and how many of them the model must have given, to be read as one list.
LIST_NAMES, LIST_GIVEN = 3, 2


def list_holding(sentence: str, given: Sequence[str], names: Sequence[str]) -> list[str]:
    """The names of the list in ``sentence`` ("A, B, C and D") that holds two or more of ``given``.

    A list is a run of ``names`` separated only by commas, "and", "or" or an article; it must
    hold ``LIST_NAMES`` names and ``LIST_GIVEN`` of ``given``. Where the sentence names each
    name comes from :func:`summarise.text.entities.name_spans` (any alias). No such list: an empty list.
    """
    found = sorted(((start, -end, name) for name in names for start, end in name_spans(sentence, name)))
    runs: list[list[str]] = []
    last_end = -1
    for start, negative_end, name in found:
        if start < last_end:
            continue  # inside a longer name already taken
        if runs and _LIST_GAP.match(sentence[last_end:start]):
            runs[-1].append(name)
        else:
            runs.append([name])
        last_end = -negative_end
    for run in runs:
        listed = list(dict.fromkeys(run))
        if len(listed) >= LIST_NAMES and sum(name in given for name in listed) >= LIST_GIVEN:
            return listed
    return []


#: Words that say a state or body leads a coalition, before or after its name.
_LEADS_AFTER = re.compile(
    r"^(?:['\u2019]s\s+(?:leadership|command|chairmanship|presidency)\b"  # "under X's leadership", "X's command"
    r"|(?:['\u2019]s)?(?:-led\b|,?\s+(?:which\s+|that\s+|will\s+|would\s+|is\s+|has\s+)?"
    r"(?:leads?|leading|chairs?|chairing|heads?|heading|commands?)\b(?!\s+(?:of|to)\b)"
    r"|\s+(?:is|was|as|will\s+be|would\s+be)\s+(?:the\s+)?lead\s+(?:nation|country|state|partner)))",
    re.IGNORECASE,
)
_LEADS_BEFORE = re.compile(r"(?:\b(?:led|chaired|headed|commanded)\s+by|\bunder)\s+(?:the\s+)?$", re.IGNORECASE)


def states_leader(sentence: str, name: str) -> bool:
    """Whether ``sentence`` says ``name`` leads something: "X-led", "led by X", "X chairs", "X is the lead nation".

    Where the sentence names ``name`` comes from :func:`summarise.text.entities.name_spans` (any alias).
    """
    return _cue_beside(sentence, name_spans(sentence, name), _LEADS_BEFORE, _LEADS_AFTER, 30)


def _cue_beside(
    sentence: str, spans: Iterable[tuple[int, int]], before: re.Pattern[str], after: re.Pattern[str], reach: int
) -> bool:
    """Whether a name at one of ``spans`` has ``after`` right after it or ``before`` up to ``reach`` chars before."""
    return any(
        after.match(sentence[end:]) or before.search(sentence[max(0, start - reach) : start]) for start, end in spans
    )


#: Words that say what a coalition acts against, before its name ("against X", "to defeat X", "to protect
#: shipping from X", "the threat posed by X") or after it ("X attacks", "X militants"); only an article
#: or a possessive may stand between ("against the X"), and a name used as a modifier ("X-linked
#: ships", "X-based") is not the target.
_TARGET_BEFORE = re.compile(
    r"(?:\b(?:against|counter(?:s|ing)?|fight(?:s|ing)?|combat(?:s|ing)?|defeat(?:s|ing)?|deter(?:s|ring)?|"
    r"eliminat(?:e|es|ing)|destroy(?:s|ing)?|stop(?:s|ping)?|contain(?:s|ing)?|curb(?:s|ing)?|confront(?:s|ing)?|"
    r"tackl(?:e|es|ing)|crush(?:es|ing)?|repel(?:s|ling)?|targeting|versus|vs\.?|"
    r"(?:resurgence|return|remnants|threat|attacks?|aggression)\s+(?:of|by|from)|posed\s+by)"
    r"|\b(?:protect|defend|shield|secur|safeguard)\w*\s+(?:[\w'\u2019-]+\s+){0,4}?from)"
    r"\s+(?:(?:the|an?|its|their|remaining|so-called)\s+)?$",
    re.IGNORECASE,
)
_TARGET_AFTER = re.compile(
    r"^(?:['\u2019]s?)?\s+(?:attacks|threats?|aggression|insurgen(?:cy|ts)|militants|fighters|"
    r"missiles?|drones?|cells|remnants|resurgence)\b",
    re.IGNORECASE,
)
_MODIFIER = re.compile(r"^-(?:linked|flagged|bound|owned|based|backed|led|allied|registered)\b", re.IGNORECASE)


def states_target(sentence: str, name: str, before_only: bool = False) -> bool:
    """Whether ``sentence`` says something acts against ``name``: "against X", "to defeat X", "X attacks".

    Where the sentence names ``name`` comes from :func:`summarise.text.entities.name_spans` (any alias); a
    group's plural name also counts in the singular ("Houthi missiles" for the Houthis). ``before_only``
    reads only the words before the name ("against X"): "X drones" may be a member's own.
    """
    forms = [name, name[:-1]] if re.fullmatch(r"[A-Z][a-z]{3,}s", name) else [name]
    spans = [(start, end) for form in forms for start, end in name_spans(sentence, form)]
    unmodified = [(start, end) for start, end in spans if not _MODIFIER.match(sentence[end:])]
    return _cue_beside(sentence, unmodified, _TARGET_BEFORE, _NEVER if before_only else _TARGET_AFTER, 80)


_NEVER = re.compile(r"(?!)")
#: Words before a body's name that say someone leaves it ("left X", "withdrew from X", "its exit from X").
_LEFT_BEFORE = re.compile(
    r"\b(?:left|leaves?|leaving|quit(?:s|ting)?|(?:withdr[ae]w\w*|withdrawals?|exit(?:s|ed|ing)?|departure|"
    r"pull(?:s|ed|ing)?\s+out|broke\s+away|break(?:s|ing)?\s+away|split|suspended\s+from|expelled\s+from)"
    r"\s+(?:of|from))\s+(?:(?:the|an?|its|their)\s+)?$",
    re.IGNORECASE,
)


def states_left(sentence: str, name: str) -> bool:
    """Whether ``sentence`` says someone leaves ``name``: "left X", "quit X", "withdrew from X", "exit from X"."""
    return _cue_beside(sentence, name_spans(sentence, name), _LEFT_BEFORE, _NEVER, 40)


# --- who a grouping is made of ------------------------------------------------------------------------

#: Words for members that make a grouping a coalition of the topic: states, their governments, forces and
#: organisations, in the plural (a "Secretary of State" is one person).
_STATE_ACTORS = re.compile(
    r"\b(?:countr|states\b|nations\b|governments|administrations|navies|naval|arm(?:y|ies|ed)|militar|"
    r"forces\b|troops|warships|ministr|ministers|leaders|presidents|juntas?|capitals|powers|econom|producers|"
    r"exporters|blocs?\b|alliances?|coalitions?|organi[sz]ations|unions?\b|militias|rebels|fighters|parties\b|"
    r"partners|members|signatories|allies|neighbou?rs)",
    re.IGNORECASE,
)
#: Words for members that are not states: a consortium of these is no coalition of states, whatever countries it names.
_OTHER_ACTORS = re.compile(
    r"\b(?:universit|institut|compan|firms?\b|business|corporat|scientists|researchers?|academ|schools?|students|"
    r"teams?\b|clubs?\b|players|athletes|crews?\b|sailors|studios?|artists|film|festivals?|museums?|hospitals?|"
    r"charit|volunteers|fans\b|operators|ferr|ports?\b|airlines?|investors|manufacturers|brands?|musicians|robot)",
    re.IGNORECASE,
)


def made_of_states(made_of: str) -> bool:
    """Whether a grouping's members, in the article's words, are states or their bodies: a coalition of the topic.

    They are when the words name states or their forces and organisations ("ten countries", "navies", "member
    states", "Gulf monarchies": any group in the plural) or name two states or an organisation ("Mali, Burkina
    Faso and Niger", "NATO"), unless they are companies, institutes or people from those states ("universities
    from Egypt and Jordan"). One person ("the Secretary of State") is no coalition.
    """
    states = _STATE_ACTORS.search(made_of) is not None
    if _OTHER_ACTORS.search(made_of) and not states:
        return False
    named = entities_in(made_of)
    # Some group in the plural ("Gulf monarchies"), two states, or an organisation ("NATO"): not one person.
    plural = re.search(r"\b[a-z]{3,}s\b", made_of) is not None
    return states or plural or len({e.canonical for e in named}) >= 2 or any(e.kind != "country" for e in named)


# --- statuses read from the sentences ------------------------------------------------------------------

#: "X said it would ...", "X announced that it had ...": the state's own words about its status.
_REPORTED = r"(?:(?:said|says|announced|confirmed|declared)\s+(?:on\s+\w+\s+)?(?:that\s+)?(?:it|they)\s+)?"
#: Status words whose state stands before them ("X declined", "X will join", "X was invited", "X's withdrawal").
_STATUS_AFTER_NAME: dict[str, re.Pattern[str]] = {
    status: re.compile(r"^(?:['\u2019]s)?\s*" + _REPORTED + r"(?:" + pattern + r")", re.IGNORECASE)
    for status, pattern in {
        "declined": r"(?:,?\s*(?:which|that|who)\s+)?(?:has\s+|had\s+|have\s+)?(?:also\s+|formally\s+|officially\s+)?"
        r"(?:declined|refused|rejected|turned\s+down|opted\s+out|stayed\s+out|(?:said\s+it\s+)?"
        r"(?:will|would|did|does|do|could)\s+not\s+(?:join|take\s+part|participate)|"
        r"(?:won't|wouldn't|didn't|doesn't)\s+(?:join|take\s+part|participate))",
        "withdrawn": r"(?:,?\s*(?:which|that|who)\s+)?(?:has\s+|had\s+|have\s+)?(?:also\s+|formally\s+|officially\s+)?"
        r"(?:withdrew|withdrawn|withdrawal|quit|left|pulled\s+out|exit|exited|departure|ended\s+its\s+"
        r"(?:participation|membership))",
        "suspended": r"(?:,?\s*(?:which|that|who)\s+)?(?:has\s+|had\s+|have\s+|was\s+|were\s+|has\s+been\s+)?"
        r"(?:suspended|suspension|froze|halted\s+its\s+participation)",
        "invited": r"(?:,?\s*(?:which|that|who)\s+)?(?:was|were|has\s+been|have\s+been|had\s+been|is|are)\s+"
        r"(?:also\s+|formally\s+|officially\s+)?invited",
        "joining": r"(?:,?\s*(?:which|that|who)\s+)?(?:(?:will|would|is\s+set\s+to|are\s+set\s+to|is\s+to|are\s+to|"
        r"intends\s+to|plans\s+to|hopes\s+to|agreed\s+to|is\s+expected\s+to|are\s+expected\s+to)\s+"
        r"(?:formally\s+|also\s+)?(?:join|become\s+(?:a|the|its)\s+(?:\w+\s+)?member)|is\s+joining|are\s+joining|"
        r"(?:has|have)\s+applied|applied\s+to\s+join|accepted\s+(?:the|an|its)\s+invitation)",
        "observer": r"(?:,?\s*(?:which|that|who)\s+)?(?:is|are|was|were|became|will\s+be|as)\s+(?:an?\s+)?"
        r"(?:observers?|partners?\s+countr(?:y|ies)|partner\s+states?)",
    }.items()
}
#: Status words whose states follow them ("invited X, Y and Z", "partner countries X and Y").
_STATUS_BEFORE_NAMES: dict[str, re.Pattern[str]] = {
    "invited": re.compile(r"\binvit(?:es?|ed|ing|ations?\s+to)\s+(?:\w+\s+)?$", re.IGNORECASE),
    "observer": re.compile(
        r"\b(?:partner\s+countries|observers?|partner\s+states)\s*(?::|,|were|are|include|such\s+as)?\s*$",
        re.IGNORECASE,
    ),
}
_LIST_JOIN = re.compile(
    r"^\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+)?|\s+and\s+|\s+or\s+|\s+as\s+well\s+as\s+)\s*(?:the\s+)?$",
    re.IGNORECASE,
)


def statuses_in(sentence: str, names: Sequence[str], other_bodies: Sequence[str] = ()) -> dict[str, str]:
    """The statuses ``sentence`` gives the states or bodies in ``names`` (their canonical names): name -> status.

    A state stands in a list right before its status's words ("Argentina declined", "Mali, Niger and Burkina
    Faso will join", "Russia's withdrawal") or right after words that take it ("invited Argentina, Egypt and
    Ethiopia"). Only names the sentence writes count; a list is read through commas, "and" and "or". Words
    followed closely by one of ``other_bodies`` ("left ECOWAS", "will join NATO") give a status in that
    body, not in this coalition, and are passed over.
    """
    spans = sorted((start, end, name) for name in dict.fromkeys(names) for start, end in name_spans(sentence, name))
    lists: list[list[tuple[int, int, str]]] = []
    for span in spans:
        if lists and _LIST_JOIN.match(sentence[lists[-1][-1][1] : span[0]]):
            lists[-1].append(span)
        else:
            lists.append([span])
    found: dict[str, str] = {}
    for group in lists:
        after = sentence[group[-1][1] :]
        before = sentence[: group[0][0]]
        for status, pattern in _STATUS_AFTER_NAME.items():
            match = pattern.match(after)
            if match and not any(name_spans(after[match.end() : match.end() + 40], body) for body in other_bodies):
                found.update({name: status for _, _, name in group if name not in found})
        for status, pattern in _STATUS_BEFORE_NAMES.items():
            if pattern.search(before[-60:]):
                found.update({name: status for _, _, name in group if name not in found})
    return found


#: People or companies, then where they come from ("crew members, who come from A, B and C", "firms from A").
_FROM_BEFORE = re.compile(_OTHER_ACTORS.pattern + r"[^.;:]{0,40}?\b(?:from|of|in)\s+(?:the\s+)?$", re.IGNORECASE)


def named_as_origin(sentence: str, name: str, names: Sequence[str]) -> bool:
    """Whether ``sentence`` names ``name`` only as where people or companies come from, not as a party.

    "Its crew members, who come from Bulgaria, Ukraine and Mexico": the list (read through commas and
    "and") follows people and "from". A coalition's members are states acting, not the homes of a crew.
    """
    spans = sorted(span for other in dict.fromkeys((name, *names)) for span in name_spans(sentence, other))
    own = name_spans(sentence, name)
    if not own:
        return False
    for start, _ in own:
        first = start
        for other_start, other_end in reversed([span for span in spans if span[1] <= start]):
            if _LIST_JOIN.match(sentence[other_end:first]):
                first = other_start
            else:
                break
        if not _FROM_BEFORE.search(sentence[max(0, first - 80) : first]):
            return False
    return True
