"""Numpy inference of Keras MLPs: equality with Keras, reference vectors, errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from spacekit.builder.inference import NumpyMLP
from spacekit.exceptions import ArchiveError, InputError

REPO = Path(__file__).resolve().parents[2]
REF = REPO.parent / "shared" / "reference" / "spacekit-1.1.4"
needs_ref = pytest.mark.usefixtures("reference_dir")  # skips in a clone, fails in CI


def write_keras_mlp(path, sizes, acts=None, seed=0, name="mlp", extra_layers=()):
    """Write a Keras-3-layout ``.keras`` file for a Dense MLP, with h5py (no keras)."""
    rng = np.random.default_rng(seed)
    acts = acts or ["relu"] * (len(sizes) - 2) + ["linear"]
    layers = [
        {
            "module": "keras.layers",
            "class_name": "InputLayer",
            "config": {"batch_shape": [None, sizes[0]], "dtype": "float32", "name": "inp"},
            "name": "inp",
            "inbound_nodes": [],
        }
    ]
    prev = "inp"
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            lname = f"{i + 1}_dense{n_out}"
            layers.append(
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {"name": lname, "units": n_out, "activation": acts[i]},
                    "name": lname,
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, n_in],
                                        "dtype": "float32",
                                        "keras_history": [prev, 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {},
                        }
                    ],
                }
            )
            grp = h5.create_group(f"layers/dense{'' if i == 0 else f'_{i}'}/vars")
            grp.create_dataset("0", data=rng.normal(size=(n_in, n_out)).astype("float32"))
            grp.create_dataset("1", data=rng.normal(size=n_out).astype("float32") * 0.1)
            prev = lname
        layers.extend(extra_layers)
    config = {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": name,
            "layers": layers,
            "input_layers": [["inp", 0, 0]],
            "output_layers": [[layers[-1]["name"], 0, 0]],
        },
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        zf.writestr("model.weights.h5", buf.getvalue())
    return Path(path)


def numpy_reference(path, X):
    """Plain float64 forward pass straight from the h5 file (independent of NumpyMLP)."""
    with zipfile.ZipFile(path) as zf:
        cfg = json.loads(zf.read("config.json"))
        h5 = h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")
    dense = [la for la in cfg["config"]["layers"] if la["class_name"] == "Dense"]
    h = np.asarray(X, dtype=np.float64)
    for i, la in enumerate(dense):
        grp = h5[f"layers/dense{'' if i == 0 else f'_{i}'}/vars"]
        h = h @ grp["0"][()] + grp["1"][()]
        if la["config"]["activation"] == "relu":
            h = np.maximum(h, 0)
    return h


def test_tiny_mlp_matches_plain_numpy(tmp_path):
    path = write_keras_mlp(tmp_path / "m.keras", [5, 7, 3, 1], seed=1)
    model = NumpyMLP.from_keras_file(path)
    X = np.random.default_rng(2).normal(size=(50, 5))
    got = model.predict(X)
    assert got.dtype == np.float32 and got.shape == (50, 1)
    np.testing.assert_allclose(got, numpy_reference(path, X), rtol=1e-5, atol=1e-5)
    # bytes and file objects work too; a 1-D input is one sample
    again = NumpyMLP.from_keras_file(path.read_bytes())
    np.testing.assert_allclose(again.predict(X[0]), got[:1], rtol=1e-6, atol=1e-6)
    with open(path, "rb") as fh:
        assert NumpyMLP.from_keras_file(fh).input_dim == 5
    assert model.count_params() == 5 * 7 + 7 + 7 * 3 + 3 + 3 + 1
    assert "1_dense7" in model.summary()


def test_dense_layer_numbering_sorts_numerically(tmp_path):
    # 12 Dense layers: the h5 groups dense_10/dense_11 sort before dense_2 as strings.
    sizes = [3] + [4] * 11 + [1]
    path = write_keras_mlp(tmp_path / "deep.keras", sizes, seed=3)
    X = np.random.default_rng(0).normal(size=(8, 3))
    np.testing.assert_allclose(
        NumpyMLP.from_keras_file(path).predict(X), numpy_reference(path, X), rtol=1e-5, atol=1e-5
    )


def test_batch_size_chunks(tmp_path):
    path = write_keras_mlp(tmp_path / "m.keras", [4, 6, 2], acts=["tanh", "softmax"])
    model = NumpyMLP.from_keras_file(path)
    X = np.random.default_rng(0).normal(size=(37, 4))
    np.testing.assert_allclose(model.predict(X, batch_size=5), model.predict(X), rtol=1e-6)
    np.testing.assert_allclose(model.predict(X).sum(axis=1), 1.0, rtol=1e-5)


def test_wrong_feature_count_raises(tmp_path):
    model = NumpyMLP.from_keras_file(write_keras_mlp(tmp_path / "m.keras", [4, 2, 1]))
    with pytest.raises(InputError, match="expects 4 features"):
        model.predict(np.zeros((2, 5)))


def test_unsupported_layer_is_named(tmp_path):
    conv = {
        "class_name": "Conv2D",
        "config": {"name": "myconv"},
        "name": "myconv",
        "inbound_nodes": [],
    }
    path = write_keras_mlp(tmp_path / "m.keras", [4, 2], extra_layers=[conv])
    with pytest.raises(ArchiveError, match=r"Conv2D \(myconv\)"):
        NumpyMLP.from_keras_file(path)


def test_unsupported_activation_is_named(tmp_path):
    path = write_keras_mlp(tmp_path / "m.keras", [4, 2], acts=["mish_x"])
    with pytest.raises(ArchiveError, match="mish_x"):
        NumpyMLP.from_keras_file(path)


def test_not_a_zip_and_missing_member(tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ArchiveError, match="not a readable zip"):
        NumpyMLP.from_keras_file(bad)
    nozip = tmp_path / "empty.keras"
    with zipfile.ZipFile(nozip, "w") as zf:
        zf.writestr("config.json", "{}")
    with pytest.raises(ArchiveError, match="model.weights.h5"):
        NumpyMLP.from_keras_file(nozip)
    with pytest.raises(ArchiveError, match="not a file"):
        NumpyMLP.from_keras_file(tmp_path / "nothere.keras")


@needs_ref
@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("jwst_cal/img3_reg.keras", [2.250644, 9.375089, 4.478610]),
        ("jwst_cal/spec3_reg.keras", [2.568779, 0.657450, 3.638535]),
    ],
)
def test_reference_vectors_jwst(member, expected):
    """Spec §7.3: zeros, ones and the ramp i/n through the published 1.1.4 models."""
    with zipfile.ZipFile(REF / "jwst_cal.zip") as zf:
        model = NumpyMLP.from_keras_file(zf.read(member))
    n = model.input_dim
    X = np.stack([np.zeros(n), np.ones(n), np.arange(n) / n])
    np.testing.assert_allclose(model.predict(X)[:, 0], expected, atol=2e-6)
    assert len(model.layers) == (10 if "img3" in member else 11)


@needs_ref
def test_reference_vectors_hst():
    with zipfile.ZipFile(REF / "hst_cal.zip") as zf:
        clf = NumpyMLP.from_keras_file(zf.read("hst_cal/mem_clf.keras"))
        wall = NumpyMLP.from_keras_file(zf.read("hst_cal/wall_reg.keras"))
    X = np.stack([np.zeros(9), np.ones(9), np.arange(9) / 9])
    np.testing.assert_allclose(
        clf.predict(X)[:, :2],
        [[0.994355, 0.005645], [0.0314, 0.968594], [0.999988, 1e-5]],
        atol=2e-5,
    )
    np.testing.assert_allclose(
        wall.predict(X)[:, 0], [258.159454, 3389.588623, 162.972229], rtol=1e-6
    )


def test_import_does_not_load_tensorflow(tmp_path):
    path = write_keras_mlp(tmp_path / "m.keras", [3, 2, 1])
    code = (
        "import sys\nfrom spacekit.builder.inference import NumpyMLP\n"
        f"NumpyMLP.from_keras_file({str(path)!r}).predict([[1, 2, 3]])\n"
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


# ----------------------------------------------------------------- against Keras
@pytest.fixture(scope="module")
def keras():
    from spacekit._optional import require

    try:
        return require("keras", feature="the Keras parity tests")
    except ImportError:
        pytest.skip("keras not installed")


@pytest.mark.slow
def test_matches_keras_on_tiny_models(keras, tmp_path):
    rng = np.random.default_rng(0)
    inp = keras.Input((6,), name="x")
    h = keras.layers.Dense(8, activation="relu", name="1_dense8")(inp)
    h = keras.layers.BatchNormalization(name="bn")(h)
    h = keras.layers.Dropout(0.3)(h)
    h = keras.layers.Dense(5, activation="tanh")(h)
    h = keras.layers.LeakyReLU(negative_slope=0.1)(h)
    h = keras.layers.Dense(4, activation="sigmoid")(h)
    h = keras.layers.Dense(3, activation="softmax", name="out")(h)
    functional = keras.Model(inp, h, name="tiny")
    bn = functional.get_layer("bn")
    bn.set_weights(
        [rng.uniform(0.5, 2, 8), rng.normal(size=8), rng.normal(size=8), rng.uniform(0.5, 2, 8)]
    )
    sequential = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(7, activation="elu"),
            keras.layers.Dense(4, activation="leaky_relu"),
            keras.layers.Activation("softplus"),
            keras.layers.Dense(1),
        ]
    )
    X = rng.normal(size=(64, 6)).astype("float32") * 3
    for model in (functional, sequential):
        path = tmp_path / f"{model.name}.keras"
        model.save(path)
        reloaded = keras.saving.load_model(path, safe_mode=True)
        expected = reloaded.predict(X, verbose=0)
        got = NumpyMLP.from_keras_file(path).predict(X)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.slow
@needs_ref
@pytest.mark.parametrize("member", ["jwst_cal/img3_reg.keras", "jwst_cal/spec3_reg.keras"])
def test_matches_keras_on_published_models(keras, tmp_path, member):
    with zipfile.ZipFile(REF / "jwst_cal.zip") as zf:
        blob = zf.read(member)
    path = tmp_path / Path(member).name
    path.write_bytes(blob)
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    X = np.random.default_rng(1).normal(size=(200, 18)).astype("float32") * 2
    got = NumpyMLP.from_keras_file(blob).predict(X)
    np.testing.assert_allclose(got, model.predict(X, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("member", ["img3_reg.keras", "spec3_reg.keras"])
def test_matches_keras_on_packaged_models(keras, tmp_path, member):
    """As the published-model check above, on the archive shipped in the package."""
    from spacekit.builder.archive import default_archive_path

    with zipfile.ZipFile(default_archive_path()) as zf:
        blob = zf.read(member)
    path = tmp_path / member
    path.write_bytes(blob)
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    X = np.random.default_rng(1).normal(size=(200, 18)).astype("float32") * 2
    got = NumpyMLP.from_keras_file(blob).predict(X)
    np.testing.assert_allclose(got, model.predict(X, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_handwritten_file_loads_in_keras(keras, tmp_path):
    """The test helper writes the real Keras 3 layout (so the fast tests are meaningful)."""
    path = write_keras_mlp(tmp_path / "m.keras", [5, 4, 1], seed=4)
    X = np.random.default_rng(5).normal(size=(10, 5)).astype("float32")
    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    np.testing.assert_allclose(
        NumpyMLP.from_keras_file(path).predict(X),
        model.predict(X, verbose=0),
        rtol=1e-5,
        atol=1e-5,
    )
