"""Answer cues: a sentence that settles a yes/no question, or gives a why-question's cause;
and a question that asks the author's view against a sentence that takes one."""

from __future__ import annotations

import pytest

from assistant.answering.cues import gives_cause, settles
from assistant.answering.stance import asks_view, takes_view


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        ("The final text contained nothing of the sort.", True),
        ("The mandate does not extend to content.", True),
        ("It didn't pass.", True),
        ("The delegates discussed the mandate at length.", False),
    ],
)
def test_a_yes_no_question_is_settled_by_a_negation(sentence: str, ok: bool) -> None:
    assert settles("yesno", sentence) is ok
    assert not settles("description", sentence)  # only yes/no questions ask to be settled


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        ("They described it as a desire to meet the demands of the law.", True),
        ("The budget fell because contributions were lowered.", True),
        ("The budget is reviewed every four years.", False),
    ],
)
def test_a_why_question_is_answered_by_a_cause(sentence: str, ok: bool) -> None:
    assert gives_cause("reason", sentence) is ok
    assert not gives_cause("yesno", sentence)


def test_a_question_about_the_authors_view_wants_a_sentence_that_takes_one() -> None:
    assert asks_view("Does the writer expect the secrecy rule to last?")
    assert asks_view("What, in the author's view, should civil society do?")
    assert not asks_view("When does the secrecy rule end?")
    assert takes_view("Unfortunately, the ITU still considers the documents too sensitive.")
    assert not takes_view("The documents were published in November.")
