"""Which model a command fits when ``--model`` is not given, and what it says before fitting.

The default follows the data: ``cnn`` on an image folder (or a CSV of image paths), where a
table model would learn from the file names; ``tfidf-linear`` when ``--text`` names a text
column, which the table models do not read as text; ``cnn`` too on a table of pixel columns
with ``--image-shape``, which only it reads; ``logreg`` otherwise. The lines a curve
command says about its models and columns wait for the first fit (:class:`BeforeFirstFit`),
so that a bad input found before it stays the only line a failed command prints.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from howmuchdata.data import Dataset
from howmuchdata.deep.presets import DEEP_PRESETS
from howmuchdata.deep.text import TEXT_PRESETS
from howmuchdata.errors import HowMuchDataError
from howmuchdata.models import PRESETS

#: The preset fitted when no ``--model`` is given and neither images nor ``--text`` say otherwise.
TABLE_DEFAULT = "logreg"
#: The preset fitted on an image folder or a CSV of image paths without ``--model``.
IMAGE_DEFAULT = "cnn"
#: The preset fitted with ``--text`` and without ``--model``: plain scikit-learn, no download.
TEXT_DEFAULT = "tfidf-linear"


def is_image_source(data: Path) -> bool:
    """Whether ``data`` is an image folder or a CSV with a ``path`` column of image files."""
    from howmuchdata.deep.images import is_image_csv

    return data.is_dir() or is_image_csv(data)


def require_target(data: Path, target: str | None, command: str) -> None:
    """Refuse a missing ``--target`` unless ``data`` is an image collection (its class
    folders, or the ``label`` column of a CSV of image paths, give the labels), as the
    parser did when the option was required: before the path is looked at further.

    Raises
    ------
    HowMuchDataError
        One line naming the missing option, when a table is given without ``--target``.
    """
    if target is None and not is_image_source(data):
        raise HowMuchDataError(
            f"missing option '--target' / '-t': pass --target COLUMN with the column to "
            f"predict (only an image folder needs none) (howmuchdata {command} --help lists "
            "the options)"
        )


def default_model(
    dataset: Dataset, text: str | None = None, *, image_shape: tuple[int, ...] | None = None
) -> tuple[str, str | None]:
    """The preset to fit when no ``--model`` is given, and why, when it is not the usual one.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    text : str, optional
        The ``--text`` column.
    image_shape : tuple of int, optional
        The ``--image-shape`` of a table of pixel columns: only ``cnn`` reads it.

    Returns
    -------
    (str, str or None)
        The preset name and a short reason (``None`` for ``logreg`` on a table).
    """
    if dataset.notes.get("images"):
        return IMAGE_DEFAULT, "the default on image files"
    if text is not None:
        return TEXT_DEFAULT, f"the default with --text {text}"
    if image_shape is not None:
        return IMAGE_DEFAULT, "the default with --image-shape"
    return TABLE_DEFAULT, None


#: The models that read each network option of ``curve``; the others ignore it.
OPTION_READERS: dict[str, tuple[str, ...]] = {
    "--epochs": ("cnn", "pretrained", "minilm-mlp"),
    "--min-steps": ("cnn", "pretrained", "minilm-mlp"),
    "--device": ("cnn", "pretrained", "minilm-linear", "minilm-mlp"),
    "--weights": ("pretrained",),
}


def refuse_unread_options(
    models: Sequence[str], given: dict[str, Any], *, defaulted: bool = False
) -> None:
    """Refuse a network option that none of ``models`` reads: it would change nothing.

    Parameters
    ----------
    models : sequence of str
        The models of the run (presets or ``module:callable``, which read none of them).
    given : dict
        Option (``"--epochs"``, ...) -> its value, for the options set on the command line
        (``None`` or the default ``"auto"`` device when not).
    defaulted : bool
        ``models`` is the default model (no ``--model`` was given).

    Raises
    ------
    HowMuchDataError
        Naming the option, the models that read it and the fix.
    """
    for option, value in given.items():
        if value is None or (option == "--device" and value == "auto"):
            continue
        readers = OPTION_READERS[option]
        if not any(name in readers for name in models):
            named = " ".join(f"--model {name}" for name in models)
            if defaulted:
                named = f"{models[0]}, the default model here,"
            raise HowMuchDataError(
                f"{option} {value} is read only by {', '.join(readers)}, and {named} "
                f"{'does' if len(models) == 1 else 'do'} not read it; drop {option} or add "
                f"--model {readers[0]}"
            )


def model_lines(models: Sequence[str], *, text: str | None, reason: str | None) -> list[str]:
    """What to say about the models before the first fit.

    Parameters
    ----------
    models : sequence of str
        The models to fit (the default one alone when ``reason`` is given).
    text : str, optional
        The ``--text`` column.
    reason : str, optional
        Why the default model was chosen (:func:`default_model`), when it was.

    Returns
    -------
    list of str
        The default model and why; or, when ``--text`` is given and every model named is a
        table preset, a warning that none of them reads the text column as text.
    """
    if reason is not None:
        return [f"model: {models[0]}, {reason} (--model names another)"]
    if text is not None and models and all(name in PRESETS for name in models):
        named = " ".join(f"--model {name}" for name in models)
        return [
            f"warning: --text {text} is read by the text models only ({', '.join(TEXT_PRESETS)})"
            f" and {named} {'does' if len(models) == 1 else 'do'} not read it as text; add "
            f"--model {TEXT_DEFAULT} to learn from it"
        ]
    return []


def reads_table(models: Sequence[str]) -> bool:
    """Whether a model of ``models`` reads the feature columns as a table (the table
    presets and models of one's own, ``module:callable``), so that the identifier columns
    it leaves out are worth saying."""
    return any(name not in DEEP_PRESETS for name in models)


def say(lines: Sequence[str]) -> None:
    """Each line on stderr, after ``howmuchdata: ``."""
    for line in lines:
        print(f"howmuchdata: {line}", file=sys.stderr, flush=True)


class BeforeFirstFit:
    """A progress reporter that runs ``hook`` once, when the first curve starts to fit.

    :func:`howmuchdata.curve.learning_curve` starts its reporter after every check of its
    inputs (sizes, scorer, splits), just before the first point is fitted: what ``hook``
    prints then comes before the (long) fits, and not at all when an input is refused.
    Anything else is passed to the wrapped reporter.

    Parameters
    ----------
    inner : Reporter
        The reporter that shows the progress.
    hook : callable
        Called with no arguments; shared between the reporters of one command, it is run
        by the first that starts (see :func:`once`).
    """

    def __init__(self, inner: Any, hook: Callable[[], None]) -> None:
        self.inner = inner
        self.hook = hook

    def start(self, label: str, total: int, stored: int) -> None:
        """Run the hook, then start the wrapped reporter."""
        self.hook()
        self.inner.start(label, total, stored)

    def advance(self, point: dict[str, Any]) -> None:
        """Pass a finished point on."""
        self.inner.advance(point)

    def finish(self) -> None:
        """Finish the wrapped reporter."""
        self.inner.finish()

    def __getattr__(self, name: str) -> Any:
        if name in ("inner", "hook"):  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)  # e.g. ``note``, where the reporter has one


def once(action: Callable[[], None]) -> Callable[[], None]:
    """``action`` run at the first call only."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return run
