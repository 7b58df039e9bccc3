"""The torch dataset of image files (imports torch: only loaded once torch is known present)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from howmuchdata.deep.images import decode_image, height_width
from howmuchdata.errors import HowMuchDataError

# decoded images are kept in memory when all the dataset's images fit in this many bytes:
# small images (8x8 digits, 256 bytes each) then decode once per fit instead of at every
# epoch, where decoding took as long as training; larger collections stay bounded by a batch
DECODED_BYTES_KEPT = 64 * 2**20


class ImagePathDataset(Dataset):
    """Rows are file paths; an item is decoded and resized when the data loader asks for it.

    ``size`` is a side (square images) or ``(height, width)``.

    Only the paths (and labels) are held, so the memory of a curve over a large folder is
    bounded by one batch of decoded images, not by the folder. When all the images decoded
    take at most ``keep_bytes`` (default :data:`DECODED_BYTES_KEPT`), each is kept once decoded, so
    later epochs read it from memory.
    """

    def __init__(
        self,
        paths: np.ndarray,
        y: np.ndarray | None,
        *,
        size: int | tuple[int, int],
        color: str,
        keep_bytes: int | None = None,
    ) -> None:
        self.paths = paths
        self.y = y
        self.size = size
        self.color = color
        height, width = height_width(size)
        channels = 1 if color == "L" else 3
        decoded = len(paths) * channels * height * width * 4  # float32
        limit = DECODED_BYTES_KEPT if keep_bytes is None else keep_bytes
        self._kept: dict[int, torch.Tensor] | None = {} if decoded <= limit else None

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, Any]:
        target = self.y[index] if self.y is not None else 0
        if self._kept is not None and index in self._kept:
            return self._kept[index], target
        path = self.paths[index]
        try:
            pixels = torch.from_numpy(decode_image(path, self.size, self.color))
        except OSError as exc:
            # files are checked when the collection is read; this one changed since
            raise HowMuchDataError(
                f"image {path!r} can no longer be read ({exc}); read the folder again to skip it"
            ) from None
        if self._kept is not None:
            self._kept[index] = pixels
        return pixels, target
