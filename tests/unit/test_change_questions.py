"""Questions about change between editions, and which edition an answer quotes, over the two
invented editions of tests/data/editions/ (fake embeddings; the answers come from the
comparison, so no ranking quality is at stake)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.citations import check_citations
from helpers.editions import NEW, OLD, editions_assistant

from assistant import Answer, Assistant
from assistant.answering.question import ChangeQuestion, analyse

OLD_130 = "Resolution 130 (Rev. Guadalajara, 2010)"
NEW_130 = "Resolution 130 (Rev. Busan, 2014)"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    opened = editions_assistant(tmp_path_factory.mktemp("changes"))
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "What changed in Resolution 130 in Busan?",
            ChangeQuestion("Resolution 130", "any", places=("Busan",)),
        ),
        ("Was Resolution 101 changed?", ChangeQuestion("Resolution 101", "any")),
        (
            "What was added to the resolves part of Resolution 102?",
            ChangeQuestion("Resolution 102", "added", block="resolves"),
        ),
        (
            "Was the operative part of Resolution 101 amended?",
            ChangeQuestion("Resolution 101", "any", part="operative"),
        ),
        (
            "What was removed from Decision 11 between 2010 and 2014?",
            ChangeQuestion("Decision 11", "removed", places=("2010", "2014")),
        ),
        ("What does the revised Resolution 130 say?", None),  # about the text, not a change
        ("What does Resolution 102 resolve?", None),
        ("What changed at the conference?", None),  # no act named
        ("How did Resolution 101 and Resolution 102 change?", None),  # two acts
    ],
)
def test_change_questions_are_told_apart(question: str, expected: ChangeQuestion | None) -> None:
    assert analyse(question).change == expected


@pytest.mark.parametrize(
    ("question", "act", "wanted"),
    [
        # The three questions above in other words: a verb before its object, a noun, "the
        # same as", "new ... clauses".
        ("How was Resolution 130 revised at Busan?", "Resolution 130", "any"),
        ("Did Busan amend Resolution 130, and how?", "Resolution 130", "any"),
        ("What is different in Resolution 130 compared with 2010?", "Resolution 130", "any"),
        (
            "Tell me the differences between the two texts of Resolution 130.",
            "Resolution 130",
            "any",
        ),
        ("Did the conference modify Resolution 101?", "Resolution 101", "any"),
        ("Is Resolution 101 the same as before?", "Resolution 101", "any"),
        ("Any revisions to Resolution 101 in Busan?", "Resolution 101", "any"),
        (
            "Which new items did the resolves section of Resolution 102 get?",
            "Resolution 102",
            "added",
        ),
        ("What new operative clauses appear in Resolution 102?", "Resolution 102", "added"),
        ("What did Busan add to what Resolution 102 resolves?", "Resolution 102", "added"),
        ("Was any clause of Decision 11 deleted?", "Decision 11", "removed"),
    ],
)
def test_change_questions_in_other_words(question: str, act: str, wanted: str) -> None:
    change = analyse(question).change
    assert change is not None and (change.act, change.wanted) == (act, wanted)


@pytest.mark.parametrize(
    "question",
    [
        "What does Resolution 101 say about semaphore towers?",
        "Who keeps the register under Resolution 102?",
        "Why was Resolution 130 adopted?",
        "What does the amended Resolution 130 say about lanterns?",
    ],
)
def test_questions_on_the_text_are_not_change_questions(question: str) -> None:
    assert analyse(question).change is None


def sides(answer: Answer) -> list[str]:
    """The edition label of each citation, in marker order."""
    return [c.locator.partition(" › ")[0] for c in answer.citations]


def test_what_changed_lists_each_change_cited_to_both_editions(assistant: Assistant) -> None:
    answer = assistant.ask("What changed in Resolution 130 in Busan?")
    check_citations(assistant, answer)
    lines = answer.text.splitlines()
    assert (
        lines[0]
        == "Resolution 130, Rev. Guadalajara, 2010 → Rev. Busan, 2014: 6 changes in its text:"
    )
    assert [line.split(":")[0] for line in lines[1:]] == [
        "- Added in Rev. Busan, 2014",
        "- Reworded",
        "- Removed",
        "- Added in Rev. Busan, 2014",
        "- Renumbered",
        "- Renumbered",
    ]
    # Added items cite the new edition, removed ones the old; the others both, old first.
    assert sides(answer) == [NEW_130, OLD_130, NEW_130, OLD_130, NEW_130] + [OLD_130, NEW_130] * 2
    reworded = lines[2]
    assert (
        "“that storms over the invented northern coast disturb the flight of the pigeons;” [2]"
        in reworded
    )
    assert "(adds “and high winds”, “often”)" in reworded
    assert answer.fingerprint == {s: assistant._catalog.digests()[s] for s in (OLD, NEW)}


def test_a_preamble_change_leaves_the_operative_part_cited_as_unchanged(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("Was Resolution 101 changed?")
    check_citations(assistant, answer)
    assert "1 change in its text" in answer.text and "Reworded: noting a)" in answer.text
    assert "There is no change in the operative part: resolves 1 [3] [4], resolves 2 [5] [6]" in (
        answer.text
    )
    assert len(answer.citations) == 8


def test_no_change_in_the_operative_part_is_said_with_citations(assistant: Assistant) -> None:
    answer = assistant.ask("Was the operative part of Resolution 101 amended?")
    check_citations(assistant, answer)
    assert answer.text.startswith(
        "Resolution 101, Rev. Guadalajara, 2010 → Rev. Busan, 2014: no change in the operative "
        "part: resolves 1 [1] [2]"
    )
    assert all(
        c.locator.split(" › ")[1].startswith(("resolves", "instructs")) for c in answer.citations
    )
    assert sides(answer)[:2] == [
        "Resolution 101 (Rev. Guadalajara, 2010)",
        "Resolution 101 (Rev. Busan, 2014)",
    ]


def test_what_was_added_to_a_block(assistant: Assistant) -> None:
    answer = assistant.ask("What was added to the resolves part of Resolution 102?")
    check_citations(assistant, answer)
    assert answer.text == (
        "Resolution 102, Rev. Guadalajara, 2010 → Rev. Busan, 2014: 1 change in the resolves "
        "part:\n- Added in Rev. Busan, 2014: resolves 3, “that the register shall also record "
        "the colours of the lanterns,” [1]."
    )
    nothing = assistant.ask("What was removed from the resolves part of Resolution 102?")
    check_citations(assistant, nothing)
    assert nothing.text.startswith(
        "Resolution 102, Rev. Guadalajara, 2010 → Rev. Busan, 2014: nothing was removed from "
        "the resolves part: resolves 1 [1] [2], resolves 2 [3] [4] read the same"
    )


def test_the_editions_named_are_compared(assistant: Assistant) -> None:
    answer = assistant.ask("What was removed from Resolution 130 since Guadalajara?")
    assert answer.text.splitlines()[0].endswith("1 change in its text:")
    assert sides(answer) == [OLD_130]


def test_an_act_held_once_has_nothing_to_compare(assistant: Assistant) -> None:
    answer = assistant.ask("Was Resolution 978 changed?")
    assert answer.abstained and answer.citations == []
    assert "Only one edition of Resolution 978 is indexed (Busan, 2014" in answer.text


def test_an_act_in_two_editions_is_quoted_from_the_latest(assistant: Assistant) -> None:
    answer = assistant.ask("What does Resolution 102 resolve?")
    check_citations(assistant, answer)
    assert answer.citations and set(sides(answer)) == {"Resolution 102 (Rev. Busan, 2014)"}
    assert answer.notice is not None
    assert answer.notice.startswith(
        "Quoted from Resolution 102 (Rev. Busan, 2014), the latest indexed edition (also "
        "indexed: Rev. Guadalajara, 2010)."
    )
    # resolves 3 is new in 2014; resolves 1 and 2 read the same, so are not named.
    assert "resolves 3 (Rev. Guadalajara, 2010 did not have it)" in answer.notice
    assert "resolves 1" not in answer.notice and "resolves 2" not in answer.notice


def test_a_filter_keeps_the_question_on_the_usual_path(assistant: Assistant) -> None:
    answer = assistant.ask("What does Resolution 102 resolve?", sources=[OLD])
    assert answer.citations and set(sides(answer)) == {"Resolution 102 (Rev. Guadalajara, 2010)"}
    assert answer.notice is None or "Quoted from" not in answer.notice


def test_the_edition_a_question_names_is_quoted(assistant: Assistant) -> None:
    answer = assistant.ask("What did the Guadalajara edition of Resolution 102 resolve?")
    check_citations(assistant, answer)
    assert answer.citations and set(sides(answer)) == {"Resolution 102 (Rev. Guadalajara, 2010)"}
    assert answer.notice is not None and answer.notice.startswith(
        "Quoted from Resolution 102 (Rev. Guadalajara, 2010), the edition asked for"
    )


def test_a_follow_up_asks_about_the_act_the_conversation_named(assistant: Assistant) -> None:
    first = assistant.ask("What does Resolution 102 resolve?")
    history = [
        {"role": "user", "content": "What does Resolution 102 resolve?"},
        {"role": "assistant", "content": first.text},
    ]
    answer = assistant.ask("What was added to its resolves part?", history=history)
    check_citations(assistant, answer)
    assert answer.text.startswith("Resolution 102, Rev. Guadalajara, 2010 → Rev. Busan, 2014: 1 ")


def test_a_kinds_filter_that_holds_the_act_keeps_the_editions_route(assistant: Assistant) -> None:
    scoped = assistant.ask("Was Resolution 101 changed?", kinds=["resolution", "decision"])
    assert scoped.text.startswith("Resolution 101, Rev. Guadalajara, 2010 → Rev. Busan, 2014:")
    latest = assistant.ask("What does Resolution 102 resolve?", kinds=["resolution"])
    assert latest.notice is not None and latest.notice.startswith("Quoted from Resolution 102")
    assert {c.locator.split(" › ")[0] for c in latest.citations} == {
        "Resolution 102 (Rev. Busan, 2014)"
    }
