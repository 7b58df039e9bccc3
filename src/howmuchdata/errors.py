"""The one exception type for problems a user can cause and fix."""

from __future__ import annotations


class HowMuchDataError(ValueError):
    """A problem with the user's input or settings.

    The message is one line that names the problem and the fix, e.g.
    ``"column 'diagnosis' not found in patients.csv; pass --target with one of: age, sex, ..."``.
    The command line prints it without a traceback and exits with status 2. Anything
    else that is raised is a bug and keeps its traceback.
    """
