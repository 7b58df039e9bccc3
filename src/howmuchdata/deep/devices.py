"""Where the points of a curve run when the model is a neural network."""

from __future__ import annotations

from typing import Any

from howmuchdata.deep._torch import torch_available


def uses_gpu(estimator: Any) -> bool:
    """Whether fitting ``estimator`` would put a network on a GPU.

    Looks at every ``device`` parameter of the estimator (pipelines included) and resolves
    ``"auto"`` as the networks will at fit time.
    """
    if not torch_available() or not hasattr(estimator, "get_params"):
        return False
    devices = [
        value
        for key, value in estimator.get_params(deep=True).items()
        if (key == "device" or key.endswith("__device")) and isinstance(value, str)
    ]
    if "auto" in devices:
        import torch

        if torch.cuda.is_available():
            return True
    return any(device.startswith("cuda") for device in devices)


def gpu_safe_jobs(estimator: Any, n_jobs: int | None) -> int | None:
    """``n_jobs`` for a curve, or 1 when the model trains on a GPU.

    Points on a GPU run one at a time in one process: several processes would each hold a
    CUDA context and fight for the same memory and compute.
    """
    return 1 if uses_gpu(estimator) else n_jobs


def check_devices(estimator: Any) -> None:
    """Raise now when a network of ``estimator`` asks for a device this machine lacks.

    Fitting would fail the same way at every point of a curve (``device="cuda"`` where
    torch sees no GPU); call it before the runs of a curve on this machine (not for a
    remote cluster, whose workers may have the GPU).

    Parameters
    ----------
    estimator : estimator or Pipeline
        Its ``device`` parameters (pipelines included) are checked.

    Raises
    ------
    HowMuchDataError
        For an unknown device, or ``"cuda"`` without a GPU, naming the fix.
    """
    if not torch_available() or not hasattr(estimator, "get_params"):
        return
    from howmuchdata.deep._torch import resolve_device

    for key, value in estimator.get_params(deep=True).items():
        if (key == "device" or key.endswith("__device")) and isinstance(value, str):
            resolve_device(value)
