import types

import pytest

from spacekit.exceptions import DataError, InputError
from spacekit.visualization import (
    TrainingDashboard,
    create_interactive_dashboard,
    quick_plot_loss,
    quick_plot_metrics,
)

HIST = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, float("nan")], "accuracy": [0.5, 0.7, 0.8]}


def test_quick_plot_loss_from_dict_history_and_list(tmp_path):
    fig = quick_plot_loss(HIST, tmp_path / "loss.png")
    assert (tmp_path / "loss.png").stat().st_size > 5000
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert "loss" in labels and "val_loss" in labels
    keras_like = types.SimpleNamespace(history=HIST, epoch=[0, 1, 2])
    fig = quick_plot_loss(keras_like)
    assert list(fig.axes[0].lines[0].get_xdata()) == [1, 2, 3]
    fig = quick_plot_loss([3, 2, 1], val_loss=[4, 3, 2], backend="plotly")
    assert {t.name for t in fig.data} >= {"loss", "val_loss"}


def test_quick_plot_loss_needs_loss():
    with pytest.raises(DataError, match="no 'loss'"):
        quick_plot_loss({"accuracy": [0.1, 0.2]})
    with pytest.raises(InputError, match="Cannot read a training history"):
        quick_plot_loss(42)


def test_quick_plot_metrics_selection_and_empty(tmp_path):
    fig = quick_plot_metrics(HIST, metrics=["accuracy"], save_path=tmp_path / "m.html")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "accuracy"
    assert "<script src=" not in (tmp_path / "m.html").read_text()
    empty = quick_plot_metrics({})  # fishstick divided by zero here
    assert empty.axes[0].texts


def test_quick_from_dashboard_and_history_file(tmp_path):
    dash = TrainingDashboard(save_dir=tmp_path)
    for e in range(1, 4):
        dash.update(e, {"loss": 1 / e, "mae": 2 / e}, lr=0.1)
    fig = quick_plot_metrics(dash)
    assert len(fig.axes) == 3  # loss, mae, learning rate
    path = dash.save_history()
    fig = quick_plot_metrics(path, backend="plotly")
    assert any(t.name == "mae" for t in fig.data)


def test_create_interactive_dashboard_is_self_contained(tmp_path):
    dash = TrainingDashboard(run="demo")
    for e in range(1, 4):
        dash.update(e, {"loss": 1 / e, "val_loss": 1.5 / e})
    for s in range(1, 50):
        dash.update_batch(s, {"loss": 1 / s})
    out = create_interactive_dashboard(dash, tmp_path / "sub" / "dash.html")
    text = out.read_text()
    assert "<script src=" not in text
    assert text.count("Plotly.newPlot") == 2  # epoch and batch figures
    assert "<title>demo</title>" in text and "best epoch" in text
    assert len(text) > 1_000_000  # plotly.js is embedded


def test_export_helpers(tmp_path):
    from spacekit.analyzer.figures import figure_to_html, save_figure
    from spacekit.visualization._export import output_dir

    assert output_dir(None, "training") is None
    assert output_dir(tmp_path, "layers") == tmp_path / "layers" and (tmp_path / "layers").is_dir()
    with pytest.raises(InputError, match="Unknown output kind"):
        output_dir(tmp_path, "misc")
    mfig = quick_plot_loss(HIST)
    pfig = quick_plot_loss(HIST, backend="plotly")
    with pytest.raises(InputError, match="Unsupported figure suffix"):
        save_figure(mfig, tmp_path / "x.gif")
    with pytest.raises(InputError, match="JSON export needs a plotly figure"):
        save_figure(mfig, tmp_path / "x.json")
    assert save_figure(mfig, tmp_path / "x.svg").read_text().lstrip().startswith("<?xml")
    assert save_figure(pfig, tmp_path / "x.json").stat().st_size > 100
    html = figure_to_html(mfig)
    assert "data:image/png;base64," in html and "<script" not in html
    with pytest.raises(InputError, match="matplotlib or plotly"):
        figure_to_html(object())
    try:
        import kaleido  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match="Static export of a plotly figure"):
            save_figure(pfig, tmp_path / "p.png")
        assert not (tmp_path / "p.png").exists()
