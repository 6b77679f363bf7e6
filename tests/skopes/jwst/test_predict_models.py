"""JWST predictor and the model registry: names, provenance, target transform, floor."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits
from click.testing import CliRunner

from keras_files import dense_keras_bytes
from spacekit.builder.archive import load_archive, save_archive
from spacekit.cli import main as cli_main
from spacekit.datasets import get_sample_path
from spacekit.exceptions import ArchiveError, DataError, FlaggedInputWarning
from spacekit.extractor.simulated import is_simulated, look_simulated
from spacekit.skopes.jwst.cal.predict import (
    GB_FLOOR,
    JwstCalPredict,
    main,
    simulated_model_warning,
)

SAMPLE = get_sample_path("jwst")
TX_IMAGE = {"lambdas": [-0.05] * 6, "mu": [3.0] * 6, "sigma": [2.0] * 6}
TX_SPEC = {"lambdas": [-0.4] * 7, "mu": [1.0] * 7, "sigma": [0.5] * 7}


def const_model(out: float, seed: int = 0) -> bytes:
    """An 18-input MLP whose output is ``out`` (zero weights, output bias ``out``)."""
    return dense_keras_bytes(
        (18, 4, 1),
        seed,
        input_name="x",
        output_activation="linear",
        weight_scale=0.0,
        output_bias=out,
    )


def archive(tmp_path, name, img_out, spec_out, target=None, extra=None):
    tx_i, tx_s = dict(TX_IMAGE), dict(TX_SPEC)
    if target:
        tx_i["target"] = tx_s["target"] = {"transform": target}
    return save_archive(
        tmp_path / name,
        {"img3_reg": const_model(img_out), "spec3_reg": const_model(spec_out, 1)},
        {"image": tx_i, "spec": tx_s},
        extra=extra,
    )


def test_registry_name_gives_the_published_numbers(model_mirror):
    by_name = JwstCalPredict(SAMPLE, model_path="spacekit-1.1.4/jwst_cal", progress=False)
    by_name.run_inference()
    by_path = JwstCalPredict(SAMPLE, model_path=model_mirror / "jwst_cal.zip", progress=False)
    by_path.run_inference()
    assert by_name.predictions == by_path.predictions and len(by_name.predictions) == 10
    # the published networks evaluated directly on the same inputs
    pub = load_archive(model_mirror / "jwst_cal.zip")
    for mode, model in (("IMAGE", "img3_reg"), ("SPEC", "spec3_reg")):
        df, X = by_name.input_data[mode], by_name.inputs[mode]
        raw = pub.models[model].predict(X.astype(np.float32)).ravel()
        for product, value in zip(df.index, raw, strict=True):
            assert by_name.predictions[product]["gbSize"] == round(max(float(value), GB_FLOOR), 2)
    info = by_name.model_info
    assert (info.name, info.version, info.trained_on) == (
        "spacekit-1.1.4/jwst_cal",
        "1.1.4",
        "real",
    )
    assert info.sha256.startswith("216ba261e7c7") and info.registered
    assert (by_path.model_info.name, by_path.model_info.sha256) == (info.name, info.sha256)


def test_default_model_is_named_and_simulated():
    jp = JwstCalPredict(SAMPLE, progress=False)
    jp.run_inference()
    assert jp.model_info.name == "packaged/jwst_cal"
    assert jp.model_info.trained_on == "simulated" and jp.model_info.registered
    assert jp.units == {"gbSize": "GB"}
    assert simulated_model_warning(jp) is None  # the sample files are marked simulated


def test_wrong_kind_name_is_refused(model_mirror):
    with pytest.raises(ArchiveError, match="hst_cal archive, but a jwst_cal archive"):
        JwstCalPredict(SAMPLE, model_path="spacekit-1.1.4/hst_cal")


def test_log_target_is_inverted_and_identity_stays(tmp_path):
    ident = archive(tmp_path, "ident.zip", 2.0, 3.0)
    logged = archive(tmp_path, "log.zip", float(np.log(2.0)), float(np.log(3.0)), target="log")
    a = JwstCalPredict(SAMPLE, model_path=ident, progress=False)
    b = JwstCalPredict(SAMPLE, model_path=logged, progress=False)
    a.run_inference(), b.run_inference()
    assert a.predictions == b.predictions
    assert {v["gbSize"] for v in a.predictions.values()} == {2.0, 3.0}
    bad = archive(tmp_path, "bad.zip", 1.0, 1.0, target="cube-root")
    jp = JwstCalPredict(SAMPLE, model_path=bad, progress=False)
    with pytest.raises(DataError, match="target transform 'cube-root'"):
        jp.run_inference()


def test_negative_outputs_are_floored_and_flagged(tmp_path):
    neg = archive(tmp_path, "neg.zip", -0.08, 0.5, extra={"trained_on": "real"})
    jp = JwstCalPredict(SAMPLE, model_path=neg, progress=False)
    with pytest.warns(FlaggedInputWarning, match=r"IMAGE prediction\(s\) set to the 0.1-990 GB"):
        jp.run_inference()
    rows = {r["product"]: r for r in jp.results()}
    image = [p for p, r in rows.items() if r["exp_mode"] == "IMAGE"]
    spec = [p for p, r in rows.items() if r["exp_mode"] == "SPEC"]
    assert image and spec
    for p in image:
        assert rows[p]["gbSize"] == GB_FLOOR
        assert jp.flags[p] == ["floor: model output -0.08 GB raised to the 0.1 GB floor"]
        assert rows[p]["flags"] == jp.flags[p]
    for p in spec:
        assert rows[p]["gbSize"] == 0.5 and p not in jp.flags and rows[p]["flags"] == []
    assert jp.model_info.trained_on == "real" and jp.model_info.name == "neg.zip"
    with pytest.warns(FlaggedInputWarning):
        jp.run_inference()  # running again does not repeat a flag
    assert all(len(f) == 1 for f in jp.flags.values())


def test_cli_names_the_model_units_and_flags(tmp_path):
    neg = archive(tmp_path, "neg.zip", -0.08, 0.5)
    res = CliRunner().invoke(
        cli_main, ["jwst", "predict", "--sample", "-m", str(neg), "--no-progress"]
    )
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if not ln.startswith("WARNING")]
    assert lines[0].startswith("model: neg.zip (version ")
    assert "trained on unknown data)" in lines[0]
    assert "gbSize [GB]" in lines[1]
    assert "0.10      1 !" in res.output and "flagged (7):" in res.output
    assert "raised to the 0.1 GB floor" in res.output
    assert "Nothing was written to disk" in res.output


def test_cli_json_and_csv_name_the_model(model_mirror, tmp_path):
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    base = ["jwst", "predict", "--sample", "-m", "spacekit-1.1.4/jwst_cal", "--no-progress"]
    res = CliRunner().invoke(cli_main, [*base, "--output", str(out_json)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == (
        "model: spacekit-1.1.4/jwst_cal (version 1.1.4, sha256 216ba261e7c7, trained on real data)"
    )
    assert "Nothing was written" not in res.output
    doc = json.loads(out_json.read_text())
    assert doc["model"]["name"] == "spacekit-1.1.4/jwst_cal"
    assert doc["model"]["sha256"].startswith("216ba261e7c7")
    assert doc["model"]["trained_on"] == "real" and doc["units"] == {"gbSize": "GB"}
    res = CliRunner().invoke(cli_main, [*base, "--output", str(out_csv)])
    frame = pd.read_csv(out_csv, keep_default_na=False, dtype=str)
    assert set(frame["model"]) == {"spacekit-1.1.4/jwst_cal"}
    assert set(frame["model_version"]) == {"1.1.4"} and set(frame["trained_on"]) == {"real"}


@pytest.fixture
def real_looking(tmp_path):
    """Copies of some sample files without the simulators' SIMULATE card."""
    folder = tmp_path / "real"
    folder.mkdir()
    for src in sorted((SAMPLE / "uncal").glob("jw07487*_uncal.fits")):
        with fits.open(src) as hdul:
            del hdul[0].header["SIMULATE"]
            hdul.writeto(folder / src.name)
    return folder


