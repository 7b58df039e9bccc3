"""Blank text cells read as empty texts: the TF-IDF baseline and word dropout do not fail on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from howmuchdata import compare
from howmuchdata.strategies.augment import WordDropout


@pytest.fixture(scope="module")
def reviews() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    good, bad = ["great", "lovely", "fine"], ["awful", "dull", "poor"]
    y = np.repeat(["pos", "neg"], 60)
    texts: list[str | None] = [
        f"the film was {rng.choice(good if label == 'pos' else bad)} really" for label in y
    ]
    for i in range(0, len(texts), 9):
        texts[i] = None  # blank cells, as a CSV with empty fields loads them
    return pd.DataFrame({"review": texts, "stars": rng.normal(size=len(y))}), y


def test_blank_text_cells_do_not_fail_the_tfidf_baseline(reviews):
    X, y = reviews
    result = compare(
        X, y, text="review", strategies=["augment"], sizes=[20, 40, 80], repeats=1, targets=[0.6]
    )
    for name in ("baseline", "augment:word_dropout"):
        points = result.curves[name].points
        assert (points["status"] == "ok").all(), name
    assert not result.failures and not result.partial_failures


def test_word_dropout_keeps_a_blank_cell_blank():
    X = pd.DataFrame({"text": [None, "one two three"]})
    new, _ = WordDropout("text").augment(X, np.array([0, 1]), 2, np.random.default_rng(0))
    assert new["text"].tolist()[::2] == ["", ""]  # not the word "nan"
