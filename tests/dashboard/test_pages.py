"""The pages' work as plain functions, on the packaged sample results and on bad input."""

import base64

import numpy as np
import pandas as pd
import pytest

from spacekit.dashboard.context import load_context
from spacekit.dashboard.models import model_inputs, predict_rows, raw_defaults
from spacekit.dashboard.pages import drift, eda, evaluation, network, predictions
from spacekit.exceptions import ArchiveError, DataError, InputError


@pytest.fixture(scope="module")
def cal():
    return load_context("cal")


def test_packaged_samples_of_every_dashboard_load():
    for kind, keys in (("cal", "mem_bin"), ("svm", "test"), ("jwst", "image/0")):
        ctx = load_context(kind)
        assert ctx.source == "packaged sample" and ctx.problems == []
        assert ctx.result_keys()[0] == keys
        labels = [v.label for v in ctx.versions]
        figs = evaluation.build_figures(ctx, keys, labels, None)
        assert [r[0] for r in figs["table"][1]] == labels
        assert ctx.models(), kind


def test_eda_figures_filters_and_errors(cal):
    figs = eda.build_figures(cal, "n_files", "memory", "instr", "memory")
    names = [t.name for t in figs["scatter"].data]
    assert names == ["acs", "acs fit", "cos", "cos fit", "stis", "stis fit", "wfc3", "wfc3 fit"]
    assert figs["summary"].startswith(f"{len(cal.table()):,} rows")
    only = eda.build_figures(
        cal,
        "n_files",
        "memory",
        "instr",
        "memory",
        keep_groups=["cos"],
        range_col="total_mb",
        lo=1,
        hi=50,
    )
    kept = cal.table()
    kept = kept[(kept["instr"] == 1) & kept["total_mb"].between(1, 50)]
    assert only["summary"] == f"{len(kept):,} rows - cos: {len(kept):,}"
    assert only["fits"]["cos"]["n"] == len(kept)
    with pytest.raises(InputError, match="No rows are left"):
        eda.build_figures(cal, "n_files", "memory", None, "memory", range_col="memory", lo=1e9)
    with pytest.raises(InputError, match="not in the table"):
        eda.build_figures(cal, "nope", "memory", None, "memory")


def test_eda_of_a_table_without_numbers(tmp_path):
    from dash import html

    root = tmp_path / "res"
    from dash_trees import write_cal_versions

    write_cal_versions(root, n_versions=1, n=20)
    text = tmp_path / "text.csv"
    pd.DataFrame({"name": ["a", "b"], "kind": ["x", "y"]}).to_csv(text, index=False)
    ctx = load_context("cal", root, text)
    page = eda.layout(ctx)
    msg = [c for c in page.children if isinstance(c, html.Div) and "sk-msg" in (c.className or "")]
    assert "no numeric column" in msg[0].children


def _upload(df: pd.DataFrame) -> str:
    return "data:text/csv;base64," + base64.b64encode(df.to_csv(index=False).encode()).decode()


def test_drift_upload_and_errors(cal):
    table = cal.table()
    new = table.assign(total_mb=table["total_mb"] * 3)
    parsed = drift.parse_upload(_upload(new.reset_index()), "new.csv", 10_000_000)
    store = drift.compute_drift(table, parsed, "v2", "upload: new.csv")
    assert store["rows"][0]["feature"] == "total_mb"
    assert "ipst" not in [r["feature"] for r in store["rows"]]  # row names are not features
    bars, overlay = drift.drift_figures(store, "instr")
    assert overlay.layout.title.text.startswith("instr:")
    with pytest.raises(InputError, match="limit is 0.0 MB"):
        drift.parse_upload(_upload(new), "new.csv", 10)
    with pytest.raises(InputError, match="upload a .csv"):
        drift.parse_upload(_upload(new), "new.xlsx", 10_000_000)
    with pytest.raises(InputError, match="could not be decoded"):
        drift.parse_upload("data:text/csv;base64,@@@", "x.csv", 10_000_000)
    with pytest.raises(InputError, match="no rows"):
        drift.parse_upload(_upload(new.iloc[:0]), "x.csv", 10_000_000)
    with pytest.raises(DataError, match="no column in common"):
        drift.compute_drift(table, pd.DataFrame({"zz": [1]}), "a", "b")


