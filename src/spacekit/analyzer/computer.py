"""The :class:`Computer` base class shared by the classifier and regressor results.

A ``Computer`` holds one evaluated model (one training run, one fold, or one validation
set): the test-set truth and scores, the training history, metrics, and a results
folder it can write (:meth:`Computer.download`) and read back (:meth:`Computer.upload`)
without pickle. Subclasses (:class:`~spacekit.analyzer.compute.ComputeBinary`,
:class:`~spacekit.analyzer.compute.ComputeMulti`,
:class:`~spacekit.analyzer.compute.ComputeRegressor`) add the metrics of their task.

Figures (``acc_fig``, ``loss_fig``, ``roc_fig`` ...) are built lazily on first access
from the pure builders of :mod:`spacekit.analyzer.figures`, so loading ten results
folders for a dashboard costs no plotting until a figure is shown.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.analyzer.results import load_results, read_manifest, save_results
from spacekit.exceptions import InputError

__all__ = ["Computer", "LazyFigure", "history_dict", "history_metric"]

log = logging.getLogger(__name__)

#: Per-epoch metric names tried (in order) for the "accuracy" curve of a history.
ACC_KEYS = (
    "accuracy",
    "acc",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "rmse",
    "root_mean_squared_error",
    "mae",
    "mean_absolute_error",
)


def history_dict(history: Any) -> dict[str, np.ndarray]:
    """Normalise a training history to ``{metric: float array}``.

    Accepts a Keras ``History`` (its ``.history`` dict), a mapping of lists or arrays,
    or ``None`` (an empty dict).
    """
    if history is None:
        return {}
    hist = getattr(history, "history", history)
    if not isinstance(hist, Mapping):
        raise InputError(
            f"history must be a Keras History or a dict of per-epoch lists; received "
            f"{type(history).__name__}."
        )
    return {str(k): np.ravel(np.asarray(v, dtype=float)) for k, v in hist.items()}


def history_metric(history: Mapping, candidates=ACC_KEYS) -> str | None:
    """The first non-loss metric of ``history`` found in ``candidates`` (by name).

    Falls back to the first logged key that is not a loss, a ``val_`` twin or the
    learning rate, so an extra logged value never shifts the curves (1.1.4 picked
    them by position).
    """
    for key in candidates:
        if key in history:
            return key
    for key in history:
        if key.startswith("val_") or key in ("loss", "lr", "learning_rate"):
            continue
        return key
    return None


class LazyFigure:
    """A figure attribute built on first access by ``owner.<method>()`` and cached.

    Reads return ``None`` until the object has results (``_has_results()``); assigning
    replaces the cached figure; :meth:`Computer._clear_figures` forgets them all.
    """

    def __init__(self, method: str):
        self.method = method

    def __set_name__(self, owner, name):
        self.slot = f"_fig_{name}"

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        fig = obj.__dict__.get(self.slot)
        if fig is None and obj._has_results():
            fig = getattr(obj, self.method)()
            obj.__dict__[self.slot] = fig
        return fig

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value


class Computer:
    """Base class: inputs, a results folder, history figures.

    Parameters
    ----------
    algorithm : str
        Name of the results subfolder kind (``"binary"``, ``"multiclass"``,
        ``"linreg"`` ...), recorded in the manifest.
    res_path : path-like, optional
        Results folder used by :meth:`download` and :meth:`upload`. Unlike 1.1.4 there is
        no default under the current directory: nothing is written unless a folder is
        given.
    show : bool, default=False
        Accepted for 1.1.4 compatibility and ignored: the library never opens figures;
        call ``fig.show()`` yourself.
    validation : bool, default=False
        The object describes a validation set (no training history).
    name : str, optional
        Accepted for 1.1.4 compatibility (it named the logger).
    **log_kws
        Accepted for 1.1.4 compatibility and ignored; applications configure logging.

    Attributes
    ----------
    history : dict of numpy.ndarray
        Per-epoch metrics by name (``loss``, ``val_loss``, ``accuracy`` ...).
    acc_fig, loss_fig : plotly.graph_objects.Figure or None
        Training curves, built on first access once results exist.
    """

    acc_fig = LazyFigure("keras_acc_plot")
    loss_fig = LazyFigure("keras_loss_plot")

    #: Keys every results folder of this kind must contain (checked by load_results).
    required_keys: tuple[str, ...] = ()

    def __init__(
        self,
        algorithm: str,
        res_path: str | os.PathLike | None = None,
        show: bool = False,
        validation: bool = False,
        name: str | None = None,
        **log_kws,
    ):
        self.algorithm = algorithm
        self.res_path = None if res_path is None else Path(res_path)
        self.show = show
        self.validation = bool(validation)
        self.name = name or type(self).__name__
        self.model_name: str | None = None
        self.model = None
        self.history: dict[str, np.ndarray] = {}
        self.X_train = self.y_train = self.X_test = self.y_test = None
        self.test_idx = None
        self.meta: dict[str, Any] = {}
        self.manifest: dict[str, Any] = {}

    # -- inputs --------------------------------------------------------------------------
    def _has_results(self) -> bool:  # pragma: no cover - overridden
        return False

    def _clear_figures(self) -> None:
        for key in [k for k in self.__dict__ if k.startswith("_fig_")]:
            del self.__dict__[key]

    def inputs(self, model, history, X_train, y_train, X_test, y_test, test_idx):
        """Store a trained model and its data (the 1.1.4 call order).

        Parameters
        ----------
        model : object with ``predict(X)``
            A Keras model, a :class:`spacekit.builder.inference.NumpyMLP` or any
            estimator with ``predict`` (``predict_proba`` is preferred for classifiers).
        history : keras.callbacks.History or dict or None
        X_train, y_train, X_test, y_test : array-like
        test_idx : sequence or pandas.Series or pandas.Index
            Row labels of the test set (a Series' index is used).

        Returns
        -------
        self
        """
        self.model = model
        self.history = history_dict(history)
        self.X_train, self.y_train = X_train, y_train
        self.X_test, self.y_test = X_test, y_test
        self.test_idx = test_idx
        if self.model_name is None:
            self.model_name = getattr(model, "name", None)
        self._clear_figures()
        return self

    def builder_inputs(self, builder=None):
        """Take the inputs from an object with 1.1.4 ``Builder`` attributes.

        ``builder`` needs ``model``, and optionally ``history``, ``X_train``, ``y_train``,
        ``X_test``, ``y_test``, ``X_val``, ``y_val``, ``test_idx``. With
        ``validation=True`` the validation set is evaluated in place of the test set and
        the test set in place of the training set, as in 1.1.4.
        """
        if builder is None:
            raise InputError("builder_inputs() needs a builder (an object with .model).")
        model = getattr(builder, "model", None)
        if model is None:
            raise InputError(
                f"{type(builder).__name__} has no trained .model; train or load it first."
            )
        get = lambda attr: getattr(builder, attr, None)  # noqa: E731
        if self.validation:
            return self.inputs(
                model, None, get("X_test"), get("y_test"), get("X_val"), get("y_val"),
                get("val_idx") if get("val_idx") is not None else get("test_idx"),
            )  # fmt: skip
        return self.inputs(
            model, get("history"), get("X_train"), get("y_train"), get("X_test"),
            get("y_test"), get("test_idx"),
        )  # fmt: skip

    # -- results folders ---------------------------------------------------------------
    def _target(self, res_path) -> Path:
        target = Path(res_path) if res_path is not None else self.res_path
        if target is None:
            raise InputError(
                f"No results folder given to {type(self).__name__}; pass res_path=... "
                "(spacekit never writes results into the current directory by default)."
            )
        return target

    def manifest_meta(self) -> dict[str, Any]:
        """JSON-safe description stored in the folder's ``manifest.json``."""
        from spacekit._version import __version__

        return {
            "task": self.algorithm,
            "model_name": self.model_name,
            "algorithm": self.algorithm,
            "validation": self.validation,
            "spacekit_version": __version__,
            **self.meta,
        }

    def make_outputs(self, dl: bool = True) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def download(self, outputs: Mapping | None = None, res_path=None) -> Path:
        """Write ``outputs`` (default: :meth:`make_outputs`) to the results folder.

        Every file is written atomically (temporary name, then rename) and described in
        ``manifest.json``; nothing is pickled.

        Parameters
        ----------
        outputs : dict, optional
            As returned by ``make_outputs(dl=False)``. A path given here is taken as
            ``res_path`` (the call shape of earlier spacekit 2 releases).
        res_path : path-like, optional
            Overrides the constructor's folder.

        Returns
        -------
        pathlib.Path
            The results folder.
        """
        if isinstance(outputs, str | os.PathLike):
            outputs, res_path = None, outputs
        target = self._target(res_path)
        if outputs is None:
            outputs = self.make_outputs(dl=False)
        folder = save_results(target, dict(outputs), meta=self.manifest_meta())
        log.info("saved %s results to %s", self.algorithm, folder)
        return folder

    def upload(self, res_path=None) -> dict[str, Any]:
        """Load the results folder, set this object's attributes, and return the dict.

        Files that would need pickle (1.1.4's ``fnfp.npz``) are skipped with a warning
        rather than executed.
        """
        target = self._target(res_path)
        self.manifest = read_manifest(target)
        self._apply_manifest(self.manifest.get("meta") or {})
        outputs = load_results(target, unsafe="skip")
        self.load_results(outputs)
        return outputs

    def _apply_manifest(self, meta: Mapping[str, Any]) -> None:
        """Take settings recorded in a folder's manifest (class names ...)."""
        if meta.get("model_name") and self.model_name is None:
            self.model_name = str(meta["model_name"])

    def load_results(self, outputs: Mapping[str, Any]):  # pragma: no cover
        raise NotImplementedError

    def _load_history(self, outputs: Mapping[str, Any]) -> None:
        self.history = {k: np.ravel(v).astype(float) for k, v in outputs.get("history", {}).items()}
        if not self.history and not self.validation:
            log.info("results have no training history; the training-curve figures are empty")

    # -- history figures ----------------------------------------------------------------
    def keras_acc_plot(self, desc: str = ""):
        """Training vs validation curve of the accuracy-like metric (looked up by name)."""
        from spacekit.analyzer import figures as F

        metric = history_metric(self.history) or "accuracy"
        sfx = f" ({desc})" if desc else ""
        label = {"acc": "accuracy"}.get(metric, metric)
        return F.make_loss_figure(self.history, metric, f"Training vs validation {label}{sfx}")

    def keras_loss_plot(self, desc: str = ""):
        """Training vs validation loss curve."""
        from spacekit.analyzer import figures as F

        sfx = f" ({desc})" if desc else ""
        return F.make_loss_figure(self.history, "loss", f"Training vs validation loss{sfx}")
