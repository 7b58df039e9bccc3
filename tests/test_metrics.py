"""The range of a scorer's values, read from its scikit-learn name."""

from __future__ import annotations

import math

import pytest
from sklearn.metrics import get_scorer_names

from howmuchdata.metrics import (
    SCORER_ALIASES,
    scorer_bounds,
    suggest_scorer,
    unknown_scoring_message,
)


@pytest.mark.parametrize(
    ("name", "bounds"),
    [
        ("accuracy", (0.0, 1.0)),
        ("f1_macro", (0.0, 1.0)),
        ("roc_auc_ovr", (0.0, 1.0)),
        ("precision_weighted", (0.0, 1.0)),
        ("neg_log_loss", (-math.inf, 0.0)),
        ("neg_root_mean_squared_error", (-math.inf, 0.0)),
        ("r2", (-math.inf, 1.0)),
        ("explained_variance", (-math.inf, 1.0)),
        ("matthews_corrcoef", (-1.0, 1.0)),
    ],
)
def test_known_scorers(name, bounds):
    assert scorer_bounds(name) == bounds


def test_names_that_say_nothing_give_none():
    assert scorer_bounds(None) is None
    assert scorer_bounds("") is None
    assert scorer_bounds("my_custom_score") is None


def test_every_scikit_learn_negated_scorer_is_at_most_zero():
    negated = [n for n in get_scorer_names() if n.startswith("neg_")]
    assert negated and all(scorer_bounds(n) == (-math.inf, 0.0) for n in negated)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("neg_rmse", "neg_root_mean_squared_error"),
        ("rmse", "neg_root_mean_squared_error"),
        ("MAE", "neg_mean_absolute_error"),
        ("neg_mse", "neg_mean_squared_error"),
        ("mean_absolute_error", "neg_mean_absolute_error"),  # the error without its neg_
        ("auc", "roc_auc"),
        ("logloss", "neg_log_loss"),
        ("accuarcy", "accuracy"),  # a typo: the closest name
        ("f1macro", "f1_macro"),
        ("Accuracy", "accuracy"),
    ],
)
def test_a_mistyped_scorer_gets_the_name_it_meant(typed, meant):
    assert meant in get_scorer_names()
    assert suggest_scorer(typed) == meant
    message = unknown_scoring_message(typed)
    assert "\n" not in message
    assert f"scoring={meant!r} (--scoring {meant})" in message


def test_every_alias_is_a_scikit_learn_scorer():
    assert set(SCORER_ALIASES.values()) <= set(get_scorer_names())


def test_a_name_like_no_scorer_gets_the_list_of_common_ones():
    assert suggest_scorer("zzqq") is None and suggest_scorer(3) is None
    assert "such as accuracy" in unknown_scoring_message("zzqq")
