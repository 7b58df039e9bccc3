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
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from howmuchdata.report.figures import PALETTE, planned_size  # noqa: E402
from howmuchdata.report.runview import RunView, num  # noqa: E402
from howmuchdata.report.summary import pretty_scoring  # noqa: E402

DPI = 150
PNG_NAMES = ("learning_curves.png", "forecast.png", "per_class.png", "strategies.png")


def _plain(text: object) -> str:
    return str(text).replace("$", r"\$")


def _log_axis(axis, set_scale) -> None:
    """Log scale labelled 100, 200, 500, 1,000 (plain numbers: no slow mathtext powers)."""
    set_scale("log")
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _axes(title: str, y_label: str, *, log_x: bool = True):
    # fixed margins: a layout engine would draw every figure twice (slow on busy machines)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=DPI)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.92, bottom=0.13)
    if log_x:
        _log_axis(ax.xaxis, ax.set_xscale)
    ax.set_title(title, loc="left", fontsize=12)
    ax.set_ylabel(y_label)
    ax.grid(True, color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def curves_png(view: RunView, path: Path) -> Path | None:
    """Validation and training curves of every model with the repeat spread."""
    curves = [c for c in view.curves.values() if c.last is not None]
    if not curves:
        return None
    fig, ax = _axes("Learning curves", pretty_scoring(curves[0].scoring))
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
        ax.plot(
            t["size"],
            t["val_mean"],
            "-o",
            color=color,
            markersize=4,
            label=f"{_plain(curve.model)} validation",
        )
        if t["train_mean"].notna().any():
            ax.plot(
                t["size"],
                t["train_mean"],
                "--",
                color=color,
                linewidth=1.2,
                label=f"{_plain(curve.model)} train",
            )
    ax.set_xlabel("training samples (log scale)")
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)


def forecast_png(view: RunView, path: Path, target: float | None) -> Path | None:
    """Measured means and the extrapolation band, with target and planned size."""
    curves = [c for c in view.curves.values() if c.extrapolation is not None and c.last is not None]
    if not curves:
        return None
    fig, ax = _axes("What more data would bring", pretty_scoring(curves[0].scoring))
    planned = planned_size(view)
    for curve in curves:
        color = PALETTE[list(view.curves).index(curve.model) % len(PALETTE)]
        grid, t = curve.extrapolation.grid, curve.by_size
        end = max(10 * float(t["size"].iloc[-1]), 1.2 * planned if planned else 0.0)
        keep = grid.sizes <= min(end, grid.sizes[-1]) * (1 + 1e-9)
        ax.fill_between(
            grid.sizes[keep], grid.lo[keep], grid.hi[keep], color=color, alpha=0.18, linewidth=0
        )
        ax.plot(
            grid.sizes[keep],
            grid.mean[keep],
            ":",
            color=color,
            linewidth=2,
            label=f"{_plain(curve.model)} forecast",
        )
        ax.errorbar(
            t["size"],
            t["val_mean"],
            yerr=t["val_std"],
            fmt="o",
            color=color,
            markersize=4,
            label=f"{_plain(curve.model)} measured",
        )
    now = max(float(c.by_size["size"].iloc[-1]) for c in curves)
    ax.axvline(now, color="#999", linewidth=1, label=f"measured up to {now:,.0f}")
    if target is not None:
        ax.axhline(target, color="#c23b56", linewidth=1.2, label=f"target {target:g}")
    if planned:
        ax.axvline(
            planned, color="#444", linewidth=1, linestyle="--", label=f"planned {planned:,.0f}"
        )
    ax.set_xlabel("training samples (log scale)")
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, path)


def classes_png(view: RunView, path: Path) -> Path | None:
    """Per-class recall curves of the headline model."""
    curve = view.primary
    if curve is None or curve.class_recall is None or curve.class_recall.empty:
        return None
    fig, ax = _axes(f"Per-class recall ({_plain(curve.model)})", "recall")
    table = curve.class_recall
    for i, column in enumerate(table.columns):
        ax.plot(
            table.index,
            table[column],
            "-o",
            markersize=3,
            color=PALETTE[i % len(PALETTE)],
            label=_plain(column),
        )
    ax.set_xlabel("training samples (log scale)")
    ax.legend(fontsize=7, frameon=False, ncol=2)
    return _save(fig, path)


def strategies_png(view: RunView, path: Path) -> Path | None:
    """Labels needed per strategy and target (bars with intervals)."""
    rows = [r for r in view.labels_saved if math.isfinite(num(r.get("labels")))]
    if not rows:
        return None
    strategies = list(dict.fromkeys(str(r.get("strategy", "?")) for r in rows))
    targets = sorted({num(r.get("target")) for r in rows})
    fig, ax = _axes("Labels needed per strategy", "labels needed (log scale)", log_x=False)
    _log_axis(ax.yaxis, ax.set_yscale)
    width = 0.8 / max(len(targets), 1)
    for j, target in enumerate(targets):
        by_name = {str(r.get("strategy", "?")): r for r in rows if num(r.get("target")) == target}
        x = np.arange(len(strategies)) + j * width
        labels = np.array(
            [num(by_name[s].get("labels")) if s in by_name else np.nan for s in strategies]
        )
        lo = np.array(
            [num(by_name[s].get("labels_lo")) if s in by_name else np.nan for s in strategies]
        )
        hi = np.array(
            [num(by_name[s].get("labels_hi")) if s in by_name else np.nan for s in strategies]
        )
        err = np.nan_to_num(np.vstack([labels - lo, hi - labels]), nan=0.0, posinf=0.0).clip(min=0)
        ax.bar(
            x, labels, width, yerr=err, color=PALETTE[j % len(PALETTE)], label=f"target {target:g}"
        )
    ax.set_xticks(
        np.arange(len(strategies)) + width * (len(targets) - 1) / 2, [_plain(s) for s in strategies]
    )
    ax.legend(fontsize=8, frameon=False)
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
