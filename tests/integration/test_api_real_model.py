"""The public Python API over the session's `real_assistant` (the packaged MiniLM model), where
ranking quality matters; the same API with fake embeddings is in tests/unit/test_api.py.
"""

from __future__ import annotations

import statistics
import time

import pytest
from helpers.citations import check_citations

from assistant import Assistant


@pytest.mark.slow
def test_real_who_can_take_part(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("Who can take part in CWG-Internet?")
    assert not answer.abstained
    assert any("member states" in c.quote.lower() for c in answer.citations), answer.text
    check_citations(real_assistant, answer)


@pytest.mark.slow
def test_real_abstains_on_the_weather(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What is the weather in Busan today?")
    assert answer.abstained and not answer.citations
    assert "ITU Plenipotentiary 2014: Impressions and analysis of outcomes" in answer.text


@pytest.mark.slow
def test_real_follow_up(real_assistant: Assistant) -> None:
    history = [
        {"role": "user", "content": "What is CWG-Internet?"},
        {"role": "assistant", "content": "..."},
    ]
    answer = real_assistant.ask("Who can take part in it?", history=history)
    assert not answer.abstained
    assert any("CWG-Internet" in c.quote for c in answer.citations), answer.text
    check_citations(real_assistant, answer)
    # The README's example: "it" is read as CWG-Internet, and the answer gives who.
    answer = real_assistant.ask("Who can join it?", history=history)
    assert not answer.abstained, answer.text
    assert any("only open to member states" in c.quote for c in answer.citations), answer.text
    check_citations(real_assistant, answer)


@pytest.mark.slow
def test_real_citations_are_verbatim(real_assistant: Assistant) -> None:
    for question in (
        "Where was the 2014 Plenipotentiary Conference held?",
        "What happened to India's proposal?",
        "Was the ITU constitution changed?",
    ):
        check_citations(real_assistant, real_assistant.ask(question))


@pytest.mark.slow
def test_real_warm_ask_is_fast(real_assistant: Assistant) -> None:
    question = "Who can take part in CWG-Internet?"
    real_assistant.ask(question)  # warm-up
    timings = []
    for _ in range(20):
        began = time.perf_counter()
        real_assistant.ask(question)
        timings.append(time.perf_counter() - began)
    assert statistics.median(timings) < 0.150, f"p50 {statistics.median(timings) * 1000:.0f} ms"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "act"),
    [
        ("Which resolution covers the Internet of Things?", "Resolution WG-PL/3"),
        ("What is the number of the resolution on counterfeit devices?", "Resolution Com5/4"),
    ],
)
def test_real_which_resolution_quotes_the_line_under_the_heading(
    real_assistant: Assistant, question: str, act: str
) -> None:
    answer = real_assistant.ask(question)
    assert not answer.abstained, answer.text
    assert answer.citations[0].quote.startswith(act), answer.text
    check_citations(real_assistant, answer)
