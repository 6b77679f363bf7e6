"""SVM ensemble training: splits, outputs, analyzer results, archive, runner, bad input."""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest

from spacekit.exceptions import DataError, InputError, SkippedInputWarning
from spacekit.skopes.hst.svm import train as T

FAST = {"epochs": 1, "batch_size": 4}


@pytest.fixture(scope="module")
def trained(svm_prepped, tmp_path_factory):
    data_file, img_path, _ = svm_prepped
    out = tmp_path_factory.mktemp("run")
    ens, com, val = T.run_training(
        data_file,
        img_path,
        img_size=32,
        v=0.6,  # 12 visits: 3 test, 4 validation (results/val needs more than 2)
        params=FAST,
        output_path=out,
        seed=0,
        branches=True,
        trained_on="simulated",
    )
    return ens, com, val, out


def test_splits_are_stratified_and_reproducible(svm_prepped):
    df = pd.read_csv(svm_prepped[0], index_col="index")
    a = T.stratified_splits(df, v=0.85, seed=3)
    b = T.stratified_splits(df, v=0.85, seed=3)
    for x, y in zip(a, b, strict=True):
        assert list(x.index) == list(y.index)
    train, test, val = a
    assert len(test) == math.ceil(0.2 * len(df))  # scikit-learn rounds the test share up
    assert set(train.index) | set(test.index) | set(val.index) == set(df.index)
    assert not set(train.index) & set(test.index) and not set(train.index) & set(val.index)
    assert set(test) == {0, 1}  # both classes held out
    assert T.stratified_splits(df, v=0, seed=3)[2] is None


def test_run_training_outputs(trained, svm_prepped):
    ens, com, val, out = trained
    assert ens.model.name == "ensembleSVM"
    assert (out / "models" / "svm_align" / "ensembleSVM.keras").is_file()
    splits = pd.read_csv(out / "data" / "training.csv", index_col="index")
    data = pd.read_csv(svm_prepped[0], index_col="index")
    assert sorted(splits.index) == sorted(data.index)
    cols = [*T.SVM_FEATURES, "label"]
    pd.testing.assert_frame_equal(splits[cols], data.loc[splits.index, cols], check_dtype=False)
    assert set(splits["split"]) == {"train", "test", "val"}
    summary = json.loads((out / "summary" / "metrics.json").read_text())
    assert set(summary["metrics"]) == {"ensemble", "mlp", "cnn", "baseline"}
    test_ids = splits.index[splits["split"] == "test"]
    assert summary["metrics"]["ensemble"]["test"]["n"] == len(test_ids)
    assert 0.0 <= summary["metrics"]["ensemble"]["test"]["roc_auc"] <= 1.0
    assert summary["seed"] == 0 and summary["image_size"] == 32


def test_results_are_analyzer_results_the_dashboards_load(trained):
    from spacekit.analyzer.compute import ComputeBinary

    ens, com, val, out = trained
    assert isinstance(com, ComputeBinary) and isinstance(val, ComputeBinary)
    for name in ("test", "val"):
        assert (out / "results" / name / "manifest.json").is_file()
    loaded = ComputeBinary(res_path=out / "results" / "test")
    loaded.load_results(loaded.upload())
    splits = pd.read_csv(out / "data" / "training.csv", index_col="index")
    test_ids = sorted(splits.index[splits["split"] == "test"])
    assert sorted(str(i) for i in loaded._index(len(test_ids))) == test_ids
    assert float(loaded.roc_auc) == pytest.approx(float(com.roc_auc))
    assert "loss" in loaded.history  # training history in the test results


def test_the_svm_dashboard_scanner_loads_the_run(trained):
    from spacekit.analyzer.scan import HstSvmScanner

    _, com, _, out = trained
    scanner = HstSvmScanner(perimeter=str(out))
    mega = scanner.scan_results()
    res = mega["v0"]["res"]
    assert set(res) == {"test", "val"}
    assert float(res["test"].roc_auc) == pytest.approx(float(com.roc_auc))
    table = pd.read_csv(scanner.select_dataset(), index_col="index")
    assert {"label", "split", "rms_ra", "det"} <= set(table.columns)


def test_the_svm_dashboard_knows_the_ensemble_takes_images(trained):
    """model_inputs.json beside the model: the dashboard lists it but does not run it."""
    from spacekit.dashboard.context import load_context
    from spacekit.dashboard.pages import network, predictions

    _, _, _, out = trained
    info = json.loads((out / "models" / "svm_align" / "model_inputs.json").read_text())
    entry = info["ensembleSVM"]
    assert entry["features"] == list(T.SVM_FEATURES) and entry["tx_cols"] == []
    assert entry["images"] == {"size": 32, "frames": ["", "_source", "_gaia"]}
    ctx = load_context("svm", results=out)
    assert ctx.models() == []
    [spec] = ctx.image_models()
    assert spec.name == "ensembleSVM" and spec.features == list(T.SVM_FEATURES)
    assert ctx.describe()["problems"] == []
    for page in (network, predictions):
        text = str(page.layout(ctx))
        assert "ensembleSVM also takes images" in text and "spacekit svm predict" in text


