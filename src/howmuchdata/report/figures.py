"""Interactive plotly figures, built from the parsed ``result.json`` only.

Each builder returns a :class:`Figure` (plotly figure as a plain dict plus a title and a
caption) or ``None`` when its data is absent. Every string that comes from the data (model,
class, subgroup and strategy names) is HTML-escaped before it reaches plotly, because plotly
renders a subset of HTML in names and hover text: a class called ``<b>x</b>`` must show as
typed. Numbers are rounded to six significant digits to keep the page small.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from howmuchdata.report.runview import CurveView, RunView, num, subgroup_table
from howmuchdata.report.summary import axis_title, fmt_score, fmt_target, size_for_target
from howmuchdata.strategies.labels_saved import (
    interval_cell,
    labels_cell,
    versus_baseline,
)

PALETTE = [
    "#1f5fa6",
    "#d9622b",
    "#2a9d6f",
    "#8a4fbf",
    "#c23b56",
    "#7a7a2e",
    "#2b8fb3",
    "#9c6b30",
    "#e377c2",
    "#555555",
]
# the target's horizontal line: a colour and a dash no curve, band or other line is drawn in
# (the curves take PALETTE's colours and are dotted in the forecast; the asymptote is long
# dashes, the planned size dashes)
TARGET_COLOR = "#000000"
TARGET_DASH = "dashdot"
BASE_LAYOUT: dict[str, Any] = {
    "template": "none",
    "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 13},
    "margin": {"l": 64, "r": 16, "t": 16, "b": 8},
    "hovermode": "closest",
    # below everything, in the figure's own coordinates: plotly reserves the room it needs
    # under the x axis title, so neither overlaps the other however many rows it wraps to
    "legend": {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": 0,
        "yanchor": "bottom",
        "yref": "container",
    },
    "height": 420,
    "plot_bgcolor": "#ffffff",
    "paper_bgcolor": "#ffffff",
}
AXIS = {
    "gridcolor": "#e6e6e6",
    "zeroline": False,
    "linecolor": "#999",
    "showline": True,
    "automargin": True,  # long or rotated tick labels push the margin instead of being cut
}


@dataclass(frozen=True)
class Figure:
    """One plot of the report: an id for the page, its heading, a caption and the figure."""

    key: str
    title: str
    caption: str
    figure: dict[str, Any]
    details: tuple[str, ...] = ()  # how it was computed, shown folded under the plot


def esc(text: Any) -> str:
    """Escape data text for plotly's HTML-like labels (it converts entities back to text)."""
    return html.escape(str(text), quote=True)


