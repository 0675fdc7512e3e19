"""One article made ready for its questions, once: its numbered sentences, the names it uses, its prompt block.

Every question, answer check, applier and reading of an article works from the same
:class:`PreparedArticle`, so its sentences are numbered and its names found once per article (a
cut article, shorter, is prepared anew), and the validation context each request checks its
answer against is built from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from summarise.articles import Article
from summarise.articles.story import Story
from summarise.extraction.answers import grounding_context
from summarise.extraction.templates import PromptSet
from summarise.text.entities import Entity, entities_in
from summarise.text.grounding import numbered_sentences, numbered_text


@dataclass(frozen=True)
class PreparedArticle:
    """An article with what every question about it needs, computed once."""

    article: Article
    #: the story file, if one was given: topic, targets, known coalitions, aliases
    story: Story | None
    #: the article's sentences as the model sees them numbered: sentence n is item n - 1
    sentences: list[str]
    #: the states and bodies the article names (known names and aliases)
    named: list[Entity]
    #: the article as the prompt shows it: title, outlet, date and numbered sentences
    block: str

    @classmethod
    def of(cls, article: Article, story: Story | None, prompts: PromptSet) -> PreparedArticle:
        """Number ``article``'s sentences, find the names it uses and render its prompt block."""
        sentences = numbered_sentences(article.text)
        block = prompts.render(
            "article",
            title=article.title or "(none)",
            outlet=article.outlet or "(unknown)",
            published=article.published.isoformat() if article.published else "(unknown)",
            text=numbered_text(sentences),
        )
        return cls(article, story, sentences, entities_in(article.text), block)

    @property
    def text(self) -> str:
        """The article's text."""
        return self.article.text

    def stands_for(self) -> dict[str, str]:
        """The story's extra aliases and the names they stand for (none without a story)."""
        return self.story.stands_for() if self.story is not None else {}

    def context(self) -> dict[str, Any]:
        """A new validation context for one request (its validators note what they drop in it)."""
        return grounding_context(self.text, self.article.published, self.stands_for(), sentences=self.sentences)
