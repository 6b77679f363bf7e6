"""Attention maps of transformers: per head, per layer, and rolled out through the model.

Attention is stored in the layout of :mod:`._attention_arrays`: one ``(batch, heads,
query, key)`` array per layer. It comes from three places:

- **hooks**: ``AttentionVisualizer(model)`` attaches a forward observer to a Keras model
  (:mod:`._model_hooks`), so every eager ``model(x)`` afterwards records the scores of each
  ``MultiHeadAttention`` layer (also inside custom layers): the layer is asked for its
  scores (``return_attention_scores=True``) and the model receives exactly what it asked
  for. Graphs traced by ``fit``/``predict`` are untouched; :meth:`remove_hooks` detaches.
- :meth:`AttentionVisualizer.capture_attention` runs the model once on given inputs;
- arrays from any framework, passed to :meth:`set_attention` or as the first argument of
  a plot method (``plot_attention_heatmap(torch.stack(outputs.attentions), ...)``).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.analyzer.figures import check_backend, make_image_grid, save_figure
from spacekit.exceptions import InputError
from spacekit.visualization._attention_arrays import (
    attention_rollout,
    tokens_from_ids,
    validate_attention,
)
from spacekit.visualization._export import figure_path
from spacekit.visualization._hooks import (
    CallRecorder,
    check_input_shape,
    find_attention_layers,
    to_numpy,
)
from spacekit.visualization._model_hooks import attach, detach, recording

__all__ = ["AttentionVisualizer", "attention_rollout", "tokens_from_ids", "validate_attention"]

log = logging.getLogger(__name__)


def _unique_names(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if names.count(n) == 1 else f"{n}#{seen[n]}")
    return out


def _is_keras_layer(obj: Any) -> bool:
    keras = sys.modules.get("keras")  # a Keras model means Keras is already imported
    return keras is not None and isinstance(obj, keras.layers.Layer)


class AttentionVisualizer:
    """Plot attention heat maps, head comparisons and rollout for transformer models.

    Parameters
    ----------
    model : keras.Model, optional
        A Keras 3 model containing ``MultiHeadAttention`` layers. Its eager calls are
        recorded from now on (see :meth:`register_hooks`). Not needed with arrays.
    save_dir : str or path-like, optional
        Where figures are written: ``save_dir/attention/`` when ``save_dir`` is a root, or
        ``save_dir`` itself when it is the attention folder (``"visualizations/attention"``,
        the dashboard toolkit's default, then with the toolkit's file names). ``None``
        writes nothing unless a method gets ``save_path``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"
    hooks : bool, default=True
        Attach the forward hooks to ``model`` right away.

    Attributes
    ----------
    attention_ : list of numpy.ndarray
        One ``(batch, heads, query, key)`` array per layer.
    layer_names_ : list of str
        Name of each layer in ``attention_``.
    tokens : list of str or None
        Token labels of the axes.
    saved_files_ : list of pathlib.Path

    Examples
    --------
    >>> import numpy as np
    >>> viz = AttentionVisualizer().set_attention([np.full((1, 2, 3, 3), 1 / 3)])
    >>> viz.rollout().shape
    (1, 3, 3)
    """

    def __init__(
        self,
        model=None,
        save_dir: str | os.PathLike | None = None,
        backend: str = "matplotlib",
        *,
        hooks: bool = True,
    ):
        self.model = model
        self.save_dir = save_dir
        self.backend = check_backend(backend)
        self.tokens: list[str] | None = None
        self.attention_: list[np.ndarray] = []
        self.layer_names_: list[str] = []
        self.saved_files_: list[Path] = []
        self._mha: list = []
        self._capturing = False
        if model is not None and hooks and _is_keras_layer(model):
            self._mha = find_attention_layers(model)
            if self._mha:
                attach(model, self)

    # ------------------------------------------------------------------ hooks
    def register_hooks(self) -> AttentionVisualizer:
        """Record the attention scores of every eager ``model(x)`` call from now on.

        The constructor does this already; call it again after :meth:`remove_hooks`.
        """
        if self.model is None:
            raise InputError("No model to hook; create AttentionVisualizer(model).")
        self._mha = find_attention_layers(self.model)
        if not self._mha:
            raise InputError(
                f"Model {getattr(self.model, 'name', self.model)!r} contains no keras.layers."
                "MultiHeadAttention layer; pass attention arrays to the plot methods instead."
            )
        attach(self.model, self)
        return self

    def remove_hooks(self) -> AttentionVisualizer:
        """Stop recording the model's calls (the captured attention is kept)."""
        if self.model is not None:
            detach(self.model, self)
        self._mha = []
        return self

    def __enter__(self) -> AttentionVisualizer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove_hooks()

    def forward_hook(self):
        """Context manager run around each eager ``model(x)`` (see :mod:`._model_hooks`)."""
        import contextlib

        if self._capturing or not self._mha:
            return contextlib.nullcontext()
        return recording(lambda: CallRecorder(self._mha, attention=True), self._store_records)

    def _store_records(self, recorder: CallRecorder) -> None:
        if recorder.records:
            names = _unique_names([n for n, _ in recorder.records])
            self._set([a for _, a in recorder.records], names, check_tokens=False)

    # ------------------------------------------------------------------ data
    @classmethod
    def from_token_ids(
        cls, token_ids: Any, tokenizer: Any, model=None, save_dir=None, **kwargs: Any
    ) -> AttentionVisualizer:
        """BERT-style helper: tokens from ids and a tokenizer, then capture from ``model``.

        ``token_ids`` (one sequence, or a batch whose first row labels the axes) are
        decoded with :func:`tokens_from_ids`; when ``model`` is given its attention on
        ``token_ids`` is captured right away.
        """
        viz = cls(model=model, save_dir=save_dir, **kwargs)
        ids = np.asarray(to_numpy(token_ids))
        viz.set_tokens_from_ids(ids[0] if ids.ndim == 2 else ids, tokenizer)
        if model is not None:
            viz.capture_attention(ids if ids.ndim == 2 else ids[None])
        return viz

    def set_tokens(self, tokens: Sequence[str] | None) -> AttentionVisualizer:
        """Set the token labels of the query/key axes (None removes them)."""
        self.tokens = None if tokens is None else [str(t) for t in tokens]
        if self.tokens is not None and self.attention_:
            self._check_tokens()
        return self

    def set_tokens_from_ids(self, token_ids: Any, tokenizer: Any) -> AttentionVisualizer:
        """Set the tokens from ids with a tokenizer (see :func:`tokens_from_ids`)."""
        return self.set_tokens(tokens_from_ids(token_ids, tokenizer))

    def set_attention(
        self, attention: Any, layer_names: Sequence[str] | None = None
    ) -> AttentionVisualizer:
        """Use attention arrays from any framework in the documented layout.

        Parameters
        ----------
        attention : array-like or sequence of array-like
            Stacked ``(layers, batch, heads, query, key)``, or one ``(batch, heads, query,
            key)`` array per layer. Other layouts raise :class:`InputError`.
        layer_names : sequence of str, optional
        """
        return self._set(attention, layer_names, check_tokens=True)

    def _set(self, attention, layer_names, check_tokens: bool) -> AttentionVisualizer:
        layers = validate_attention(attention)
        names = (
            list(layer_names)
            if layer_names is not None
            else [f"layer {i}" for i in range(len(layers))]
        )
        if len(names) != len(layers):
            raise InputError(f"{len(names)} layer names for {len(layers)} attention layers.")
        self.attention_, self.layer_names_ = layers, names
        if self.tokens is not None and check_tokens:
            self._check_tokens()
        return self

    def capture_attention(self, inputs: Any, model=None) -> list[np.ndarray]:
        """Run ``model`` once on ``inputs`` and keep the scores of its attention layers.

        Parameters
        ----------
        inputs : array-like or structure of arrays
            A batch of model inputs.
        model : keras.Model, optional
            Defaults to the model given to the constructor.

        Returns
        -------
        list of numpy.ndarray
            :attr:`attention_`, one ``(batch, heads, query, key)`` array per layer call.
        """
        model = model if model is not None else self.model
        if model is None:
            raise InputError("No model to capture from; pass model= or use set_attention(...).")
        layers = find_attention_layers(model)
        if not layers:
            raise InputError(
                f"Model {getattr(model, 'name', model)!r} contains no keras.layers."
                "MultiHeadAttention layer; use set_attention(...) with arrays you computed."
            )
        check_input_shape(model, inputs)
        self._capturing = True
        try:
            with CallRecorder(layers, attention=True) as rec:
                model(inputs, training=False)
        finally:
            self._capturing = False
        if not rec.records:
            raise InputError("The forward pass did not call any MultiHeadAttention layer.")
        self.set_attention([a for _, a in rec.records], _unique_names([n for n, _ in rec.records]))
        log.debug("captured attention of %d layer calls", len(self.attention_))
        return self.attention_

    # ----------------------------------------------------------------- helpers
    def _check_tokens(self) -> None:
        q, k = self.attention_[-1].shape[2:]
        if len(self.tokens) not in (q, k):
            raise InputError(
                f"{len(self.tokens)} tokens but the attention maps are {q} (query) x {k} (key); "
                "set tokens matching the sequence the attention was computed on."
            )

    def _use(self, attention_weights: Any) -> None:
        """Arrays passed to a plot method become the current attention."""
        if attention_weights is None:
            return
        if isinstance(attention_weights, int | np.integer):
            raise InputError(
                f"Received {attention_weights!r} as attention_weights, the first argument "
                "(the dashboard toolkit's order). Pass arrays there, or use the keywords "
                "layer=/head=/sample= to choose from the captured attention."
            )
        self.set_attention(attention_weights)

    def _need(self) -> None:
        if self.attention_:
            return
        if self.model is not None and not self._mha and _is_keras_layer(self.model):
            how = "the model has no MultiHeadAttention layer to hook; pass attention arrays"
        else:
            how = (
                "call the model (model(x)) so the hooks record it, capture_attention(x), or "
                "pass attention arrays as the first argument"
            )
        raise InputError(f"No attention yet: {how} (or use set_attention(...)).")

    def _layer(self, layer: int) -> tuple[int, np.ndarray]:
        self._need()
        n = len(self.attention_)
        if not -n <= layer < n:
            raise InputError(f"layer={layer} is out of range; there are {n} attention layers.")
        return layer % n, self.attention_[layer]

    def _sample(self, arr: np.ndarray, sample: int) -> np.ndarray:
        if not -arr.shape[0] <= sample < arr.shape[0]:
            raise InputError(f"sample={sample} is out of range for a batch of {arr.shape[0]}.")
        return arr[sample]

    def _labels(self, size: int) -> list[str] | None:
        return self.tokens if self.tokens is not None and len(self.tokens) == size else None

    def _backend(self, backend: str | None, interactive: bool) -> str:
        return check_backend(backend or ("plotly" if interactive else self.backend))

    def _finish(self, fig, save_path, stem: str, toolkit_stem: str, backend: str):
        if save_path is None:
            save_path = figure_path(self.save_dir, "attention", stem, toolkit_stem, backend)
            if save_path is None:
                return fig
        self.saved_files_.append(save_figure(fig, save_path))
        return fig

    def _grid(self, panels, title, backend, ncols=None):
        q, k = panels[0][1].shape
        return make_image_grid(
            panels,
            backend=backend,
            title=title,
            ncols=ncols,
            x_labels=self._labels(k),
            y_labels=self._labels(q),
            x_title="key",
            y_title="query",
            panel_size=max(3.0, min(7.0, 0.22 * k + 1.5)) if len(panels) == 1 else 2.8,
        )

    # ------------------------------------------------------------------- plots
    def plot_attention_heatmap(
        self,
        attention_weights: Any = None,
        layer_idx: int = 0,
        head_idx: int | None = None,
        save_path: str | os.PathLike | None = None,
        interactive: bool = False,
        *,
        layer: int | None = None,
        head: int | None = None,
        sample: int = 0,
        backend: str | None = None,
    ):
        """Heat map of one layer's attention (query rows x key columns).

        Parameters
        ----------
        attention_weights : array-like, optional
            Attention to use (and keep): ``(layers, batch, heads, query, key)`` or one
            ``(batch, heads, query, key)`` array per layer, from any framework. None uses
            the attention recorded by the hooks or set before.
        layer_idx : int, default=0
            Layer index (negative counts from the last).
        head_idx : int, optional
            Head to show; the mean over heads when None.
        save_path : str or path-like, optional
            Default ``attention_heatmap_layer<i>[_head<h>].png`` (toolkit layout
            ``attention_heatmap.png``); ``.html`` when interactive.
        interactive : bool, default=False
            Plotly figure / HTML instead of matplotlib / PNG.
        layer, head : int, optional
            Spacekit's names for ``layer_idx`` and ``head_idx`` (they win when given).
        sample : int, default=0
            Which sample of the batch.
        backend : {"matplotlib", "plotly"}, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        self._use(attention_weights)
        backend = self._backend(backend, interactive)
        layer = layer_idx if layer is None else layer
        head = head_idx if head is None else head
        li, arr = self._layer(layer)
        maps = self._sample(arr, sample)
        if head is None:
            img, which = maps.mean(axis=0), "mean of heads"
        else:
            if not -maps.shape[0] <= head < maps.shape[0]:
                raise InputError(f"head={head} is out of range; layer {li} has {maps.shape[0]}.")
            head %= maps.shape[0]  # -1 is the last head, named by its index
            img, which = maps[head], f"head {head}"
        title = f"{self.layer_names_[li]}, {which} (sample {sample})"
        fig = self._grid([(which, img)], title, backend)
        stem = f"attention_heatmap_layer{li}" + ("" if head is None else f"_head{head}")
        return self._finish(fig, save_path, stem, "attention_heatmap", backend)

    def plot_multi_head_comparison(
        self,
        attention_weights: Any = None,
        layer_idx: int = 0,
        max_heads: int = 8,
        save_path: str | os.PathLike | None = None,
        *,
        layer: int | None = None,
        sample: int = 0,
        interactive: bool = False,
        backend: str | None = None,
    ):
        """One heat map per head of a layer, side by side (the first ``max_heads``).

        Parameters are those of :meth:`plot_attention_heatmap`; the default file is
        ``multi_head_layer<i>.png``.

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        self._use(attention_weights)
        backend = self._backend(backend, interactive)
        li, arr = self._layer(layer_idx if layer is None else layer)
        maps = self._sample(arr, sample)
        panels = [(f"head {h}", maps[h]) for h in range(min(max_heads, maps.shape[0]))]
        title = f"{self.layer_names_[li]}: {len(panels)} of {maps.shape[0]} heads (sample {sample})"
        fig = self._grid(panels, title, backend, ncols=min(4, len(panels)))
        stem = f"multi_head_layer{li}"
        return self._finish(fig, save_path, stem, stem, backend)

    def rollout(self, discard_ratio: float = 0.0, head_fusion: str = "mean") -> np.ndarray:
        """:func:`attention_rollout` of the stored attention, shape (batch, tokens, tokens)."""
        self._need()
        return attention_rollout(self.attention_, discard_ratio, head_fusion)

    def plot_attention_rollout(
        self,
        attention_weights: Any = None,
        discard_ratio: float = 0.9,
        save_path: str | os.PathLike | None = None,
        interactive: bool = False,
        *,
        sample: int = 0,
        head_fusion: str = "mean",
        backend: str | None = None,
    ):
        """Heat map of the attention rollout through all layers (see :func:`attention_rollout`).

        Parameters
        ----------
        attention_weights : array-like, optional
            As for :meth:`plot_attention_heatmap`.
        discard_ratio : float, default=0.9
            Fraction of each row's smallest off-diagonal weights dropped in every layer.
        save_path : str or path-like, optional
            Default ``attention_rollout.png`` (``.html`` when interactive).
        interactive : bool, default=False
        sample : int, default=0
        head_fusion : {"mean", "max", "min"}, default="mean"
        backend : {"matplotlib", "plotly"}, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        self._use(attention_weights)
        backend = self._backend(backend, interactive)
        roll = self._sample(self.rollout(discard_ratio, head_fusion), sample)
        title = (
            f"Attention rollout over {len(self.attention_)} layers\n"
            f"({head_fusion} of heads, discard {discard_ratio:g}, sample {sample})"
        )
        fig = self._grid([("rollout", roll)], title, backend)
        return self._finish(fig, save_path, "attention_rollout", "attention_rollout", backend)

    def visualize_bert_attention(
        self,
        input_ids: Any,
        tokenizer: Any,
        save_path: str | os.PathLike | None = None,
        *,
        sample: int = 0,
        interactive: bool = False,
        backend: str | None = None,
    ):
        """Run the model on token ids and draw every layer's attention (mean of heads).

        The axes are labelled with the tokens of ``input_ids`` (row ``sample``), decoded by
        ``tokenizer`` (``convert_ids_to_tokens``, ``id_to_token`` or ``decode``).

        Parameters
        ----------
        input_ids : array-like of shape (batch, seq) or (seq,), or dict
            Token ids, or the model's input dict (its ``"token_ids"`` or ``"input_ids"``
            entry labels the axes), e.g. a KerasHub BERT's inputs.
        tokenizer : object
        save_path : str or path-like, optional
            Default ``bert_attention_all_layers.png``.
        sample : int, default=0
        interactive : bool, default=False
        backend : {"matplotlib", "plotly"}, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = self._backend(backend, interactive)
        if isinstance(input_ids, Mapping):
            key = next((k for k in ("token_ids", "input_ids") if k in input_ids), None)
            if key is None:
                raise InputError(
                    f"Input dict has keys {sorted(input_ids)}; expected 'token_ids' or "
                    "'input_ids' to label the axes."
                )
            inputs, ids = input_ids, np.asarray(to_numpy(input_ids[key]))
        else:
            ids = np.asarray(to_numpy(input_ids))
            inputs = ids[None] if ids.ndim == 1 else ids
        rows = ids[None] if ids.ndim == 1 else ids
        if not -len(rows) <= sample < len(rows):
            raise InputError(f"sample={sample} is out of range for {len(rows)} sequences.")
        tokens = tokens_from_ids(rows[sample], tokenizer)
        self.tokens = None
        self.capture_attention(inputs)
        self.set_tokens(tokens)
        panels = [
            (name, self._sample(arr, sample).mean(axis=0))
            for name, arr in zip(self.layer_names_, self.attention_, strict=True)
        ]
        title = f"Attention of {len(panels)} layers, mean of heads (sample {sample})"
        fig = self._grid(panels, title, backend, ncols=min(4, len(panels)))
        stem = "bert_attention_all_layers"
        return self._finish(fig, save_path, stem, stem, backend)
