"""HST cal training: data checks, the run tree, results, archive, k-fold, runner."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from spacekit.analyzer.compute import ComputeMulti, ComputeRegressor
from spacekit.analyzer.results import load_results
from spacekit.builder.archive import load_archive
from spacekit.datasets.hstcal import simulate_hstcal
from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.skopes.hst.cal import train as T
from spacekit.skopes.hst.cal.predict import predict_inputs
from spacekit.skopes.hst.cal.training_data import load_training_table, split_rows


# ------------------------------------------------------------------- fast checks
def test_training_table_encodes_raw_rows_and_names_the_bad_ones(tmp_path):
    df = simulate_hstcal(40, seed=3)
    df = df.astype({"memory": object, "wallclock": object})
    df.loc[df.index[0], "memory"] = "n/a"
    df.loc[df.index[1], "wallclock"] = -5
    df.loc[df.index[2], "DRIZCORR"] = "BOGUS"
    path = tmp_path / "jobs.csv"
    df.to_csv(path, index_label="ipst")
    table, skipped = load_training_table(path)
    assert len(table) == 37
    reasons = dict(skipped)
    assert "memory/wallclock missing" in reasons[df.index[0]]
    assert "memory/wallclock missing" in reasons[df.index[1]]
    assert "DRIZCORR='BOGUS'" in reasons[df.index[2]]
    assert list(table.columns[:9]) == list(T.COLUMN_ORDER["asn"])
    assert (table["mem_bin"] == df.loc[table.index, "mem_bin"]).all()


def test_training_table_takes_114_encoded_columns(tmp_path):
    # the column layout of spacekit 1.1.4's training CSVs: features already encoded
    rows = pd.DataFrame(
        {
            "ipst": ["j8zs05020", "la8mffg5q"],
            "n_files": [61, 3],
            "total_mb": [1237.0, 222.0],
            "drizcorr": [1, 0],
            "pctecorr": [1, 0],
            "crsplit": [2, 0],
            "subarray": [0, 0],
            "detector": [1, 0],
            "dtype": [1, 0],
            "instr": [0, 1],
            "x_files": [1.99, 0.15],
            "memory": [18.4, 2.56],
            "wallclock": [79010.0, 454.0],
            "mem_bin": [3, 1],
        }
    )
    path = tmp_path / "training.csv"
    rows.to_csv(path, index=False)
    table, skipped = load_training_table(path)
    assert skipped == []
    assert table.loc["la8mffg5q"].iloc[:9].tolist() == [3, 222, 0, 0, 0, 0, 0, 0, 1]
    with pytest.raises(InputError, match="label column"):
        load_training_table(rows.drop(columns=["memory"]).set_index("ipst"))


def test_split_is_seeded_stratified_and_60_20_20():
    table, _ = load_training_table(simulate_hstcal(500, seed=2))
    a = split_rows(table, seed=1)
    assert (a == split_rows(table, seed=1)).all()
    counts = pd.Series(a).value_counts()
    assert counts["test"] == counts["calib"] == 100 and counts["fit"] == 300
    for split in ("fit", "calib", "test"):
        share = table["mem_bin"][a == split].eq(0).mean()
        assert abs(share - table["mem_bin"].eq(0).mean()) < 0.03


def test_train_arguments_are_checked(tmp_path):
    with pytest.raises(InputError, match="only 'asn'"):
        T.Train(cfg="svm", fpath=tmp_path / "x.csv")
    with pytest.raises(InputError, match="not supported"):
        T.Train(fpath=tmp_path / "x.csv", ddb_table="calcloud-model-sb")
    with pytest.raises(InputError, match="cross_val must be"):
        T.Train(fpath=tmp_path / "x.csv", cross_val="often")
    with pytest.raises(InputError, match="at least 2 folds"):
        T.Train(fpath=tmp_path / "x.csv", cross_val=1)
    assert T.Train(fpath=tmp_path / "x.csv", cross_val="skip").cross_val is None
    assert T.Train(fpath=tmp_path / "x.csv", cross_val="only").cross_val == "only"
    t = T.Train(fpath=tmp_path / "x.csv")
    assert t.run_path.parent == tmp_path / "runs"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-\d{10}", t.run_path.name)
    assert T.make_timestamp_path(1644848448) == "2022-02-14-1644848448"
    with pytest.raises(InputError, match="Training table not found"):
        t.load_data()


def test_too_few_rows_is_an_error(tmp_path):
    df = simulate_hstcal(12, seed=1)
    df["memory"] = -1.0
    df.iloc[:5, df.columns.get_loc("memory")] = 1.0
    with (
        pytest.warns(SkippedInputWarning, match="left out 7 rows"),
        pytest.raises(DataError, match="Only 5 usable training rows"),
    ):
        T.Train(data=df, train_path=tmp_path).load_data()
    assert not any(tmp_path.iterdir())  # nothing written before the data is checked


def test_runner_rejects_cloud_sources_and_missing_paths(tmp_path):
    assert T.main(["ddb", "-o", str(tmp_path)]) == 2
    assert T.main(["file", "--save_s3", "--source_path", str(tmp_path)]) == 2
    assert T.main(["sim"]) == 2
    assert T.main(["file"]) == 2


# ---------------------------------------------------------------- real training
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    pytest.importorskip("keras")
    out = tmp_path_factory.mktemp("hstcal-train")
    data = simulate_hstcal(260, seed=5)
    trainer = T.Train(
        data=data,
        train_path=out / "2022-02-14-1644848448",
        epochs=2,
        seed=3,
        plots=False,
        progress=False,
        card_extra="Tiny test run.",
    )
    trainer.main()
    return trainer


@pytest.mark.slow
def test_run_writes_the_114_tree(run):
    root = run.run_path
    assert root.name == "2022-02-14-1644848448"
    for name in ("mem_clf", "mem_reg", "wall_reg"):
        assert (root / "models" / f"{name}.keras").is_file()
    tx = json.loads((root / "models" / "tx_data.json").read_text())
    assert set(tx) == {"lambdas", "mu", "sigma"} and len(tx["mu"]) == 2
    inputs = json.loads((root / "models" / "model_inputs.json").read_text())
    assert inputs["mem_clf"]["classes"] == ["2g", "8g", "16g", "64g"]
    assert inputs["wall_reg"]["features"][:2] == ["n_files", "total_mb"]
    assert inputs["mem_reg"]["target"] == "memory"
    batch = pd.read_csv(root / "data" / "batch.csv", index_col="ipst")
    assert len(batch) == 260
    for col in ("split", "bin_pred", "mem_pred", "wall_pred", "mem_upper", "wall_upper"):
        assert col in batch.columns
    assert (batch["mem_upper"] >= batch["mem_pred"]).all()
    clf = ComputeMulti(res_path=root / "results" / "mem_bin")
    clf.upload()
    assert clf.classes == ["2g", "8g", "16g", "64g"]
    assert clf.y_scores.shape == ((batch["split"] == "test").sum(), 4)
    np.testing.assert_array_equal(clf.y_true, batch.loc[clf.test_idx, "mem_bin"])
    for target in ("memory", "wallclock"):
        com = ComputeRegressor(res_path=root / "results" / target)
        com.upload()
        assert len(com.y_true) == (batch["split"] == "test").sum()
        np.testing.assert_allclose(
            com.y_true, batch.loc[com.test_idx, target].to_numpy(), rtol=1e-6
        )
        assert set(load_results(root / "results" / target)["history"]) >= {"loss", "val_loss"}


@pytest.mark.slow
def test_scores_compare_each_network_with_its_baseline(run):
    scores = json.loads((run.run_path / "summary" / "scores.json").read_text())["scores"]
    assert set(scores) == {"mem_clf", "mem_reg", "wall_reg"}
    assert {"accuracy", "balanced_accuracy", "f1_macro", "loss", "roc_auc"} <= set(
        scores["mem_clf"]["network"]
    )
    assert set(scores["mem_clf"]["baseline"]) >= {"accuracy", "loss"}
    for name in ("mem_reg", "wall_reg"):
        assert {"test_rmse", "mae", "r2"} <= set(scores[name]["network"])
        assert {"test_rmse", "mae", "r2"} <= set(scores[name]["baseline"])
    bounds = json.loads((run.run_path / "summary" / "upper_bounds.json").read_text())
    m = bounds["wallclock"]["levels"]["0.9"]
    assert m["n"] == bounds["wallclock"]["n_test"] == 52
    assert 0 <= m["coverage"] <= 1 and m["rule_factor"] == 3.0


@pytest.mark.slow
def test_archive_has_networks_calibration_and_card_and_predicts(run, tmp_path):
    arch = load_archive(run.archive_path, name="hst_cal")
    assert sorted(arch.models) == ["mem_clf", "mem_reg", "wall_reg"]
    assert set(arch.extras["upper_bounds"]) == {"memory", "wallclock"}
    assert "| mem_reg | RMSE |" in arch.card and "x3 coverage" in arch.card
    assert "| mem_clf | cross-entropy |" in arch.card
    assert "Tiny test run." in arch.card
    # the numpy models of the archive give what the Keras models gave during training
    batch = pd.read_csv(run.run_path / "data" / "batch.csv", index_col="ipst")
    X = run.X.astype("float32")
    np.testing.assert_allclose(
        arch.models["mem_reg"].predict(X)[:, 0], batch["mem_pred"], rtol=1e-4, atol=1e-4
    )
    csv = tmp_path / "new.csv"
    simulate_hstcal(30, seed=99).to_csv(csv, index_label="ipst")
    preds, skipped, _ = predict_inputs(str(csv), model_path=run.archive_path, progress=False)
    assert skipped == [] and len(preds) == 30
    assert (preds["clockTime_upper"] >= preds["clockTime"]).all()


@pytest.mark.slow
def test_cross_val_only_writes_kfold_scores(tmp_path):
    pytest.importorskip("keras")
    trainer = T.Train(
        data=simulate_hstcal(60, seed=7),
        train_path=tmp_path / "2022-02-14-1644848448",
        cross_val="only",
        kfolds=2,
        epochs=1,
        seed=1,
        progress=False,
        mem_clf=0,
        wall_reg=0,
    )
    summary = trainer.main()
    kf = summary["scores"]["mem_reg"]["kfold"]
    assert kf["k"] == 2 and len(kf["network"]) == 2 and len(kf["baseline"]) == 2
    saved = load_results(trainer.run_path / "results" / "memory")
    assert len(saved["kfold"]["network"]) == 2
    assert not (trainer.run_path / "hst_cal.zip").exists()


@pytest.mark.slow
def test_the_cal_dashboard_loads_a_training_run(run):
    from spacekit.dashboard.context import load_context
    from spacekit.dashboard.models import predict_rows

    ctx = load_context("cal", run.run_path)
    assert ctx.problems == []
    assert {"mem_bin", "memory", "wallclock"} <= set(ctx.result_keys())
    label = ctx.versions[-1].label
    assert ctx.compute(label, "memory").y_true.size == 52
    table = ctx.table()
    specs = {s.name: s for s in ctx.models()}
    assert sorted(specs) == ["mem_clf", "mem_reg", "wall_reg"]
    preds = predict_rows([specs["mem_reg"]], table, ctx.load_model)
    batch = pd.read_csv(run.run_path / "data" / "batch.csv", index_col="ipst")
    np.testing.assert_allclose(
        preds["mem_reg"], batch.loc[preds.index, "mem_pred"], rtol=1e-3, atol=1e-3
    )
