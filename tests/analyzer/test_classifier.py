"""Tests of the classifier results: ComputeBinary, ComputeMulti and their folders."""

import json

import numpy as np
import pandas as pd
import pytest

from spacekit.analyzer.classification import (
    as_labels,
    as_scores,
    classification_metrics,
    confusion,
    fnfp_table,
)
from spacekit.analyzer.compute import (
    ComputeBinary,
    ComputeClassifier,
    ComputeMulti,
    Computer,
    ComputeRegressor,
)
from spacekit.exceptions import ArchiveError, InputError, SkippedInputWarning


@pytest.fixture
def multi():
    """A 4-class problem whose scores carry real signal, with some rows below 0.5."""
    rng = np.random.default_rng(3)
    n = 200
    y = rng.integers(0, 4, n)
    logits = rng.normal(0, 1, (n, 4))
    logits[np.arange(n), y] += 1.5
    s = np.exp(logits)
    return y, s / s.sum(axis=1, keepdims=True)


def test_binary_auc_from_scores_not_rounded_labels():
    # hand-computed: of the 4 positive/negative pairs, 3 are ordered correctly
    com = ComputeBinary(y_true=[0, 0, 1, 1], y_scores=[0.1, 0.4, 0.35, 0.8])
    m = com.calculate_results(show_summary=False)
    assert com.roc_auc == pytest.approx(0.75)
    assert m["roc_auc"] == pytest.approx(0.75)
    # rounded 0/1 scores (1.1.4) would give AUC 0.75 only by luck; here the curve has
    # one point per distinct score, not a single operating point
    assert len(com.curves[1]["fpr"]) == 5
    assert com.y_pred.tolist() == [0, 0, 0, 1]
    assert com.cmx.tolist() == [[2, 0], [1, 1]]
    assert com.acc_loss["test_acc"] == pytest.approx(0.75)
    # binary cross-entropy, computed by hand
    expected = -np.mean(np.log([0.9, 0.6, 0.35, 0.8]))
    assert com.acc_loss["test_loss"] == pytest.approx(expected, rel=1e-6)
    assert com.fnfp["kind"].tolist() == ["fn"]
    assert com.fnfp.index.tolist() == [2]


def test_multiclass_uses_argmax_not_rounding():
    scores = [[0.4, 0.3, 0.2, 0.1], [0.1, 0.45, 0.35, 0.1], [0.1, 0.1, 0.2, 0.6]]
    com = ComputeMulti(y_true=[0, 1, 3], y_scores=scores)
    m = com.calculate_multi(show_summary=False)
    assert com.y_pred.tolist() == [0, 1, 3]
    assert m["accuracy"] == 1.0
    assert np.diag(com.cmx).tolist() == [1, 1, 0, 1]
    # class 2 has no true rows: its normalised row is zeros, its AUC undefined
    assert com.cmx_norm[2].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert np.isnan(com.roc_auc[2])
    assert m["per_class"][2]["support"] == 0


def test_ordinal_fnfp_and_plain_errors():
    scores = np.eye(4)[[0, 3, 1]]
    table = fnfp_table([1, 2, 1], scores, index=["a", "b", "c"])
    assert table.to_dict("index") == {
        "a": {"y_true": 1, "y_pred": 0, "proba": 1.0, "kind": "fn"},
        "b": {"y_true": 2, "y_pred": 3, "proba": 1.0, "kind": "fp"},
    }
    plain = fnfp_table([1, 2, 1], scores, ordinal=False)
    assert plain["kind"].tolist() == ["error", "error"]


def test_labels_and_scores_validation():
    assert as_labels(np.eye(3)[[2, 0]]).tolist() == [2, 0]
    assert as_labels([True, False]).tolist() == [1, 0]
    with pytest.raises(InputError, match="non-integer"):
        as_labels([0.5, 1])
    with pytest.raises(InputError, match="only 2 classes"):
        as_labels([0, 2], n_classes=2)
    with pytest.raises(InputError, match="3 columns but 4 classes"):
        as_scores(np.ones((2, 3)), 4)
    with pytest.raises(InputError, match="NaN"):
        as_scores([0.1, np.nan])
    with pytest.raises(InputError, match="exactly two classes"):
        ComputeBinary(classes=["a", "b", "c"])
    with pytest.raises(InputError, match="threshold"):
        ComputeBinary(threshold=1.5)
    with pytest.raises(InputError, match="needs y_true"):
        ComputeMulti().calculate_results()
    with pytest.raises(InputError, match="rows"):
        ComputeMulti(y_true=[0, 1], y_scores=np.eye(4)[[0, 1, 2]]).calculate_results()


