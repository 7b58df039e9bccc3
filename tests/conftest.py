"""Fixtures shared by more than one test folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture
def stripes(tmp_path: Path) -> Path:
    """An image folder: two classes of 8x8 greyscale PNGs, 12 each, vertical and horizontal
    stripes with a little noise."""
    from PIL import Image

    rng = np.random.default_rng(0)
    root = tmp_path / "stripes"
    for name in ("vertical", "horizontal"):
        (root / name).mkdir(parents=True)
        for i in range(12):
            pixels = np.zeros((8, 8), np.uint8)
            if name == "vertical":
                pixels[:, ::2] = 200
            else:
                pixels[::2, :] = 200
            pixels += rng.integers(0, 40, (8, 8)).astype(np.uint8)
            Image.fromarray(pixels, mode="L").save(root / name / f"{i:02d}.png")
    return root
