"""Deep learning for learning curves: PyTorch networks, image folders and text columns.

PyTorch is optional (``pip install 'howmuchdata[torch]'``; text embeddings also need
``'howmuchdata[text]'``). Importing this package never imports torch; the entry points that
need it raise :class:`~howmuchdata.errors.HowMuchDataError` saying how to install it.

* :class:`TorchClassifier` / :class:`TorchRegressor`: scikit-learn estimators around any
  ``torch.nn.Module`` factory, trained by skorch under one training policy (epoch budget with a
  floor of optimizer steps, early stopping on an inner split of each training subset, best
  weights restored, seeded per point).
* :func:`read_image_folder` / :func:`read_image_csv`: labelled image files, checked once, decoded
  lazily per batch; unreadable files skipped and listed.
* :func:`make_deep_estimator` and :data:`DEEP_PRESETS`: ``cnn``, ``pretrained``,
  ``tfidf-linear``, ``minilm-linear``, ``minilm-mlp``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TorchClassifier": "howmuchdata.deep.estimator",
    "TorchRegressor": "howmuchdata.deep.estimator",
    "TabularInput": "howmuchdata.deep.inputs",
    "ImageInput": "howmuchdata.deep.inputs",
    "ImageCollection": "howmuchdata.deep.images",
    "SkippedFile": "howmuchdata.deep.images",
    "read_image_folder": "howmuchdata.deep.images",
    "read_image_csv": "howmuchdata.deep.images",
    "SentenceEmbedder": "howmuchdata.deep.embeddings",
    "BackboneFeatures": "howmuchdata.deep.backbone",
    "precompute_embeddings": "howmuchdata.deep.embeddings",
    "DEEP_PRESETS": "howmuchdata.deep.presets",
    "make_deep_estimator": "howmuchdata.deep.presets",
    "make_cnn": "howmuchdata.deep.presets",
    "make_pretrained": "howmuchdata.deep.presets",
    "make_mlp": "howmuchdata.deep.presets",
    "make_text_estimator": "howmuchdata.deep.text",
    "torch_available": "howmuchdata.deep._torch",
    "require_torch": "howmuchdata.deep._torch",
    "resolve_device": "howmuchdata.deep._torch",
    "gpu_safe_jobs": "howmuchdata.deep.devices",
    "uses_gpu": "howmuchdata.deep.devices",
    "check_devices": "howmuchdata.deep.devices",
    "torch_seeded": "howmuchdata.deep.seeding",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'howmuchdata.deep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
