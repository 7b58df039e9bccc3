"""Read ``result.json`` into the plain tables the report draws from.

Every section of ``result.json`` is optional and the producers (curve engine, extrapolation,
diagnosis, strategy lab, planner) may write slightly different shapes as they evolve, so this
module is the one place that tolerates variants and turns them into fixed, simple structures:
per-model summaries of the measured curve, the extrapolation grid as arrays, findings ordered
most important first. Nothing here fits or refits a model; interpolating the stored plotting
grid is the only arithmetic on the extrapolation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from howmuchdata.diagnose.finding import KINDS  # ties within a severity: the same order
from howmuchdata.result import from_json_number

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
# the fewest distinct training sizes an extrapolation needs (below it the report says why)
MIN_SIZES_FOR_EXTRAPOLATION = 3
# per-point keys that may hold a score per subgroup (name -> score)
_SUBGROUP_KEYS = ("val_subgroup_scores", "subgroup_scores", "val_group_scores")


def num(value: Any) -> float:
    """A JSON number (``None`` -> NaN, ``"inf"`` -> inf) as a float; junk becomes NaN."""
    try:
        return from_json_number(value)
    except (TypeError, ValueError):
        return math.nan


@dataclass
class Grid:
    """The extrapolation's plotting grid: expected score and 80% band per size."""

    sizes: np.ndarray
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def at(self, n: float) -> tuple[float, float, float] | None:
        """Mean, lo and hi at size ``n`` by linear interpolation in log-size; ``None`` off-grid."""
        if len(self.sizes) == 0 or not (self.sizes[0] <= n <= self.sizes[-1] * (1 + 1e-9)):
            return None
        x = np.log(self.sizes)
        return tuple(float(np.interp(math.log(n), x, arr)) for arr in (self.mean, self.lo, self.hi))


