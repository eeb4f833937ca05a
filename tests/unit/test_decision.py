"""The decision to answer or decline: a logistic model over named features, from fitted.json.

Hand-built retrievals only (tests/helpers/retrievals.py); the fitted weights themselves are
measured by scripts/fit_answerer.py, not asserted here.
"""

from __future__ import annotations

import math

import pytest
from helpers.retrievals import COMMENTARY, QUESTION, make_retrieval

from assistant.answering.abstention import (
    DECISION,
    DECISION_FEATURES,
    Decision,
    answer_probability,
    answers,
    decision_features,
)
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.ranking import candidates
from assistant.answering.turn import read_turn
from assistant.config import Settings


def test_the_fitted_model_weighs_every_named_feature() -> None:
    assert len(DECISION.weights) == len(DECISION_FEATURES)
    assert all(math.isfinite(w) for w in DECISION.weights)
    assert 0.0 < Settings().abstain_below < 1.0  # a probability threshold


def test_probability_is_the_logistic_of_the_weighted_sum() -> None:
    model = Decision(weights=(0.0,) * (len(DECISION_FEATURES) - 1) + (2.0,), intercept=-1.0)
    features = (0.0,) * (len(DECISION_FEATURES) - 1)
    assert model.probability((*features, 0.0)) == pytest.approx(1 / (1 + math.e))
    assert model.probability((*features, 1.0)) == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert model.probability((*features, 1e6)) == pytest.approx(1.0)


def test_features_describe_the_best_verified_candidate() -> None:
    retrieval = make_retrieval(QUESTION, COMMENTARY, similarity=0.7)
    turn = read_turn(QUESTION)
    everything, ranked = candidates(turn, retrieval)
    features = decision_features(turn, retrieval, everything, ranked)
    assert features is not None
    named = dict(zip(DECISION_FEATURES, features, strict=True))
    assert named["score"] == ranked[0].score
    assert named["margin"] == pytest.approx(ranked[0].score - ranked[1].score)
    assert named["similarity"] == pytest.approx(0.7)
    assert named["absent_share"] == 0.0
    assert 0.0 < named["keywords"] <= 1.0 and 0.0 < named["terms_matched"] <= 1.0


def test_nothing_verified_means_no_probability_and_a_decline() -> None:
    question = "How many member states can join CWG-Internet?"  # no number in the text
    retrieval = make_retrieval(question, COMMENTARY)
    turn = read_turn(question)
    everything, ranked = candidates(turn, retrieval)
    assert everything and not ranked
    assert answer_probability(turn, retrieval, everything, ranked) is None
    assert not answers(None, -10.0)
    answer = ExtractiveAnswerer(abstain_below=-10.0).answer(question, retrieval)
    assert answer.abstained


def test_the_threshold_decides_and_the_decision_is_repeatable() -> None:
    retrieval = make_retrieval(QUESTION, COMMENTARY)
    turn = read_turn(QUESTION)
    p = answer_probability(turn, retrieval, *candidates(turn, retrieval))
    assert p is not None
    assert ExtractiveAnswerer(abstain_below=p + 1e-9).answer(QUESTION, retrieval).abstained
    first = ExtractiveAnswerer(abstain_below=p).answer(QUESTION, retrieval)
    assert not first.abstained
    assert first == ExtractiveAnswerer(abstain_below=p).answer(QUESTION, retrieval)
