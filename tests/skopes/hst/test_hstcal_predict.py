"""HST cal prediction: the 1.1.4 API and numbers, upper bounds, batches, bad input."""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest

import spacekit.builder.archive as archive_mod
from hstcal_inputs import RAW, TX_114, write_features
from spacekit.builder.archive import clear_archive_cache
from spacekit.datasets.hstcal import simulate_hstcal, write_fits_datasets
from spacekit.exceptions import ArchiveError, DataError, InputError
from spacekit.skopes.hst.cal import predict as P
from spacekit.skopes.hst.cal.estimate import HstCalModels, predict_batch
from spacekit.skopes.hst.cal.predict import Predict, lambda_handler, local_handler

#: spacekit 1.1.4's own test expectations for the published hst_cal.zip (spec §5.2).
EXPECTED_114 = {
    "j8zs05020": {"memBin": 3, "memVal": 18.89, "clockTime": 76479},
    "ic0k06010": {"memBin": 2, "memVal": 8.55, "clockTime": 13904},
    "la8mffg5q": {"memBin": 0, "memVal": 0.8, "clockTime": 295},
    "oc3p011i0": {"memBin": 0, "memVal": 0.47, "clockTime": 55},
}


@pytest.fixture
def published(reference_dir):
    clear_archive_cache()
    return reference_dir / "hst_cal.zip"


# ------------------------------------------------------------ equality with 1.1.4
def test_published_archive_reproduces_the_114_test_values(published, tmp_path):
    for name, values in RAW.items():
        path = write_features(tmp_path, name, values)
        pred = Predict(path, model_path=published)
        assert pred.run_inference() == EXPECTED_114[name]
        assert pred.dataset == name
        assert pred.upper_bounds == {}  # the 1.1.4 archive carries no calibration


def test_a_not_applicable_crsplit_is_zero_whatever_its_spelling(published):
    """1.1.4 turned every CRSPLIT but the exact string "NaN" into 2 (la8mffg5q above)."""
    outs = []
    for spelling in ("NaN", "nan", "None", ""):
        pred = Predict("la8mffg5q", model_path=published)
        pred.input_data = {**RAW["la8mffg5q"], "CRSPLIT": spelling}
        outs.append(pred.run_inference())
        assert int(pred.inputs.loc["la8mffg5q", "crsplit"]) == 0
    assert all(o == outs[0] for o in outs)


def _expected_by_keras(published, rows: pd.DataFrame, tmp_path) -> pd.DataFrame:
    """1.1.4's documented preprocessing by hand, then Keras itself (safe_mode=True)."""
    keras = pytest.importorskip("keras")
    from scipy import stats

    with zipfile.ZipFile(published) as zf:
        tx = json.loads(zf.read("hst_cal/tx_data.json"))
        models = {}
        for name in ("mem_clf", "mem_reg", "wall_reg"):
            target = tmp_path / f"{name}.keras"
            target.write_bytes(zf.read(f"hst_cal/{name}.keras"))
            models[name] = keras.models.load_model(target, safe_mode=True, compile=False)
    letters = {"j": 0, "l": 1, "o": 2, "i": 3}
    X = []
    for name, r in rows.iterrows():
        crsplit = str(r["CRSPLIT"])
        norm = []
        for i, value in enumerate((int(r["n_files"]), int(round(float(r["total_mb"]))))):
            yj = stats.yeojohnson(np.array([float(value)]), lmbda=tx["lambdas"][i])[0]
            norm.append(round((yj - tx["mu"][i]) / tx["sigma"][i], 5))
        X.append(
            norm
            + [
                1 if str(r["DRIZCORR"]).upper() == "PERFORM" else 0,
                1 if str(r["PCTECORR"]).upper() == "PERFORM" else 0,
                0 if crsplit == "NaN" else 1 if crsplit in ("1", "1.0") else 2,
                1 if str(r["SUBARRAY"]).title() == "True" else 0,
                1 if str(r["DETECTOR"]).upper() in ("UVIS", "WFC") else 0,
                1 if name.endswith("0") else 0,
                letters[name[0]],
            ]
        )
    X = np.asarray(X, dtype="float32")
    proba = np.asarray(models["mem_clf"].predict(X, verbose=0))
    mem = np.asarray(models["mem_reg"].predict(X, verbose=0))[:, 0]
    wall = np.asarray(models["wall_reg"].predict(X, verbose=0))[:, 0]
    return pd.DataFrame(
        {
            "memBin": proba.argmax(axis=1),
            "memVal": [round(float(v), 2) for v in mem],
            "clockTime": [int(float(v)) for v in wall],
        },
        index=rows.index,
    )


