"""SVM alignment prediction: the published model, our archives, outputs and bad input."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from spacekit.exceptions import ArchiveError, DataError, InputError, SkippedInputWarning
from spacekit.skopes.hst.svm import predict as P
from support import shared_path

REF = ("reference", "spacekit-1.1.4")
REF_NAME = "hst_15000_01_wfc3_ir_total_ibpb01"


@pytest.fixture(scope="module")
def reference():
    out = shared_path(*REF, "svm_render", "output")
    return out, shared_path(*REF, "svm_align.zip")


def test_published_model_gives_114_probability(reference, tmp_path):
    out, archive = reference
    expected = pd.read_csv(out / "predictions.csv", index_col="index")
    preds = P.predict_alignment(out / "svm_data.csv", out / "img", archive, tmp_path)
    assert preds.index.tolist() == [REF_NAME]
    assert abs(preds.loc[REF_NAME, "y_proba"] - expected.loc[REF_NAME, "y_proba"]) < 0.02
    assert preds.loc[REF_NAME, "y_pred"] == expected.loc[REF_NAME, "y_pred"]
    # predictions.csv has 1.1.4's columns and values
    ours = pd.read_csv(tmp_path / "predictions" / "predictions.csv")
    theirs = pd.read_csv(out / "predictions.csv")
    assert list(ours.columns) == list(theirs.columns)
    cols = [c for c in theirs.columns if c not in ("y_proba", "index")]
    pd.testing.assert_frame_equal(ours[cols], theirs[cols])
    compromised = (tmp_path / "predictions" / "compromised.txt").read_text().split()
    assert compromised == [REF_NAME]
    report = (tmp_path / "predictions" / "clf_report.txt").read_text()
    assert "ir\t1 \t (1) \t 100.0%" in report and "hrc\t0 \t (0) \t -" in report
    assert "model: spacekit-1.1.4/svm_align (version 1.1.4, sha256 cda062ba7683" in report
    assert preds.attrs["model"].startswith("spacekit-1.1.4/svm_align")


def test_registry_name_fetches_the_published_model(model_mirror, tmp_path):
    out = model_mirror / "svm_render" / "output"
    expected = pd.read_csv(out / "predictions.csv", index_col="index")
    preds = P.predict_alignment(
        out / "svm_data.csv", out / "img", "spacekit-1.1.4/svm_align", tmp_path
    )
    assert abs(preds.loc[REF_NAME, "y_proba"] - expected.loc[REF_NAME, "y_proba"]) < 0.02


def test_published_model_on_114_cnn_inputs(reference):
    """The model through load_ensemble_model on 1.1.4's own 128x128 arrays and row."""
    from spacekit.builder.ensemble_model import load_ensemble_model

    out, archive = reference
    expected = pd.read_csv(out / "predictions.csv", index_col="index")
    X = pd.read_csv(out / "svm_data.csv", index_col="index")
    images = np.load(out / "cnn_inputs_128.npy", allow_pickle=False)[None]
    model = load_ensemble_model(archive)
    assert model.image_size == 128 and model.n_features == 10 and model.layout == "spacekit-1.1.4"
    proba = model.predict(X.to_numpy(np.float32), images)
    assert abs(proba[0] - expected.loc[REF_NAME, "y_proba"]) < 0.02
    assert load_ensemble_model(archive) is model  # loaded once per process