def _round(value: Any) -> Any:
    """Round floats in a plotly JSON tree to six significant digits."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


# the plot width the page leaves on a desktop screen, and a legend row's height (plotly's at
# the layout's font size), in pixels: they size the figure so that a legend of many entries
# does not squeeze the plot area; the page redoes the sum at its actual width (LEGEND_FIT)
_PLOT_WIDTH = 880
_LEGEND_ROW = 30


def legend_widths(traces: list[dict[str, Any]]) -> list[float]:
    """The estimated width in pixels of each entry a horizontal legend shows for ``traces``.

    Parameters
    ----------
    traces : list of dict
        Plotly traces as plain dicts (``figure["data"]``).

    Returns
    -------
    list of float
        One width per legend entry, in legend order: symbol, gap and text at the font size.
    """
    names = [
        str(t.get("name") or "")
        for t in traces
        if t.get("showlegend") is not False and (t.get("name") or t.get("showlegend"))
    ]
    return [round(48 + 7.2 * len(name), 1) for name in names]


def legend_rows(widths: list[float], room: float) -> int:
    """Rows that legend entries of ``widths`` take, packed left to right into ``room`` pixels
    (the page's script packs them the same way at the plot's actual width)."""
    rows, used = (1 if widths else 0), 0.0
    for width in widths:
        if used and used + width > room:
            rows, used = rows + 1, 0.0
        used += width
    return rows


def _tick_text(value: float) -> str:
    """A size tick: ``500``, ``1,000``, ``20k``, ``1M``."""
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e4:
        return f"{value / 1e3:g}k"
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _two_digits_inside(value: float, *, up: bool) -> float:
    """``value`` at two significant digits, rounded into the data's range (up for its low
    end, down for its high end).

    A tick rounded past the data (9,100 for an axis ending at 9,051) lies outside the range
    plotly and matplotlib draw, and is silently dropped, leaving that end unlabelled.
    """
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    scaled = value / step
    # a hair of tolerance: 1600 / 10 must stay 160, not become 161 by float noise
    digits = math.ceil(scaled - 1e-9) if up else math.floor(scaled + 1e-9)
    return float(f"{digits * step:.2g}")


def log_ticks(lo: float, hi: float, *, ends: bool = True) -> tuple[list[float], list[str]]:
    """Ticks of a log axis from ``lo`` to ``hi``: 1, 2 and 5 per decade written out in full
    ("50", "100", "200", "1,000", "20k"), or only the powers of ten over many decades.

    plotly's own log ticks label the steps within a decade by their first digit ("2" for 200),
    which reads as a different number.

    Parameters
    ----------
    lo, hi : float
        The smallest and largest value on the axis (positive).
    ends : bool, default True
        Give an end of the data far from every tick (400 between 200 and 500) a tick of its
        own, at two significant digits rounded into the range; off for an axis whose ends are
        not data.

    Returns
    -------
    tuple of (list of float, list of str)
        Tick positions and their labels; both empty for an unusable range.
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
        return [], []
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1.0, 2.0, 5.0) if last - first <= 4 else (1.0,)
    values = [
        m * 10.0**k
        for k in range(first, last + 1)
        for m in steps
        if lo / 1.05 <= m * 10.0**k <= hi * 1.05
    ]
    for end in (_two_digits_inside(lo, up=True), _two_digits_inside(hi, up=False)) if ends else ():
        near = values and min(abs(math.log(end / v)) for v in values) <= math.log(1.2)
        if lo <= end <= hi and not near:
            values.append(end)
    values = sorted(values)
    return values, [_tick_text(v) for v in values]


def _positive(values: Any) -> list[float]:
    """The finite positive numbers among a trace's coordinates (None and text skipped)."""
    if values is None:
        return []
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(x) and x > 0:
            out.append(x)
    return out


def _finish(fig: go.Figure, *, x_title: str, y_title: str, log_x: bool = True) -> dict[str, Any]:
    fig.update_layout(**BASE_LAYOUT)
    x_axis: dict[str, Any] = {"title": {"text": x_title}, "type": "log" if log_x else "-", **AXIS}
    if log_x:
        xs = [x for t in fig.data for x in _positive(t.x)]
        if xs:
            values, text = log_ticks(min(xs), max(xs))
            x_axis.update(tickmode="array", tickvals=values, ticktext=text)
    fig.update_layout(xaxis=x_axis, yaxis={"title": {"text": y_title}, **AXIS})
    rows = legend_rows(legend_widths([t.to_plotly_json() for t in fig.data]), _PLOT_WIDTH)
    fig.update_layout(height=BASE_LAYOUT["height"] + _LEGEND_ROW * max(0, rows - 1))
    if "yaxis2" in fig.layout and fig.layout.yaxis2.overlaying:
        # room for the right axis, and for its top label below plotly's mode bar
        fig.update_layout(margin={"r": 72, "t": 40})
    # plotly's own encoder handles NumPy values; the tree is then rounded and plain.
    return _round(json.loads(fig.to_json()))


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band(
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    color: str,
    name: str,
    group: str,
    alpha: float = 0.18,
) -> go.Scatter:
    """A filled band between ``lo`` and ``hi`` drawn as one closed polygon (no hover)."""
    return go.Scatter(
        x=np.concatenate([x, x[::-1]]).tolist(),
        y=np.concatenate([hi, lo[::-1]]).tolist(),
        # plotly's default for under 20 points is "lines+markers": its corners would show as
        # dots in plotly's own colours, read as measured repeats
        mode="lines",
        fill="toself",
        fillcolor=_rgba(color, alpha),
        line={"width": 0},
        hoverinfo="skip",
        name=name,
        legendgroup=group,
        showlegend=False,
    )


