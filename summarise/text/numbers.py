"""Numbers as an article writes them: digits ("43,000", "2.5 million") or words of any size ("twenty-one").

Number words are read by ``text2num`` (a maintained parser of English number words), so a
figure or member count written in words is checked like one written in digits. This module
imports nothing of the package.
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

_NUMBER = re.compile(r"(?<![\w.+])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d+])|(?<![\w.,+])\d+(?:\.\d+)?(?![\d+])")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_DOZEN = re.compile(r"\b(?:a|one)\s+dozen\b", re.IGNORECASE)


_SCALED = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})*(?:\.\d+)?)\s+(thousand|million|billion|trillion)\b", re.I)


def _scaled(match: re.Match[str]) -> str:
    value = float(match.group(1).replace(",", "")) * _SCALES[match.group(2).lower()]
    return f"{value:.0f}" if value == int(value) else f"{value}"


@lru_cache(maxsize=1 << 12)
def in_digits(text: str) -> str:
    """``text`` with its number words written in digits ("twenty-one ships" -> "21 ships", "2.5 million" -> 2500000)."""
    text = _SCALED.sub(_scaled, _DOZEN.sub("12", text))
    try:
        return alpha2digit(text, "en", threshold=0)
    except (ValueError, TypeError, IndexError):  # a parser failure on odd text: keep the words
        return text


def numbers_in(text: str) -> list[float]:
    """Every number ``text`` states, in digits or words, with "2.5 million" read as 2,500,000."""
    return [float(match.group(0).replace(",", "")) for match in _NUMBER.finditer(in_digits(text))]


def number_in(text: str) -> float | None:
    """The first number ``text`` states, or None."""
    values = numbers_in(text)
    return values[0] if values else None


def states_number(text: str, number: float) -> bool:
    """Whether ``text`` states ``number``, in digits or in words ("four countries", "twenty-one")."""
    return any(abs(value - number) <= 1e-6 * max(abs(number), 1) for value in numbers_in(text))


_WORDS = re.compile(r"[\w,.'-]+")


def written_number(text: str, number: float) -> str | None:
    """How ``text`` writes ``number`` ("43,000", "twenty-one", "2.5 million"), or None if it does not state it."""
    words = [match for match in _WORDS.finditer(text)]
    for size in (1, 2, 3, 4, 5):
        for start in range(len(words) - size + 1):
            span = text[words[start].start() : words[start + size - 1].end()].strip(",.")
            if states_number(span, number) and len(numbers_in(span)) == 1:
                return span
    return None


_TOKEN = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:st|nd|rd|th)?|[A-Za-z]+(?:-[A-Za-z]+)*")
_JOINERS = {"and", "a"}


def _is_number_word(word: str) -> bool:
    if word[0].isdigit():
        return True
    if word.lower().endswith("s") and numbers_in(word[:-1]):
        return False  # "tens", "thousands", "dozens": a vague amount, not a figure
    return bool(numbers_in(word))


def written_numbers(text: str) -> list[tuple[int, int]]:
    """The spans (start, end) of the numbers ``text`` writes: "43,000", "2.5 million", "twenty-one", "90th".

    Consecutive number words are one number ("three hundred and forty two"); "a dozen" is twelve. No number: a plural
    number word ("thousands", a vague amount), digits joined to letters ("S-400", "F-16": a
    designation) and the ordinal one ("first", "1st": an order, not a quantity).
    """
    tokens = [token for token in _TOKEN.finditer(text) if not _designation(text, token)]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        if not _is_number_word(tokens[index].group(0)):
            index += 1
            continue
        end = index
        while end + 1 < len(tokens):
            following = tokens[end + 1].group(0)
            scale = following.lower() in _SCALES
            joined = (
                following.lower() in _JOINERS and end + 2 < len(tokens) and _is_number_word(tokens[end + 2].group(0))
            )
            if not (scale or joined or (_is_number_word(following) and not following[0].isdigit())):
                break
            end += 2 if joined else 1
        if not _ORDINAL_ONE.fullmatch(text[tokens[index].start() : tokens[end].end()]):
            spans.append((tokens[index].start(), tokens[end].end()))
        index = end + 1
    spans += [(m.start(), m.end()) for m in _DOZEN.finditer(text)]  # "a dozen": twelve
    return sorted(spans)


_ORDINAL_ONE = re.compile(r"first|1st", re.IGNORECASE)


def _designation(text: str, token: re.Match[str]) -> bool:
    """Whether a token is part of a designation: digits hyphened to letters ("S-400"), or joined by "+" ("3+3")."""
    before, after = text[max(token.start() - 2, 0) : token.start()], text[token.end() : token.end() + 2]
    digits = token.group(0)[0].isdigit()
    lettered = re.fullmatch(r"[A-Za-z]-", before) is not None or re.fullmatch(r"-[A-Za-z]", after) is not None
    plussed = before.endswith("+") or after.startswith("+")  # a "3+3" format: a name, not three of anything
    return digits and (lettered or plussed)
