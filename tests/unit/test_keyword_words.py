"""The keyword query leaves out words too common to rank by (Settings.keyword_common_fraction)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from pydantic import ValidationError

from assistant.answering.retrieve import COMMON_FRACTION, HybridRetriever, keyword_words
from assistant.config import Settings


def test_a_common_word_is_dropped_and_a_rare_word_kept() -> None:
    frequency = {"itu": 900, "cybersecurity": 12, "conference": 501}
    assert keyword_words(frequency, chunks=1000, common_fraction=0.5) == ["cybersecurity"]


def test_a_word_in_exactly_the_fraction_is_kept() -> None:
    assert keyword_words({"itu": 500, "rare": 3}, chunks=1000, common_fraction=0.5) == [
        "itu",
        "rare",
    ]


def test_when_every_word_is_common_the_rarest_is_kept() -> None:
    frequency = {"itu": 900, "member": 700, "states": 800}
    assert keyword_words(frequency, chunks=1000, common_fraction=0.5) == ["member"]


def test_words_in_no_chunk_are_left_out() -> None:
    assert keyword_words({"zzyzx": 0, "rare": 2}, chunks=10, common_fraction=0.5) == ["rare"]
    assert keyword_words({"zzyzx": 0}, chunks=10, common_fraction=0.5) == []


def test_a_fraction_of_one_keeps_every_found_word() -> None:
    assert keyword_words({"a": 10, "b": 1}, chunks=10, common_fraction=1.0) == ["a", "b"]


class CountingCatalog:
    """document_frequency and chunk_count of a 100-chunk index; nothing else is needed."""

    frequencies = {"itu": 80, "surveillance": 4}

    def document_frequency(self, word: str) -> int:
        return self.frequencies.get(word, 0)

    def chunk_count(self) -> int:
        return 100


def test_the_retriever_asks_the_catalog_for_frequencies() -> None:
    def retriever(fraction: float) -> HybridRetriever:
        return HybridRetriever(
            catalog=cast(Any, CountingCatalog()),
            store=cast(Any, None),
            embeddings=cast(Any, None),
            common_fraction=fraction,
        )

    words = ["itu", "surveillance", "itu", "unknown"]
    assert retriever(0.5)._keyword_words(words) == ["surveillance"]
    assert retriever(1.0)._keyword_words(words) == ["itu", "surveillance"]


def test_the_setting_defaults_to_the_retrievers_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_KEYWORD_COMMON_FRACTION", raising=False)
    assert Settings().keyword_common_fraction == COMMON_FRACTION == 0.5
    monkeypatch.setenv("ASSISTANT_KEYWORD_COMMON_FRACTION", "0.2")
    assert Settings().keyword_common_fraction == 0.2


@pytest.mark.parametrize("value", ["0", "-0.1", "1.5"])
def test_a_fraction_outside_0_to_1_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ASSISTANT_KEYWORD_COMMON_FRACTION", value)
    with pytest.raises(ValidationError, match="keyword_common_fraction"):
        Settings()
