"""Benchmarks of the deep-learning models (issue 9).

Two measurements, each printing wall time, device and peak memory:

``digits``  a CNN learning curve on scikit-learn's digits (1,797 8x8 images), sizes up to the
            full training set, 3 repeats, through :func:`howmuchdata.learning_curve`.
``images``  an image folder of generated 64x64 PNGs (20,000 by default) read with
            :func:`howmuchdata.deep.read_image_folder` and a CNN curve on it up to 80% of the
            folder; the images are decoded per batch, so peak memory stays far below the size
            of the decoded folder.

Usage::

    .venv/bin/python benchmarks/deep.py digits [--device cuda] [--epochs 20] [--jobs 2] [--min-steps N]
    .venv/bin/python benchmarks/deep.py images [--n-images 20000] [--folder DIR] [--epochs 2] [--min-steps 0]

Peak memory is the largest resident set of this process (and, with ``--jobs`` > 1, of the
largest worker process), from ``getrusage``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor
from PIL import Image


def peak_memory_mib() -> tuple[float, float]:
    """Peak resident memory (MiB) of this process and of its largest child process."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def describe_device(device: str) -> str:
    import torch

    from howmuchdata.deep import resolve_device

    resolved = resolve_device(device)
    if resolved.startswith("cuda"):
        return f"{resolved} ({torch.cuda.get_device_name(0)})"
    return f"cpu ({os.cpu_count()} cores, torch threads {torch.get_num_threads()}, {cpu_model()})"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def bench_digits(args: argparse.Namespace) -> None:
    from sklearn.datasets import load_digits

    import howmuchdata as hmd
    from howmuchdata.deep import gpu_safe_jobs, make_cnn

    X, y = load_digits(return_X_y=True)
    steps = {} if args.min_steps is None else {"min_steps": args.min_steps}
    model = make_cnn(max_epochs=args.epochs, device=args.device, n_threads=args.threads, **steps)
    print(
        f"device: {describe_device(args.device)}; torch threads per fit: {args.threads or 'default'}"
    )
    jobs = gpu_safe_jobs(model, args.jobs)  # one process on a GPU
    start = time.perf_counter()
    curve = hmd.learning_curve(
        model, X, y, repeats=args.repeats, n_jobs=jobs, random_state=0, name="cnn"
    )
    wall = time.perf_counter() - start
    # reap the joblib workers so that their peak memory shows in RUSAGE_CHILDREN
    get_reusable_executor().shutdown(wait=True)
    table = curve.points.groupby("size").agg(
        val_mean=("val_score", "mean"),
        val_std=("val_score", "std"),
        fit_s=("fit_seconds", "mean"),
        n_params=("n_params", "first"),
    )
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    failed = int((curve.points["status"] != "ok").sum())
    own, children = peak_memory_mib()
    print(f"points: {len(curve.points)} ({failed} failed), sizes {curve.settings['sizes']}")
    print(
        f"wall time: {wall:.1f} s for {args.repeats} repeats, {args.epochs} epochs max, "
        f"n_jobs={jobs}"
    )
    print(f"peak memory: {own:.0f} MiB (this process), {children:.0f} MiB (largest worker)")


def _write_png(path: Path, label: int, seed: int, size: int) -> None:
    """A noisy image whose class is the colour and position of a square."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 90, (size, size, 3), dtype=np.uint8)
    half = size // 2
    top, left = (label // 2) * half, (label % 2) * half
    offset = rng.integers(0, half // 2, 2)
    channel = label % 3
    r0, c0 = top + offset[0], left + offset[1]
    pixels[r0 : r0 + half // 2, c0 : c0 + half // 2, channel] = 230
    Image.fromarray(pixels, "RGB").save(path)


def make_folder(root: Path, n_images: int, size: int = 64, n_classes: int = 4) -> None:
    """``root/class_k/i.png``: ``n_images`` generated PNGs in ``n_classes`` folders."""
    for k in range(n_classes):
        (root / f"class_{k}").mkdir(parents=True, exist_ok=True)
    Parallel(n_jobs=-1, batch_size=500)(
        delayed(_write_png)(
            root / f"class_{i % n_classes}" / f"{i:06d}.png", i % n_classes, i, size
        )
        for i in range(n_images)
    )


def bench_images(args: argparse.Namespace) -> None:
    import howmuchdata as hmd
    from howmuchdata.deep import make_cnn, read_image_folder

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(args.folder) if args.folder else Path(scratch) / "images"
        if not root.exists() or not any(root.iterdir()):
            start = time.perf_counter()
            make_folder(root, args.n_images)
            print(f"wrote {args.n_images} PNGs of 64x64 in {time.perf_counter() - start:.1f} s")
        print(
            f"device: {describe_device(args.device)}; torch threads per fit: {args.threads or 'default'}"
        )
        start = time.perf_counter()
        collection = read_image_folder(root, n_jobs=2)
        read_s = time.perf_counter() - start
        print(
            f"read + checked {len(collection.paths)} images in {read_s:.1f} s "
            f"({len(collection.skipped)} skipped)"
        )
        decoded_mib = len(collection.paths) * 3 * args.image_size**2 * 4 / 2**20
        print(
            f"the folder decoded as float32 at {args.image_size}x{args.image_size}: "
            f"{decoded_mib:.0f} MiB"
        )
        model = make_cnn(
            image_size=args.image_size,
            max_epochs=args.epochs,
            min_steps=args.min_steps,
            device=args.device,
            n_threads=args.threads,
        )
        n = len(collection.paths)
        sizes = [int(n * 0.8 * f) for f in (0.0625, 0.25, 1.0)]
        start = time.perf_counter()
        curve = hmd.learning_curve(
            model,
            collection.frame(),
            np.asarray(collection.labels),
            sizes=sizes,
            repeats=1,
            random_state=0,
            name="cnn",
        )
        wall = time.perf_counter() - start
        print(curve.points[["size", "val_score", "fit_seconds", "status"]].to_string(index=False))
        own, _ = peak_memory_mib()
        print(f"curve wall time: {wall:.1f} s ({args.epochs} epochs max per point)")
        print(f"peak memory: {own:.0f} MiB (this process; bound 2048 MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    digits = sub.add_parser("digits", help="CNN curve on digits")
    digits.add_argument("--device", default="auto", help="auto, cpu or cuda")
    digits.add_argument("--epochs", type=int, default=20)
    digits.add_argument("--repeats", type=int, default=3)
    digits.add_argument("--jobs", type=int, default=2, help="worker processes")
    digits.add_argument("--threads", type=int, default=None, help="torch threads per fit")
    digits.add_argument(
        "--min-steps",
        type=int,
        default=None,
        help="optimizer steps per fit at least (default: the package's)",
    )
    images = sub.add_parser("images", help="CNN curve on a generated image folder")
    images.add_argument("--device", default="auto", help="auto, cpu or cuda")
    images.add_argument("--n-images", type=int, default=20_000)
    images.add_argument("--folder", help="reuse (or create) this folder instead of a temp one")
    images.add_argument("--image-size", type=int, default=64)
    images.add_argument("--epochs", type=int, default=2)
    # this measurement is of reading and memory at a fixed, short budget: the step floor
    # (which would train the 1,000-image point 16 epochs) is off unless asked for
    images.add_argument("--min-steps", type=int, default=0, help="optimizer steps per fit at least")
    images.add_argument("--threads", type=int, default=None, help="torch threads per fit")
    args = parser.parse_args()
    (bench_digits if args.what == "digits" else bench_images)(args)


if __name__ == "__main__":
    main()
