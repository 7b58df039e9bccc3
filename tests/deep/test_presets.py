"""Image presets (cnn, pretrained backbone) and what happens without torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from howmuchdata.deep.images import read_image_folder  # noqa: E402
from howmuchdata.deep.presets import (  # noqa: E402
    DEEP_PRESETS,
    make_cnn,
    make_deep_estimator,
    make_pretrained,
)
from howmuchdata.errors import HowMuchDataError  # noqa: E402


def export_backbone(path: Path, dynamic_batch: bool = True) -> torch.nn.Module:
    """A tiny convolutional feature extractor saved as a torch.export program (for batches of
    2 only when ``dynamic_batch`` is false)."""
    torch.manual_seed(0)
    backbone = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
    ).eval()
    dynamic = ({0: torch.export.Dim("batch", min=1)},) if dynamic_batch else None
    program = torch.export.export(backbone, (torch.zeros(2, 3, 16, 16),), dynamic_shapes=dynamic)
    torch.export.save(program, str(path))
    return backbone


@pytest.mark.slow
def test_the_head_on_cached_features_fits_as_the_backbone_inside_the_network(
    stripes_folder: Path, tmp_path: Path
) -> None:
    from sklearn.pipeline import Pipeline

    from howmuchdata.deep import ImageInput, TorchClassifier
    from howmuchdata.deep.modules import PretrainedBackbone

    weights = tmp_path / "backbone.pt2"
    backbone = export_backbone(weights)
    collection = read_image_folder(stripes_folder)
    X, y = collection.frame(), np.asarray(collection.labels)
    policy = {"max_epochs": 8, "min_steps": 0, "n_threads": 1, "random_state": 0}
    # the path before features were cached: the backbone runs inside forward at every step
    in_network = TorchClassifier(
        PretrainedBackbone,
        module_kwargs={"weights": str(weights)},
        inputs=ImageInput(size=16),
        **policy,
    )
    before = Pipeline([("model", in_network)]).fit(X, y)

    cached = make_pretrained(weights, image_size=16, cache_dir=tmp_path / "cache", **policy)
    cached.fit(X, y)

    head, old = cached.named_steps["model"], before.named_steps["model"]
    np.testing.assert_allclose(cached.predict_proba(X), before.predict_proba(X), atol=1e-6)
    assert head.n_epochs_ == old.n_epochs_ and head.best_epoch_ == old.best_epoch_
    assert head.n_params_ == old.n_params_ == 4 * 2 + 2  # the linear head: 4 features, 2 classes
    assert old.n_params_total_ == old.n_params_ + sum(p.numel() for p in backbone.parameters())
    learnt = old.net_.module_.backbone.state_dict()
    for name, value in backbone.state_dict().items():
        torch.testing.assert_close(learnt[name], value)  # frozen: unchanged by training


class CountingBackbone:
    """Wraps the loaded backbone and counts the images it is run on."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.module = module
        self.images = 0

    def __call__(self, batch: torch.Tensor) -> torch.Tensor:
        self.images += len(batch)
        return self.module(batch)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[CountingBackbone]:
    from howmuchdata.deep import backbone as backbone_module

    loaded: list[CountingBackbone] = []
    real = backbone_module._backbone

    def load(weights: str, device: str) -> CountingBackbone:
        if not loaded:
            loaded.append(CountingBackbone(real(weights, device)))
        return loaded[0]

    monkeypatch.setattr(backbone_module, "_backbone", load)
    return loaded


def test_a_curve_runs_the_backbone_once_per_image_before_its_points(
    stripes_folder: Path, tmp_path: Path, counting: list[CountingBackbone]
) -> None:
    import howmuchdata as hmd

    weights = tmp_path / "backbone.pt2"
    export_backbone(weights)
    collection = read_image_folder(stripes_folder)
    X, y = collection.frame(), np.asarray(collection.labels)
    model = make_pretrained(
        weights, image_size=16, cache_dir=tmp_path / "cache", max_epochs=3, min_steps=0
    )

    curve = hmd.learning_curve(model, X, y, sizes=[20, 40], repeats=2)

    assert (curve.points["status"] == "ok").all()
    # 4 fits of up to 3 epochs and their scoring: each of the 80 images went through once
    assert counting[0].images == 80
    assert curve.settings["embedding"]["encoded"] == 80
    # another curve on the same folder reads every vector back
    hmd.learning_curve(model, X, y, sizes=[20], repeats=1)
    assert counting[0].images == 80