def learning_curves(view: RunView) -> Figure | None:
    """Validation (solid) and training (dashed) score against size, with repeat spread."""
    curves = [c for c in view.curves.values() if c.last is not None]
    if not curves:
        return None
    fig = go.Figure()
    for i, curve in enumerate(curves):
        color, group, name = _color(i), curve.model, esc(curve.model)
        t = curve.by_size
        ok = curve.points[curve.points["status"] == "ok"]
        x = t["size"].to_numpy(float)
        fig.add_trace(
            _band(
                x,
                (t["val_mean"] - t["val_std"]).to_numpy(),
                (t["val_mean"] + t["val_std"]).to_numpy(),
                color,
                name,
                group,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=ok["size"].tolist(),
                y=ok["val_score"].tolist(),
                mode="markers",
                marker={"color": _rgba(color, 0.45), "size": 5},
                name=f"{name} repeats",
                legendgroup=group,
                showlegend=False,
                customdata=ok["repeat"].tolist(),
                hovertemplate=f"{name}<br>size %{{x:,}}<br>repeat %{{customdata}}<br>validation %{{y:.4f}}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x.tolist(),
                y=t["val_mean"].tolist(),
                mode="lines+markers",
                line={"color": color, "width": 2.5},
                name=name,  # one legend entry per model: its group holds band, dots and train
                legendgroup=group,
                customdata=[
                    [spread, int(n_ok), int(n_points)]
                    for spread, n_ok, n_points in zip(
                        _hover_spreads(t["val_std"], t["n_ok"]),
                        t["n_ok"],
                        t["n_points"],
                        strict=True,
                    )
                ],
                hovertemplate=(
                    f"{name} validation<br>size %{{x:,}}<br>mean %{{y:.4f}}%{{customdata[0]}}"
                    "<br>repeats ok %{customdata[1]} of %{customdata[2]}<extra></extra>"
                ),
            )
        )
        if t["train_mean"].notna().any():
            fig.add_trace(
                go.Scatter(
                    x=x.tolist(),
                    y=t["train_mean"].tolist(),
                    mode="lines",
                    line={"color": color, "width": 1.5, "dash": "dash"},
                    name=f"{name} train",
                    legendgroup=group,
                    showlegend=False,
                    customdata=_hover_spreads(t["train_std"], t["n_ok"]),
                    hovertemplate=f"{name} train<br>size %{{x:,}}<br>mean %{{y:.4f}}%{{customdata}}<extra></extra>",
                )
            )
    if any(c.by_size["train_mean"].notna().any() for c in curves):
        fig.add_trace(  # a key for the dashed lines, which have no entries of their own
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"color": "#777", "width": 1.5, "dash": "dash"},
                name="dashed: training score",
                hoverinfo="skip",
            )
        )
    scoring = axis_title(curves[0].scoring)
    return Figure(
        "curves",
        "Learning curves",
        "Validation score (solid, band = ±1 standard deviation over repeats, dots = single repeats) "
        "and training score (dashed) against the number of training samples (log scale).",
        _finish(fig, x_title="training samples (log scale)", y_title=scoring),
    )


def _hover_spreads(stds: Any, repeats: Any) -> list[str]:
    """``" ± 0.0123"`` per size for the hover text, and ``" (one repeat)"`` where a single
    score was measured: its standard deviation of 0 is no measured spread."""
    return [
        f" ± {std:.4f}" if n > 1 and math.isfinite(std) else " (one repeat)" if n == 1 else ""
        for std, n in zip(np.asarray(stds, float), np.asarray(repeats), strict=True)
    ]


def _forecast_end(curve: CurveView, target: float | None, planned: float | None) -> float:
    """How far right the forecast is drawn: 10x the data, the planned size or the target size."""
    grid = curve.extrapolation.grid
    end = 10 * float(curve.last["size"])
    if planned:
        end = max(end, 1.2 * planned)
    if target is not None:
        _, _, hi = size_for_target(grid, target, curve.greater_is_better)
        if math.isfinite(hi):
            end = max(end, 1.3 * hi)
    asked = [
        num(a.get("size"))
        for a in curve.extrapolation.answers.get("at") or []
        if isinstance(a, dict)
    ]
    asked = [n for n in asked if math.isfinite(n)]
    if asked:  # the sizes `extrapolate --at` answered for
        end = max(end, 1.2 * max(asked))
    return min(end, float(grid.sizes[-1]))


