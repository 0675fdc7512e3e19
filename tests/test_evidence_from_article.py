"""Sentences and spans the code takes from the article itself."""

from __future__ import annotations

from summarise.text.grounding import find_span, sentences

TEXT = (
    "U.S. Central Command (Centcom) said on Dec. 8 that it struck depots. "
    "Delegations of Türkiye, Syria, Iraq and Jordan agreed to launch a joint operations centre. "
    "The five countries will meet again."
)


def test_sentences_do_not_split_after_abbreviations():
    assert sentences(TEXT)[0] == "U.S. Central Command (Centcom) said on Dec. 8 that it struck depots."
    assert len(sentences(TEXT)) == 3


def test_brackets_do_not_hide_a_quote_and_the_span_keeps_them_balanced():
    assert find_span(TEXT, "Centcom said on Dec. 8 that it struck depots") == (
        "(Centcom) said on Dec. 8 that it struck depots"
    )
