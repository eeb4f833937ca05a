"""Hostile questions through the session's real model: what its tokenizer itself sees (control
characters, bidi marks, emoji, a lone surrogate). The rest of the hostile input, with fake
embeddings, is in tests/unit/test_hostile.py.
"""

from __future__ import annotations

import time

import pytest
from helpers.hostile import HOSTILE_QUESTIONS

from assistant import Answer, Assistant, AssistantError


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", [n for n in ("control characters", "bidi and zero width", "emoji", "lone surrogate")]
)
def test_the_real_model_takes_any_question(real_assistant: Assistant, name: str) -> None:
    began = time.perf_counter()
    try:
        answer = real_assistant.ask(HOSTILE_QUESTIONS[name])
    except AssistantError:
        pass
    else:
        assert isinstance(answer, Answer)
    assert time.perf_counter() - began < 10
