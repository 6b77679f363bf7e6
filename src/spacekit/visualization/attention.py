"""Attention maps of transformers: per head, per layer, and rolled out through the model.

Layout
------
Everything is stored and checked in one documented layout: a list with one array per
layer, each of shape ``(batch, heads, query, key)`` (Keras ``MultiHeadAttention``
``return_attention_scores`` and HuggingFace ``output_attentions`` both use it), or a single
stacked array ``(layers, batch, heads, query, key)``. Anything else is rejected with a
message naming the shape received and the shape expected.

Scores from a Keras model are captured by :meth:`AttentionVisualizer.capture_attention`:
during one eager forward pass the ``call`` of every ``MultiHeadAttention`` instance (also
inside custom layers) is wrapped so that the layer computes its scores
(``return_attention_scores=True``), the wrapper records them and returns to the model
exactly what it asked for. The original methods are restored afterwards.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spacekit.analyzer.figures import check_backend, make_image_grid, save_figure
from spacekit.exceptions import InputError
from spacekit.visualization._export import output_dir
from spacekit.visualization._hooks import (
    CallRecorder,
    check_input_shape,
    find_attention_layers,
    to_numpy,
)

__all__ = ["AttentionVisualizer", "attention_rollout", "tokens_from_ids", "validate_attention"]

log = logging.getLogger(__name__)

_LAYOUT = "(batch, heads, query, key) per layer, or stacked (layers, batch, heads, query, key)"
_FUSIONS = ("mean", "max", "min")


def validate_attention(attention: Any) -> list[np.ndarray]:
    """Check attention arrays and return them as a list of ``(batch, heads, q, k)`` arrays.

    Parameters
    ----------
    attention : array-like or sequence of array-like
        A stacked ``(layers, batch, heads, query, key)`` array, or one
        ``(batch, heads, query, key)`` array per layer (list or tuple, e.g. HuggingFace
        ``outputs.attentions``). Tensors of any framework are converted with numpy.

    Returns
    -------
    list of numpy.ndarray

    Raises
    ------
    InputError
        For any other rank, an empty input, mismatched batch sizes or non-finite values.
    """
    if isinstance(attention, list | tuple):
        if not attention:
            raise InputError(f"Received an empty list of attention arrays; expected {_LAYOUT}.")
        layers = [np.asarray(to_numpy(a), dtype=float) for a in attention]
        for i, arr in enumerate(layers):
            if arr.ndim != 4:
                raise InputError(
                    f"Attention array of layer {i} has shape {arr.shape} ({arr.ndim}-D); "
                    f"expected 4-D (batch, heads, query, key). "
                    + _fix_hint(arr.ndim, per_layer=True)
                )
    else:
        arr = np.asarray(to_numpy(attention), dtype=float)
        if arr.ndim != 5:
            raise InputError(
                f"Received an attention array of shape {arr.shape} ({arr.ndim}-D); expected "
                f"{_LAYOUT}. " + _fix_hint(arr.ndim, per_layer=False)
            )
        layers = list(arr)
    batch = {a.shape[0] for a in layers}
    if len(batch) != 1:
        raise InputError(
            f"Layers disagree on the batch size: {[a.shape for a in layers]}; every layer must "
            "be (batch, heads, query, key) with the same batch."
        )
    for i, a in enumerate(layers):
        if not np.isfinite(a).all():
            raise InputError(f"Attention of layer {i} contains NaN or infinite values.")
    return layers


def _fix_hint(ndim: int, per_layer: bool) -> str:
    if ndim == 2:
        return "For one (query, key) map use arr[None, None] inside a list: [arr[None, None]]."
    if ndim == 3:
        return "If this is (heads, query, key) for one sample, add a batch axis: [arr[None]]."
    if ndim == 4 and not per_layer:
        return "If this is one layer's (batch, heads, query, key), wrap it in a list: [arr]."
    if ndim == 5 and per_layer:
        return "Pass the stacked 5-D array itself, not inside a list."
    return "Transpose your tensor into this layout first (e.g. np.moveaxis)."


def _fuse(layer: np.ndarray, head_fusion: str) -> np.ndarray:
    """(batch, heads, q, k) -> (batch, q, k)."""
    if head_fusion not in _FUSIONS:
        raise InputError(f"Unknown head_fusion {head_fusion!r}; expected one of {_FUSIONS}.")
    return getattr(layer, head_fusion)(axis=1)


def attention_rollout(
    attention: Any, discard_ratio: float = 0.0, head_fusion: str = "mean"
) -> np.ndarray:
    """Attention rollout (Abnar & Zuidema, 2020) through every layer.

    For each layer the heads are fused, the smallest ``discard_ratio`` of each row's
    off-diagonal weights are zeroed, the residual connection is added as
    ``0.5 * A + 0.5 * I``, rows are renormalised to sum to 1, and the layers are multiplied
    in order: ``R = A_L @ ... @ A_2 @ A_1``.

    Parameters
    ----------
    attention : array-like or sequence of array-like
        See :func:`validate_attention`. Every layer must be self-attention (query = key).
    discard_ratio : float, default=0.0
        Fraction in [0, 1) of the lowest weights of each row dropped before the residual.
    head_fusion : {"mean", "max", "min"}, default="mean"

    Returns
    -------
    numpy.ndarray of shape (batch, tokens, tokens)
        Row ``i`` is how much each input token contributes to output position ``i``.
    """
    layers = validate_attention(attention)
    if not 0.0 <= discard_ratio < 1.0:
        raise InputError(f"discard_ratio must be in [0, 1); received {discard_ratio}.")
    sizes = {a.shape[2:] for a in layers}
    if len(sizes) != 1 or any(q != k for q, k in sizes):
        raise InputError(
            f"Rollout needs self-attention with the same (query, key) size in every layer; "
            f"received maps of sizes {sorted(sizes)}."
        )
    n = layers[0].shape[-1]
    eye = np.eye(n)
    rollout = np.broadcast_to(eye, (layers[0].shape[0], n, n)).copy()
    for layer in layers:
        a = _fuse(layer, head_fusion)
        if discard_ratio > 0:
            a = a.copy()
            k = int(np.floor(discard_ratio * (n - 1)))
            if k:
                off = np.where(eye.astype(bool), np.inf, a)
                idx = np.argsort(off, axis=-1)[..., :k]
                np.put_along_axis(a, idx, 0.0, axis=-1)
        a = 0.5 * a + 0.5 * eye
        a = a / a.sum(axis=-1, keepdims=True)
        rollout = a @ rollout
    return rollout


def tokens_from_ids(token_ids: Any, tokenizer: Any) -> list[str]:
    """Turn one sequence of token ids into token strings with any common tokenizer.

    Uses ``tokenizer.convert_ids_to_tokens`` (HuggingFace), else ``id_to_token``
    (KerasHub), else ``decode([id])`` per id.

    Parameters
    ----------
    token_ids : sequence of int or array of shape (seq,) or (1, seq)
    tokenizer : object

    Returns
    -------
    list of str
    """
    ids = np.asarray(to_numpy(token_ids))
    if ids.ndim == 2 and ids.shape[0] == 1:
        ids = ids[0]
    if ids.ndim != 1:
        raise InputError(
            f"token_ids must be one sequence (seq,) or (1, seq); received shape {ids.shape}. "
            "Pick one sample, e.g. ids[0]."
        )
    ids_list = [int(i) for i in ids]
    if hasattr(tokenizer, "convert_ids_to_tokens"):
        return [str(t) for t in tokenizer.convert_ids_to_tokens(ids_list)]
    if hasattr(tokenizer, "id_to_token"):
        return [str(tokenizer.id_to_token(i)) for i in ids_list]
    if hasattr(tokenizer, "decode"):
        return [str(tokenizer.decode([i])).strip() for i in ids_list]
    raise InputError(
        f"Tokenizer {type(tokenizer).__name__} has no convert_ids_to_tokens, id_to_token or "
        "decode method; pass the tokens yourself with set_tokens(...)."
    )


class AttentionVisualizer:
    """Plot attention heat maps, head comparisons and rollout for transformer models.

    Parameters
    ----------
    model : keras.Model, optional
        A Keras 3 model containing ``MultiHeadAttention`` layers, for
        :meth:`capture_attention`. Not needed with :meth:`set_attention`.
    save_dir : str or path-like, optional
        Root of the output tree; figures go to ``save_dir/attention/``. ``None`` writes
        nothing unless a method gets ``save_path``.
    backend : {"matplotlib", "plotly"}, default="matplotlib"

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
        self, model=None, save_dir: str | os.PathLike | None = None, backend: str = "matplotlib"
    ):
        self.model = model
        self.save_dir = save_dir
        self.backend = check_backend(backend)
        self.tokens: list[str] | None = None
        self.attention_: list[np.ndarray] = []
        self.layer_names_: list[str] = []
        self.saved_files_: list[Path] = []

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
        layers = validate_attention(attention)
        names = (
            list(layer_names)
            if layer_names is not None
            else [f"layer {i}" for i in range(len(layers))]
        )
        if len(names) != len(layers):
            raise InputError(f"{len(names)} layer names for {len(layers)} attention layers.")
        self.attention_, self.layer_names_ = layers, names
        if self.tokens is not None:
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
        with CallRecorder(layers, attention=True) as rec:
            model(inputs, training=False)
        if not rec.records:
            raise InputError("The forward pass did not call any MultiHeadAttention layer.")
        names = [n for n, _ in rec.records]
        seen: dict[str, int] = {}
        unique = []
        for n in names:
            seen[n] = seen.get(n, 0) + 1
            unique.append(n if names.count(n) == 1 else f"{n}#{seen[n]}")
        self.set_attention([a for _, a in rec.records], unique)
        log.debug("captured attention of %d layer calls", len(unique))
        return self.attention_

    # ----------------------------------------------------------------- helpers
    def _check_tokens(self) -> None:
        q, k = self.attention_[-1].shape[2:]
        if len(self.tokens) not in (q, k):
            raise InputError(
                f"{len(self.tokens)} tokens but the attention maps are {q} (query) x {k} (key); "
                "set tokens matching the sequence the attention was computed on."
            )

    def _need(self) -> None:
        if not self.attention_:
            raise InputError("No attention yet; call capture_attention(...) or set_attention(...).")

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

    def _finish(self, fig, save_path, stem: str, backend: str):
        if save_path is None:
            folder = output_dir(self.save_dir, "attention")
            if folder is None:
                return fig
            save_path = folder / f"{stem}.{'html' if backend == 'plotly' else 'png'}"
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
        layer: int = -1,
        head: int | None = None,
        sample: int = 0,
        *,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """Heat map of one layer's attention (query rows x key columns).

        Parameters
        ----------
        layer : int, default=-1
            Layer index (negative counts from the last).
        head : int, optional
            Head to show; the mean over heads when None.
        sample : int, default=0
        backend : {"matplotlib", "plotly"}, optional
        save_path : str or path-like, optional

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
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
        return self._finish(fig, save_path, stem, backend)

    def plot_multi_head_comparison(
        self,
        layer: int = -1,
        sample: int = 0,
        *,
        max_heads: int = 16,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """One heat map per head of a layer, side by side.

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
        li, arr = self._layer(layer)
        maps = self._sample(arr, sample)
        panels = [(f"head {h}", maps[h]) for h in range(min(max_heads, maps.shape[0]))]
        title = f"{self.layer_names_[li]}: {len(panels)} of {maps.shape[0]} heads (sample {sample})"
        fig = self._grid(panels, title, backend, ncols=min(4, len(panels)))
        return self._finish(fig, save_path, f"multi_head_layer{li}", backend)

    def rollout(self, discard_ratio: float = 0.0, head_fusion: str = "mean") -> np.ndarray:
        """:func:`attention_rollout` of the stored attention, shape (batch, tokens, tokens)."""
        self._need()
        return attention_rollout(self.attention_, discard_ratio, head_fusion)

    def plot_attention_rollout(
        self,
        sample: int = 0,
        discard_ratio: float = 0.0,
        head_fusion: str = "mean",
        *,
        backend: str | None = None,
        save_path: str | os.PathLike | None = None,
    ):
        """Heat map of the attention rollout through all layers (see :func:`attention_rollout`).

        Returns
        -------
        matplotlib.figure.Figure or plotly.graph_objects.Figure
        """
        backend = check_backend(backend or self.backend)
        roll = self._sample(self.rollout(discard_ratio, head_fusion), sample)
        title = (
            f"Attention rollout over {len(self.attention_)} layers "
            f"({head_fusion} of heads, discard {discard_ratio:g}, sample {sample})"
        )
        fig = self._grid([("rollout", roll)], title, backend)
        return self._finish(fig, save_path, "attention_rollout", backend)
