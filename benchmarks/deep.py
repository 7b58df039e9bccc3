"""Benchmarks of the deep-learning models (issue 9).

Two measurements, each printing wall time, device and peak memory:

``digits``  a CNN learning curve on scikit-learn's digits (1,797 8x8 images), sizes up to the
            full training set, 3 repeats, through :func:`howmuchdata.learning_curve`.
``images``  an image folder of generated 64x64 PNGs (20,000 by default) read with
            :func:`howmuchdata.deep.read_image_folder` and a CNN curve on it up to 80% of the
            folder; the images are decoded per batch, so peak memory stays far below the size
            of the decoded folder.

``digits-folder``  the digits written as 8x8 greyscale PNGs in class folders, and a CNN curve
            on the folder three times in one run: images resized to 32x32 RGB and decoded at
            every epoch (the code before), at their own 8x8 greyscale decoded at every epoch,
            and at their own size decoded once per fit (now); then the same curve on the
            digits as pixel rows in memory.
``pretrained``  the same folder, a frozen toy backbone (``.pt2``) + linear head, fitted once
            with the backbone inside the network (run at every optimizer step) and once on
            features computed once per image; both fits' probabilities are compared.

Usage::

    .venv/bin/python benchmarks/deep.py digits [--device cuda] [--epochs 20] [--jobs 2] [--min-steps N]
    .venv/bin/python benchmarks/deep.py images [--n-images 20000] [--folder DIR] [--epochs 2] [--min-steps 0]
    .venv/bin/python benchmarks/deep.py digits-folder [--sizes 100,200,400] [--threads 1]
    .venv/bin/python benchmarks/deep.py pretrained [--size 100] [--threads 1]

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


def write_digits_folder(root: Path) -> None:
    """scikit-learn's digits as 8x8 greyscale PNGs, one folder per class."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    for i, (pixels, label) in enumerate(zip(X, y, strict=True)):
        (root / str(label)).mkdir(parents=True, exist_ok=True)
        image = (pixels.reshape(8, 8) / 16 * 255).astype(np.uint8)
        Image.fromarray(image, "L").save(root / str(label) / f"{i:04d}.png")


