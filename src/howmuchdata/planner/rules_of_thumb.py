"""Rules of thumb people quote, and a curve-based estimate from similar public problems.

Rules of thumb are labelled as such: they ignore how hard the problem is. The similar-problem
estimate comes from the public LCDB learning curves (see ``_build_similar.py``, which rebuilds
the shipped table ``_resources/lcdb_similar.csv``).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.errors import HowMuchDataError
from howmuchdata.planner._build_similar import pool_band

#: Model preset names (howmuchdata.models) and common class names -> LCDB learner.
LEARNER_ALIASES = {
    "logreg": "sklearn.linear_model.LogisticRegression",
    "logisticregression": "sklearn.linear_model.LogisticRegression",
    "rf": "sklearn.ensemble.RandomForestClassifier",
    "randomforestclassifier": "sklearn.ensemble.RandomForestClassifier",
    "hgb": "sklearn.ensemble.GradientBoostingClassifier",
    "gradientboostingclassifier": "sklearn.ensemble.GradientBoostingClassifier",
    "histgradientboostingclassifier": "sklearn.ensemble.GradientBoostingClassifier",
    "knn": "sklearn.neighbors.KNeighborsClassifier",
    "kneighborsclassifier": "sklearn.neighbors.KNeighborsClassifier",
    "mlp": "sklearn.neural_network.MLPClassifier",
    "mlpclassifier": "sklearn.neural_network.MLPClassifier",
    "svc": "SVC_rbf",
}
#: The model presets among ``LEARNER_ALIASES`` (howmuchdata.models' short names).
PRESETS = ("logreg", "rf", "hgb", "knn", "mlp", "svc")


@dataclass(frozen=True)
class RuleOfThumb:
    """A quoted rule of thumb and the size it implies (not a measurement)."""

    name: str
    n: int
    rule: str
    caveat: str = "rule of thumb: ignores how hard the problem is"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SimilarProblems:
    """Samples that learners like yours needed on public problems of a similar size (LCDB).

    Attributes
    ----------
    learner : str
        LCDB learner the estimate is drawn from (``"all"`` when no match).
    band : str
        Dataset-size band of those problems (their largest training size).
    n_median, n_q25, n_q75 : float
        Median and quartiles of the samples at which the curves came within 1 point of
        their ceiling (the accuracy at the largest size available).
    curves, datasets : int
        How many curves and datasets the figures rest on.
    """

    learner: str
    band: str
    n_median: float
    n_q25: float
    n_q75: float
    curves: int
    datasets: int
    ceiling_median: float

    def sentence(self) -> str:
        who = (
            "learners of all kinds"
            if self.learner == "all"
            else f"{self.learner.rsplit('.', 1)[-1]}"
        )
        return (
            f"On {self.datasets} public tables with {self.band} rows (LCDB), {who} came within 1 point "
            f"of their ceiling (a median accuracy of {self.ceiling_median:.2f}) at a median of "
            f"{self.n_median:,.0f} samples (middle half {self.n_q25:,.0f}-{self.n_q75:,.0f}; "
            f"{self.curves:,} curves)."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "sentence": self.sentence(),
            "source": "LCDB 1.0 public slice (Mohr et al. 2022)",
        }


def rules_of_thumb(
    parameters: int | None = None,
    *,
    prevalence: float | None = None,
    n_classes: int | None = None,
    per_parameter: int = 10,
) -> list[RuleOfThumb]:
    """The rules of thumb people quote, each with the size it implies.

    Parameters
    ----------
    parameters : int, optional
        Features or model parameters.
    prevalence : float, optional
        Binary outcome proportion; adds the events-per-variable rule.
    n_classes : int, optional
        Number of classes; adds the examples-per-class rule.
    per_parameter : int, default 10
        Examples (or events) per parameter.
    """
    rules: list[RuleOfThumb] = []
    if parameters is not None:
        if parameters <= 0:
            raise HowMuchDataError(
                f"parameters={parameters} is not positive; pass the number of features or parameters"
            )
        rules.append(
            RuleOfThumb(
                "per_parameter",
                per_parameter * parameters,
                f"{per_parameter} examples per feature or parameter",
            )
        )
        if prevalence is not None:
            if not 0 < prevalence < 1:
                raise HowMuchDataError(
                    f"prevalence={prevalence} is outside (0, 1); pass a proportion strictly between 0 and 1"
                )
            minority = min(prevalence, 1 - prevalence)
            rules.append(
                RuleOfThumb(
                    "events_per_variable",
                    int(np.ceil(per_parameter * parameters / minority)),
                    f"{per_parameter} events of the rarer outcome per parameter (EPV)",
                )
            )
        if n_classes is not None:
            rules.append(
                RuleOfThumb(
                    "per_class",
                    per_parameter * parameters * int(n_classes),
                    f"{per_parameter} examples per feature in each of {n_classes} classes",
                )
            )
    return rules


@functools.cache
def _similar_table() -> pd.DataFrame:
    path = resources.files("howmuchdata") / "_resources" / "lcdb_similar.csv"
    with path.open() as fh:
        return pd.read_csv(fh)


def resolve_learner(model: str | None) -> str:
    """Map a preset name, class name or LCDB learner name to an LCDB learner (or ``"all"``).

    Raises
    ------
    HowMuchDataError
        For a name that matches none of them, listing the names that do.
    """
    if model is None:
        return "all"
    learners = [str(name) for name in _similar_table()["learner"].unique()]
    if model in learners:
        return model
    key = model.rsplit(".", 1)[-1].lower()
    by_class = {name.rsplit(".", 1)[-1].lower(): name for name in learners}
    if key in LEARNER_ALIASES:
        return LEARNER_ALIASES[key]
    if key in by_class:
        return by_class[key]
    classes = sorted({name.rsplit(".", 1)[-1] for name in learners} - {"all"})
    raise HowMuchDataError(
        f"unknown learner {model!r}; pass a preset ({', '.join(PRESETS)}) or an LCDB learner "
        f"({', '.join(classes)}), or none for learners of all kinds"
    )


def similar_problems(model: str | None = None, pool: float | None = None) -> SimilarProblems:
    """Curve-based estimate for similar problems from the public LCDB curves.

    Parameters
    ----------
    model : str, optional
        Model preset (``logreg``, ``rf``, ``hgb``, ``knn``, ``mlp``, ``svc``), scikit-learn
        class name, or LCDB learner name; an unknown name is an error. None: all learners.
    pool : float, optional
        Rows you could label at most (> 0); picks the dataset-size band (default: 1k-10k).

    Returns
    -------
    SimilarProblems
    """
    if pool is not None and not pool > 0:
        raise HowMuchDataError(
            f"pool={pool!r} is not positive; pass the most rows you could label, e.g. 5000"
        )
    table = _similar_table()
    learner = resolve_learner(model)
    band = pool_band(pool) if pool is not None else "1k-10k"
    row = table[(table["learner"] == learner) & (table["band"] == band)]
    if row.empty:
        row = table[(table["learner"] == "all") & (table["band"] == band)]
        learner = "all"
    r = row.iloc[0]
    return SimilarProblems(
        learner=learner,
        band=band,
        n_median=float(r["n_median"]),
        n_q25=float(r["n_q25"]),
        n_q75=float(r["n_q75"]),
        curves=int(r["curves"]),
        datasets=int(r["datasets"]),
        ceiling_median=float(r["ceiling_median"]),
    )
