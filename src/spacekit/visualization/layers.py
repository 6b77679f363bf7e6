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

from spacekit.analyzer.figures import check_backend, make_image_grid, save_figure
from spacekit.exceptions import InputError
from spacekit.visualization._export import figure_path
from spacekit.visualization._hooks import (
    CallRecorder,
    build_side_model,
    check_input_shape,
    model_layers,
    resolve_layers,
    to_numpy,
)
from spacekit.visualization._layer_images import ImageMapsMixin
from spacekit.visualization._layer_weights import WeightPlotsMixin, _is_input
from spacekit.visualization._model_hooks import attach, detach, recording

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


def _records_to_dict(records: Sequence[tuple[str, np.ndarray]]) -> dict[str, np.ndarray]:
    acts: dict[str, np.ndarray] = {}
    for name, arr in records:
        key, k = name, 1
        while key in acts:  # a layer called several times
            key, k = f"{name}#{k}", k + 1
        acts[key] = arr
    return acts


class LayerVisualizer(ImageMapsMixin, WeightPlotsMixin):
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
        attach(self.model, self)
        log.debug("hooked %d layers with %s", len(layers), self.mechanism_)
        return self

    def remove_hooks(self) -> LayerVisualizer:
        """Stop recording; forget the hooked layers, the side model and the activations."""
        detach(self.model, self)
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
        return recording(lambda: CallRecorder(self._layers), self._store_forward_records)

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
