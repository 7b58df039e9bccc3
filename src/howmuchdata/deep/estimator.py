"""A scikit-learn estimator around any ``torch.nn.Module`` factory, trained by skorch.

The training policy makes points of a learning curve comparable across sizes:

* a fixed budget of ``max_epochs`` passes over the training subset, raised for small subsets
  to as many epochs as make ``min_steps`` optimizer steps (``DEFAULT_MIN_STEPS``): a subset of
  one batch makes one step per epoch, and 30 steps left 71 digit images near 0.3 accuracy while
  the larger sizes of the same curve got hundreds of steps, which drew the curve steeper than
  it is; subsets whose ``max_epochs`` already make ``min_steps`` steps train as before;
* early stopping on an *inner* validation split carved out of each training subset (a
  ``valid_fraction`` of it, stratified for classes when possible), never on the curve's outer
  validation rows, after ``patience`` epochs, and never fewer than ``MIN_PATIENCE_STEPS``
  optimizer steps, without improvement; the weights of the best inner-validation epoch are
  restored at the end;
* every source of randomness (weight initialisation, inner split, batch order, dropout) comes
  from ``random_state``, which :func:`howmuchdata.learning_curve` sets per (size, repeat).

skorch (``NeuralNetClassifier`` / ``NeuralNetRegressor``, ``EarlyStopping(load_best=True)``
and ``predefined_split``) runs the loop; this module decides the policy and the data.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import check_is_fitted, check_random_state

from howmuchdata.deep._torch import require_torch, resolve_device, torch_available, warm_up_torch
from howmuchdata.deep.inputs import TabularInput
from howmuchdata.errors import HowMuchDataError

OPTIMIZERS = ("adam", "adamw", "sgd")
# below this many training rows no inner validation split is made: early stopping would
# judge epochs on one or two examples; the full epoch budget is trained instead
MIN_ROWS_FOR_INNER_SPLIT = 10
# early stopping waits at least this many optimizer steps without improvement, whatever
# ``patience`` says in epochs: a small subset makes one step per epoch (57 rows, batch 64), and
# five steps are inside the plateau a fresh network starts on, so stopping there restored the
# untrained first epoch and scored the point at chance
MIN_PATIENCE_STEPS = 20
# every fit trains for at least this many optimizer steps (more epochs than ``max_epochs`` when
# the subset is a few batches; early stopping still applies): the sizes of one curve then get
# comparable training, not 30 steps at 71 rows and 500 at 1,400
DEFAULT_MIN_STEPS = 250
# rows of the training subset the module is tried on before training, to check its output shape
_PROBE_ROWS = 2
READY_MODULE_WARNING = (
    "module is a ready torch.nn.Module: every fit starts from its current weights, which "
    "random_state does not set (the repeats share one initialisation, and an instance made "
    "in another session scores differently and reuses no stored point); pass its class or a "
    "factory (module=MyNet, module_kwargs={...}) for weights seeded per point, or keep the "
    "instance to fine-tune the weights it holds"
)


class _TorchEstimator(BaseEstimator):
    """Shared fitting code; use :class:`TorchClassifier` or :class:`TorchRegressor`."""

    _is_classifier = False

    def __init__(
        self,
        module: Callable[..., Any] | Any,
        *,
        module_kwargs: dict[str, Any] | None = None,
        inputs: Any = None,
        max_epochs: int = 30,
        min_steps: int = DEFAULT_MIN_STEPS,
        patience: int = 5,
        valid_fraction: float = 0.2,
        batch_size: int = 64,
        lr: float = 1e-3,
        optimizer: str = "adam",
        weight_decay: float = 0.0,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.module = module
        self.module_kwargs = module_kwargs
        self.inputs = inputs
        self.max_epochs = max_epochs
        self.min_steps = min_steps
        self.patience = patience
        self.valid_fraction = valid_fraction
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        if torch_available():
            # the curve engine clones the model (calling this) before it starts a point's
            # clock: the one-off imports of the first fit in a process (torch._dynamo, 1.7 s
            # against 0.04 s for a small network's fit) are then not counted as fit time
            warm_up_torch()

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any) -> _TorchEstimator:
        """Train the network on ``X, y`` under the training policy.

        Parameters
        ----------
        X : array-like, DataFrame, or paths (see ``inputs``)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        torch = require_torch("neural network models")
        from skorch.callbacks import EarlyStopping
        from skorch.helper import predefined_split

        self._check_settings()
        y = np.asarray(y)
        if len(y) != _n_rows(X):
            raise HowMuchDataError(
                f"X has {_n_rows(X)} rows but y has {len(y)}; pass one label per row"
            )
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        target, n_outputs = self._encode_target(y)
        adapter = clone(self.inputs) if self.inputs is not None else TabularInput()
        adapter.fit(X)
        device = resolve_device(self.device)
        full = adapter.dataset(X, target)
        train_rows, valid_rows = self._inner_split(target, seed)
        patience = self._patience(len(train_rows))
        max_epochs = self._epochs(len(train_rows))

        devices = [torch.device(device)] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices), _torch_threads(self.n_threads):
            torch.manual_seed(seed)
            network = self._build_module(adapter, n_outputs)
            output_shape = _probe_output(torch, network, full, train_rows)
            if output_shape is not None:
                target = self._check_output(output_shape, target, n_outputs)
                full = adapter.dataset(X, target)
            net_class, criterion = self._skorch_class()
            callbacks = []
            train_split = None
            if valid_rows is not None:
                valid_set = torch.utils.data.Subset(full, valid_rows)
                train_split = predefined_split(valid_set)
                callbacks.append(
                    EarlyStopping(monitor="valid_loss", patience=patience, load_best=True)
                )
            extra = {"classes": list(range(n_outputs))} if self._is_classifier else {}
            net = net_class(
                module=network,
                criterion=criterion,
                optimizer=_optimizer(torch, self.optimizer),
                optimizer__weight_decay=self.weight_decay,
                lr=self.lr,
                max_epochs=max_epochs,
                batch_size=self.batch_size,
                train_split=train_split,
                callbacks=callbacks,
                iterator_train__shuffle=True,
                iterator_train__generator=torch.Generator().manual_seed(seed),
                device=device,
                verbose=self.verbose,
                **extra,
            )
            net.fit(torch.utils.data.Subset(full, train_rows), y=None)

        self.net_ = net
        self.inputs_ = adapter
        self.device_ = device
        self.seed_ = seed
        self.n_epochs_ = len(net.history)
        self.max_epochs_ = max_epochs
        self.steps_per_epoch_ = _steps_per_epoch(len(train_rows), self.batch_size)
        self.n_steps_ = self.n_epochs_ * self.steps_per_epoch_
        self.patience_ = patience
        self.inner_valid_rows_ = valid_rows if valid_rows is not None else np.arange(0)
        self.inner_validation_rows_ = len(self.inner_valid_rows_)
        if valid_rows is not None:
            losses = net.history[:, "valid_loss"]
            self.best_epoch_ = int(np.argmin(losses)) + 1
        else:
            self.best_epoch_ = self.n_epochs_
        trainable = [p for p in net.module_.parameters() if p.requires_grad]
        self.n_params_ = int(sum(p.numel() for p in trainable))
        self.n_params_total_ = int(sum(p.numel() for p in net.module_.parameters()))
        return self

    def _check_settings(self) -> None:
        if not 0.0 < float(self.valid_fraction) < 1.0:
            raise HowMuchDataError(
                f"valid_fraction={self.valid_fraction} is outside (0, 1); pass e.g. 0.2"
            )
        if int(self.max_epochs) < 1:
            raise HowMuchDataError(f"max_epochs={self.max_epochs} must be at least 1; pass e.g. 30")
        if int(self.min_steps) < 0:
            raise HowMuchDataError(
                f"min_steps={self.min_steps} must be 0 or more; pass e.g. {DEFAULT_MIN_STEPS}"
            )
        if self.optimizer not in OPTIMIZERS:
            raise HowMuchDataError(
                f"unknown optimizer {self.optimizer!r}; use one of: {', '.join(OPTIMIZERS)}"
            )

    def _patience(self, n_train: int) -> int:
        """Epochs without improvement before stopping: ``patience``, or more epochs when
        an epoch is so few optimizer steps that ``patience`` epochs are under
        :data:`MIN_PATIENCE_STEPS` steps."""
        steps_per_epoch = _steps_per_epoch(n_train, self.batch_size)
        return max(int(self.patience), -(-MIN_PATIENCE_STEPS // steps_per_epoch))

    def _epochs(self, n_train: int) -> int:
        """The epoch budget: ``max_epochs``, or more epochs when ``max_epochs`` epochs of
        ``n_train`` rows are under ``min_steps`` optimizer steps."""
        steps_per_epoch = _steps_per_epoch(n_train, self.batch_size)
        return max(int(self.max_epochs), -(-int(self.min_steps) // steps_per_epoch))

    def _inner_split(self, target: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
        rows = np.arange(len(target))
        if len(rows) < MIN_ROWS_FOR_INNER_SPLIT:
            return rows, None
        stratify = None
        if self._is_classifier:
            counts = np.bincount(target)
            counts = counts[counts > 0]
            n_valid = int(np.ceil(self.valid_fraction * len(rows)))
            # stratify only when every class can give a row to both sides
            if counts.min() >= 2 and n_valid >= len(counts) and len(rows) - n_valid >= len(counts):
                stratify = target
        train_rows, valid_rows = train_test_split(
            rows, test_size=self.valid_fraction, random_state=seed, stratify=stratify
        )
        return np.sort(train_rows), np.sort(valid_rows)

    def _build_module(self, adapter: Any, n_outputs: int) -> Any:
        torch = require_torch()
        if isinstance(self.module, torch.nn.Module):
            warnings.warn(READY_MODULE_WARNING, UserWarning, stacklevel=3)
            return copy.deepcopy(self.module)  # a ready module: train a copy, keep the given one
        if not callable(self.module):
            raise HowMuchDataError(
                f"module must be a torch.nn.Module class or factory, got "
                f"{type(self.module).__name__}; pass e.g. module=SmallCNN"
            )
        offered = {**adapter.module_kwargs(), "n_outputs": n_outputs}
        kwargs = dict(self.module_kwargs or {})
        kwargs.update(_accepted(self.module, offered, kwargs))
        network = self.module(**kwargs)
        if not isinstance(network, torch.nn.Module):
            raise HowMuchDataError(
                f"the module factory returned {type(network).__name__}, not a torch.nn.Module; "
                "return the network from the factory"
            )
        return network

    # ------------------------------------------------------------- subclasses
    def _encode_target(self, y: np.ndarray) -> tuple[np.ndarray, int]:
        raise NotImplementedError

    def _check_output(
        self, shape: tuple[int, ...], target: np.ndarray, n_outputs: int
    ) -> np.ndarray:
        """The training target for a module whose output on a batch has ``shape``.

        Raises :class:`HowMuchDataError` when the output cannot be trained on the target.
        """
        raise NotImplementedError

    def _skorch_class(self) -> tuple[type, Any]:
        raise NotImplementedError

    def _forward(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "net_")
        with _torch_threads(self.n_threads):
            return self.net_.predict_proba(self.inputs_.dataset(X, None))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags


class TorchClassifier(ClassifierMixin, _TorchEstimator):
    """A scikit-learn classifier around any ``torch.nn.Module`` factory (trained by skorch).

    Parameters
    ----------
    module : callable or torch.nn.Module
        A module class or factory, called at fit time with the keyword arguments it accepts
        among ``n_features`` (tabular inputs), ``input_shape`` (image inputs, ``(C, H, W)``)
        and ``n_outputs`` (number of classes), plus ``module_kwargs``. It must return logits.
        A ready module instance is copied and trained as it is.
    module_kwargs : dict, optional
        Extra keyword arguments for the factory (e.g. ``{"width": 32}``).
    inputs : TabularInput or ImageInput, optional
        How rows become tensors; default :class:`~howmuchdata.deep.TabularInput`.
    max_epochs : int
        The epoch budget (passes over the training subset); small subsets may train more
        epochs, see ``min_steps``.
    min_steps : int
        The fewest optimizer steps a fit trains for (default :data:`DEFAULT_MIN_STEPS`, 250):
        the epochs run are ``max(max_epochs, ceil(min_steps / steps per epoch))``, so a
        subset of one batch (one step per epoch) is not left under-trained next to larger
        subsets that make hundreds of steps in ``max_epochs``. Early stopping still applies.
        0 trains exactly ``max_epochs``.
    patience : int
        Epochs without improvement of the inner validation loss before stopping; at least
        as many epochs as make :data:`MIN_PATIENCE_STEPS` (20) optimizer steps, so a subset
        of one batch per epoch is not stopped inside the plateau a fresh network starts on.
    valid_fraction : float
        Share of each training subset held out as inner validation for early stopping.
    batch_size : int
    lr : float
        Learning rate.
    optimizer : {"adam", "adamw", "sgd"}
    weight_decay : float
    device : {"auto", "cpu", "cuda"}
        ``"auto"`` uses a GPU when torch sees one.
    n_threads : int, optional
        CPU threads torch may use while fitting and predicting (``None``: torch's default,
        one per core). Use 1 when curve points run in parallel processes or the machine is
        shared: small networks gain little from threads and lose a lot to contention.
    random_state : int, RandomState or None
        Seeds initialisation, inner split, batch order and dropout. The learning-curve engine
        sets it per (size, repeat) when left at ``None``.
    verbose : int
        skorch's per-epoch table when > 0.

    Attributes
    ----------
    classes_ : ndarray
    n_params_ : int
        Trainable parameters of the network (recorded per curve point as ``n_params``).
    n_params_total_ : int
        All parameters, frozen ones included.
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    max_epochs_ : int
        The epoch budget this fit had: ``max_epochs``, or more to make ``min_steps`` steps.
    steps_per_epoch_, n_steps_ : int
        Optimizer steps per epoch (batches of the inner training rows) and in all epochs run.
    patience_ : int
        The patience (in epochs) early stopping used for this fit's subset size.
    inner_valid_rows_ : ndarray
        Positions (in the training rows) of the inner validation split; empty when the
        subset was too small to split (the whole epoch budget is then trained).
    inner_validation_rows_ : int
        How many rows the inner validation split has.
    net_ : skorch.NeuralNetClassifier
        The trained skorch net.
    """

    _is_classifier = True

    def _encode_target(self, y: np.ndarray) -> tuple[np.ndarray, int]:
        self._label_encoder = LabelEncoder().fit(y)
        self.classes_ = self._label_encoder.classes_
        return self._label_encoder.transform(y).astype(np.int64), len(self.classes_)

    def _skorch_class(self) -> tuple[type, Any]:
        from skorch import NeuralNetClassifier
        from torch import nn

        return NeuralNetClassifier, nn.CrossEntropyLoss

    def _check_output(
        self, shape: tuple[int, ...], target: np.ndarray, n_outputs: int
    ) -> np.ndarray:
        # cross-entropy trains any width above the largest label, and predict_proba then has
        # columns for classes that do not exist; a narrower output fails with "Target 6 is
        # out of bounds": both are said here, with the fix
        if len(shape) != 2 or shape[1] != n_outputs:
            raise HowMuchDataError(
                f"the module returns shape {shape} for a batch of {shape[0] if shape else 0} "
                f"rows but the target has {n_outputs} classes; its last layer must give "
                f"{n_outputs} logits per row, shape (batch, {n_outputs}) (a factory that takes "
                "n_outputs is given the number of classes)"
            )
        return target

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        return self._forward(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class per row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class TorchRegressor(RegressorMixin, _TorchEstimator):
    """A scikit-learn regressor around any ``torch.nn.Module`` factory (trained by skorch).

    The target is standardised for training (mean 0, standard deviation 1) and predictions are
    put back on its scale. Parameters are those of :class:`TorchClassifier`; the factory gets
    ``n_outputs=1``.
    """

    def _encode_target(self, y: np.ndarray) -> tuple[np.ndarray, int]:
        values = y.astype(np.float64)
        if not np.isfinite(values).all():
            raise HowMuchDataError("the target has missing or infinite values; drop those rows")
        self.target_mean_ = float(values.mean())
        self.target_std_ = float(values.std()) or 1.0
        scaled = (values - self.target_mean_) / self.target_std_
        return scaled.astype(np.float32).reshape(-1, 1), 1

    def _skorch_class(self) -> tuple[type, Any]:
        from skorch import NeuralNetRegressor
        from torch import nn

        return NeuralNetRegressor, nn.MSELoss

    def _check_output(
        self, shape: tuple[int, ...], target: np.ndarray, n_outputs: int
    ) -> np.ndarray:
        # MSELoss broadcasts an output of shape (batch,) against a target of (batch, 1) into
        # a (batch, batch) grid and trains the network to predict the mean (R^2 ~ 0, with
        # only a warning): a module returning one value per row as (batch,) gets a target
        # of that shape instead
        if len(shape) == 1:
            return target.reshape(-1)
        if len(shape) == 2 and shape[1] == 1:
            return target.reshape(-1, 1)
        raise HowMuchDataError(
            f"the module returns shape {shape} for a batch of {shape[0] if shape else 0} rows "
            "but a regressor needs one value per row, shape (batch, 1) or (batch,); make its "
            "last layer give 1 output (a factory that takes n_outputs is given 1)"
        )

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values on the target's scale."""
        return self._forward(X).reshape(-1) * self.target_std_ + self.target_mean_


def _probe_output(
    torch: Any, network: Any, dataset: Any, rows: np.ndarray
) -> tuple[int, ...] | None:
    """The shape of ``network``'s output on the first training rows, or ``None``.

    Run in inference mode without gradients and on a forked random state, so the fit that
    follows is the same as without the probe. A module that fails on this batch gives
    ``None``: training then fails (or not) as it would have.
    """
    if len(rows) == 0:
        return None
    try:
        batch = torch.utils.data.default_collate([dataset[int(i)] for i in rows[:_PROBE_ROWS]])
        inputs = batch[0]
        parameter = next(network.parameters(), None)
        if parameter is not None and isinstance(inputs, torch.Tensor):
            inputs = inputs.to(parameter.device)
        was_training = network.training
        network.eval()
        try:
            with torch.no_grad(), torch.random.fork_rng(devices=[]):
                output = network(inputs)
        finally:
            network.train(was_training)
    except Exception:  # the module's own error is raised by training, where it belongs
        return None
    if not isinstance(output, torch.Tensor):
        raise HowMuchDataError(
            f"the module returns a {type(output).__name__}, not a tensor; return the "
            "predictions (logits for a classifier) as one tensor from forward"
        )
    return tuple(int(d) for d in output.shape)


def _accepted(
    factory: Callable[..., Any], offered: dict[str, Any], given: dict[str, Any]
) -> dict[str, Any]:
    """The offered keywords the factory takes (all of them when it takes ``**kwargs``)."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return {k: v for k, v in offered.items() if k not in given and (takes_any or k in parameters)}


@contextmanager
def _torch_threads(n_threads: int | None) -> Iterator[None]:
    """Use ``n_threads`` CPU threads inside the block (torch's setting is process-wide)."""
    if n_threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _optimizer(torch: Any, name: str) -> type:
    return {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}[name]


def _steps_per_epoch(n_train: int, batch_size: int) -> int:
    """Optimizer steps in one pass over ``n_train`` rows (the last batch may be short)."""
    return max(1, -(-int(n_train) // max(1, int(batch_size))))


def _n_rows(X: Any) -> int:
    return X.shape[0] if hasattr(X, "shape") else len(X)