def planned_size(view: RunView) -> float | None:
    """The total size the plan recommends, when a plan is stored."""
    if not view.plan:
        return None
    candidates = [view.plan.get(k) for k in ("recommended_size", "planned_size", "total_size")]
    for key in ("next_round", "recommendation"):
        rec = view.plan.get(key)
        if isinstance(rec, dict):
            candidates += [rec.get(k) for k in ("size", "total_size", "recommended_size")]
    for value in candidates:
        v = num(value)
        if math.isfinite(v) and v > 0:
            return v
    return None


def extrapolation(view: RunView, target: float | None) -> Figure | None:
    """Measured means plus the forecast with its interval band, the target and planned size.

    Curves read from a table of sizes and scores (:attr:`RunView.table_curves`) are drawn too,
    with their mean per size and no spread.
    """
    measured = [c for c in view.curves.values() if c.extrapolation is not None]
    curves = [c for c in [*measured, *view.table_curves.values()] if c.last is not None]
    if not curves:
        return None
    colors = {name: _color(i) for i, name in enumerate([*view.curves, *view.table_curves])}
    planned = planned_size(view)
    fig = go.Figure()
    x_max = 0.0
    for i, curve in enumerate(curves):
        color, name, group = colors[curve.model], esc(curve.model), curve.model
        grid = curve.extrapolation.grid
        end = _forecast_end(curve, target, planned)
        keep = grid.sizes <= end * (1 + 1e-9)
        gx, gm, glo, ghi = grid.sizes[keep], grid.mean[keep], grid.lo[keep], grid.hi[keep]
        x_max = max(x_max, float(gx[-1]) if len(gx) else 0.0)
        pct = int(round(100 * curve.extrapolation.level))
        fig.add_trace(_band(gx, glo, ghi, color, name, group))
        fig.add_trace(
            go.Scatter(
                x=gx.tolist(),
                y=gm.tolist(),
                mode="lines",
                line={"color": color, "dash": "dot", "width": 2},
                name=name,  # one legend entry per model: its group holds band and dots
                legendgroup=group,
                customdata=np.column_stack([glo, ghi]).tolist(),
                hovertemplate=(
                    f"{name} forecast<br>size %{{x:,.0f}}<br>expected %{{y:.4f}}"
                    f"<br>{pct}% interval %{{customdata[0]:.4f}} to %{{customdata[1]:.4f}}"
                    "<extra></extra>"
                ),
            )
        )
        t = curve.by_size
        spread = t["val_std"].notna().any()
        fig.add_trace(
            go.Scatter(
                x=t["size"].tolist(),
                y=t["val_mean"].tolist(),
                mode="markers",
                marker={"color": color, "size": 8, "line": {"color": "white", "width": 1}},
                error_y=(
                    {"type": "data", "array": t["val_std"].tolist(), "color": color, "thickness": 1}
                    if spread
                    else None
                ),
                name=f"{name} measured",
                legendgroup=group,
                showlegend=False,
                hovertemplate=f"{name} measured<br>size %{{x:,}}<br>mean %{{y:.4f}}<extra></extra>",
            )
        )
        asym = curve.extrapolation.asymptote
        if math.isfinite(asym) and i == 0 and len(curves) == 1:
            fig.add_trace(
                go.Scatter(
                    x=[float(t["size"].iloc[0]), x_max],
                    y=[asym, asym],
                    mode="lines",
                    line={"color": "#777", "width": 1, "dash": "longdash"},
                    name="asymptote",
                    hovertemplate=f"asymptote {fmt_score(asym)}<extra></extra>",
                )
            )
    x0 = min(float(c.by_size["size"].iloc[0]) for c in curves)
    if target is not None:
        fig.add_trace(
            go.Scatter(
                x=[x0, x_max],
                y=[target, target],
                mode="lines",
                line={"color": TARGET_COLOR, "width": 1.5, "dash": TARGET_DASH},
                name=f"target {fmt_target(target)}",
                hovertemplate=f"target {fmt_target(target)}<extra></extra>",
            )
        )
    ys = [y for tr in fig.data for y in (tr.y or []) if y is not None]
    now = max(float(c.by_size["size"].iloc[-1]) for c in curves)
    if ys:
        fig.add_trace(
            go.Scatter(
                x=[now, now],
                y=[min(ys), max(ys)],
                mode="lines",
                line={"color": "#999", "width": 1},
                name=f"measured up to {now:,.0f}",
                hovertemplate=f"largest measured size {now:,.0f}<extra></extra>",
            )
        )
    if planned and ys:
        fig.add_trace(
            go.Scatter(
                x=[planned, planned],
                y=[min(ys), max(ys)],
                mode="lines",
                line={"color": "#444", "width": 1, "dash": "dash"},
                name=f"planned size {planned:,.0f}",
                hovertemplate=f"planned size {planned:,.0f}<extra></extra>",
            )
        )
    dots = (
        "Measured mean validation score (dots, bars = ±1 standard deviation)"
        if measured
        else "Mean score per size from the table of sizes and scores (dots)"
    )
    return Figure(
        "forecast",
        "What more data would bring",
        f"{dots} and the extrapolated expected score (dotted) with its "
        f"{int(round(100 * curves[0].extrapolation.level))}% interval (band), up to 10x the data"
        + (" or past the planned size (dashed vertical line)" if planned else "")
        + ("; the target as a black dash-dotted line" if target is not None else "")
        + "; the largest measured size as a grey vertical line.",
        _finish(fig, x_title="training samples (log scale)", y_title=axis_title(curves[0].scoring)),
        tuple(f"{c.model}: {c.extrapolation.summary}" for c in curves if c.extrapolation.summary),
    )


