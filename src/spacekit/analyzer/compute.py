"""Compute, save and load the results of a trained regressor.

:class:`ComputeRegressor` keeps spacekit 1.1.4's name and results-folder names
(``history``, ``loss``, ``predictions``, ``residuals``, ``test_idx``) but works on plain
arrays: it never imports TensorFlow, takes the model's predictions rather than the
model, and saves through :mod:`spacekit.analyzer.results` (no pickle). Figures are built
by the pure functions of :mod:`spacekit.analyzer.figures`.

Examples
--------
>>> import numpy as np
>>> from spacekit.analyzer.compute import ComputeRegressor
>>> com = ComputeRegressor(y_true=[1.0, 2.0, 30.0], y_pred=[1.5, 1.8, 28.0])
>>> round(com.calculate_results()["test_rmse"], 3)
1.185
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
from spacekit.analyzer.metrics import (
    DEFAULT_THRESHOLDS,
    binned_roc_pr,
    mean_auc_pr,
    regression_metrics,
)
from spacekit.analyzer.results import load_results, save_results
from spacekit.exceptions import ArchiveError, InputError

__all__ = ["ComputeRegressor"]

log = logging.getLogger(__name__)


class ComputeRegressor:
    """Metrics, results folder and figures of one trained regressor (e.g. one CV fold).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,), optional
        Test-set truth and predictions (GB).
    history : mapping, optional
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
    """

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
    ):
        self.y_true = None if y_true is None else np.ravel(y_true).astype(float)
        self.y_pred = None if y_pred is None else np.ravel(y_pred).astype(float)
        self.history = {k: np.ravel(v).astype(float) for k, v in (history or {}).items()}
        self.test_idx = None if test_idx is None else [str(i) for i in test_idx]
        self.y_train_true = y_train_true
        self.y_train_pred = y_train_pred
        self.model_name = model_name
        self.res_path = None if res_path is None else Path(res_path)
        self.thresholds = tuple(float(t) for t in thresholds)
        self.algorithm = algorithm
        self.predictions: np.ndarray | None = None
        self.residuals: np.ndarray | None = None
        self.loss: dict[str, float] | None = None
        self.curves: dict[int, dict] | None = None
        self.roc_auc: dict[int, float] | None = None
        self.pr: dict[int, float] | None = None
        self.res_fig = self.loss_fig = self.roc_fig = self.pr_fig = None

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
        return loss

    # -- save / load -------------------------------------------------------------------
    def make_outputs(self) -> dict[str, Any]:
        """Return the dict written by :meth:`download` (1.1.4 key names)."""
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
        if self.history:
            outputs["history"] = self.history
        return outputs

    def download(self, res_path: str | os.PathLike | None = None) -> Path:
        """Save the results to ``res_path`` (or the constructor's) and return the folder."""
        target = Path(res_path) if res_path is not None else self.res_path
        if target is None:
            raise InputError(
                "No results folder given; pass res_path (spacekit never writes results "
                "into the current directory by default)."
            )
        meta = {
            "task": "regression",
            "model_name": self.model_name,
            "algorithm": self.algorithm,
            "thresholds": list(self.thresholds),
        }
        return save_results(target, self.make_outputs(), meta=meta)

    def upload(self, res_path: str | os.PathLike | None = None) -> dict[str, Any]:
        """Load a results folder into this object and return the raw dict."""
        target = Path(res_path) if res_path is not None else self.res_path
        if target is None:
            raise InputError("No results folder given to upload(); pass res_path.")
        outputs = load_results(target)
        self.load_results(outputs)
        return outputs

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
        self.history = {k: np.ravel(v) for k, v in dict(outputs.get("history", {})).items()}
        self.loss = {k: float(np.asarray(v)) for k, v in dict(outputs.get("loss", {})).items()}
        idx = outputs.get("test_idx")
        if isinstance(idx, pd.DataFrame | pd.Series):
            self.test_idx = [str(i) for i in idx.index]
        elif idx is not None:
            self.test_idx = [str(i) for i in np.ravel(idx)]
        self.curves = binned_roc_pr(self.y_true, self.y_pred, self.thresholds)
        self.roc_auc = {k: c["auc"] for k, c in self.curves.items()}
        self.pr = {k: c["ap"] for k, c in self.curves.items()}
        return self

    # -- figures -----------------------------------------------------------------------
    def draw_plots(self, desc: str = "") -> dict[str, Any]:
        """Build the plotly residual, loss, ROC and PR figures (set as attributes)."""
        if self.curves is None:
            self.calculate_results()
        sfx = f" ({desc})" if desc else ""
        self.res_fig = F.make_residual_figure(self.y_true, self.y_pred, f"Residual error{sfx}")
        self.loss_fig = F.make_loss_figure(
            self.history, "loss", f"Training vs validation loss{sfx}"
        )
        self.roc_fig = F.make_roc_figure(self.curves, f"ROC per memory bin{sfx}")
        self.pr_fig = F.make_pr_figure(self.curves, f"Precision-recall per memory bin{sfx}")
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
