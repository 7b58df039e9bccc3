"""Image collections on disk: a folder per class, or a CSV of ``path,label``.

Reading a collection only lists files and checks that each one decodes (one image in memory at
a time); the pixels are decoded again, resized, when a training batch asks for them, so memory is
bounded by the batch and not by the collection. A file that is not an image, or is corrupt or
truncated, is skipped, counted and listed in :attr:`ImageCollection.skipped`, never a crash.

Decoding uses Pillow and NumPy (no torchvision needed).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from PIL import Image, UnidentifiedImageError

from howmuchdata.errors import HowMuchDataError

COLOR_CHANNELS = {"RGB": 3, "L": 1}
# Pillow modes of one grey channel (with or without alpha): such images train as "L"
_GREY_MODES = ("1", "L", "LA", "La", "I", "F", "I;16", "I;16B", "I;16L", "I;16N")
# Pillow's own errors for files it cannot read; anything else is a bug and keeps its traceback
_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    Image.DecompressionBombError,
)
# greyscale modes of more than 8 bits: Pillow's convert() to "L" / "RGB" clips them at 255
_HIGH_DEPTH_MODES = ("I", "F")
_BITS_PER_SAMPLE = 258  # the TIFF tag that states the bit depth
# reasons for leaving an entry out that are not about the file being unreadable
NOT_IN_CLASS_FOLDER = "not inside a class folder"
MISSING_PATH = "missing path in the CSV"
MISSING_LABEL = "missing label in the CSV"
EMPTY_CLASS_FOLDER = "class folder without any file, so no class"
_LEFT_OUT_REASONS = (NOT_IN_CLASS_FOLDER, MISSING_PATH, MISSING_LABEL, EMPTY_CLASS_FOLDER)


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of a collection and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass
class ImageCollection:
    """Labelled image files that decoded, and the files that did not.

    Attributes
    ----------
    paths : list of str
        Absolute paths of the readable images, one per example.
    labels : list of str
        Class label per image.
    skipped : list of SkippedFile
        Files left out (not an image, corrupt, truncated, missing) with the reason.
    source : str
        The folder or CSV file the collection was read from.
    """

    paths: list[str]
    labels: list[str]
    skipped: list[SkippedFile] = field(default_factory=list)
    source: str = ""

    @property
    def classes(self) -> list[str]:
        """Sorted class labels."""
        return sorted(set(self.labels))

    def frame(self, path_column: str = "path") -> pd.DataFrame:
        """The examples as a one-column DataFrame of paths (the ``X`` of a curve).

        Its ``attrs["image_files"]`` is :func:`files_stamp` of the paths: the curve's data
        fingerprint pickles the frame, attrs included, so that images replaced under the
        same names are measured again instead of reusing the points of the old files.
        """
        frame = pd.DataFrame({path_column: self.paths})
        frame.attrs["image_files"] = files_stamp(self.paths)
        return frame

    def summary(self) -> dict[str, Any]:
        """Counts and the skipped files, JSON-serialisable (for result.json)."""
        labels, counts = np.unique(np.asarray(self.labels, dtype=str), return_counts=True)
        return {
            "source": self.source,
            "n_images": len(self.paths),
            "class_counts": {str(k): int(v) for k, v in zip(labels, counts, strict=True)},
            "n_skipped": len(self.skipped),
            "skipped": [s.to_dict() for s in self.skipped],
        }


def read_image_folder(
    root: str | os.PathLike[str], *, n_jobs: int | None = None
) -> ImageCollection:
    """Read a folder with one sub-folder per class (``root/cat/1.png``, ``root/dog/7.jpg``).

    Every file inside a class folder (at any depth, hidden files aside) is tried with Pillow.
    Images directly under ``root`` belong to no class and are skipped (and listed); other
    files there (a README, the CSV of labels) are not images and are ignored. A class folder
    without any file is listed among the skipped entries too: it is no class of the data.

    Parameters
    ----------
    root : path
        The collection's folder.
    n_jobs : int, optional
        Threads for checking the files (joblib); ``None`` is one.

    Returns
    -------
    ImageCollection

    Raises
    ------
    HowMuchDataError
        When the folder does not exist, has no class folders, no readable image, or readable
        images of one class only while other class folders are empty or unreadable.
    """
    root = Path(root)
    if not root.is_dir():
        raise HowMuchDataError(f"image folder {str(root)!r} does not exist; pass a folder path")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise HowMuchDataError(
            f"{str(root)!r} has no sub-folders; put the images in one folder per class "
            "(root/<class>/<image>) or pass a CSV of path,label"
        )
    candidates: list[tuple[Path, str]] = []
    image_extensions = Image.registered_extensions()
    skipped = [
        SkippedFile(str(p), NOT_IN_CLASS_FOLDER)
        for p in sorted(root.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in image_extensions
    ]
    for class_dir in class_dirs:
        files = sorted(_files_under(class_dir))
        candidates.extend((path, class_dir.name) for path in files)
        if not files:  # said, or a class the user expects would vanish without a word
            skipped.append(SkippedFile(str(class_dir), EMPTY_CLASS_FOLDER))
    collection = _check_all(candidates, skipped, source=str(root), n_jobs=n_jobs)
    found = set(collection.labels)
    empty = [d.name for d in class_dirs if d.name not in found]
    if len(found) < 2 and empty:
        # a class whose folder holds nothing readable would otherwise vanish, and the error
        # would be the target's "one class", not the folder the images are missing from
        raise HowMuchDataError(
            f"{str(root)!r} has images of one class only ({', '.join(map(repr, sorted(found)))}); "
            f"folder(s) {', '.join(map(repr, empty[:5]))} hold no readable image: put the "
            "images of every class in its own folder (root/<class>/<image>)"
        )
    return collection


def read_image_csv(
    csv_path: str | os.PathLike[str],
    *,
    path_column: str = "path",
    label_column: str = "label",
    n_jobs: int | None = None,
) -> ImageCollection:
    """Read a CSV with one row per image: a path (absolute or relative to the CSV) and a label.

    Parameters
    ----------
    csv_path : path
        The CSV file.
    path_column, label_column : str
        Column names of the path and the label (``--target`` names the label column on the
        command line).
    n_jobs : int, optional
        Threads for checking the files (joblib); ``None`` is one.

    Returns
    -------
    ImageCollection
    """
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise HowMuchDataError(f"CSV file {str(csv_path)!r} does not exist; pass a CSV path")
    table = pd.read_csv(csv_path)
    for column, flag in ((path_column, "path_column"), (label_column, "--target (label_column)")):
        if column not in table.columns:
            raise HowMuchDataError(
                f"column {column!r} not found in {csv_path.name}; pass {flag} with one of: "
                + ", ".join(map(str, table.columns))
            )
    candidates, skipped = [], []
    for row, (raw_path, label) in enumerate(
        zip(table[path_column], table[label_column], strict=True)
    ):
        if pd.isna(raw_path) or pd.isna(label):
            # no path to show for a blank cell: name the CSV line (line 1 is the header)
            where = f"line {row + 2} of {csv_path.name}" if pd.isna(raw_path) else str(raw_path)
            skipped.append(SkippedFile(where, MISSING_PATH if pd.isna(raw_path) else MISSING_LABEL))
            continue
        path = Path(str(raw_path))
        path = path if path.is_absolute() else csv_path.parent / path
        candidates.append((path, str(label)))
    return _check_all(candidates, skipped, source=str(csv_path), n_jobs=n_jobs)


def files_stamp(paths: Iterable[str | os.PathLike[str]]) -> str:
    """A digest of the size and modification time of each file, in order.

    Parameters
    ----------
    paths : iterable of path

    Returns
    -------
    str
        Changes when any file is rewritten, replaced or removed (a file that cannot be
        stat'ed counts as missing).
    """
    digest = hashlib.sha256()
    for path in paths:
        try:
            stat = os.stat(path)
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(b"missing\n")
    return digest.hexdigest()


def check_image(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be used as an image, or ``None`` when it decodes completely."""
    try:
        with Image.open(path) as image:
            image.load()  # a full decode: catches truncated and corrupt data, not just headers
    except FileNotFoundError:
        return "file not found"
    except UnidentifiedImageError:
        return "not an image Pillow can read"
    except _DECODE_ERRORS as exc:
        return f"corrupt image ({type(exc).__name__}: {str(exc).strip()[:120]})"
    return None


def height_width(size: int | tuple[int, int]) -> tuple[int, int]:
    """``(height, width)`` of an image size given as a side (square) or as the pair."""
    height, width = (size, size) if isinstance(size, int | np.integer) else size
    return int(height), int(width)


def decode_image(
    path: str | os.PathLike[str], size: int | tuple[int, int], color: str = "RGB"
) -> np.ndarray:
    """Decode one image to a ``(channels, height, width)`` float32 array in [0, 1].

    The image is converted to ``color`` ("RGB" or "L") and resized to ``size`` (an int for
    ``size x size``, or ``(height, width)``; bilinear, aspect ratio not kept: every image
    fills the network's input). Greyscale images of more than 8 bits (16-bit PNG or TIFF,
    32-bit integer TIFF: Pillow modes ``I;16``, ``I``) are scaled by their bit depth;
    floating-point images (mode ``F``) are taken as intensities in [0, 1], values outside it
    clipped.
    """
    height, width = height_width(size)
    box = (width, height)  # Pillow sizes are (width, height)
    with Image.open(path) as image:
        if image.mode.startswith("I;16") or image.mode in _HIGH_DEPTH_MODES:
            grey = _high_depth_grey(image)
            grey = np.asarray(
                Image.fromarray(grey, "F").resize(box, Image.Resampling.BILINEAR),
                dtype=np.float32,
            )
            grey = np.clip(grey, 0.0, 1.0)[None, :, :]
            return np.ascontiguousarray(np.repeat(grey, COLOR_CHANNELS.get(color, 3), axis=0))
        # JPEG can decode at a reduced scale directly: much less work for large photos
        image.draft(color, box)
        image = image.convert(color)
        if image.size != box:
            image = image.resize(box, Image.Resampling.BILINEAR)
        pixels = np.asarray(image, dtype=np.float32) / 255.0
    pixels = pixels[None, :, :] if pixels.ndim == 2 else np.transpose(pixels, (2, 0, 1))
    return np.ascontiguousarray(pixels)


def follow_images(
    paths: Iterable[str | os.PathLike[str]],
    *,
    largest: int = 32,
    n_jobs: int | None = None,
) -> tuple[tuple[int, int], str]:
    """The input size and colour mode that follow a set of image files.

    Only the files' headers are read. Images that all share one size no larger than
    ``largest`` on either side keep it (8x8 digits are not upsampled to 32x32); other
    images are resized to ``largest x largest``, as before, so that a folder of photos does
    not make a network from scratch train at full resolution. Greyscale files (all of them)
    give ``"L"``, anything else ``"RGB"``.

    Parameters
    ----------
    paths : iterable of path
    largest : int
        The side images larger than this (or of mixed sizes) are resized to.
    n_jobs : int, optional
        Threads reading the headers (joblib); ``None`` is one.

    Returns
    -------
    ((height, width), color)
    """
    formats = Parallel(n_jobs=n_jobs, prefer="threads", batch_size=256)(
        delayed(_header)(path) for path in paths
    )
    sizes = {size for size, _ in formats}
    shared = next(iter(sizes)) if len(sizes) == 1 else None
    keep = shared is not None and max(shared) <= int(largest)
    size = shared if keep and shared is not None else (int(largest), int(largest))
    grey = bool(formats) and all(mode in _GREY_MODES for _, mode in formats)
    return size, "L" if grey else "RGB"


def _header(path: str | os.PathLike[str]) -> tuple[tuple[int, int], str]:
    """``((height, width), mode)`` of an image file, from its header only."""
    with Image.open(path) as image:
        width, height = image.size
        return (int(height), int(width)), image.mode


def _high_depth_grey(image: Image.Image) -> np.ndarray:
    """A greyscale image of mode ``I;16*``, ``I`` or ``F`` as float32 in [0, 1]."""
    values = np.asarray(image, dtype=np.float64)
    if image.mode == "F":
        return np.clip(values, 0.0, 1.0).astype(np.float32)
    bits = 16 if image.mode.startswith("I;16") else _stated_bits(image)
    if bits is None:
        # no stated depth (e.g. a 16-bit PNG read by an older Pillow): 16 bits when the
        # values fit, else the 31 bits of a non-negative 32-bit integer
        bits = 16 if values.max(initial=0) <= 65535 else 31
    top = float(2 ** min(bits, 31) - 1)
    return np.clip(values / top, 0.0, 1.0).astype(np.float32)


def _stated_bits(image: Image.Image) -> int | None:
    """The bits per sample a TIFF file states, or ``None`` (other formats do not say)."""
    stated = getattr(image, "tag_v2", {}).get(_BITS_PER_SAMPLE)
    if isinstance(stated, tuple):
        stated = stated[0] if stated else None
    return int(stated) if stated else None


def _files_under(folder: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def _check_all(
    candidates: list[tuple[Path, str]],
    skipped: list[SkippedFile],
    *,
    source: str,
    n_jobs: int | None,
) -> ImageCollection:
    # threads: Pillow releases the GIL while decoding, and nothing needs pickling
    reasons = Parallel(n_jobs=n_jobs, prefer="threads", batch_size=256)(
        delayed(check_image)(path) for path, _ in candidates
    )
    paths, labels = [], []
    for (path, label), reason in zip(candidates, reasons, strict=True):
        if reason is None:
            paths.append(str(path.resolve()))
            labels.append(label)
        else:
            skipped.append(SkippedFile(str(path), reason))
    if not paths:
        raise HowMuchDataError(
            f"no readable image in {source!r} ({len(skipped)} file(s) skipped); "
            "check the path and that the files are images (PNG, JPEG, ...)"
        )
    return ImageCollection(paths=paths, labels=labels, skipped=skipped, source=source)


def is_image_csv(path: str | os.PathLike[str], path_column: str = "path") -> bool:
    """Whether ``path`` is a CSV whose ``path`` column names image files (by extension)."""
    path = Path(path)
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        head = pd.read_csv(path, nrows=5)
    except (ValueError, OSError):
        return False
    if path_column not in head.columns:
        return False
    first = head[path_column].dropna()
    extensions = Image.registered_extensions()
    return len(first) > 0 and Path(str(first.iloc[0])).suffix.lower() in extensions


def load_image_source(
    source: Any, target: Any = None, *, task: str | None = None, n_jobs: int | None = None
) -> Any:
    """An image :class:`~howmuchdata.data.Dataset` when ``source`` is an image collection.

    A folder is read with :func:`read_image_folder`; a CSV with a ``path`` column of image
    files with :func:`read_image_csv` (``target`` names the label column, default ``label``).
    Anything else returns ``None`` (the caller reads it as a table).

    The dataset's ``X`` is a one-column DataFrame of paths; ``notes["images"]`` holds
    :meth:`ImageCollection.summary` (counts and the skipped files).
    """
    if not isinstance(source, str | os.PathLike):
        return None
    if Path(source).is_dir():
        collection = read_image_folder(source, n_jobs=n_jobs)
    elif is_image_csv(source):
        label = target if isinstance(target, str) else "label"
        collection = read_image_csv(source, label_column=label, n_jobs=n_jobs)
    else:
        return None
    if task == "regression":
        raise HowMuchDataError(
            "image folders are classification data (one folder per class); drop task='regression' "
            "(--task regression)"
        )
    from howmuchdata.data import Dataset

    dataset = Dataset(
        X=collection.frame(),
        y=np.asarray(collection.labels),
        task="classification",
        source=Path(source).name,
        target=target if isinstance(target, str) else "label",
    )
    if hasattr(dataset, "notes"):
        dataset.notes["images"] = collection.summary()
    return dataset


def skipped_message(dataset: Any, limit: int = 5, *, listed_in: str | None = None) -> str | None:
    """One line naming the files an image dataset skipped, or ``None`` when there were none.

    Unreadable files (not an image, corrupt, missing) are counted apart from entries left out
    for another reason (an image outside the class folders, a CSV row without a path or
    label). ``listed_in`` (e.g. the path of a result.json already written) ends the line with
    where the full list is; leave it out while nothing holding the list has been written.
    """
    summary = getattr(dataset, "notes", {}).get("images") or {}
    skipped = summary.get("skipped") or []
    if not skipped:
        return None
    unreadable = [s for s in skipped if s["reason"] not in _LEFT_OUT_REASONS]
    left_out = [s for s in skipped if s["reason"] in _LEFT_OUT_REASONS]
    parts = []
    if unreadable:
        parts.append(f"skipped {len(unreadable)} unreadable file(s) ({_listed(unreadable, limit)})")
    if left_out:
        entries = "entry" if len(left_out) == 1 else "entries"
        parts.append(f"left out {len(left_out)} {entries} ({_listed(left_out, limit)})")
    listed = f"; listed in {listed_in}" if listed_in else ""
    return "; ".join(parts) + listed


def _listed(skipped: list[dict[str, str]], limit: int) -> str:
    shown = "; ".join(f"{Path(s['path']).name}: {s['reason']}" for s in skipped[:limit])
    return shown + (f"; ... and {len(skipped) - limit} more" if len(skipped) > limit else "")