def _named_curves(
    table, curve: CurveView, key: str, title: str, caption: str, y_title: str, prefix: str = ""
) -> Figure:
    fig = go.Figure()
    x = [float(v) for v in table.index]
    for i, column in enumerate(table.columns):
        name = prefix + esc(column)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=table[column].tolist(),
                mode="lines+markers",
                name=name,
                line={"color": _color(i)},
                hovertemplate=f"{name}<br>size %{{x:,}}<br>{esc(y_title)} %{{y:.4f}}<extra></extra>",
            )
        )
    return Figure(
        key, title, caption, _finish(fig, x_title="training samples (log scale)", y_title=y_title)
    )


def per_class(view: RunView) -> Figure | None:
    """Mean validation recall per class against size, for the headline model."""
    curve = view.primary
    if curve is None or curve.class_recall is None or curve.class_recall.empty:
        return None
    return _named_curves(
        curve.class_recall,
        curve,
        "classes",
        f"Per-class recall ({curve.model})",
        "Validation recall of each class (mean over repeats) against the training size: a class "
        "whose recall still climbs steeply gains most from more examples of that class.",
        "recall",
        prefix="class ",  # a legend of "0" and "1" reads as numbers, not as the classes
    )


def per_subgroup(view: RunView) -> Figure | None:
    """Mean validation score per subgroup against size, for the headline model."""
    curve = view.primary
    if curve is None or curve.subgroup_scores is None or curve.subgroup_scores.empty:
        return None
    return _named_curves(
        curve.subgroup_scores,
        curve,
        "subgroups",
        f"Per-subgroup score ({curve.model})",
        "Validation score within each subgroup (mean over repeats) against the training size.",
        axis_title(curve.scoring),
    )


