"""Filling the embedding cache with every row before a curve's fits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from howmuchdata.deep import embeddings
from howmuchdata.deep.embeddings import (
    SentenceEmbedder,
    encode_into_cache,
    precompute_embeddings,
)
from howmuchdata.embedding_cache import EmbeddingCache


class FakeEncoder:
    """Stands in for the MiniLM model: a vector from each text's length, and a call count."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        self.texts.extend(texts)
        return np.array([[len(t), t.count(" ")] for t in texts], dtype=np.float32)

    def get_sentence_embedding_dimension(self) -> int:
        return 2


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> FakeEncoder:
    fake = FakeEncoder()
    loads: list[str] = []

    def load(model: str = "", device: str = "auto") -> FakeEncoder:
        loads.append(model)
        return fake

    monkeypatch.setattr(embeddings, "load_sentence_model", load)
    fake.loads = loads  # type: ignore[attr-defined]
    return fake


def frame() -> pd.DataFrame:
    texts = ["refund please", "wifi drops", "login fails again", "refund please", None]
    return pd.DataFrame({"body": texts, "priority": [1, 2, 3, 1, 2]})


def text_pipeline(cache_dir: Any) -> Pipeline:
    select = ColumnTransformer(
        [("encode", SentenceEmbedder(cache_dir=cache_dir), "body")], remainder="drop"
    )
    return Pipeline([("text", select), ("model", LogisticRegression())])


def test_after_precompute_a_fit_on_a_subset_does_not_call_the_encoder(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    X = frame()
    model = text_pipeline(tmp_path)

    fills = precompute_embeddings(model, X)

    assert len(fills) == 1
    fill = fills[0]
    assert (fill.rows, fill.cached_before, fill.encoded) == (5, 0, 4)  # one text repeats
    assert fill.seconds >= 0 and fill.cache.startswith(str(tmp_path))
    assert sorted(encoder.texts) == sorted(["refund please", "wifi drops", "login fails again", ""])
    loads = len(encoder.loads)  # type: ignore[attr-defined]

    subset = X.iloc[[1, 2, 4]]
    model.fit(subset, [0, 1, 0])
    vectors = model.named_steps["text"].transform(subset)

    assert len(encoder.loads) == loads  # type: ignore[attr-defined]  # no load, no encode
    np.testing.assert_array_equal(vectors, [[10, 1], [17, 2], [0, 0]])
    again = precompute_embeddings(model, X)[0]
    assert (again.cached_before, again.encoded) == (4, 0)


def test_repeated_rows_are_counted_apart_from_rows_read_from_the_cache(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    X = frame()  # 5 rows: 4 distinct texts, "refund please" twice
    cold = precompute_embeddings(text_pipeline(tmp_path), X)[0]

    assert (cold.encoded, cold.from_cache, cold.repeats) == (4, 0, 1)
    assert cold.counts_words() == (
        f"4 encoded, 0 read from {cold.cache}, 1 repeat of an earlier row"
    )
    warm = precompute_embeddings(text_pipeline(tmp_path), pd.concat([X, X]))[0]
    assert (warm.encoded, warm.from_cache, warm.repeats) == (0, 4, 6)
    assert warm.counts_words().startswith("0 encoded, 4 read from ")
    assert warm.counts_words().endswith(", 6 repeats of earlier rows")


def test_repeats_in_later_chunks_are_not_counted_as_cache_reads(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    cache = EmbeddingCache(tmp_path, "fake")
    texts = ["a", "b", "a", "c", "a", "b", "d"]  # a text of the first chunk repeats in later ones

    fill = encode_into_cache(texts, encoder.encode, cache, chunk=2)

    assert (fill.rows, fill.encoded, fill.from_cache, fill.repeats) == (7, 4, 0, 3)


def test_fills_recorded_before_repeats_were_counted_keep_their_words() -> None:
    from howmuchdata.embedding_cache import fill_counts_words

    old = {"rows": 569, "encoded": 569, "cache": "/c/minilm.sqlite", "seconds": 9.8}
    assert fill_counts_words(old) == "569 encoded, the rest read from /c/minilm.sqlite"
    new = {**old, "rows": 2100, "encoded": 2093, "from_cache": 0, "repeats": 7}
    assert fill_counts_words(new) == (
        "2,093 encoded, 0 read from /c/minilm.sqlite, 7 repeats of earlier rows"
    )
    assert fill_counts_words({"rows": 3}) is None


def test_without_precompute_the_first_fit_loads_the_encoder(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    # what the curve's first point in each worker process paid, in its fit time
    text_pipeline(tmp_path).fit(frame().iloc[[1, 2, 4]], [0, 1, 0])
    assert len(encoder.loads) == 1  # type: ignore[attr-defined]


def test_embedders_in_unions_and_nested_pipelines_are_filled(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    inner = Pipeline([("embed", SentenceEmbedder(cache_dir=tmp_path / "a"))])
    union = FeatureUnion([("a", inner), ("b", SentenceEmbedder(cache_dir=tmp_path / "b"))])
    texts = pd.Series([f"text {i}" for i in range(7)])

    assert [f.encoded for f in precompute_embeddings(union, texts)] == [7, 7]


def test_the_cache_is_filled_a_chunk_at_a_time(encoder: FakeEncoder, tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, "fake")
    calls: list[int] = []

    def embed(rows: list[str]) -> np.ndarray:
        calls.append(len(rows))
        return encoder.encode(rows)

    fill = encode_into_cache([f"text {i}" for i in range(7)], embed, cache, chunk=3)

    assert calls == [3, 3, 1]
    assert (fill.rows, fill.encoded, len(cache)) == (7, 7, 7)
    assert fill.to_dict()["embedder"] == "fake"


def test_no_disk_cache_or_no_embedder_means_nothing_to_do(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    assert precompute_embeddings(text_pipeline(False), frame()) == []
    assert precompute_embeddings(LogisticRegression(), frame()) == []
    assert encoder.texts == []
