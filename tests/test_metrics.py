"""The range of a scorer's values, read from its scikit-learn name; weighted scores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import get_scorer_names, median_absolute_error, r2_score

from howmuchdata.metrics import (
    NEG_MEDIAN_ABSOLUTE_ERROR,
    SCORER_ALIASES,
    WEIGHTED_SCORERS,
    Outputs,
    scorer_bounds,
    suggest_scorer,
    unknown_scoring_message,
    weighted_scores,
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


# --- weighted scores: rows weighted by counts score as the rows repeated -----------------


def _regression_outputs(n: int = 101, seed: int = 0, offset: float = 0.0) -> Outputs:
    rng = np.random.default_rng(seed)
    truth = rng.normal(5, 2, n) + offset
    return Outputs(truth, np.round(truth + rng.normal(0, 1, n), 1))  # ties among the errors


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_weighted_median_error_is_that_of_the_repeated_rows(seed):
    out = _regression_outputs(seed=seed)
    counts = np.random.default_rng(seed + 10).integers(0, 4, (8, out.truth.size))
    counts[1] = 0
    counts[1, [3, 7]] = 1  # an even total of two rows: the mean of the two
    counts[2] = 0
    counts[2, 5] = 3  # one row, repeated
    expected = []
    for row in counts:
        rows = np.repeat(np.arange(out.truth.size), row)
        expected.append(-median_absolute_error(out.truth[rows], out.predicted[rows]))
    assert {int(c.sum()) % 2 for c in counts} == {0, 1}  # odd and even totals both tested
    got = weighted_scores(NEG_MEDIAN_ABSOLUTE_ERROR, counts, out)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert weighted_scores(NEG_MEDIAN_ABSOLUTE_ERROR, counts[0], out) == pytest.approx(expected[0])


def test_the_weighted_median_error_of_subsets_and_of_no_rows():
    out = _regression_outputs(n=60)
    masks = np.zeros((3, 60))
    masks[0, :31] = 1
    masks[1, 10:] = 1
    got = weighted_scores(NEG_MEDIAN_ABSOLUTE_ERROR, masks, out)
    for k in (0, 1):
        rows = masks[k] > 0
        assert got[k] == -median_absolute_error(out.truth[rows], out.predicted[rows])
    assert np.isnan(got[2])  # no rows: undefined


def test_the_median_error_is_not_among_the_scorers_of_sums_over_rows():
    assert NEG_MEDIAN_ABSOLUTE_ERROR.name == "neg_median_absolute_error"
    assert NEG_MEDIAN_ABSOLUTE_ERROR.name not in WEIGHTED_SCORERS


def test_r2_of_a_target_far_from_zero_keeps_its_digits():
    # sum w t² - (sum w t)² / n, uncentred, would lose ~10 of the 16 digits here
    out = _regression_outputs(n=200, offset=1e6)
    counts = np.random.default_rng(3).integers(0, 3, (4, 200))
    expected = []
    for row in counts:
        rows = np.repeat(np.arange(200), row)
        expected.append(r2_score(out.truth[rows], out.predicted[rows]))
    got = weighted_scores(WEIGHTED_SCORERS["r2"], counts, out)
    np.testing.assert_allclose(got, expected, rtol=1e-9)
