"""Claims and quotes read by the code from an article's sentences (``summarise/reading/statements.py``).

Every sentence here is invented for these tests: a made-up river commission on the Ostvale, the
made-up states Norland and Sudmark, the made-up towns Brakmund and Vessby and made-up people.
No sentence is taken from an article or a fixture.
"""

from __future__ import annotations

import pytest

from summarise.reading.statements import QuotedWords, Statement, attribution, lifecycle_steps, quotations, statements

# --- who says it ----------------------------------------------------------------------------------


def test_a_speaker_named_before_the_verb_holds_the_words_after_it():
    sentence = "Marta Kolvik said the river commission would meet again in the spring."
    assert attribution(sentence) == ("Marta Kolvik", "the river commission would meet again in the spring")


def test_told_reporters_that_is_no_part_of_the_claim():
    sentence = "Harald Brenn told reporters that the locks would reopen on Friday."
    assert attribution(sentence) == ("Harald Brenn", "the locks would reopen on Friday")


@pytest.mark.parametrize(
    "sentence",
    [
        "The eel quota will be cut by a third, Harald Brenn said.",
        "The eel quota will be cut by a third, said Harald Brenn.",
    ],
)
def test_a_speaker_named_after_the_words_holds_the_words_before(sentence):
    assert attribution(sentence) == ("Harald Brenn", "The eel quota will be cut by a third")


def test_according_to_names_the_holder():
    sentence = "The new weir will be finished by autumn, according to the Ostvale River Commission."
    assert attribution(sentence) == ("Ostvale River Commission", "The new weir will be finished by autumn")


def test_a_speaker_before_an_aside_holds_the_words():
    sentence = "Ilse Marrow, who chairs the commission, said the talks on the weir had gone well."
    assert attribution(sentence) == ("Ilse Marrow", "the talks on the weir had gone well")


@pytest.mark.parametrize(
    "sentence",
    [
        "He said the commission would publish its report on the weir in May.",
        "She told reporters that the locks would reopen on Friday.",
        "They said the eel quota would be cut by a third.",
    ],
)
def test_a_pronoun_is_no_holder(sentence):
    assert attribution(sentence) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials said the commission would publish its report on the weir in May.",
        "The commission would publish its report on the weir in May, officials said.",
        "Several diplomats said the eel quota would be cut by a third.",
    ],
)
def test_an_unnamed_speaker_is_no_holder(sentence):
    assert attribution(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "holder", "claim"),
    [
        (
            "Officials in Brakmund said the commission would publish its report on the weir in May.",
            "Officials in Brakmund",
            "the commission would publish its report on the weir in May",
        ),
        (
            "The commission would publish its report on the weir in May, officials in Vessby said.",
            "officials in Vessby",
            "The commission would publish its report on the weir in May",
        ),
    ],
)
def test_unnamed_speakers_of_a_named_place_are_a_holder(sentence, holder, claim):
    assert attribution(sentence) == (holder, claim)


def test_a_sentence_that_attributes_nothing_has_no_holder():
    assert attribution("The boats sailed from Brakmund at dawn with the new nets.") is None


# --- steps in a coalition's life ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "steps"),
    [
        ("Norland has signed on to the river accord.", [("sign", False)]),
        ("Norland had still not formally signed the river accord.", [("sign", True)]),
        ("Sudmark declined to join the river patrol.", [("join", True)]),
        ("Nine river towns have joined the patrol.", [("join", False)]),
        ("Vessby has yet to ratify the river accord.", [("ratify", True)]),
        ("Sudmark left the commission in May.", [("leave", False)]),
        ("The commission was launched in Brakmund last year.", [("launch", False)]),
        ("The boats sailed from Brakmund at dawn.", []),
    ],
)
def test_lifecycle_steps_are_the_verbs_and_whether_they_are_denied(sentence, steps):
    assert lifecycle_steps(sentence) == steps


# --- an article's claims -------------------------------------------------------------------------


SENTENCES = [
    "Marta Kolvik said the river commission would meet again in the spring.",
    "Norland has signed on to the river accord.",
    "The boats sailed from Brakmund at dawn.",
    '"Vessby has joined the accord," the banner read.',
    "Officials said the eel quota would be cut by a third.",
    "The eel quota will be cut by a third, Harald Brenn said.",
]


def test_statements_are_attributed_words_and_reported_steps_with_their_sentence():
    assert statements(SENTENCES, "Ostvale Herald") == [
        Statement("Marta Kolvik", "the river commission would meet again in the spring", SENTENCES[0]),
        # a step the sentence reports without attribution is the outlet's
        Statement("Ostvale Herald", "Norland has signed on to the river accord", SENTENCES[1]),
        # not the sailing (no step, no speaker), the banner's quoted words (no one's) or the unnamed officials
        Statement("Harald Brenn", "The eel quota will be cut by a third", SENTENCES[5]),
    ]


def test_a_reported_step_without_an_outlet_is_the_articles():
    assert statements([SENTENCES[1]], None) == [Statement("the article", SENTENCES[1].rstrip("."), SENTENCES[1])]


# --- quotes ------------------------------------------------------------------------------------------


def test_a_quote_takes_its_speaker_from_the_sentence_before():
    sentences = [
        "Marta Kolvik said the commission met on Monday.",
        '"We will keep the weir open all winter," she said.',
    ]
    assert quotations(sentences) == [QuotedWords("Marta Kolvik", "We will keep the weir open all winter")]


def test_a_quote_takes_its_speaker_from_its_own_sentence():
    sentences = ['Harald Brenn said the locks were repaired and that "the boats can pass by Friday".']
    assert quotations(sentences) == [QuotedWords("Harald Brenn", "the boats can pass by Friday")]


@pytest.mark.parametrize(
    "sentences",
    [
        ["The boats sailed from Brakmund at dawn.", '"We will keep the weir open all winter," she said.'],
        ['"We will keep the weir open all winter," she said.'],
        ["Officials said the commission met on Monday.", '"We will keep the weir open all winter," one added.'],
    ],
)
def test_a_quote_no_nearby_sentence_attributes_is_left_out(sentences):
    assert quotations(sentences) == []


def test_a_quote_of_fewer_than_three_words_is_left_out():
    assert quotations(["Marta Kolvik said the commission met on Monday.", '"Open always," she said.']) == []


@pytest.mark.parametrize(
    "sentences",
    [
        ['"We will keep the weir open all winter," Harald Brenn said.'],
        [
            "Marta Kolvik said the commission met on Monday.",
            '"We will keep the weir open all winter," Harald Brenn said.',
        ],
    ],
)
def test_the_speaker_a_quotes_own_sentence_names_is_its_speaker(sentences):
    assert quotations(sentences) == [QuotedWords("Harald Brenn", "We will keep the weir open all winter")]


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("The Lantby Harbour Board (LHB) says it dredged the channel.", "it dredged the channel"),
        (
            "The Lantby Harbour Board (LHB) says it dredged the channel between May 4 and 6.",
            "it dredged the channel between May 4 and 6",
        ),
        ("Ostvale River Commission (ORC) chair Ilse Marrow said the weir would close.", "the weir would close"),
    ],
)
def test_an_abbreviation_in_brackets_stays_part_of_the_holder(sentence, claim):
    holder, said = attribution(sentence)
    assert said == claim
    assert holder.count("(") == holder.count(")")
