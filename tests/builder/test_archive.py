"""Model archives: our format and 1.1.4's, zip and folder, safety and integrity checks."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest

from keras_files import dense_keras_bytes
from spacekit.builder.archive import (
    clear_archive_cache,
    default_archive_path,
    get_archive,
    load_archive,
    save_archive,
)
from spacekit.builder.archive_zip import check_member_name
from spacekit.exceptions import ArchiveError

REPO = Path(__file__).resolve().parents[2]
REF = REPO.parent / "shared" / "reference" / "spacekit-1.1.4"
needs_ref = pytest.mark.usefixtures("reference_dir")  # skips in a clone, fails in CI

TX = {"lambdas": [0.1, -0.2], "mu": [1.0, 2.0], "sigma": [0.5, 1.5]}


def keras_bytes(sizes=(3, 4, 1), seed=0) -> bytes:
    """A tiny Dense MLP (ReLU on every layer) in the Keras 3 ``.keras`` layout."""
    return dense_keras_bytes(sizes, seed)


@pytest.fixture
def tiny_zip(tmp_path):
    return save_archive(
        tmp_path / "jwst_cal.zip",
        {"img3_reg": keras_bytes(seed=1), "spec3_reg": keras_bytes(seed=2)},
        {"image": TX, "spec": TX},
        card="# tiny\n",
    )


def test_round_trip_zip(tiny_zip):
    archive = load_archive(tiny_zip)
    assert archive.layout == "spacekit"
    assert sorted(archive.models) == ["img3_reg", "spec3_reg"]
    assert archive.tx_for("IMAGE") == TX
    assert archive.card == "# tiny\n"
    assert archive.manifest["format"] == "spacekit-archive"
    assert archive.models["img3_reg"].predict(np.ones((2, 3))).shape == (2, 1)
    with zipfile.ZipFile(tiny_zip) as zf:
        assert sorted(zf.namelist()) == [
            "MODEL_CARD.md",
            "img3_reg.keras",
            "manifest.json",
            "spec3_reg.keras",
            "tx_data-image.json",
            "tx_data-spec.json",
        ]
    assert stat.S_IMODE(tiny_zip.stat().st_mode) == 0o644


def test_round_trip_folder_and_overwrite(tmp_path):
    out = save_archive(tmp_path / "arch", {"img3_reg": keras_bytes()}, {"image": TX})
    assert load_archive(out).models["img3_reg"].input_dim == 3
    save_archive(out, {"img3_reg": keras_bytes(sizes=(5, 1))})  # replaces atomically
    assert load_archive(out).models["img3_reg"].input_dim == 5
    assert [p.name for p in tmp_path.iterdir()] == ["arch"]  # no temporary leftovers


def test_save_refuses_foreign_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ArchiveError, match="not a spacekit archive"):
        save_archive(tmp_path / "mine", {"img3_reg": keras_bytes()})
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_save_from_path_and_bad_inputs(tmp_path):
    src = tmp_path / "m.keras"
    src.write_bytes(keras_bytes())
    out = save_archive(tmp_path / "a.zip", {"img3_reg": src})
    assert "img3_reg" in load_archive(out).models
    with pytest.raises(ArchiveError, match="not an existing .keras"):
        save_archive(tmp_path / "b.zip", {"img3_reg": tmp_path / "missing.keras"})
    with pytest.raises(ArchiveError, match="lambdas"):
        save_archive(tmp_path / "c.zip", {"img3_reg": src}, {"image": {"mu": [1]}})
    with pytest.raises(ArchiveError, match="expected a keras.Model"):
        save_archive(tmp_path / "d.zip", {"img3_reg": 42})
    assert not (tmp_path / "b.zip").exists() and not (tmp_path / "c.zip").exists()


def rewrite_zip(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    edit(members)
    with zipfile.ZipFile(dst, "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    return dst


def test_tampered_member_fails_hash(tiny_zip, tmp_path):
    def tamper(m):
        m["tx_data-image.json"] = json.dumps({**TX, "mu": [9.0, 9.0]}).encode()

    bad = rewrite_zip(tiny_zip, tmp_path / "bad.zip", tamper)
    with pytest.raises(ArchiveError, match=r"SHA-256 mismatch for 'tx_data-image.json'"):
        load_archive(bad)


def test_missing_member(tiny_zip, tmp_path):
    bad = rewrite_zip(tiny_zip, tmp_path / "bad.zip", lambda m: m.pop("spec3_reg.keras"))
    with pytest.raises(ArchiveError, match="lacks the member"):
        load_archive(bad)


@pytest.mark.parametrize(
    "evil",
    [
        "../evil.keras",
        "/abs/evil.keras",
        "a/../../evil.keras",
        "C:/evil.keras",
        "a\\..\\evil.keras",
    ],
)
def test_zip_slip_names_refused(tiny_zip, tmp_path, evil):
    bad = rewrite_zip(tiny_zip, tmp_path / "slip.zip", lambda m: m.update({evil: b"x"}))
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(ArchiveError, match="Unsafe member name"):
        load_archive(bad)
    assert sorted(os.listdir(tmp_path)) == before
    with pytest.raises(ArchiveError):
        check_member_name(evil)


def test_symlink_member_refused(tiny_zip, tmp_path):
    bad = tmp_path / "link.zip"
    with zipfile.ZipFile(tiny_zip) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, zin.read(name))
        info = zipfile.ZipInfo("jwst_cal/link")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zout.writestr(info, "/etc/passwd")
    with pytest.raises(ArchiveError, match="symbolic link"):
        load_archive(bad)


def test_symlink_in_folder_refused(tmp_path):
    out = save_archive(tmp_path / "arch", {"img3_reg": keras_bytes()})
    (out / "extra").symlink_to("/etc/hostname")
    with pytest.raises(ArchiveError, match="symbolic link"):
        load_archive(out)


def test_corrupt_zip_and_nonexistent(tmp_path):
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(ArchiveError, match="not a readable zip"):
        load_archive(tmp_path / "junk.zip")
    with pytest.raises(ArchiveError, match="does not exist"):
        load_archive(tmp_path / "nothere.zip")


def test_wrong_archive_kind(tiny_zip, tmp_path):
    with pytest.raises(ArchiveError, match="'jwst_cal' archive, but a 'hst_cal'"):
        load_archive(tiny_zip, name="hst_cal")
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hst_cal/mem_clf.keras", keras_bytes())
    with pytest.raises(ArchiveError, match=r"another kind of archive"):
        load_archive(other)
    assert "mem_clf" in load_archive(other, name="hst_cal").models


def test_manifest_format_checks(tiny_zip, tmp_path):
    def newer(m):
        man = json.loads(m["manifest.json"])
        man["format_version"] = 99
        m["manifest.json"] = json.dumps(man).encode()

    with pytest.raises(ArchiveError, match="format_version 99"):
        load_archive(rewrite_zip(tiny_zip, tmp_path / "v99.zip", newer))


def test_bomb_limit(tmp_path, monkeypatch):
    from spacekit.builder import archive_zip

    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("jwst_cal/img3_reg.keras", b"\0" * 4096)
    monkeypatch.setattr(archive_zip, "MAX_TOTAL_BYTES", 1000)
    with pytest.raises(ArchiveError, match="limit"):
        archive_zip.read_zip_members(zipfile.ZipFile(big), where="big", max_member_bytes=1000)


def test_cache_reloads_when_file_changes(tmp_path):
    clear_archive_cache()
    path = save_archive(tmp_path / "c.zip", {"img3_reg": keras_bytes()})
    first = get_archive(path)
    assert get_archive(path) is first
    save_archive(path, {"img3_reg": keras_bytes(sizes=(4, 1))})
    os.utime(path, ns=(1, 1))
    assert get_archive(path).models["img3_reg"].input_dim == 4
    clear_archive_cache()


def test_default_archive_path():
    path = default_archive_path("jwst_cal")
    assert path.name == "jwst_cal.zip" and path.parent.name == "trained_networks"
    if not path.exists():
        with pytest.raises(ArchiveError, match="default jwst_cal archive is not installed"):
            load_archive()
    else:
        archive = load_archive()
        assert {"img3_reg", "spec3_reg"} <= set(archive.models)
        assert archive.card


@needs_ref
def test_published_archive_loads_in_memory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    archive = load_archive(REF / "jwst_cal.zip")
    assert archive.layout == "spacekit-1.1.4"
    assert sorted(archive.models) == ["img3_reg", "spec3_reg"]
    assert archive.tx_for("spec")["lambdas"][0] == pytest.approx(-0.40015772539758676)
    assert os.listdir(tmp_path) == []  # nothing extracted into the CWD
    # re-saving the published models in our format keeps them numerically identical
    ours = save_archive(
        tmp_path / "out" / "j.zip",
        archive.raw and {k: archive.raw[v] for k, v in archive.manifest["models"].items()},
        archive.tx_data,
    )
    again = load_archive(ours)
    X = np.random.default_rng(0).normal(size=(5, 18))
    np.testing.assert_array_equal(
        again.models["img3_reg"].predict(X), archive.models["img3_reg"].predict(X)
    )


@needs_ref
def test_published_archive_as_folder(tmp_path):
    with zipfile.ZipFile(REF / "jwst_cal.zip") as zf:
        for name in zf.namelist():
            target = tmp_path / name
            if name.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    for path in (tmp_path, tmp_path / "jwst_cal"):  # parent folder or 1.1.4's models/jwst_cal
        assert sorted(load_archive(path).models) == ["img3_reg", "spec3_reg"]


@pytest.mark.slow
def test_save_keras_models_then_numpy_matches_keras(tmp_path):
    from spacekit._optional import require

    try:
        keras = require("keras", feature="saving Keras models into an archive")
    except ImportError:
        pytest.skip("keras not installed")
    inp = keras.Input((18,), name="jwst_cal_image3")
    h = keras.layers.Dense(8, activation="relu", name="1_dense8")(inp)
    out = keras.layers.Dense(1, name="image3_regressor")(h)
    model = keras.Model(inp, out, name="img3_reg")
    path = save_archive(tmp_path / "k.zip", {"img3_reg": model}, {"image": TX}, card="# k")
    archive = load_archive(path)
    X = np.random.default_rng(0).normal(size=(16, 18)).astype("float32")
    np.testing.assert_allclose(
        archive.models["img3_reg"].predict(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-5
    )
    assert os.listdir(tmp_path) == ["k.zip"]


def test_json_members_are_hashed_and_loaded(tmp_path):
    doc = {"memory": {"scores": [0.1, 0.2]}}
    out = save_archive(
        tmp_path / "h.zip",
        {"mem_reg": keras_bytes()},
        {"default": TX},
        name="hst_cal",
        json_members={"upper_bounds": doc},
    )
    arch = load_archive(out, name="hst_cal")
    assert arch.extras == {"upper_bounds": doc}
    assert arch.manifest["json"] == {"upper_bounds": "upper_bounds.json"}
    assert arch.tx_for("default") == TX

    def tamper(m):
        m["upper_bounds.json"] = json.dumps({"memory": {"scores": [9.0]}}).encode()

    with pytest.raises(ArchiveError, match=r"SHA-256 mismatch for 'upper_bounds.json'"):
        load_archive(rewrite_zip(out, tmp_path / "bad.zip", tamper), name="hst_cal")
    with pytest.raises(ArchiveError, match="name unused"):
        save_archive(
            tmp_path / "x.zip",
            {"mem_reg": keras_bytes()},
            {"default": TX},
            json_members={"tx_data": {}},  # the "default" mode is tx_data.json
        )
    with pytest.raises(ArchiveError, match="name unused"):
        save_archive(tmp_path / "y.zip", {"mem_reg": keras_bytes()}, json_members={"a": [1]})
