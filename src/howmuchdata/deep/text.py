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

from howmuchdata.deep.embeddings import DEFAULT_MODEL, SentenceEmbedder, as_texts
from howmuchdata.errors import HowMuchDataError

TEXT_PRESETS = {
    "tfidf-linear": "TF-IDF (words and word pairs) + logistic / ridge regression",
    "minilm-linear": "all-MiniLM-L6-v2 embeddings (cached) + logistic / ridge regression",
    "minilm-mlp": "all-MiniLM-L6-v2 embeddings (cached) + MLP head, deep training policy",
}


class TextTfidf(TfidfVectorizer):
    """:class:`~sklearn.feature_extraction.text.TfidfVectorizer` that reads any text column.

    Missing cells become ``""`` and other values ``str(value)``
    (:func:`~howmuchdata.deep.embeddings.as_texts`, as for the MiniLM presets), where the
    plain vectorizer fails on the first blank cell. Parameters are TfidfVectorizer's.
    """

    def fit(self, raw_documents: Any, y: Any = None) -> TextTfidf:
        super().fit(as_texts(raw_documents), y)
        return self

    def fit_transform(self, raw_documents: Any, y: Any = None) -> Any:
        return super().fit_transform(as_texts(raw_documents), y)

    def transform(self, raw_documents: Any) -> Any:
        return super().transform(as_texts(raw_documents))


def make_text_estimator(
    preset: str,
    text: str,
    *,
    task: str = "classification",
    max_epochs: int = 30,
    min_steps: int | None = None,
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
        The text column; other columns are not used. Missing cells are read as empty texts.
    task : {"classification", "regression"}
    max_epochs : int
        Epoch budget of ``minilm-mlp``.
    min_steps : int, optional
        Optimizer steps per fit at least, of ``minilm-mlp`` (default: :func:`make_mlp`'s).
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
        encoder: Any = TextTfidf(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    else:
        from howmuchdata.deep._torch import require_torch

        require_torch(f"the {preset} model")
        encoder = SentenceEmbedder(model=model, cache_dir=cache_dir, device=device)
    # a scalar column name hands the encoder a 1-D column of strings, as both expect
    select = ColumnTransformer([("encode", encoder, text)], remainder="drop")
    if preset == "minilm-mlp":
        from howmuchdata.deep.presets import make_mlp

        steps = {} if min_steps is None else {"min_steps": int(min_steps)}
        head = make_mlp(
            task=task, max_epochs=max_epochs, device=device, random_state=random_state, **steps
        )
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
        When ``text`` is not a column, there is not exactly one candidate, or the column holds
        no text (every cell empty or missing) or numbers (see :func:`check_text_column`).
    """
    if text is not None:
        if text not in X.columns:
            raise HowMuchDataError(
                f"text column {text!r} not found; pass text=COL (--text COL) with one of: "
                + ", ".join(map(str, X.columns[:20]))
            )
        check_text_column(X, text)
        return text
    candidates = _text_candidates(X)
    if not candidates:
        raise HowMuchDataError(
            "no column holds text (every feature column is numeric or empty); pass text=COL "
            "(--text COL) with the text column, or use a table model (--model logreg, hgb, ...)"
        )
    if len(candidates) != 1:
        found = ", ".join(map(str, candidates[:20]))
        raise HowMuchDataError(
            f"cannot tell which column holds the text (non-numeric columns: {found}); "
            "pass text=COL (--text COL)"
        )
    check_text_column(X, str(candidates[0]))
    return str(candidates[0])


def check_text_column(X: pd.DataFrame, column: str) -> None:
    """Stop before any fit when ``column`` cannot be the text of a text model.

    A column with no text at all would give a flat majority-class curve, and numbers read as
    words (``"3"``) are almost always the wrong column.

    Raises
    ------
    HowMuchDataError
        When every cell is empty or missing, or the column is numeric.
    """
    values = X[column]
    others = [c for c in _text_candidates(X) if c != column]
    hint = (
        f"pass text=COL (--text COL) with a column of text: {', '.join(map(str, others[:20]))}"
        if others
        else "pass text=COL (--text COL) with a column of text, or use a table model "
        "(--model logreg, hgb, ...)"
    )
    if not values.dropna().astype(str).str.strip().ne("").any():
        raise HowMuchDataError(
            f"text column {column!r} has no text (all {len(values)} cells are empty or "
            f"missing); {hint}"
        )
    if pd.api.types.is_numeric_dtype(values):
        raise HowMuchDataError(
            f"text column {column!r} holds numbers ({values.dtype}), not text; {hint}"
        )


def _text_candidates(X: pd.DataFrame) -> list[Any]:
    return [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
