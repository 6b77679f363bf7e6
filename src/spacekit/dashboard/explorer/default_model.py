"""A small CNN trained on the explorer's data when no model is given, cached on disk.

``spacekit explore`` with no model trains :func:`build_default_cnn` on the data (by
default the digits: a few seconds on one CPU core) with a fixed seed and a stratified
80/20 split, and caches the ``.keras`` file and the split in the spacekit cache folder
(``$SPACEKIT_CACHE`` or the platform cache; never the current directory), keyed by the
data, so the next start loads it. The explorer marks each sample ``train`` or ``test``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np

from spacekit._optional import require
from spacekit.exceptions import InputError

__all__ = ["DEFAULT_EPOCHS", "build_default_cnn", "train_default_model", "default_model_path"]

log = logging.getLogger(__name__)

#: Epochs of the default CNN (about 98 % test accuracy on the digits).
DEFAULT_EPOCHS = 12
_VERSION = 1


def build_default_cnn(input_shape: tuple[int, ...], n_classes: int):
    """Two convolutions, a 64-unit ``hidden`` Dense layer and a softmax output.

    Inputs of rank 4 (SVM frame triplets ``(frames, h, w, c)``) are turned into one
    image with the frames as channels; images larger than 32 pixels are average-pooled
    down to about 32 first.
    """
    keras = require("keras", "training the explorer's default model")
    L = keras.layers
    shape = tuple(int(s) for s in input_shape)
    inputs = keras.Input(shape=shape, name="image")
    x = inputs
    if len(shape) == 4:
        frames, h, w, c = shape
        x = L.Permute((2, 3, 1, 4), name="frames_last")(x)
        x = L.Reshape((h, w, frames * c), name="frames_as_channels")(x)
        shape = (h, w, frames * c)
    if len(shape) != 3:
        raise InputError(f"The default CNN needs images (h, w, c); received shape {input_shape}.")
    factor = max(1, shape[0] // 32)
    if factor > 1:
        x = L.AveragePooling2D(factor, name="downsample")(x)
    x = L.Conv2D(16, 3, padding="same", activation="relu", name="conv1")(x)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.Conv2D(32, 3, padding="same", activation="relu", name="conv2")(x)
    if shape[0] // factor > 16:
        x = L.GlobalAveragePooling2D(name="gap")(x)
    else:
        x = L.Flatten(name="flatten")(x)
    x = L.Dense(64, activation="relu", name="hidden")(x)
    x = L.Dropout(0.25, name="dropout")(x)
    outputs = L.Dense(int(n_classes), activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="explorer_cnn")


def _split(labels: np.ndarray, seed: int, test_size: float = 0.2) -> np.ndarray:
    """``"train"``/``"test"`` per sample, stratified when every class has two members."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    strat = labels if np.bincount(labels).min(initial=2) >= 2 and len(labels) >= 10 else None
    if len(labels) < 5:
        return np.full(len(labels), "train", dtype="<U5")
    _, test = train_test_split(idx, test_size=test_size, random_state=seed, stratify=strat)
    split = np.full(len(labels), "train", dtype="<U5")
    split[test] = "test"
    return split


def default_model_path(digest: str, cache: str | os.PathLike) -> Path:
    """Where the default model of the data with this digest is cached."""
    return Path(cache) / "models" / f"cnn-v{_VERSION}-{digest[:20]}.keras"


def train_default_model(
    images: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    digest: str,
    cache: str | os.PathLike,
    *,
    epochs: int = DEFAULT_EPOCHS,
    seed: int = 0,
    progress: bool = False,
):
    """Load the cached default CNN of this data, or train and cache it.

    Parameters
    ----------
    images : numpy.ndarray of shape (n, ...)
    labels : numpy.ndarray of shape (n,)
    n_classes : int
    digest : str
        Digest of the data (:func:`~spacekit.dashboard.explorer.data.data_digest`).
    cache : path-like
        The explorer's cache folder.
    epochs : int, default=12
    seed : int, default=0
    progress : bool, default=False
        Show Keras' progress bar while training.

    Returns
    -------
    model : keras.Model
    split : numpy.ndarray of str
        ``"train"`` or ``"test"`` per sample.
    path : pathlib.Path
        The cached ``.keras`` file.
    """
    from spacekit._io import atomic_write_json
    from spacekit.builder.architect import save_keras_model, set_seed
    from spacekit.dashboard.explorer.model import load_classifier

    keras = require("keras", "training the explorer's default model")
    path = default_model_path(f"{digest}-e{epochs}-s{seed}", cache)
    split_file = path.with_suffix(".json")
    if path.is_file() and split_file.is_file():
        try:
            split = np.array(json.loads(split_file.read_text("utf-8"))["split"])
            if len(split) == len(labels):
                log.info("loading the cached default model %s", path)
                return load_classifier(path), split, path
        except (ValueError, KeyError, OSError) as exc:
            log.warning("ignoring the unreadable cached model %s: %s", path, exc)
    split = _split(labels, seed)
    set_seed(seed)
    model = build_default_cnn(images.shape[1:], n_classes)
    model.compile(
        optimizer=keras.optimizers.Adam(2e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    train = split == "train"
    log.info("training the default CNN on %d images for %d epochs", int(train.sum()), epochs)
    model.fit(
        images[train], labels[train], epochs=int(epochs), batch_size=32,
        verbose=1 if progress else 0, shuffle=True,
    )  # fmt: skip
    save_keras_model(model, path)
    atomic_write_json(split_file, {"split": split.tolist(), "epochs": int(epochs), "seed": seed})
    return model, split, path
