import json
import math

import pytest

from spacekit.analyzer.figures import group_metrics, lower_is_better, make_history_figure
from spacekit.exceptions import DataError, InputError
from spacekit.visualization import TrainingDashboard
from spacekit.visualization._export import output_dir
from spacekit.visualization.training_history import (
    HISTORY_FORMAT,
    TrainingHistory,
    read_history,
)


def _feed(dash, n=4):
    for e in range(1, n + 1):
        dash.update(
            e, {"loss": 1.0 / e, "val_loss": 1.2 / e, "accuracy": 0.5 + 0.1 * e}, lr=0.01 / e
        )


def test_update_records_aligned_series():
    dash = TrainingDashboard()
    dash.update(1, {"loss": 0.9})
    dash.update(2, {"loss": 0.5, "val_loss": 0.7, "learning_rate": 0.001})
    assert dash.epochs == [1, 2]
    assert dash.metrics["val_loss"] == [None, 0.7]  # metric first seen later is back-filled
    assert dash.lr == [None, 0.001]  # learning_rate key goes to the lr series
    dash.update(2, {"loss": 0.4})  # re-updating an epoch replaces it
    assert dash.metrics["loss"] == [0.9, 0.4]


def test_nan_and_inf_stored_as_missing(caplog):
    dash = TrainingDashboard()
    dash.update(1, {"loss": float("nan")})
    dash.update(2, {"loss": float("inf")})
    dash.update(3, {"loss": 0.3})
    assert dash.metrics["loss"] == [None, None, 0.3]
    assert "not a finite number" in caplog.text
    s = dash.get_summary()["metrics"]["loss"]
    assert s["best"] == 0.3 and s["best_epoch"] == 3 and s["missing"] == 2


def test_save_and_load_history_contract(tmp_path):
    dash = TrainingDashboard(save_dir=tmp_path, run="tiny")
    _feed(dash)
    dash.update(5, {"loss": float("nan")})
    dash.update_batch(1, {"loss": 2.0})
    dash.update_batch(3, {"loss": 1.0})
    dash.update_batch(2, {"loss": 1.5, "learning_rate": 0.1})  # out of order: kept sorted
    path = dash.save_history()
    assert path == tmp_path / "training" / "training_history.json"
    data = json.loads(path.read_text())
    assert data["format"] == HISTORY_FORMAT and data["version"] == 1 and data["run"] == "tiny"
    assert set(data) == {
        "format",
        "version",
        "created",
        "updated",
        "run",
        "epochs",
        "metrics",
        "batches",
        "lr",
    }
    assert data["epochs"] == [1, 2, 3, 4, 5]
    assert data["metrics"]["loss"][-1] is None
    assert all(len(v) == 5 for v in data["metrics"].values()) and len(data["lr"]) == 5
    assert data["batches"]["step"] == [1, 2, 3]
    assert data["batches"]["metrics"]["loss"] == [2.0, 1.5, 1.0]
    assert data["batches"]["metrics"]["lr"] == [None, 0.1, None]
    loaded = TrainingDashboard.load_history(path)
    assert loaded.history_.to_dict() == dash.history_.to_dict()
    assert read_history(path)["epochs"] == data["epochs"]


def test_autosave_every_epoch(tmp_path):
    dash = TrainingDashboard(save_dir=tmp_path)
    dash.update(1, {"loss": 1.0})
    path = tmp_path / "training" / "training_history.json"
    assert json.loads(path.read_text())["epochs"] == [1]
    dash.update(2, {"loss": 0.5})
    assert json.loads(path.read_text())["epochs"] == [1, 2]


def test_load_history_rejects_other_files(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"loss": [1, 2]}))
    with pytest.raises(DataError, match="not a spacekit training history"):
        TrainingDashboard.load_history(bad)
    with pytest.raises(InputError, match="does not exist"):
        read_history(tmp_path / "missing.json")
    bad.write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        read_history(bad)
    good = TrainingHistory()
    good.add_epoch(1, {"loss": 1})
    d = good.to_dict()
    d["metrics"]["loss"].append(3.0)
    with pytest.raises(DataError, match="one value per epoch"):
        TrainingHistory.from_dict(d)


def test_save_history_without_dir_needs_path(tmp_path):
    dash = TrainingDashboard()
    _feed(dash, 2)
    with pytest.raises(InputError, match="needs a path"):
        dash.save_history()
    assert dash.save_history(tmp_path / "h.json").is_file()


def test_summary_best_epochs_and_text(capsys):
    dash = TrainingDashboard(run="r1")
    _feed(dash)
    s = dash.get_summary()
    assert s["epochs"] == 4 and s["first_epoch"] == 1 and s["last_epoch"] == 4
    assert s["metrics"]["loss"]["best_epoch"] == 4 and s["metrics"]["loss"]["goal"] == "min"
    assert s["metrics"]["accuracy"]["best_epoch"] == 4
    assert s["metrics"]["accuracy"]["goal"] == "max"
    assert math.isclose(s["metrics"]["loss"]["max"], 1.0)
    assert s["lr_last"] == pytest.approx(0.0025)
    assert s["duration_s"] is not None
    text = dash.print_summary()
    assert "val_loss" in capsys.readouterr().out and "r1" in text


