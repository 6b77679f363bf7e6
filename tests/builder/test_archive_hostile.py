"""Hostile model archives: HDF5 shape bombs, understated zip headers, expansion budget.

Every case must fail with an ArchiveError *before* memory is spent: the tests measure the
Python-side peak allocation with tracemalloc (numpy and zlib buffers are traced).
"""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

from keras_files import dense_keras_bytes
from spacekit.builder import archive_zip
from spacekit.builder.archive import load_archive, save_archive
from spacekit.builder.archive_zip import open_zip, read_zip_members
from spacekit.builder.inference import NumpyMLP
from spacekit.exceptions import ArchiveError

MB = 1024**2


def with_weights(write_h5, sizes=(4, 3, 1), config_edit=None) -> bytes:
    """A ``.keras`` file whose config is a Dense MLP of ``sizes`` and whose weights file is
    written by ``write_h5(h5)``."""
    with zipfile.ZipFile(io.BytesIO(dense_keras_bytes(sizes))) as zf:
        cfg = json.loads(zf.read("config.json"))
    if config_edit is not None:
        config_edit(cfg)
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        write_h5(h5)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", json.dumps(cfg))
        zf.writestr("model.weights.h5", buf.getvalue())
    return out.getvalue()


def good_layer(h5, path, n_in, n_out):
    grp = h5.create_group(f"layers/{path}/vars")
    grp["0"] = np.zeros((n_in, n_out), "float32")
    grp["1"] = np.zeros(n_out, "float32")
    return grp


def peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def test_good_weights_still_load():
    def write(h5):
        good_layer(h5, "dense", 4, 3)
        good_layer(h5, "dense_1", 3, 1)
        h5.create_group("optimizer/vars")["0"] = np.zeros((10**3, 10**3), "float32")

    model = NumpyMLP.from_keras_file(with_weights(write))
    assert model.predict(np.ones((2, 4))).shape == (2, 1)


def test_shape_bomb_refused_before_reading():
    """Defect: a 13 KB archive declaring a (4, 1e9) kernel made predict allocate 15 GiB."""

    def write(h5):
        grp = h5.create_group("layers/dense/vars")
        # 16 TB declared; a few KB on disk (never written chunks are not stored)
        grp.create_dataset("0", shape=(4, 10**12), dtype="float32", chunks=(1, 1024))
        grp["1"] = np.zeros(3, "float32")
        good_layer(h5, "dense_1", 3, 1)

    blob = with_weights(write)
    assert len(blob) < 20_000

    def load():
        with pytest.raises(ArchiveError, match=r"declares shape \(4, 1000000000000\).*\(4, 3\)"):
            NumpyMLP.from_keras_file(blob, where="bomb.keras")

    assert peak_bytes(load) < 5 * MB


def crafted_zip(real_size: int, declared: int, name="jwst_cal/img3_reg.keras") -> bytes:
    """A zip whose only member really holds ``real_size`` zero bytes but whose local and
    central headers declare ``declared``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, b"\0" * real_size)
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", declared)
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = struct.pack("<I", declared)
    return bytes(data)


def test_understated_zip_member_costs_one_chunk(tmp_path):
    """Defect: a header understating a member's size cost ~1 GB before the CRC error."""
    path = tmp_path / "jwst_cal.zip"
    path.write_bytes(crafted_zip(40 * MB, 1000))

    def load():
        with pytest.raises(ArchiveError, match="do not match its header"):
            load_archive(path)

    assert peak_bytes(load) < 2 * archive_zip.READ_CHUNK + MB


def test_other_compression_methods_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("config.json", "{}")
    with pytest.raises(ArchiveError, match="compression method 12"):
        read_zip_members(open_zip(buf.getvalue()), where="bz2.zip")


def test_archive_budget_counts_every_level(tmp_path, monkeypatch):
    """Two models that each fit, but not together, exceed the archive's one budget."""
    sizes = (64, 256, 1)
    blob = dense_keras_bytes(sizes)
    archive = save_archive(tmp_path / "a.zip", {"img3_reg": blob, "spec3_reg": blob})
    weights = 4 * (64 * 256 + 256 + 256 + 1)
    monkeypatch.setattr(archive_zip, "MAX_TOTAL_BYTES", len(blob) * 3 + weights + 10_000)
    NumpyMLP.from_keras_file(blob)  # one model fits
    with pytest.raises(ArchiveError, match="byte limit for one archive"):
        load_archive(archive)