def test_simulated_marker(real_looking, tmp_path):
    sample_files = sorted((SAMPLE / "uncal").glob("*.fits"))
    assert all(is_simulated(f) for f in sample_files)
    real_files = sorted(real_looking.glob("*.fits"))
    assert not any(is_simulated(f) for f in real_files)
    assert look_simulated(sample_files) and not look_simulated(real_files)
    assert not look_simulated([*sample_files[:3], real_files[0]]) and not look_simulated([])
    (tmp_path / "junk.fits").write_text("junk")
    assert not is_simulated(tmp_path / "junk.fits")


def test_real_inputs_with_simulated_model_warn_once(real_looking):
    res = CliRunner().invoke(cli_main, ["jwst", "predict", str(real_looking), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert res.output.count("Warning: These inputs are not from spacekit's simulators") == 1
    assert "-m spacekit-1.1.4/jwst_cal" in res.output
    res = CliRunner().invoke(cli_main, ["jwst", "predict", "--sample", "--no-progress"])
    assert "not from spacekit's simulators" not in res.output


def test_real_inputs_with_real_model_do_not_warn(real_looking, model_mirror):
    jp = JwstCalPredict(real_looking, model_path="spacekit-1.1.4/jwst_cal", progress=False)
    jp.run_inference()
    assert simulated_model_warning(jp) is None


def test_runner_accepts_a_name_and_logs_the_model(model_mirror, capsys):
    assert main([str(SAMPLE / "uncal"), "-m", "spacekit-1.1.4/jwst_cal"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 10
    assert "Model: spacekit-1.1.4/jwst_cal (version 1.1.4" in err


def test_packaged_networks_do_not_extrapolate_beyond_their_training_range():
    """Inputs far outside the training range give bounded memories, not extrapolations."""
    import zipfile

    from spacekit.builder.inference import NumpyMLP
    from spacekit.builder.registry import fetch

    path = fetch("packaged/jwst_cal")
    with zipfile.ZipFile(path) as zf:
        nets = (("img3_reg", "image", "identity"), ("spec3_reg", "spec", "log"))
        for name, mode, transform in nets:
            tx = json.loads(zf.read(f"tx_data-{mode}.json"))
            assert tx["target"]["transform"] == transform
            net = NumpyMLP.from_keras_file(zf.read(f"{name}.keras"), where=name)
            rng = np.random.default_rng(0)
            X = rng.uniform(0, 10, (50, 18)).astype(np.float32)
            out = net.predict(np.vstack([X, X * 1e4, -X * 1e4])).ravel()
            gb = np.exp(out) if transform == "log" else out
            assert np.isfinite(gb).all()
            assert gb.min() > 0 and gb.max() < 1000  # training range of the simulated memory
