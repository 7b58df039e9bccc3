"""Text presets: a text column in, a classifier or regressor out.

* ``tfidf-linear``: TF-IDF of words and word pairs + logistic regression (ridge for numeric
  targets). Plain scikit-learn, no torch needed.
* ``minilm-linear``: all-MiniLM-L6-v2 sentence embeddings + logistic regression (ridge).
* ``minilm-mlp``: the same embeddings + a one-hidden-layer network trained under the deep
  training policy (:class:`~howmuchdata.deep.TorchClassifier`).

Embeddings are computed once per distinct text and cached on disk
(:class:`~howmuchdata.deep.embeddings.SentenceEmbedder`), so a curve of many fits encodes each
row once.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from howmuchdata.deep.embeddings import DEFAULT_MODEL, SentenceEmbedder
from howmuchdata.errors import HowMuchDataError

TEXT_PRESETS = {
    "tfidf-linear": "TF-IDF (words and word pairs) + logistic / ridge regression",
    "minilm-linear": "all-MiniLM-L6-v2 embeddings (cached) + logistic / ridge regression",
    "minilm-mlp": "all-MiniLM-L6-v2 embeddings (cached) + MLP head, deep training policy",
}


def make_text_estimator(
    preset: str,
    text: str,
    *,
    task: str = "classification",
    max_epochs: int = 30,
    device: str = "auto",
    cache_dir: str | os.PathLike[str] | bool | None = None,
    model: str = DEFAULT_MODEL,
    random_state: int | None = None,
) -> Pipeline:
    """Build a text-column pipeline by preset name.

    Parameters
    ----------
    preset : {"tfidf-linear", "minilm-linear", "minilm-mlp"}
    text : str
        The text column; other columns are not used.
    task : {"classification", "regression"}
    max_epochs : int
        Epoch budget of ``minilm-mlp``.
    device : {"auto", "cpu", "cuda"}
        Where the encoder and the MLP run.
    cache_dir : path, optional
        Embedding cache folder (default ``$HOWMUCHDATA_CACHE`` or ``~/.cache/howmuchdata``).
    model : str
        Sentence-transformers model: the bundled ``"all-MiniLM-L6-v2"`` or a folder on disk.
    random_state : int, optional
        Left ``None``, the learning-curve engine seeds each point.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``text`` step (selects and encodes the column) then ``model``.
    """
    if preset not in TEXT_PRESETS:
        raise HowMuchDataError(
            f"unknown text model {preset!r}; use one of: {', '.join(TEXT_PRESETS)}"
        )
    if preset == "tfidf-linear":
        encoder: Any = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    else:
        from howmuchdata.deep._torch import require_torch

        require_torch(f"the {preset} model")
        encoder = SentenceEmbedder(model=model, cache_dir=cache_dir, device=device)
    # a scalar column name hands the encoder a 1-D column of strings, as both expect
    select = ColumnTransformer([("encode", encoder, text)], remainder="drop")
    if preset == "minilm-mlp":
        from howmuchdata.deep.presets import make_mlp

        head = make_mlp(task=task, max_epochs=max_epochs, device=device, random_state=random_state)
    elif task == "classification":
        head = LogisticRegression(max_iter=2000, random_state=random_state)
    else:
        head = Ridge(alpha=1.0)
    return Pipeline([("text", select), ("model", head)])


def pick_text_column(X: pd.DataFrame, text: str | None = None) -> str:
    """The text column to use: ``text`` when given, else the only non-numeric column.

    Raises
    ------
    HowMuchDataError
        When ``text`` is not a column, or there is not exactly one candidate.
    """
    if text is not None:
        if text not in X.columns:
            raise HowMuchDataError(
                f"text column {text!r} not found; pass --text with one of: "
                + ", ".join(map(str, X.columns[:20]))
            )
        return text
    candidates = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if len(candidates) != 1:
        found = ", ".join(map(str, candidates[:20])) or "none"
        raise HowMuchDataError(
            f"cannot tell which column holds the text (non-numeric columns: {found}); "
            "pass --text COL"
        )
    return str(candidates[0])
