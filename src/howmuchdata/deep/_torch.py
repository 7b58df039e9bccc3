"""The optional PyTorch dependency: one place that imports it and says how to install it."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from howmuchdata.errors import HowMuchDataError

INSTALL_HINT = "pip install 'howmuchdata[torch]'"
DEVICES = ("auto", "cpu", "cuda")


def torch_available() -> bool:
    """Whether both torch and skorch can be imported (without importing them)."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("torch", "skorch"))
    except ImportError:
        return False


def require_torch(what: str = "deep learning models") -> ModuleType:
    """Import and return :mod:`torch`, or raise a one-line error saying how to install it.

    Parameters
    ----------
    what : str
        What needs torch, named in the error message.

    Raises
    ------
    HowMuchDataError
        When torch or skorch is not installed.
    """
    try:
        import skorch  # noqa: F401
        import torch
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "torch"
        raise HowMuchDataError(
            f"{what} need PyTorch and skorch, and {missing!r} is not installed; run: {INSTALL_HINT}"
        ) from None
    return torch


def resolve_device(device: str) -> str:
    """Turn ``"auto" | "cpu" | "cuda"`` into the device torch should use.

    ``"auto"`` is ``"cuda"`` when a GPU is visible, else ``"cpu"``. Asking for ``"cuda"`` on a
    machine without one is a user error (not a silent fall back to a much slower run).
    """
    torch = require_torch()
    if device not in DEVICES and not str(device).startswith("cuda:"):
        raise HowMuchDataError(f"unknown device {device!r}; use one of: {', '.join(DEVICES)}")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise HowMuchDataError(
            f"device {device!r} was asked for but torch sees no CUDA GPU "
            f"(torch {torch.__version__}); use device='cpu' or 'auto' (--device cpu or auto)"
        )
    return str(device)


def warm_up_torch() -> None:
    """Do the one-off imports of a first fit now, so that no fit's clock counts them.

    The first optimizer a process builds imports ``torch._dynamo`` (about 1.7 s, where a fit
    of a small network takes 0.04 s), and skorch imports its training loop parts on first
    use. Each import happens once per process; later calls return at once.
    """
    try:
        import skorch.callbacks  # noqa: F401
        import skorch.classifier  # noqa: F401
        import skorch.helper  # noqa: F401
        import skorch.regressor  # noqa: F401
        import torch._dynamo  # noqa: F401
    except ImportError:  # a torch build without dynamo: the fit imports what it needs itself
        pass
