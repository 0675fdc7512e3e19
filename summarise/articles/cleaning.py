"""Page chrome stripped from a scraped article: menus, tickers, listings, bylines, captions, footers.

:func:`clean_text` keeps the article's paragraphs (joining one broken mid-sentence across lines)
and drops everything around them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

_BULLET = re.compile(r"^[•·▪◦●■►▸‣⁃]\s*")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,2}[.)])\s+")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_CAPTION_CREDIT = re.compile(
    r"\((?:AP|AFP|Reuters|Getty(?: Images)?|EPA(?:-EFE)?|Xinhua|Anadolu(?: Agency)?|AA|dpa|"
    r"Shutterstock|File|(?:File |Archive )?(?:photo|image|picture|credit)[^()]{0,60})\)$",
    re.IGNORECASE,
)
_MIN_READ = re.compile(r"^\d+\s*(?:-\s*)?(?:min|mins|minute|minutes)\.?\s+read$", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^(?:(?:published|updated|posted|last updated)\s*:?\s*)?"
    r"(?:\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}|"
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:\s*[-|,]?\s*(?:at\s+)?\d{1,2}:\d{2}(?:\s*[ap]m)?(?:\s*[A-Z]{2,5})?)?$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|written by|reporting by|source|sources|photo|photos)\s*:?\s+\S",
    re.IGNORECASE,
)

_LINE_MARKERS = {
    "listen",
    "listen to this article",
    "listen to article",
    "share",
    "share this",
    "share this article",
    "share on facebook",
    "share on twitter",
    "share on x",
    "tweet",
    "advertisement",
    "advertisements",
    "sponsored",
    "sponsored content",
    "print",
    "email",
    "e-mail",
    "copy link",
    "copy",
    "save",
    "bookmark",
    "comments",
    "comment",
    "skip to content",
    "skip to main content",
    "menu",
    "search",
    "close",
    "toggle navigation",
    "sign in",
    "log in",
    "login",
    "subscribe",
    "sign up",
    "newsletter",
    "follow us",
    "font size",
    "text size",
    "a a",
    "a+ a-",
    "scroll to top",
    "live",
}
_TICKER_MARKERS = {
    "breaking",
    "breaking news",
    "latest",
    "latest news",
    "just in",
    "news ticker",
    "live updates",
    "urgent",
}
_LISTING_MARKERS = {
    "related",
    "related news",
    "related articles",
    "related stories",
    "related posts",
    "related content",
    "related topics",
    "related coverage",
    "read more",
    "read also",
    "also read",
    "see also",
    "more on this",
    "more on this story",
    "more stories",
    "more news",
    "more from",
    "most read",
    "most popular",
    "most viewed",
    "popular",
    "trending",
    "trending now",
    "read next",
    "up next",
    "what to read next",
    "recommended",
    "recommended for you",
    "you may also like",
    "you might also like",
    "you may be interested in",
    "don't miss",
    "show more",
    "load more",
    "view more",
    "more",
    "coverage",
    "tags",
    "topics",
    "keywords",
    "filed under",
    "in this story",
    "editor's picks",
    "editors' picks",
    "top stories",
    "latest stories",
}
_FOOTER_PATTERNS = re.compile(
    r"^(?:all rights reserved|©|\(c\)\s*\d{4}|copyright\b|privacy policy$|terms of (?:use|service)$|"
    r"cookie (?:policy|settings)$|back to top(?: button)?$|verified by \w+$|powered by \w+)",
    re.IGNORECASE,
)


@dataclass
class _Unit:
    text: str
    bullet: bool = False
    list_item: bool = False
    indented: bool = False
    block_start: bool = True

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def key(self) -> str:
        return re.sub(r"[^\w'&+ ]+", "", self.text.lower()).strip()


def clean_text(raw: str) -> str:
    """Strip the chrome of a scraped page and tidy whitespace, keeping the article's paragraphs.

    Removes navigation and tag bullet lists, runs of short menu-like lines, tickers after a
    "BREAKING" marker, "Related"/"Most Read"/"Read Next"-style listings (or the whole tail of
    the page when little prose follows them), bylines, reading-time and "Listen" lines, photo
    captions and footers. Joins a paragraph broken mid-sentence across lines. Paragraphs are
    returned separated by a blank line.
    """
    units = _join_broken(_split_units(raw))
    units = _drop_marked_sections(units)
    units = _drop_menu_runs(units)
    kept: list[str] = []
    for unit in units:
        if kept and _same_text(kept[-1], unit.text):
            continue
        kept.append(_strip_bullet(unit))
    return "\n\n".join(text for text in kept if text)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    return re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]", " ", text)


def _split_units(raw: str) -> list[_Unit]:
    units: list[_Unit] = []
    block_start = True
    for line in _normalise(raw).split("\n"):
        stripped = " ".join(line.split())
        if not stripped or _is_control_line(stripped):
            block_start = True
            continue
        bullet = bool(_BULLET.match(stripped))
        units.append(
            _Unit(
                text=stripped,
                bullet=bullet,
                list_item=not bullet and bool(_LIST_ITEM.match(stripped)),
                indented=line[:1] == " ",
                block_start=block_start,
            )
        )
        block_start = False
    return units


def _is_control_line(line: str) -> bool:
    return all(not ch.isalnum() for ch in line) and not _BULLET.match(line)


def _is_prose(unit: _Unit) -> bool:
    return unit.words >= 8 and bool(_TERMINAL.search(unit.text)) and not _is_caption(unit)


def _is_short(unit: _Unit) -> bool:
    return unit.words <= 4 and not _SENTENCE_END.search(unit.text)


def _is_caption(unit: _Unit) -> bool:
    return bool(_CAPTION_CREDIT.search(unit.text))


def _join_broken(units: list[_Unit]) -> list[_Unit]:
    joined: list[_Unit] = []
    for unit in _unwrap_blocks(units):
        previous = joined[-1] if joined else None
        if previous is not None and _continues(previous, unit):
            previous.text = f"{previous.text} {unit.text}"
            continue
        joined.append(unit)
    return joined


def _unwrap_blocks(units: list[_Unit]) -> list[_Unit]:
    blocks: list[list[_Unit]] = []
    for unit in units:
        if unit.block_start or not blocks:
            blocks.append([unit])
        else:
            blocks[-1].append(unit)
    unwrapped: list[_Unit] = []
    for block in blocks:
        if _is_hard_wrapped(block):
            block[0].text = " ".join(unit.text for unit in block)
            unwrapped.append(block[0])
        else:
            unwrapped.extend(block)
    return unwrapped


def _is_hard_wrapped(block: list[_Unit]) -> bool:
    if len(block) < 3 or any(unit.bullet or unit.list_item for unit in block):
        return False
    lengths = [len(unit.text) for unit in block[:-1]]
    return (
        min(lengths) >= 40
        and max(lengths) <= 100
        and max(lengths) - min(lengths) <= 25
        and any(not _SENTENCE_END.search(unit.text) for unit in block[:-1])
    )


def _continues(previous: _Unit, unit: _Unit) -> bool:
    if previous.bullet or unit.bullet or unit.list_item or previous.words < 6:
        return False
    return not _SENTENCE_END.search(previous.text) and unit.text[0].islower()


def _marker_kind(unit: _Unit) -> str | None:
    key = unit.key
    if unit.words > 8:
        return None
    if _FOOTER_PATTERNS.match(unit.text):
        return "footer"
    if unit.bullet:
        return None
    if key in _TICKER_MARKERS:
        return "ticker"
    if key in _LISTING_MARKERS or (re.match(r"^more (?:from|on|in|about) \w", key) and unit.words <= 5):
        return "listing"
    if key in _LINE_MARKERS or _MIN_READ.match(unit.text) or _DATE_ONLY.match(unit.text):
        return "line"
    if _BYLINE.match(unit.text) and unit.words <= 6 and not _TERMINAL.search(unit.text):
        return "line"
    return None


def _drop_marked_sections(units: list[_Unit]) -> list[_Unit]:
    # The prose kept so far and the prose from each unit on, summed once: a page with many footer or
    # listing markers used to sum them again at every marker.
    prose = [len(unit.text) if _is_prose(unit) else 0 for unit in units]
    prose_from = list(accumulate(reversed(prose), initial=0))[::-1]  # prose_from[i]: units[i:]
    kept: list[_Unit] = []
    kept_prose = 0
    index = 0
    while index < len(units):
        unit = units[index]
        kind = _marker_kind(unit)
        if kind is None:
            kept.append(unit)
            kept_prose += prose[index]
            index += 1
            continue
        index += 1
        if kind == "line":
            continue
        if kind in ("footer", "listing") and _is_tail(kept_prose, prose_from[index]):
            break
        if kind == "footer":
            continue
        if kind == "ticker":
            if index < len(units) and units[index].block_start:
                index += 1
            while index < len(units) and not units[index].block_start:
                index += 1
            continue
        while index < len(units) and not prose[index]:
            index += 1
    return kept


def _is_tail(prose_before: int, prose_after: int) -> bool:
    """Whether what follows a marker is a page's tail: under a quarter of the prose before it."""
    return prose_after * 4 < prose_before


def _drop_menu_runs(units: list[_Unit]) -> list[_Unit]:
    chrome = [_is_chrome_candidate(unit) for unit in units]
    kept: list[_Unit] = []
    for index, unit in enumerate(units):
        if unit.bullet and chrome[index]:
            continue
        if _is_caption(unit):
            continue
        if chrome[index]:
            neighbours = (
                index > 0 and chrome[index - 1],
                index + 1 < len(units) and chrome[index + 1],
            )
            if any(neighbours):
                continue
        kept.append(unit)
    return kept


def _is_chrome_candidate(unit: _Unit) -> bool:
    if unit.list_item:
        return False
    if unit.bullet:
        return not _is_prose(unit)
    return _is_short(unit)


def _strip_bullet(unit: _Unit) -> str:
    if unit.bullet:
        return "• " + _BULLET.sub("", unit.text)
    return unit.text


def _same_text(first: str, second: str) -> bool:
    return first.casefold() == second.casefold()