def test_published_archive_equals_keras_on_feature_rows(published, tmp_path):
    rows = simulate_hstcal(400, seed=21)
    extra = pd.DataFrame.from_dict(RAW, orient="index")
    rows = pd.concat([rows[extra.columns], extra])
    expected = _expected_by_keras(published, rows, tmp_path)
    got, skipped = predict_batch(rows, HstCalModels.from_archive(published))
    assert skipped == []
    got = got.loc[expected.index]
    assert (got["memBin"] == expected["memBin"]).all()
    assert np.abs(got["memVal"] - expected["memVal"]).max() <= 0.01 + 1e-9
    assert np.abs(got["clockTime"] - expected["clockTime"]).max() <= 1
    assert len(set(got["memBin"])) >= 2 and got["clockTime"].std() > 10  # varied rows


# --------------------------------------------------------------------- Predict API
def test_predict_keeps_the_114_api_and_adds_bounds(tiny_hstcal):
    pred = Predict("ic0k06010", model_path=tiny_hstcal)
    for attr in ("dataset", "bucket_name", "key", "model_path", "models", "tx_file", "norm"):
        assert hasattr(pred, attr)
    assert pred.norm_cols == [0, 1]
    assert pred.mem_clf.blueprint == "hst_mem_clf" and pred.tx_data == TX_114
    pred.input_data = dict(RAW["ic0k06010"])  # skips the scrape, as in 1.1.4
    out = pred.run_inference()
    assert set(out) == {"memBin", "memVal", "clockTime"}
    assert isinstance(out["memBin"], int) and isinstance(out["clockTime"], int)
    assert out["memVal"] == round(out["memVal"], 2)
    assert pred.inputs.shape == (1, 9) and pred.X.shape == (1, 9)
    probs = pred.probabilities["probabilities"]
    assert pred.probabilities["dataset"] == "ic0k06010" and len(probs) == 4
    assert math.isclose(sum(probs), 1.0, rel_tol=1e-5)
    assert out["memBin"] == int(np.argmax(probs))
    ub = pred.upper_bounds
    assert ub["level"] == 0.95
    assert ub["memVal_upper"] >= out["memVal"] and ub["clockTime_upper"] >= out["clockTime"]
    lower = Predict("ic0k06010", model_path=tiny_hstcal, level=0.5)
    lower.input_data = dict(RAW["ic0k06010"])
    lower.run_inference()
    assert lower.upper_bounds["memVal_upper"] < ub["memVal_upper"]
    none = Predict("ic0k06010", model_path=tiny_hstcal, level=None)
    none.input_data = dict(RAW["ic0k06010"])
    none.run_inference()
    assert none.upper_bounds == {} and none.predictions == out


def test_predict_reads_a_features_file_or_a_fits_folder(tiny_hstcal, tmp_path):
    df = simulate_hstcal(3, seed=8)
    folder = write_fits_datasets(df, tmp_path / "fits")[0]
    pred = local_handler(str(folder), model_path=tiny_hstcal)
    assert pred.dataset == folder.name and set(pred.predictions) == {
        "memBin",
        "memVal",
        "clockTime",
    }
    key = write_features(tmp_path, "ic0k06010", RAW["ic0k06010"])
    by_key = local_handler("ic0k06010", key=key, model_path=tiny_hstcal)
    by_path = local_handler(key, model_path=tiny_hstcal)
    assert by_key.predictions == by_path.predictions
    with pytest.raises(InputError, match="holds 3 usable datasets"):
        Predict(str(tmp_path / "fits"), model_path=tiny_hstcal).run_inference()
    with pytest.raises(InputError, match="No input for dataset 'ic0k06010'"):
        Predict("ic0k06010", model_path=tiny_hstcal).run_inference()


