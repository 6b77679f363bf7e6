"""Look inside a Keras 3 model: activations, feature maps, weights and gradients.

How activations are captured
----------------------------
Keras 3 has no forward hooks. :meth:`LayerVisualizer.register_hooks` therefore builds, for
functional and Sequential models, a *side model* ``keras.Model(model.inputs, [chosen layer
outputs] + model.outputs)`` that shares the original layers and weights; one call of
:meth:`LayerVisualizer.capture` runs one forward pass and stores the chosen outputs in
``activations_`` (and the model's predictions in ``outputs_``). Subclassed models, which
have no symbolic graph, are handled by temporarily wrapping the ``call`` of the chosen
layer instances during an eager ``model(x)`` (``mechanism="call"``). The user's model is
never modified permanently; :meth:`LayerVisualizer.remove_hooks` drops the side model.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from spacekit._optional import require
from spacekit.analyzer.figures import (
    check_backend,
    make_gradient_flow_figure,
    make_histogram_grid,
    make_image_grid,
    make_overlay_figure,
    resize_bilinear,
    save_figure,
)
from spacekit.exceptions import InputError, SpacekitError
from spacekit.visualization._export import output_dir
from spacekit.visualization._hooks import (
    CallRecorder,
    build_side_model,
    check_input_shape,
    model_layers,
    resolve_layers,
    to_numpy,
)

__all__ = ["LayerVisualizer"]

log = logging.getLogger(__name__)


def _safe_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "figure"


def _panel_view(arr: np.ndarray, sample: int) -> np.ndarray:
    """A 2-D view of one layer output for the overview figure."""
    if arr.ndim == 2:  # (batch, units): every sample, one row each
        return arr
    one = arr[sample]
    while one.ndim > 2:  # (h, w, c) -> mean over channels; (d, h, w, c) -> mean over d too
        one = one.mean(axis=-1) if one.ndim == 3 else one.mean(axis=0)
    return one if one.ndim == 2 else one[None, :]


class LayerVisualizer:
    """Capture and plot activations, weights and gradients of a Keras 3 model.

    Parameters
    ----------
    model : keras.Model
        A built model (functional, Sequential, or subclassed with ``mechanism="call"``).
    save_dir : str or path-like, optional
        Root of the output tree; figures go to ``save_dir/layers/``. ``None`` writes nothing
        unless a method gets ``save_path``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
        Default figure backend (PNG files vs interactive self-contained HTML).

    Attributes
    ----------
    activations_ : dict of str to numpy.ndarray
        Outputs of the hooked layers from the last :meth:`capture`, batch axis first.
    outputs_ : numpy.ndarray or list or None
        The model's own predictions from the same forward pass (side-model mechanism).
    gradients_ : pandas.DataFrame or None
        Per-weight gradient statistics from the last :meth:`plot_gradient_flow`.
    saved_files_ : list of pathlib.Path
        Every file written by this visualizer.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, name="c")])
    >>> viz = LayerVisualizer(model).register_hooks(["c"])
    >>> viz.capture(np.zeros((2, 8, 8, 1), "float32"))["c"].shape
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
        self.saved_files_: list[Path] = []
        self.hooked_layers_: list[str] = []
        self._side = None
        self._keys: list[tuple[str, int]] = []
        self._layers: list = []
        self.mechanism_: str | None = None

    # ------------------------------------------------------------------ hooks
    @property
    def layer_names(self) -> list[str]:
        """Names of the model's layers (input layers excluded)."""
        return [lay.name for lay in model_layers(self.model)]

    def register_hooks(
        self, layer_names: str | Iterable[str] | None = None, mechanism: str = "auto"
    ) -> LayerVisualizer:
        """Choose the layers whose outputs :meth:`capture` records.

        Parameters
        ----------
        layer_names : str or iterable of str, optional
            Layer names; every non-input layer when None.
        mechanism : {"auto", "side_model", "call"}, default="auto"
            ``"side_model"`` builds a side model sharing the weights (functional and
            Sequential models); ``"call"`` wraps the layers' ``call`` during an eager
            forward pass (any model, also subclassed); ``"auto"`` tries the side model first.

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
        log.debug("hooked %d layers with %s", len(layers), self.mechanism_)
        return self

    def remove_hooks(self) -> LayerVisualizer:
        """Forget the hooked layers, the side model and the captured activations."""
        self._side, self._keys, self._layers = None, [], []
        self.hooked_layers_ = []
        self.activations_ = {}
        self.outputs_ = None
        self.mechanism_ = None
        return self

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
            acts = {}
            for name, arr in rec.records:
                key, k = name, 1
                while key in acts:  # a layer called several times
                    key, k = f"{name}#{k}", k + 1
                acts[key] = arr
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
            raise InputError("No activations captured yet; pass x or call capture(x) first.")
        if layer_name not in self.activations_:
            raise InputError(
                f"No captured activations for layer {layer_name!r}. Captured: "
                f"{sorted(self.activations_)}; model layers: {self.layer_names}. Register it "
                "with register_hooks([...]) and capture again (or pass x)."
            )
        return self.activations_[layer_name]

    # ---------------------------------------------------------------- output
    def _finish(self, fig, save_path, stem: str, backend: str):
        if save_path is None:
            folder = output_dir(self.save_dir, "layers")
            if folder is None:
                return fig
            save_path = folder / f"{_safe_stem(stem)}.{'html' if backend == 'plotly' else 'png'}"
        self.saved_files_.append(save_figure(fig, save_path))
        return fig

    # ----------------------------------------------------------------- plots
    def plot_activations(
        self,
        x: Any = None,
        layer_name: str | None = None,
        *,
        sample: int = 0,
        max_channels: int = 16,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """Plot captured activations: one layer in detail, or an overview of all.

        With ``layer_name``, a convolutional output (batch, h, w, c) shows its first
        ``max_channels`` channels for ``sample``; a sequence output (batch, t, c) shows the
        t x c map; a dense output (batch, units) shows every sample x unit. Without it, one
        panel per captured layer (channel-mean maps for convolutions).

        Parameters
        ----------
        x : array-like, optional
            Input to capture first; the last capture is used otherwise.
        layer_name : str, optional
            Layer to show in detail.
        sample : int, default=0
            Which sample of the batch to show.
        max_channels : int, default=16
            Most channels drawn for a convolutional layer.
        backend : {"matplotlib", "plotly"}, optional
            Defaults to the visualizer's backend.
        save_path : str or path-like, optional
            File to write (suffix picks the format); default ``save_dir/layers/activations*``.

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
        if layer_name is None:
            if x is not None:
                self.capture(x)
            if not self.activations_:
                raise InputError("No activations captured yet; pass x or call capture(x) first.")
            self._check_sample(sample)
            panels = [(n, _panel_view(a, sample)) for n, a in self.activations_.items()]
            fig = make_image_grid(
                panels, backend=backend, title=f"Activations (sample {sample})", ncols=3
            )
            return self._finish(fig, save_path, "activations", backend)
        arr = self._get(layer_name, x)
        self._check_sample(sample)
        if arr.ndim >= 4:
            return self.plot_feature_map_grid(
                None,
                layer_name,
                max_maps=max_channels,
                sample=sample,
                backend=backend,
                save_path=save_path,
                _stem=f"activations_{layer_name}",
            )
        if arr.ndim == 3:
            panels = [(f"{layer_name} sample {sample}", arr[sample].T)]
            fig = make_image_grid(
                panels, backend=backend, x_title="step", y_title="feature", panel_size=4.5
            )
        else:
            panels = [(f"{layer_name}: {arr.shape[-1]} units", arr.reshape(arr.shape[0], -1))]
            fig = make_image_grid(
                panels, backend=backend, x_title="unit", y_title="sample", panel_size=4.5
            )
        return self._finish(fig, save_path, f"activations_{layer_name}", backend)

    def _check_sample(self, sample: int) -> None:
        n = len(next(iter(self.activations_.values())))
        if not -n <= sample < n:
            raise InputError(f"sample={sample} is out of range for a captured batch of {n}.")

    def plot_feature_map_grid(
        self,
        x: Any,
        layer_name: str,
        max_maps: int = 16,
        *,
        sample: int = 0,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
        _stem: str | None = None,
    ):
        """Draw the channels of a convolutional layer's output as a grid of maps.

        Parameters
        ----------
        x : array-like or None
            Input to capture first (None uses the last capture).
        layer_name : str
            A layer whose output is (batch, height, width, channels).
        max_maps : int, default=16
            Most channels drawn (the first ``max_maps``).
        sample : int, default=0
        backend : {"matplotlib", "plotly"}, optional
        save_path : str or path-like, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
        arr = self._get(layer_name, x)
        if arr.ndim != 4:
            raise InputError(
                f"Layer {layer_name!r} outputs shape {arr.shape}; feature maps need "
                "(batch, height, width, channels). Use plot_activations for other layers."
            )
        self._check_sample(sample)
        maps = arr[sample]
        n = min(max_maps, maps.shape[-1])
        panels = [(f"ch {c}", maps[..., c]) for c in range(n)]
        title = f"{layer_name}: {n} of {maps.shape[-1]} channels (sample {sample})"
        fig = make_image_grid(panels, backend=backend, title=title, colorbar=False, ticks=False)
        return self._finish(fig, save_path, _stem or f"feature_maps_{layer_name}", backend)

    def plot_weight_distribution(
        self,
        layer_names: str | Iterable[str] | None = None,
        *,
        max_layers: int = 12,
        bins: int = 50,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """Histogram the weights (kernel and bias separately) of each layer that has any.

        Parameters
        ----------
        layer_names : str or iterable of str, optional
            Layers to include; every layer with weights by default (first ``max_layers``).
        max_layers : int, default=12
        bins : int, default=50
        backend : {"matplotlib", "plotly"}, optional
        save_path : str or path-like, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
        layers = [lay for lay in resolve_layers(self.model, layer_names) if lay.weights]
        if not layers:
            raise InputError(f"None of the chosen layers has weights; layers: {self.layer_names}.")
        panels = []
        for lay in layers[:max_layers]:
            series = {}
            for w in lay.weights:
                values = to_numpy(w.value if hasattr(w, "value") else w)
                series[w.name] = values
            allv = np.concatenate([np.ravel(v) for v in series.values()])
            panels.append((f"{lay.name} (n={allv.size}, std={allv.std():.3g})", series))
        fig = make_histogram_grid(panels, backend=backend, bins=bins, title="Weight distributions")
        return self._finish(fig, save_path, "weights", backend)

    def compute_gradients(self, x: Any, y: Any, loss: Any = None):
        """Gradients of the loss on ``(x, y)`` for every trainable weight (TensorFlow backend).

        The forward pass runs with ``training=False`` so batch-norm statistics and dropout
        are not changed by looking.

        Returns
        -------
        pandas.DataFrame
            One row per weight: ``weight``, ``layer``, ``shape``, ``mean_abs``, ``max_abs``,
            ``zero_fraction`` (``has_gradient`` is False for disconnected weights).
        """
        import pandas as pd

        keras = require("keras", feature="gradient flow")
        if keras.backend.backend() != "tensorflow":
            raise SpacekitError(
                f"plot_gradient_flow needs the TensorFlow Keras backend; the active backend is "
                f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
            )
        tf = require("tensorflow", feature="gradient flow")
        compiled = loss is None and getattr(self.model, "compiled", False)
        if loss is None and not compiled:
            raise InputError(
                "No loss given and the model is not compiled; pass loss= (a name such as "
                "'mse' or a keras loss/callable)."
            )
        loss_fn = keras.losses.get(loss) if isinstance(loss, str | dict) else loss
        check_input_shape(self.model, x)
        weights = list(self.model.trainable_weights)
        if not weights:
            raise InputError(f"Model {self.model.name!r} has no trainable weights.")
        x_t = keras.tree.map_structure(tf.convert_to_tensor, x)
        y_t = tf.convert_to_tensor(y)
        with tf.GradientTape() as tape:
            pred = self.model(x_t, training=False)
            if compiled:  # the compiled loss, with its shape handling and regularizers
                value = self.model.compute_loss(x=x_t, y=y_t, y_pred=pred, training=False)
            else:
                if y_t.shape.rank == pred.shape.rank - 1 and pred.shape[-1] == 1:
                    y_t = y_t[..., None]
                value = tf.reduce_mean(loss_fn(tf.cast(y_t, pred.dtype), pred))
        grads = tape.gradient(value, [w.value for w in weights])
        owner = {id(w): lay.name for lay in self.model.layers for w in lay.trainable_weights}
        rows = []
        for w, g in zip(weights, grads, strict=True):
            garr = np.zeros(tuple(w.shape)) if g is None else to_numpy(g)
            layer = owner.get(id(w), w.path.rsplit("/", 1)[0])
            rows.append(
                {
                    "weight": f"{layer}/{w.name}",
                    "layer": layer,
                    "shape": tuple(w.shape),
                    "mean_abs": float(np.abs(garr).mean()),
                    "max_abs": float(np.abs(garr).max()),
                    "zero_fraction": float((garr == 0).mean()),
                    "has_gradient": g is not None,
                }
            )
        self.loss_value_ = float(value)
        self.gradients_ = pd.DataFrame(rows)
        return self.gradients_

    def plot_gradient_flow(
        self,
        x: Any,
        y: Any,
        loss: Any = None,
        *,
        log_scale: bool = True,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """Bar chart of mean and max absolute gradient per weight, input to output.

        Gradients are computed for real on ``(x, y)`` (see :meth:`compute_gradients`);
        weights whose gradient is zero or missing are marked in red.

        Parameters
        ----------
        x, y : array-like
            A batch of inputs and targets.
        loss : str or callable, optional
            Loss to differentiate; the compiled model's loss by default.
        log_scale : bool, default=True
        backend : {"matplotlib", "plotly"}, optional
        save_path : str or path-like, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
        df = self.compute_gradients(x, y, loss)
        title = f"Gradient flow (loss={self.loss_value_:.4g})"
        fig = make_gradient_flow_figure(
            df["weight"].tolist(),
            df["mean_abs"].to_numpy(),
            df["max_abs"].to_numpy(),
            backend=backend,
            title=title,
            log_scale=log_scale,
        )
        return self._finish(fig, save_path, "gradient_flow", backend)

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
        backend = check_backend(backend or self.backend)
        img = np.asarray(image, dtype="float32")
        rank = len(self.model.inputs[0].shape) if getattr(self.model, "inputs", None) else 4
        if img.ndim == rank - 2:  # (h, w) for a (batch, h, w, 1) model
            img = img[..., None]
        if img.ndim == rank - 1:
            img = img[None]
        if img.ndim != rank or img.shape[0] != 1:
            raise InputError(
                f"overlay_activation takes one image; received shape {np.shape(image)}, "
                f"expected (h, w), (h, w, c) or (1, h, w, c) for a model of input rank {rank}."
            )
        arr = self._get(layer_name, img)
        if arr.ndim != 4:
            raise InputError(
                f"Layer {layer_name!r} outputs shape {arr.shape}; an overlay needs a spatial "
                "(batch, height, width, channels) output such as a Conv2D layer."
            )
        if channel is not None and not 0 <= channel < arr.shape[-1]:
            raise InputError(f"channel={channel} but {layer_name!r} has {arr.shape[-1]} channels.")
        amap = arr[0].mean(axis=-1) if channel is None else arr[0][..., channel]
        base = img[0]
        heat = resize_bilinear(amap, base.shape[:2])
        span = heat.max() - heat.min()
        heat = (heat - heat.min()) / span if span > 0 else np.zeros_like(heat)
        shown = base[..., 0] if base.shape[-1] == 1 else base[..., :3]
        if shown.ndim == 3 and base.shape[-1] != 3:
            shown = base.mean(axis=-1)
        lo, hi = float(shown.min()), float(shown.max())
        shown = (shown - lo) / (hi - lo) if hi > lo else np.zeros_like(shown)
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
        return self._finish(fig, save_path, f"overlay_{layer_name}", backend)
