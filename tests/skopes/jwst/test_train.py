"""Tests of JWST training (spacekit.skopes.jwst.cal.train / prep): tiny runs on simulated data."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spacekit.datasets.jwst import simulate_jwst
from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.preprocessor.ingest import JwstCalIngest
from spacekit.skopes.jwst.cal.prep import JwstCalPrep, memory_bins
from spacekit.skopes.jwst.cal.train import JwstCalTrain, main
from spacekit.skopes.jwst.cal.train.runner import _parser


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("jwst-train")
    sim = simulate_jwst(root / "sim", n=600, seed=11, write_fits=False, days=2, progress=False)
    JwstCalIngest(sim.out_dir / "metadata", root / "tables").run_ingest()
    return root / "tables"


def test_prep_fits_normaliser_on_training_rows_only(tables, tmp_path):
    df = pd.read_csv(tables / "train-image.csv", index_col="Dataset")
    jp = JwstCalPrep(df, exp_mode="image", random=0).prep_data()
    assert jp.X_train.shape[1] == 18 and jp.X_train.dtype == np.float32
    assert jp.y_reg_train.shape == (len(jp.train_idx), 1)
    assert not set(jp.train_idx) & set(jp.test_idx)
    # statistics come from the training rows: standardised columns have mean ~0 there
    offset = jp.X_cols.index("offset")
    assert abs(float(jp.X_train[:, offset].mean())) < 1e-3
    path = jp.save_tx(tmp_path / "tx.json")
    tx = json.loads(path.read_text())
    assert len(tx["lambdas"]) == 6 and tx["columns"][0] == "offset"
    raw = JwstCalPrep(df, exp_mode="image", normalize=False, random=0).prep_data()
    assert raw.tx_data is None
    np.testing.assert_array_equal(raw.X_train[:, 0], df.loc[raw.train_idx, "instr"].to_numpy())


def test_prep_errors(tables):
    df = pd.read_csv(tables / "train-image.csv", index_col="Dataset")
    with pytest.raises(DataError, match="lacks column"):
        JwstCalPrep(df.drop(columns=["offset"]), exp_mode="image")
    bad = df.copy()
    bad["instr"] = "NIRCAM"
    with pytest.raises(DataError, match="non-numeric"):
        JwstCalPrep(bad, exp_mode="image")
    with pytest.raises(DataError, match="empty"):
        JwstCalPrep(df.iloc[0:0], exp_mode="image")
    assert memory_bins([0, 11.9, 12, 300, 951, 5000]).tolist() == [0, 0, 1, 2, 3, 3]


def test_outpath_rules(tables, tmp_path):
    t = JwstCalTrain(tables, out=tmp_path / "2026-01-02_1767312000", exp_mode="spec")
    assert t.output_path == tmp_path / "2026-01-02_1767312000" / "spec"
    t2 = JwstCalTrain(tables, out=tmp_path)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{10}", t2.output_path.parent.name)
    assert t2.output_path.parent.parent == tmp_path
    t3 = JwstCalTrain(tables)
    assert t3.output_path.parent.parent == tables / "runs"  # never the CWD
    assert t3.architecture == "jwst_img3_reg" and t3.model_name == "img3_reg"
    with pytest.raises(InputError, match="exp_mode"):
        JwstCalTrain(tables, exp_mode="tac")
    with pytest.raises(InputError, match="training_data"):
        JwstCalTrain()


def test_missing_table_and_too_few_rows(tmp_path, tables):
    with pytest.raises(InputError, match="does not exist"):
        JwstCalTrain(tmp_path, out=tmp_path).main()
    small = pd.read_csv(tables / "train-image.csv", index_col="Dataset").iloc[:3]
    with pytest.raises(DataError, match="too few"):
        JwstCalTrain(data=small, out=tmp_path, cross_val=5).main()
    with pytest.raises(DataError, match=r"train-image.csv: \d+ usable products are too few"):
        JwstCalTrain(tables, out=tmp_path, cross_val=100_000).main()


def test_cli_accepts_both_spellings():
    a = _parser().parse_args(["-d", "D", "--exp-mode", "spec", "--early-stopping", "val_rmse"])
    b = _parser().parse_args(["-d", "D", "--exp_mode", "spec", "--early_stopping", "val_rmse"])
    assert vars(a) == vars(b)
    c = _parser().parse_args(
        ["-d", "D", "-k", "3", "--epochs", "4", "--seed", "1", "--logfile", "F"]
    )
    assert (c.cross_val, c.epochs, c.seed, c.logfile) == (3, 4, 1, False)


@pytest.mark.slow
# a 2-epoch model may predict below the 0.1 GB floor: those predictions are flagged
@pytest.mark.filterwarnings("ignore::spacekit.exceptions.FlaggedInputWarning")
def test_train_writes_tree_and_predict_loads_it(tables, tmp_path):
    keras = pytest.importorskip("keras")
    run = tmp_path / "2026-01-02_1767312000"
    img = JwstCalTrain(
        tables, out=run, exp_mode="image", cross_val=2, epochs=2, seed=0, progress=False
    )
    scores = img.main()
    mode = run / "image"
    for fold in ("0", "1"):
        assert (mode / "data" / f"image-tts_{fold}.csv").is_file()
        assert (mode / "models" / fold / "img3_reg.keras").is_file()
        res = mode / "results" / fold
        for name in ("history.npz", "loss.npz", "predictions.npy", "residuals.npy", "test_idx.csv"):
            assert (res / name).is_file(), name
        for fig in ("residuals", "loss", "roc", "pr"):
            assert (mode / "figures" / f"fold{fold}-{fig}.png").is_file()
            assert (mode / "figures" / f"fold{fold}-{fig}.html").is_file()
    metrics = pd.read_csv(mode / "summary" / "image-cv-metrics.csv", index_col="index")
    assert list(metrics.index) == [0, 1]
    assert {"test_rmse", "hgb_test_rmse", "mean_auc", "l2_norm"} <= set(metrics.columns)
    saved = json.loads((mode / "summary" / "image-cv-scores.json").read_text())
    assert saved["n_folds"] == 2
    assert scores["network"]["test_rmse"] == pytest.approx(metrics["test_rmse"].mean())
    assert saved["baseline"]["test_rmse"] == pytest.approx(metrics["hgb_test_rmse"].mean())
    for fold in (0, 1):  # the baseline beats predicting the training mean on every fold
        table = pd.read_csv(mode / "data" / f"image-tts_{fold}.csv", index_col="Dataset")
        y_train = table.loc[table["split"] == "train", "imgsize_gb"]
        y_test = table.loc[table["split"] == "test", "imgsize_gb"].to_numpy()
        constant = float(np.sqrt(np.mean((y_test - y_train.mean()) ** 2)))
        assert metrics.loc[fold, "test_size"] == len(y_test)
        assert metrics.loc[fold, "hgb_test_rmse"] < constant
    assert (mode / "tx_data-image.json").is_file()
    # every fold's epochs in the TrainingDashboard format; the best fold's copied beside
    from spacekit.visualization import TrainingDashboard

    for fold in ("0", "1"):
        path = mode / "visualizations" / fold / "training" / "training_history.json"
        assert img.history_path(fold) == path
        dash = TrainingDashboard.load_history(path)
        history = np.load(mode / "results" / fold / "history.npz")
        assert dash.epochs == [1, 2]
        assert dash.history_.run == f"img3_reg fold {fold}"
        np.testing.assert_allclose(dash.metrics["loss"], history["loss"], rtol=1e-6)
        assert {"loss", "rmse", "val_loss", "val_rmse"} <= set(dash.metrics)
    best_copy = json.loads((mode / "training_history.json").read_text())
    assert best_copy["run"] == f"img3_reg fold {scores['best_fold']}"
    # a fold table's split covers every row once
    fold0 = pd.read_csv(mode / "data" / "image-tts_0.csv", index_col="Dataset")
    assert set(fold0["split"]) == {"train", "test"}
    # results load back through the analyzer
    from spacekit.analyzer.compute import ComputeRegressor

    com = ComputeRegressor()
    com.upload(mode / "results" / "0")
    assert com.loss["test_rmse"] == pytest.approx(metrics.loc[0, "test_rmse"])

    spec = JwstCalTrain(
        tables,
        out=run,
        exp_mode="spec",
        epochs=2,
        seed=0,
        plots=False,
        baseline=False,
        progress=False,
    )
    spec.main()
    assert (run / "spec" / "models" / "0" / "spec3_reg.keras").is_file()
    archive = spec.archive_path
    assert archive == run / "jwst_cal.zip" and archive.is_file()

    # a fresh predictor loads the archive and agrees with the trained Keras model
    from spacekit.skopes.jwst.cal.predict import JwstCalPredict

    fits = simulate_jwst(tmp_path / "fits", n=40, seed=5, write_fits=True, days=1, progress=False)
    pred = JwstCalPredict(fits.out_dir / "uncal", model_path=archive, progress=False)
    out = pred.run_inference()
    assert out and all("gbSize" in v for v in out.values())
    best = saved["best_fold"]
    model = keras.models.load_model(mode / "models" / best / "img3_reg.keras", safe_mode=True)
    x = np.asarray(pred.inputs["IMAGE"], dtype="float32")
    expect = np.round(model.predict(x, verbose=0).ravel().astype(float), 2)
    names = list(pred.input_data["IMAGE"].index)
    got = np.array([out[n]["gbSize"] for n in names])
    np.testing.assert_allclose(got, np.clip(expect, 0.1, 990.0), atol=0.011)  # GB_FLOOR, GB_CAP


@pytest.mark.slow
def test_cli_run(tables, tmp_path, capsys):
    code = main(
        [
            "-d",
            str(tables),
            "-o",
            str(tmp_path),
            "--exp-mode",
            "image",
            "--epochs",
            "1",
            "--seed",
            "3",
            "--no-plots",
            "--no-baseline",
            "--no-archive",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "img3_reg: test RMSE" in out
    assert main(["-d", str(tmp_path / "missing"), "-o", str(tmp_path)]) == 2


def test_build_archive_needs_a_trained_mode(tmp_path):
    from spacekit.skopes.jwst.cal.train import build_archive, make_model_card

    with pytest.raises(DataError, match="No trained model"):
        build_archive(tmp_path)
    card = make_model_card(
        tmp_path,
        {
            "image": {
                "model": "img3_reg",
                "network": {"test_rmse": 1.0},
                "baseline": {"test_rmse": 2.0},
            }
        },
    )
    assert "| img3_reg |" in card and "1.000" in card and "2.000" in card


def test_prep_keeps_the_114_signature(tables):
    import inspect

    df = pd.read_csv(tables / "train-spec.csv", index_col="Dataset")
    params = list(inspect.signature(JwstCalPrep).parameters)
    assert params[:10] == [
        "data",
        "y_target",
        "X_cols",
        "norm_cols",
        "exp_mode",
        "tensors",
        "normalize",
        "random",
        "tsize",
        "encode_targets",
    ]
    # 1.1.4 positional call; norm_cols=[] means "the mode's NORM_COLS", as in 1.1.4
    jp = JwstCalPrep(df, "imgsize_gb", [], [], "spec", True, True, 0)
    assert len(jp.norm_cols) == 7 and jp.tensors is True
    with pytest.raises(DataError, match="prep_data"):
        jp.prep_targets()
    assert jp.prep_data().prep_targets() is jp and jp.y_reg_test.shape[1] == 1
    with pytest.raises(InputError, match="encode_targets"):
        JwstCalPrep(df, exp_mode="spec", encode_targets=True)
    with pytest.raises(DataError, match="at least 2"):
        JwstCalPrep(df.iloc[:1], exp_mode="spec").prep_data()


def test_trainer_keeps_the_114_method_signatures():
    import inspect

    params = list(inspect.signature(JwstCalTrain.run_training).parameters)
    assert params[:3] == ["self", "save_diagram", "custom_arch"]
    t = JwstCalTrain(data=pd.DataFrame({"a": [1]}), out="unused")
    # the 1.1.4 attributes exist from the start, empty until a fold is trained
    assert t.prep_kwargs == {"exp_mode": "image", "normalize": True}
    unset = ("dm", "jp", "com", "scores", "builder", "metrics_file", "itn", "metrics")
    figures = ("res_fig", "loss_fig", "roc_fig", "pr_fig")
    assert {a: getattr(t, a) for a in unset + figures} == dict.fromkeys(unset + figures)


def test_rows_with_nans_are_left_out_and_named(tables, tmp_path):
    df = pd.read_csv(tables / "train-image.csv", index_col="Dataset")
    bad = df.copy()
    bad["imgsize_gb"] = bad["imgsize_gb"].astype(object)
    first, second = bad.index[:2]
    bad.loc[first, "imgsize_gb"] = np.nan
    bad.loc[second, "offset"] = np.nan
    path = tmp_path / "train-image.csv"
    bad.to_csv(path)
    t = JwstCalTrain(tmp_path, out=tmp_path / "runs")
    with pytest.warns(SkippedInputWarning, match="left out 2 of"):
        data = t.load_data()
    assert len(data) == len(df) - 2 and first not in data.index
    reasons = dict(t.skipped)
    assert "imgsize_gb" in reasons[str(first)] and "offset" in reasons[str(second)]
    # nothing usable left: a DataError naming the file
    bad["imgsize_gb"] = np.nan
    bad.to_csv(path)
    with pytest.warns(SkippedInputWarning), pytest.raises(DataError, match="train-image.csv"):
        JwstCalTrain(path, out=tmp_path / "runs").load_data()
    with pytest.raises(DataError, match="lacks the column"):
        JwstCalTrain(data=df.drop(columns="imgsize_gb"), out=tmp_path).load_data()


def test_module_runner_logs_under_the_package_logger(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "spacekit.skopes.jwst.cal.train", "-d", "missing", "-o", "runs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "ERROR spacekit.skopes.jwst.cal.train: Training table" in proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written to the CWD


def test_early_stopping_watches_training_rows_not_the_test_rows(tables, tmp_path):
    t = JwstCalTrain(tables, out=tmp_path, seed=0)
    t.initialize()
    jp = t.prep_train_test()
    X_fit, y_fit, X_val, y_val = t._validation_split()
    n = len(jp.X_train)
    assert len(X_val) == round(n * 0.1) and len(X_fit) + len(X_val) == n
    train_rows = {tuple(r) for r in jp.X_train.tolist()}
    assert {tuple(r) for r in X_val.tolist()} <= train_rows  # drawn from the training rows
    # without early stopping nothing is selected: the test rows only draw the curve
    off = JwstCalTrain(tables, out=tmp_path, seed=0, early_stopping="none")
    off.blueprint, off.jp = off._blueprint(None), jp
    assert off._validation_split()[2] is jp.X_test


@pytest.mark.slow
def test_live_server_follows_the_fold_being_trained(tables, tmp_path):
    import time

    from spacekit.visualization import DashboardServer

    with DashboardServer(port=0) as server:
        trainer = JwstCalTrain(
            tables, out=tmp_path, epochs=3, seed=1, plots=False, baseline=False, server=server
        )
        trainer.main()
        deadline = time.monotonic() + 10
        while len(server.history()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)  # the server polls the history file every 0.25 s
        records = server.history()
        assert server.run == "img3_reg"
    assert [r["epoch"] for r in records] == [1, 2, 3]
    saved = json.loads(trainer.history_path(0).read_text())
    assert [r["metrics"]["loss"] for r in records] == pytest.approx(saved["metrics"]["loss"])


def test_server_needs_the_training_history(tables):
    with pytest.raises(InputError, match="training_history=True"):
        JwstCalTrain(tables, training_history=False, server=object())


@pytest.mark.slow
def test_spacekit_jwst_train_command(tables, tmp_path):
    from click.testing import CliRunner

    from spacekit.cli import main as cli

    result = CliRunner().invoke(
        cli,
        ["jwst", "train", str(tables), "-o", str(tmp_path), "--epochs", "2", "--seed", "2"]
        + ["--no-plots", "--no-baseline", "--live", "--port", "0", "--no-progress"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.match(r"live dashboard: http://127\.0\.0\.1:\d+/ ", lines[1]), lines
    assert lines[2].startswith("img3_reg: test RMSE")
    archive = Path(lines[4].split(": ", 1)[1])
    assert archive.name == "jwst_cal.zip" and archive.is_file()
    history = Path(lines[5].split(": ", 1)[1].split(" (")[0])
    assert history == archive.parent / "image" / "training_history.json"
    # what `spacekit viz serve` reads
    from spacekit.visualization.server import read_history

    assert read_history(history)["epochs"] == [1, 2]
