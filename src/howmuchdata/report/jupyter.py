"""``_repr_html_`` for Jupyter: results display as the report's answer and findings.

Attach it to a result object in one of two ways::

    class LearningCurve(ReportReprMixin):
        def _result_sections(self) -> dict:      # the keys it writes to result.json
            return {"points": ..., "curves": [...]}

    # or, without inheriting:
    def _repr_html_(self) -> str:
        return summary_html({"points": ..., "curves": [...]})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from howmuchdata.report.page import answer_context, environment
from howmuchdata.report.runview import RunView, read_run
from howmuchdata.report.summary import answer
from howmuchdata.result import to_jsonable

# Scoped, inline style: notebooks show the fragment inside their own page.
_STYLE = (
    "<style>.hmd-fragment{font-family:system-ui,sans-serif;line-height:1.45}"
    ".hmd-fragment h2{font-size:1.05rem;margin:8px 0 4px}"
    ".hmd-fragment .hmd-notes{background:#fff7e6;border-left:4px solid #e0a100;padding:4px 10px}"
    ".hmd-fragment .hmd-finding{border-left:4px solid #8a8f98;padding:2px 10px;margin:6px 0}"
    ".hmd-fragment .hmd-sev-critical{border-color:#c23b56}"
    ".hmd-fragment .hmd-sev-warning{border-color:#e0a100}"
    ".hmd-fragment .hmd-sev-info{border-color:#1f5fa6}"
    ".hmd-fragment .hmd-badge{text-transform:uppercase;font-size:.7rem}"
    ".hmd-fragment .hmd-evidence th{font-weight:normal;color:#5b5f66;text-align:left;padding-right:8px}</style>"
)


def summary_html(sections: Mapping[str, Any], *, target_call: str | None = None) -> str:
    """The answer and findings of ``result.json``-shaped ``sections`` as an HTML fragment.

    Unlike the HTML page, which names the command, the note on an example target names the
    Python call that sets a target of one's own (:func:`python_target_call`).

    Parameters
    ----------
    sections : mapping
        Any subset of the ``result.json`` keys (``points``, ``curves``, ``extrapolation``,
        ``findings``, ``labels_saved``, ``plan``); NumPy values are accepted.
    target_call : str, optional
        That call, in backticks; default: the one for the object ``sections`` come from.

    Returns
    -------
    str
        Escaped HTML without scripts, suitable for ``_repr_html_``.
    """
    view = read_run(to_jsonable(dict(sections)))
    context = answer_context(view)
    context["statements"] = answer(view, target_call=target_call or python_target_call(view))
    body = environment().get_template("answer.html.j2").render(**context)
    return f'<div class="hmd-fragment">{_STYLE}{body}</div>'


def python_target_call(view: RunView) -> str:
    """The Python call that answers a target of one's own for the run shown: on a
    ``Comparison``, its headline strategy's extrapolation; for a table of sizes and scores
    (no measured curve), :func:`howmuchdata.extrapolate`; else the curve's."""
    primary = view.primary
    if view.comparison and primary is not None:
        return f"`comparison.extrapolations[{primary.model!r}].size_for(target)`"
    if not view.curves and view.table_curves:
        return "`hmd.extrapolate(sizes, scores).size_for(target)`"
    return "`curve.extrapolate().size_for(target)`"


class ReportReprMixin:
    """Gives a result object ``_repr_html_`` from its ``_result_sections()``."""

    def _result_sections(self) -> Mapping[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return summary_html(self._result_sections())
