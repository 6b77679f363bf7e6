"""Classifier prediction analysis: confusion matrix, ROC/PR curves, misclassified examples."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_path
from spacekit.analyzer.figures import (
    check_backend,
    make_confusion_matrix_figure,
    make_curves_figure,
    make_gallery_figure,
    save_figure,
)
from spacekit.exceptions import DataError, InputError
from spacekit.visualization._export import output_dir

__all__ = ["PredictionVisualizer", "to_numpy"]

log = logging.getLogger(__name__)


def to_numpy(x: Any) -> np.ndarray:
    """Return ``x`` as a numpy array (numpy, lists, TensorFlow/JAX/PyTorch tensors)."""
    if hasattr(x, "detach"):  # torch: leave the graph and the device
        x = x.detach().cpu()
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    return np.asarray(x)


def _is_image(sample: np.ndarray) -> bool:
    if sample.ndim == 2:
        return min(sample.shape) >= 4
    if sample.ndim == 3:
        return sample.shape[-1] in (1, 3, 4) or sample.shape[0] in (1, 3, 4)
    return False


def _describe(sample: np.ndarray, n: int = 6) -> str:
    """A few values of a non-image input as text (numbers as %.3g, text shortened)."""
    if sample.ndim == 0 and not np.issubdtype(sample.dtype, np.number):
        text = str(sample.item())
        return text if len(text) <= 60 else text[:57] + "..."
    lines = []
    for i, v in enumerate(np.ravel(sample)[:n]):
        value = f"{v:.3g}" if np.issubdtype(type(v), np.number) else str(v)[:20]
        lines.append(f"x[{i}]={value}")
    return "\n".join(lines)


class PredictionVisualizer:
    """Accumulate predictions batch by batch and draw how a classifier performs.

    Parameters
    ----------
    class_names : sequence of str, optional
        Label of each class index. Default: ``"0", "1", ...``.
    num_classes : int, optional
        Number of classes when ``class_names`` is not given (otherwise inferred from the
        probabilities or the largest label).
    save_dir : str or path-like, optional
        Root of the output tree; figures go to ``<save_dir>/predictions/``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        Default figure type (``interactive=True`` on a plot method means plotly).
    max_stored_inputs : int, default=1000
        At most this many misclassified inputs are kept for the gallery.

    Examples
    --------
    >>> viz = PredictionVisualizer(class_names=["aligned", "misaligned"])
    >>> viz.update([0, 1, 1, 0], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
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
    def update(self, y_true: Any, y_pred: Any, inputs: Any = None) -> None:
        """Add a batch of targets and predictions.

        Parameters
        ----------
        y_true : array-like of shape (n,) or (n, n_classes)
            Integer class labels, or one-hot rows.
        y_pred : array-like of shape (n,), (n, 1) or (n, n_classes)
            Predicted labels (integers), probabilities of the positive class for binary
            models (floats in [0, 1]), or class probabilities / scores per row.
            Probabilities enable ROC and PR curves and confidence ranking.
        inputs : array-like of shape (n, ...), optional
            The model inputs; misclassified ones are kept for the gallery (images drawn
            as images, other inputs as text).
        """
        yt = to_numpy(y_true)
        yp = to_numpy(y_pred)
        if yt.ndim == 2 and yt.shape[1] > 1:
            yt = yt.argmax(axis=1)
        yt = yt.reshape(-1)
        if not np.issubdtype(yt.dtype, np.number) or not np.all(np.mod(yt, 1) == 0):
            raise InputError(f"y_true must hold integer class labels; received dtype {yt.dtype}.")
        yt = yt.astype(int)
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
            pred = proba.argmax(axis=1)
        else:
            pred = yp.reshape(-1).astype(int)
        if len(pred) != len(yt):
            raise InputError(f"y_true has {len(yt)} samples but y_pred has {len(pred)}.")
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
    def _save(self, fig: Any, name: str, save_path: Any, interactive: bool, save: bool) -> None:
        if save_path is not None:
            save_figure(fig, save_path)
        elif save and self.save_dir is not None:
            suffix = ".html" if interactive or self.backend == "plotly" else ".png"
            save_figure(fig, output_dir(self.save_dir, "predictions") / f"{name}{suffix}")

    def _backend(self, interactive: bool) -> str:
        return "plotly" if interactive else self.backend

    def plot_confusion_matrix(
        self,
        normalize: bool = False,
        save_path: Any = None,
        interactive: bool = False,
        save: bool = True,
    ):
        """Draw (and save as ``confusion_matrix[_normalized]``) the confusion matrix."""
        cm = self.confusion_matrix(normalize=normalize)
        fig = make_confusion_matrix_figure(
            cm, self.labels_, normalized=normalize, backend=self._backend(interactive)
        )
        name = "confusion_matrix_normalized" if normalize else "confusion_matrix"
        self._save(fig, name, save_path, interactive, save)
        return fig

    def plot_roc_curve(self, save_path: Any = None, interactive: bool = False, save: bool = True):
        """Draw (and save as ``roc_curve``) ROC curves with their AUC."""
        fig = make_curves_figure(self.roc_curves(), kind="roc", backend=self._backend(interactive))
        self._save(fig, "roc_curve", save_path, interactive, save)
        return fig

    def plot_pr_curve(self, save_path: Any = None, interactive: bool = False, save: bool = True):
        """Draw (and save as ``pr_curve``) precision-recall curves with average precision."""
        fig = make_curves_figure(self.pr_curves(), kind="pr", backend=self._backend(interactive))
        self._save(fig, "pr_curve", save_path, interactive, save)
        return fig

    def analyze_misclassifications(
        self, top_k: int = 16, save_path: Any = None, save: bool = True
    ) -> tuple[pd.DataFrame, Any]:
        """Tabulate the misclassified samples and draw a gallery of the worst ``top_k``.

        Returns
        -------
        pandas.DataFrame
            One row per misclassified sample (index: position in the accumulated data) with
            ``true``, ``predicted``, ``true_name``, ``predicted_name``, ``confidence``
            (probability of the predicted class), ``true_proba`` and ``loss``
            (``-log true_proba``); most confident mistakes first. Without probabilities the
            three numeric columns are NaN and the order is the sample order.
        matplotlib.figure.Figure
            Gallery of the first ``top_k`` rows (images when the inputs are images, else
            text cards); saved as ``misclassified.png``.
        """
        self._check()
        y, pred, proba = self.y_true, self.y_pred, self.y_proba
        idx = np.flatnonzero(y != pred)
        names = np.asarray(self.labels_, dtype=object)
        df = pd.DataFrame(
            {
                "true": y[idx],
                "predicted": pred[idx],
                "true_name": names[y[idx]],
                "predicted_name": names[pred[idx]],
            },
            index=pd.Index(idx, name="sample"),
        )
        if proba is not None:
            conf = proba[idx, pred[idx]]
            true_p = proba[idx, y[idx]]
            df["confidence"] = conf
            df["true_proba"] = true_p
            df["loss"] = -np.log(np.clip(true_p, 1e-12, 1.0))
            df = df.sort_values("confidence", ascending=False, kind="stable")
        else:
            df["confidence"] = df["true_proba"] = df["loss"] = np.nan
        items = []
        for sample, row in df.head(top_k).iterrows():
            x = self._inputs.get(int(sample))
            conf = "" if np.isnan(row["confidence"]) else f" ({row['confidence']:.2f})"
            item = {
                "title": f"#{sample} true {row['true_name']}\npred {row['predicted_name']}{conf}"
            }
            if x is not None and _is_image(x):
                item["image"] = x
            elif x is not None:
                item["detail"] = _describe(x)
            items.append(item)
        fig = make_gallery_figure(items)
        if save_path is not None:
            save_figure(fig, save_path)
        elif save and self.save_dir is not None:
            save_figure(fig, output_dir(self.save_dir, "predictions") / "misclassified.png")
            with atomic_path(output_dir(self.save_dir, "predictions") / "misclassified.csv") as tmp:
                df.to_csv(tmp)
        return df, fig

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
