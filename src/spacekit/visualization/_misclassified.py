"""Misclassification analysis of :class:`~spacekit.visualization.PredictionVisualizer`.

A mixin: the methods use the visualizer's accumulated predictions (``y_true``, ``y_pred``,
``y_proba``, ``labels_``, ``_inputs``, ``_check``, ``_add``) and its ``save_dir``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from spacekit._io import atomic_path
from spacekit.analyzer.figures import make_gallery_figure, save_figure
from spacekit.exceptions import DataError, InputError
from spacekit.visualization._export import output_dir, toolkit_layout
from spacekit.visualization._labels import (
    as_labels,
    iter_batches,
    predict_scores,
    scores_to_probabilities,
)

__all__ = ["MisclassificationsMixin"]

log = logging.getLogger("spacekit.visualization.predictions")


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


class MisclassificationsMixin:
    """Tables and galleries of misclassified samples (mixed into ``PredictionVisualizer``)."""

    def analyze_misclassifications(
        self,
        data_loader: Any = None,
        model: Any = None,
        device: Any = None,
        max_samples: int = 16,
        save_path: Any = None,
        *,
        top_k: int | None = None,
        save: bool = True,
    ) -> tuple[pd.DataFrame, Any]:
        """Tabulate the misclassified samples and draw a gallery of the worst ones.

        ``analyze_misclassifications(data_loader, model)`` (the toolkit's form) runs
        ``model`` on every ``(x, y)`` batch of ``data_loader`` and analyses those
        predictions, without adding them to the accumulated ones. Without them, the
        predictions given to :meth:`update` are analysed.

        Parameters
        ----------
        data_loader : iterable of (x, y) batches or tuple (x, y) of arrays, optional
            A list or generator of batches, a ``tf.data.Dataset``, a
            ``keras.utils.PyDataset``, or arrays (cut into batches of 256).
        model : keras.Model or callable, optional
            Returns class probabilities or scores for a batch (``predict_on_batch`` is used
            when it exists); scores that are not probabilities get a softmax (a sigmoid
            for one column).
        device : object, optional
            Accepted for the toolkit's signature and ignored: Keras places tensors itself.
        max_samples : int, default=16
            Most misclassified samples drawn in the gallery.
        save_path : str or path-like, optional
            Gallery file; default ``misclassified.png`` plus ``misclassified.csv`` (toolkit
            layout ``misclassifications.png``/``.csv``) when there is a ``save_dir``.
        top_k : int, optional
            Spacekit's name for ``max_samples`` (wins when given).
        save : bool, default=True
            Write the default files when the visualizer has a ``save_dir``.

        Returns
        -------
        pandas.DataFrame
            One row per misclassified sample (index: position in the analysed data) with
            ``true``, ``predicted``, ``true_name``, ``predicted_name``, ``confidence``
            (probability of the predicted class), ``true_proba`` and ``loss``
            (``-log true_proba``); most confident mistakes first. Without probabilities the
            three numeric columns are NaN and the order is the sample order.
        matplotlib.figure.Figure
            Gallery of the first ``max_samples`` rows (images when the inputs are images,
            else text cards).
        """
        if isinstance(data_loader, int) and not isinstance(data_loader, bool):
            top_k, data_loader = data_loader, None  # spacekit's older order (top_k, ...)
        top_k = max_samples if top_k is None else top_k
        if data_loader is None:
            if model is not None:
                raise InputError("model= needs a data_loader to run on.")
            source = self
        else:
            if model is None:
                raise InputError(
                    "analyze_misclassifications(data_loader, model) needs the model that "
                    "makes the predictions."
                )
            source = self._predict_loader(data_loader, model)
        df, fig = source._misclassified(top_k)
        log.info("%d misclassified samples of %d", len(df), source._n)
        if save_path is not None:
            save_figure(fig, save_path)
        elif save and self.save_dir is not None:
            folder = output_dir(self.save_dir, "predictions")
            stem = (
                "misclassifications"
                if toolkit_layout(self.save_dir, "predictions")
                else "misclassified"
            )
            save_figure(fig, folder / f"{stem}.png")
            with atomic_path(folder / f"{stem}.csv") as tmp:
                df.to_csv(tmp)
        return df, fig

    def _predict_loader(self, data_loader: Any, model: Any):
        run = type(self)(
            class_names=self.class_names,
            num_classes=self.num_classes,
            backend=self.backend,
            max_stored_inputs=self.max_stored_inputs,
        )
        for xb, yb in iter_batches(data_loader):
            proba = scores_to_probabilities(predict_scores(model, xb))
            run._add(as_labels(yb, "targets"), proba.argmax(axis=1), proba, xb)
        if run._n == 0:
            raise DataError("The data loader gave no batches; nothing to analyse.")
        return run

    def _misclassified(self, top_k: int) -> tuple[pd.DataFrame, Any]:
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
        return df, make_gallery_figure(items)
