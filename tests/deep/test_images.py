"""Image collections: folder-per-class and CSV layouts, unreadable files skipped and listed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from howmuchdata.deep.images import (
    check_image,
    decode_image,
    load_image_source,
    read_image_csv,
    read_image_folder,
    skipped_message,
)
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
    # the same message serves the CLI (--target) and Python (label_column=)
    with pytest.raises(
        HowMuchDataError, match=r"column 'label' not found.*--target \(label_column\)"
    ):
        read_image_csv(csv)


def test_folder_without_class_folders_is_a_user_error(tmp_path: Path, write_stripes) -> None:
    write_stripes(tmp_path / "a.png", True, np.random.default_rng(0))
    with pytest.raises(HowMuchDataError, match="one folder per class"):
        read_image_folder(tmp_path)
    with pytest.raises(HowMuchDataError, match="does not exist"):
        read_image_folder(tmp_path / "missing")


def test_a_folder_with_one_class_of_images_names_the_empty_class_folder(
    tmp_path: Path, write_stripes
) -> None:
    rng = np.random.default_rng(0)
    for i in range(3):
        (tmp_path / "cat").mkdir(exist_ok=True)
        write_stripes(tmp_path / "cat" / f"{i}.png", True, rng)
    (tmp_path / "dog").mkdir()
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    with pytest.raises(HowMuchDataError) as info:
        read_image_folder(tmp_path)
    message = str(info.value)
    assert "one class only ('cat')" in message and "'dog' hold no readable image" in message
    assert "root/<class>/<image>" in message and "\n" not in message


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


def test_files_at_the_root_that_are_not_images_are_ignored_not_unreadable(
    stripes_folder: Path, write_stripes
) -> None:
    (stripes_folder / "README.txt").write_text("how the images were made\n")
    (stripes_folder / "labels.csv").write_text("path,label\n")
    write_stripes(stripes_folder / "stray.png", True, np.random.default_rng(1))

    collection = read_image_folder(stripes_folder)

    names = {Path(s.path).name for s in collection.skipped}
    assert names == {"broken.png", "notes.txt", "stray.png"}  # no README.txt, no labels.csv


def test_skipped_line_counts_unreadable_files_apart_from_entries_left_out(
    stripes_folder: Path, write_stripes
) -> None:
    write_stripes(stripes_folder / "stray.png", True, np.random.default_rng(1))

    line = skipped_message(load_image_source(stripes_folder))

    assert line.startswith("skipped 2 unreadable file(s) (")
    assert "stray.png" not in line.split("; left out")[0]
    assert "left out 1 entry (stray.png: not inside a class folder)" in line
    clean = stripes_folder.parent / "clean"
    (clean / "a").mkdir(parents=True)
    write_stripes(clean / "a" / "0.png", True, np.random.default_rng(2))
    assert skipped_message(load_image_source(clean)) is None


def test_an_empty_class_folder_is_named_not_dropped_without_a_word(
    stripes_folder: Path,
) -> None:
    (stripes_folder / "diagonal").mkdir()

    collection = read_image_folder(stripes_folder)

    assert collection.classes == ["horizontal", "vertical"]
    assert [Path(s.path).name for s in collection.skipped if "no class" in s.reason] == ["diagonal"]
    line = skipped_message(load_image_source(stripes_folder))
    assert "left out 1 entry (diagonal: class folder without any file, so no class)" in line


def test_csv_rows_without_a_path_name_their_line_not_nan(stripes_folder: Path) -> None:
    csv = stripes_folder.parent / "images.csv"
    pd.DataFrame(
        {
            "path": ["stripes/vertical/000.png", None, "stripes/vertical/001.png"],
            "label": ["v", "v", None],
        }
    ).to_csv(csv, index=False)

    collection = read_image_csv(csv)

    assert [(s.path, s.reason) for s in collection.skipped] == [
        ("line 3 of images.csv", "missing path in the CSV"),
        ("stripes/vertical/001.png", "missing label in the CSV"),
    ]
    assert len(collection.paths) == 1


@pytest.mark.parametrize(
    ("dtype", "top", "suffix"),
    [(np.uint16, 65535, "png"), (np.uint16, 65535, "tif"), (np.int32, 2**31 - 1, "tif")],
)
def test_deep_greyscale_images_are_scaled_by_their_bit_depth(
    tmp_path: Path, dtype: type, top: int, suffix: str
) -> None:
    ramp = np.linspace(0, top, 32 * 32).reshape(32, 32).astype(dtype)  # black to white
    path = tmp_path / f"ramp.{suffix}"
    Image.fromarray(ramp).save(path)
    assert Image.open(path).mode in ("I;16", "I")

    for color, channels in (("L", 1), ("RGB", 3)):
        pixels = decode_image(path, size=32, color=color)
        assert pixels.shape == (channels, 32, 32) and pixels.dtype == np.float32
        np.testing.assert_allclose(pixels[0], ramp / top, atol=1e-6)  # no clipping at 255
        assert (pixels == pixels[:1]).all()  # grey: every channel the same


def test_deep_greyscale_scaling_follows_the_depth_not_the_values(tmp_path: Path) -> None:
    dark = np.full((8, 8), 4096, dtype=np.uint16)  # a dark 16-bit image, not a white one
    Image.fromarray(dark).save(tmp_path / "dark.png")
    floats = np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)
    Image.fromarray(floats).save(tmp_path / "floats.tif")

    assert decode_image(tmp_path / "dark.png", size=8, color="L") == pytest.approx(4096 / 65535)
    np.testing.assert_allclose(decode_image(tmp_path / "floats.tif", 8, "L")[0], floats, atol=1e-6)


def _write(path: Path, size: tuple[int, int], mode: str) -> None:
    """A random image of (height, width) ``size`` in Pillow ``mode``."""
    rng = np.random.default_rng(len(path.name))
    channels = {"L": (), "RGB": (3,), "LA": (2,)}[mode]
    pixels = rng.integers(0, 256, (*size, *channels), dtype=np.uint8)
    Image.fromarray(pixels, mode).save(path)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([((8, 8), "L"), ((8, 8), "L")], ((8, 8), "L")),  # digits keep 8x8 and one channel
        ([((6, 10), "L"), ((6, 10), "LA")], ((6, 10), "L")),  # not square; grey with alpha
        ([((8, 8), "L"), ((8, 8), "RGB")], ((8, 8), "RGB")),  # one colour image: RGB
        ([((8, 8), "L"), ((9, 8), "L")], ((32, 32), "L")),  # sizes differ: 32x32 as before
        ([((64, 64), "RGB"), ((64, 64), "RGB")], ((32, 32), "RGB")),  # never trained larger
    ],
)
def test_the_input_follows_the_images_size_and_colour(
    tmp_path: Path, files: list[tuple[tuple[int, int], str]], expected: tuple[object, str]
) -> None:
    from howmuchdata.deep.images import follow_images

    paths = []
    for i, (size, mode) in enumerate(files):
        paths.append(tmp_path / f"{i}.png")
        _write(paths[-1], size, mode)
    assert follow_images(paths) == expected


def test_decode_keeps_a_height_and_width_and_leaves_same_size_pixels_alone(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "wide.png", (6, 10), "L")
    original = np.asarray(Image.open(tmp_path / "wide.png"), dtype=np.float32) / 255
    pixels = decode_image(tmp_path / "wide.png", size=(6, 10), color="L")
    np.testing.assert_array_equal(pixels[0], original)
    assert decode_image(tmp_path / "wide.png", size=(4, 5), color="RGB").shape == (3, 4, 5)


def test_small_images_are_decoded_once_per_fit_not_at_every_epoch(
    stripes_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from howmuchdata.deep import _datasets
    from howmuchdata.deep.presets import make_cnn

    decoded: list[str] = []
    real = _datasets.decode_image

    def counting(path: str, size: object, color: str) -> np.ndarray:
        decoded.append(path)
        return real(path, size, color)

    monkeypatch.setattr(_datasets, "decode_image", counting)
    collection = read_image_folder(stripes_folder)
    X, y = collection.frame(), np.asarray(collection.labels)
    model = make_cnn(max_epochs=4, min_steps=0, n_threads=1, device="cpu", random_state=0)

    kept = model.fit(X, y).predict_proba(X)
    assert len(set(decoded)) == 80 and len(decoded) <= 80 + 80 + 2  # fit, predict, probe
    monkeypatch.setattr(_datasets, "DECODED_BYTES_KEPT", 0)  # a folder too large to keep
    decoded.clear()
    again = model.fit(X, y).predict_proba(X)
    assert len(decoded) >= 4 * 80  # decoded at every epoch
    np.testing.assert_allclose(kept, again, atol=1e-6)  # the same fit either way
