import sys
import types

import numpy as np
import pytest

from spacekit.exceptions import InputError
from spacekit.visualization import RealTimePlot, _export


def test_many_updates_keep_one_artist_per_series(tmp_path):
    plot = RealTimePlot(title="loss", xlabel="step", save_path=tmp_path / "live.png")
    plot.add_line("train", color="C0")
    plot.add_scatter("val")
    for step in range(40):
        plot.append("train", step, 1.0 / (step + 1))
        if step % 5 == 0:
            plot.append("val", step, 1.2 / (step + 1))
        if step % 10 == 9:
            plot.update()
    ax = plot.figure.axes[0]
    assert len(ax.lines) == 1 and len(ax.collections) == 1  # no duplicated lines
    assert len(ax.get_legend().get_texts()) == 2
    x, y = plot.series["train"]
    assert len(x) == 40 and y[0] == 1.0
    assert ax.get_xlim()[1] >= 39
    assert (tmp_path / "live.png").stat().st_size > 1000  # headless update writes the file


def test_nonfinite_values_are_gaps_and_max_points():
    plot = RealTimePlot(max_points=5)
    plot.append("a", np.arange(8), [1, 2, np.inf, 4, np.nan, 6, 7, 8])  # auto-created line
    x, y = plot.series["a"]
    assert x.tolist() == [3, 4, 5, 6, 7]
    assert np.isnan(y[1]) and y[-1] == 8
    plot.update()


def test_plotly_backend_updates_traces_in_place(tmp_path):
    plot = RealTimePlot(backend="plotly", title="acc")
    plot.add_line("a", [0, 1], [0.1, 0.2])
    plot.update()
    plot.append("a", 2, 0.3)
    plot.add_scatter("b", y=[0.5, 0.6])
    plot.update()
    fig = plot.figure
    assert len(fig.data) == 2
    assert list(fig.data[0].y) == [0.1, 0.2, 0.3]
    assert fig.data[1].mode == "markers" and list(fig.data[1].x) == [0, 1]
    out = plot.save(tmp_path / "rt.html")
    assert "<script src=" not in out.read_text()
    assert plot.save(tmp_path / "rt.json").is_file()


def test_clear_and_errors(tmp_path):
    plot = RealTimePlot()
    plot.add_line("a", [0, 1], [1, 2])
    plot.update()
    with pytest.raises(InputError, match="already exists"):
        plot.add_line("a")
    with pytest.raises(InputError, match="x has 2 values"):
        plot.append("a", [1, 2], [1])
    plot.clear()
    assert plot.series == {}
    plot.add_line("b", [0], [1])
    assert len(plot.figure.axes[0].lines) == 1
    assert plot.save(tmp_path / "x.png").is_file()
    with pytest.raises(InputError, match="backend"):
        RealTimePlot(backend="bokeh")


def test_jupyter_updates_one_display_in_place(monkeypatch):
    calls = []

    class Handle:
        def update(self, obj, raw=False):
            calls.append(("update", obj))

    def display(obj, display_id=False, raw=False):
        calls.append(("display", obj))
        return Handle()

    monkeypatch.setattr(_export, "in_notebook", lambda: True)
    fake = types.ModuleType("IPython.display")
    fake.display = display
    fake.Image = lambda data, format: ("image", len(data))
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    plot = RealTimePlot()
    for i in range(3):
        plot.append("a", i, i)
        plot.update()
    assert [c[0] for c in calls] == ["display", "update", "update"]
    assert calls[0][1][0] == "image"


def test_matplotlib_style_keywords_work_with_plotly():
    plot = RealTimePlot(backend="plotly")
    plot.add_line("a", [0, 1], [1, 2], color="red", lw=3, ls="--")
    plot.add_scatter("b", [0], [1], color="blue", s=9, alpha=0.5)
    fig = plot.figure
    assert fig.data[0].line.color == "red" and fig.data[0].line.width == 3
    assert fig.data[0].line.dash == "dash"
    assert fig.data[1].marker.color == "blue" and fig.data[1].opacity == 0.5


@pytest.mark.slow
def test_real_jupyter_kernel_keeps_one_output_per_plot():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    code = """
from spacekit.visualization import RealTimePlot, TrainingDashboard
p = RealTimePlot(title='x')
for i in range(5):
    p.append('a', i, i * i)
    p.update()
d = TrainingDashboard(real_time=True, backend='plotly')
for e in range(1, 4):
    d.update(e, {'loss': 1 / e})
"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "display_data"]
    assert "image/png" in outputs[0].data
    fig = outputs[1].data["application/vnd.plotly.v1+json"]
    assert list(fig["data"][0]["y"]) == [1.0, 0.5, 1 / 3]  # the last update, in place