def test_without_a_cache_a_fit_runs_the_backbone_once_per_image_not_per_step(
    stripes_folder: Path, tmp_path: Path, counting: list[CountingBackbone]
) -> None:
    weights = tmp_path / "backbone.pt2"
    export_backbone(weights)
    collection = read_image_folder(stripes_folder)
    X, y = collection.frame().iloc[:50], np.asarray(collection.labels)[:50]

    model = make_pretrained(weights, image_size=16, cache_dir=False, max_epochs=6, min_steps=0)
    model.fit(X, y)
    assert counting[0].images == 50  # in the network: 50 images at each of the 6 epochs
    assert model.predict(X.iloc[:7]).shape == (7,)
    assert counting[0].images == 57


def test_an_edited_image_is_encoded_again(
    stripes_folder: Path, tmp_path: Path, counting: list[CountingBackbone], write_stripes
) -> None:
    import os

    from howmuchdata.deep.backbone import BackboneFeatures

    weights = tmp_path / "backbone.pt2"
    export_backbone(weights)
    X = read_image_folder(stripes_folder).frame()
    features = BackboneFeatures(weights, image_size=16, cache_dir=tmp_path / "cache")
    assert features.fill_cache(X).encoded == 80
    edited = Path(X["path"].iloc[3])
    write_stripes(edited, False, np.random.default_rng(5))
    os.utime(edited, ns=(1, 1))  # a new modification time, whatever the clock's resolution

    again = features.fill_cache(X)
    assert (again.encoded, again.from_cache, counting[0].images) == (1, 79, 81)


def test_pretrained_without_its_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "resnet18.pt2"
    with pytest.raises(HowMuchDataError, match="resnet18.pt2' not found"):
        make_pretrained(missing)
    with pytest.raises(HowMuchDataError, match="needs a backbone file"):
        make_deep_estimator("pretrained")


def test_the_recipe_of_the_missing_file_message_writes_a_backbone_that_is_accepted(
    stripes_folder: Path, tmp_path: Path
) -> None:
    import re

    missing = tmp_path / "resnet18.pt2"
    with pytest.raises(HowMuchDataError) as error:
        make_pretrained(missing)
    recipe = re.search(r"(torch\.export\.save\(.*, PATH\))", str(error.value)).group(1)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, stride=8), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()
    )

    exec(recipe, {"torch": torch, "MODEL": model, "PATH": str(missing)})  # as a user would run it

    X = read_image_folder(stripes_folder).frame()
    # the probe tries batches of 2 and 3, which a program without a dynamic batch refuses
    pipeline = make_deep_estimator("pretrained", X, weights=missing, device="cpu")
    assert pipeline.named_steps["backbone"].transform(X.iloc[:5]).shape == (5, 4)


def test_backbone_without_a_dynamic_batch_stops_before_any_fit(
    stripes_folder: Path, tmp_path: Path
) -> None:
    from howmuchdata.deep.modules import PretrainedBackbone

    X = read_image_folder(stripes_folder).frame()
    static, dynamic = tmp_path / "static.pt2", tmp_path / "dynamic.pt2"
    export_backbone(static, dynamic_batch=False)
    export_backbone(dynamic)

    # the batch of 2 it was exported with passes: only another batch size shows the problem
    with pytest.raises(HowMuchDataError, match="batch of 3 .*dynamic batch dimension"):
        make_deep_estimator("pretrained", X, weights=static, image_size=16, device="cpu")
    with pytest.raises(HowMuchDataError, match="dynamic batch dimension"):
        PretrainedBackbone((3, 16, 16), 2, weights=static)
    with pytest.raises(HowMuchDataError, match=r"\(3, 32, 32\) images"):  # the wrong size
        make_deep_estimator("pretrained", X, weights=dynamic, image_size=32, device="cpu")
    make_deep_estimator("pretrained", X, weights=dynamic, image_size=16, device="cpu")
    assert PretrainedBackbone((3, 16, 16), 2, weights=dynamic).head.in_features == 4


