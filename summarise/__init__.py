"""summarise: grounded, structured briefs from many news articles about one story."""

from summarise.exceptions import SummariseError
from summarise.schemas import ArticleBrief

__version__ = "0.1.0"
__all__ = ["ArticleBrief", "SummariseError", "__version__"]
