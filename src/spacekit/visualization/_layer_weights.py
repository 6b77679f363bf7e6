"""Weight histograms and gradient flow of :class:`~spacekit.visualization.LayerVisualizer`.

A mixin: the methods use the visualizer's ``model``, ``gradients_``, ``loss_value_``,
``layer_names``, ``_backend`` and ``_finish``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from spacekit.analyzer.figures import make_gradient_flow_figure, make_histogram_grid
from spacekit.exceptions import InputError
from spacekit.visualization._gradients import NO_GRADIENTS, compute_gradients, gradient_table
from spacekit.visualization._hooks import resolve_layers, to_numpy

__all__ = ["WeightPlotsMixin"]


def _is_input(value: Any) -> bool:
    """True for model inputs (arrays, tensors, lists of numbers), False for names/paths."""
    return value is not None and not isinstance(value, str | os.PathLike | bool | int | float)


class WeightPlotsMixin:
    """Weight distributions and gradient flow (mixed into ``LayerVisualizer``)."""

    def plot_weight_distribution(
        self,
        max_layers: int = 12,
        save_path: str | os.PathLike | None = None,
        interactive: bool = False,
        *,
        layer_names: str | Iterable[str] | None = None,
        bins: int = 50,
        backend: str | None = None,
    ):
        """Histogram the weights (kernel and bias separately) of each layer that has any.

        Parameters
        ----------
        max_layers : int, default=12
            Most layers drawn (the first ones with weights).
        save_path : str or path-like, optional
            Default ``weights.png`` (toolkit layout ``weight_distributions.png``).
        interactive : bool, default=False
        layer_names : str or iterable of str, optional
            Layers to include; every layer with weights by default. (Also recognised as
            the first positional argument, spacekit's older order.)
        bins : int, default=50
        backend : {"matplotlib", "plotly"}, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        if isinstance(max_layers, str) or (
            isinstance(max_layers, Iterable) and not isinstance(max_layers, np.ndarray)
        ):
            layer_names, max_layers = max_layers, 12
        backend = self._backend(backend, interactive)
        layers = [lay for lay in resolve_layers(self.model, layer_names) if lay.weights]
        if not layers:
            raise InputError(f"None of the chosen layers has weights; layers: {self.layer_names}.")
        panels = []
        for lay in layers[: int(max_layers)]:
            series = {}
            for w in lay.weights:
                series[w.name] = to_numpy(w.value if hasattr(w, "value") else w)
            allv = np.concatenate([np.ravel(v) for v in series.values()])
            panels.append((f"{lay.name} (n={allv.size}, std={allv.std():.3g})", series))
        fig = make_histogram_grid(panels, backend=backend, bins=bins, title="Weight distributions")
        return self._finish(fig, save_path, "weights", "weight_distributions", backend)

    # ------------------------------------------------------------- gradients
    def compute_gradients(self, x: Any, y: Any, loss: Any = None):
        """Gradients of the loss on ``(x, y)`` for every trainable weight; kept in ``gradients_``.

        This is the Keras counterpart of PyTorch's ``loss.backward()`` before
        ``plot_gradient_flow()``. The forward pass runs with ``training=False`` so
        batch-norm statistics and dropout are not changed by looking (TensorFlow backend).

        Returns
        -------
        pandas.DataFrame
            One row per weight: ``weight``, ``layer``, ``shape``, ``mean_abs``, ``max_abs``,
            ``zero_fraction`` (``has_gradient`` is False for disconnected weights).
        """
        self.gradients_, self.loss_value_ = compute_gradients(self.model, x, y, loss)
        return self.gradients_

    def record_gradients(
        self, gradients: Sequence[Any], weights: Sequence[Any] | None = None, loss: Any = None
    ):
        """Keep gradients from your own ``tf.GradientTape`` loop for :meth:`plot_gradient_flow`.

        Parameters
        ----------
        gradients : sequence of array-like or None
            ``tape.gradient(loss, model.trainable_weights)``.
        weights : sequence of keras.Variable, optional
            The weights differentiated, if not ``model.trainable_weights``.
        loss : float or tensor, optional
            The loss value, shown in the figure title.

        Returns
        -------
        pandas.DataFrame
            :attr:`gradients_`.
        """
        self.gradients_ = gradient_table(self.model, gradients, weights)
        self.loss_value_ = None if loss is None else float(np.asarray(to_numpy(loss)))
        return self.gradients_

    def plot_gradient_flow(
        self,
        save_path: str | os.PathLike | None = None,
        interactive: bool = False,
        loss: Any = None,
        *,
        x: Any = None,
        y: Any = None,
        log_scale: bool = True,
        backend: str | None = None,
    ):
        """Bar chart of mean and max absolute gradient per weight, input to output.

        Uses the recorded gradients (:meth:`compute_gradients`, :meth:`record_gradients` or
        ``DashboardCallback(..., layer_visualizer=viz, gradient_data=(x, y))`` during
        ``fit``), or computes them on ``x=, y=`` first. Weights whose gradient is zero or
        missing are marked in red.

        Parameters
        ----------
        save_path : str or path-like, optional
            Default ``gradient_flow.png`` (``.html`` when interactive).
        interactive : bool, default=False
        loss : str or callable, optional
            Loss to differentiate with ``x``/``y``; the compiled model's loss by default.
        x, y : array-like, optional
            A batch of inputs and targets to compute gradients on now. (Spacekit's older
            order ``plot_gradient_flow(x, y)`` is recognised too.)
        log_scale : bool, default=True
        backend : {"matplotlib", "plotly"}, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        if _is_input(save_path):  # spacekit's older order: plot_gradient_flow(x, y, loss)
            if x is not None:
                raise InputError("Pass the input once: either first or as x=, not both.")
            x, y, save_path, interactive = save_path, interactive, None, False
        backend = self._backend(backend, interactive)
        if x is not None or y is not None:
            if x is None or y is None:
                raise InputError("Gradients need both x= and y= (a batch of inputs and targets).")
            self.compute_gradients(x, y, loss)
        if self.gradients_ is None:
            raise InputError(NO_GRADIENTS)
        df = self.gradients_
        title = "Gradient flow" + (
            f" (loss={self.loss_value_:.4g})" if self.loss_value_ is not None else ""
        )
        fig = make_gradient_flow_figure(
            df["weight"].tolist(),
            df["mean_abs"].to_numpy(),
            df["max_abs"].to_numpy(),
            backend=backend,
            title=title,
            log_scale=log_scale,
        )
        return self._finish(fig, save_path, "gradient_flow", "gradient_flow", backend)