def test_plot_all_metrics_writes_tree(tmp_path):
    dash = TrainingDashboard(save_dir=tmp_path, interactive=True)
    _feed(dash)
    for s in range(1, 30):
        dash.update_batch(s, {"loss": 1.0 / s})
    fig = dash.plot_all_metrics()
    folder = output_dir(tmp_path, "training")
    assert (folder / "all_metrics.png").stat().st_size > 10_000
    html = (folder / "all_metrics.html").read_text()
    assert "<script src=" not in html  # plotly.js embedded, no CDN
    assert (folder / "batches.png").is_file()
    # loss+val_loss share a panel; accuracy; learning rate
    assert len(fig.axes) == 3


def test_plotly_backend_and_metrics_to_plot(tmp_path):
    dash = TrainingDashboard(save_dir=tmp_path, backend="plotly", metrics_to_plot=["accuracy"])
    _feed(dash)
    fig = dash.plot_all_metrics()
    names = {t.name for t in fig.data}
    assert "accuracy" in names and "loss" not in names
    assert (tmp_path / "training" / "all_metrics.html").is_file()


def test_real_time_headless_writes_figure_every_interval(tmp_path):
    dash = TrainingDashboard(save_dir=tmp_path, real_time=True, update_interval=2)
    target = tmp_path / "training" / "all_metrics.png"
    dash.update(1, {"loss": 1.0})
    assert not target.exists()
    dash.update(2, {"loss": 0.5})
    assert target.is_file()


def test_empty_history_figure_does_not_fail():
    fig = TrainingDashboard().plot_all_metrics()
    assert fig.axes[0].texts[0].get_text().startswith("No metrics")
    pfig = make_history_figure([], {}, backend="plotly")
    assert pfig.layout.annotations


def test_invalid_arguments():
    with pytest.raises(InputError, match="backend"):
        TrainingDashboard(backend="bokeh")
    with pytest.raises(InputError, match="update_interval"):
        TrainingDashboard(update_interval=0)
    with pytest.raises(InputError, match="aligned"):
        make_history_figure([1, 2], {"loss": [1.0]})


def test_metric_grouping_and_direction():
    panels = group_metrics(["accuracy", "val_accuracy", "loss", "val_loss", "mae"])
    assert panels[0] == ("loss", ["loss", "val_loss"])
    assert ("accuracy", ["accuracy", "val_accuracy"]) in panels
    assert lower_is_better("val_mae") and not lower_is_better("auc")


def test_real_time_in_jupyter_updates_one_output(monkeypatch, tmp_path):
    import sys
    import types

    from spacekit.visualization import _export

    calls = []

    class Handle:
        def update(self, obj, raw=False):
            calls.append("update")

    def display(obj, display_id=False, raw=False):
        calls.append("display")
        return Handle()

    fake = types.ModuleType("IPython.display")
    fake.display = display
    fake.Image = lambda data, format: data
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    monkeypatch.setattr(_export, "in_notebook", lambda: True)
    dash = TrainingDashboard(save_dir=tmp_path, real_time=True, backend="plotly")
    for e in range(1, 4):
        dash.update(e, {"loss": 1 / e})
    assert calls == ["display", "update", "update"]
    assert not (tmp_path / "training" / "all_metrics.html").exists()  # shown, not written


def test_load_history_on_instance_keeps_settings(tmp_path):
    src = TrainingDashboard()
    _feed(src, 3)
    path = src.save_history(tmp_path / "h.json")
    dash = TrainingDashboard(save_dir=tmp_path / "viz", backend="plotly")
    assert dash.load_history(path) is dash
    assert dash.epochs == [1, 2, 3] and dash.backend == "plotly"
    with pytest.raises(InputError, match="Unexpected arguments"):
        dash.load_history(path, backend="matplotlib")
    fresh = TrainingDashboard.load_history(path, backend="plotly")
    assert fresh is not dash and fresh.metrics == dash.metrics


def test_loaded_history_does_not_keep_the_old_duration(tmp_path):
    src = TrainingDashboard()
    _feed(src, 3)
    path = src.save_history(tmp_path / "h.json")
    dash = TrainingDashboard()
    dash.update(1, {"loss": 1.0})
    dash.update(2, {"loss": 0.5})
    assert dash.get_summary()["duration_s"] is not None
    dash.load_history(path)  # used to report the duration of the replaced session
    assert dash.get_summary()["duration_s"] is None


def test_one_history_reader_with_both_hardenings(tmp_path, monkeypatch):
    from spacekit.visualization import server, training_history

    assert server.read_history is training_history.read_history
    assert server.history.read_history is training_history.read_history
    path = tmp_path / "h.json"
    head = '{"format": "spacekit-training-history", "version": 1, "epochs": [1], '
    # malformed series: a DataError naming the file, through every way of reading it
    path.write_text(head + '"metrics": [1.0]}')
    for read in (server.read_history, TrainingHistory.load, TrainingHistory.from_any):
        with pytest.raises(DataError, match=rf"{path}.* is malformed"):
            read(path)
    path.write_text(head + '"metrics": {"loss": [0.5]}, "batches": {"step": ["x"]}}')
    with pytest.raises(DataError, match="is malformed"):
        server.read_history(path)
    # the size limit holds for every reader too
    path.write_text(head + '"metrics": {"loss": [0.5]}}')
    assert server.read_history(path)["lr"] == [None]  # normalised
    monkeypatch.setattr(training_history, "MAX_HISTORY_BYTES", 20)
    for read in (server.read_history, TrainingHistory.load):
        with pytest.raises(DataError, match=r"is \d+ bytes; at most 20 are read"):
            read(path)