def test_bad_single_dataset_raises_with_the_reason(tiny_hstcal):
    pred = Predict("xa8mffg5q", model_path=tiny_hstcal)
    pred.input_data = dict(RAW["la8mffg5q"])
    with pytest.raises(DataError, match="unknown instrument letter 'x'"):
        pred.run_inference()
    pred = Predict("ic0k06010", model_path=tiny_hstcal)
    pred.input_data = {k: v for k, v in RAW["ic0k06010"].items() if k != "PCTECORR"}
    with pytest.raises(DataError, match="missing keyword PCTECORR"):
        pred.run_inference()


def test_models_dict_tx_file_and_norm(tiny_hstcal, tmp_path):
    models = HstCalModels.from_archive(tiny_hstcal)
    tx = tmp_path / "tx.json"
    tx.write_text(json.dumps(TX_114))
    given = {"mem_clf": models.mem_clf, "mem_reg": models.mem_reg, "wall_reg": models.wall_reg}
    pred = Predict("ic0k06010", models=given, tx_file=tx, model_path=tmp_path / "absent.zip")
    pred.input_data = dict(RAW["ic0k06010"])
    ref = Predict("ic0k06010", model_path=tiny_hstcal, level=None)
    ref.input_data = dict(RAW["ic0k06010"])
    assert pred.run_inference() == ref.run_inference()  # no archive read at all
    raw = Predict("ic0k06010", model_path=tiny_hstcal, norm=0)
    raw.input_data = dict(RAW["ic0k06010"])
    raw.run_inference()
    assert raw.X[0, :2].tolist() == [29.0, 420.0]
    with pytest.raises(InputError, match="does not exist"):
        Predict("ic0k06010", model_path=tiny_hstcal, tx_file=tmp_path / "nope.json")
    with pytest.raises(InputError, match="norm_cols must be distinct positions"):
        bad = Predict("ic0k06010", model_path=tiny_hstcal, norm_cols=[0, 9])
        bad.input_data = dict(RAW["ic0k06010"])
        bad.run_inference()


def test_a_wrong_archive_is_refused(tmp_path, tiny_hstcal):
    with pytest.raises(ArchiveError, match="not installed|does not exist"):
        Predict("ic0k06010", model_path=tmp_path / "missing.zip")
    jwst_like = tmp_path / "other.zip"
    with zipfile.ZipFile(jwst_like, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ArchiveError, match="not a 'hst_cal' model archive"):
        Predict("ic0k06010", model_path=jwst_like)