def test_metrics_macro_and_micro(multi):
    y, s = multi
    m = classification_metrics(y, s, ["2g", "8g", "16g", "64g"])
    assert m["n"] == 200
    assert 0.5 < m["accuracy"] < 1
    assert m["roc_auc"] == pytest.approx(np.mean([c["roc_auc"] for c in m["per_class"]]))
    assert 0.5 < m["roc_auc_micro"] <= 1
    cmx, norm = confusion(y, s.argmax(1), 4)
    assert cmx.sum() == 200
    np.testing.assert_allclose(norm.sum(axis=1), 1.0)


def test_multi_folder_roundtrip_with_114_names(tmp_path, multi):
    y, s = multi
    history = {"loss": [1.3, 1.0], "accuracy": [0.4, 0.6]}
    history |= {"learning_rate": [1e-3, 1e-3], "val_loss": [1.2, 1.1], "val_accuracy": [0.5, 0.55]}
    ids = [f"i{k:04d}" for k in range(y.size)]
    folder = tmp_path / "results" / "mem_bin"
    com = ComputeMulti(
        y_true=np.eye(4)[y],  # one-hot truth, as 1.1.4 passed it
        y_scores=s,
        history=history,
        test_idx=pd.Series(y, index=pd.Index(ids, name="ipst")),
        y_train_true=y[:50],
        y_train_scores=s[:50],
        classes=["2g", "8g", "16g", "64g"],
        res_path=folder,
        model_name="mem_clf",
    )
    outputs = com.make_outputs()  # dl=True writes the folder
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "y_onehot.csv",
        "y_scores.npy",
        "y_pred.npy",
        "cmx.npy",
        "cmx_norm.npy",
        "fnfp.csv",
        "test_idx.csv",
        "roc_auc.npy",
        "acc_loss.npz",
        "report.json",
        "metrics.json",
        "history.npz",
        "manifest.json",
    }
    assert np.load(folder / "y_pred.npy").shape == (200, 4)  # 1.1.4 one-hot shape
    assert np.load(folder / "roc_auc.npy").shape == (4,)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["meta"]["classes"] == ["2g", "8g", "16g", "64g"]
    assert manifest["meta"]["task"] == "multiclass"
    assert set(outputs["acc_loss"]) == {"train_acc", "train_loss", "test_acc", "test_loss"}

    back = ComputeMulti(classes=["a", "b", "c", "d"], res_path=folder)
    back.upload()
    assert back.classes == ["2g", "8g", "16g", "64g"]  # from the manifest
    assert back.model_name == "mem_clf"
    np.testing.assert_allclose(back.y_scores, s)
    assert back.metrics["accuracy"] == pytest.approx(com.metrics["accuracy"])
    np.testing.assert_array_equal(back.cmx, com.cmx)
    assert list(back.test_idx[:2]) == ["i0000", "i0001"]
    assert back.fnfp.shape == com.fnfp.shape
    assert back.acc_loss["train_acc"] == pytest.approx(com.acc_loss["train_acc"])
    # figures are built lazily and find history keys by name, not position
    curves = [t.name for t in back.acc_fig.data if not t.name.startswith("best")]
    assert curves == ["accuracy", "val_accuracy"]
    curves = [t.name for t in back.loss_fig.data if not t.name.startswith("best")]
    assert curves == ["loss", "val_loss"]
    roc_names = [t.name for t in back.roc_fig.data]
    assert "chance" in roc_names and roc_names[0].startswith("2g (AUC=")
    np.testing.assert_allclose(np.array(back.cm_fig.data[0].z), back.cmx_norm)
    figs = back.draw_plots()
    assert set(figs) == {"roc", "pr", "cmx", "acc", "loss"}


def test_validation_set_has_no_history(tmp_path):
    com = ComputeBinary(
        y_true=[0, 1, 1, 0],
        y_scores=[0.2, 0.7, 0.6, 0.3],
        history={"loss": [1.0]},
        validation=True,
        res_path=tmp_path / "val",
    )
    com.make_outputs()
    assert not (tmp_path / "val" / "history.npz").exists()
    assert set(com.draw_plots()) == {"roc", "pr", "cmx"}
    assert np.load(tmp_path / "val" / "roc_auc.npy").shape == ()


