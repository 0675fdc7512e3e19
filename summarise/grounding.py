"""Find a quoted span in an article despite differences in whitespace, quote marks and case.

The grounding rule: every extracted fact carries ``evidence``, a verbatim span of the
article. A model rarely copies typography exactly (curly vs straight quotes, en dashes,
line breaks), so the comparison is made on a normalised form and the span is then
mapped back to the article's own characters: the evidence we keep is always the
article's text, never the model's rewording of it.
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)
_EDGE = " \t\n\"'.,;:…-–—()[]"


def _normalise_char(char: str) -> str:
    folded = char.translate(_TRANSLATION)
    if folded.isspace():
        return " "
    return folded.casefold()


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Return the normalised text and, for each of its characters, the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(unicodedata.normalize("NFC", text)):
        for piece in _normalise_char(char):
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def normalise(text: str) -> str:
    """The comparison form of ``text``: folded case, plain quotes and dashes, single spaces."""
    return _normalise_with_map(text)[0].strip()


def find_span(article_text: str, quote: str) -> str | None:
    """Return the article's own span matching ``quote``, or ``None`` if it does not occur.

    Leading and trailing punctuation and ellipses of the quote are ignored.
    """
    needle = normalise(quote).strip(_EDGE)
    if not needle:
        return None
    haystack, origin = _normalise_with_map(unicodedata.normalize("NFC", article_text))
    start = haystack.find(needle)
    if start < 0:
        return None
    end = start + len(needle) - 1
    source = unicodedata.normalize("NFC", article_text)
    return source[origin[start] : origin[end] + 1]


def mentions(text: str, name: str) -> bool:
    """Whether ``name`` occurs in ``text`` as a whole word, after normalisation."""
    needle = normalise(name)
    if not needle:
        return False
    pattern = r"(?<![\w])" + re.escape(needle) + r"(?![\w])"
    return re.search(pattern, normalise(text)) is not None
