"""Image collections: folder-per-class and CSV layouts, unreadable files skipped and listed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from howmuchdata.deep.images import check_image, decode_image, read_image_csv, read_image_folder
from howmuchdata.errors import HowMuchDataError


def test_folder_skips_corrupt_and_non_image_files_and_lists_them(stripes_folder: Path) -> None:
    collection = read_image_folder(stripes_folder)

    assert len(collection.paths) == 80
    assert collection.classes == ["horizontal", "vertical"]
    skipped = {Path(s.path).name: s.reason for s in collection.skipped}
    assert set(skipped) == {"broken.png", "notes.txt"}
    assert skipped["notes.txt"].startswith("not an image")
    assert skipped["broken.png"].startswith("corrupt image")
    summary = collection.summary()
    assert summary["n_skipped"] == 2
    assert summary["class_counts"] == {"horizontal": 40, "vertical": 40}


def test_folder_labels_follow_the_class_folder(stripes_folder: Path) -> None:
    collection = read_image_folder(stripes_folder, n_jobs=2)
    for path, label in zip(collection.paths, collection.labels, strict=True):
        assert Path(path).parent.name == label


def test_loose_file_in_root_is_skipped_as_classless(stripes_folder: Path, write_stripes) -> None:
    write_stripes(stripes_folder / "stray.png", True, np.random.default_rng(1))
    collection = read_image_folder(stripes_folder)
    assert any(
        Path(s.path).name == "stray.png" and "class folder" in s.reason for s in collection.skipped
    )
    assert len(collection.paths) == 80


def test_csv_layout_resolves_relative_paths_and_reports_missing_files(
    stripes_folder: Path,
) -> None:
    rows = [{"path": f"stripes/vertical/{i:03d}.png", "label": "v"} for i in range(3)]
    rows += [
        {"path": "stripes/nowhere.png", "label": "v"},
        {"path": "stripes/vertical/broken.png", "label": "v"},
    ]
    csv = stripes_folder.parent / "images.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)

    collection = read_image_csv(csv)

    assert len(collection.paths) == 3
    assert all(Path(p).is_absolute() for p in collection.paths)
    reasons = {Path(s.path).name: s.reason for s in collection.skipped}
    assert reasons == {"nowhere.png": "file not found", "broken.png": reasons["broken.png"]}
    assert reasons["broken.png"].startswith("corrupt")


def test_csv_without_the_label_column_names_it(tmp_path: Path) -> None:
    csv = tmp_path / "images.csv"
    pd.DataFrame({"path": ["a.png"], "class": ["x"]}).to_csv(csv, index=False)
    with pytest.raises(HowMuchDataError, match="column 'label' not found.*label_column"):
        read_image_csv(csv)


def test_folder_without_class_folders_is_a_user_error(tmp_path: Path, write_stripes) -> None:
    write_stripes(tmp_path / "a.png", True, np.random.default_rng(0))
    with pytest.raises(HowMuchDataError, match="one folder per class"):
        read_image_folder(tmp_path)
    with pytest.raises(HowMuchDataError, match="does not exist"):
        read_image_folder(tmp_path / "missing")


def test_decode_resizes_converts_and_scales(tmp_path: Path) -> None:
    pixels = np.zeros((10, 20, 3), dtype=np.uint8)
    pixels[:, 10:] = 255  # right half white
    Image.fromarray(pixels, "RGB").save(tmp_path / "half.png")

    rgb = decode_image(tmp_path / "half.png", size=8, color="RGB")
    grey = decode_image(tmp_path / "half.png", size=8, color="L")

    assert rgb.shape == (3, 8, 8) and grey.shape == (1, 8, 8)
    assert rgb.dtype == np.float32
    assert rgb[:, :, 0].max() == 0.0 and rgb[:, :, -1].min() == 1.0
    assert check_image(tmp_path / "half.png") is None
