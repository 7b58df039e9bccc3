"""Fixtures for the deep-learning tests: small generated image folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def _write_stripes(path: Path, vertical: bool, rng: np.random.Generator, size: int = 16) -> None:
    """A noisy RGB image of vertical or horizontal stripes (the two classes to tell apart)."""
    stripes = (np.arange(size) // 2 % 2).astype(float)
    pattern = np.tile(stripes, (size, 1)) if vertical else np.tile(stripes[:, None], (1, size))
    noisy = np.clip(pattern * 0.7 + rng.normal(0.15, 0.15, (size, size)), 0, 1)
    pixels = (np.repeat(noisy[:, :, None], 3, axis=2) * 255).astype(np.uint8)
    Image.fromarray(pixels, "RGB").save(path)


@pytest.fixture
def write_stripes() -> Callable[..., None]:
    """The image writer of :func:`stripes_folder`, for tests that add files."""
    return _write_stripes


@pytest.fixture
def stripes_folder(tmp_path: Path) -> Path:
    """``root/vertical`` and ``root/horizontal``, 40 PNGs each, plus one corrupt PNG and one
    text file among them."""
    rng = np.random.default_rng(0)
    root = tmp_path / "stripes"
    for label, vertical in (("vertical", True), ("horizontal", False)):
        (root / label).mkdir(parents=True)
        for i in range(40):
            _write_stripes(root / label / f"{i:03d}.png", vertical, rng)
    good = (root / "vertical" / "000.png").read_bytes()
    (root / "vertical" / "broken.png").write_bytes(good[: len(good) // 2])  # truncated
    (root / "horizontal" / "notes.txt").write_text("not an image\n")
    return root
