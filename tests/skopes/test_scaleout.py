"""SVM prep and JWST predict on a real Dask cluster give the single-machine outputs.

One ``distributed.LocalCluster`` (2 worker processes) serves the whole module: outputs
equal to a local run byte for byte (after sorting), a failing input reported as a skip,
and a worker killed mid-run without losing the run.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from spacekit.cli import main as cli_main
from spacekit.datasets import get_sample_path
from spacekit.exceptions import SkippedInputWarning
from spacekit.skopes.hst.svm.prep import prep_svm
from spacekit.skopes.jwst.cal.predict import JwstCalPredict

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken on a shared host
            silence_logs=logging.ERROR,
        ) as cl,
        distributed.Client(cl, set_as_default=False) as client,
    ):
        yield cl, client


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".h5"
    }


def _sorted_lines(data: bytes) -> list[bytes]:
    return sorted(data.splitlines())


def _svm_outputs_equal(a: Path, b: Path) -> None:
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    for name in fa:
        assert _sorted_lines(fa[name]) == _sorted_lines(fb[name]), name
    from spacekit.extractor.table_h5 import read_table_h5

    pd.testing.assert_frame_equal(
        read_table_h5(a / "svm_data.h5").sort_index(), read_table_h5(b / "svm_data.h5").sort_index()
    )


def _prep(sample, out, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedInputWarning)
        return prep_svm(sample, out, labels=sample / "labels.csv", progress=False, **kw)


@pytest.fixture(scope="module")
def svm_sample(tmp_path_factory):
    return shutil.copytree(get_sample_path("svm"), tmp_path_factory.mktemp("svm") / "svm")


def test_svm_prep_on_the_cluster_equals_a_local_run(cluster, svm_sample, tmp_path):
    _, client = cluster
    local = _prep(svm_sample, tmp_path / "local")
    dask = _prep(svm_sample, tmp_path / "dask", client=client)
    _svm_outputs_equal(tmp_path / "local", tmp_path / "dask")
    assert len(local.data) == 6 and local.skipped == dask.skipped == []


def test_a_failing_visit_is_retried_then_reported_like_a_local_run(cluster, svm_sample, tmp_path):
    _, client = cluster
    local_probe = _prep(svm_sample, tmp_path / "probe", draw=False)
    victim = sorted(local_probe.data.index)[2]
    visit = next(p for p in sorted(svm_sample.iterdir()) if victim.endswith(p.name))
    runs = {}
    for name, kw in (("local", {}), ("dask", {"client": client})):
        out = tmp_path / name
        (out / "img").mkdir(parents=True)
        (out / "img" / victim).write_text("not a folder")  # its frames cannot be written
        runs[name] = _prep(svm_sample, out, **kw)
        (out / "img" / victim).unlink()
    failures = [
        msg
        for logs in client.get_worker_logs().values()
        for _, msg in logs
        if "Compute Failed" in msg and "FileExistsError" in msg
    ]
    keys = {line for msg in failures for line in msg.splitlines() if line.startswith("Key:")}
    assert len(failures) == 2 and len(keys) == 1  # tried, retried once, then reported
    for res in runs.values():
        assert victim not in res.data.index and len(res.data) == 5
        [(item, reason)] = res.skipped
        assert item == str(visit)
        assert reason.startswith("FileExistsError: ") and victim in reason
    reasons = [r.skipped[0][1].replace(str(tmp_path / n), "OUT") for n, r in runs.items()]
    assert reasons[0] == reasons[1]
    _svm_outputs_equal(tmp_path / "local", tmp_path / "dask")


def test_svm_cli_with_a_dask_address_and_relative_paths(cluster, svm_sample, tmp_path, monkeypatch):
    cl, _ = cluster
    # the workers run elsewhere (another working directory): relative paths must still work
    monkeypatch.chdir(svm_sample.parent)
    out = Path(os.path.relpath(tmp_path, svm_sample.parent))
    args = ["svm", "prep", "svm", "--no-draw", "--no-progress"]
    local = CliRunner().invoke(cli_main, [*args, "-o", str(out / "a")])
    dask = CliRunner().invoke(
        cli_main, [*args, "-o", str(out / "b"), "--dask-address", cl.scheduler_address]
    )
    assert local.exit_code == dask.exit_code == 0, dask.output
    assert f"{out / 'b' / 'svm_data.csv'}" in dask.output
    assert dask.output.replace(str(out / "b"), "OUT") == local.output.replace(str(out / "a"), "OUT")
    assert (tmp_path / "a" / "svm_data.csv").read_bytes() == (
        tmp_path / "b" / "svm_data.csv"
    ).read_bytes()


@pytest.fixture
def jwst_tree(tmp_path, uncal_writer):
    """Five programs in two folders, an unreadable file and one whose name hides its program."""
    root = tmp_path / "tree"
    files = sorted((get_sample_path("jwst") / "uncal").glob("*_uncal.fits"))
    for f in files:
        sub = root / ("a" if f.name < "jw07000" else "b")
        sub.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, sub / f.name)
    (root / "a" / "jw06817099001_02101_00001_nrcb1_uncal.fits").write_bytes(b"SIMPLE  = T" * 3)
    # a copy of a jw07487 exposure under another program's name: grouped with jw07487
    src = next(f for f in files if f.name.startswith("jw07487"))
    shutil.copy(src, root / "b" / f"jw09999{src.name[7:]}")
    # target X is a moving target of jw01111, so jw02732's fixed exposure of X is named by
    # 1.1.4's global target-name table: jw02732 alone would be named differently
    fixed = dict(PROGRAM="02732", OBSERVTN="001", VISITYPE="PRIME_TARGETED_FIXED")
    for name, primary in (
        ("jw02732001001_02101_00001_nrcb1", dict(fixed, TARGNAME="X", TARG_RA=20.0)),
        ("jw02732001001_02101_00002_nrcb1", dict(fixed, TARGNAME="Y", TARG_RA=10.0)),
        (
            "jw01111001001_02101_00001_nrcb1",
            dict(PROGRAM="01111", VISITYPE="PRIME_TARGETED_MOVING", TARGNAME="X", TARG_RA=5.0),
        ),
    ):
        uncal_writer(root / "a" / f"{name}_uncal.fits", primary=primary)
    return root


def _jwst_json(runner_args, out: Path) -> dict:
    res = CliRunner().invoke(cli_main, ["jwst", "predict", *runner_args, "--output", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


def test_jwst_predict_on_the_cluster_equals_a_local_run(cluster, jwst_tree, tmp_path, monkeypatch):
    cl, _ = cluster
    monkeypatch.chdir(jwst_tree.parent)  # a relative input path, as users type it
    base = [jwst_tree.name, "--no-progress"]
    local = _jwst_json(base, tmp_path / "local.json")
    dask = _jwst_json([*base, "--dask-address", cl.scheduler_address], tmp_path / "dask.json")
    assert len(local["predictions"]) == 12
    assert [s["input"] for s in local["skipped"] if "jw06817099001" in s["input"]] == [
        str(Path("tree", "a", "jw06817099001_02101_00001_nrcb1_uncal.fits"))
    ]
    assert dask["predictions"] == local["predictions"]
    key = lambda s: (s["input"], s["reason"])  # noqa: E731
    assert sorted(dask["skipped"], key=key) == sorted(local["skipped"], key=key)
    assert json.dumps(dask, sort_keys=True) == json.dumps(
        {**local, "skipped": dask["skipped"]}, sort_keys=True
    )


def test_jwst_python_api_takes_a_client_or_an_address(cluster, jwst_tree):
    cl, client = cluster
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedInputWarning)
        local = JwstCalPredict(jwst_tree, progress=False)
        local.run_inference()
        for c in (client, cl.scheduler_address):
            jp = JwstCalPredict(jwst_tree, progress=False, client=c)
            jp.run_inference()
            assert jp.results() == local.results()
            assert jp.products == local.products and jp.flags == local.flags
            assert sorted(jp.skipped) == sorted(local.skipped)
            for mode in ("IMAGE", "SPEC"):
                pd.testing.assert_frame_equal(jp.input_data[mode], local.input_data[mode])


def test_a_worker_killed_mid_run_loses_nothing(cluster, tmp_path):
    from spacekit.datasets.svm import simulate_svm

    _, client = cluster
    data = tmp_path / "sim"
    simulate_svm(data, n_visits=16, seed=3, image_size=128, progress=False)
    local = _prep(data, tmp_path / "local", size=256)
    pids = client.run(os.getpid)
    img = tmp_path / "dask" / "img"
    killed = {}

    def kill_when_started():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            if img.is_dir() and any(img.iterdir()):
                killed["done_before"] = sum(1 for _ in img.iterdir())
                os.kill(next(iter(pids.values())), signal.SIGKILL)
                return
            time.sleep(0.005)

    thread = threading.Thread(target=kill_when_started, daemon=True)
    thread.start()
    dask = _prep(data, tmp_path / "dask", size=256, client=client)
    thread.join(5)
    assert killed, "the run ended before a worker could be killed"
    assert killed["done_before"] < len(local.data)  # killed mid-run
    assert dask.skipped == local.skipped
    _svm_outputs_equal(tmp_path / "local", tmp_path / "dask")
    client.wait_for_workers(2, timeout=120)  # the nanny restarted it


# ------------------------------------------------------------------- HST cal predict
@pytest.fixture(scope="module")
def hstcal_csv(tmp_path_factory):
    """3000 simulated datasets, two of them unusable (unknown instrument, negative size).

    Enough rows that a float32 network output summed differently (several BLAS threads
    here, one on a worker) would show as a different rounded value.
    """
    from spacekit.datasets.hstcal import simulate_hstcal

    df = simulate_hstcal(n=3000, seed=5).astype({"total_mb": object})
    df.loc[df.index[7], "total_mb"] = "-3"
    unknown = "x" + df.index[100][1:]
    df = df.rename(index={df.index[100]: unknown})
    path = tmp_path_factory.mktemp("hstcal") / "datasets.csv"
    df.to_csv(path, index_label="ipst")
    return path, [df.index[7], unknown]


def _hstcal(args, out: Path):
    res = CliRunner().invoke(
        cli_main, ["hstcal", "predict", *args, "--chunk-size", "500", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    return res


def test_hstcal_predict_on_the_cluster_equals_a_local_run(cluster, hstcal_csv, tmp_path):
    cl, _ = cluster
    csv, bad = hstcal_csv
    base = [str(csv), "--no-progress"]
    dask = [*base, "--dask-address", cl.scheduler_address]
    a, b = tmp_path / "local.json", tmp_path / "dask.json"
    local_run, dask_run = _hstcal(base, a), _hstcal(dask, b)
    assert dask_run.output.replace(str(b), "OUT") == local_run.output.replace(str(a), "OUT")
    assert a.read_bytes() == b.read_bytes()  # predictions, skipped list and metadata
    doc = json.loads(b.read_text())
    assert len(doc["predictions"]) == 2998
    assert [s["input"] for s in doc["skipped"]] == bad  # in input order


class _Unreadable:
    """A value whose text cannot be read: encoding the chunk that holds it raises."""

    def __str__(self) -> str:
        raise ValueError("deliberately unreadable value")


def test_a_failing_hstcal_chunk_is_retried_then_reported_like_a_local_run(cluster):
    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.skopes.hst.cal.predict import predict_inputs

    _, client = cluster
    raw = simulate_hstcal(n=120, seed=6).astype(object)
    raw.loc[raw.index[45], "total_mb"] = _Unreadable()
    runs = {}
    for name, c in (("local", None), ("dask", client)):
        with pytest.warns(SkippedInputWarning, match=r"Skipped 40 dataset\(s\)"):
            runs[name] = predict_inputs(raw, chunk_size=40, progress=False, client=c)
    expected = [
        (d, "rows 41-80 failed: ValueError: deliberately unreadable value")
        for d in raw.index[40:80]
    ]
    for preds, skipped, _ in runs.values():
        assert skipped == expected
        assert list(preds.index) == [*raw.index[:40], *raw.index[80:]]
    pd.testing.assert_frame_equal(runs["local"][0], runs["dask"][0])
    failures = [
        msg
        for logs in client.get_worker_logs().values()
        for _, msg in logs
        if "Compute Failed" in msg and "deliberately unreadable" in msg
    ]
    keys = {line for msg in failures for line in msg.splitlines() if line.startswith("Key:")}
    assert len(failures) == 2 and len(keys) == 1  # tried, retried once, then reported


def test_hstcal_workers_that_cannot_load_the_archive_stop_the_run(cluster, monkeypatch, tmp_path):
    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.exceptions import InputError
    from spacekit.skopes.hst.cal import batch
    from spacekit.skopes.hst.cal.predict import predict_inputs

    _, client = cluster
    # as if --model-path were on a disk the workers do not see
    elsewhere = str(tmp_path / "not-shared" / "hst_cal.zip")
    monkeypatch.setattr(batch, "_worker_model_path", lambda models, path: elsewhere)
    with pytest.raises(
        InputError, match="The Dask workers cannot load the hst_cal archive"
    ) as info:
        predict_inputs(simulate_hstcal(n=5, seed=1), client=client, progress=False)
    assert elsewhere in str(info.value) and "file system the workers share" in str(info.value)
