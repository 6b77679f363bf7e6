"""Attention arrays: the documented layout, rollout, and tokens from token ids.

Everything is checked in one documented layout: a list with one array per layer, each of
shape ``(batch, heads, query, key)`` (Keras ``MultiHeadAttention``
``return_attention_scores`` and HuggingFace ``output_attentions`` both use it), or a single
stacked array ``(layers, batch, heads, query, key)`` (``torch.stack(outputs.attentions)``).
Tensors of any framework (objects with ``.numpy()`` or ``__array__``) are converted with
numpy. Anything else is rejected with a message naming the shape received and expected.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spacekit.exceptions import InputError
from spacekit.visualization._hooks import to_numpy

__all__ = ["validate_attention", "attention_rollout", "tokens_from_ids"]

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
