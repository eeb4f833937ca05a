"""A name that stands for a country (its capital, "New Delhi's draft", or a short form, "the
US") is met by the country's other names.

The sentences below are invented for the tests.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from assistant.answering.aliases import country_names
from assistant.answering.question import analyse, constraints
from assistant.answering.retrieve import HybridRetriever
from assistant.answering.verification import satisfied, unmet


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("New Delhi", "India"),
        ("Seoul", "South Korea"),
        ("Washington", "United States"),  # "D.C." is left out in running text
        ("Washington D.C.", "United States"),
        ("Brasilia", "Brazil"),  # written without its accent
        ("Brasília", "Brazil"),
    ],
)
def test_a_capital_names_its_country(name: str, country: str) -> None:
    assert country_names(name)[0] == country


@pytest.mark.parametrize("name", ["Busan", "Geneva", "Dubai", "Jerusalem", "Singapore", "India"])
def test_other_names_stand_for_no_country(name: str) -> None:
    # Not capitals; a capital claimed by two countries; a capital named like its country.
    assert country_names(name) == ()


def test_no_country_code_is_a_name_of_it() -> None:
    # "IN" or "KOR" would match ordinary words of running text.
    assert all(len(n) > 3 for n in country_names("New Delhi"))
    assert "IN" not in country_names("New Delhi") and "KOR" not in country_names("Seoul")


def test_a_question_naming_a_capital_is_met_by_the_country() -> None:
    (seoul,) = [c for c in constraints("Did Seoul win its spectrum study?") if c.kind == "name"]
    assert seoul.text == "Seoul" and "South Korea" in seoul.also
    assert satisfied(seoul, "The South Korean delegation won a study of spectrum.")
    assert satisfied(seoul, "A meeting in Seoul agreed on it.")
    assert not satisfied(seoul, "The Japanese delegation won a study of spectrum.")
    analysis = analyse("What did New Delhi's draft ask for?")
    assert unmet(analysis, "India's draft asked for local routing.") == []
    assert unmet(analysis, "Brazil's draft asked for local routing.") != []


class _Catalog:
    """Document frequencies of a tiny invented index: it names India, never New Delhi."""

    def __init__(self, words: dict[str, int]) -> None:
        self._words = words

    def document_frequency(self, word: str) -> int:
        return self._words.get(word.lower(), 0)


def _retriever(words: dict[str, int]) -> HybridRetriever:
    catalog = cast(Any, _Catalog(words))
    return HybridRetriever(catalog=catalog, store=cast(Any, None), embeddings=cast(Any, None))


def test_a_capital_no_source_names_is_searched_as_its_country() -> None:
    retriever = _retriever({"india": 3, "new": 9, "draft": 4})
    analysis = analyse("What did New Delhi's draft ask for?")
    assert retriever.searchable(analysis.question, analysis) == "What did India's draft ask for?"
    # The country is in the sources, so the capital is not a missing constraint.
    assert retriever.missing(analysis) == ()


def test_a_capital_the_sources_name_is_searched_as_asked() -> None:
    retriever = _retriever({"india": 3, "new": 9, "delhi": 2, "draft": 4})
    analysis = analyse("What did New Delhi's draft ask for?")
    assert retriever.searchable(analysis.question, analysis) == analysis.question


def test_neither_capital_nor_country_in_the_sources_is_missing() -> None:
    retriever = _retriever({"new": 9, "draft": 4})
    analysis = analyse("What did New Delhi's draft ask for?")
    assert retriever.searchable(analysis.question, analysis) == analysis.question
    assert [c.text for c in retriever.missing(analysis)] == ["New Delhi"]


@pytest.mark.parametrize(
    ("name", "other"),
    [("US", "United States"), ("U.S.", "US"), ("UK", "United Kingdom"), ("Britain", "UK")],
)
def test_a_short_form_names_its_country(name: str, other: str) -> None:
    assert other in country_names(name)


def test_a_capital_brings_the_short_forms_of_its_country() -> None:
    assert {"US", "U.S."} <= set(country_names("Washington"))


def test_a_stop_word_in_capitals_is_a_name_met_as_written() -> None:
    (us,) = constraints("What did the US say about surveillance?")
    assert us.text == "US"
    assert satisfied(us, "The US delegation spoke on surveillance.")
    assert satisfied(us, "The U.S. delegation spoke on surveillance.")  # another of its names
    assert not satisfied(us, "Let us speak on surveillance.")  # the pronoun is no name
    (it,) = constraints("What did IT firms want?")
    assert satisfied(it, "IT firms wanted less regulation.")
    assert not satisfied(it, "It wanted less regulation.")


def test_a_dotted_abbreviation_is_one_name() -> None:
    names = [c.text for c in constraints("What did the U.S. delegation want in Busan?")]
    assert names == ["U.S.", "Busan"]


def test_a_question_in_capitals_has_no_stop_word_names() -> None:
    assert [c.text for c in constraints("WHAT IS CWG-INTERNET?")] == ["CWG-INTERNET"]


def test_a_stop_word_name_the_keyword_index_cannot_hold_is_not_missing() -> None:
    retriever = _retriever({"firms": 3})
    analysis = analyse("What did IT firms want?")
    assert retriever.missing(analysis) == ()


def test_only_the_name_as_a_word_is_searched_as_the_country() -> None:
    retriever = _retriever({"india": 3, "new": 9, "draft": 4})
    analysis = analyse("Did New Delhi's draft cite New Delhiite groups?")
    assert (
        retriever.searchable(analysis.question, analysis)
        == "Did India's draft cite New Delhiite groups?"
    )


def test_a_possessive_ends_a_name_so_the_capital_stands_alone() -> None:
    found = constraints("How much of Seoul's IoT proposal was accepted?")
    assert [c.text for c in found] == ["Seoul", "IoT"]
    assert "South Korea" in found[0].also