@dataclass
class ExtrapolationView:
    """One model's stored extrapolation (``Extrapolation.to_dict()``), parsed."""

    raw: dict[str, Any]
    grid: Grid | None
    asymptote: float
    asymptote_interval: tuple[float, float] | None
    flags: list[str]
    answers: dict[str, Any]
    summary: str | None
    level: float = 0.8
    model: Any = None  # the rebuilt Extrapolation (from its stored quantiles), when available

    @property
    def observed(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The distinct sizes it was fitted to and the mean score at each (``observed``)."""
        raw = self.raw.get("observed")
        if not isinstance(raw, Mapping):
            return None
        sizes, means = raw.get("sizes"), raw.get("mean")
        if not isinstance(sizes, Sequence) or not isinstance(means, Sequence):
            return None
        if len(sizes) != len(means):
            return None
        x = np.array([num(v) for v in sizes], dtype=float)
        y = np.array([num(v) for v in means], dtype=float)
        keep = np.isfinite(x) & (x > 0) & np.isfinite(y)
        if not keep.any():
            return None
        order = np.argsort(x[keep])
        return x[keep][order], y[keep][order]

    @property
    def greater_is_better(self) -> bool:
        return str(self.raw.get("direction", "increase")) != "decrease"

    @property
    def targets(self) -> list[float]:
        """The targets ``howmuchdata extrapolate --target`` answered, in the order given."""
        rows = self.answers.get("targets")
        values = [num(r.get("target")) for r in rows or [] if isinstance(r, Mapping)]
        return [v for v in values if math.isfinite(v)]

    @property
    def reach(self) -> float:
        """The largest size the stored forecast covers ("inf" sizes lie beyond it)."""
        if self.model is not None:
            return float(self.model.sizes[-1])
        return float(self.grid.sizes[-1]) if self.grid is not None else math.nan

    def at(self, n: float) -> tuple[float, float, float] | None:
        """Expected score and interval at size ``n``; ``None`` outside the stored grid."""
        if self.grid is None or self.grid.at(n) is None:
            return None
        if self.model is not None:
            lo, hi = self.model.interval(n, self.level)
            return float(self.model.predict(n)), float(lo), float(hi)
        return self.grid.at(n)

    def size_for(self, target: float, greater_is_better: bool) -> tuple[float, float, float] | None:
        """(expected, optimistic, pessimistic) size for ``target`` from the stored quantiles.

        ``None`` when only the plotting grid is stored (the caller reads the grid instead).
        """
        if self.model is None:
            return None
        lo, hi = self.model.size_for(target, level=self.level)
        return float(self.model.size_for(target)), float(lo), float(hi)


@dataclass
class CurveView:
    """One model's measured learning curve, summarised per training size."""

    model: str
    meta: dict[str, Any]
    points: pd.DataFrame  # every stored point, failed ones included
    by_size: pd.DataFrame  # one row per size over the ok points
    class_recall: pd.DataFrame | None  # rows: size, columns: class, values: mean recall
    subgroup_scores: pd.DataFrame | None  # rows: size, columns: subgroup, values: mean score
    extrapolation: ExtrapolationView | None = None
    extrapolation_missing: str | None = None  # why there is none, in words

    @property
    def greater_is_better(self) -> bool:
        return bool(self.meta.get("greater_is_better", True))

    @property
    def scoring(self) -> str:
        return str(self.meta.get("scoring") or "score")

    @property
    def failed(self) -> pd.DataFrame:
        return self.points[self.points["status"] != "ok"]

    @property
    def last(self) -> pd.Series | None:
        """The row of ``by_size`` at the largest size with a validation score."""
        return None if self.by_size.empty else self.by_size.iloc[-1]


@dataclass
class RunView:
    """Everything the report shows, parsed from one ``result.json``."""

    result: dict[str, Any]
    curves: dict[str, CurveView] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    labels_saved: list[dict[str, Any]] = field(default_factory=list)
    plan: dict[str, Any] | None = None
    orphan_extrapolations: dict[str, ExtrapolationView] = field(default_factory=dict)
    #: the orphan extrapolations that carry their ``observed`` means (``howmuchdata
    #: extrapolate`` on a CSV of sizes and scores): one point per size, no repeats; kept apart
    #: from :attr:`curves`, which are measured learning curves
    table_curves: dict[str, CurveView] = field(default_factory=dict)
    #: derived sections that no longer match the curves (section -> why): left out of the
    #: view (``plan`` None, ``labels_saved`` empty), said in the notes
    stale: dict[str, str] = field(default_factory=dict)

    @property
    def comparison(self) -> dict[str, Any]:
        """The strategy lab's ``comparison`` section (empty when absent or stale)."""
        value = self.result.get("comparison")
        return dict(value) if isinstance(value, Mapping) and "comparison" not in self.stale else {}

    @property
    def primary_table_curve(self) -> CurveView | None:
        """The best of :attr:`table_curves` (highest last mean, lowest for a loss)."""
        if not self.table_curves:
            return None

        def key(c: CurveView) -> float:
            value = float(c.last["val_mean"])
            return value if c.greater_is_better else -value

        return max(self.table_curves.values(), key=key)

    @property
    def primary(self) -> CurveView | None:
        """The model the headline speaks about: the best validation score at its largest size.

        Of models that score the same, one with an extrapolation and fewer failed points leads,
        since the headline can say more about it.
        """
        scored = [c for c in self.curves.values() if c.last is not None]
        if not scored:
            return next(iter(self.curves.values()), None)

        def key(c: CurveView) -> tuple[float, bool, int]:
            value = float(c.last["val_mean"])
            return (
                value if c.greater_is_better else -value,
                c.extrapolation is not None,
                -len(c.failed),
            )

        return max(scored, key=key)

    @property
    def target(self) -> float | None:
        """The target score the user asked for, if any: the plan's, then the one given to
        ``howmuchdata extrapolate --target`` (the headline model's first), then curve settings."""
        candidates: list[Any] = []
        if self.plan:
            candidates += [self.plan.get("target"), (self.plan.get("inputs") or {}).get("target")]
        primary = self.primary
        curves = sorted(self.curves.values(), key=lambda c: c is not primary)
        extrapolations = [c.extrapolation for c in curves if c.extrapolation is not None]
        extrapolations += list(self.orphan_extrapolations.values())
        for ext in extrapolations:
            candidates += ext.targets[:1]
            candidates.append(ext.answers.get("target"))
        for curve in curves:
            candidates.append((curve.meta.get("settings") or {}).get("target"))
        for value in candidates:
            if isinstance(value, Mapping):
                value = value.get("value", value.get("target"))
            v = num(value)
            if math.isfinite(v):
                return v
        return None


def _points_frame(points: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([dict(p) for p in points])
    for column, default in (("model", "model"), ("status", "ok"), ("repeat", 0), ("error", None)):
        if column not in frame:
            frame[column] = default
    frame["model"] = frame["model"].fillna("model").astype(str)
    frame["status"] = frame["status"].fillna("ok").astype(str)
    for column in ("size", "train_score", "val_score", "fit_seconds", "n_train_groups"):
        frame[column] = (
            frame[column].map(num) if column in frame else pd.Series(np.nan, index=frame.index)
        )
    # a point without a validation score is not usable, whatever its status says
    frame.loc[frame["val_score"].isna() & (frame["status"] == "ok"), "status"] = "failed"
    return frame


def _summarise_sizes(points: pd.DataFrame) -> pd.DataFrame:
    ok = points[(points["status"] == "ok") & points["size"].notna()]
    counts = points.groupby("size").size().rename("n_points")
    if ok.empty:
        return pd.DataFrame(
            columns=["size", "val_mean", "val_std", "train_mean", "train_std", "n_ok", "n_points"]
        )
    grouped = ok.groupby("size")
    table = pd.DataFrame(
        {
            "val_mean": grouped["val_score"].mean(),
            "val_std": grouped["val_score"].std(ddof=1),
            "val_min": grouped["val_score"].min(),
            "val_max": grouped["val_score"].max(),
            "train_mean": grouped["train_score"].mean(),
            "train_std": grouped["train_score"].std(ddof=1),
            "fit_seconds": grouped["fit_seconds"].mean(),
            "n_train_groups": grouped["n_train_groups"].mean(),
            "n_ok": grouped.size(),
        }
    )
    table = table.join(counts).reset_index().sort_values("size", ignore_index=True)
    table["val_std"] = table["val_std"].fillna(0.0)
    table["train_std"] = table["train_std"].fillna(0.0)
    return table


def _dict_column_means(ok: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame | None:
    """Mean over repeats of a per-point ``{name: value}`` column, as a size x name table."""
    column = next((k for k in keys if k in ok), None)
    if column is None:
        return None
    rows = [
        {"size": size, **{str(k): num(v) for k, v in value.items()}}
        for size, value in zip(ok["size"], ok[column], strict=True)
        if isinstance(value, Mapping) and value
    ]
    if not rows:
        return None
    return pd.DataFrame(rows).groupby("size").mean().sort_index()


def _parse_grid(raw: Any) -> Grid | None:
    if isinstance(raw, Mapping):
        sizes = raw.get("sizes", raw.get("size", raw.get("n")))
        columns = (sizes, raw.get("mean"), raw.get("lo"), raw.get("hi"))
    elif isinstance(raw, Sequence) and raw and isinstance(raw[0], Mapping):
        columns = tuple(
            [r.get(k, r.get(alt)) for r in raw]
            for k, alt in (("size", "n"), ("mean", "score"), ("lo", "low"), ("hi", "high"))
        )
    else:
        return None
    if any(c is None for c in columns):
        return None
    sizes, mean, lo, hi = (np.array([num(v) for v in c], dtype=float) for c in columns)
    keep = np.isfinite(sizes) & (sizes > 0) & np.isfinite(mean)
    if keep.sum() < 2:
        return None
    order = np.argsort(sizes[keep])
    sizes, mean, lo, hi = (a[keep][order] for a in (sizes, mean, lo, hi))
    lo = np.where(np.isfinite(lo), lo, mean)
    hi = np.where(np.isfinite(hi), hi, mean)
    return Grid(sizes, mean, np.minimum(lo, hi), np.maximum(lo, hi))


def _rebuild(raw: Mapping[str, Any]) -> Any:
    """``Extrapolation.from_dict`` when the stored quantiles allow it (reads, never refits)."""
    if "quantile_grid" not in raw:
        return None
    try:
        from howmuchdata.extrapolate import Extrapolation
    except ImportError:
        return None
    try:
        return Extrapolation.from_dict(dict(raw))
    except (ValueError, KeyError, TypeError):  # HowMuchDataError is a ValueError
        return None


def _parse_extrapolation(raw: Mapping[str, Any]) -> ExtrapolationView:
    interval = raw.get("asymptote_interval")
    asym_interval = None
    if isinstance(interval, Sequence) and len(interval) == 2:
        asym_interval = (num(interval[0]), num(interval[1]))
    elif isinstance(interval, Mapping):
        asym_interval = (num(interval.get("lo")), num(interval.get("hi")))
    summary = raw.get("summary")
    grid = raw.get("grid") if isinstance(raw.get("grid"), Mapping) else {}
    level = num(raw.get("level", grid.get("level", 0.8)))
    return ExtrapolationView(
        raw=dict(raw),
        grid=_parse_grid(raw.get("grid")),
        asymptote=num(raw.get("asymptote")),
        asymptote_interval=asym_interval,
        flags=[str(f) for f in raw.get("flags") or []],
        answers=dict(raw.get("answers") or {}),
        summary=str(summary) if summary else None,
        level=level if 0 < level < 1 else 0.8,
        model=_rebuild(raw),
    )


def _table_curve(model: str, ext: ExtrapolationView) -> CurveView | None:
    """A curve of one mean score per size, from an extrapolation's ``observed`` means."""
    observed = ext.observed
    if observed is None:
        return None
    sizes, means = observed
    points = _points_frame(
        [
            {"model": model, "size": float(n), "repeat": 0, "val_score": float(v)}
            for n, v in zip(sizes, means, strict=True)
        ]
    )
    by_size = _summarise_sizes(points)
    by_size["val_std"] = np.nan  # the spread over repeats is not stored with the means
    meta = {"model": model, "greater_is_better": ext.greater_is_better}
    return CurveView(model, meta, points, by_size, None, None, extrapolation=ext)


def _why_no_extrapolation(curve: CurveView, raw: Any) -> str:
    if isinstance(raw, Mapping):
        reason = raw.get("error") or raw.get("reason") or raw.get("message")
        if reason:
            return f"no extrapolation for {curve.model}: {reason}"
        return f"no extrapolation for {curve.model}: its stored result has no plotting grid"
    n_sizes = len(curve.by_size)
    if n_sizes < MIN_SIZES_FOR_EXTRAPOLATION:
        return (
            f"no extrapolation for {curve.model}: only {n_sizes} training size"
            f"{'' if n_sizes == 1 else 's'} with a validation score "
            f"(at least {MIN_SIZES_FOR_EXTRAPOLATION} are needed); "
            "measure more sizes (--sizes) to see beyond the data"
        )
    return (
        f"no extrapolation stored for {curve.model}; "
        "run `howmuchdata extrapolate RUN_DIR` to add it"
    )


def _as_rows(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, Mapping):
        for key in ("rows", "table", "labels_saved"):
            if isinstance(value.get(key), list):
                return [dict(r) for r in value[key] if isinstance(r, Mapping)]
        return []
    if isinstance(value, list):
        return [dict(r) for r in value if isinstance(r, Mapping)]
    return []


def finding_rank(finding: Mapping[str, Any]) -> tuple[int, int]:
    """Most important first: severity, then the diagnosis' order of kinds."""
    kind = str(finding.get("kind", ""))
    return (
        SEVERITY_ORDER.get(str(finding.get("severity", "info")), 3),
        KINDS.index(kind) if kind in KINDS else len(KINDS),
    )


def subgroup_table(findings: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """The per-subgroup score and count table a subgroup finding carries as evidence."""
    for finding in findings:
        evidence = finding.get("evidence")
        table = evidence.get("subgroups") if isinstance(evidence, Mapping) else None
        if finding.get("kind") == "subgroup_underperforms" and isinstance(table, Mapping) and table:
            return {str(k): dict(v) for k, v in table.items() if isinstance(v, Mapping)}
    return None


def read_run(result: Mapping[str, Any]) -> RunView:
    """Parse a ``result.json`` object into a :class:`RunView`.

    Parameters
    ----------
    result : mapping
        The object returned by :func:`howmuchdata.result.read_result`.

    Returns
    -------
    RunView
        Per-model curve summaries, extrapolations, ordered findings, the labels-saved table
        and the plan; absent sections stay empty, and so do stale ones (listed in
        :attr:`RunView.stale`).
    """
    view = RunView(result=dict(result))
    meta_by_model: dict[str, dict[str, Any]] = {}
    raw_curves = result.get("curves") or result.get("curve") or []
    if isinstance(raw_curves, Mapping):
        raw_curves = [raw_curves]
    for meta in raw_curves:
        if isinstance(meta, Mapping):
            meta_by_model[str(meta.get("model", "model"))] = dict(meta)

    points = result.get("points") or []
    frame = _points_frame(points) if points else pd.DataFrame()
    models = list(meta_by_model)
    if not frame.empty:
        models += [m for m in frame["model"].unique() if m not in meta_by_model]
    for model in models:
        model_points = (
            frame[frame["model"] == model].reset_index(drop=True)
            if not frame.empty
            else _points_frame([])
        )
        ok = model_points[model_points["status"] == "ok"]
        view.curves[model] = CurveView(
            model=model,
            meta=meta_by_model.get(model, {}),
            points=model_points,
            by_size=_summarise_sizes(model_points),
            class_recall=_dict_column_means(ok, ("val_recall",)),
            subgroup_scores=_dict_column_means(ok, _SUBGROUP_KEYS),
        )

    extrapolations = result.get("extrapolation") or {}
    if isinstance(extrapolations, Mapping) and "grid" in extrapolations:
        # a single extrapolation not keyed by model: it belongs to the only (or first) curve
        extrapolations = {next(iter(view.curves), "model"): extrapolations}
    for model, raw in extrapolations.items() if isinstance(extrapolations, Mapping) else []:
        parsed = _parse_extrapolation(raw) if isinstance(raw, Mapping) else None
        curve = view.curves.get(str(model))
        if parsed is not None and parsed.grid is not None:
            if curve is None:
                view.orphan_extrapolations[str(model)] = parsed
            else:
                curve.extrapolation = parsed
        elif curve is not None:
            curve.extrapolation_missing = _why_no_extrapolation(curve, raw)
    for curve in view.curves.values():
        if curve.extrapolation is None and curve.extrapolation_missing is None:
            curve.extrapolation_missing = _why_no_extrapolation(curve, None)
    for model, ext in view.orphan_extrapolations.items():
        table_curve = _table_curve(model, ext)
        if table_curve is not None:
            view.table_curves[model] = table_curve

    findings = [dict(f) for f in result.get("findings") or [] if isinstance(f, Mapping)]
    for f in findings:  # evidence is a mapping by contract; keep anything else readable
        if not isinstance(f.get("evidence"), Mapping):
            f["evidence"] = {} if f.get("evidence") is None else {"evidence": f["evidence"]}
    view.findings = sorted(findings, key=finding_rank)
    stale = result.get("stale")
    view.stale = {str(k): str(v) for k, v in stale.items()} if isinstance(stale, Mapping) else {}
    if "labels_saved" not in view.stale:
        view.labels_saved = _as_rows(result.get("labels_saved"))
    plan = result.get("plan")
    if isinstance(plan, Mapping) and plan and "plan" not in view.stale:
        view.plan = dict(plan)
    return view
