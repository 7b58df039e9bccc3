"""The one exception type for problems a user can cause and fix, and how its messages show values."""

from __future__ import annotations

from typing import Any

import numpy as np


class HowMuchDataError(ValueError):
    """A problem with the user's input or settings.

    The message is one line that names the problem and the fix, e.g.
    ``"column 'diagnosis' not found in patients.csv; pass --target with one of: age, sex, ..."``.
    The command line prints it without a traceback and exits with status 2. Anything
    else that is raised is a bug and keeps its traceback.
    """


def shown(value: Any) -> str:
    """A value as an error message shows it: ``'sick'``, ``3`` or ``0.5``, never ``np.int64(3)``.

    Parameters
    ----------
    value : object
        A label, count or other value from the user's data (NumPy scalars included).

    Returns
    -------
    str
        ``repr`` of the plain Python value.
    """
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)
