"""Tests of the SVM image reader (PNG -> 128x128 nearest-neighbour RGB arrays)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.extractor.images import (
    FRAME_SUFFIXES,
    ImageReadError,
    find_visit_folder,
    load_svm_images,
    load_svm_npz,
    read_image,
    read_visit_frames,
)
from support import shared_path

REF_NAME = "hst_15000_01_wfc3_ir_total_ibpb01"


def _write_visit(root, name, rng, size=16, frames=FRAME_SUFFIXES, mode="RGBA"):
    folder = root / name
    folder.mkdir(parents=True)
    arrays = []
    for sfx in frames:
        arr = rng.integers(0, 256, size=(size, size, 4 if mode == "RGBA" else 3), dtype=np.uint8)
        Image.fromarray(arr, mode).save(folder / f"{name}{sfx}.png")
        arrays.append(arr[..., :3])
    return np.stack(arrays)


def test_reference_visit_matches_114_cnn_inputs_exactly():
    out = shared_path("reference", "spacekit-1.1.4", "svm_render", "output")
    expected = np.load(out / "cnn_inputs_128.npy", allow_pickle=False)
    images, kept, skipped = load_svm_images(out / "img", [REF_NAME], size=128)
    assert kept == [REF_NAME] and skipped == []
    assert images.shape == (1, 3, 128, 128, 3) and images.dtype == np.uint8
    assert np.array_equal(images[0], expected)


def test_nearest_neighbour_upsampling_repeats_pixels(tmp_path):
    arr = np.arange(4 * 4 * 3, dtype=np.uint8).reshape(4, 4, 3)
    Image.fromarray(arr, "RGB").save(tmp_path / "a.png")
    out = read_image(tmp_path / "a.png", size=8)
    assert np.array_equal(out, arr.repeat(2, axis=0).repeat(2, axis=1))


def test_alpha_is_dropped_not_composited(tmp_path):
    arr = np.zeros((8, 8, 4), dtype=np.uint8)
    arr[..., 0] = 200
    arr[..., 3] = 0  # fully transparent: a compositing reader would give black or white
    Image.fromarray(arr, "RGBA").save(tmp_path / "a.png")
    out = read_image(tmp_path / "a.png", size=8)
    assert out.shape == (8, 8, 3)
    assert set(np.unique(out[..., 0])) == {200} and out[..., 1:].max() == 0


def test_grayscale_image_becomes_three_equal_channels(tmp_path):
    arr = np.arange(64, dtype=np.uint8).reshape(8, 8)
    Image.fromarray(arr, "L").save(tmp_path / "g.png")
    out = read_image(tmp_path / "g.png", size=8)
    for c in range(3):
        assert np.array_equal(out[..., c], arr)


def test_bad_files_are_named(tmp_path):
    with pytest.raises(ImageReadError, match="does not exist"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_bytes(b"not a png at all")
    with pytest.raises(ImageReadError, match="bad.png"):
        read_image(tmp_path / "bad.png")
    with pytest.raises(InputError, match="size must be"):
        read_image(tmp_path / "bad.png", size=0)


def test_incomplete_and_unreadable_visits_are_skipped_and_reported(tmp_path):
    rng = np.random.default_rng(0)
    good = _write_visit(tmp_path, "good", rng)
    _write_visit(tmp_path, "two_frames", rng, frames=("", "_source"))
    _write_visit(tmp_path, "corrupt", rng)
    (tmp_path / "corrupt" / "corrupt_source.png").write_bytes(b"\x89PNG garbage")
    with pytest.warns(SkippedInputWarning) as record:
        images, kept, skipped = load_svm_images(
            tmp_path, ["two_frames", "good", "corrupt", "absent"], size=16
        )
    assert kept == ["good"]
    assert np.array_equal(images[0], good)
    reasons = dict(skipped)
    assert set(reasons) == {"two_frames", "corrupt", "absent"}
    assert "two_frames_gaia.png" in reasons["two_frames"]
    assert "corrupt_source.png" in reasons["corrupt"]
    assert "No image folder" in reasons["absent"]
    assert len(record) == 3


def test_class_folders_are_searched(tmp_path):
    rng = np.random.default_rng(1)
    expected = _write_visit(tmp_path / "1", "vis", rng)
    assert find_visit_folder(tmp_path, "vis") == tmp_path / "1" / "vis"
    assert np.array_equal(read_visit_frames(tmp_path, "vis", size=16), expected)


def test_npz_round_trip_and_114_layout(tmp_path):
    rng = np.random.default_rng(2)
    imgs = rng.integers(0, 256, size=(2, 3, 8, 8, 3), dtype=np.uint8)
    np.savez(tmp_path / "a.npz", index=np.array(["x", "y"]), images=imgs)
    names, loaded = load_svm_npz(tmp_path / "a.npz", size=8)
    assert names == ["x", "y"] and np.array_equal(loaded, imgs)
    images, kept, skipped = load_svm_images(tmp_path / "a.npz", ["y", "x"], size=8)
    assert kept == ["y", "x"] and np.array_equal(images, imgs[::-1])
    # 1.1.4 training layout (n, size, size, 9) is a reshape of the same memory
    np.savez(tmp_path / "b.npz", index=np.array(["x", "y"]), images=imgs.reshape(2, 8, 8, 9))
    assert np.array_equal(load_svm_npz(tmp_path / "b.npz")[1], imgs)


def test_npz_with_object_arrays_is_refused(tmp_path):
    np.savez(
        tmp_path / "p.npz",
        index=np.array(["x"], dtype=object),
        images=np.zeros((1, 3, 8, 8, 3), np.uint8),
    )
    with pytest.raises(InputError, match="pickle"):
        load_svm_npz(tmp_path / "p.npz")


def test_missing_image_path(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_svm_images(tmp_path / "nope", ["a"])
