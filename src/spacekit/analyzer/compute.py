"""Compute, save and load the results of trained models (the 1.1.4 module path).

The five spacekit 1.1.4 names live here:

* :class:`Computer` -- the base class (inputs, results folder, history figures);
* :class:`ComputeClassifier`, :class:`ComputeBinary`, :class:`ComputeMulti` --
  classifier results from **probabilities** (ROC/PR from scores, argmax predictions),
  defined in :mod:`spacekit.analyzer.classifier`;
* :class:`ComputeRegressor` -- regressor results (``history``, ``loss``,
  ``predictions``, ``residuals``, ``test_idx``).

None of them imports TensorFlow: they take predictions (or any model with ``predict``)
and save through :mod:`spacekit.analyzer.results` (no pickle, atomic writes). Figures
come from the pure builders of :mod:`spacekit.analyzer.figures` and are built lazily on
first access to ``res_fig``, ``loss_fig``, ``roc_fig`` ...

Examples
--------
>>> import numpy as np
>>> from spacekit.analyzer.compute import ComputeRegressor
>>> com = ComputeRegressor(y_true=[1.0, 2.0, 30.0], y_pred=[1.5, 1.8, 28.0])
>>> round(com.calculate_results()["test_rmse"], 3)
1.196
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit.analyzer import figures as F
from spacekit.analyzer.classifier import ComputeBinary, ComputeClassifier, ComputeMulti
from spacekit.analyzer.computer import Computer, LazyFigure, history_dict
from spacekit.analyzer.metrics import (
    DEFAULT_THRESHOLDS,
    binned_roc_pr,
    mean_auc_pr,
    regression_metrics,
)
from spacekit.exceptions import ArchiveError, InputError

__all__ = [
    "Computer",
    "ComputeClassifier",
    "ComputeBinary",
    "ComputeMulti",
    "ComputeRegressor",
]

log = logging.getLogger(__name__)


def _is_builder(obj) -> bool:
    """A 1.1.4-style first positional argument: an object holding a trained model."""
    return obj is not None and (hasattr(obj, "model") or hasattr(obj, "predict"))


class ComputeRegressor(Computer):
    """Metrics, results folder and figures of one trained regressor (e.g. one CV fold).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,), optional
        Test-set truth and predictions (GB). A 1.1.4-style builder object (one with a
        ``model``) given as the first argument is taken as ``builder``.
    history : mapping or keras.callbacks.History, optional
        Per-epoch metrics (``loss``, ``rmse``, ``val_loss``, ``val_rmse``).
    test_idx : sequence of str or pandas.Index, optional
        Row labels of the test set.
    y_train_true, y_train_pred : array-like, optional
        Training-set truth and predictions, for ``train_loss``/``train_rmse``.
    model_name : str, default="model"
    res_path : path-like, optional
        Folder used by :meth:`download` and :meth:`upload`.
    thresholds : sequence of float, default=(0, 12, 225, 950)
        Memory-bin edges (GB) of the ROC and precision-recall curves.
    algorithm : str, default="linreg"
    builder : object, optional
        1.1.4 ``Builder``-like object (``model``, ``history``, ``X_train`` ...
        ``test_idx``); predictions then come from ``model.predict``.
    show : bool, default=False
        Ignored (1.1.4 compatibility).
    validation : bool, default=False
        A validation set (no history).
    name : str, optional
    **log_kws
        Ignored (1.1.4 compatibility).
    """

    res_fig = LazyFigure("resid_plot")
    roc_fig = LazyFigure("make_roc_curve")
    pr_fig = LazyFigure("make_pr_curve")

    def __init__(
        self,
        y_true=None,
        y_pred=None,
        history: Mapping | None = None,
        test_idx: Sequence | None = None,
        y_train_true=None,
        y_train_pred=None,
        model_name: str = "model",
        res_path: str | os.PathLike | None = None,
        thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
        algorithm: str = "linreg",
        *,
        builder=None,
        show: bool = False,
        validation: bool = False,
        name: str | None = None,
        **log_kws,
    ):
        super().__init__(algorithm, res_path, show, validation, name, **log_kws)
        if _is_builder(y_true):
            builder, y_true = y_true, None
        self.y_true = None if y_true is None else np.ravel(y_true).astype(float)
        self.y_pred = None if y_pred is None else np.ravel(y_pred).astype(float)
        self.history = history_dict(history)
        self.test_idx = None if test_idx is None else [str(i) for i in test_idx]
        self.y_train_true = y_train_true
        self.y_train_pred = y_train_pred
        self.model_name = model_name
        self.thresholds = tuple(float(t) for t in thresholds)
        self.predictions: np.ndarray | None = None
        self.residuals: np.ndarray | None = None
        self.loss: dict[str, float] | None = None
        self.curves: dict[int, dict] | None = None
        self.roc_auc: dict[int, float] | None = None
        self.pr: dict[int, float] | None = None
        self.kfold = None
        if builder is not None:
            self.builder_inputs(builder)

    def _has_results(self) -> bool:
        return self.curves is not None

    def inputs(self, model, history, X_train, y_train, X_test, y_test, test_idx):
        """Store a model and its data (1.1.4 order); predictions come from the model."""
        super().inputs(model, history, X_train, y_train, X_test, y_test, test_idx)
        self.y_true = None if y_test is None else np.ravel(y_test).astype(float)
        self.y_pred = None
        self.y_train_true, self.y_train_pred = y_train, None
        if isinstance(test_idx, pd.Series | pd.DataFrame):
            test_idx = test_idx.index
        self.test_idx = None if test_idx is None else [str(i) for i in test_idx]
        if self.model_name == "model":
            self.model_name = getattr(model, "name", None) or "model"
        return self

    def _predict(self, X) -> np.ndarray:
        try:
            out = self.model.predict(X, verbose=0)
        except TypeError:  # sklearn-style predict without a verbose keyword
            out = self.model.predict(X)
        return np.ravel(np.asarray(out, dtype=float))

    # -- metrics -----------------------------------------------------------------------
    def calculate_results(self) -> dict[str, float]:
        """Compute predictions, residuals, the loss dict and per-bin ROC/PR.

        Returns
        -------
        dict
            ``loss``: ``train_loss, train_rmse`` (when training predictions were given),
            ``test_loss`` (MSE), ``test_rmse``, ``rmse_pos, rmse_neg, l2_norm, l2_pos,
            l2_neg``, ``mae``, ``r2``, ``mean_auc``, ``mean_pr``.
        """
        if self.y_pred is None and self.model is not None and self.X_test is not None:
            self.y_pred = self._predict(self.X_test)
            if self.X_train is not None and self.y_train_true is not None:
                self.y_train_pred = self._predict(self.X_train)
        if self.y_true is None or self.y_pred is None:
            raise InputError(
                "ComputeRegressor needs y_true and y_pred to calculate results; "
                "pass them to the constructor or load a results folder with upload()."
            )
        if self.y_true.shape != self.y_pred.shape:
            raise InputError(
                f"y_true has {self.y_true.size} values but y_pred has {self.y_pred.size}."
            )
        self.predictions = np.column_stack([self.y_pred, self.y_true])
        self.residuals = self.y_pred - self.y_true
        m = regression_metrics(self.y_true, self.y_pred)
        loss: dict[str, float] = {}
        if self.y_train_true is not None and self.y_train_pred is not None:
            tm = regression_metrics(self.y_train_true, self.y_train_pred)
            loss["train_loss"] = tm["rmse"] ** 2
            loss["train_rmse"] = tm["rmse"]
        loss["test_loss"] = m["rmse"] ** 2
        loss["test_rmse"] = m["rmse"]
        for key in ("rmse_pos", "rmse_neg", "l2_norm", "l2_pos", "l2_neg", "mae", "r2"):
            loss[key] = m[key]
        self.curves = binned_roc_pr(self.y_true, self.y_pred, self.thresholds)
        self.roc_auc = {k: c["auc"] for k, c in self.curves.items()}
        self.pr = {k: c["ap"] for k, c in self.curves.items()}
        loss["mean_auc"], loss["mean_pr"] = mean_auc_pr(self.curves)
        self.loss = loss
        self._clear_figures()
        return loss

    # -- save / load -------------------------------------------------------------------
    def make_outputs(self, dl: bool = False) -> dict[str, Any]:
        """Return the results dict (1.1.4 key names); with ``dl=True`` also write it.

        ``dl`` defaults to False here (earlier spacekit 2 releases returned the dict
        only); :meth:`download` writes it.
        """
        if self.loss is None:
            self.calculate_results()
        test_idx = pd.DataFrame(
            {"y_true": self.y_true, "y_pred": self.y_pred},
            index=pd.Index(self.test_idx or range(len(self.y_true)), name="index"),
        )
        outputs: dict[str, Any] = {
            "predictions": self.predictions,
            "residuals": self.residuals,
            "loss": self.loss,
            "test_idx": test_idx,
            "roc_auc": {f"bin{k}": v for k, v in (self.roc_auc or {}).items()},
            "pr": {f"bin{k}": v for k, v in (self.pr or {}).items()},
        }
        if self.history and not self.validation:
            outputs["history"] = self.history
        if dl:
            self.download(outputs)
        return outputs

    def manifest_meta(self) -> dict[str, Any]:
        meta = super().manifest_meta()
        meta.update(task="regression", thresholds=list(self.thresholds))
        return meta

    def _apply_manifest(self, meta: Mapping[str, Any]) -> None:
        super()._apply_manifest(meta)
        th = meta.get("thresholds")
        if isinstance(th, list) and len(th) >= 2:
            self.thresholds = tuple(float(t) for t in th)

    def load_results(self, outputs: Mapping[str, Any]) -> ComputeRegressor:
        """Set the attributes from a dict returned by ``load_results``; recompute curves."""
        if "predictions" not in outputs:
            raise ArchiveError(
                f"Results have no 'predictions' (found {sorted(outputs)}); expected a "
                "regressor results folder."
            )
        pred = np.asarray(outputs["predictions"], dtype=float)
        if pred.ndim != 2 or pred.shape[1] != 2:
            raise ArchiveError(
                f"Results 'predictions' has shape {pred.shape}; expected (n, 2) columns "
                "(predicted, true) as written by ComputeRegressor.download()."
            )
        self.y_pred, self.y_true = pred[:, 0], pred[:, 1]
        self.predictions = pred
        self.residuals = np.asarray(outputs.get("residuals", pred[:, 0] - pred[:, 1]), float)
        self._load_history(outputs)
        self.loss = {k: float(np.asarray(v)) for k, v in dict(outputs.get("loss", {})).items()}
        idx = outputs.get("test_idx")
        if isinstance(idx, pd.DataFrame | pd.Series):
            self.test_idx = [str(i) for i in idx.index]
        elif idx is not None:
            self.test_idx = [str(i) for i in np.ravel(idx)]
        if "kfold" in outputs:
            self.kfold = outputs["kfold"]
        self.curves = binned_roc_pr(self.y_true, self.y_pred, self.thresholds)
        self.roc_auc = {k: c["auc"] for k, c in self.curves.items()}
        self.pr = {k: c["ap"] for k, c in self.curves.items()}
        if "test_rmse" not in self.loss:
            m = regression_metrics(self.y_true, self.y_pred)
            self.loss.update(test_rmse=m["rmse"], test_loss=m["rmse"] ** 2, mae=m["mae"])
        self._clear_figures()
        return self

    # -- figures -----------------------------------------------------------------------
    def resid_plot(self, desc: str = ""):
        """Predicted against true values with the identity line."""
        sfx = f" ({desc})" if desc else ""
        return F.make_residual_figure(self.y_true, self.y_pred, f"Residual error{sfx}")

    def make_roc_curve(self, desc: str = "", **kwargs):
        """Per-memory-bin ROC curves from continuous bin scores."""
        sfx = f" ({desc})" if desc else ""
        return F.make_roc_figure(self.curves, f"ROC per memory bin{sfx}")

    def make_pr_curve(self, desc: str = "", **kwargs):
        """Per-memory-bin precision-recall curves."""
        sfx = f" ({desc})" if desc else ""
        return F.make_pr_figure(self.curves, f"Precision-recall per memory bin{sfx}")

    def draw_plots(self, desc: str = "") -> dict[str, Any]:
        """Build the plotly residual, loss, ROC and PR figures (set as attributes)."""
        if self.curves is None:
            self.calculate_results()
        self.res_fig = self.resid_plot(desc)
        self.loss_fig = self.keras_loss_plot(desc)
        self.roc_fig = self.make_roc_curve(desc)
        self.pr_fig = self.make_pr_curve(desc)
        return {
            "residuals": self.res_fig,
            "loss": self.loss_fig,
            "roc": self.roc_fig,
            "pr": self.pr_fig,
        }

    def save_plots(
        self, folder: str | os.PathLike, prefix: str = "", html: bool = True, png: bool = True
    ) -> list[Path]:
        """Write the four figures to ``folder`` as HTML (plotly) and/or PNG (matplotlib)."""
        if self.curves is None:
            self.calculate_results()
        folder = Path(folder)
        written: list[Path] = []
        if html:
            figs = self.draw_plots(prefix.rstrip("-_"))
            for name, fig in figs.items():
                path = folder / f"{prefix}{name}.html"
                written.append(F.save_figure(fig, path, plotlyjs="directory"))
        if png:
            mpl = {
                "residuals": F.mpl_residual_figure(self.y_true, self.y_pred),
                "loss": F.mpl_loss_figure(self.history, "loss"),
                "roc": F.mpl_roc_figure(self.curves),
                "pr": F.mpl_pr_figure(self.curves),
            }
            for name, fig in mpl.items():
                written.append(F.save_figure(fig, folder / f"{prefix}{name}.png"))
        return written