def labels_saved(view: RunView) -> Figure | None:
    """Labels each strategy needs to reach each target, against the baseline."""
    rows = [r for r in view.labels_saved if math.isfinite(num(r.get("labels")))]
    if not rows:
        return None
    unreached = len(view.labels_saved) - len(rows)
    fig = go.Figure()
    baseline = str(view.comparison.get("baseline", "baseline"))
    targets = sorted({num(r.get("target")) for r in rows})
    finite = [
        v
        for r in rows
        for v in (num(r.get("labels")), num(r.get("labels_lo")), num(r.get("labels_hi")))
        if math.isfinite(v) and v > 0
    ]
    # the axis ends well above every finite number: a whisker drawn up to it says "or more"
    bottom, top = min(finite) / 1.6, max(finite) * 2.5
    open_ended = sum(1 for r in rows if math.isinf(num(r.get("labels_hi"))))
    for i, target in enumerate(targets):
        sel = [r for r in rows if num(r.get("target")) == target]
        labels = np.array([num(r.get("labels")) for r in sel])
        lo = np.array([num(r.get("labels_lo")) for r in sel])
        hi = np.array([num(r.get("labels_hi")) for r in sel])
        # the hover says what the table says, formatted by the same helpers
        words = [
            [
                labels_cell(r.get("labels"), r.get("labels_at_start")),
                interval_cell(r),
                labels_cell(r.get("baseline_labels"), r.get("baseline_at_start")),
                versus_baseline(r, baseline),
            ]
            for r in sel
        ]
        names = [esc(r.get("strategy", "?")) for r in sel]
        fig.add_trace(
            go.Bar(
                x=names,
                y=labels.tolist(),
                name=f"target {target:g}",
                marker_color=_color(i),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": np.nan_to_num(
                        np.where(np.isinf(hi), top - labels, hi - labels), nan=0.0
                    ).tolist(),
                    "arrayminus": np.nan_to_num(labels - lo, nan=0.0, posinf=0.0).tolist(),
                },
                customdata=words,
                hovertemplate=(
                    "%{x}<br>labels %{customdata[0]} (%{customdata[1]})"
                    "<br>baseline %{customdata[2]}<br>vs baseline: %{customdata[3]}<extra>"
                    f"target {target:g}</extra>"
                ),
            )
        )
    fig.update_layout(barmode="group")
    figure = _finish(fig, x_title="strategy", y_title="labels needed (log scale)", log_x=False)
    values, text = log_ticks(bottom, top, ends=False)
    figure["layout"]["yaxis"].update(
        type="log",
        range=[math.log10(bottom), math.log10(top)],
        tickmode="array",
        tickvals=values,
        ticktext=text,
    )
    caption = (
        "Labeled samples each strategy needs to reach each target (bars = interval); fewer is "
        "better."
    )
    if open_ended:
        caption += (
            " A whisker that runs to the top of the plot: the pessimistic bound never reaches "
            'the target ("or more" in the table).'
        )
    if any(r.get("labels_at_start") is True for r in rows):
        caption += (
            " A bar at the smallest measured size (≤ in the table) is an upper limit: that "
            "strategy reaches the target there already, and the curve says nothing below it."
        )
    if unreached:
        caption += (
            f" {unreached} (strategy, target) pairs never reach the target and are not drawn."
        )
    return Figure("strategies", "Labels needed per strategy", caption, figure)


def _plan_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    for key in ("table", "rows", "candidates", "options"):
        value = plan.get(key)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value
    return []


def _pick(row: dict[str, Any], *names: str) -> float:
    for name in names:
        if name in row:
            return num(row[name])
    return math.nan


def cost_value(view: RunView) -> Figure | None:
    """The planner's table: label cost, expected value and net benefit against total size."""
    rows = _plan_rows(view.plan or {})
    if not rows:
        return None

    def column(*names: str) -> np.ndarray:
        return np.array([_pick(r, *names) for r in rows])

    size = column("size", "n", "total_size")
    order = np.argsort(size)
    size = size[order]
    series = [
        ("label cost", column("cost", "label_cost")[order], None, None),
        (
            "expected value",
            column("value", "expected_value")[order],
            column("value_lo")[order],
            column("value_hi")[order],
        ),
        (
            "expected net benefit",
            column("net_benefit", "net")[order],
            column("net_lo")[order],
            column("net_hi")[order],
        ),
    ]
    prob = column("p_reach", "p_target", "probability")[order]
    if not np.isfinite(size).any() or not any(np.isfinite(v).any() for _, v, _, _ in series):
        return None
    fig = go.Figure()
    pct = int(round(100 * num((view.plan or {}).get("level", 0.8))))
    for i, (name, values, lo, hi) in enumerate(series):
        if not np.isfinite(values).any():
            continue
        color = _color(i)
        has_band = lo is not None and np.isfinite(lo).all() and np.isfinite(hi).all()
        if has_band:
            fig.add_trace(_band(size, lo, hi, color, name, name, alpha=0.12))
        fig.add_trace(
            go.Scatter(
                x=size.tolist(),
                y=values.tolist(),
                mode="lines+markers",
                name=name,
                line={"color": color},
                legendgroup=name,
                customdata=np.column_stack([lo, hi]).tolist() if has_band else None,
                hovertemplate=(
                    f"{name}<br>total size %{{x:,.0f}}<br>%{{y:,.2f}}"
                    + (
                        f"<br>{pct}% interval %{{customdata[0]:,.2f}} to %{{customdata[1]:,.2f}}"
                        if has_band
                        else ""
                    )
                    + "<extra></extra>"
                ),
            )
        )
    if np.isfinite(prob).any():
        fig.add_trace(
            go.Scatter(
                x=size.tolist(),
                y=prob.tolist(),
                mode="lines",
                yaxis="y2",
                name="chance of reaching the target",
                line={"color": "#777", "dash": "dot"},
                hovertemplate="total size %{x:,.0f}<br>chance %{y:.0%}<extra></extra>",
            )
        )
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "range": [0, 1],
                # its own ticks: synced to the money axis they fall on odd shares (11%, 24%)
                "tickmode": "array",
                "tickvals": [0, 0.25, 0.5, 0.75, 1],
                "tickformat": ".0%",
                "showgrid": False,
                "title": {"text": "chance of reaching the target"},
            }
        )
    planned = planned_size(view)
    if planned:
        fig.add_vline(x=planned, line={"color": "#444", "width": 1, "dash": "dash"})
    figure = _finish(
        fig, x_title="total labeled samples (log scale)", y_title="money (your currency)"
    )
    return Figure(
        "costvalue",
        "Cost against value",
        "Label cost, expected value of the better model and their difference (net benefit, band = "
        f"{pct}% interval) for each candidate total size; dotted: the chance of reaching the "
        "target (right axis); dashed vertical line: the recommended size.",
        figure,
    )


