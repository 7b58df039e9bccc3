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


def export_backbone(path: Path) -> torch.nn.Module:
    """A tiny convolutional feature extractor saved as a torch.export program."""
    torch.manual_seed(0)
    backbone = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
    ).eval()
    batch = torch.export.Dim("batch", min=1)
    program = torch.export.export(
        backbone, (torch.zeros(2, 3, 16, 16),), dynamic_shapes=({0: batch},)
    )
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


def test_presets_by_name() -> None:
    assert set(DEEP_PRESETS) == {"cnn", "pretrained", "tfidf-linear", "minilm-linear", "minilm-mlp"}
    cnn = make_deep_estimator("cnn", task="regression", epochs=3, device="cpu")
    model = cnn.named_steps["model"]
    assert type(model).__name__ == "TorchRegressor"
    assert model.max_epochs == 3 and model.device == "cpu"
    assert make_cnn().named_steps["model"].random_state is None  # left to the curve engine
    with pytest.raises(HowMuchDataError, match="unknown deep model"):
        make_deep_estimator("resnet")


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
