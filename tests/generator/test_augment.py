"""SVM training augmentation: frames move together, every quarter turn, sane features."""

from __future__ import annotations

import numpy as np
import pytest

from spacekit.exceptions import InputError
from spacekit.generator.augment import augment_features, augment_images

COLUMNS = ["numexp", "rms_ra", "rms_dec", "nmatches", "point", "segment", "gaia", "det"]


def _dihedral(x: np.ndarray) -> list[np.ndarray]:
    """The 8 flips/rotations of a (frames, h, w, 3) stack, in the image plane."""
    out = []
    for y in (x, x[:, :, ::-1]):
        out += [np.rot90(y, k=k, axes=(1, 2)) for k in range(4)]
    return out


def test_augment_images_moves_the_three_frames_together_and_uses_every_turn():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 256, size=(8, 8, 3)).astype(np.uint8)  # no symmetry
    stack = np.stack([base, base, base])[None].repeat(300, axis=0)  # 300 visits, 3 frames
    out = augment_images(stack, np.random.default_rng(0))
    assert out.shape == stack.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 255.0
    # one transform per visit, the same for its three frames (overlays stay on sources)
    np.testing.assert_array_equal(out[:, 0], out[:, 1])
    np.testing.assert_array_equal(out[:, 0], out[:, 2])
    # the visits left without colour jitter are exact flips/rotations; all 8 occur
    # (1.1.4's randint(3) never turned three quarters)
    targets = _dihedral(stack[0].astype(np.float32))
    seen = set()
    for visit in out:
        for i, t in enumerate(targets):
            if np.array_equal(visit, t):
                seen.add(i)
                break
    assert seen == set(range(8))
    # same seed, same batch
    again = augment_images(stack, np.random.default_rng(0))
    np.testing.assert_array_equal(out, again)


def test_augment_images_rejects_bad_shapes():
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match=r"\(n, frames, size, size, 3\)"):
        augment_images(np.zeros((2, 3, 8, 6, 3)), rng)
    with pytest.raises(InputError, match=r"\(n, frames, size, size, 3\)"):
        augment_images(np.zeros((3, 8, 8, 3)), rng)


def test_augment_features_jitters_counts_and_scales_keeps_codes():
    rng = np.random.default_rng(3)
    n = 500
    X = np.column_stack(
        [
            rng.integers(1, 10, n),  # numexp
            rng.uniform(1, 50, n),  # rms_ra
            rng.uniform(1, 50, n),  # rms_dec
            rng.integers(0, 40, n),  # nmatches
            rng.uniform(10, 900, n),  # point
            rng.uniform(10, 900, n),  # segment
            rng.integers(0, 80, n),  # gaia
            rng.integers(0, 5, n),  # det (a code)
        ]
    ).astype(np.float32)
    out = augment_features(X, np.random.default_rng(0), COLUMNS)
    assert out.shape == X.shape and out.dtype == np.float32
    assert not np.shares_memory(out, X)
    for j in (0, 3, 6):  # counts: integers, >= 0, within -1..+2 of the original
        d = out[:, j] - X[:, j]
        assert np.all(out[:, j] == np.round(out[:, j])) and out[:, j].min() >= 0
        assert d.min() >= -1 and d.max() <= 2 and np.unique(d).size >= 3
    for j in (1, 2, 4, 5):  # continuous: a few per cent, most values touched
        ratio = out[:, j] / X[:, j]
        assert 0.5 < ratio.min() and ratio.max() < 1.5  # heavy-tailed but bounded here
        assert 0.01 < np.median(np.abs(ratio[ratio != 1.0] - 1.0)) < 0.1
        assert 0.7 < np.mean(ratio != 1.0) < 0.9  # p_noise = 0.8
    np.testing.assert_array_equal(out[:, 7], X[:, 7])  # encoded categories untouched
    with pytest.raises(InputError, match="match columns"):
        augment_features(X[:, :5], rng, COLUMNS)


def test_training_batches_are_balanced():
    """Each batch is half misaligned even when misaligned visits are rare."""
    keras = pytest.importorskip("keras")
    from spacekit.builder.ensemble_builder import _make_batches

    y = np.array([1] * 3 + [0] * 40)
    X = np.arange(len(y), dtype=np.float32)[:, None].repeat(10, axis=1)
    images = np.zeros((len(y), 3, 4, 4, 3), np.uint8)
    batches = _make_batches(
        keras,
        X,
        images,
        y,
        batch_size=8,
        steps=5,
        seed=0,
        augment=False,
        columns=COLUMNS + ["wcs", "cat"],
        preprocess=lambda a, b: (a, b),
        branch="ensemble",
    )
    assert len(batches) == 5
    for i in range(5):
        (xb, ib), yb = batches[i]
        assert yb.tolist().count(1) == 4 and yb.tolist().count(0) == 4
        np.testing.assert_array_equal(y[xb[:, 0].astype(int)], yb)  # rows keep their labels
        assert ib.shape == (8, 3, 4, 4, 3)