def test_unreadable_backbone_is_one_clean_line_without_torchs_log(tmp_path: Path) -> None:
    import logging

    from howmuchdata.deep.modules import load_backbone

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record)

    junk = tmp_path / "junk.pt2"
    junk.write_text("junk\n")
    logged: list[logging.LogRecord] = []
    # torch writes through its own stderr handler on this logger, which pytest cannot capture
    export_log = logging.getLogger("torch.export")
    level, keep = export_log.level, Keep()
    export_log.addHandler(keep)
    try:
        with pytest.raises(HowMuchDataError, match="cannot load .*junk.pt2.* torch.export.save"):
            load_backbone(junk)
        # a readable program still loads, and what torch logs then still gets through
        export_backbone(tmp_path / "good.pt2")
        load_backbone(tmp_path / "good.pt2")
        export_log.warning("after the load")
    finally:
        export_log.removeHandler(keep)

    assert [r.getMessage() for r in logged] == ["after the load"]  # not the traceback
    assert export_log.level == level  # left as it was


def test_cnn_on_a_table_that_is_not_square_pixels_stops_before_any_fit() -> None:
    import pandas as pd

    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(20, 30)), columns=[f"x{i}" for i in range(30)])
    with pytest.raises(HowMuchDataError, match="30 columns are not a square.*--model hgb"):
        make_deep_estimator("cnn", table, device="cpu")
    with pytest.raises(HowMuchDataError, match=r"needs 32 pixel columns but the rows have 30"):
        make_deep_estimator("cnn", table, image_shape=(2, 4, 4), device="cpu")
    with pytest.raises(HowMuchDataError, match=r"column\(s\) note are not numeric.*--drop"):
        make_deep_estimator("cnn", table.assign(note="a"), device="cpu")
    # square pixel rows, a given shape and image arrays are images
    make_deep_estimator("cnn", table.iloc[:, :25], device="cpu")
    shaped = make_deep_estimator("cnn", table, image_shape=(1, 5, 6), device="cpu")
    assert shaped.named_steps["model"].inputs.shape == (1, 5, 6)
    make_deep_estimator("cnn", rng.normal(size=(4, 3, 5, 6)), device="cpu")
    fitted = make_cnn(shape=(1, 5, 6), max_epochs=1, device="cpu").fit(table, np.arange(20) % 2)
    assert fitted.named_steps["model"].inputs_.input_shape_ == (1, 5, 6)


def test_presets_by_name() -> None:
    assert set(DEEP_PRESETS) == {"cnn", "pretrained", "tfidf-linear", "minilm-linear", "minilm-mlp"}
    cnn = make_deep_estimator("cnn", task="regression", epochs=3, device="cpu")
    model = cnn.named_steps["model"]
    assert type(model).__name__ == "TorchRegressor"
    assert model.max_epochs == 3 and model.device == "cpu"
    assert make_cnn().named_steps["model"].random_state is None  # left to the curve engine
    with pytest.raises(HowMuchDataError, match="unknown deep model"):
        make_deep_estimator("resnet")


def test_the_step_floor_is_set_by_name_and_a_negative_one_is_refused() -> None:
    from howmuchdata.deep.estimator import DEFAULT_MIN_STEPS

    assert make_deep_estimator("cnn", device="cpu").named_steps["model"].min_steps == (
        DEFAULT_MIN_STEPS
    )
    assert make_deep_estimator("cnn", min_steps=7, device="cpu").named_steps["model"].min_steps == 7
    mlp = make_deep_estimator("minilm-mlp", text="t", min_steps=0, device="cpu")
    assert mlp.named_steps["model"].min_steps == 0
    with pytest.raises(HowMuchDataError, match=r"--min-steps -1\) is negative"):
        make_deep_estimator("cnn", min_steps=-1, device="cpu")


