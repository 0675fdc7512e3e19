"""Load news articles from files, stdin, JSONL and URLs, strip page chrome and give each a stable id.

Every input becomes an :class:`Article` or one :class:`~summarise.exceptions.InputError`;
:func:`load_articles` never raises for a bad input, so one broken file does not stop a run.

The work is in these modules: :mod:`~summarise.articles.reading` (files, folders, stdin, JSON
Lines, and URLs handed to :mod:`~summarise.articles.fetching`, whose pages are kept by
:mod:`~summarise.articles.page_cache`), :mod:`~summarise.articles.content` (text or binary, decoding,
HTML through trafilatura), :mod:`~summarise.articles.model` (the article, its id, front matter and
publication date) and :mod:`~summarise.articles.cleaning` (the page chrome stripped from the text).
"""

from __future__ import annotations

from summarise.articles.cleaning import clean_text
from summarise.articles.model import Article, article_from_text, article_id, parse_front_matter, parse_published
from summarise.articles.reading import (
    DEFAULT_MAX_BYTES,
    MAX_BYTES_ENV,
    STDIN_SOURCE,
    SUPPORTED_SUFFIXES,
    LoadResult,
    iter_articles,
    load_articles,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "STDIN_SOURCE",
    "SUPPORTED_SUFFIXES",
    "Article",
    "LoadResult",
    "article_from_text",
    "article_id",
    "clean_text",
    "iter_articles",
    "load_articles",
    "parse_front_matter",
    "parse_published",
]
