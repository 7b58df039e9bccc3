"""Model size against data: parameters per training example, beside the curve's overfitting.

The curve records the fitted model's parameter count where the model exposes one (linear
coefficients, MLP and PyTorch weights, an ``n_params_`` attribute). Far more parameters than
examples is a warning only when the curve also shows the model overfitting; a regularised
model can carry many parameters without it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from howmuchdata.diagnose._numbers import count, score_delta
from howmuchdata.diagnose.context import DiagnosisContext
from howmuchdata.diagnose.finding import Finding
from howmuchdata.models import smaller_model_hint

# Below this factor the advice names the parameter count to get under, not an "about 1x" shrink.
MIN_SHRINK = 2.0


class ParamsPerExampleCheck:
    """Parameters per training row at the full size, flagged above ``params_ratio``."""

    name = "params_per_example"
    kinds = ("params_per_example",)
    requires = ("curve",)

    def run(self, ctx: DiagnosisContext) -> list[Finding]:
        pts = ctx.points
        if "n_params" not in pts:
            return []
        n = ctx.full_size
        params = pd.to_numeric(pts.loc[pts["size"] == n, "n_params"], errors="coerce").dropna()
        if params.empty:
            return []
        n_params = int(params.median())
        ratio = n_params / n
        if ratio < ctx.options.params_ratio:
            return []
        gap = float(ctx.by_size["gap_mean"].iloc[-1])
        overfits = np.isfinite(gap) and gap >= ctx.options.gap_threshold
        bounded = ctx.best_possible_score is not None
        evidence = {
            "n_params": n_params,
            "size": n,
            "params_per_example": ratio,
            "params_ratio_threshold": ctx.options.params_ratio,
            "train_val_gap": gap,
            "overfits": bool(overfits),
        }
        per_row = f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.3g}"  # 1.03, 12.5, 2,000
        head = (
            f"the model has {count(n_params)} parameters for {count(n)} training rows "
            f"({per_row} per row)"
        )
        if overfits:
            # the shrink that brings it back to params_ratio per row; "about 1x" says nothing
            factor = ratio / ctx.options.params_ratio
            shrink = (
                f"shrink it about {factor:,.0f}x"
                if factor >= MIN_SHRINK
                else f"cut it to under {count(ctx.options.params_ratio * n)} parameters"
            )
            hint = smaller_model_hint(getattr(ctx.curve, "model", None))
            advice = (
                f"{head} and overfits by {score_delta(gap, bounded)}: {shrink} ({hint}) or "
                "regularise it harder"
            )
            severity = "warning"
        else:
            advice = (
                f"{head} but its train-validation gap is only {score_delta(gap, bounded)}: "
                "its regularisation holds; keep watching the gap when the model grows"
            )
            severity = "info"
        return [Finding("params_per_example", severity, evidence, advice)]