def bench_digits_folder(args: argparse.Namespace) -> None:
    import howmuchdata as hmd
    from howmuchdata.deep import make_deep_estimator, read_image_folder

    sizes = [int(v) for v in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "digits"
        write_digits_folder(root)
        collection = read_image_folder(root)
        X, y = collection.frame(), np.asarray(collection.labels)
        print(f"device: {describe_device('cpu')}; torch threads per fit: {args.threads}")
        from howmuchdata.deep import _datasets

        kept_bytes = _datasets.DECODED_BYTES_KEPT
        fits = {}
        variants = (
            ("32x32 RGB, decoded every epoch (before)", 32, 0),
            ("own size (8x8 L), decoded every epoch", None, 0),
            ("own size (8x8 L), decoded once per fit (now)", None, kept_bytes),
        )
        for label, size, keep in variants:
            _datasets.DECODED_BYTES_KEPT = keep
            model = make_deep_estimator("cnn", X, device="cpu", image_size=size)
            net = model.named_steps["model"]
            if size is not None:
                net.set_params(inputs__color="RGB")
            net.set_params(n_threads=args.threads)
            start = time.perf_counter()
            curve = hmd.learning_curve(model, X, y, sizes=sizes, repeats=1, random_state=0)
            wall = time.perf_counter() - start
            points = curve.points.set_index("size")
            fits[label] = points["fit_seconds"]
            shape = net.inputs.size, net.inputs.color
            print(f"{label}: input {shape}, curve {wall:.1f} s")
            print(points[["val_score", "fit_seconds"]].to_string(float_format=lambda v: f"{v:.3f}"))
        # the same digits as rows of 64 pixels in memory: no decoding at all
        from sklearn.datasets import load_digits

        pixels, labels = load_digits(return_X_y=True)
        model = make_deep_estimator("cnn", pixels, device="cpu")
        model.named_steps["model"].set_params(n_threads=args.threads)
        start = time.perf_counter()
        curve = hmd.learning_curve(model, pixels, labels, sizes=sizes, repeats=1, random_state=0)
        points = curve.points.set_index("size")
        print(f"pixel rows in memory (1x8x8): curve {time.perf_counter() - start:.1f} s")
        print(points[["val_score", "fit_seconds"]].to_string(float_format=lambda v: f"{v:.3f}"))
        before, own_size, after = fits.values()
        for what, slow, fast in (
            ("before / now", before, after),
            ("before / own size decoded every epoch", before, own_size),
            ("now / pixel rows", after, points["fit_seconds"]),
        ):
            ratios = ", ".join(f"{n}: {slow[n] / fast[n]:.1f}x" for n in sizes)
            print(f"fit time {what}, per size: {ratios}")


def bench_pretrained(args: argparse.Namespace) -> None:
    import torch
    from sklearn.pipeline import Pipeline

    from howmuchdata.deep import ImageInput, TorchClassifier, read_image_folder
    from howmuchdata.deep.modules import PretrainedBackbone
    from howmuchdata.deep.presets import make_pretrained

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "digits"
        write_digits_folder(root)
        collection = read_image_folder(root)
        X, y = collection.frame(), np.asarray(collection.labels)
        rng = np.random.default_rng(0)
        rows = rng.choice(len(X), size=args.size, replace=False)
        X_train, y_train = X.iloc[rows], y[rows]
        # the tiny backbone of the QA report: one strided convolution, 4 features
        torch.manual_seed(0)
        toy = torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3, stride=4),
            torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
        ).eval()
        weights = Path(scratch) / "backbone.pt2"
        dynamic = ({0: torch.export.Dim("batch")},)
        program = torch.export.export(toy, (torch.zeros(2, 3, 224, 224),), dynamic_shapes=dynamic)
        torch.export.save(program, str(weights))
        print(f"device: {describe_device('cpu')}; torch threads: {args.threads}")
        policy = {"n_threads": args.threads, "random_state": 0, "device": "cpu"}
        in_network = TorchClassifier(
            PretrainedBackbone,
            module_kwargs={"weights": str(weights)},
            inputs=ImageInput(size=224),
            **policy,
        )
        start = time.perf_counter()
        before = Pipeline([("model", in_network)]).fit(X_train, y_train)
        before_s = time.perf_counter() - start
        cached = make_pretrained(weights, cache_dir=Path(scratch) / "cache", **policy)
        start = time.perf_counter()
        fill = cached.named_steps["backbone"].fill_cache(X)
        fill_s = time.perf_counter() - start
        start = time.perf_counter()
        cached.fit(X_train, y_train)
        after_s = time.perf_counter() - start
        diff = np.abs(before.predict_proba(X) - cached.predict_proba(X)).max()
        steps = before.named_steps["model"].n_steps_
        print(f"{args.size} training images, {steps} optimizer steps per fit")
        print(f"backbone in the network: fit {before_s:.1f} s")
        print(f"features of all {fill.rows} images computed once: {fill_s:.1f} s")
        print(f"head on the cached features: fit {after_s:.1f} s")
        print(
            f"fit time ratio {before_s / after_s:.0f}x; largest probability difference {diff:.1e}"
        )


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
    folder = sub.add_parser("digits-folder", help="CNN on digits as PNGs: 32x32 RGB vs own size")
    folder.add_argument("--sizes", default="100,200,400")
    folder.add_argument("--threads", type=int, default=1, help="torch threads per fit")
    pretrained = sub.add_parser("pretrained", help="frozen backbone: in the network vs cached")
    pretrained.add_argument("--size", type=int, default=100, help="training images")
    pretrained.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    bench = {
        "digits": bench_digits,
        "images": bench_images,
        "digits-folder": bench_digits_folder,
        "pretrained": bench_pretrained,
    }
    bench[args.what](args)


if __name__ == "__main__":
    main()
