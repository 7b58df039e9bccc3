"""The range of a scorer's values, read from its scikit-learn name."""

from __future__ import annotations

import math

import pytest
from sklearn.metrics import get_scorer_names

from howmuchdata.metrics import scorer_bounds


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