def test_svm_ensemble_blueprint_rebuilds_the_published_network(reference):
    from spacekit.builder.ensemble import build_ensemble
    from spacekit.builder.ensemble_model import load_ensemble_model

    out, archive = reference
    published = load_ensemble_model(archive).model
    ours = build_ensemble("svm_ensemble", compile=False)
    assert len(ours.layers) == len(published.layers) == 28
    assert [i.name for i in ours.inputs] == [i.name for i in published.inputs]
    ours.set_weights(published.get_weights())
    X = pd.read_csv(out / "svm_data.csv", index_col="index").to_numpy(np.float32)
    images = np.load(out / "cnn_inputs_128.npy", allow_pickle=False)[None].astype(np.float32)
    a = ours.predict([X, images], verbose=0)
    b = published.predict([X, images], verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_load_mixed_inputs_114_shapes(reference):
    out, _ = reference
    X, images = P.load_mixed_inputs(out / "svm_data.csv", out / "img")
    assert X.shape == (1, 10) and images.shape == (1, 3, 128, 128, 3)
    assert images.dtype == np.float32 and images.max() > 1
    expected = np.load(out / "cnn_inputs_128.npy", allow_pickle=False)
    assert np.array_equal(images[0], expected.astype(np.float32))


def test_norm_1_uses_the_archive_tx_data(reference, tmp_path):
    out, archive = reference
    preds = P.predict_alignment(out / "svm_data.csv", out / "img", archive, tmp_path, norm=1)
    assert 0.0 <= preds["y_proba"].iloc[0] <= 1.0
    # the features written are the raw ones, not the normalised ones
    assert preds.loc[REF_NAME, "point"] == 669


def test_our_archive_end_to_end(svm_prepped, tiny_archive, tmp_path):
    data_file, img_path, labels = svm_prepped
    archive, _ = tiny_archive
    preds = P.predict_alignment(data_file, img_path, archive, tmp_path, size=32, group="sim")
    assert sorted(preds.index) == sorted(labels.index)
    assert preds["y_proba"].between(0, 1).all()
    assert set(preds["y_pred"]) <= {0.0, 1.0}
    folder = tmp_path / "predictions"
    assert sorted(p.name for p in folder.iterdir()) == [
        "clf_report.txt",
        "compromised.txt",
        "predictions.csv",
    ]
    compromised = (folder / "compromised.txt").read_text().split()
    assert sorted(compromised) == sorted(preds.index[preds["y_proba"] >= 0.5])
    report = (folder / "clf_report.txt").read_text()
    assert "data:  sim" in report and "trained on simulated data" in report
    for det, code in P.DETECTOR_KEY.items():
        total = int((preds["det"] == code).sum())
        line = next(ln for ln in report.splitlines() if ln.startswith(f"{det}\t"))
        assert f"({total})" in line


def test_missing_images_and_bad_rows_are_skipped_and_reported(svm_prepped, tiny_archive, tmp_path):
    data_file, img_path, labels = svm_prepped
    archive, _ = tiny_archive
    img = tmp_path / "img"
    shutil.copytree(img_path, img)
    names = sorted(labels.index)
    shutil.rmtree(img / names[0])
    (img / names[1] / f"{names[1]}_gaia.png").unlink()
    df = pd.read_csv(data_file)
    df.loc[df["index"] == names[2], "rms_ra"] = np.nan
    bad_csv = tmp_path / "svm_data.csv"
    df.to_csv(bad_csv, index=False)
    with pytest.warns(SkippedInputWarning):
        preds = P.predict_alignment(bad_csv, img, archive, size=32)
    assert sorted(preds.index) == names[3:]
    skipped = (tmp_path / "predictions" / "skipped.txt").read_text().splitlines()
    reasons = dict(line.split("\t") for line in skipped)
    assert set(reasons) == set(names[:3])
    assert "_gaia.png" in reasons[names[1]] and "rms_ra" in reasons[names[2]]
    assert "skipped: 3 visit(s)" in (tmp_path / "predictions" / "clf_report.txt").read_text()


def test_nothing_usable_raises(svm_prepped, tiny_archive, tmp_path):
    data_file, _, _ = svm_prepped
    archive, _ = tiny_archive
    (tmp_path / "img").mkdir()
    with pytest.warns(SkippedInputWarning), pytest.raises(DataError, match="nothing to classify"):
        P.predict_alignment(data_file, tmp_path / "img", archive, tmp_path, size=32)


def test_bad_arguments(svm_prepped, tiny_archive, tmp_path):
    data_file, img_path, _ = svm_prepped
    archive, _ = tiny_archive
    with pytest.raises(InputError, match="takes 32×32 images"):
        P.predict_alignment(data_file, img_path, archive, tmp_path, size=128)
    with (
        pytest.raises(DataError, match="norm=1 needs normalisation statistics"),
        pytest.warns(match="trained with norm=0"),
    ):
        P.predict_alignment(data_file, img_path, archive, tmp_path, size=32, norm=1)
    with pytest.raises(InputError, match="does not exist"):
        P.predict_alignment(data_file, img_path, tmp_path / "nope.zip", tmp_path, size=32)
    with pytest.raises(InputError, match="does not exist"):
        P.predict_alignment(tmp_path / "none.csv", img_path, archive, tmp_path, size=32)
    pd.DataFrame({"index": ["a"], "numexp": [1]}).to_csv(tmp_path / "cols.csv", index=False)
    with pytest.raises(DataError, match="lacks the feature column"):
        P.predict_alignment(tmp_path / "cols.csv", img_path, archive, tmp_path, size=32)
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    with pytest.raises(ArchiveError):
        P.predict_alignment(data_file, img_path, tmp_path / "fake.zip", tmp_path, size=32)


def test_runner(svm_prepped, tiny_archive, tmp_path, capsys):
    data_file, img_path, _ = svm_prepped
    archive, _ = tiny_archive
    argv = [str(data_file), str(img_path), "-m", str(archive), "-o", str(tmp_path), "-s", "32"]
    assert P.main([*argv, "-g", "runner"]) == 0
    assert "12 visit(s) classified" in capsys.readouterr().out
    assert (tmp_path / "predictions" / "predictions.csv").is_file()
    assert P.main([str(data_file), str(tmp_path / "none"), "-m", str(archive), "-s", "32"]) == 1


def test_packaged_default_model(tmp_path):
    """The packaged default loads by name, says what it is, and separates fresh visits."""
    from sklearn.metrics import roc_auc_score

    from spacekit.builder.ensemble_model import load_ensemble_model
    from spacekit.datasets import simulate_svm
    from spacekit.skopes.hst.svm.prep import run_preprocessing

    model = load_ensemble_model(None)
    assert model.provenance.name == "packaged/svm_align"
    assert model.provenance.trained_on == "simulated"
    assert model.image_size == 128 and model.training["norm"] == 0
    assert "Held-out metrics" in model.card and "CNN branch alone" in model.card
    # full-size visits (the 64-pixel fixture has no catalogue matches), a seed the
    # default was not trained on (2026)
    sim = simulate_svm(tmp_path / "sim", n_visits=12, seed=5, misaligned_fraction=0.5)
    run_preprocessing(
        str(tmp_path / "sim"), output_path=str(tmp_path / "prep"), labels=str(sim.labels_path)
    )
    prep = tmp_path / "prep"
    preds = P.predict_alignment(prep / "svm_data.csv", prep / "img", output_path=tmp_path)
    assert preds.attrs["model"].startswith("packaged/svm_align")
    auc = roc_auc_score(sim.labels.loc[preds.index, "label"], preds["y_proba"])
    assert auc >= 0.8, auc