def subgroup_bars(view: RunView) -> Figure | None:
    """Score and count per subgroup from the diagnosis, when no per-subgroup curves exist."""
    table = subgroup_table(view.findings)
    if not table:
        return None
    names = list(table)
    metric = next((k for k in next(iter(table.values())) if k not in ("n", "share")), "score")
    evidence = next(
        (f["evidence"] for f in view.findings if f.get("kind") == "subgroup_underperforms"), {}
    )
    # the metric in the finding's words ("ROC AUC", "log loss"), not its table key ("roc_auc")
    words = str(evidence.get("metric") or metric.replace("_", " "))
    lower_is_better = evidence.get("shortfall_relative") is True  # an error, written positive
    y_title = f"{words} (lower is better)" if lower_is_better else words
    scores = [num(table[n].get(metric)) for n in names]
    counts = [num(table[n].get("n")) for n in names]
    shares = [num(table[n].get("share")) for n in names]
    fig = go.Figure(
        go.Bar(
            x=[esc(n) for n in names],
            y=scores,
            marker_color=PALETTE[0],
            customdata=np.column_stack([counts, shares]).tolist(),
            hovertemplate=f"%{{x}}<br>{esc(words)} %{{y:.4f}}<br>rows %{{customdata[0]:,}} (%{{customdata[1]:.1%}})<extra></extra>",
        )
    )
    figure = _finish(fig, x_title="subgroup", y_title=esc(y_title), log_x=False)
    return Figure(
        "subgroups",
        "Score per subgroup",
        f"Out-of-fold {words} within each subgroup (hover for its row count), from the "
        "diagnosis. Per-subgroup learning curves appear here when the curve points store "
        "subgroup scores.",
        figure,
    )


def legend_fit(figure: dict[str, Any]) -> dict[str, Any]:
    """What the page's script needs to grow ``figure`` on a narrow screen: its legend entries'
    widths, the height of a one-row figure, a row's height and the room the axes take beside
    the legend (the y axis' margin and the right one).

    On a phone a legend of seven models wraps to eight rows; at the desktop height plotly
    would squeeze the plot to a strip and hide the rest of the legend behind a scroll bar.
    """
    margin = figure.get("layout", {}).get("margin", {})
    return {
        "widths": legend_widths(figure.get("data", [])),
        "base": BASE_LAYOUT["height"],
        "row": _LEGEND_ROW,
        "room": num(margin.get("l", 0)) + num(margin.get("r", 0)),
    }


def build_figures(view: RunView) -> list[Figure]:
    """Every figure the data supports, in reading order."""
    target = headline_target(view)
    built = [
        learning_curves(view),
        extrapolation(view, target),
        per_class(view),
        per_subgroup(view) or subgroup_bars(view),
        labels_saved(view),
        cost_value(view),
    ]
    return [f for f in built if f is not None]


def headline_target(view: RunView) -> float | None:
    """The target drawn on the forecast: the user's, else the headline's example target."""
    if view.target is not None:
        return view.target
    from howmuchdata.report.summary import answer

    for statement in answer(view):
        if statement.key == "target":
            return float(statement.numbers["target"])
    return None
