"""``spacekit viz serve`` and ``spacekit viz report``."""

import json
import re
import signal
import subprocess
import sys
import urllib.request

import pytest
from click.testing import CliRunner

from spacekit.cli import main
from spacekit.visualization.training_history import TrainingHistory


@pytest.fixture
def history_file(tmp_path):
    hist = TrainingHistory(run="cli-run")
    for epoch in range(1, 5):
        hist.add_epoch(
            epoch,
            {"loss": 1.0 / epoch, "val_loss": 1.3 / epoch, "accuracy": 0.5 + epoch / 10},
            lr=0.01 / epoch,
        )
    for step in range(1, 21):
        hist.add_batch(step, {"loss": 2.0 / step})
    return hist.save(tmp_path / "history.json")


def test_report_writes_self_contained_html(history_file, tmp_path):
    out = tmp_path / "reports" / "report.html"
    result = CliRunner().invoke(main, ["viz", "report", str(history_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    page = out.read_text()
    assert "Training report: cli-run" in page
    assert "val_loss" in page and "accuracy" in page
    assert "<script src=" not in page  # nothing loaded from the network
    assert page.count("Plotly.newPlot") == 2  # epochs and batches
    assert len(page) > 1_000_000  # plotly.js embedded
    # The summary table holds the best epoch of val_loss (the last one).
    row = re.search(r"<td>val_loss</td><td>([^<]+)</td><td>([^<]+)</td><td>(\d+)</td>", page)
    assert row and float(row.group(1)) == pytest.approx(1.3 / 4) and row.group(3) == "4"
    assert not list(out.parent.glob(".*part*"))  # atomic write left no temporary file


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "not found"),
        ("{ nope", "not valid JSON"),
        ('{"format": "other"}', "not a spacekit training history"),
        (
            '{"format": "spacekit-training-history", "version": 1, "epochs": [1, 2], '
            '"metrics": {"loss": [1.0]}}',
            "one value per epoch",
        ),
    ],
)
@pytest.mark.parametrize("command", ["report", "serve"])
def test_clear_errors_for_bad_history(tmp_path, content, fragment, command):
    path = tmp_path / "h.json"
    if content is not None:
        path.write_text(content)
    args = ["viz", command, str(path)]
    args += ["-o", str(tmp_path / "r.html")] if command == "report" else ["--port", "0"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and fragment in result.output
    assert not (tmp_path / "r.html").exists()


def test_serve_short_run(history_file):
    result = CliRunner().invoke(
        main, ["viz", "serve", str(history_file), "--port", "0", "--duration", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"at http://127\.0\.0\.1:\d+/", result.output)
    assert "Server stopped." in result.output


def test_serve_ctrl_c_stops_cleanly(history_file, monkeypatch):
    def interrupt(_seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("spacekit.cli.viz.time.sleep", interrupt)
    result = CliRunner().invoke(main, ["viz", "serve", str(history_file), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Stopping." in result.output and "Server stopped." in result.output


def test_serve_wait_for_missing_file(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "viz",
            "serve",
            str(tmp_path / "later.json"),
            "--port",
            "0",
            "--wait",
            "--duration",
            "0.2",
        ],
    )
    assert result.exit_code == 0, result.output


def test_serve_in_a_process_without_terminal(history_file):
    """The real command, stdin not a TTY: it serves the history and stops on SIGINT."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "spacekit", "viz", "serve", str(history_file), "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a suite started in the background by a shell without job control inherits an
        # ignored SIGINT, which Python then keeps: give the server the default handling
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/)", line).group(1)
        with urllib.request.urlopen(url + "api/history", timeout=5) as resp:
            records = json.loads(resp.read())["records"]
        assert [r["epoch"] for r in records if r["step"] is None] == [1, 2, 3, 4]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Server stopped." in out
