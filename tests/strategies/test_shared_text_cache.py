"""compare's text embeddings and the curve's MiniLM presets share one cache file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from howmuchdata.deep import embeddings
from howmuchdata.deep.embeddings import SentenceEmbedder
from howmuchdata.strategies import embedders
from howmuchdata.strategies.embedders import EmbeddingTransformer, TextEmbedder


class FakeEncoder:
    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array([[len(t), t.count("o")] for t in texts], dtype=np.float32)


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> FakeEncoder:
    fake = FakeEncoder()
    monkeypatch.setattr(embeddings, "load_sentence_model", lambda *a, **k: fake)
    monkeypatch.setattr(embedders, "load_sentence_model", lambda *a, **k: fake)
    monkeypatch.setattr(TextEmbedder, "check", lambda self: None)
    return fake


def test_vectors_encoded_by_the_curve_preset_serve_compare(
    encoder: FakeEncoder, tmp_path: Path
) -> None:
    frame = pd.DataFrame({"body": ["no wifi", "refund now", None, "no wifi"]})
    curve_side = SentenceEmbedder(cache_dir=tmp_path).fit(frame).transform(frame)
    assert sorted(encoder.encoded) == ["", "no wifi", "refund now"]
    encoder.encoded.clear()

    compare_side = EmbeddingTransformer(TextEmbedder(), column="body", cache_dir=tmp_path)
    vectors = compare_side.fit(frame).transform(frame)
    assert encoder.encoded == []  # every text, the blank one included, read from the cache
    np.testing.assert_array_equal(vectors, curve_side)
    assert len(list(tmp_path.glob("*.sqlite"))) == 1


def test_and_the_other_way_round(encoder: FakeEncoder, tmp_path: Path) -> None:
    frame = pd.DataFrame({"body": ["boot loop", "refund"]})
    EmbeddingTransformer(TextEmbedder(), column="body", cache_dir=tmp_path).fit(frame).transform(
        frame
    )
    encoder.encoded.clear()
    SentenceEmbedder(cache_dir=tmp_path).fit(frame).transform(frame)
    assert encoder.encoded == []
