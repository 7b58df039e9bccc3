"""Result dicts in the result.json contract shape, built from curves with known answers.

Imported by the report tests (a unique module name: every test folder has its own conftest).
"""

from __future__ import annotations

import math

import numpy as np

# the true curve: score(n) = A - B * n**-C
A, B, C = 0.99, 2.0, 0.5
SIZES = [50, 100, 200, 400, 800, 1600]
REPEATS = 5
N_SAMPLES = 2000


def true_score(n):
    return A - B * np.asarray(n, dtype=float) ** -C


def make_points(model="logreg", *, classes=("a", "b"), failing=(), seed=0, offset=0.0):
    """Points as the engine writes them: one per (size, repeat); ``failing`` sizes fail."""
    rng = np.random.default_rng(seed)
    points = []
    for size in SIZES:
        for repeat in range(REPEATS):
            failed = size in failing and repeat < 2
            val = float(true_score(size) + offset + rng.normal(0, 0.004))
            points.append(
                {
                    "model": model,
                    "size": size,
                    "repeat": repeat,
                    "train_score": None if failed else min(1.0, val + 0.05),
                    "val_score": None if failed else val,
                    "fit_seconds": 0.01 * size / 50,
                    "predict_seconds": 0.001,
                    "status": "failed" if failed else "ok",
                    "error": "ValueError: solver diverged" if failed else None,
                    "n_train_groups": None,
                    "train_counts": {c: size // len(classes) for c in classes},
                    "val_counts": {c: 100 for c in classes},
                    "val_recall": None
                    if failed
                    else {
                        c: float(min(1.0, val + 0.02 * (i - 0.5))) for i, c in enumerate(classes)
                    },
                    "n_params": 65,
                }
            )
    return points


def make_extrapolation(offset=0.0, level=0.8):
    """An Extrapolation.to_dict()-shaped dict whose grid is the true curve +- a known band."""
    sizes = np.geomspace(SIZES[0], 100 * SIZES[-1], 120)
    mean = true_score(sizes) + offset
    width = 0.004 + 0.01 * np.log10(np.maximum(sizes / SIZES[-1], 1.0))
    return {
        "family": "pow3",
        "asymptote": A + offset,
        "asymptote_interval": [A + offset - 0.01, min(1.0, A + offset + 0.005)],
        "flags": [],
        "level": level,
        "grid": {
            "sizes": sizes.tolist(),
            "mean": mean.tolist(),
            "lo": (mean - width).tolist(),
            "hi": (mean + width).tolist(),
        },
    }


def curve_meta(model="logreg", classes=("a", "b")):
    return {
        "model": model,
        "scoring": "accuracy",
        "greater_is_better": True,
        "task": "classification",
        "n_samples": N_SAMPLES,
        "classes": list(classes),
        "settings": {"repeats": REPEATS, "sizes": SIZES},
    }


def build_full_result():
    """Two models, an extrapolation each, findings, a labels-saved table and a plan."""
    return {
        "schema_version": 1,
        "points": make_points("logreg") + make_points("hgb", seed=1, offset=-0.02),
        "curves": [curve_meta("logreg"), curve_meta("hgb")],
        "extrapolation": {"logreg": make_extrapolation(), "hgb": make_extrapolation(offset=-0.02)},
        "findings": [
            {
                "kind": "imbalance",
                "severity": "info",
                "evidence": {"minority_share": 0.31},
                "advice": "nothing to do",
            },
            {
                "kind": "label_noise",
                "severity": "critical",
                "evidence": {"share": 0.061, "rows": 120},
                "advice": "review the 120 rows in label_issues.csv first",
            },
            {
                "kind": "data_limited",
                "severity": "warning",
                "evidence": {"gain_per_doubling": 0.012},
                "advice": "label ~800 more examples",
            },
        ],
        "labels_saved": [
            {
                "strategy": "baseline",
                "target": 0.95,
                "labels": 2500,
                "labels_lo": 1900,
                "labels_hi": 4100,
                "baseline_labels": 2500,
                "ratio": 1.0,
            },
            {
                "strategy": "transfer",
                "target": 0.95,
                "labels": 310,
                "labels_lo": 240,
                "labels_hi": 420,
                "baseline_labels": 2500,
                "ratio": 8.06,
            },
        ],
        "plan": {
            "target": 0.97,
            "recommendation": "Buy 2,000 more labels in the next round.",
            "table": [
                {
                    "size": n,
                    "score": float(true_score(n)),
                    "p_target": p,
                    "cost": 4.5 * n,
                    "value": 2000 * 100 * float(true_score(n) - true_score(1600)),
                    "net": 0.0,
                }
                for n, p in ((1600, 0.0), (3200, 0.2), (6400, 0.6), (12800, 0.9))
            ],
        },
    }


def stored(tmp_path, result: dict, name: str = "run"):
    """``result`` written as a run folder ``tmp_path / name`` (its schema version is the
    store's own)."""
    from howmuchdata.result import update_result

    out = tmp_path / name
    update_result(out, "test", **{k: v for k, v in result.items() if k != "schema_version"})
    return out


def one_model(**changes) -> dict:
    """A result of one logreg curve with its extrapolation, with ``changes`` on top."""
    result = {
        "points": make_points("logreg"),
        "curves": [curve_meta("logreg")],
        "extrapolation": {"logreg": make_extrapolation()},
    }
    result.update(changes)
    return result


def expected_size_for(target: float) -> float:
    return (B / (A - target)) ** (1 / C)


def exact_sizes_for_band(target: float) -> tuple[float, float]:
    """Sizes where the band edges reach ``target`` (numerically, on a fine grid)."""
    ext = make_extrapolation()
    sizes = np.asarray(ext["grid"]["sizes"])
    fine = np.geomspace(sizes[0], sizes[-1], 200_000)
    width = 0.004 + 0.01 * np.log10(np.maximum(fine / SIZES[-1], 1.0))
    mean = true_score(fine)
    hi_reach = fine[np.argmax(mean + width >= target)]
    lo_reach = (
        fine[np.argmax(mean - width >= target)] if (mean - width >= target).any() else math.inf
    )
    return float(hi_reach), float(lo_reach)


PAYLOAD = "<script>alert(1)</script>"
BREAKOUT = "</script><img src=x onerror=window.__pwned=1>"


def hostile_result():
    """Every place a name from the data can reach the page carries a script payload."""
    model, cls = PAYLOAD, BREAKOUT
    classes = (cls, "b&c")
    return {
        "schema_version": 1,
        "data": {"source": PAYLOAD + ".csv", "target": BREAKOUT},
        "points": make_points(model, classes=classes),
        "curves": [curve_meta(model, classes=classes)],
        "extrapolation": {model: make_extrapolation()},
        "findings": [
            {
                "kind": "subgroup_underperforms",
                "severity": "warning",
                "evidence": {
                    BREAKOUT: 1,
                    "subgroups": {PAYLOAD: {"n": 10, "share": 0.1, "accuracy": 0.5}},
                },
                "advice": f"collect more from {PAYLOAD}",
            }
        ],
        "labels_saved": [
            {
                "strategy": PAYLOAD,
                "target": 0.95,
                "labels": 300,
                "labels_lo": 200,
                "labels_hi": 400,
                "baseline_labels": 900,
                "ratio": 3.0,
            }
        ],
    }
