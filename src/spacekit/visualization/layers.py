"""Look inside a Keras 3 model: activations, feature maps, weights and gradients.

How activations are captured
----------------------------
Keras 3 has no forward hooks. :meth:`LayerVisualizer.register_hooks` does two things:

- it attaches a forward observer to the model (:mod:`._model_hooks`), so that every
  **eager** ``model(x)`` afterwards records the chosen layers' outputs in
  ``activations_``, as PyTorch forward hooks do (graphs traced by ``fit``/``predict`` are
  not touched);
- for functional and Sequential models it builds a *side model*
  ``keras.Model(model.inputs, [chosen layer outputs] + model.outputs)`` sharing the
  layers and weights, which :meth:`LayerVisualizer.capture` runs once on ``x``.
  Subclassed models, which have no symbolic graph, are recorded during an eager
  ``model(x)`` instead (``mechanism="call"``).

The layers themselves are never modified; :meth:`LayerVisualizer.remove_hooks` detaches
the observer and drops the side model.

Two call styles
---------------
Every plot method takes the dashboard toolkit's documented positional order (layer name
first, ``save_path``, ``interactive``) and spacekit's keywords (``x=``, ``sample=``,
``backend=``). The older spacekit positional order with the input first
(``plot_activations(x, "conv1")``, ``plot_feature_map_grid(x, "conv1")``,
``plot_gradient_flow(x, y)``) is recognised because an input array is never a layer name
or a file path.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.exceptions import InputError
from spacekit.visualization import _model_hooks
from spacekit.visualization._export import figure_path, save_figure
from spacekit.visualization._figures import check_backend
from spacekit.visualization._gradients import NO_GRADIENTS, compute_gradients, gradient_table
from spacekit.visualization._hooks import (
    CallRecorder,
    build_side_model,
    check_input_shape,
    model_layers,
    resolve_layers,
    to_numpy,
)
from spacekit.visualization.layers_figures import (
    make_gradient_flow_figure,
    make_histogram_grid,
    make_image_grid,
    make_overlay_figure,
    make_overlay_grid_figure,
    resize_bilinear,
)

__all__ = ["LayerVisualizer"]

log = logging.getLogger(__name__)


def _panel_view(arr: np.ndarray, sample: int) -> np.ndarray:
    """A 2-D view of one layer output for the overview figure."""
    if arr.ndim == 2:  # (batch, units): every sample, one row each
        return arr
    one = arr[sample]
    while one.ndim > 2:  # (h, w, c) -> mean over channels; (d, h, w, c) -> mean over d too
        one = one.mean(axis=-1) if one.ndim == 3 else one.mean(axis=0)
    return one if one.ndim == 2 else one[None, :]


def _is_input(value: Any) -> bool:
    """True for model inputs (arrays, tensors, lists of numbers), False for names/paths."""
    return value is not None and not isinstance(value, str | os.PathLike | bool | int | float)


def _records_to_dict(records: Sequence[tuple[str, np.ndarray]]) -> dict[str, np.ndarray]:
    acts: dict[str, np.ndarray] = {}
    for name, arr in records:
        key, k = name, 1
        while key in acts:  # a layer called several times
            key, k = f"{name}#{k}", k + 1
        acts[key] = arr
    return acts


def _unit_range(a: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(a)), float(np.max(a))
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a, dtype=float)


class LayerVisualizer:
    """Capture and plot activations, weights and gradients of a Keras 3 model.

    Parameters
    ----------
    model : keras.Model
        A built model (functional, Sequential, or subclassed).
    save_dir : str or path-like, optional
        Where figures are written: ``save_dir/layers/`` when ``save_dir`` is a root,
        or ``save_dir`` itself when it is the layers folder (``"visualizations/layers"``,
        the dashboard toolkit's default, then with the toolkit's file names). ``None``
        writes nothing unless a method gets ``save_path``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        Default figure backend (PNG files vs interactive self-contained HTML);
        ``interactive=True`` on a method asks for plotly.

    Attributes
    ----------
    activations_ : dict of str to numpy.ndarray
        Outputs of the hooked layers from the last eager ``model(x)`` or :meth:`capture`,
        batch axis first.
    outputs_ : numpy.ndarray or list or None
        The model's own predictions from the last :meth:`capture`.
    gradients_ : pandas.DataFrame or None
        Per-weight gradient statistics from the last :meth:`compute_gradients`,
        :meth:`record_gradients` or ``DashboardCallback`` epoch.
    saved_files_ : list of pathlib.Path
        Every file written by this visualizer.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, name="c")])
    >>> viz = LayerVisualizer(model).register_hooks(["c"])
    >>> _ = model(np.zeros((2, 8, 8, 1), "float32"))   # recorded, as with forward hooks
    >>> viz.activations_["c"].shape
    (2, 6, 6, 4)
    """

    def __init__(
        self, model, save_dir: str | os.PathLike | None = None, backend: str = "matplotlib"
    ):
        self.model = model
        self.save_dir = save_dir
        self.backend = check_backend(backend)
        self.activations_: dict[str, np.ndarray] = {}
        self.outputs_: Any = None
        self.gradients_ = None
        self.loss_value_: float | None = None
        self.saved_files_: list[Path] = []
        self.hooked_layers_: list[str] = []
        self._side = None
        self._keys: list[tuple[str, int]] = []
        self._layers: list = []
        self._capturing = False
        self.mechanism_: str | None = None

    # ------------------------------------------------------------------ hooks
    @property
    def layer_names(self) -> list[str]:
        """Names of the model's layers (input layers excluded)."""
        return [lay.name for lay in model_layers(self.model)]

    def register_hooks(
        self, layer_names: str | Iterable[str] | None = None, mechanism: str = "auto"
    ) -> LayerVisualizer:
        """Record the outputs of the chosen layers on every eager ``model(x)`` call.

        Parameters
        ----------
        layer_names : str or iterable of str, optional
            Layer names; every non-input layer when None.
        mechanism : {"auto", "side_model", "call"}, default="auto"
            How :meth:`capture` runs: ``"side_model"`` builds a side model sharing the
            weights (functional and Sequential models); ``"call"`` records an eager
            ``model(x)`` (any model, also subclassed); ``"auto"`` tries the side model
            first. Plain ``model(x)`` calls are recorded either way.

        Returns
        -------
        LayerVisualizer
            ``self``, so calls can be chained.
        """
        if mechanism not in ("auto", "side_model", "call"):
            raise InputError(
                f"Unknown mechanism {mechanism!r}; expected 'auto', 'side_model' or 'call'."
            )
        layers = resolve_layers(self.model, layer_names)
        self.remove_hooks()
        if mechanism in ("auto", "side_model"):
            try:
                self._side, self._keys = build_side_model(self.model, layers)
                self.mechanism_ = "side_model"
            except InputError:
                if mechanism == "side_model":
                    raise
                log.debug("no symbolic graph for %s; recording eager calls", self.model.name)
        if self._side is None:
            self.mechanism_ = "call"
        self._layers = layers
        self.hooked_layers_ = [lay.name for lay in layers]
        _model_hooks.attach(self.model, self)
        log.debug("hooked %d layers with %s", len(layers), self.mechanism_)
        return self

    def remove_hooks(self) -> LayerVisualizer:
        """Stop recording; forget the hooked layers, the side model and the activations."""
        _model_hooks.detach(self.model, self)
        self._side, self._keys, self._layers = None, [], []
        self.hooked_layers_ = []
        self.activations_ = {}
        self.outputs_ = None
        self.mechanism_ = None
        return self

    def forward_hook(self):
        """Context manager run around each eager ``model(x)`` (see :mod:`._model_hooks`)."""
        if self._capturing or not self._layers:
            return contextlib.nullcontext()
        return _model_hooks.recording(
            lambda: CallRecorder(self._layers), self._store_forward_records
        )

    def _store_forward_records(self, recorder: CallRecorder) -> None:
        if recorder.records:
            self.activations_ = _records_to_dict(recorder.records)

    def capture(self, x: Any) -> dict[str, np.ndarray]:
        """Run one forward pass on ``x`` and store the hooked layers' outputs.

        Hooks on every layer are registered first if none are. The whole of ``x`` goes
        through in one batch, so pass a few samples.

        Parameters
        ----------
        x : array-like
            Model input with the batch axis first.

        Returns
        -------
        dict of str to numpy.ndarray
            :attr:`activations_`; layers returning several tensors give ``"name/0"``, ...
        """
        if not self.hooked_layers_:
            self.register_hooks()
        check_input_shape(self.model, x)
        self._capturing = True
        try:
            if self._side is not None:
                outs = self._side(x, training=False)
                outs = [to_numpy(o) for o in (outs if isinstance(outs, list | tuple) else [outs])]
                n = len(self._keys)
                counts: dict[str, int] = {}
                for name, _ in self._keys:
                    counts[name] = counts.get(name, 0) + 1
                acts = {}
                for (name, i), arr in zip(self._keys, outs[:n], strict=True):
                    acts[name if counts[name] == 1 else f"{name}/{i}"] = arr
                model_out = outs[n:]
                self.outputs_ = model_out[0] if len(model_out) == 1 else model_out
            else:
                with CallRecorder(self._layers) as rec:
                    self.outputs_ = to_numpy(self.model(x, training=False))
                acts = _records_to_dict(rec.records)
        finally:
            self._capturing = False
        self.activations_ = acts
        return acts

    __call__ = capture

    def _get(self, layer_name: str, x: Any = None) -> np.ndarray:
        if x is not None:
            if layer_name not in self.hooked_layers_:
                self.register_hooks(
                    [*self.hooked_layers_, layer_name] if self.hooked_layers_ else [layer_name]
                )
            self.capture(x)
        if not self.activations_:
            raise InputError(
                "No activations captured yet; call register_hooks() and then model(x), "
                "or capture(x), or pass x=."
            )
        if layer_name not in self.activations_:
            raise InputError(
                f"No captured activations for layer {layer_name!r}. Captured: "
                f"{sorted(self.activations_)}; model layers: {self.layer_names}. Register it "
                "with register_hooks([...]) and call the model again (or pass x=)."
            )
        return self.activations_[layer_name]

    # ---------------------------------------------------------------- output
    def _backend(self, backend: str | None, interactive: bool) -> str:
        return check_backend(backend or ("plotly" if interactive else self.backend))

    def _finish(self, fig, save_path, stem: str, toolkit_stem: str, backend: str):
        if save_path is None:
            save_path = figure_path(self.save_dir, "layers", stem, toolkit_stem, backend)
            if save_path is None:
                return fig
        self.saved_files_.append(save_figure(fig, save_path))
        return fig

    def _check_sample(self, sample: int) -> None:
        n = len(next(iter(self.activations_.values())))
        if not -n <= sample < n:
            raise InputError(f"sample={sample} is out of range for a captured batch of {n}.")

    # ----------------------------------------------------------------- plots
    def plot_activations(
        self,
        layer_name: str | None = None,
        max_channels: int = 16,
        save_path: str | os.PathLike | None = None,
        interactive: bool = False,
        *,
        x: Any = None,
        sample: int = 0,
        backend: str | None = None,
    ):
        """Plot captured activations: one layer in detail, or an overview of all.

        With ``layer_name``, a convolutional output (batch, h, w, c) shows its first
        ``max_channels`` channels for ``sample``; a sequence output (batch, t, c) shows the
        t x c map; a dense output (batch, units) shows every sample x unit. Without it, one
        panel per captured layer (channel-mean maps for convolutions).

        Parameters
        ----------
        layer_name : str, optional
            Layer to show in detail (captured by the hooks during ``model(x)``).
        max_channels : int, default=16
            Most channels drawn for a convolutional layer.
        save_path : str or path-like, optional
            File to write (suffix picks the format); by default
            ``<layers folder>/activations_<layer>.png`` (toolkit layout:
            ``<layer>_activations.png``) when the visualizer has a ``save_dir``.
        interactive : bool, default=False
            Plotly figure / HTML file instead of matplotlib / PNG.
        x : array-like, optional
            Input to capture first; the last captured activations are used otherwise.
        sample : int, default=0
            Which sample of the batch to show.
        backend : {"matplotlib", "plotly"}, optional
            Overrides ``interactive`` and the visualizer's backend.

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        if _is_input(layer_name):  # spacekit's older order: plot_activations(x, "conv1")
            if x is not None:
                raise InputError("Pass the input once: either first or as x=, not both.")
            x, layer_name = layer_name, max_channels if isinstance(max_channels, str) else None
            max_channels = 16 if isinstance(max_channels, str) else max_channels
        backend = self._backend(backend, interactive)
        if layer_name is None:
            if x is not None:
                self.capture(x)
            if not self.activations_:
                raise InputError(
                    "No activations captured yet; call register_hooks() and then model(x), "
                    "or capture(x), or pass x=."
                )
            self._check_sample(sample)
            panels = [(n, _panel_view(a, sample)) for n, a in self.activations_.items()]
            fig = make_image_grid(
                panels, backend=backend, title=f"Activations (sample {sample})", ncols=3
            )
            return self._finish(fig, save_path, "activations", "activations", backend)
        arr = self._get(layer_name, x)
        self._check_sample(sample)
        stems = (f"activations_{layer_name}", f"{layer_name}_activations")
        if arr.ndim >= 4:
            fig = self._channel_grid(layer_name, arr, int(max_channels), sample, backend)
        elif arr.ndim == 3:
            panels = [(f"{layer_name} sample {sample}", arr[sample].T)]
            fig = make_image_grid(
                panels, backend=backend, x_title="step", y_title="feature", panel_size=4.5
            )
        else:
            panels = [(f"{layer_name}: {arr.shape[-1]} units", arr.reshape(arr.shape[0], -1))]
            fig = make_image_grid(
                panels, backend=backend, x_title="unit", y_title="sample", panel_size=4.5
            )
        return self._finish(fig, save_path, *stems, backend)

    def _channel_grid(self, layer_name, arr, max_maps, sample, backend):
        if arr.ndim != 4:
            raise InputError(
                f"Layer {layer_name!r} outputs shape {arr.shape}; feature maps need "
                "(batch, height, width, channels). Use plot_activations for other layers."
            )
        maps = arr[sample]
        n = min(max_maps, maps.shape[-1])
        panels = [(f"ch {c}", maps[..., c]) for c in range(n)]
        title = f"{layer_name}: {n} of {maps.shape[-1]} channels (sample {sample})"
        return make_image_grid(panels, backend=backend, title=title, colorbar=False, ticks=False)

    def plot_feature_map_grid(
        self,
        layer_name: str,
        input_data: Any = None,
        save_path: str | os.PathLike | None = None,
        *,
        x: Any = None,
        max_maps: int = 16,
        sample: int = 0,
        alpha: float = 0.5,
        interactive: bool = False,
        backend: str | None = None,
    ):
        """Feature maps of a convolutional layer, overlaid on the input image.

        ``plot_feature_map_grid(layer_name, input_data)`` (the toolkit's form) runs the
        model on ``input_data`` and draws each of the first ``max_maps`` channels,
        upsampled to the image size and blended over the image. With ``x=`` instead (or
        spacekit's older order ``plot_feature_map_grid(x, layer_name, max_maps)``, where
        ``x`` may be None for the last capture) the channels are drawn on their own.

        Parameters
        ----------
        layer_name : str
            A layer whose output is (batch, height, width, channels).
        input_data : array-like of shape (h, w), (h, w, c) or (n, h, w, c)
            Image(s) to run and overlay; image ``sample`` is drawn.
        save_path : str or path-like, optional
            Default ``overlays_<layer>.png`` (toolkit layout ``<layer>_overlays.png``);
            channel grids: ``feature_maps_<layer>.png``.
        x : array-like, optional
            Input for a plain channel grid (no overlay).
        max_maps : int, default=16
            Most channels drawn (the first ``max_maps``).
        sample : int, default=0
        alpha : float, default=0.5
            Opacity of the maps over the image.
        interactive : bool, default=False
        backend : {"matplotlib", "plotly"}, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = self._backend(backend, interactive)
        if not isinstance(layer_name, str) or x is not None:  # channel grid, spacekit order
            if isinstance(layer_name, str):
                if input_data is not None:
                    raise InputError("Pass input_data or x=, not both.")
            else:
                x, layer_name = layer_name, input_data
                if isinstance(save_path, int) and not isinstance(save_path, bool):
                    max_maps, save_path = save_path, None
            if not isinstance(layer_name, str):
                raise InputError(f"layer_name must be a layer name; received {layer_name!r}.")
            arr = self._get(layer_name, x)
            self._check_sample(sample)
            fig = self._channel_grid(layer_name, arr, max_maps, sample, backend)
            stems = (f"feature_maps_{layer_name}", f"{layer_name}_feature_maps")
            return self._finish(fig, save_path, *stems, backend)
        if input_data is None:
            raise InputError(
                "plot_feature_map_grid(layer_name, input_data) needs the image to overlay; "
                "for the channels alone use x= (or x=None after a capture)."
            )
        batch, shown = self._image_batch(input_data, sample)
        arr = self._get(layer_name, batch)
        if arr.ndim != 4:
            raise InputError(
                f"Layer {layer_name!r} outputs shape {arr.shape}; an overlay grid needs a "
                "spatial (batch, height, width, channels) output such as a Conv2D layer."
            )
        maps = arr[sample]
        n = min(max_maps, maps.shape[-1])
        size = shown.shape[:2]
        heats = [(f"ch {c}", _unit_range(resize_bilinear(maps[..., c], size))) for c in range(n)]
        title = f"{layer_name}: {n} of {maps.shape[-1]} channels over the input (sample {sample})"
        fig = make_overlay_grid_figure(shown, heats, backend=backend, alpha=alpha, title=title)
        stems = (f"overlays_{layer_name}", f"{layer_name}_overlays")
        return self._finish(fig, save_path, *stems, backend)

    def _image_batch(self, image: Any, sample: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Model batch from one image or a batch, and image ``sample`` scaled to [0, 1]."""
        img = np.asarray(to_numpy(image), dtype="float32")
        rank = len(self.model.inputs[0].shape) if getattr(self.model, "inputs", None) else 4
        if img.ndim == rank - 2:  # (h, w) for a (batch, h, w, 1) model
            img = img[..., None]
        if img.ndim == rank - 1:
            img = img[None]
        if img.ndim != rank:
            raise InputError(
                f"Expected an image (h, w), (h, w, c) or a batch (n, h, w, c) for a model of "
                f"input rank {rank}; received shape {np.shape(image)}."
            )
        if not -img.shape[0] <= sample < img.shape[0]:
            raise InputError(f"sample={sample} is out of range for {img.shape[0]} images.")
        base = img[sample]
        shown = base[..., 0] if base.shape[-1] == 1 else base[..., :3]
        if shown.ndim == 3 and base.shape[-1] != 3:
            shown = base.mean(axis=-1)
        return img, _unit_range(shown)

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

    def overlay_activation(
        self,
        image: Any,
        layer_name: str,
        *,
        channel: int | None = None,
        alpha: float = 0.5,
        cmap: str = "jet",
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """Upsample a layer's activation map to the image size and blend it over the image.

        Parameters
        ----------
        image : array-like of shape (h, w), (h, w, c) or (1, h, w, c)
            One model input image.
        layer_name : str
            A layer with (batch, h', w', channels) output.
        channel : int, optional
            Channel to show; the mean over channels by default.
        alpha : float, default=0.5
            Opacity of the activation map in the overlay.
        cmap : str, default="jet"
        backend : {"matplotlib", "plotly"}, optional
        save_path : str or path-like, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
            Panels: input, activation map, overlay. The normalised, upsampled map is kept
            in ``overlay_map_``.
        """
        backend = self._backend(backend, False)
        if np.ndim(image) == 4 and np.shape(image)[0] != 1:
            raise InputError(
                f"overlay_activation takes one image; received shape {np.shape(image)}, "
                "expected (h, w), (h, w, c) or (1, h, w, c)."
            )
        try:
            img, shown = self._image_batch(image)
        except InputError as exc:
            raise InputError(f"overlay_activation takes one image: {exc}") from exc
        arr = self._get(layer_name, img)
        if arr.ndim != 4:
            raise InputError(
                f"Layer {layer_name!r} outputs shape {arr.shape}; an overlay needs a spatial "
                "(batch, height, width, channels) output such as a Conv2D layer."
            )
        if channel is not None and not 0 <= channel < arr.shape[-1]:
            raise InputError(f"channel={channel} but {layer_name!r} has {arr.shape[-1]} channels.")
        amap = arr[0].mean(axis=-1) if channel is None else arr[0][..., channel]
        heat = _unit_range(resize_bilinear(amap, shown.shape[:2]))
        self.overlay_map_ = heat
        label = f"{layer_name}" + ("" if channel is None else f" ch {channel}")
        fig = make_overlay_figure(
            shown,
            heat,
            backend=backend,
            alpha=alpha,
            cmap=cmap,
            title=f"Activation overlay: {label}",
            heat_title=label,
        )
        stems = (f"overlay_{layer_name}", f"{layer_name}_overlay")
        return self._finish(fig, save_path, *stems, backend)