def test_loads_a_114_binary_folder_without_pickle(tmp_path):
    """A folder laid out as spacekit 1.1.4 wrote it (rounded scores, pickled fnfp)."""
    folder = tmp_path / "2022-01-30-1643523529" / "results" / "test"
    folder.mkdir(parents=True)
    y = np.array([0, 1, 1, 0, 1])
    pd.DataFrame({"lab_0": y == 0, "lab_1": y == 1}).to_csv(folder / "y_onehot.csv", index=False)
    np.save(folder / "y_scores.npy", np.column_stack([1 - y, y]).astype(float))
    np.save(folder / "y_pred.npy", y)
    np.save(folder / "cmx.npy", np.array([[2, 0], [0, 3]]))
    np.save(folder / "roc_auc.npy", np.float64(1.0))
    np.savez(folder / "acc_loss.npz", train_acc=0.9, train_loss=0.3, test_acc=1.0, test_loss=0.1)
    np.savez(folder / "history.npz", loss=[0.6, 0.4], accuracy=[0.7, 0.8])
    (folder / "report.json").write_text(json.dumps("              precision ..."))
    pd.Series(y, index=pd.Index([f"v{k}" for k in range(5)], name="index"), name="label").to_csv(
        folder / "test_idx.csv"
    )
    np.save(folder / "fnfp.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    com = ComputeBinary(res_path=folder)
    with pytest.warns(SkippedInputWarning, match="fnfp.npy"):
        com.upload()
    assert com.classes == ["aligned", "misaligned"]
    assert com.acc_loss["train_acc"] == pytest.approx(0.9)
    assert com.report.startswith("              precision")
    assert com.metrics["accuracy"] == 1.0
    assert list(com.test_idx) == ["v0", "v1", "v2", "v3", "v4"]
    assert com.fnfp.empty


def test_load_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="y_scores"):
        ComputeBinary(res_path=tmp_path / "empty").upload()
    np.save(tmp_path / "empty" / "y_scores.npy", np.ones((3, 2)) / 2)
    with pytest.raises(ArchiveError, match="no usable truth"):
        ComputeBinary(res_path=tmp_path / "empty").upload()
    with pytest.raises(InputError, match="No results folder"):
        ComputeBinary(y_true=[0, 1], y_scores=[0.2, 0.8]).make_outputs()
    with pytest.raises(ArchiveError, match="does not exist"):
        ComputeMulti(res_path=tmp_path / "nope").upload()


def test_inputs_from_a_model_and_a_builder(tmp_path):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=120) > 0).astype(int)
    model = LogisticRegression().fit(X[:80], y[:80])
    com = ComputeBinary()
    com.inputs(model, {"loss": [0.5]}, X[:80], y[:80], X[80:], y[80:], list(range(80, 120)))
    m = com.calculate_results(show_summary=False)
    np.testing.assert_allclose(com.y_scores[:, 1], model.predict_proba(X[80:])[:, 1])
    assert m["accuracy"] == pytest.approx(np.mean(model.predict(X[80:]) == y[80:]))
    assert com.acc_loss["train_acc"] == pytest.approx(np.mean(model.predict(X[:80]) == y[:80]))

    class Builder:  # the 1.1.4 Builder attributes
        pass

    b = Builder()
    b.model, b.history = model, {"loss": [0.5]}
    b.X_train, b.y_train, b.X_test, b.y_test = X[:60], y[:60], X[60:80], y[60:80]
    b.X_val, b.y_val, b.test_idx = X[80:], y[80:], None
    val = ComputeBinary(builder=b, validation=True)
    val.calculate_results(show_summary=False)
    assert val.y_true.size == 40  # the validation set is evaluated
    with pytest.raises(InputError, match="no trained .model"):
        ComputeBinary(builder=Builder())


def test_regressor_keeps_114_call_shapes(tmp_path):
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    y = 3 * X[:, 0] + 10
    model = LinearRegression().fit(X[:40], y[:40])

    class Builder:
        pass

    b = Builder()
    b.model, b.history = model, {"loss": [2.0, 1.0], "rmse": [1.4, 1.0]}
    b.X_train, b.y_train, b.X_test, b.y_test = X[:40], y[:40], X[40:], y[40:]
    b.test_idx = pd.Series(y[40:], index=[f"r{k}" for k in range(20)])
    com = ComputeRegressor(builder=b, algorithm="linreg", res_path=tmp_path / "memory")
    loss = com.calculate_results()
    assert loss["test_rmse"] == pytest.approx(0.0, abs=1e-9)
    assert com.test_idx[0] == "r0"
    com.make_outputs(dl=True)
    again = ComputeRegressor(b)  # positional builder, as in 1.1.4
    assert again.model is model
    back = ComputeRegressor(res_path=tmp_path / "memory")
    out = back.upload()
    back.load_results(out)  # the 1.1.4 two-step reload is harmless
    assert back.res_fig is not None and [t.name for t in back.acc_fig.data][0] == "rmse"


def test_computer_base_and_lazy_figures():
    com = ComputeMulti()
    assert com.roc_fig is None and com.acc_fig is None  # no results yet
    assert isinstance(com, ComputeClassifier) and isinstance(com, Computer)
    with pytest.raises(InputError, match="Keras History or a dict"):
        ComputeMulti(history=[1, 2])
