"""Static PNG figures (matplotlib) of the main plots, for papers and slides.

Drawn from the same parsed ``result.json`` as the interactive page. Text from the data goes
through :func:`_plain` so that matplotlib's mathtext never interprets a ``$`` in a class name.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never open a window, work without a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import (  # noqa: E402
    FixedFormatter,
    FixedLocator,
    FuncFormatter,
    LogLocator,
    NullFormatter,
)

from howmuchdata.report.figures import (  # noqa: E402
    PALETTE,
    TARGET_COLOR,
    log_ticks,
    planned_size,
)
from howmuchdata.report.runview import RunView, num  # noqa: E402
from howmuchdata.report.summary import axis_title, fmt_target  # noqa: E402

DPI = 150
PNG_NAMES = ("learning_curves.png", "forecast.png", "per_class.png", "strategies.png")


def _plain(text: object) -> str:
    return str(text).replace("$", r"\$")


def _log_axis(
    axis, set_scale, lo: float | None = None, hi: float | None = None, *, ends: bool = True
) -> None:
    """Log scale labelled 100, 200, 500, 1,000 (plain numbers: no slow mathtext powers); with
    the data's range, the ticks of the interactive page (an end far from them labelled too)."""
    set_scale("log")
    values, texts = log_ticks(lo, hi, ends=ends) if lo is not None and hi is not None else ([], [])
    if values:  # the page's labels: "10k" and "15k" fit side by side, "10,000" "15,000" not
        axis.set_major_locator(FixedLocator(values))
        axis.set_major_formatter(FixedFormatter(texts))
    else:
        axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


# the figure's width and its height without a legend, in inches; the legend goes in rows
# below the axes, each adding LEGEND_ROW, so a legend of many models never covers the curves
WIDTH, HEIGHT, LEGEND_ROW = 7.0, 4.2, 0.2


