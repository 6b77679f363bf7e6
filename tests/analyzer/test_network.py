"""analyzer.network: structure and node values of a saved Dense model equal Keras."""

import numpy as np
import pytest

from keras_files import dense_keras_bytes
from spacekit.analyzer.figures.network import make_network_figure
from spacekit.analyzer.network import dense_structure, node_activations
from spacekit.exceptions import DataError, InputError


def test_structure_and_forward_pass_of_a_numpy_readable_file(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(dense_keras_bytes((3, 5, 4, 2), seed=3, output_activation="linear"))
    net = dense_structure(path)
    assert net.sizes == [3, 5, 4, 2] and net.n_edges == 3 * 5 + 5 * 4 + 4 * 2
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    acts = node_activations(net, x)
    # by hand: relu(x W1 + b1) -> relu(. W2 + b2) -> . W3 + b3
    h = x
    for i, layer in enumerate(net.layers):
        h = h @ layer.kernel + layer.bias
        if i < 2:
            h = np.maximum(h, 0)
    np.testing.assert_allclose(acts[-1], h, rtol=1e-5)
    np.testing.assert_allclose(acts[-1], net.model.predict(x[None])[0], rtol=1e-6)
    with pytest.raises(InputError, match="takes 3 inputs"):
        node_activations(net, [1.0, 2.0])
    with pytest.raises(InputError, match="finite"):
        node_activations(net, [1.0, np.nan, 2.0])
    with pytest.raises(InputError, match="does not exist"):
        dense_structure(tmp_path / "nope.keras")


def test_figure_has_every_node_and_edge_with_exact_values(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(dense_keras_bytes((3, 4, 2), seed=1))
    net = dense_structure(path)
    fig = make_network_figure(
        [la.kernel for la in net.layers],
        [la.bias for la in net.layers],
        input_labels=["a", "b", "c"],
        output_labels=["no", "yes"],
    )
    nodes = [t for t in fig.data if t.name in ("input", "hidden", "output")]
    assert [len(t.x) for t in nodes] == [3, 4, 2]
    edges = next(t for t in fig.data if t.name == "edges")
    assert len(edges.x) == 3 * 4 + 4 * 2
    layer, i, j, w = edges.customdata[0]
    assert w == pytest.approx(float(net.layers[int(layer) - 1].kernel[int(i), int(j)]))
    rng = np.random.default_rng(0)
    capped = make_network_figure([rng.normal(size=(40, 400))], [np.zeros(400)], max_edges=1000)
    assert "strongest 1000 of 16000 weights" in capped.layout.title.text


@pytest.mark.slow
def test_node_values_equal_keras_predict(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")
    model.fit(x, np.arange(20) % 3, epochs=2, verbose=0)
    path = tmp_path / "bn.keras"
    model.save(path)
    net = dense_structure(path)
    assert net.sizes == [4, 6, 5, 3]
    assert net.layers[0].then == ["relu", "BatchNormalization"]
    expected = model.predict(x[:5], verbose=0)
    for row, want in zip(x[:5], expected, strict=True):
        np.testing.assert_allclose(node_activations(net, row)[-1], want, rtol=1e-5, atol=1e-6)

    conv = keras.Sequential(
        [
            keras.Input(shape=(8, 1)),
            keras.layers.Conv1D(2, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    conv.save(tmp_path / "conv.keras")
    with pytest.raises(DataError, match="not a Dense network"):
        dense_structure(tmp_path / "conv.keras")
