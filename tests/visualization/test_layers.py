"""LayerVisualizer on a tiny CNN trained on sklearn's 8x8 digits (bundled, no network)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from spacekit.analyzer.figures import resize_bilinear  # noqa: E402
from spacekit.exceptions import InputError  # noqa: E402
from spacekit.visualization.layers import LayerVisualizer  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x.reshape(-1, 8, 8, 1) / 16.0).astype("float32")
    return x[:256], y[:256].astype("int32")


@pytest.fixture(scope="module")
def cnn(digits):
    x, y = digits
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv1"),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flat"),
            keras.layers.Dense(10, activation="softmax", name="out"),
        ],
        name="tiny_cnn",
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=64, verbose=0)
    return model


def test_hooks_capture_shapes_and_predictions(cnn, digits):
    x, _ = digits
    viz = LayerVisualizer(cnn).register_hooks(["conv1", "conv2", "out"])
    acts = viz.capture(x[:5])
    assert viz.mechanism_ == "side_model"
    assert {k: v.shape for k, v in acts.items()} == {
        "conv1": (5, 6, 6, 4),
        "conv2": (5, 4, 4, 8),
        "out": (5, 10),
    }
    # the side model shares the weights: same outputs as the model itself
    np.testing.assert_allclose(viz.outputs_, cnn.predict(x[:5], verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["out"], viz.outputs_, rtol=1e-6)
    assert np.all(acts["conv1"] >= 0)  # relu


def test_remove_hooks_and_default_all_layers(cnn, digits):
    x, _ = digits
    viz = LayerVisualizer(cnn)
    viz.register_hooks("conv1")
    viz(x[:2])
    assert list(viz.activations_) == ["conv1"]
    viz.remove_hooks()
    assert viz.activations_ == {} and viz.hooked_layers_ == []
    with pytest.raises(InputError, match="No activations captured"):
        viz.plot_activations()
    viz.capture(x[:2])  # no hooks registered: every layer
    assert list(viz.activations_) == ["conv1", "conv2", "flat", "out"]


def test_call_mechanism_matches_side_model(cnn, digits):
    x, _ = digits
    side = LayerVisualizer(cnn).register_hooks(["conv2"]).capture(x[:3])
    call = LayerVisualizer(cnn).register_hooks(["conv2"], mechanism="call").capture(x[:3])
    np.testing.assert_allclose(side["conv2"], call["conv2"], rtol=1e-5, atol=1e-6)
    assert "call" not in vars(cnn.get_layer("conv2"))  # wrapper removed


def test_subclassed_model_uses_call_recording():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(3, name="hidden")
            self.head = keras.layers.Dense(1, name="head")

        def call(self, x):
            return self.head(self.hidden(x))

    net = Net()
    net(np.zeros((1, 4), "float32"))
    viz = LayerVisualizer(net).register_hooks(["hidden"])
    assert viz.mechanism_ == "call"
    assert viz.capture(np.ones((2, 4), "float32"))["hidden"].shape == (2, 3)


def test_clear_errors(cnn, digits):
    x, y = digits
    viz = LayerVisualizer(cnn)
    with pytest.raises(InputError, match=r"no layer named 'nope'.*conv1"):
        viz.register_hooks(["nope"])
    with pytest.raises(InputError, match=r"\(8, 8, 1\).*expects \(None, 8, 8, 1\).*batch axis"):
        viz.capture(x[0])
    with pytest.raises(InputError, match="does not fit"):
        viz.capture(np.zeros((2, 9, 9, 1), "float32"))
    viz.register_hooks(["out"]).capture(x[:2])
    with pytest.raises(InputError, match="feature maps need"):
        viz.plot_feature_map_grid(None, "out")
    with pytest.raises(InputError, match=r"Captured: \['out'\]"):
        viz.plot_activations(layer_name="conv1")
    with pytest.raises(InputError, match="one image"):
        viz.overlay_activation(x[:3], "conv1")
    with pytest.raises(InputError, match="backend"):
        viz.plot_activations(backend="bokeh")


def test_gradients_nonzero_from_real_loss(cnn, digits):
    x, y = digits
    viz = LayerVisualizer(cnn)
    df = viz.compute_gradients(x[:32], y[:32])
    assert list(df["weight"]) == [
        "conv1/kernel",
        "conv1/bias",
        "conv2/kernel",
        "conv2/bias",
        "out/kernel",
        "out/bias",
    ]
    assert (df["mean_abs"] > 0).all() and (df["max_abs"] >= df["mean_abs"]).all()
    assert df["has_gradient"].all()
    # an explicit loss gives the same numbers as the compiled one
    df2 = viz.compute_gradients(x[:32], y[:32], loss="sparse_categorical_crossentropy")
    np.testing.assert_allclose(df2["mean_abs"], df["mean_abs"], rtol=1e-4)
    # by hand: the last bias gradient of softmax + crossentropy is mean(p - onehot)
    p = cnn.predict(x[:32], verbose=0)
    expected = np.abs((p - np.eye(10)[y[:32]]).mean(axis=0)).mean()
    assert df.loc[df["weight"] == "out/bias", "mean_abs"].item() == pytest.approx(
        expected, rel=1e-3
    )


def test_uncompiled_without_loss_is_an_error():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(InputError, match="not compiled"):
        LayerVisualizer(model).compute_gradients(np.zeros((2, 2)), np.zeros((2, 1)))


@pytest.mark.slow  # ~1 s per matplotlib figure on a busy machine
def test_png_files_written_in_output_tree(cnn, digits, tmp_path):
    x, y = digits
    viz = LayerVisualizer(cnn, save_dir=tmp_path).register_hooks(["conv1", "conv2", "out"])
    viz.plot_activations(x[:4])
    viz.plot_activations(layer_name="out")
    viz.plot_activations(layer_name="conv1")
    viz.plot_feature_map_grid(x[:1], "conv2", max_maps=6)
    viz.plot_weight_distribution()
    viz.plot_gradient_flow(x[:16], y[:16])
    viz.overlay_activation(x[0, ..., 0], "conv1")
    folder = tmp_path / "layers"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            "activations.png",
            "activations_out.png",
            "activations_conv1.png",
            "feature_maps_conv2.png",
            "weights.png",
            "gradient_flow.png",
            "overlay_conv1.png",
        ]
    )
    for p in folder.glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert viz.saved_files_ == [
        folder / n
        for n in [
            "activations.png",
            "activations_out.png",
            "activations_conv1.png",
            "feature_maps_conv2.png",
            "weights.png",
            "gradient_flow.png",
            "overlay_conv1.png",
        ]
    ]
    assert viz.overlay_map_.shape == (8, 8)
    assert viz.overlay_map_.min() == 0 and viz.overlay_map_.max() == 1


def test_plotly_html_files(cnn, digits, tmp_path):
    x, y = digits
    viz = LayerVisualizer(cnn, save_dir=tmp_path, backend="plotly")
    fig = viz.plot_gradient_flow(x[:16], y[:16])
    assert list(fig.data[0].x) == list(viz.gradients_["weight"])
    viz.overlay_activation(x[0], "conv2", channel=1)
    fig = viz.plot_feature_map_grid(None, "conv2", max_maps=4)
    assert len(fig.data) == 4
    folder = tmp_path / "layers"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["feature_maps_conv2.html", "gradient_flow.html", "overlay_conv2.html"]
    html = (folder / "gradient_flow.html").read_text()
    assert '<script src="http' not in html and "conv1" in html  # plotly.js embedded


def test_import_is_cheap():
    import subprocess
    import sys

    code = (
        "import sys, spacekit.visualization.layers, spacekit.visualization.attention; "
        "print(sorted(m for m in ('keras', 'tensorflow', 'plotly', 'matplotlib.pyplot') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_save_dir_writes_nothing(cnn, digits, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, _ = digits
    fig = LayerVisualizer(cnn).plot_feature_map_grid(x[:1], "conv1")
    assert len(fig.axes) == 4
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "sub" / "maps.svg"
    LayerVisualizer(cnn).plot_feature_map_grid(x[:1], "conv1", save_path=out)
    assert out.read_text().lstrip().startswith("<?xml")


def test_resize_bilinear():
    a = np.array([[0.0, 1.0], [2.0, 3.0]])
    r = resize_bilinear(a, (4, 4))
    assert r.shape == (4, 4)
    assert r[0, 0] == 0 and r[-1, -1] == 3
    np.testing.assert_allclose(r.mean(), a.mean())
    np.testing.assert_allclose(resize_bilinear(a, (2, 2)), a)


def test_tuple_outputs_and_sequence_activations():
    # an LSTM returning its states (tuple output) and a (batch, steps, features) output
    inp = keras.Input((5, 3))
    seq, h, c = keras.layers.LSTM(4, return_sequences=True, return_state=True, name="lstm")(inp)
    out = keras.layers.Dense(1, name="head")(h)
    model = keras.Model(inp, [out, seq])
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    viz = LayerVisualizer(model).register_hooks(["lstm"])
    acts = viz.capture(x)
    assert {k: v.shape for k, v in acts.items()} == {
        "lstm/0": (2, 5, 4),
        "lstm/1": (2, 4),
        "lstm/2": (2, 4),
    }
    assert isinstance(viz.outputs_, list) and len(viz.outputs_) == 2
    fig = viz.plot_activations(layer_name="lstm/0", sample=1)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), acts["lstm/0"][1].T)


def test_gradient_flow_figure_marks_zero_gradients():
    from spacekit.analyzer.figures import make_gradient_flow_figure

    names = ["a/kernel", "a/bias", "b/kernel"]
    fig = make_gradient_flow_figure(names, np.array([0.1, 0.0, 0.2]), np.array([0.3, 0.0, 0.5]))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "zero grad" in labels
    pfig = make_gradient_flow_figure(
        names, np.array([0.1, 0.0, 0.2]), np.array([0.3, 0.0, 0.5]), backend="plotly"
    )
    assert list(pfig.data[2].x) == ["a/bias"]
