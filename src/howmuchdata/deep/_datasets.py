"""The torch dataset of image files (imports torch: only loaded once torch is known present)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from howmuchdata.deep.images import decode_image
from howmuchdata.errors import HowMuchDataError


class ImagePathDataset(Dataset):
    """Rows are file paths; an item is decoded and resized when the data loader asks for it.

    Only the paths (and labels) are held, so the memory of a curve over a large folder is
    bounded by one batch of decoded images, not by the folder.
    """

    def __init__(self, paths: np.ndarray, y: np.ndarray | None, *, size: int, color: str) -> None:
        self.paths = paths
        self.y = y
        self.size = size
        self.color = color

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, Any]:
        path = self.paths[index]
        try:
            pixels = decode_image(path, self.size, self.color)
        except OSError as exc:
            # files are checked when the collection is read; this one changed since
            raise HowMuchDataError(
                f"image {path!r} can no longer be read ({exc}); read the folder again to skip it"
            ) from None
        target = self.y[index] if self.y is not None else 0
        return torch.from_numpy(pixels), target