# ------------------------------------------------------------------ property-style
def _variant(rng: np.random.Generator, kind: str):
    """One hostile weights file for the (4 -> 3 -> 1) config, and the expected message."""
    n_in, n_out = 4, 3

    def write(h5):
        grp = h5.create_group("layers/dense/vars")
        if kind == "wrong_dims":
            shape = (n_in, int(rng.integers(4, 10**9)))
            grp.create_dataset("0", shape=shape, dtype="float32", chunks=(1, 16))
        elif kind == "extra_rank":
            grp.create_dataset("0", shape=(n_in, n_out, int(rng.integers(2, 10**6))), dtype="f4")
        elif kind == "scalar":
            grp["0"] = np.float32(rng.normal())
        elif kind == "int_dtype":
            grp["0"] = rng.integers(0, 9, size=(n_in, n_out)).astype("int32")
        elif kind == "string_dtype":
            grp.create_dataset("0", data=np.array([["x"] * n_out] * n_in, dtype="S3"))
        elif kind == "compound":
            dt = np.dtype([("a", "f4"), ("b", "f4")])
            grp.create_dataset("0", shape=(n_in, n_out), dtype=dt)
        elif kind == "chunk_bomb":
            grp.create_dataset(
                "0", shape=(n_in, n_out), maxshape=(None, None), chunks=(n_in, 10**7), dtype="f4"
            )
        elif kind == "external":
            grp.create_dataset(
                "0", shape=(n_in, n_out), dtype="f4", external=[("/etc/hostname", 0, 48)]
            )
        elif kind == "soft_link":
            h5["elsewhere"] = np.zeros((n_in, n_out), "f4")
            grp["0"] = h5py.SoftLink("/elsewhere")
        elif kind == "count":
            grp["0"] = np.zeros((n_in, n_out), "f4")
            grp["2"] = np.zeros(n_out, "f4")
        grp["1"] = np.zeros(n_out, "float32")
        good_layer(h5, "dense_1", n_out, 1)

    expected = {
        "wrong_dims": "declares shape",
        "extra_rank": "declares shape",
        "scalar": "declares shape",
        "int_dtype": "floating-point",
        "string_dtype": "floating-point",
        "compound": "floating-point",
        "chunk_bomb": "chunks",
        "external": "external or virtual",
        "soft_link": "is a link",
        "count": "3 weight arrays",
    }[kind]
    return with_weights(write), expected


@pytest.mark.parametrize("seed", range(4))
def test_hostile_weight_variants(seed):
    rng = np.random.default_rng(seed)
    kinds = [
        "wrong_dims",
        "extra_rank",
        "scalar",
        "int_dtype",
        "string_dtype",
        "compound",
        "chunk_bomb",
        "external",
        "soft_link",
        "count",
    ]
    for kind in rng.permutation(kinds):
        blob, expected = _variant(rng, str(kind))
        with pytest.raises(ArchiveError, match=expected):
            NumpyMLP.from_keras_file(blob, where=f"{kind}.keras")


@pytest.mark.parametrize("seed", range(3))
def test_unknown_input_width_is_bounded_by_the_budget(seed, monkeypatch):
    """Without an input shape the first kernel's rows are free: the budget bounds them."""
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(10**6, 10**9))

    def no_input_shape(cfg):
        cfg["config"]["layers"][0]["config"].pop("batch_shape")

    def write(h5):
        grp = h5.create_group("layers/dense/vars")
        grp.create_dataset("0", shape=(rows, 3), dtype="float32", chunks=(1024, 3))
        grp["1"] = np.zeros(3, "float32")
        good_layer(h5, "dense_1", 3, 1)

    monkeypatch.setattr(archive_zip, "MAX_TOTAL_BYTES", 4 * MB)
    blob = with_weights(write, config_edit=no_input_shape)
    with pytest.raises(ArchiveError, match="byte limit"):
        NumpyMLP.from_keras_file(blob)


@pytest.mark.parametrize("seed", range(3))
def test_understated_headers_property(seed, tmp_path):
    rng = np.random.default_rng(seed)
    real = int(rng.integers(2 * MB, 12 * MB))
    declared = int(rng.integers(0, real))
    blob = crafted_zip(real, declared)
    with pytest.raises(ArchiveError, match="do not match its header|declares"):
        read_zip_members(open_zip(blob), where="crafted.zip")


def _mutations():
    def units(value):
        def edit(cfg):
            cfg["config"]["layers"][1]["config"]["units"] = value

        return edit

    def drop(key):
        def edit(cfg):
            cfg["config"]["layers"][1].pop(key)

        return edit

    def set_layers(value):
        def edit(cfg):
            cfg["config"]["layers"] = value

        return edit

    def bad_inbound(cfg):
        cfg["config"]["layers"][1]["inbound_nodes"] = [{"args": [{"config": {}}]}]

    return [
        units(-3),
        units("3"),
        units(None),
        units(True),
        drop("class_name"),
        set_layers(None),
        set_layers("dense"),
        set_layers([1, 2]),
        bad_inbound,
    ]


@pytest.mark.parametrize("seed", range(3))
def test_malformed_configs_give_archive_errors(seed):
    rng = np.random.default_rng(seed)
    mutations = _mutations()
    for i in rng.permutation(len(mutations)):

        def write(h5):
            good_layer(h5, "dense", 4, 3)
            good_layer(h5, "dense_1", 3, 1)

        blob = with_weights(write, config_edit=mutations[i])
        with pytest.raises(ArchiveError):
            NumpyMLP.from_keras_file(blob)


def test_deeply_nested_config_json():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("config.json", "[" * 100_000)
        zf.writestr("model.weights.h5", b"")
    with pytest.raises(ArchiveError, match="more than 100 levels deep"):
        NumpyMLP.from_keras_file(out.getvalue())
