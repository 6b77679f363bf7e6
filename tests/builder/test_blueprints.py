"""Tests of spacekit.builder.blueprints and architect (tiny Keras models)."""

import numpy as np
import pytest

from spacekit.builder.blueprints import (
    BLUEPRINTS,
    build_mlp_regressor,
    get_blueprint,
    list_blueprints,
)
from spacekit.exceptions import InputError

keras = pytest.importorskip("keras")


def _dense_units(model):
    return [layer.units for layer in model.layers if hasattr(layer, "units")]


@pytest.mark.parametrize(
    ("name", "hidden", "n_layers", "inp", "out"),
    [
        ("img3_reg", [18, 36, 72, 144, 72, 36, 18, 9], 10, "jwst_cal_image3", "image3_regressor"),
        (
            "spec3_reg",
            [18, 36, 72, 144, 288, 144, 72, 36, 18],
            11,
            "jwst_cal_spec3",
            "spec3_regressor",
        ),
    ],
)
def test_jwst_blueprints_match_published_architecture(name, hidden, n_layers, inp, out):
    model = get_blueprint(name).build(seed=0)
    assert model.name == name
    assert len(model.layers) == n_layers
    assert model.layers[0].name == inp
    assert model.layers[-1].name == out
    assert _dense_units(model) == [*hidden, 1]
    assert model.layers[1].name == "1_dense18"
    assert model.layers[-1].activation.__name__ == "linear"
    assert all(layer.activation.__name__ == "relu" for layer in model.layers[1:-1])
    assert model.input_shape == (None, 18)


def test_compile_settings_and_rmse_metric():
    bp = get_blueprint("img3_reg")
    assert (bp.learning_rate, bp.decay_steps, bp.decay_rate, bp.staircase) == (
        1e-4,
        100_000,
        0.96,
        True,
    )
    assert (bp.epochs, bp.batch_size, bp.early_stopping, bp.patience) == (200, 32, "val_rmse", 15)
    model = bp.build(seed=1)
    sched = model.optimizer.learning_rate
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    x = np.random.default_rng(0).normal(size=(16, 18)).astype("float32")
    y = np.abs(x[:, :1]) * 3
    hist = model.fit(x, y, validation_data=(x, y), epochs=1, verbose=0)
    assert set(hist.history) >= {"loss", "rmse", "val_loss", "val_rmse"}
    assert float(np.asarray(sched)) == pytest.approx(1e-4)


def test_aliases_and_unknown_name():
    assert get_blueprint("jwst_img3_reg") is BLUEPRINTS["img3_reg"]
    assert get_blueprint("SPEC") is BLUEPRINTS["spec3_reg"]
    assert list_blueprints() == ["img3_reg", "mem_clf", "mem_reg", "spec3_reg", "wall_reg"]
    assert get_blueprint("hst_wall_reg") is BLUEPRINTS["wall_reg"]
    assert get_blueprint("memory_classifier") is BLUEPRINTS["mem_clf"]
    with pytest.raises(InputError, match="Unknown blueprint"):
        get_blueprint("svm_cnn")


def test_layer_kwargs_by_position_and_name():
    model = build_mlp_regressor(
        4,
        layers=[8, 6, 4],
        name="tiny",
        layer_kwargs={0: {"units": 5}, "3_dense4": {"activation": "tanh"}},
    )
    assert _dense_units(model) == [5, 6, 4, 1]
    assert model.layers[3].activation.__name__ == "tanh"
    with pytest.raises(InputError, match="out of range"):
        build_mlp_regressor(4, layers=[8], layer_kwargs={3: {"units": 2}})
    with pytest.raises(InputError, match="does not name"):
        build_mlp_regressor(4, layers=[8], layer_kwargs={"x": {"units": 2}})
    with pytest.raises(InputError, match="unsupported"):
        build_mlp_regressor(4, layers=[8], layer_kwargs={0: {"name": "bad"}})


def test_seeded_build_is_reproducible():
    a = build_mlp_regressor(3, layers=[4], seed=7)
    b = build_mlp_regressor(3, layers=[4], seed=7)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_replace_validates_fields():
    small = get_blueprint("img3_reg").replace(epochs=3, hidden=[4, 2])
    assert small.hidden == (4, 2) and small.epochs == 3
    with pytest.raises(InputError, match="Unknown blueprint field"):
        get_blueprint("img3_reg").replace(nope=1)


def test_fit_and_save_roundtrip(tmp_path):
    from spacekit.builder.architect import fit_model, save_keras_model

    bp = get_blueprint("img3_reg").replace(hidden=(4,), epochs=2, batch_size=8)
    model = bp.build(seed=0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 18)).astype("float32")
    y = rng.normal(size=(20, 1)).astype("float32")
    hist = fit_model(model, x, y, x, y, blueprint=bp, early_stopping="val_rmse")
    assert len(hist["val_rmse"]) == 2
    path = save_keras_model(model, tmp_path / "m" / "img3_reg.keras")
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(InputError, match="validation"):
        fit_model(model, x, y, early_stopping="val_rmse", epochs=1)
    with pytest.raises(InputError, match=".keras"):
        save_keras_model(model, tmp_path / "model.h5")


def test_hst_blueprints_are_the_114_architectures():
    clf = get_blueprint("hst_mem_clf").build(seed=1)
    assert _dense_units(clf) == [18, 32, 64, 32, 18, 9, 4]
    assert clf.layers[0].name == "hst_jobs" and clf.layers[-1].name == "output_mem_clf"
    assert clf.layers[-1].activation.__name__ == "softmax"
    x = np.random.default_rng(0).normal(size=(16, 9)).astype("float32")
    y = np.eye(4, dtype="float32")[np.arange(16) % 4]
    hist = clf.fit(x, y, epochs=1, verbose=0)
    assert set(hist.history) >= {"loss", "accuracy"}
    wall = get_blueprint("wall_reg").build(seed=1)
    assert _dense_units(wall) == [18, 32, 64, 128, 256, 128, 64, 32, 18, 9, 1]
    assert wall.layers[-1].name == "wallclock_reg"
    assert get_blueprint("mem_reg").batch_size == 32 and get_blueprint("wall_reg").epochs == 300


def test_scale_output_and_inference_copy():
    from spacekit.builder.architect import inference_copy, scale_output

    model = get_blueprint("mem_reg").build(seed=2)
    x = np.random.default_rng(1).normal(size=(5, 9)).astype("float32")
    before = np.asarray(model(x))
    scale_output(model, 250.0, "memory_reg")
    np.testing.assert_allclose(np.asarray(model(x)), before * 250.0, rtol=1e-5, atol=1e-4)
    copy = inference_copy(model)
    assert not copy.compiled
    np.testing.assert_allclose(np.asarray(copy(x)), np.asarray(model(x)), rtol=1e-6)
    with pytest.raises(InputError, match="linear output layer"):
        scale_output(get_blueprint("mem_clf").build(), 2.0)
