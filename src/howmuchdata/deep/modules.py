"""The networks behind the presets (imports torch: load it only after ``require_torch``).

Every factory takes its input shape and ``n_outputs`` as keywords, which is how
:class:`~howmuchdata.deep.TorchClassifier` calls any module factory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn

from howmuchdata.errors import HowMuchDataError

# torch.export.load logs the whole traceback of a file it cannot read before raising
_EXPORT_LOGGERS = ("torch.export", "torch._export")
# two batch sizes: a program exported without a dynamic batch dimension accepts only the
# batch size of its example, and the curve's batches come in other sizes
_PROBE_BATCHES = (2, 3)
# how to write a backbone file these models accept: with a dynamic batch dimension (the
# curve's batches come in many sizes), from an example batch of 2 (torch specialises a batch
# of 1); MODEL is the network, in eval mode, PATH the file
EXPORT_RECIPE = (
    "torch.export.save(torch.export.export(MODEL.eval(), (torch.zeros(2, 3, 224, 224),), "
    "dynamic_shapes=({0: torch.export.Dim('batch')},)), PATH)"
)


class SmallCNN(nn.Module):
    """A small convolutional network trained from scratch.

    Two blocks of (3x3 convolution, batch norm, ReLU, 2x2 max pool) with ``width`` and
    ``2 * width`` channels, then an adaptive average pool to 2x2, dropout and a linear layer.
    The adaptive pool makes it work for any image size from 4x4 up (8x8 digits to photos).

    Parameters
    ----------
    input_shape : (channels, height, width)
    n_outputs : int
        Classes (or 1 for regression).
    width : int
        Channels of the first convolution.
    dropout : float
        Dropout before the last layer.
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        n_outputs: int,
        width: int = 16,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        channels, height, width_px = (int(v) for v in input_shape)
        pool = nn.MaxPool2d(2) if min(height, width_px) >= 8 else nn.Identity()
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, kernel_size=3, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            pool,
            nn.Conv2d(width, 2 * width, kernel_size=3, padding=1),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * width * 4, n_outputs))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class MLP(nn.Module):
    """A multi-layer perceptron: (linear, ReLU, dropout) per hidden layer, then linear.

    Parameters
    ----------
    n_features : int
    n_outputs : int
    hidden : sequence of int
        Units per hidden layer; empty makes a linear model.
    dropout : float
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden: Sequence[int] = (128,),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = int(n_features)
        for units in hidden:
            layers += [nn.Linear(width, int(units)), nn.ReLU(), nn.Dropout(dropout)]
            width = int(units)
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class PretrainedBackbone(nn.Module):
    """A frozen pretrained feature extractor read from disk, with a new linear head.

    The backbone is a ``torch.export`` program saved with :func:`torch.export.save` (a
    ``.pt2`` file holds the architecture and the weights, so torchvision is not needed to
    load it). It must map a batch ``(N, C, H, W)`` to features ``(N, ...)``; export it with a
    dynamic batch dimension. Its weights are frozen: only the head learns from the data, and
    only the head counts as parameters learnt from the examples.

    Parameters
    ----------
    input_shape : (channels, height, width)
    n_outputs : int
    weights : path
        The ``.pt2`` file. Nothing is ever downloaded.
    """

    def __init__(
        self, input_shape: Sequence[int], n_outputs: int, weights: str | os.PathLike[str]
    ) -> None:
        super().__init__()
        self.backbone = load_backbone(weights)
        for parameter in self.backbone.parameters():
            parameter.requires_grad_(False)
        self.head = nn.Linear(probe_backbone(self.backbone, input_shape, weights), n_outputs)

    def train(self, mode: bool = True) -> PretrainedBackbone:
        # the frozen backbone stays in inference mode (exported programs cannot switch)
        self.training = mode
        self.head.train(mode)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            features = self.backbone(x).flatten(1)
        return self.head(features)


def probe_backbone(
    backbone: nn.Module, input_shape: Sequence[int], weights: str | os.PathLike[str]
) -> int:
    """Run ``backbone`` on zero batches of ``input_shape`` images; return its feature count.

    Raises
    ------
    HowMuchDataError
        When it rejects the shape or a batch size (a program exported without a dynamic
        batch dimension), naming the file ``weights``.
    """
    shape = tuple(int(v) for v in input_shape)
    try:
        with torch.no_grad():
            for batch in _PROBE_BATCHES:
                features = backbone(torch.zeros((batch, *shape)))
    except Exception as exc:  # shape guards of exported programs raise various types
        raise HowMuchDataError(
            f"the backbone in {str(weights)!r} does not accept a batch of {batch} {shape} "
            f"images ({type(exc).__name__}); export it with a dynamic batch dimension and "
            f"match the image size and colour: {EXPORT_RECIPE}"
        ) from None
    return int(features.flatten(1).shape[1])


def load_backbone(weights: str | os.PathLike[str]) -> nn.Module:
    """Load a ``torch.export`` program (``.pt2``) from disk as a module.

    Raises
    ------
    HowMuchDataError
        Naming the missing or unreadable file; weights are never downloaded.
    """
    path = Path(weights)
    if not path.is_file():
        raise HowMuchDataError(
            f"pretrained weights file {str(path)!r} not found; export a backbone with a "
            "dynamic batch dimension, on example images of the size it will get: "
            f"{EXPORT_RECIPE}, and pass PATH"
        )
    try:
        with _quiet_loggers(_EXPORT_LOGGERS):
            program = torch.export.load(str(path))
    except Exception as exc:  # torch raises many types for a file that is not a program
        raise HowMuchDataError(
            f"cannot load {str(path)!r} as a torch.export program ({type(exc).__name__}); "
            "save it with torch.export.save"
        ) from None
    return program.module()


@contextmanager
def _quiet_loggers(names: Sequence[str]) -> Iterator[None]:
    """Drop the warnings of the named loggers inside the block (levels restored after)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
