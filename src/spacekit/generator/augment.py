"""Data augmentation for the SVM alignment ensemble (numpy, one batch at a time).

Training batches of the ensemble are augmented on the fly, the way spacekit 1.1.4's
``BuilderEnsemble.batch`` did (spec §2.4), but vectorised over the batch and without
TensorFlow:

* **features** (:func:`augment_features`): count columns (``numexp``, ``nmatches``,
  ``gaia``) get an integer jitter in −1..+2 (kept ≥ 0); continuous columns (``rms_ra``,
  ``rms_dec``, ``point``, ``segment``) get, each with probability 0.8, a multiplicative
  Laplace then logistic perturbation of a few per cent; encoded categories (``det``,
  ``wcs``, ``cat``) are kept;
* **images** (:func:`augment_images`): with probability 0.5 each, a horizontal flip, a
  vertical flip, a rotation by a multiple of 90° (k in 1..3; 1.1.4's ``randint(3)`` could
  only give 0..2), and a colour jitter (brightness, contrast and saturation), then a clip
  to 0..255. The same geometric transform is applied to the three frames of a visit, so
  the overlays stay on their sources.

Examples
--------
>>> import numpy as np
>>> from spacekit.generator.augment import augment_images
>>> rng = np.random.default_rng(0)
>>> augment_images(np.zeros((2, 3, 8, 8, 3), np.uint8), rng).shape
(2, 3, 8, 8, 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from spacekit.exceptions import InputError

__all__ = [
    "COUNT_FEATURES",
    "NOISE_FEATURES",
    "augment_features",
    "augment_images",
]

#: Integer-valued features jittered by −1..+2.
COUNT_FEATURES: tuple[str, ...] = ("numexp", "nmatches", "gaia")
#: Continuous features perturbed by Laplace then logistic noise.
NOISE_FEATURES: tuple[str, ...] = ("rms_ra", "rms_dec", "point", "segment")

#: Relative scale of the Laplace and of the logistic perturbation.
_NOISE_SCALE = 0.03
_BRIGHTNESS = 0.12 * 255.0
_CONTRAST = (0.68, 1.32)
_SATURATION = (0.68, 1.32)


def augment_features(
    X: np.ndarray,
    rng: np.random.Generator,
    columns: Sequence[str],
    *,
    p_noise: float = 0.8,
) -> np.ndarray:
    """Return a jittered copy of the raw (un-normalised) feature rows ``X``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Raw features.
    rng : numpy.random.Generator
    columns : sequence of str
        Names of the columns of ``X``; those in :data:`COUNT_FEATURES` and
        :data:`NOISE_FEATURES` are augmented, the others kept.
    p_noise : float, default=0.8
        Probability that a continuous value is perturbed.

    Returns
    -------
    numpy.ndarray of shape (n_samples, n_features), float32
    """
    X = np.array(X, dtype=np.float32, copy=True)
    if X.ndim != 2 or X.shape[1] != len(columns):
        raise InputError(
            f"X must have shape (n, {len(columns)}) to match columns; received {X.shape}."
        )
    n = X.shape[0]
    cols = list(columns)
    for name in COUNT_FEATURES:
        if name in cols:
            j = cols.index(name)
            X[:, j] = np.abs(X[:, j] + rng.integers(-1, 3, size=n))
    for name in NOISE_FEATURES:
        if name in cols:
            j = cols.index(name)
            hit = rng.random(n) < p_noise
            factor = (1.0 + rng.laplace(0.0, _NOISE_SCALE, n)) * (
                1.0 + rng.logistic(0.0, _NOISE_SCALE, n)
            )
            X[:, j] = np.where(hit, np.maximum(X[:, j] * factor, 0.0), X[:, j])
    return X


def augment_images(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return randomly flipped, rotated and colour-jittered copies of image stacks.

    Parameters
    ----------
    images : array-like of shape (n_samples, frames, height, width, 3)
        Pixel values 0..255 (uint8 or float). Height and width must be equal (rotation).
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of the same shape, float32, values in 0..255
    """
    imgs = np.asarray(images)
    if imgs.ndim != 5 or imgs.shape[-1] != 3 or imgs.shape[2] != imgs.shape[3]:
        raise InputError(
            f"images must have shape (n, frames, size, size, 3); received {imgs.shape}."
        )
    out = np.empty(imgs.shape, dtype=np.float32)
    n = imgs.shape[0]
    flip_h, flip_v, rotate, jitter = (rng.random((4, n)) < 0.5).astype(bool)
    ks = rng.integers(1, 4, size=n)
    for i in range(n):
        x = imgs[i].astype(np.float32)
        if flip_h[i]:
            x = x[:, :, ::-1]
        if flip_v[i]:
            x = x[:, ::-1]
        if rotate[i]:
            x = np.rot90(x, k=int(ks[i]), axes=(1, 2))
        if jitter[i]:
            x = _colour_jitter(x, rng)
        out[i] = x
    return np.clip(out, 0.0, 255.0, out=out)


def _colour_jitter(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Brightness shift, contrast and saturation scaling of one (frames, h, w, 3) stack."""
    x = x + rng.uniform(-_BRIGHTNESS, _BRIGHTNESS)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    x = mean + (x - mean) * rng.uniform(*_CONTRAST)
    gray = x.mean(axis=-1, keepdims=True)
    return gray + (x - gray) * rng.uniform(*_SATURATION)
