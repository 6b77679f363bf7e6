"""spacekit._distributed without a cluster: local runs, failures, addresses, missing extra.

The runs on a real Dask cluster are in ``tests/skopes/test_scaleout.py``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from spacekit import OptionalDependencyError
from spacekit._distributed import (
    ADDRESS_ENV,
    PathSpelling,
    Task,
    connect,
    resolve_address,
    run_tasks,
)
from spacekit.cli import main as cli_main
from spacekit.exceptions import InputError

TASKS = [Task("a", ("1",)), Task("b", ("x",)), Task("c", ("3",)), Task("d", ("",))]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_local_runs_report_failed_inputs_and_keep_the_rest(n_jobs):
    res = run_tasks(int, TASKS, n_jobs=n_jobs, progress=False)
    assert res.results == {"a": 1, "c": 3}
    assert list(res.results) == ["a", "c"]  # submission order, whatever finished first
    assert res.failed == [
        ("b", "ValueError: invalid literal for int() with base 10: 'x'"),
        ("d", "ValueError: invalid literal for int() with base 10: ''"),
    ]


def test_task_keys_must_be_unique():
    with pytest.raises(ValueError, match="unique task keys"):
        run_tasks(int, [Task("a", ("1",)), Task("a", ("2",))], progress=False)


def test_address_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv(ADDRESS_ENV, raising=False)
    assert resolve_address(None) is None
    assert resolve_address(" tcp://h:1 ") == "tcp://h:1"
    monkeypatch.setenv(ADDRESS_ENV, "tcp://env:8786")
    assert resolve_address(None) == "tcp://env:8786"
    assert resolve_address("tcp://h:1") == "tcp://h:1"


def test_connect_without_an_address_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv(ADDRESS_ENV, raising=False)
    with pytest.raises(InputError, match=ADDRESS_ENV):
        connect(None)


def test_unreachable_scheduler_is_an_input_error():
    with pytest.raises(InputError, match=r"Cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        connect("tcp://127.0.0.1:9", timeout=1)


@pytest.mark.parametrize("module", ["distributed", "dask"])
def test_missing_distributed_names_the_extra(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    if module == "dask":
        monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "spacekit\[distributed\]"') as info:
        run_tasks(int, TASKS, client="tcp://127.0.0.1:9", progress=False)
    assert isinstance(info.value, OptionalDependencyError)
    assert "for running on a Dask cluster" in str(info.value)


def test_imports_never_touch_dask():
    code = (
        "import sys, spacekit, spacekit._distributed, spacekit.skopes.hst.svm.prep, "
        "spacekit.skopes.jwst.cal.batch, spacekit.skopes.jwst.cal.predict, spacekit.cli.svm, "
        "spacekit.cli.jwst, spacekit.skopes.hst.cal.batch, spacekit.skopes.hst.cal.predict, "
        "spacekit.cli.hstcal\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scheduler", "processes", "--dask-address", "tcp://h:1"], "needs --scheduler dask"),
        (["--scheduler", "dask"], f"--dask-address tcp://HOST:PORT or {ADDRESS_ENV}"),
    ],
)
@pytest.mark.parametrize("command", [["svm", "prep"], ["jwst", "predict"], ["hstcal", "predict"]])
def test_cli_scheduler_usage_errors(tmp_path, monkeypatch, command, args, message):
    monkeypatch.delenv(ADDRESS_ENV, raising=False)
    res = CliRunner().invoke(cli_main, [*command, str(tmp_path), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output


def test_cli_unreachable_scheduler_is_one_error_line(tmp_path, monkeypatch):
    monkeypatch.setattr("spacekit._distributed.CONNECT_TIMEOUT", 1)
    res = CliRunner().invoke(
        cli_main, ["svm", "prep", str(tmp_path), "--dask-address", "tcp://127.0.0.1:9"]
    )
    assert res.exit_code == 1
    assert "Error: Cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in res.output
    assert "Traceback" not in res.output


def test_path_spelling_maps_absolute_paths_back_to_the_relative_ones_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    here = str(tmp_path)
    sp = PathSpelling("data", "../out", None, "/abs/root")
    assert sp.absolute("data/v1") == f"{here}/data/v1"
    result = {
        "skipped": [(f"{here}/data/v1/a.json", f"no drizzle in '{here}/data/v1'")],
        "images": {"p": [f"{here}/../out/img/p.png"]},
        "other": (f"{here}/data", f"{here}/dataset/x", f"{here}/data-2", 3),
    }
    assert sp.given(result) == {
        "skipped": [("data/v1/a.json", "no drizzle in 'data/v1'")],
        "images": {"p": ["../out/img/p.png"]},
        "other": ("data", f"{here}/dataset/x", f"{here}/data-2", 3),
    }
    dot = PathSpelling(".")
    assert dot.given(f"{here}/v1 and {here}") == "v1 and ."
    assert not PathSpelling("/abs", None) and PathSpelling("/abs").given("/abs/x") == "/abs/x"


def test_hstcal_bucket_is_one_dataset_not_a_cluster_run():
    res = CliRunner().invoke(
        cli_main, ["hstcal", "predict", "j8zs05020", "-b", "bkt", "--dask-address", "tcp://h:1"]
    )
    assert res.exit_code == 2, res.output
    assert "--bucket reads one dataset" in res.output
