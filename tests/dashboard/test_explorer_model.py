"""The explorer's model handling: safe loading, classifier checks, shapes, default CNN."""

import json

import numpy as np
import pytest

from spacekit.dashboard.explorer import model as M
from spacekit.exceptions import ArchiveError, InputError


@pytest.fixture(scope="module")
def keras():
    from spacekit._optional import require

    return require("keras")


def _mlp(keras, out=3, activation="softmax", inputs=(4,)):
    x = keras.Input(shape=inputs, name="x")
    h = keras.layers.Dense(5, activation="relu", name="h")(x)
    d = keras.layers.Dropout(0.1, name="drop")(h)
    y = keras.layers.Dense(out, activation=activation, name="out")(d)
    return keras.Model(x, y, name="mlp")


def test_check_classifier_kinds(keras):
    info = M.check_classifier(_mlp(keras))
    assert (info.input_shape, info.n_classes, info.output) == ((4,), 3, "probabilities")
    assert M.check_classifier(_mlp(keras, activation=None)).output == "logits"
    binary = M.check_classifier(_mlp(keras, out=1, activation="sigmoid"))
    assert (binary.n_classes, binary.output) == (2, "sigmoid")
    np.testing.assert_allclose(M.to_probabilities(np.array([[0.2]]), binary), [[0.8, 0.2]])
    logits = M.to_probabilities(np.array([[0.0, np.log(3.0)]]), M.ClassifierInfo((2,), 2, "logits"))
    np.testing.assert_allclose(logits, [[0.25, 0.75]])


def test_not_a_classifier(keras):
    with pytest.raises(InputError, match="regressor, not a classifier"):
        M.check_classifier(_mlp(keras, out=1, activation=None))
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(3,))
    two = keras.Model([a, b], keras.layers.Dense(2)(keras.layers.Concatenate()([a, b])))
    with pytest.raises(InputError, match="2 input"):
        M.check_classifier(two)
    x = keras.Input(shape=(4, 4, 1))
    maps = keras.Model(x, keras.layers.Conv2D(2, 3, padding="same")(x))
    with pytest.raises(
        InputError, match=r"not a classifier: its output has shape \(None, 4, 4, 2\)"
    ):
        M.check_classifier(maps)


def test_layers_default_and_unknown(keras):
    model = _mlp(keras)
    assert M.hidden_layer_names(model) == ["h", "drop", "out"]
    assert M.default_layer(model) == "h"  # the dropout before the output is skipped
    assert M.check_layer(model, None) == "h"
    with pytest.raises(
        InputError, match=r"no layer named 'dense_9'. Layers: \['h', 'drop', 'out'\]"
    ):
        M.check_layer(model, "dense_9")
    rows = M.layer_rows(model)
    assert [r["name"] for r in rows] == ["x", "h", "drop", "out"]
    assert rows[1]["params"] == 4 * 5 + 5 and rows[1]["inbound"] == ["x"]
    assert rows[3]["output_shape"] == "(None, 3)"


def test_conform_images():
    imgs = np.zeros((2, 8, 8, 1), dtype=np.float32)
    assert M.conform_images(imgs, (8, 8, 1)) is imgs
    assert M.conform_images(imgs, (64,)).shape == (2, 64)
    assert M.conform_images(imgs, (8, 8)).shape == (2, 8, 8)
    assert M.conform_images(imgs[..., 0], (None, None, 1)).shape == (2, 8, 8, 1)
    with pytest.raises(InputError, match=r"shape \(8, 8, 1\) but the model expects \(28, 28, 1\)"):
        M.conform_images(imgs, (28, 28, 1))


def test_forward_returns_probabilities_and_flat_features(keras):
    x = keras.Input(shape=(6, 6, 1))
    c = keras.layers.Conv2D(3, 3, padding="same", name="conv")(x)
    f = keras.layers.Flatten(name="flat")(c)
    y = keras.layers.Dense(2, activation="softmax", name="out")(f)
    model = keras.Model(x, y)
    data = np.random.default_rng(0).random((10, 6, 6, 1)).astype("float32")
    raw, feats = M.forward(model, data, ["conv", "flat"], batch_size=4)
    assert raw.shape == (10, 2)
    np.testing.assert_allclose(raw.sum(axis=1), 1, rtol=1e-5)
    assert feats["conv"].shape == feats["flat"].shape == (10, 108)
    np.testing.assert_allclose(feats["conv"], feats["flat"], rtol=1e-6)
    np.testing.assert_allclose(raw, model.predict(data, verbose=0), rtol=1e-5)


def test_wide_feature_maps_are_averaged_over_space():
    arr = np.ones((2, 40, 40, 3), dtype=np.float32)  # 4800 > MAX_FEATURES values
    arr[:, :, :, 1] = 2
    out = M._reduce(arr)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[0], [1, 2, 1])


def test_load_keras_and_refuse_unsafe_h5(keras, tmp_path):
    model = _mlp(keras)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = M.load_classifier(path)
    np.testing.assert_allclose(loaded.get_weights()[0], model.get_weights()[0])
    import h5py

    bad = tmp_path / "lambda.h5"
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}},
        {"class_name": "Lambda", "config": {"function": "payload"}},
    ]}}  # fmt: skip
    with h5py.File(bad, "w") as fh:
        fh.attrs["model_config"] = json.dumps(config)
    with pytest.raises(ArchiveError, match=r"\['Lambda'\] layer\(s\), which run arbitrary"):
        M.load_classifier(bad)
    weights_only = tmp_path / "w.h5"
    with h5py.File(weights_only, "w") as fh:
        fh.create_dataset("w", data=np.zeros(2))
    with pytest.raises(ArchiveError, match="no model configuration"):
        M.load_classifier(weights_only)
    with pytest.raises(InputError, match="does not exist"):
        M.load_classifier(tmp_path / "missing.keras")
    (tmp_path / "m.pkl").write_bytes(b"x")
    with pytest.raises(InputError, match="not a Keras model file"):
        M.load_classifier(tmp_path / "m.pkl")


def test_default_cnn_shapes(keras):
    from spacekit.dashboard.explorer.default_model import build_default_cnn

    assert build_default_cnn((8, 8, 1), 10).output.shape == (None, 10)
    svm = build_default_cnn((3, 64, 64, 3), 2)
    assert svm.get_layer("frames_as_channels").output.shape == (None, 64, 64, 9)
    assert svm.get_layer("downsample").output.shape == (None, 32, 32, 9)
    with pytest.raises(InputError, match="needs images"):
        build_default_cnn((64,), 2)
