"""Feature maps over the input image, for :class:`~spacekit.visualization.LayerVisualizer`.

A mixin: the methods use the visualizer's ``model``, ``_get``, ``_check_sample``,
``_channel_grid``, ``_backend`` and ``_finish``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from spacekit.analyzer.figures import (
    make_overlay_figure,
    make_overlay_grid_figure,
    resize_bilinear,
)
from spacekit.exceptions import InputError
from spacekit.visualization._hooks import to_numpy

__all__ = ["ImageMapsMixin"]


def _unit_range(a: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(a)), float(np.max(a))
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a, dtype=float)


class ImageMapsMixin:
    """Feature-map grids and activation overlays (mixed into ``LayerVisualizer``)."""

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
