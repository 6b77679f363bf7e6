"""Classifier prediction analysis: confusion matrix, ROC/PR curves, misclassified examples.

``update`` takes the dashboard toolkit's order, ``update(predictions, targets,
probabilities=None)``, and spacekit's keywords ``update(y_true=..., y_pred=...)`` where
``y_pred`` may be labels or probabilities. Spacekit's older positional order
``update(y_true, y_pred_probabilities)`` is still recognised: probabilities in the second
place cannot be targets.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.analyzer.figures import (
    check_backend,
    make_confusion_matrix_figure,
    make_curves_figure,
    save_figure,
)
from spacekit.exceptions import DataError, InputError
from spacekit.visualization._export import figure_path, output_dir
from spacekit.visualization._labels import (
    as_labels,
    as_probabilities,
    is_probabilities,
    to_numpy,
)
from spacekit.visualization._misclassified import MisclassificationsMixin

__all__ = ["PredictionVisualizer", "to_numpy"]

log = logging.getLogger(__name__)


class PredictionVisualizer(MisclassificationsMixin):
    """Accumulate predictions batch by batch and draw how a classifier performs.

    Parameters
    ----------
    class_names : sequence of str, optional
        Label of each class index. Default: ``"0", "1", ...``.
    num_classes : int, optional
        Number of classes when ``class_names`` is not given (otherwise inferred from the
        probabilities or the largest label).
    save_dir : str or path-like, optional
        Where figures are written: ``<save_dir>/predictions/`` when ``save_dir`` is a
        root, or ``save_dir`` itself when it is the predictions folder
        (``"visualizations/predictions"``, the dashboard toolkit's default, then with the
        toolkit's file names). ``None`` writes nothing unless a method gets ``save_path``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        Default figure type (``interactive=True`` on a plot method means plotly).
    max_stored_inputs : int, default=1000
        At most this many misclassified inputs are kept for the gallery.

    Examples
    --------
    >>> viz = PredictionVisualizer(class_names=["aligned", "misaligned"])
    >>> proba = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]]
    >>> viz.update([0, 1, 0, 0], [0, 1, 1, 0], proba)  # predictions, targets, probabilities
    >>> viz.confusion_matrix().tolist()
    [[2, 0], [1, 1]]
    """

    def __init__(
        self,
        class_names: Sequence[str] | None = None,
        num_classes: int | None = None,
        save_dir: str | os.PathLike | None = None,
        backend: str = "matplotlib",
        max_stored_inputs: int = 1000,
    ):
        if class_names is not None and num_classes is not None and len(class_names) != num_classes:
            raise InputError(
                f"class_names has {len(class_names)} names but num_classes={num_classes}; "
                "give one name per class or leave num_classes out."
            )
        self.class_names = list(class_names) if class_names is not None else None
        self.num_classes = num_classes
        self.save_dir = save_dir
        self.backend = check_backend(backend)
        self.max_stored_inputs = max_stored_inputs
        self.reset()

    def reset(self) -> None:
        """Forget every accumulated batch."""
        self._true: list[np.ndarray] = []
        self._pred: list[np.ndarray] = []
        self._proba: list[np.ndarray] | None = []
        self._inputs: dict[int, np.ndarray] = {}
        self._n = 0

    # ------------------------------------------------------------------ accumulation
    def update(
        self,
        predictions: Any = None,
        targets: Any = None,
        probabilities: Any = None,
        inputs: Any = None,
        *,
        y_true: Any = None,
        y_pred: Any = None,
    ) -> None:
        """Add a batch of predictions and targets.

        Parameters
        ----------
        predictions : array-like of shape (n,) or (n, n_classes)
            Predicted class labels, or per-class probabilities/scores (the label is the
            arg-max; rows of probabilities also enable ROC/PR when ``probabilities`` is
            not given). A 1-D float array in [0, 1] is the positive-class probability.
        targets : array-like of shape (n,) or (n, n_classes)
            True class labels, or one-hot rows.
        probabilities : array-like of shape (n, n_classes), (n,) or (n, 1), optional
            Predicted probabilities (a column or vector: of the positive class). They
            enable ROC and PR curves and confidence ranking.
        inputs : array-like of shape (n, ...), optional
            The model inputs; misclassified ones are kept for the gallery (images drawn
            as images, other inputs as text).
        y_true, y_pred : array-like, optional
            Spacekit's keyword form instead of ``predictions``/``targets``: ``y_pred`` may
            be labels, positive-class probabilities (floats in [0, 1]) or per-class
            probabilities.
        """
        if y_true is not None or y_pred is not None:
            if predictions is not None or targets is not None:
                raise InputError(
                    "Pass either update(predictions, targets, probabilities) or "
                    "update(y_true=..., y_pred=...), not both."
                )
            if y_true is None or y_pred is None:
                raise InputError("update(y_true=..., y_pred=...) needs both y_true and y_pred.")
            yt, pred, proba = self._parse_spacekit(y_true, y_pred)
        elif predictions is None or targets is None:
            raise InputError(
                "update(predictions, targets, probabilities=None) needs predictions and "
                "targets (or the keywords y_true= and y_pred=)."
            )
        elif (
            probabilities is None
            and is_probabilities(targets)
            and not is_probabilities(predictions)
        ):
            # spacekit's older positional order update(y_true, y_pred): targets can never
            # be probabilities, so the second argument must be the predictions
            log.debug("update(): probabilities in second place; reading (y_true, y_pred)")
            yt, pred, proba = self._parse_spacekit(predictions, targets)
        else:
            yt = as_labels(targets, "targets")
            pred, proba = self._parse_predictions(predictions)
        if probabilities is not None:
            proba = as_probabilities(probabilities)
        self._add(yt, pred, proba, inputs)

    @staticmethod
    def _parse_predictions(predictions: Any) -> tuple[np.ndarray, np.ndarray | None]:
        p = to_numpy(predictions)
        if p.ndim == 2 and p.shape[1] > 1:
            proba = None
            if np.issubdtype(p.dtype, np.floating) and is_probabilities(p):
                if np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
                    proba = p.astype(float)
            return p.argmax(axis=1).astype(int), proba
        if is_probabilities(p):
            proba = as_probabilities(p, "predictions")
            return proba.argmax(axis=1), proba
        return as_labels(p, "predictions"), None

    @staticmethod
    def _parse_spacekit(y_true: Any, y_pred: Any) -> tuple:
        yt = as_labels(y_true, "y_true")
        yp = to_numpy(y_pred)
        proba = None
        if yp.ndim == 2 and yp.shape[1] > 1:
            proba = yp.astype(float)
        elif np.issubdtype(yp.dtype, np.floating) and not np.all(np.mod(yp, 1) == 0):
            p1 = yp.reshape(-1).astype(float)
            if p1.min() < 0 or p1.max() > 1:
                raise InputError(
                    "1-D float predictions must be probabilities in [0, 1] of the "
                    "positive class; pass labels as integers."
                )
            proba = np.column_stack([1 - p1, p1])
        elif yp.ndim == 2 and yp.shape[1] == 1 and np.issubdtype(yp.dtype, np.floating):
            p1 = yp.reshape(-1).astype(float)
            proba = np.column_stack([1 - p1, p1])
        if proba is not None:
            if not np.all(np.isfinite(proba)):
                raise DataError("Predicted probabilities contain NaN or inf values.")
            return yt, proba.argmax(axis=1), proba
        return yt, as_labels(yp, "y_pred"), None

    def _add(self, yt: np.ndarray, pred: np.ndarray, proba: np.ndarray | None, inputs: Any):
        if len(pred) != len(yt):
            raise InputError(f"y_true has {len(yt)} samples but y_pred has {len(pred)}.")
        if proba is not None and len(proba) != len(yt):
            raise InputError(f"probabilities have {len(proba)} rows for {len(yt)} samples.")
        if self._proba and proba is not None and proba.shape[1] != self._proba[0].shape[1]:
            raise InputError(
                f"Probability columns changed from {self._proba[0].shape[1]} to "
                f"{proba.shape[1]} between batches."
            )
        if self._proba is not None:
            if proba is None:
                if self._proba:
                    log.warning("Batch without probabilities: ROC/PR curves are disabled.")
                self._proba = None
            else:
                self._proba.append(proba)
        if inputs is not None:
            x = to_numpy(inputs)
            if len(x) != len(yt):
                raise InputError(f"inputs has {len(x)} samples but y_true has {len(yt)}.")
            for i in np.flatnonzero(pred != yt):
                if len(self._inputs) >= self.max_stored_inputs:
                    break
                self._inputs[self._n + int(i)] = np.array(x[i])
        self._true.append(yt)
        self._pred.append(pred)
        self._n += len(yt)

    # ------------------------------------------------------------------ data
    @property
    def y_true(self) -> np.ndarray:
        """All accumulated labels."""
        return np.concatenate(self._true) if self._true else np.empty(0, dtype=int)

    @property
    def y_pred(self) -> np.ndarray:
        """All accumulated predicted labels."""
        return np.concatenate(self._pred) if self._pred else np.empty(0, dtype=int)

    @property
    def y_proba(self) -> np.ndarray | None:
        """All accumulated probabilities, or ``None`` if some batch had none."""
        if not self._proba:
            return None
        return np.concatenate(self._proba)

    @property
    def n_classes_(self) -> int:
        """Number of classes (from names, ``num_classes``, probabilities or labels)."""
        if self.class_names is not None:
            return len(self.class_names)
        if self.num_classes is not None:
            return int(self.num_classes)
        proba = self.y_proba
        if proba is not None:
            return proba.shape[1]
        labels = np.concatenate([self.y_true, self.y_pred])
        return int(labels.max()) + 1 if labels.size else 0

    @property
    def labels_(self) -> list[str]:
        """Display name of every class."""
        if self.class_names is not None:
            return [str(c) for c in self.class_names]
        return [str(i) for i in range(self.n_classes_)]

    def _check(self) -> None:
        if self._n == 0:
            raise DataError("No predictions yet; call update(y_true, y_pred) first.")
        k = self.n_classes_
        proba = self.y_proba
        if proba is not None and proba.shape[1] != k:
            raise DataError(
                f"The predicted probabilities have {proba.shape[1]} columns but there are {k} "
                "classes; give one probability column per class (or matching class_names / "
                "num_classes)."
            )
        bad = np.concatenate([self.y_true, self.y_pred])
        if bad.min() < 0 or bad.max() >= k:
            raise DataError(
                f"Labels range over [{bad.min()}, {bad.max()}] but there are {k} "
                "classes; pass class_names or num_classes covering every label."
            )

    def confusion_matrix(self, normalize: bool = False) -> np.ndarray:
        """Return the (n_classes, n_classes) confusion matrix; every class has a row.

        With ``normalize``, rows are divided by the number of true samples of the class
        (rows of absent classes stay 0).
        """
        from sklearn.metrics import confusion_matrix

        self._check()
        cm = confusion_matrix(self.y_true, self.y_pred, labels=np.arange(self.n_classes_))
        if not normalize:
            return cm
        rows = cm.sum(axis=1, keepdims=True)
        return np.divide(cm, rows, out=np.zeros(cm.shape, dtype=float), where=rows > 0)

    def _curves(self, kind: str) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

        self._check()
        proba = self.y_proba
        if proba is None:
            raise DataError(
                "ROC and PR curves need predicted probabilities; pass y_pred as class "
                "probabilities (n, n_classes) or positive-class probabilities to update()."
            )
        y = self.y_true
        names = self.labels_
        columns = [1] if proba.shape[1] == 2 else range(proba.shape[1])
        curves = {}
        for c in columns:
            positive = (y == c).astype(int)
            if positive.min() == positive.max():
                log.warning(
                    "Class %r has only %s samples; its %s curve is skipped.",
                    names[c],
                    "positive" if positive[0] else "negative",
                    kind.upper(),
                )
                continue
            if kind == "roc":
                fpr, tpr, _ = roc_curve(positive, proba[:, c])
                curves[names[c]] = (fpr, tpr, float(auc(fpr, tpr)))
            else:
                prec, rec, _ = precision_recall_curve(positive, proba[:, c])
                curves[names[c]] = (
                    rec,
                    prec,
                    float(average_precision_score(positive, proba[:, c])),
                )
        return curves

    def roc_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        """Return ``{class: (fpr, tpr, auc)}``: the positive class for binary problems,
        one-vs-rest per class otherwise."""
        return self._curves("roc")

    def pr_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        """Return ``{class: (recall, precision, average_precision)}`` (as :meth:`roc_curves`)."""
        return self._curves("pr")

    # ------------------------------------------------------------------ figures
    def _save(self, fig, stem, toolkit_stem, save_path, interactive: bool, save: bool) -> None:
        if save_path is None and save:
            save_path = figure_path(
                self.save_dir, "predictions", stem, toolkit_stem, self._backend(interactive)
            )
        if save_path is not None:
            save_figure(fig, save_path)

    def _backend(self, interactive: bool) -> str:
        return "plotly" if interactive else self.backend

    def plot_confusion_matrix(
        self,
        normalize: bool = False,
        save_path: Any = None,
        interactive: bool = False,
        save: bool = True,
    ):
        """Draw (and save) the confusion matrix: rows are true classes, columns predictions.

        Parameters
        ----------
        normalize : bool, default=False
            Divide each row by the number of samples of its true class.
        save_path : str or path-like, optional
            Default ``confusion_matrix[_normalized].png`` (toolkit layout
            ``confusion_matrix[_norm].png``), ``.html`` when interactive.
        interactive : bool, default=False
            Plotly figure / HTML instead of matplotlib / PNG.
        save : bool, default=True
            Write the default file when the visualizer has a ``save_dir``.
        """
        cm = self.confusion_matrix(normalize=normalize)
        fig = make_confusion_matrix_figure(
            cm, self.labels_, normalized=normalize, backend=self._backend(interactive)
        )
        suffix = ("_normalized", "_norm") if normalize else ("", "")
        self._save(
            fig,
            f"confusion_matrix{suffix[0]}",
            f"confusion_matrix{suffix[1]}",
            save_path,
            interactive,
            save,
        )
        return fig

    def plot_roc_curve(self, save_path: Any = None, interactive: bool = False, save: bool = True):
        """Draw (and save as ``roc_curve``, toolkit layout ``roc_curves``) ROC curves with AUC."""
        fig = make_curves_figure(self.roc_curves(), kind="roc", backend=self._backend(interactive))
        self._save(fig, "roc_curve", "roc_curves", save_path, interactive, save)
        return fig

    def plot_pr_curve(self, save_path: Any = None, interactive: bool = False, save: bool = True):
        """Draw (and save as ``pr_curve``, toolkit layout ``pr_curves``) precision-recall curves."""
        fig = make_curves_figure(self.pr_curves(), kind="pr", backend=self._backend(interactive))
        self._save(fig, "pr_curve", "pr_curves", save_path, interactive, save)
        return fig

    def save_all(self, top_k: int = 16) -> Path:
        """Write every figure (and the misclassification table) to the output tree."""
        if self.save_dir is None:
            raise InputError(
                "save_all() needs save_dir; create PredictionVisualizer(save_dir=...)."
            )
        self.plot_confusion_matrix()
        self.plot_confusion_matrix(normalize=True)
        if self.y_proba is not None:
            self.plot_roc_curve()
            self.plot_pr_curve()
        self.analyze_misclassifications(top_k=top_k)
        return output_dir(self.save_dir, "predictions")
