"""The curve engine prepares deep fits once, before any point's clock starts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import howmuchdata as hmd
from howmuchdata.curve.progress import LogReporter
from howmuchdata.deep import embeddings
from howmuchdata.deep.embeddings import SentenceEmbedder
from howmuchdata.errors import HowMuchDataError


class CountingEncoder:
    """Stands in for MiniLM: a vector from each text, and the texts of every encode call."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
        self.calls.append(len(texts))
        return np.array([[len(t), t.count("a"), t.count("e")] for t in texts], dtype=np.float32)

    def get_sentence_embedding_dimension(self) -> int:
        return 3


def texts_and_labels(n: int = 120) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    words = ["alpha", "beta", "gamma", "delta", "sea", "tree"]
    texts = [" ".join(rng.choice(words, size=rng.integers(2, 8))) for _ in range(n)]
    y = np.array([int(t.count("a") > t.count("e")) for t in texts])
    return pd.DataFrame({"body": texts}), y


def model(cache_dir: Any) -> Pipeline:
    encode = ColumnTransformer([("encode", SentenceEmbedder(cache_dir=cache_dir), "body")])
    return Pipeline([("text", encode), ("clf", LogisticRegression())])


def test_every_row_is_encoded_once_before_the_points(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    encoder = CountingEncoder()
    monkeypatch.setattr(embeddings, "load_sentence_model", lambda *a, **k: encoder)
    X, y = texts_and_labels()
    log = io.StringIO()
    curve = hmd.learning_curve(
        model(tmp_path), X, y, sizes=[20, 40, 80], repeats=2, progress=LogReporter(log)
    )
    # one encode of the distinct texts before the fits; the 6 fits and their scoring read
    # the cache only
    assert len(encoder.calls) == 1 and encoder.calls[0] == X["body"].nunique()
    embedding = curve.settings["embedding"]
    assert embedding["rows"] == len(X) and embedding["encoded"] == X["body"].nunique()
    lines = log.getvalue().splitlines()
    # said before the encoding starts (it can take minutes), and again when it is done
    assert lines[0].startswith("embeddings: looking up 120 rows of ") and "..." in lines[0]
    assert lines[1].startswith("embeddings: 120 rows ready in") and "not counted" in lines[1]
    assert (curve.points["status"] == "ok").all()


def test_a_model_without_embedders_records_none(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(80, 3)), rng.integers(0, 2, 80)
    curve = hmd.learning_curve(LogisticRegression(), X, y, sizes=[20, 40, 60], repeats=1)
    assert "embedding" not in curve.settings


def test_cuda_without_a_gpu_is_refused_before_any_point() -> None:
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from howmuchdata.deep.estimator import TorchClassifier

    X, y = np.random.default_rng(2).normal(size=(60, 4)).astype(np.float32), np.arange(60) % 2
    net = TorchClassifier(lambda: torch.nn.Linear(4, 2), device="cuda", max_epochs=1)
    log = io.StringIO()
    with pytest.raises(HowMuchDataError, match="torch sees no CUDA GPU"):
        hmd.learning_curve(net, X, y, sizes=[20, 40], repeats=1, progress=LogReporter(log))
    assert log.getvalue() == ""  # refused before the run started: no progress line


def test_a_plain_skorch_net_gives_the_same_curve_twice() -> None:
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")
    from sklearn.datasets import load_digits

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(64, 16), torch.nn.Dropout(0.3), torch.nn.Linear(16, 10)
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.layers(x)

    X, y = load_digits(return_X_y=True)
    X = X[:400].astype(np.float32)
    y = y[:400].astype(np.int64)

    def run() -> np.ndarray:
        net = skorch.NeuralNetClassifier(
            Net, max_epochs=3, lr=0.01, optimizer=torch.optim.Adam, train_split=None, verbose=0
        )
        curve = hmd.learning_curve(net, X, y, sizes=[100, 200], repeats=2, random_state=3)
        return curve.points["val_score"].to_numpy()

    first, second = run(), run()
    assert np.array_equal(first, second)


def test_a_skorch_nets_parameters_are_counted() -> None:
    torch = pytest.importorskip("torch")
    skorch = pytest.importorskip("skorch")
    from howmuchdata.models import count_parameters

    X = np.random.default_rng(4).normal(size=(40, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    net = skorch.NeuralNetClassifier(
        torch.nn.Linear,
        module__in_features=5,
        module__out_features=2,
        max_epochs=1,
        criterion=torch.nn.CrossEntropyLoss,
        train_split=None,
        verbose=0,
    )
    net.fit(X, y)
    assert count_parameters(net) == 5 * 2 + 2