def test_network_forward_uses_the_saved_normalisation(cal):
    spec = cal.model_spec("mem_clf")
    row = cal.table().iloc[[3]]
    raw = row[spec.features].iloc[0].to_dict()
    acts, summary = network.forward(cal, "mem_clf", raw)
    model = cal.load_model(spec)
    # the pipeline's own steps: Yeo-Johnson + standardisation of n_files and total_mb
    from spacekit.preprocessor.transform import apply_power_transform

    x = apply_power_transform(row[spec.features].astype(float), spec.tx, ["n_files", "total_mb"])
    np.testing.assert_allclose(acts[-1], model.predict(x.to_numpy())[0], rtol=1e-6)
    assert not np.allclose(acts[0][:2], row[["n_files", "total_mb"]].to_numpy(dtype=float)[0])
    assert summary.startswith("prediction: ") and summary.count(":") == 5
    net = cal.network(spec)
    text = network.describe_point(cal, "mem_clf", {"customdata": [2, 3, 4, 0.0]})
    assert text.endswith(f"= {net.layers[1].kernel[3, 4]}")
    with pytest.raises(InputError, match="Enter a value for n_files"):
        network.forward(cal, "mem_clf", {**raw, "n_files": None})
    with pytest.raises(InputError, match="must be a number"):
        network.forward(cal, "mem_clf", {**raw, "n_files": "many"})


def test_network_page_on_a_model_that_is_not_dense(tmp_path):
    from dash_trees import write_cal_versions

    from keras_files import dense_keras_bytes

    root = write_cal_versions(tmp_path / "res", n_versions=1, n=20)
    models = next(root.iterdir()) / "models"
    models.mkdir()
    (models / "bad.keras").write_bytes(b"not a zip")
    ctx = load_context("cal", root)
    with pytest.raises(ArchiveError):
        network.network_figure(ctx, "bad")
    (models / "bad.keras").unlink()
    (models / "tiny.keras").write_bytes(dense_keras_bytes((3, 2, 1)))
    ctx = load_context("cal", root)
    with pytest.raises(DataError, match="takes 3 inputs but 9 input columns"):
        network._form(ctx, "tiny")


def test_predictions_of_every_model(cal):
    rows = cal.table().iloc[:5]
    out = predictions.run_predictions(cal, rows)
    assert list(out.index) == list(rows.index)
    assert set(out["mem_clf"]) <= {"2g", "8g", "16g", "64g"}
    assert out["mem_clf_p"].between(0.25, 1).all()
    assert {"mem_reg", "wall_reg", "mem_bin", "memory", "wallclock"} <= set(out.columns)
    spec = cal.model_spec("mem_reg")
    np.testing.assert_allclose(
        out["mem_reg"], np.round(cal.load_model(spec).predict(model_inputs(spec, rows)).ravel(), 4)
    )
    with pytest.raises(DataError, match=r"needs the columns \['drizcorr'\]"):
        predict_rows([spec], rows.drop(columns="drizcorr"), cal.load_model)
    with pytest.raises(DataError, match="needs numeric"):
        model_inputs(spec, rows.assign(instr="acs"))
    with pytest.raises(DataError, match="missing input values"):
        model_inputs(spec, rows.assign(crsplit=np.nan))
    with pytest.raises(InputError, match="No rows"):
        predict_rows([spec], rows.iloc[:0], cal.load_model)
    defaults = raw_defaults(spec, cal.table())
    assert defaults["instr"] == float(cal.table()["instr"].mode().iloc[0])


def test_results_folder_with_missing_files(tmp_path):
    from dash_trees import write_cal_versions

    root = write_cal_versions(tmp_path / "res", n_versions=2, n=20)
    broken = sorted(root.iterdir())[0] / "results" / "mem_bin"
    for name in ("y_onehot.csv", "test_idx.csv"):
        (broken / name).unlink()
    ctx = load_context("cal", root)
    with pytest.raises(ArchiveError, match="no usable truth"):
        evaluation.build_figures(ctx, "mem_bin", ["v0", "v1"], None)
    figs = evaluation.build_figures(ctx, "mem_bin", ["v1"], None)
    assert figs["table"][1][0][0] == "v1"
