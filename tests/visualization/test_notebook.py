"""Execute ``examples/notebooks/visualization_tour.ipynb`` in a real Jupyter kernel."""

from pathlib import Path

import pytest

NOTEBOOK = (
    Path(__file__).resolve().parents[2] / "examples" / "notebooks" / "visualization_tour.ipynb"
)


def _texts(cell):
    out = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            out.append(output["text"])
        elif "data" in output and "text/plain" in output["data"]:
            out.append(output["data"]["text/plain"])
    return "".join(out)


@pytest.mark.slow
def test_visualization_tour_runs(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("keras")
    assert NOTEBOOK.is_file(), f"{NOTEBOOK} is part of the repository"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code = [c for c in nb.cells if c.cell_type == "code"]
    # The dashboard cell shows ONE inline figure, updated in place, and a summary.
    fit_cell = next(c for c in code if "DashboardCallback(dashboard" in c.source)
    images = [o for o in fit_cell.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    assert "val_loss" in _texts(fit_cell)
    # RealTimePlot kept 40 points per series in one output.
    rt_cell = next(c for c in code if "RealTimePlot(" in c.source)
    assert "'signal': 40" in _texts(rt_cell)
    assert len([o for o in rt_cell.outputs if "image/png" in o.get("data", {})]) == 1
    # The server started, followed the history (5 epochs), took a POST, and stopped.
    server_cell = next(c for c in code if "DashboardServer()" in c.source)
    text = _texts(server_cell)
    assert "dashboard at http://127.0.0.1:" in text
    assert "201" in text and "latest epoch: 5" in text
    stop_cell = next(c for c in code if "server.stop()" in c.source)
    assert "running: False" in _texts(stop_cell)
    assert "report.html" in _texts(code[-1])
    assert list(tmp_path.iterdir()) == []  # nothing written to the working directory