# ----------------------------------------------------------------- lambda handler
def test_lambda_handler_loads_the_models_once(published, tmp_path, monkeypatch):
    models_dir = tmp_path / "models" / "hst_cal"  # 1.1.4's extracted layout
    models_dir.mkdir(parents=True)
    with zipfile.ZipFile(published) as zf:
        for member in zf.namelist():
            if not member.endswith("/"):
                (models_dir / member.split("/")[-1]).write_bytes(zf.read(member))
    monkeypatch.setenv("MODEL_PATH", str(models_dir))
    calls = []
    real = archive_mod.load_archive
    monkeypatch.setattr(
        archive_mod, "load_archive", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    clear_archive_cache()
    for name in ("j8zs05020", "oc3p011i0"):
        key = write_features(tmp_path, name, RAW[name])
        assert lambda_handler({"Dataset": name, "Key": key}, None) == EXPECTED_114[name]
    assert len(calls) == 1
    with pytest.raises(InputError, match="needs a 'Dataset'"):
        lambda_handler({"Bucket": "b"}, None)


def test_lambda_handler_adds_bounds_when_asked(tiny_hstcal, tmp_path, monkeypatch):
    monkeypatch.setenv("MODEL_PATH", str(tiny_hstcal))
    key = write_features(tmp_path, "ic0k06010", RAW["ic0k06010"])
    out = lambda_handler({"Dataset": "ic0k06010", "Key": key, "Level": 0.9}, None)
    assert set(out) == {"memBin", "memVal", "clockTime", "memVal_upper", "clockTime_upper"}


# ------------------------------------------------------------------------- batches
def test_batches_are_a_pure_function_of_the_chunk(tiny_hstcal):
    rows = simulate_hstcal(300, seed=4).astype({"total_mb": object})
    rows.loc[rows.index[5], "total_mb"] = "-4"
    rows = pd.concat([rows, pd.DataFrame({"n_files": ["2"]}, index=["zz0000000"])])
    models = HstCalModels.from_archive(tiny_hstcal)
    whole, skipped = predict_batch(rows, models)
    parts = [predict_batch(rows.iloc[i : i + 70], models) for i in range(0, len(rows), 70)]
    joined = pd.concat([p for p, _ in parts])
    pd.testing.assert_frame_equal(joined, whole)
    assert sum((s for _, s in parts), []) == skipped
    reasons = dict(skipped)
    assert "total_mb='-4' is not a size >= 0" in reasons[rows.index[5]]
    assert "unknown instrument letter 'z'" in reasons["zz0000000"]
    assert len(whole) == 299
    assert (whole["memVal_upper"] >= whole["memVal"]).all()
    assert (whole["clockTime_upper"] >= whole["clockTime"]).all()


def test_bound_coverage_level_out_of_range(tiny_hstcal):
    models = HstCalModels.from_archive(tiny_hstcal)
    with pytest.raises(InputError, match="between 0 and 1"):
        predict_batch(simulate_hstcal(5, seed=1), models, level=1.2)
    with pytest.raises(InputError, match="highest supported level"):
        predict_batch(simulate_hstcal(5, seed=1), models, level=0.9999)


# -------------------------------------------------------------------------- runner
def test_runner_prints_json_for_a_csv_and_fails_when_nothing_is_usable(
    tiny_hstcal, tmp_path, capsys
):
    csv = tmp_path / "jobs.csv"
    simulate_hstcal(12, seed=9).to_csv(csv, index_label="ipst")
    assert P.main([str(csv), "-m", str(tiny_hstcal), "--level", "0.9"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 12
    first = next(iter(out.values()))
    assert list(first) == ["memBin", "memVal", "clockTime", "memVal_upper", "clockTime_upper"]
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"dataset": ["x1"], "n_files": ["a"]}).to_csv(bad, index=False)
    assert P.main([str(bad), "-m", str(tiny_hstcal)]) == 1
    assert P.main([str(tmp_path / "missing"), "-m", str(tiny_hstcal)]) == 1


def test_runner_writes_no_log_file_by_default(tiny_hstcal, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    key = write_features(tmp_path, "ic0k06010", RAW["ic0k06010"])
    assert P.main([key, "-m", str(tiny_hstcal)]) == 0
    assert "ic0k06010" in json.loads(capsys.readouterr().out)
    assert not (tmp_path / "spacekit.log").exists()


def test_records_are_python_numbers(tiny_hstcal):
    preds, _ = predict_batch(
        pd.DataFrame.from_dict(RAW, orient="index"), HstCalModels.from_archive(tiny_hstcal)
    )
    rec = P.records(preds)
    buf = io.StringIO()
    json.dump(rec, buf)
    assert all(
        isinstance(r["memBin"], int) and isinstance(r["memVal"], float) for r in rec.values()
    )


# ------------------------------------------------------------------ model registry
def test_model_path_accepts_registry_names(model_mirror, tmp_path):
    from spacekit.builder.registry import provenance

    clear_archive_cache()
    key = write_features(tmp_path, "j8zs05020", RAW["j8zs05020"])
    pred = local_handler("j8zs05020", key=key, model_path="spacekit-1.1.4/hst_cal")
    assert pred.predictions == EXPECTED_114["j8zs05020"]
    prov = provenance(pred._bundle.archive)
    assert prov.name == "spacekit-1.1.4/hst_cal" and prov.trained_on == "real"
    default = HstCalModels.from_archive("packaged/hst_cal")
    assert default.path == HstCalModels.from_archive(None).path
    prov = provenance(default.archive)
    assert prov.name == "packaged/hst_cal" and prov.trained_on == "simulated"
    assert set(default.bounds) == {"memory", "wallclock"}
    with pytest.raises(ArchiveError, match="jwst_cal archive, but a hst_cal archive"):
        HstCalModels.from_archive("spacekit-1.1.4/jwst_cal")


def test_the_packaged_archive_is_calibrated_and_documented():
    from spacekit.builder.archive import load_archive

    arch = load_archive(None, name="hst_cal")
    assert sorted(arch.models) == ["mem_clf", "mem_reg", "wall_reg"]
    assert "gradient-boosting baseline" in arch.card and "x3 coverage" in arch.card
    assert "Simulated, not observed" in arch.card
    pred = Predict("ic0k06010")
    pred.input_data = dict(RAW["ic0k06010"])
    pred.run_inference()
    assert pred.upper_bounds["clockTime_upper"] > pred.predictions["clockTime"]


class _Const:
    """A stand-in network that returns fixed outputs for every row."""

    def __init__(self, *values):
        self.values = np.asarray(values, dtype=np.float32)

    def predict(self, X):
        return np.tile(self.values, (len(X), 1))


def test_estimates_below_the_physical_floor_are_raised_to_it():
    models = HstCalModels(_Const(0.7, 0.1, 0.1, 0.1), _Const(-0.3), _Const(-7.6))
    rows = pd.DataFrame.from_dict(RAW, orient="index")
    preds, skipped = predict_batch(rows, models, level=None, norm=0)
    assert skipped == []
    assert preds["memVal"].tolist() == [0.01] * 4
    assert preds["clockTime"].tolist() == [1] * 4
    assert preds["memBin"].tolist() == [0] * 4
    models = HstCalModels(_Const(0.1, 0.7, 0.1, 0.1), _Const(2.345), _Const(99.9))
    preds, _ = predict_batch(rows, models, level=None, norm=0)
    assert preds.iloc[0][["memBin", "memVal", "clockTime"]].tolist() == [1, 2.35, 99]


def test_the_packaged_bounds_cover_fresh_simulated_jobs_at_their_level():
    """Coverage on jobs the default archive never saw (it was trained on seed 2026)."""
    jobs = simulate_hstcal(20000, seed=12345)
    models = HstCalModels.from_archive(None)
    for level in (0.9, 0.95):
        preds, skipped = predict_batch(jobs, models, level=level)
        assert skipped == []
        truth = jobs.loc[preds.index]
        for target, upper in (("memory", "memVal_upper"), ("wallclock", "clockTime_upper")):
            covered = float(np.mean(truth[target].to_numpy() <= preds[upper].to_numpy()))
            assert abs(covered - level) <= 0.02, (target, level, covered)


def test_114_helper_methods_and_a_bad_fits_folder(tiny_hstcal, tmp_path):
    pred = Predict("ic0k06010", model_path=tiny_hstcal)
    pred.input_data = dict(RAW["ic0k06010"])
    pred.run_inference()
    membin, proba = pred.classifier(pred.mem_clf, pred.X[0])
    assert membin == pred.predictions["memBin"] and proba.shape == (4,)
    assert round(pred.regressor(pred.mem_reg, pred.X), 2) == pred.predictions["memVal"]
    folder = write_fits_datasets(simulate_hstcal(1, seed=3), tmp_path)[0]
    for f in folder.glob("*.fits"):
        f.write_bytes(b"corrupt")
    with pytest.raises(DataError, match="is not a readable FITS file"):
        Predict(str(folder), model_path=tiny_hstcal).run_inference()
