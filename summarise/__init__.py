"""summarise: grounded, structured briefs from many news articles about one story."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from summarise.exceptions import SummariseError

if TYPE_CHECKING:
    from summarise.schemas import ArticleBrief

__version__ = "0.1.0"
__all__ = ["ArticleBrief", "SummariseError", "__version__"]


def __getattr__(name: str) -> Any:
    """``ArticleBrief`` on first use: its models are built when imported (a third of ``summarise --help``)."""
    if name == "ArticleBrief":
        from summarise.schemas import ArticleBrief

        return ArticleBrief
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
