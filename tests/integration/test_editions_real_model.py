"""Editions with the real packaged model: an act held in two editions is quoted from the latest
and says so; change questions are answered from the comparison, whatever the ranking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.citations import check_citations
from helpers.editions import copy_editions

from assistant import Assistant


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    root = tmp_path_factory.mktemp("editions-real")
    opened = Assistant.open(sources=copy_editions(root / "sources"), index=root / "index")
    yield opened
    opened.close()


def test_the_latest_edition_is_quoted_and_named(assistant: Assistant) -> None:
    answer = assistant.ask("What does Resolution 130 resolve?")
    check_citations(assistant, answer)
    assert answer.citations
    assert {c.locator.split(" › ")[0] for c in answer.citations} == {
        "Resolution 130 (Rev. Busan, 2014)"
    }
    assert answer.notice is not None
    assert answer.notice.startswith(
        "Quoted from Resolution 130 (Rev. Busan, 2014), the latest indexed edition (also "
        "indexed: Rev. Guadalajara, 2010)."
    )
    assert "resolves 2 (Rev. Guadalajara, 2010 did not have it)" in answer.notice
    assert "resolves 3 (Rev. Guadalajara, 2010 numbered it resolves 2)" in answer.notice


@pytest.mark.parametrize(
    ("question", "first_line"),
    [
        (
            "What changed in Resolution 130 in Busan?",
            "Resolution 130, Rev. Guadalajara, 2010 → Rev. Busan, 2014: 6 changes in its text:",
        ),
        (
            "Was Resolution 101 changed?",
            "Resolution 101, Rev. Guadalajara, 2010 → Rev. Busan, 2014: 1 change in its text:",
        ),
        (
            "What was added to the resolves part of Resolution 102?",
            "Resolution 102, Rev. Guadalajara, 2010 → Rev. Busan, 2014: 1 change in the resolves "
            "part:",
        ),
    ],
)
def test_change_questions_cite_both_editions(
    assistant: Assistant, question: str, first_line: str
) -> None:
    answer = assistant.ask(question)
    check_citations(assistant, answer)
    assert answer.text.splitlines()[0] == first_line
    assert not answer.abstained and answer.citations
