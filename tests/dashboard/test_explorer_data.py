"""Data sets of the model explorer: digits, image folders, .npz, SVM PNGs, subsampling."""

import numpy as np
import pytest
from PIL import Image

from spacekit.dashboard.explorer.data import (
    ExplorerData,
    data_digest,
    load_data,
    load_image_folder,
    load_npz,
    subsample,
)
from spacekit.dashboard.explorer.data_svm import is_svm_folder, load_svm_data
from spacekit.exceptions import InputError, SkippedInputWarning


def test_digits_are_scaled_8x8_images_of_ten_classes():
    from sklearn.datasets import load_digits

    raw = load_digits()
    data = load_data("digits")
    assert data.images.shape == (1797, 8, 8, 1)
    assert data.images.dtype == np.float32
    assert data.classes == tuple(str(i) for i in range(10))
    np.testing.assert_array_equal(data.labels, raw.target)
    np.testing.assert_allclose(data.images[5, :, :, 0], raw.images[5] / 16.0, rtol=1e-6)
    assert data.counts()["0"] == 178


def test_subsample_is_stratified_sorted_and_reproducible():
    data = load_data("digits")
    sub = subsample(data, 100, seed=3)
    again = load_data("digits", max_samples=100, seed=3)
    assert len(sub) == 100
    counts = np.bincount(sub.labels, minlength=10)
    assert counts.min() >= 9 and counts.max() <= 11
    np.testing.assert_array_equal(sub.images, again.images)
    assert data_digest(sub) == data_digest(again) != data_digest(data)
    assert subsample(data, None) is data
    with pytest.raises(InputError, match="positive"):
        subsample(data, 0)


def test_unknown_name_lists_the_choices(tmp_path):
    with pytest.raises(InputError, match=r"Unknown data 'mnist'.*digits"):
        load_data("mnist")
    text = tmp_path / "notes.txt"
    text.write_text("x")
    with pytest.raises(InputError, match=r"not an \.npz"):
        load_data(text)


def _png(path, size=(6, 4), mode="L", value=128):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value if mode == "L" else (value, 0, 0)).save(path)


def test_image_folder_classes_sizes_and_unreadable_files(tmp_path):
    _png(tmp_path / "dogs" / "a.png", value=255)
    _png(tmp_path / "dogs" / "b.png")
    _png(tmp_path / "cats" / "c.png", size=(12, 8))  # resized to the common 4x6
    (tmp_path / "cats" / "broken.png").write_bytes(b"not a png")
    (tmp_path / "cats" / "readme.txt").write_text("ignored: not an image suffix")
    with pytest.warns(SkippedInputWarning, match="broken.png"):
        data = load_image_folder(tmp_path)
    assert data.classes == ("cats", "dogs")
    assert data.images.shape == (3, 4, 6, 1)
    np.testing.assert_array_equal(data.labels, [0, 1, 1])
    assert data.names == ("cats/c.png", "dogs/a.png", "dogs/b.png")
    assert data.images[1].max() == pytest.approx(1.0)
    assert data.images[2].max() == pytest.approx(128 / 255)
    with pytest.warns(SkippedInputWarning):
        rgb = load_image_folder(tmp_path, size=(8, 8), channels=3)
    assert rgb.images.shape == (3, 8, 8, 3)


def test_image_folder_mixed_modes_become_rgb_and_empty_folders_fail(tmp_path):
    _png(tmp_path / "a" / "1.png")
    _png(tmp_path / "b" / "2.png", mode="RGB")
    assert load_data(tmp_path).images.shape == (2, 4, 6, 3)
    empty = tmp_path / "empty"
    (empty / "cls").mkdir(parents=True)
    with pytest.raises(InputError, match="no class folders with images"):
        load_data(empty)
    only_bad = tmp_path / "bad"
    (only_bad / "x").mkdir(parents=True)
    (only_bad / "x" / "1.png").write_bytes(b"junk")
    with pytest.warns(SkippedInputWarning), pytest.raises(InputError, match="could be read"):
        load_data(only_bad)


def test_npz_with_string_labels_and_uint8_images(tmp_path):
    path = tmp_path / "set.npz"
    images = np.zeros((4, 5, 5), dtype=np.uint8)
    images[1] = 255
    np.savez(path, x=images, y=np.array(["star", "galaxy", "star", "qso"]))
    data = load_npz(path)
    assert data.classes == ("galaxy", "qso", "star")
    np.testing.assert_array_equal(data.labels, [2, 0, 2, 1])
    assert data.images.shape == (4, 5, 5, 1)
    assert data.images[1].max() == 1.0 and data.images[0].max() == 0.0


def test_npz_refuses_pickle_and_names_missing_keys(tmp_path):
    obj = tmp_path / "obj.npz"
    np.savez(obj, images=np.zeros((2, 3, 3)), labels=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(InputError, match="without pickle"):
        load_npz(obj)
    keys = tmp_path / "keys.npz"
    np.savez(keys, pixels=np.zeros((2, 3, 3)), labels=np.array([0, 1]))
    with pytest.raises(InputError, match=r"looked for \['images', 'x', 'X'\].*pixels"):
        load_npz(keys)


def test_explorer_data_checks_labels_and_values():
    with pytest.raises(InputError, match="class indices 0..1"):
        ExplorerData(np.zeros((2, 3, 3)), [0, 2], ("a", "b"), "test")
    with pytest.raises(InputError, match="NaN"):
        ExplorerData(np.full((2, 3, 3), np.nan), [0, 1], ("a", "b"), "test")
    with pytest.raises(InputError, match="2 images but 3 labels"):
        ExplorerData(np.zeros((2, 3, 3)), [0, 1, 1], ("a", "b"), "test")


def _svm_visit(root, name, value):
    for sfx in ("", "_source", "_gaia"):
        _png(root / name / f"{name}{sfx}.png", size=(16, 16), mode="RGB", value=value)


def test_svm_prep_output_folder(tmp_path):
    import pandas as pd

    _svm_visit(tmp_path / "img", "hst_1_a", 200)
    _svm_visit(tmp_path / "img", "hst_2_b", 50)
    pd.DataFrame(
        {"numexp": [1, 2, 3], "label": [0, 1, 1], "index": ["hst_1_a", "hst_2_b", "hst_3_c"]}
    ).to_csv(tmp_path / "svm_data.csv", index=False)
    assert is_svm_folder(tmp_path)
    with pytest.warns(SkippedInputWarning, match="hst_3_c"):
        data = load_svm_data(tmp_path, size=16)
    assert data.classes == ("aligned", "misaligned")
    assert data.names == ("hst_1_a", "hst_2_b")
    np.testing.assert_array_equal(data.labels, [0, 1])
    assert data.images.shape == (2, 3, 16, 16, 3)
    assert data.images[0, 0, 0, 0, 0] == pytest.approx(200 / 255)


def test_svm_class_layout(tmp_path):
    _svm_visit(tmp_path / "0", "v_aligned", 10)
    _svm_visit(tmp_path / "1", "v_bad", 20)
    assert is_svm_folder(tmp_path)
    data = load_data(tmp_path, size=(16, 16))
    assert dict(zip(data.names, data.labels.tolist(), strict=True)) == {
        "v_aligned": 0,
        "v_bad": 1,
    }
