"""Managing the corpus (#13): filters that say when they match nothing, duplicates, and
removing, replacing and describing sources, through the API with fake embeddings."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.errors import AssistantError, FilterError

COMMENTARY = "itu-plenipot-2014-impressions.txt"


def test_an_unknown_kind_names_the_indexed_kinds(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError) as caught:
        fake_assistant.ask("Who can take part in CWG-Internet?", kinds=["resolutoin"])
    assert "'resolutoin'" in str(caught.value) and "'commentary'" in str(caught.value)
    assert isinstance(caught.value, AssistantError)


def test_an_unknown_source_names_the_indexed_sources(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError) as caught:
        fake_assistant.retrieve("surveillance", sources=["nope.pdf"])
    assert "'nope.pdf'" in str(caught.value) and COMMENTARY in str(caught.value)


def test_resolutions_without_final_acts_say_how_to_add_them(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError) as caught:
        fake_assistant.ask("What does Resolution 102 resolve?", kinds=["resolution", "decision"])
    message = str(caught.value)
    assert "nothing of kind 'resolution' or 'decision' is indexed" in message
    assert "Final Acts" in message and "README" in message


def test_filters_that_match_still_answer(fake_assistant: Assistant) -> None:
    passages = fake_assistant.retrieve(
        "surveillance", kinds=["commentary", "resolution"], sources=[COMMENTARY]
    )
    assert passages and {p.source for p in passages} == {COMMENTARY}


def test_check_question_refuses_what_ask_refuses(fake_assistant: Assistant) -> None:
    with pytest.raises(FilterError):
        fake_assistant.check_question("What?", kinds=["speech"])
    with pytest.raises(AssistantError):
        fake_assistant.check_question("   ")
    fake_assistant.check_question("What?", kinds=["commentary"])
