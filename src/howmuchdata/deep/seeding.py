"""Seeding the global torch random state for networks that do not seed themselves.

:class:`~howmuchdata.deep.TorchClassifier` and :class:`~howmuchdata.deep.TorchRegressor` seed
every fit from their ``random_state``. A plain skorch ``NeuralNetClassifier`` /
``NeuralNetRegressor`` has no ``random_state``: its weight initialisation, batch order and
dropout draw from torch's global random state, so the same curve seed gave other scores on
every run (and with other ``n_jobs``). :func:`torch_seeded` puts such a fit on the point's seed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def has_unseeded_torch(estimator: Any) -> bool:
    """Whether ``estimator`` is, or holds, a skorch net (which draws from torch's global RNG).

    Parameters
    ----------
    estimator : object
        A model, possibly a pipeline or another meta-estimator.

    Returns
    -------
    bool
    """
    if "skorch" not in sys.modules:  # a skorch net cannot exist before skorch is imported
        return False
    from skorch import NeuralNet

    if isinstance(estimator, NeuralNet):
        return True
    if not hasattr(estimator, "get_params"):
        return False
    try:
        params = estimator.get_params(deep=True)
    except Exception:  # an estimator whose get_params fails is not ours to judge
        return False
    return any(isinstance(value, NeuralNet) for value in params.values())


@contextmanager
def torch_seeded(estimator: Any, seed: int) -> Iterator[None]:
    """Inside the block, torch's global random state starts from ``seed`` when the estimator
    holds a skorch net; the state before is restored after it.

    Wrap the fit of one curve point with it (``seed`` being the point's seed), so that the
    same curve seed gives the same scores whatever the order or process a point runs in.
    Estimators without a skorch net (scikit-learn models, TorchClassifier, which seeds
    itself) are left alone, and torch is not imported for them.

    Parameters
    ----------
    estimator : object
        The model about to be fitted.
    seed : int
        The point's seed.
    """
    if not has_unseeded_torch(estimator):
        yield
        return
    import torch

    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield
