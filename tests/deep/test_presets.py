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
def test_pretrained_backbone_is_read_from_disk_frozen_and_only_the_head_learns(
    stripes_folder: Path, tmp_path: Path
) -> None:
    weights = tmp_path / "backbone.pt2"
    backbone = export_backbone(weights)
    collection = read_image_folder(stripes_folder)
    X, y = collection.frame(), np.asarray(collection.labels)

    pipeline = make_pretrained(
        weights, image_size=16, max_epochs=5, n_threads=1, random_state=0
    ).fit(X, y)

    model = pipeline.named_steps["model"]
    assert model.n_params_ == 4 * 2 + 2  # the linear head: 4 features -> 2 classes
    assert model.n_params_total_ == model.n_params_ + sum(p.numel() for p in backbone.parameters())
    learnt = model.net_.module_.backbone.state_dict()
    for name, value in backbone.state_dict().items():
        torch.testing.assert_close(learnt[name], value)  # frozen: unchanged by training
    assert pipeline.predict_proba(X[:5]).shape == (5, 2)


def test_pretrained_without_its_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "resnet18.pt2"
    with pytest.raises(HowMuchDataError, match="resnet18.pt2' not found"):
        make_pretrained(missing)
    with pytest.raises(HowMuchDataError, match="needs a backbone file"):
        make_deep_estimator("pretrained")


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
