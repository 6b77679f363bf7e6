"""analyzer.scan: finding and ordering result versions in both layouts, 1.1.4 scanners."""

import json

import numpy as np
import pandas as pd
import pytest

from spacekit.analyzer.compute import ComputeBinary, ComputeMulti, ComputeRegressor
from spacekit.analyzer.scan import (
    HstCalScanner,
    HstSvmScanner,
    JwstCalScanner,
    decode_categorical,
    import_dataset,
    is_results_folder,
    load_compute,
    scan_results,
)
from spacekit.exceptions import InputError


def _binary(path, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 30)
    p = np.clip(y * 0.6 + rng.random(30) * 0.4, 0, 1)
    ComputeBinary(y_true=y, y_scores=p, res_path=path, history={"loss": [1, 0.5]}).make_outputs()


def _regressor(path, seed=0):
    rng = np.random.default_rng(seed)
    y = np.exp(rng.normal(1, 1, 30))
    ComputeRegressor(y, y * 1.1, history={"loss": [2.0, 1.0]}, res_path=path).download()


def test_hst_and_jwst_layouts_are_ordered_by_time(tmp_path):
    _binary(tmp_path / "2022-01-30-1643523529" / "results" / "test")
    _binary(tmp_path / "2022-01-16-1642337739" / "results" / "test", 1)
    _binary(tmp_path / "2022-01-16-1642337739" / "results" / "val", 2)
    _regressor(tmp_path / "2026-03-01_1772323200" / "image" / "results" / "0")
    _regressor(tmp_path / "2026-03-01_1772323200" / "image" / "results" / "10")
    _regressor(tmp_path / "2026-03-01_1772323200" / "image" / "results" / "2")
    (tmp_path / "2026-03-01_1772323200" / "image" / "data").mkdir(parents=True)
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "2026-03-01_1772323200" / "image" / "data" / "t.csv")
    (tmp_path / "notes").mkdir()  # a folder without results is ignored
    versions = scan_results(tmp_path)
    assert [(v.label, v.name) for v in versions] == [
        ("v0", "2022-01-16-1642337739"),
        ("v1", "2022-01-30-1643523529"),
        ("v2", "2026-03-01_1772323200"),
    ]
    assert sorted(versions[0].results) == ["test", "val"]
    assert list(versions[2].results) == ["image/0", "image/2", "image/10"]
    assert versions[2].timestamp == 1772323200 and versions[2].date == "2026-03-01"
    assert [p.name for p in versions[2].data] == ["t.csv"]
    assert versions[0].title == "v0 (2022-01-16)"
    # a version folder or a results folder given directly
    one = scan_results(tmp_path / "2026-03-01_1772323200")
    assert len(one) == 1 and len(one[0].results) == 3
    single = scan_results(tmp_path / "2022-01-30-1643523529" / "results" / "test")
    assert list(single[0].results) == ["test"]


def test_scan_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        scan_results(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="No training results found"):
        scan_results(tmp_path / "empty")
    # a sample manifest is not a results manifest
    (tmp_path / "empty" / "manifest.json").write_text(json.dumps({"name": "x"}))
    assert not is_results_folder(tmp_path / "empty")


def test_load_compute_picks_the_class(tmp_path):
    _binary(tmp_path / "test")
    _regressor(tmp_path / "memory")
    ComputeMulti(
        y_true=[0, 1, 2, 3], y_scores=np.eye(4), res_path=tmp_path / "mem_bin"
    ).make_outputs()
    assert type(load_compute(tmp_path / "test")).__name__ == "ComputeBinary"
    assert type(load_compute(tmp_path / "memory")).__name__ == "ComputeRegressor"
    assert type(load_compute(tmp_path / "mem_bin")).__name__ == "ComputeMulti"
    # a 1.1.4 folder without manifest: the class comes from the files
    (tmp_path / "test" / "manifest.json").unlink()
    (tmp_path / "memory" / "manifest.json").unlink()
    assert type(load_compute(tmp_path / "test")).__name__ == "ComputeBinary"
    assert type(load_compute(tmp_path / "memory")).__name__ == "ComputeRegressor"


def test_114_scanners_compare_any_number_of_versions(tmp_path, monkeypatch):
    for i in range(4):
        v = tmp_path / "data" / f"2022-02-1{i}-164484844{i}"
        _binary(v / "results" / "test", i)
        _binary(v / "results" / "val", i + 10)
        (v / "data").mkdir()
        pd.DataFrame({"index": ["a", "b"], "det": [4, 1], "label": [0, 1]}).to_csv(
            v / "data" / "svm.csv", index=False
        )
    monkeypatch.chdir(tmp_path)
    scanner = HstSvmScanner(perimeter="data/2022-*-*-*")
    assert scanner.versions == ["v0", "v1", "v2", "v3"]
    mega = scanner.scan_results()
    assert mega["v0"]["res"]["test"] is not mega["v3"]["res"]["test"]  # 1.1.4 shared one
    assert mega["v0"]["res"]["val"].validation
    scores = scanner.compare_scores("test")
    assert list(scores.columns) == ["v0", "v1", "v2", "v3"]
    assert scores.loc["test_acc", "v2"] == pytest.approx(
        mega["v2"]["res"]["test"].acc_loss["test_acc"]
    )
    plots = scanner.make_clf_plots("test")
    fig = scanner.triple_cmx(plots["cmx"]["counts"], "counts")
    assert len([t for t in fig.data if t.type == "heatmap"]) == 4
    df = scanner.load_dataframe()
    assert df["det_key"].tolist() == ["wfc", "ir"]
    with pytest.raises(InputError, match="out of range"):
        scanner.select_dataset(7)
    assert HstCalScanner(perimeter="data/none-*").versions == []
    assert JwstCalScanner(perimeter="data/none_*").res_keys == {}


def test_decode_categorical_uses_the_real_instrument_codes(tmp_path):
    df = pd.DataFrame({"instr": [0, 1, 2, 3, 9.0]})
    out = decode_categorical(df, {"instr": {0: "acs", 1: "cos", 2: "stis", 3: "wfc3"}})
    assert out["instr_key"].tolist() == ["acs", "cos", "stis", "wfc3", "unknown"]
    with pytest.raises(InputError, match="not in the table"):
        decode_categorical(df, {"det": {}})
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": [1, 2]}).to_csv(path, index=False)
    assert import_dataset(path)["x"].tolist() == [1, 2]  # no ipst column: no index
    with pytest.raises(InputError, match="does not exist"):
        import_dataset(tmp_path / "nope.csv")
