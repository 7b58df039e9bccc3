"""The learning-curve engine: sizes and splits (``plan``), backends (``runner``), the curve.

Public names: :func:`learning_curve`, :class:`LearningCurve`, plus :func:`curves_to_result`
and :func:`curves_from_result` to write and read the ``points`` / ``curves`` keys of result.json.
"""

from howmuchdata.curve.core import (
    POINT_COLUMNS,
    LearningCurve,
    curves_from_result,
    curves_to_result,
    learning_curve,
    points_frame,
)

__all__ = [
    "POINT_COLUMNS",
    "LearningCurve",
    "curves_from_result",
    "curves_to_result",
    "learning_curve",
    "points_frame",
]
