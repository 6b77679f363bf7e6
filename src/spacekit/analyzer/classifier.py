"""Results of a trained classifier: binary (SVM alignment) and multiclass (memory bins).

Import these from :mod:`spacekit.analyzer.compute` (the 1.1.4 path). Two ways in:

* **From arrays** (what the skopes' trainers do): the test-set truth and the model's
  probabilities, plus the history and, optionally, the training-set truth and scores::

      com = ComputeMulti(
          y_true=y_test, y_scores=model.predict(X_test), history=history.history,
          test_idx=ipst_test, y_train_true=y_train, y_train_scores=model.predict(X_train),
          res_path=run_dir / "results" / "mem_bin",
      )
      com.calculate_multi()      # metrics (1.1.4 name; calculate_results() is the same)
      com.make_outputs()         # writes results/mem_bin/ atomically (dl=True)

* **From a model** (the 1.1.4 way): ``com.inputs(model, history, X_train, y_train,
  X_test, y_test, test_idx)`` or ``ComputeBinary(builder=obj)``; the model's
  ``predict_proba`` (or ``predict``) gives the scores.

Reload a folder with ``com = ComputeMulti(res_path=folder); out = com.upload()``
(``com.load_results(out)`` again is harmless, as in 1.1.4), then use ``com.roc_fig``,
``com.pr_fig``, ``com.cm_fig``, ``com.acc_fig``, ``com.loss_fig`` or ``draw_plots()``.

Results folder (1.1.4 names; what changed is in the docs' differences page):

=================  ===================================================================
file               contents
=================  ===================================================================
``y_onehot.csv``   one-hot truth, columns ``lab_0..`` (binary) or ``bin_0..`` (multi)
``y_scores.npy``   (n, k) **probabilities** (1.1.4 stored 0/1-rounded binary scores)
``y_pred.npy``     (n,) predicted labels (binary) or (n, k) one-hot of the argmax (multi)
``cmx.npy``        (k, k) confusion counts; ``cmx_norm.npy`` row-normalised (0 rows stay 0)
``roc_auc.npy``    0-d AUC of the positive class (binary) or (k,) one-vs-rest AUCs
``acc_loss.npz``   ``train_acc, train_loss, test_acc, test_loss`` (unrounded; NaN if unknown)
``report.json``    scikit-learn's text classification report (a JSON string)
``metrics.json``   every metric of :func:`~spacekit.analyzer.classification.classification_metrics`
``fnfp.csv``       misclassified rows: ``index, y_true, y_pred, proba, kind`` (fn / fp)
``test_idx.csv``   row labels of the test set and their true label
``history.npz``    per-epoch metrics (absent for validation sets)
``manifest.json``  format version, task, class names, model name, spacekit version
=================  ===================================================================
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from spacekit.analyzer import classification as C
from spacekit.analyzer.computer import Computer, LazyFigure, history_dict
from spacekit.exceptions import ArchiveError, InputError

__all__ = ["ComputeClassifier", "ComputeBinary", "ComputeMulti"]

log = logging.getLogger(__name__)

MEM_BIN_CLASSES = ("2g", "8g", "16g", "64g")
SVM_CLASSES = ("aligned", "misaligned")


def _model_scores(model, X) -> np.ndarray:
    """Probabilities of ``model`` on ``X`` (``predict_proba`` preferred over ``predict``)."""
    if X is None:
        raise InputError("No test inputs: pass X_test through inputs() or y_scores=...")
    fn = getattr(model, "predict_proba", None) or getattr(model, "predict", None)
    if fn is None:
        raise InputError(f"{type(model).__name__} has no predict/predict_proba method.")
    try:
        return np.asarray(fn(X, verbose=0))
    except TypeError:  # sklearn-style predict without a verbose keyword
        return np.asarray(fn(X))


class ComputeClassifier(Computer):
    """Metrics, results folder and figures of one trained classifier.

    Parameters
    ----------
    builder : object, optional
        An object with 1.1.4 ``Builder`` attributes (``model``, ``history``,
        ``X_train`` ... ``test_idx``); its inputs are taken with :meth:`builder_inputs`.
    algorithm : str, default="clf"
    classes : sequence of str, default=("2g", "8g", "16g", "64g")
        One name per model output (class ``k`` is column ``k`` of the scores).
    res_path : path-like, optional
        Results folder for :meth:`download` / :meth:`upload` (no default: nothing is
        written to the current directory unless asked).
    show : bool, default=False
        Ignored (1.1.4 compatibility); figures are never opened by the library.
    validation : bool, default=False
        A validation set: no history is expected or written.
    y_true : array-like of shape (n_samples,) or one-hot (n_samples, n_classes), optional
        Test-set truth.
    y_scores : array-like of shape (n_samples, n_classes) or (n_samples,), optional
        Test-set probabilities (a single column is a sigmoid output ``p(class 1)``).
    history : dict or keras.callbacks.History, optional
    test_idx : sequence or pandas.Series or pandas.Index, optional
        Row labels of the test set (a Series' index is used, as in 1.1.4).
    y_train_true, y_train_scores : array-like, optional
        Training-set truth and probabilities, for ``train_acc`` / ``train_loss``.
    model_name : str, optional
    threshold : float, default=0.5
        Binary decision threshold on ``p(class 1)``.
    ordinal : bool, default=True
        Multiclass FN/FP semantics: classes are ordered (memory bins), so a prediction
        below the truth is a false negative (under-estimate), above is a false positive.
    name : str, optional
        1.1.4 compatibility (logger name).
    **log_kws
        Ignored (1.1.4 compatibility).

    Attributes
    ----------
    y_onehot : pandas.DataFrame
        One-hot truth (bool columns ``{prefix}_{k}``).
    y_scores : numpy.ndarray of shape (n_samples, n_classes)
    y_pred : numpy.ndarray of shape (n_samples,)
        Predicted labels (threshold for binary, argmax for multiclass).
    cmx, cmx_norm : numpy.ndarray
        Confusion counts and row-normalised fractions (rows: true class).
    roc_auc : float or list of float
        Positive-class AUC (binary) or one-vs-rest AUC per class (multiclass).
    curves : dict
        Per-class ROC / PR arrays from the scores (see
        :func:`~spacekit.analyzer.classification.class_curves`).
    metrics : dict
        See :func:`~spacekit.analyzer.classification.classification_metrics`.
    acc_loss : dict
        ``train_acc, train_loss, test_acc, test_loss``.
    report : str
        scikit-learn's text classification report.
    fnfp : pandas.DataFrame
        Misclassified rows (``y_true, y_pred, proba, kind``).
    roc_fig, pr_fig, cm_fig, acc_fig, loss_fig : plotly.graph_objects.Figure
        Built on first access (or by :meth:`draw_plots`).

    Examples
    --------
    >>> from spacekit.analyzer.compute import ComputeBinary
    >>> com = ComputeBinary(y_true=[0, 0, 1, 1], y_scores=[0.1, 0.6, 0.4, 0.9])
    >>> com.calculate_results(show_summary=False)["accuracy"]
    0.5
    >>> round(com.roc_auc, 2)
    0.75
    """

    roc_fig = LazyFigure("make_roc_curve")
    pr_fig = LazyFigure("make_pr_curve")
    cm_fig = LazyFigure("_confusion_figure")

    onehot_prefix = "lab"

    def __init__(
        self,
        builder=None,
        algorithm: str = "clf",
        classes: Sequence[str] = MEM_BIN_CLASSES,
        res_path: str | os.PathLike | None = None,
        show: bool = False,
        validation: bool = False,
        *,
        y_true=None,
        y_scores=None,
        history=None,
        test_idx=None,
        y_train_true=None,
        y_train_scores=None,
        model_name: str | None = None,
        threshold: float = 0.5,
        ordinal: bool = True,
        name: str | None = None,
        **log_kws,
    ):
        super().__init__(algorithm, res_path, show, validation, name, **log_kws)
        self.classes = [str(c) for c in classes]
        if len(self.classes) < 2:
            raise InputError(f"A classifier needs at least two classes; received {classes!r}.")
        if not 0.0 < float(threshold) < 1.0:
            raise InputError(f"threshold must be between 0 and 1; received {threshold}.")
        self.threshold = float(threshold)
        self.ordinal = bool(ordinal)
        self.model_name = model_name
        self.y_test = y_true
        self._y_scores_in = y_scores
        self.history = history_dict(history)
        self.test_idx = test_idx
        self.y_train = y_train_true
        self._y_train_scores_in = y_train_scores
        self.y_onehot: pd.DataFrame | None = None
        self.y_scores: np.ndarray | None = None
        self.y_pred: np.ndarray | None = None
        self.y_true: np.ndarray | None = None
        self.cmx = self.cmx_norm = None
        self.roc_auc = None
        self.curves: dict | None = None
        self.metrics: dict | None = None
        self.acc_loss: dict | None = None
        self.report: str | None = None
        self.fnfp: pd.DataFrame | None = None
        self.pr: list | float | None = None
        if builder is not None:
            self.builder_inputs(builder)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def _has_results(self) -> bool:
        return self.y_scores is not None

    def inputs(self, model, history, X_train, y_train, X_test, y_test, test_idx):
        self._y_scores_in = self._y_train_scores_in = None
        return super().inputs(model, history, X_train, y_train, X_test, y_test, test_idx)

    # -- pieces (1.1.4 method names) ---------------------------------------------------
    def onehot_y(self, prefix: str | None = None) -> pd.DataFrame:
        """One-hot truth as bool columns ``{prefix}_0 .. {prefix}_{k-1}``."""
        prefix = prefix or self.onehot_prefix
        labels = C.as_labels(self.y_test, self.n_classes)
        onehot = np.eye(self.n_classes, dtype=bool)[labels]
        cols = [f"{prefix}_{k}" for k in range(self.n_classes)]
        return pd.DataFrame(onehot, columns=cols, index=self._index(labels.size))

    def score_y(self) -> np.ndarray:
        """Test-set probabilities, shape (n, k): given, or from the model (never rounded)."""
        raw = self._y_scores_in
        if raw is None:
            if self.model is None:
                raise InputError(
                    f"{type(self).__name__} needs y_true and y_scores (or a model and "
                    "X_test through inputs()) to calculate results."
                )
            raw = _model_scores(self.model, self.X_test)
        return C.as_scores(raw, self.n_classes)

    def _train_scores(self) -> np.ndarray | None:
        raw = self._y_train_scores_in
        if raw is None and self.model is not None and self.X_train is not None:
            raw = _model_scores(self.model, self.X_train)
        return None if raw is None else C.as_scores(raw, self.n_classes)

    def _index(self, n: int) -> pd.Index:
        idx = self.test_idx
        if isinstance(idx, pd.Series | pd.DataFrame):
            idx = idx.index
        if idx is None:
            return pd.RangeIndex(n, name="index")
        idx = pd.Index(idx)
        if len(idx) != n:
            raise InputError(f"test_idx has {len(idx)} labels but the test set has {n} rows.")
        return idx

    def acc_loss_scores(self) -> dict[str, float]:
        """``train_acc, train_loss, test_acc, test_loss`` (cross-entropy), unrounded.

        The loss is the mean cross-entropy of the true class computed from the
        probabilities (what Keras reports, without regularisation terms). Training values
        are NaN when no training truth and scores were given.
        """
        s = self.y_scores if self.y_scores is not None else self.score_y()
        truth = C.as_labels(self.y_test, self.n_classes)
        pred = C.predict_labels(s, self.threshold)
        out = {
            "train_acc": float("nan"),
            "train_loss": float("nan"),
            "test_acc": float(np.mean(pred == truth)),
            "test_loss": C._log_loss(truth, s),
        }
        tr = self._train_scores()
        if tr is not None and self.y_train is not None:
            ytr = C.as_labels(self.y_train, self.n_classes, "y_train_true")
            if ytr.size != tr.shape[0]:
                raise InputError(
                    f"y_train_true has {ytr.size} rows but the training scores have {tr.shape[0]}."
                )
            out["train_acc"] = float(np.mean(C.predict_labels(tr, self.threshold) == ytr))
            out["train_loss"] = C._log_loss(ytr, tr)
        return out

    def track_fnfp(self) -> pd.DataFrame:
        """The misclassified rows (see :func:`~spacekit.analyzer.classification.fnfp_table`)."""
        return C.fnfp_table(
            self.y_true, self.y_scores, self._index(self.y_true.size), self.threshold, self.ordinal
        )

    fnfp_multi = track_fnfp

    # -- metrics -----------------------------------------------------------------------
    def calculate_results(self, show_summary: bool = True) -> dict:
        """Compute every metric from the scores; return :attr:`metrics`.

        Parameters
        ----------
        show_summary : bool, default=True
            Log a one-line summary at INFO level (1.1.4 printed it).
        """
        if self.y_test is None:
            raise InputError(
                f"{type(self).__name__} needs y_true (the test-set truth) to calculate "
                "results; pass y_true=... or call inputs() first."
            )
        self.y_scores = self.score_y()
        self.y_true = C.as_labels(self.y_test, self.n_classes)
        if self.y_true.size != self.y_scores.shape[0]:
            raise InputError(
                f"y_true has {self.y_true.size} rows but y_scores has {self.y_scores.shape[0]}."
            )
        self.y_onehot = self.onehot_y()
        self.y_pred = C.predict_labels(self.y_scores, self.threshold)
        self.metrics = C.classification_metrics(
            self.y_true, self.y_scores, self.classes, self.threshold
        )
        self.curves = C.class_curves(self.y_true, self.y_scores, self.classes)
        self._set_auc()
        self.cmx, self.cmx_norm = C.confusion(self.y_true, self.y_pred, self.n_classes)
        self.acc_loss = self.acc_loss_scores()
        self.report = self._text_report()
        self.fnfp = self.track_fnfp()
        self._clear_figures()
        if show_summary:
            log.info(
                "%s: accuracy %.4f, ROC-AUC %.4f, %d misclassified of %d",
                self.model_name or self.algorithm,
                self.metrics["accuracy"],
                self.metrics["roc_auc"],
                len(self.fnfp),
                self.y_true.size,
            )
        return self.metrics

    def _set_auc(self) -> None:
        aucs = [self.curves[k]["auc"] for k in range(self.n_classes)]
        aps = [self.curves[k]["ap"] for k in range(self.n_classes)]
        if self.n_classes == 2:
            self.roc_auc, self.pr = aucs[1], aps[1]
        else:
            self.roc_auc, self.pr = aucs, aps

    def _text_report(self) -> str:
        from sklearn.metrics import classification_report

        return classification_report(
            self.y_true, self.y_pred, labels=list(range(self.n_classes)),
            target_names=self.classes, zero_division=0, digits=4,
        )  # fmt: skip

    # -- save / load -------------------------------------------------------------------
    def _y_pred_output(self) -> np.ndarray:
        return self.y_pred

    def make_outputs(self, dl: bool = True) -> dict[str, Any]:
        """The results dict (1.1.4 keys); with ``dl=True`` also write it to ``res_path``.

        Keys: ``y_onehot, y_scores, y_pred, cmx, cmx_norm, fnfp, test_idx, roc_auc,
        acc_loss, report, metrics`` and ``history`` (unless ``validation``).
        """
        if self.y_scores is None:
            self.calculate_results(show_summary=False)
        test_idx = pd.DataFrame({"y_true": self.y_true}, index=self._index(self.y_true.size))
        outputs: dict[str, Any] = {
            "y_onehot": self.y_onehot.reset_index(drop=True),
            "y_scores": self.y_scores,
            "y_pred": self._y_pred_output(),
            "cmx": self.cmx,
            "cmx_norm": self.cmx_norm,
            "fnfp": self.fnfp,
            "test_idx": test_idx,
            "roc_auc": np.asarray(self.roc_auc, dtype=float),
            "acc_loss": self.acc_loss,
            "report": self.report,
            "metrics": self.metrics,
        }
        if not self.validation and self.history:
            outputs["history"] = self.history
        if dl:
            self.download(outputs)
        return outputs

    def manifest_meta(self) -> dict[str, Any]:
        meta = super().manifest_meta()
        meta.update(
            task="binary" if self.n_classes == 2 else "multiclass",
            classes=self.classes,
            threshold=self.threshold,
            ordinal=self.ordinal,
        )
        return meta

    def _apply_manifest(self, meta: Mapping[str, Any]) -> None:
        super()._apply_manifest(meta)
        classes = meta.get("classes")
        if isinstance(classes, list) and len(classes) >= 2:
            self.classes = [str(c) for c in classes]
        if isinstance(meta.get("threshold"), int | float) and 0 < meta["threshold"] < 1:
            self.threshold = float(meta["threshold"])
        if isinstance(meta.get("ordinal"), bool):
            self.ordinal = meta["ordinal"]

    def load_results(self, outputs: Mapping[str, Any]):
        """Set the attributes from a loaded results dict and recompute the curves.

        Accepts folders written by this class and by spacekit 1.1.4 (rounded binary
        scores then give the same single-point curves they always did). Figures are
        built on first access.

        Raises
        ------
        ArchiveError
            If ``y_scores`` or the truth (``y_onehot`` or ``test_idx``) is missing.
        """
        if "y_scores" not in outputs:
            raise ArchiveError(
                f"Results have no 'y_scores' (found {sorted(outputs)}); expected a "
                "classifier results folder (y_scores.npy, y_onehot.csv ...)."
            )
        scores = np.asarray(outputs["y_scores"], dtype=float)
        if scores.ndim == 2 and scores.shape[1] != self.n_classes and scores.shape[1] > 1:
            log.info("results have %d classes; replacing the default class names", scores.shape[1])
            self.classes = [f"class {k}" for k in range(scores.shape[1])]
        self.y_scores = C.as_scores(scores, self.n_classes)
        self.y_true = self._loaded_truth(outputs)
        self.y_test = self.y_true
        idx = outputs.get("test_idx")
        if isinstance(idx, pd.DataFrame | pd.Series):
            self.test_idx = idx.index
        elif idx is not None:
            self.test_idx = pd.Index(np.ravel(idx))
        if self.test_idx is not None and len(self.test_idx) != self.y_true.size:
            self.test_idx = None
        self.y_pred = C.predict_labels(self.y_scores, self.threshold)
        self.y_onehot = self.onehot_y()
        self.metrics = C.classification_metrics(
            self.y_true, self.y_scores, self.classes, self.threshold
        )
        self.curves = C.class_curves(self.y_true, self.y_scores, self.classes)
        self._set_auc()
        self.cmx, self.cmx_norm = C.confusion(self.y_true, self.y_pred, self.n_classes)
        acc = outputs.get("acc_loss") or {}
        self.acc_loss = {k: float(np.asarray(v)) for k, v in dict(acc).items()}
        if not self.acc_loss:
            self.acc_loss = {
                "train_acc": float("nan"),
                "train_loss": float("nan"),
                "test_acc": self.metrics["accuracy"],
                "test_loss": self.metrics["loss"],
            }
        report = outputs.get("report")
        self.report = report if isinstance(report, str) else self._text_report()
        fnfp = outputs.get("fnfp")
        self.fnfp = fnfp if isinstance(fnfp, pd.DataFrame) else self.track_fnfp()
        self._load_history(outputs)
        self._clear_figures()
        return self

    def _loaded_truth(self, outputs: Mapping[str, Any]) -> np.ndarray:
        n = self.y_scores.shape[0]
        onehot = outputs.get("y_onehot")
        if isinstance(onehot, pd.DataFrame) and onehot.shape == (n, self.n_classes):
            return C.as_labels(onehot.to_numpy(dtype=float), self.n_classes)
        idx = outputs.get("test_idx")
        if isinstance(idx, pd.DataFrame) and idx.shape[0] == n and idx.shape[1] >= 1:
            return C.as_labels(idx.iloc[:, -1].to_numpy(), self.n_classes)
        raise ArchiveError(
            "Results have no usable truth: expected y_onehot.csv with "
            f"{self.n_classes} columns and {n} rows, or test_idx.csv with a label column."
        )

    # -- figures -----------------------------------------------------------------------
    def make_roc_curve(self, desc: str = "", **kwargs):
        """Plotly ROC curve of every class, from the probabilities."""
        from spacekit.analyzer import figures as F

        sfx = f" ({desc})" if desc else ""
        return F.make_roc_figure(self.curves, f"ROC curves{sfx}")

    def make_pr_curve(self, desc: str = "", **kwargs):
        """Plotly precision-recall curve of every class, from the probabilities."""
        from spacekit.analyzer import figures as F

        sfx = f" ({desc})" if desc else ""
        return F.make_pr_figure(self.curves, f"Precision-recall curves{sfx}")

    def _confusion_figure(self):
        return self.fusion_matrix(self.cmx, self.classes, normalize=True)[0]

    def fusion_matrix(self, cm, classes: Sequence[str], normalize: bool = True, cmap="Blues"):
        """Confusion-matrix figure and matrix, as in 1.1.4 (now a plotly heatmap).

        Parameters
        ----------
        cm : array-like of shape (k, k), or a ``(y_true, y_pred)`` tuple
            Counts (2-D ``y_true``/``y_pred`` are reduced with argmax).
        classes : sequence of str
        normalize : bool, default=True
            Row-normalise (rows with no samples stay 0).
        cmap : str, default="Blues"
            Plotly colour scale name.

        Returns
        -------
        (plotly.graph_objects.Figure, numpy.ndarray)
        """
        from spacekit.analyzer.figures import make_confusion_figure

        if isinstance(cm, tuple):
            cm = C.confusion(cm[0], cm[1], len(classes))[0]
        counts = np.asarray(cm, dtype=float)
        matrix = counts
        if normalize:
            rows = counts.sum(axis=1, keepdims=True)
            matrix = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
        fig = make_confusion_figure(matrix, classes, normalized=normalize, colorscale=cmap)
        return fig, matrix

    def draw_plots(self) -> dict[str, Any]:
        """Build (or rebuild) every figure; return ``{name: figure}``.

        Sets ``acc_fig, loss_fig, roc_fig, pr_fig, cm_fig`` (and ``cmx_norm``), as in
        1.1.4; for a validation set the training curves are skipped.
        """
        if self.y_scores is None:
            self.calculate_results(show_summary=False)
        self._clear_figures()
        figs = {"roc": self.roc_fig, "pr": self.pr_fig, "cmx": self.cm_fig}
        if not self.validation:
            figs.update(acc=self.acc_fig, loss=self.loss_fig)
        return figs

    calculate_multi = calculate_results


class ComputeBinary(ComputeClassifier):
    """Binary classifier results (1.1.4 defaults: ``classes=["aligned", "misaligned"]``).

    Same parameters as :class:`ComputeClassifier`; scores may be a single sigmoid column.

    Examples
    --------
    >>> from spacekit.analyzer.compute import ComputeBinary
    >>> com = ComputeBinary(y_true=[0, 1, 1, 0], y_scores=[0.2, 0.9, 0.3, 0.1])
    >>> m = com.calculate_results(show_summary=False)
    >>> com.cmx.tolist()
    [[2, 0], [1, 1]]
    >>> float(com.roc_auc)
    1.0
    """

    def __init__(
        self,
        builder=None,
        algorithm: str = "binary",
        classes: Sequence[str] = SVM_CLASSES,
        res_path: str | os.PathLike | None = None,
        show: bool = False,
        validation: bool = False,
        **kwargs,
    ):
        if len(classes) != 2:
            raise InputError(f"ComputeBinary needs exactly two classes; received {classes!r}.")
        super().__init__(builder, algorithm, classes, res_path, show, validation, **kwargs)


class ComputeMulti(ComputeClassifier):
    """Multiclass results (1.1.4 defaults: memory bins ``["2g", "8g", "16g", "64g"]``).

    Predictions are the argmax of the softmax scores. ``y_pred.npy`` is written as the
    one-hot of that argmax (the 1.1.4 shape), and read back in either form.

    Examples
    --------
    >>> from spacekit.analyzer.compute import ComputeMulti
    >>> scores = [[0.4, 0.3, 0.2, 0.1], [0.1, 0.45, 0.35, 0.1], [0.1, 0.1, 0.2, 0.6]]
    >>> com = ComputeMulti(y_true=[0, 2, 3], y_scores=scores)
    >>> com.calculate_multi(show_summary=False)["accuracy"]
    0.6666666666666666
    >>> com.y_pred.tolist()  # argmax; 1.1.4 rounded to [0, 0, 3]
    [0, 1, 3]
    >>> com.fnfp["kind"].tolist()  # bin 1 predicted for a bin-2 dataset: under-estimate
    ['fn']
    """

    onehot_prefix = "bin"

    def __init__(
        self,
        builder=None,
        algorithm: str = "multiclass",
        classes: Sequence[str] = MEM_BIN_CLASSES,
        res_path: str | os.PathLike | None = None,
        show: bool = False,
        validation: bool = False,
        **kwargs,
    ):
        super().__init__(builder, algorithm, classes, res_path, show, validation, **kwargs)

    def _y_pred_output(self) -> np.ndarray:
        return np.eye(self.n_classes, dtype=np.int64)[self.y_pred]