def _axes(title: str, y_label: str):
    """A figure with one axes; :func:`_legend` makes room below it for the legend."""
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT), dpi=DPI)
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylabel(y_label)
    ax.grid(True, color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _legend(fig, handles: list, labels: list[str], *, x_room: float = 0.0) -> None:
    """Put the legend in rows under the axes, as many entries a row as their length allows,
    and grow the figure by those rows and ``x_room`` inches (for tilted tick labels)."""
    longest = max((len(label) for label in labels), default=0)
    # an entry takes its handle (about 0.45 inch) and 0.065 inch a character at size 8
    columns = max(1, min(len(labels), int((WIDTH - 1.0) / (0.45 + 0.065 * longest))))
    rows = math.ceil(len(labels) / columns) if labels else 0
    height = HEIGHT + LEGEND_ROW * rows + x_room
    fig.set_size_inches(WIDTH, height)
    # fixed margins: a layout engine would draw every figure twice (slow on busy machines)
    bottom = 0.55 + x_room + (LEGEND_ROW * rows + 0.1 if rows else 0.0)
    fig.subplots_adjust(left=0.12, right=0.98, top=1 - 0.34 / height, bottom=bottom / height)
    if handles:
        fig.legend(
            handles,
            labels,
            loc="lower left",
            bbox_to_anchor=(0.1, 0.01),
            ncol=columns,
            fontsize=8,
            frameon=False,
        )


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _size_range(*columns) -> tuple[float, float]:
    """Smallest and largest positive size over ``columns`` (for the log axis' ticks)."""
    values = np.concatenate([np.asarray(c, dtype=float) for c in columns])
    values = values[np.isfinite(values) & (values > 0)]
    return float(values.min()), float(values.max())


def curves_png(view: RunView, path: Path) -> Path | None:
    """Validation and training curves of every model with the repeat spread."""
    curves = [c for c in view.curves.values() if c.last is not None]
    if not curves:
        return None
    has_train = any(c.by_size["train_mean"].notna().any() for c in curves)
    fig, ax = _axes("Learning curves", axis_title(curves[0].scoring))
    handles, labels = [], []
    for i, curve in enumerate(curves):
        color, t = PALETTE[i % len(PALETTE)], curve.by_size
        ax.fill_between(
            t["size"],
            t["val_mean"] - t["val_std"],
            t["val_mean"] + t["val_std"],
            color=color,
            alpha=0.18,
            linewidth=0,
        )
        (line,) = ax.plot(t["size"], t["val_mean"], "-o", color=color, markersize=4)
        handles.append(line)
        labels.append(_plain(curve.model))
        if t["train_mean"].notna().any():
            ax.plot(t["size"], t["train_mean"], "--", color=color, linewidth=1.2)
    if has_train:
        handles.append(Line2D([], [], color="#777", linestyle="--", linewidth=1.2))
        labels.append("dashed: training score")
    _log_axis(ax.xaxis, ax.set_xscale, *_size_range(*(c.by_size["size"] for c in curves)))
    ax.set_xlabel("training samples (log scale)")
    _legend(fig, handles, labels)
    return _save(fig, path)


def forecast_png(view: RunView, path: Path, target: float | None) -> Path | None:
    """Measured means and the extrapolation band, with target and planned size (curves read
    from a table of sizes and scores too)."""
    measured = [c for c in view.curves.values() if c.extrapolation is not None]
    curves = [c for c in [*measured, *view.table_curves.values()] if c.last is not None]
    if not curves:
        return None
    names = [*view.curves, *view.table_curves]
    planned = planned_size(view)
    fig, ax = _axes("What more data would bring", axis_title(curves[0].scoring))
    handles, labels, drawn = [], [], []
    for curve in curves:
        color = PALETTE[names.index(curve.model) % len(PALETTE)]
        grid, t = curve.extrapolation.grid, curve.by_size
        end = max(10 * float(t["size"].iloc[-1]), 1.2 * planned if planned else 0.0)
        keep = grid.sizes <= min(end, grid.sizes[-1]) * (1 + 1e-9)
        drawn.append(grid.sizes[keep])
        ax.fill_between(
            grid.sizes[keep], grid.lo[keep], grid.hi[keep], color=color, alpha=0.18, linewidth=0
        )
        (line,) = ax.plot(grid.sizes[keep], grid.mean[keep], ":", color=color, linewidth=2)
        ax.errorbar(
            t["size"],
            t["val_mean"],
            yerr=t["val_std"] if t["val_std"].notna().any() else None,
            fmt="o",
            color=color,
            markersize=4,
        )
        handles.append(line)
        labels.append(_plain(curve.model))
    now = max(float(c.by_size["size"].iloc[-1]) for c in curves)
    handles.append(ax.axvline(now, color="#999", linewidth=1))
    labels.append(f"measured up to {now:,.0f}")
    if target is not None:
        handles.append(ax.axhline(target, color=TARGET_COLOR, linewidth=1.2, linestyle="-."))
        labels.append(f"target {fmt_target(target)}")
    if planned:
        handles.append(ax.axvline(planned, color="#444", linewidth=1, linestyle="--"))
        labels.append(f"planned {planned:,.0f}")
    _log_axis(ax.xaxis, ax.set_xscale, *_size_range(*drawn))
    ax.set_xlabel("training samples (log scale)")
    _legend(fig, handles, labels)
    return _save(fig, path)


def classes_png(view: RunView, path: Path) -> Path | None:
    """Per-class recall curves of the headline model."""
    curve = view.primary
    if curve is None or curve.class_recall is None or curve.class_recall.empty:
        return None
    table = curve.class_recall
    fig, ax = _axes(f"Per-class recall ({_plain(curve.model)})", "recall")
    handles = []
    for i, column in enumerate(table.columns):
        (line,) = ax.plot(
            table.index, table[column], "-o", markersize=3, color=PALETTE[i % len(PALETTE)]
        )
        handles.append(line)
    _log_axis(ax.xaxis, ax.set_xscale, *_size_range(table.index))
    ax.set_xlabel("training samples (log scale)")
    _legend(fig, handles, [f"class {_plain(c)}" for c in table.columns])
    return _save(fig, path)


def strategies_png(view: RunView, path: Path) -> Path | None:
    """Labels needed per strategy and target (bars with intervals; a pessimistic bound that
    never reaches the target runs to the top of the axes)."""
    rows = [r for r in view.labels_saved if math.isfinite(num(r.get("labels")))]
    if not rows:
        return None
    strategies = list(dict.fromkeys(str(r.get("strategy", "?")) for r in rows))
    targets = sorted({num(r.get("target")) for r in rows})
    finite = [
        v
        for r in rows
        for v in (num(r.get("labels")), num(r.get("labels_lo")), num(r.get("labels_hi")))
        if math.isfinite(v) and v > 0
    ]
    bottom, top = min(finite) / 1.6, max(finite) * 2.5
    # names side by side need about 0.09 inch a character; tilt them when they would touch
    longest = max(len(s) for s in strategies)
    tilt = longest * 0.09 > 0.9 * (WIDTH * 0.86) / len(strategies)
    room = min(1.0, 0.035 * longest) if tilt else 0.0
    fig, ax = _axes("Labels needed per strategy", "labels needed (log scale)")
    width = 0.8 / max(len(targets), 1)
    handles = []
    for j, target in enumerate(targets):
        by_name = {str(r.get("strategy", "?")): r for r in rows if num(r.get("target")) == target}
        x = np.arange(len(strategies)) + j * width

        def column(key: str, by_name=by_name) -> np.ndarray:
            return np.array(
                [num(by_name[s].get(key)) if s in by_name else np.nan for s in strategies]
            )

        labels, lo, hi = column("labels"), column("labels_lo"), column("labels_hi")
        hi = np.where(np.isinf(hi), top, hi)
        err = np.nan_to_num(np.vstack([labels - lo, hi - labels]), nan=0.0).clip(min=0)
        handles.append(ax.bar(x, labels, width, yerr=err, color=PALETTE[j % len(PALETTE)]))
    _log_axis(ax.yaxis, ax.set_yscale, bottom, top, ends=False)
    ax.set_ylim(bottom, top)
    ax.set_xticks(
        np.arange(len(strategies)) + width * (len(targets) - 1) / 2,
        [_plain(s) for s in strategies],
        rotation=25 if tilt else 0,
        ha="right" if tilt else "center",
    )
    _legend(fig, handles, [f"target {t:g}" for t in targets], x_room=room)
    return _save(fig, path)


def write_pngs(view: RunView, out_dir: Path, target: float | None) -> list[Path]:
    """Write every PNG the data supports into ``out_dir``; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in PNG_NAMES:  # a rebuild must not leave a figure the data no longer supports
        (out_dir / name).unlink(missing_ok=True)
    written = [
        curves_png(view, out_dir / "learning_curves.png"),
        forecast_png(view, out_dir / "forecast.png", target),
        classes_png(view, out_dir / "per_class.png"),
        strategies_png(view, out_dir / "strategies.png"),
    ]
    return [p for p in written if p is not None]