@pytest.mark.slow
def test_without_torch_the_package_imports_and_deep_entry_points_say_how_to_install() -> None:
    script = (
        "import sys\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'skorch'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "import howmuchdata, howmuchdata.deep\n"
        "from howmuchdata.deep import make_cnn, torch_available\n"
        "assert not torch_available()\n"
        "try:\n"
        "    make_cnn()\n"
        "except howmuchdata.HowMuchDataError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "pip install 'howmuchdata[torch]'" in done.stdout
    assert "cnn model" in done.stdout


def test_points_run_one_at_a_time_when_the_network_trains_on_a_gpu() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from howmuchdata.deep import TorchClassifier, gpu_safe_jobs
    from howmuchdata.deep.modules import MLP

    on_gpu = Pipeline([("model", TorchClassifier(MLP, device="cuda"))])
    on_cpu = Pipeline([("model", TorchClassifier(MLP, device="cpu"))])
    assert gpu_safe_jobs(on_gpu, 4) == 1
    assert gpu_safe_jobs(on_cpu, 4) == 4
    assert gpu_safe_jobs(LogisticRegression(), 4) == 4
    auto = Pipeline([("model", TorchClassifier(MLP, device="auto"))])
    assert gpu_safe_jobs(auto, 4) == (1 if torch.cuda.is_available() else 4)


def test_cnn_on_small_greyscale_files_trains_on_them_as_they_are(tmp_path: Path) -> None:
    from PIL import Image
    from sklearn.datasets import load_digits

    digits, labels = load_digits(return_X_y=True)
    for i in range(40):
        (tmp_path / str(labels[i])).mkdir(exist_ok=True)
        pixels = (digits[i].reshape(8, 8) / 16 * 255).astype(np.uint8)
        Image.fromarray(pixels, "L").save(tmp_path / str(labels[i]) / f"{i}.png")
    collection = read_image_folder(tmp_path)
    X, y = collection.frame(), np.asarray(collection.labels)

    # decided once on the whole collection (every point of a curve gets the same input)
    inputs = make_deep_estimator("cnn", X, device="cpu").named_steps["model"].inputs
    assert (inputs.size, inputs.color) == ((8, 8), "L")
    # from Python without the rows, the fit follows its own files
    fitted = make_cnn(max_epochs=1, min_steps=0, device="cpu").fit(X, y)
    assert fitted.named_steps["model"].inputs_.input_shape_ == (1, 8, 8)
    # a size or colour asked for is kept
    asked = make_deep_estimator("cnn", X, image_size=16, device="cpu").named_steps["model"]
    assert (asked.inputs.size, asked.inputs.color) == (16, "L")
    rgb = make_cnn(color="RGB", max_epochs=1, min_steps=0, device="cpu").fit(X, y)
    assert rgb.named_steps["model"].inputs_.input_shape_ == (3, 8, 8)


def test_a_backbone_exported_again_to_the_same_file_is_measured_again(
    stripes_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import howmuchdata as hmd

    monkeypatch.chdir(tmp_path)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    X = read_image_folder(stripes_folder).frame()
    y = np.asarray(read_image_folder(stripes_folder).labels)
    export_backbone(tmp_path / "backbone.pt2")

    def measure(weights: str) -> dict:
        model = make_pretrained(
            weights, image_size=16, cache_dir=tmp_path / "cache", max_epochs=1, min_steps=0
        )
        return hmd.learning_curve(model, X, y, sizes=[20], repeats=1, store=store).settings

    assert measure("backbone.pt2")["computed"] == 1
    # the same file, named from elsewhere: reused
    assert measure(str(tmp_path / "backbone.pt2"))["from_store"] == 1
    assert measure(f"../{tmp_path.name}/backbone.pt2")["from_store"] == 1
    # another network written over the file: its scores are not the old network's
    torch.manual_seed(1)
    other = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 5, padding=2),
        torch.nn.Tanh(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
    ).eval()
    program = torch.export.export(
        other, (torch.zeros(2, 3, 16, 16),), dynamic_shapes=({0: torch.export.Dim("batch")},)
    )
    torch.export.save(program, str(tmp_path / "backbone.pt2"))
    os.utime(tmp_path / "backbone.pt2", ns=(1, 1))  # a new time, whatever the clock's resolution

    assert measure("backbone.pt2")["computed"] == 1


def test_a_pickled_backbone_step_keeps_its_parameters_only(tmp_path: Path) -> None:
    import pickle

    from howmuchdata.deep.backbone import BackboneFeatures

    export_backbone(tmp_path / "backbone.pt2")
    features = BackboneFeatures(tmp_path / "backbone.pt2", image_size=16)

    copy = pickle.loads(pickle.dumps(features))

    assert copy.get_params() == features.get_params()
    assert not hasattr(copy, "_weights_file")
