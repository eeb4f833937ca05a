"""Reading a turn of a conversation: what is searched, and what a pronoun points back to."""

from __future__ import annotations

import pytest

from assistant.answering.history import new_topic, resolve
from assistant.answering.turn import read_turn


def conversation(*questions: str) -> list[dict[str, str]]:
    history: list[dict[str, str]] = []
    for q in questions:
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": "..."}]
    return history


def test_a_pronoun_reads_as_what_the_previous_question_named() -> None:
    turn = read_turn("Who can join it?", conversation("What is CWG-Internet?"))
    assert turn.resolved == "Who can join CWG-Internet?"
    assert turn.is_follow_up and "CWG-Internet" in turn.query
    # The guess steers ranking, but is no constraint the answer must meet.
    assert turn.analysis.constraints == ()


def test_a_named_act_carries_over_to_the_intent() -> None:
    turn = read_turn("What does it resolve?", conversation("What is Resolution 102 about?"))
    assert turn.resolved == "What does Resolution 102 resolve?"
    assert turn.intent.acts == frozenset({("resolution", "102")})


def test_its_becomes_a_possessive() -> None:
    assert resolve("What is its mandate?", "CWG-Internet") == "What is CWG-Internet's mandate?"


@pytest.mark.parametrize(
    "question",
    ["Did that happen?", "Why?", "What did they say?"],
)
def test_without_a_named_referent_the_words_stay(question: str) -> None:
    turn = read_turn(
        question, conversation("What did delegates expect in the cybersecurity talks?")
    )
    assert turn.resolved == question and turn.is_follow_up


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("New topic: did the governments get something out of it?", "did the governments"),
        ("Different question: overall, was it a success?", "overall, was it"),
        ("On another note, what did the ITU learn?", "what did the ITU"),
    ],
)
def test_a_change_of_subject_starts_afresh(question: str, rest: str) -> None:
    fresh = new_topic(question)
    assert fresh is not None and fresh.startswith(rest)
    turn = read_turn(question, conversation("What is Resolution 146 about?"))
    assert not turn.is_follow_up and turn.query == fresh and turn.said == ""


def test_a_standalone_question_is_its_own_query() -> None:
    turn = read_turn("Who can take part in CWG-Internet?")
    assert turn.query == turn.text == turn.resolved and not turn.is_follow_up
