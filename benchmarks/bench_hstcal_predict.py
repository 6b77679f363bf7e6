"""Benchmark HST calibration resource prediction (memory bin, memory, wallclock).

Measures, on simulated jobs (``spacekit.datasets.hstcal.simulate_hstcal``):

* the whole process ``python -m spacekit.skopes.hst.cal.predict FILE`` for one dataset
  (interpreter start-up, imports, archive load, prediction): median wall time and peak
  resident memory, as ratios to spacekit 1.1.4's 10.8 s and 744 MB (issue #13);
* in-process latency per dataset for a batch of 10,000 rows: ``predict_batch`` on a
  DataFrame of raw values, and the same from a CSV file (read included);
* ``lambda_handler``: the first (cold) call of a process, then warm calls (median), for a
  local features file.

Usage::

    python benchmarks/bench_hstcal_predict.py [--repeats 5] [--rows 10000] [--model-path ZIP]

Without ``--model-path`` the packaged archive is used (else ``../shared``'s 1.1.4
``hst_cal.zip``). Scratch files go to a temporary folder, never the current directory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: spacekit 1.1.4, one dataset as a process (issue #13).
BASELINE_SECONDS = 10.8
BASELINE_MB = 744.0


def pick_archive(user: str | None) -> str:
    if user:
        # the timed processes run in a scratch folder: make a relative path absolute
        return str(Path(user).expanduser().resolve()) if Path(user).expanduser().exists() else user
    from spacekit.builder.archive import default_archive_path

    packaged = default_archive_path("hst_cal")
    if packaged.exists():
        return str(packaged)
    ref = REPO.parent / "shared" / "reference" / "spacekit-1.1.4" / "hst_cal.zip"
    if ref.exists():
        return str(ref)
    sys.exit("No hst_cal archive found: pass --model-path.")


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def whole_process(features_file: Path, archive: str, repeats: int) -> dict:
    """Median wall and CPU time (user + sys: robust on a shared machine), peak RSS."""
    cmd = [sys.executable, "-m", "spacekit.skopes.hst.cal.predict", str(features_file)]
    cmd += ["-m", archive]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    times, cpus, code = [], [], 0
    for _ in range(repeats):
        c0 = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir()
        )
        times.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
        code = proc.returncode
        if code != 0:
            sys.exit(f"the predict process failed (exit {code}):\n{proc.stderr[-2000:]}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "median_s": statistics.median(times),
        "cpu_s": statistics.median(cpus),
        "times": times,
        "peak_mib": peak_mib,
        "exit": code,
    }


def batch_latency(archive: str, rows: int, repeats: int, workdir: Path) -> dict:
    from spacekit.datasets.hstcal import simulate_hstcal
    from spacekit.skopes.hst.cal.estimate import HstCalModels, predict_batch
    from spacekit.skopes.hst.cal.predict import predict_inputs

    raw = simulate_hstcal(rows, seed=7)
    csv = workdir / "jobs.csv"
    raw.to_csv(csv, index_label="ipst")
    models = HstCalModels.from_archive(archive)
    predict_batch(raw.iloc[:100], models)  # warm-up
    frame_times, csv_times = [], []
    for _ in range(repeats):
        t0 = time.process_time()
        preds, skipped = predict_batch(raw, models)
        frame_times.append(time.process_time() - t0)
        t0 = time.process_time()
        predict_inputs(str(csv), model_path=archive, progress=False)
        csv_times.append(time.process_time() - t0)
    assert len(preds) + len(skipped) == rows
    return {
        "rows": rows,
        "frame_ms_per_dataset": 1e3 * statistics.median(frame_times) / rows,
        "csv_ms_per_dataset": 1e3 * statistics.median(csv_times) / rows,
    }


def lambda_calls(archive: str, features_file: Path, repeats: int) -> dict:
    """Cold and warm ``lambda_handler`` calls in a fresh process (for a true cold start)."""
    code = f"""
import os, statistics, time
os.environ["MODEL_PATH"] = {archive!r}
t0 = time.perf_counter()
from spacekit.skopes.hst.cal.predict import lambda_handler
t_import = time.perf_counter() - t0
event = {{"Dataset": {features_file.name.split("_")[0]!r}, "Key": {str(features_file)!r}}}
t0 = time.process_time(); lambda_handler(event, None); cold = time.process_time() - t0
warm = []
for _ in range({max(repeats, 5) * 20}):
    t0 = time.process_time(); lambda_handler(event, None); warm.append(time.process_time() - t0)
print(t_import, cold, statistics.median(warm))
"""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    t_import, cold, warm = (float(v) for v in out)
    return {"import_s": t_import, "cold_ms": 1e3 * cold, "warm_ms": 1e3 * warm}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--model-path", default=None)
    args = ap.parse_args()
    archive = pick_archive(args.model_path)
    print(f"archive: {archive}")
    from spacekit.datasets.hstcal import simulate_hstcal, write_features_files

    with tempfile.TemporaryDirectory(prefix="bench-hstcal-") as tmp:
        work = Path(tmp)
        one = write_features_files(simulate_hstcal(1, seed=3), work / "one")[0]

        r = whole_process(one, archive, args.repeats)
        print(
            f"whole process, 1 dataset: median wall {r['median_s']:.2f} s "
            f"({', '.join(f'{t:.2f}' for t in r['times'])}), CPU {r['cpu_s']:.2f} s, "
            f"peak RSS {r['peak_mib']:.0f} MiB, exit {r['exit']}"
        )
        print(
            f"  vs spacekit 1.1.4 ({BASELINE_SECONDS} s, {BASELINE_MB:.0f} MB): "
            f"{BASELINE_SECONDS / r['median_s']:.1f}x faster by wall time, "
            f"{BASELINE_SECONDS / r['cpu_s']:.1f}x by CPU time, "
            f"{r['peak_mib'] * 1.048576 / BASELINE_MB:.2f} of the memory "
            "(aim: under 1.5 s and 150 MB)"
        )

        b = batch_latency(archive, args.rows, args.repeats, work)
        print(
            f"batch of {b['rows']:,} rows (CPU time): {b['frame_ms_per_dataset']:.4f} ms per "
            f"dataset (DataFrame in memory), {b['csv_ms_per_dataset']:.4f} ms (CSV read "
            "included); aim: under 0.05 ms"
        )

        lam = lambda_calls(archive, one, args.repeats)
        print(
            f"lambda_handler (CPU time): import {lam['import_s']:.2f} s (wall), cold call "
            f"{lam['cold_ms']:.1f} ms, "
            f"warm call {lam['warm_ms']:.2f} ms (median; "
            f"{lam['cold_ms'] / lam['warm_ms']:.0f}x faster than the cold call)"
        )


if __name__ == "__main__":
    main()
