"""Benchmark SVM prep (and prep + predict) on simulated visits: wall time and peak memory.

Usage::

    python benchmarks/bench_svm_prep.py [--visits 200] [--image-size 256] [--jobs 1 2]
                                        [--data DIR] [--baseline-visits 3] [--predict]
                                        [--model PATH]

Simulates ``--visits`` visits once (or reuses ``--data`` when it holds that simulation),
then runs :func:`spacekit.skopes.hst.svm.prep.prep_svm` (tables + 128×128 frames) in a
fresh process for each ``--jobs`` value and prints the wall time, the time per visit and
the peak resident memory of the main process and of its largest worker.

``--baseline-visits N`` also times 1.1.4's way of drawing the frames (24-inch matplotlib
figures, re-created in ``bench_svm_render.py``) on N of the visits, and prints prep's time
per visit as a ratio to that drawing time alone. ``--predict`` adds
``predict_alignment`` (the 1.1.4 signature) after prep in the same process, with
``--model`` (default: the package's default model).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _simulate(root: Path, n: int, size: int) -> Path:
    from spacekit.datasets.svm import simulate_svm

    man = root / "manifest.json"
    if man.is_file():
        m = json.loads(man.read_text())
        if m.get("n_visits") == n and m.get("image_size") == size and m.get("seed") == 0:
            return root
    t0 = time.perf_counter()
    simulate_svm(root, n_visits=n, seed=0, image_size=size, overwrite=True, progress=False)
    print(f"simulated {n} visits ({size} px) in {time.perf_counter() - t0:.1f} s -> {root}")
    return root


def _peak_mib(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def _child(data: Path, out: Path, n_jobs: int, predict: bool, model: str | None):
    import warnings

    import spacekit.skopes.hst.svm.prep  # noqa: F401  (imports are not part of the timing)
    from spacekit.exceptions import SkippedInputWarning
    from spacekit.skopes.hst.svm.prep import prep_svm

    base = _peak_mib(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedInputWarning)
        res = prep_svm(data, out, labels=data / "labels.csv", n_jobs=n_jobs, progress=False)
    t_prep = time.perf_counter() - t0
    t_pred = None
    if predict:
        from spacekit.skopes.hst.svm.predict import predict_alignment

        t1 = time.perf_counter()
        predict_alignment(str(res.data_path), str(res.img_path), model, str(out))
        t_pred = time.perf_counter() - t1
    return (
        len(res.data),
        len(res.skipped),
        t_prep,
        t_pred,
        base,
        _peak_mib(resource.RUSAGE_SELF),
        _peak_mib(resource.RUSAGE_CHILDREN),
    )


def _baseline(data: Path, n: int) -> float:
    """Seconds per visit of 1.1.4's matplotlib drawing (three frames), on ``n`` visits."""
    sys.path.insert(0, str(HERE))
    from bench_svm_render import draw_like_1_1_4

    drizzles = sorted(data.glob("*/*_total_*_dr[cz].fits"))[:n]
    t0 = time.perf_counter()
    for d in drizzles:
        draw_like_1_1_4(d)
    return (time.perf_counter() - t0) / max(len(drizzles), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--data", type=Path, default=None, help="simulation folder to reuse")
    parser.add_argument("--baseline-visits", type=int, default=0)
    parser.add_argument("--predict", action="store_true")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="spacekit-bench-svm-"))
    try:
        data = _simulate(args.data or tmp / "sim", args.visits, args.image_size)
        per_visit = {}
        ctx = multiprocessing.get_context("spawn")
        for jobs in args.jobs:
            out = tmp / f"prep{jobs}"
            with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                fut = pool.submit(_child, data, out, jobs, args.predict, args.model)
                try:
                    n, skipped, t_prep, t_pred, base, peak, worker = fut.result()
                except ImportError as exc:
                    print(f"n_jobs={jobs}: not available ({exc})")
                    continue
            per_visit[jobs] = t_prep / n
            line = (
                f"prep n_jobs={jobs}: {n} products ({skipped} skipped) in {t_prep:7.2f} s "
                f"= {1000 * t_prep / n:6.1f} ms/visit; peak RSS {peak:6.1f} MiB "
                f"(right after imports {base:6.1f})"
            )
            if jobs > 1:
                line += f", largest worker {worker:6.1f} MiB"
            print(line)
            if t_pred is not None:
                print(
                    f"  + predict_alignment: {t_pred:7.2f} s; prep + predict "
                    f"{t_prep + t_pred:7.2f} s, peak RSS {peak:6.1f} MiB"
                )
        if len(per_visit) > 1 and 1 in per_visit:
            for jobs, t in per_visit.items():
                if jobs != 1:
                    print(f"speed-up with {jobs} workers: {per_visit[1] / t:.2f}x")
        if args.baseline_visits:
            base = _baseline(data, args.baseline_visits)
            print(f"1.1.4's drawing alone: {base:.2f} s/visit (on {args.baseline_visits} visits)")
            for jobs, t in per_visit.items():
                print(f"  prep n_jobs={jobs} (tables + frames) is {base / t:.0f}x faster")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