def test_archive_loads_in_predict_with_a_model_card(trained, svm_prepped, tmp_path):
    from spacekit.skopes.hst.svm.predict import predict_alignment

    ens, _, _, out = trained
    data_file, img_path, _ = svm_prepped
    with zipfile.ZipFile(out / "svm_align.zip") as zf:
        card = zf.read("MODEL_CARD.md").decode()
        manifest = json.loads(zf.read("manifest.json"))
    assert "Held-out metrics" in card and "CNN branch alone" in card
    assert manifest["trained_on"] == "simulated" and manifest["svm"]["image_size"] == 32
    preds = predict_alignment(data_file, img_path, out / "svm_align.zip", tmp_path, size=32)
    # the archive gives the trained model's own probabilities
    X = pd.read_csv(data_file, index_col="index").loc[preds.index]
    from spacekit.extractor.images import load_svm_images

    images, kept, _ = load_svm_images(img_path, preds.index, size=32)
    feats = X[list(T.SVM_FEATURES)].to_numpy(np.float32)
    np.testing.assert_allclose(
        preds["y_proba"], ens.predict_proba([feats, images]), rtol=1e-5, atol=1e-6
    )


def test_labels_from_a_separate_file_and_bad_labels(svm_prepped, tmp_path):
    data_file, img_path, labels = svm_prepped
    df = pd.read_csv(data_file)
    df.drop(columns="label").to_csv(tmp_path / "nolabel.csv", index=False)
    with pytest.raises(DataError, match="no 'label' column"):
        T.load_ensemble_data(tmp_path / "nolabel.csv", img_path, img_size=32)
    lab = labels["label"].copy()
    lab.iloc[0] = 7
    lab.to_frame().to_csv(tmp_path / "labels.csv")
    tv, XTR, YTR, XTS, YTS, XVL, YVL = T.load_ensemble_data(
        tmp_path / "nolabel.csv", img_path, img_size=32, labels=tmp_path / "labels.csv", seed=1
    )
    used = set(tv[0].index) | set(tv[1].index) | set(tv[2].index)
    assert lab.index[0] not in used and len(used) == len(lab) - 1
    assert XTR[1].shape[1:] == (3, 32, 32, 3) and XTR[1].dtype == np.uint8
    assert YTR.shape == (len(tv[0]), 1)


def test_missing_images_are_skipped(svm_prepped, tmp_path):
    import shutil

    data_file, img_path, labels = svm_prepped
    shutil.copytree(img_path, tmp_path / "img")
    gone = sorted(labels.index)[0]
    shutil.rmtree(tmp_path / "img" / gone)
    with pytest.warns(SkippedInputWarning, match=gone):
        tv, *_ = T.load_ensemble_data(data_file, tmp_path / "img", img_size=32, seed=1)
    assert gone not in set(tv[0].index) | set(tv[1].index) | set(tv[2].index)


def test_params_and_model_name(svm_prepped, tmp_path):
    from spacekit.builder.ensemble_builder import BuilderEnsemble

    ens = BuilderEnsemble(
        params={"lr": 0.01, "decay": [10, 0.5], "batch_size": 8, "epochs": 2},
        name="myEnsemble",
        blueprint="svm_ensemble",
    )
    bp = ens.blueprint
    assert (bp.learning_rate, bp.decay_steps, bp.decay_rate) == (0.01, 10, 0.5)
    assert (bp.batch_size, bp.epochs, bp.name) == (8, 2, "svm_ensemble")
    with pytest.raises(InputError, match="Unknown ensemble blueprint field"):
        BuilderEnsemble(params={"nope": 1})
    with pytest.raises(InputError, match="decay"):
        BuilderEnsemble(params={"decay": 5})


def test_too_few_visits(svm_prepped, tmp_path):
    data_file, img_path, _ = svm_prepped
    df = pd.read_csv(data_file).head(3)
    df.to_csv(tmp_path / "small.csv", index=False)
    with pytest.raises(DataError, match="At least 4"):
        T.run_training(tmp_path / "small.csv", img_path, img_size=32, output_path=tmp_path)


def test_runner_with_normalisation_round_trips_through_predict(svm_prepped, tmp_path, capsys):
    """``python -m ...train -n 1 -v 0``: PowerX + /255 in training, the same in predict."""
    from spacekit.skopes.hst.svm.predict import predict_alignment

    data_file, img_path, _ = svm_prepped
    run = tmp_path / "run"
    argv = [str(data_file), str(img_path), "-s", "32", "-e", "1", "-b", "4", "--seed", "2"]
    argv += ["-o", str(run), "-n", "1", "-v", "0", "--no-baseline"]
    assert T.main(argv) == 0
    text = capsys.readouterr().out
    assert "ensemble   test" in text and "ROC-AUC" in text and "val" not in text
    tx = json.loads((run / "models" / "svm_align" / "tx_data.json").read_text())
    assert tx["columns"] == list(T.SVM_FEATURES[:7])
    inputs = json.loads((run / "models" / "svm_align" / "model_inputs.json").read_text())
    assert inputs["ensembleSVM"]["tx_cols"] == list(T.SVM_FEATURES[:7])
    assert inputs["ensembleSVM"]["tx_file"] == "tx_data.json"
    preds = predict_alignment(data_file, img_path, run / "svm_align.zip", tmp_path, 32, norm=1)
    assert preds["y_proba"].between(0, 1).all()
    with pytest.warns(match="trained with norm=1"):
        predict_alignment(data_file, img_path, run / "svm_align.zip", tmp_path, 32)
    # the saved .keras with its tx_data.json beside it also loads as a model_path
    keras_file = run / "models" / "svm_align" / "ensembleSVM.keras"
    again = predict_alignment(data_file, img_path, keras_file, tmp_path / "k", size=32, norm=1)
    np.testing.assert_allclose(again["y_proba"], preds["y_proba"], rtol=1e-5)
    assert T.main([str(tmp_path / "none.csv"), str(img_path)]) == 1
