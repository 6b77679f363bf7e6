"""Benchmark the Dask scale-out: SVM prep per visit, JWST per program, HST cal per chunk.

Measures, on a ``distributed.LocalCluster`` of worker processes (1 thread each) on this
machine:

* SVM prep of ``--visits`` simulated visits (tables + 128×128 frames) with 1 and with 2
  workers: wall time, ms per visit, and the 2-vs-1 ratio; the local baseline
  (``n_jobs=1``, no Dask) and the on-worker compute time (Dask's task stream) give the
  scheduler's share of the per-visit cost. Best of ``--repeats`` interleaved rounds;
* the scheduler overhead per task: ``--noop`` tasks that do nothing, submitted,
  gathered and counted exactly as prep's are (:func:`spacekit._distributed.run_tasks`);
* HST cal predict of a CSV of ``--hstcal-rows`` simulated datasets in chunks of
  ``--chunk-size``: local vs 1 and 2 Dask workers, results checked equal;
* JWST predict on ``--jwst-files`` simulated Level-1 files (about 100+ programs at
  20,000): the local runs (one process; headers read by 2 processes) vs 1 and 2 Dask
  workers, one task per program, with the products and predictions checked equal.

Usage::

    python benchmarks/bench_scaleout.py [--visits 200] [--image-size 256] [--repeats 3]
        [--jwst-files 20000] [--noop 2000] [--hstcal-rows 200000] [--chunk-size 20000]
        [--workdir DIR] [--skip-svm] [--skip-jwst] [--skip-hstcal]

Simulated data go to ``--workdir`` (reused when it already holds the same simulation)
or a temporary folder, never the current directory. The machine is shared, so read the
ratios rather than the absolute times.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import tempfile
import time
import warnings
from pathlib import Path


def _cluster(n_workers: int):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    client.run(_warm)  # imports on the workers are not part of the timings
    return cluster, client


def _warm() -> None:
    import spacekit.skopes.hst.svm.prep
    import spacekit.skopes.jwst.cal.batch  # noqa: F401
    from spacekit.generator.draw import draw_total_frames  # noqa: F401
    from spacekit.preprocessor.scrub import JwstCalScrubber  # noqa: F401


def _simulate_svm(root: Path, n: int, size: int) -> Path:
    from spacekit.datasets.svm import simulate_svm

    man = root / "manifest.json"
    if man.is_file():
        m = json.loads(man.read_text())
        if m.get("n_visits") == n and m.get("image_size") == size:
            return root
    t0 = time.perf_counter()
    simulate_svm(root, n_visits=n, seed=0, image_size=size, overwrite=True, progress=False)
    print(f"simulated {n} SVM visits ({size} px) in {time.perf_counter() - t0:.0f} s")
    return root


def _simulate_jwst(root: Path, n: int) -> Path:
    from spacekit.datasets.jwst import simulate_jwst

    uncal = root / "uncal"
    man = root / "manifest.json"
    if man.is_file() and json.loads(man.read_text()).get("n") == n and uncal.is_dir():
        return uncal
    t0 = time.perf_counter()
    simulate_jwst(root, n=n, seed=0, overwrite=True, progress=False)
    print(f"simulated {n} JWST files in {time.perf_counter() - t0:.0f} s")
    return uncal


def _time_prep(data: Path, out: Path, **kw) -> tuple[float, int]:
    from spacekit.exceptions import SkippedInputWarning
    from spacekit.skopes.hst.svm.prep import prep_svm

    shutil.rmtree(out, ignore_errors=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedInputWarning)
        t0 = time.perf_counter()
        res = prep_svm(data, out, labels=data / "labels.csv", progress=False, **kw)
        return time.perf_counter() - t0, len(res.data)


def _compute_seconds(stream) -> float:
    return sum(
        s["stop"] - s["start"] for d in stream for s in d["startstops"] if s["action"] == "compute"
    )


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process (run on the workers with client.run)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _timed_cpu(client, func):
    """``func()``'s result, and the CPU seconds spent meanwhile here (client + the local
    scheduler) and on the workers."""
    w0 = sum(client.run(_cpu_seconds).values()) if client is not None else 0.0
    c0 = _cpu_seconds()
    out = func()
    here = _cpu_seconds() - c0
    workers = sum(client.run(_cpu_seconds).values()) - w0 if client is not None else 0.0
    return out, here, workers


def bench_svm(work: Path, visits: int, size: int, noop: int, repeats: int) -> dict:
    """Best of ``repeats`` rounds, each running local, Dask 1 and Dask 2 in turn (the
    machine's load drifts, so the configurations are interleaved)."""
    from distributed import get_task_stream

    from spacekit._distributed import Task, run_tasks

    data = _simulate_svm(work / "svm", visits, size)
    _time_prep(data, work / "warm", n_jobs=1)  # page cache and imports, not timed
    clusters = {w: _cluster(w) for w in (1, 2)}
    best: dict = {}
    compute: dict = {}
    cpu: dict = {}
    try:
        for _ in range(repeats):
            (t, n), here, _ = _timed_cpu(None, lambda: _time_prep(data, work / "prep-l", n_jobs=1))
            if t < best.get("local", float("inf")):
                best["local"], cpu["local"] = t, (here, 0.0)
            for w, (_, client) in clusters.items():
                with get_task_stream(client=client) as stream:
                    (t, n2), here, on_workers = _timed_cpu(
                        client, lambda c=client, w=w: _time_prep(data, work / f"d{w}", client=c)
                    )
                assert n2 == n, (n2, n)
                if t < best.get(w, float("inf")):
                    best[w], compute[w] = t, _compute_seconds(stream.data)
                    cpu[w] = (here, on_workers)
            client = clusters[2][1]
            tasks = [Task(str(i), (i,)) for i in range(noop)]
            t0 = time.perf_counter()
            run_tasks(abs, tasks, client=client, progress=False)
            t = (time.perf_counter() - t0) / noop
            best["noop"] = min(t, best.get("noop", t))
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    ms = {k: 1000 * v / visits for k, v in best.items() if k != "noop"}
    per = {k: tuple(1000 * x / visits for x in v) for k, v in cpu.items()}
    print(f"SVM prep of {visits} visits ({size} px), best of {repeats}:")
    print(
        f"  local, 1 process (no Dask): {best['local']:6.1f} s = {ms['local']:5.1f} ms/visit "
        f"wall; CPU {per['local'][0]:5.1f} ms/visit"
    )
    for w in (1, 2):
        over = 1000 * (best[w] * w - compute[w]) / visits
        print(
            f"  Dask, {w} worker(s):          {best[w]:6.1f} s = {ms[w]:5.1f} ms/visit wall "
            f"(in tasks {1000 * compute[w] / visits:5.1f}, outside them {over:+5.1f}); CPU on "
            f"workers {per[w][1]:5.1f} ms/visit, client + scheduler {per[w][0]:5.1f} ms/visit"
        )
    print(f"  2 vs 1 Dask worker: {best[1] / best[2]:.2f}x faster")
    print(f"  Dask 1 worker / local 1 process: {best[1] / best['local']:.2f} (wall)")
    print(f"  scheduler round trip of a no-op task (2 workers): {1000 * best['noop']:.2f} ms")
    return best


def bench_jwst(work: Path, n_files: int) -> dict:
    from spacekit.exceptions import FlaggedInputWarning, SkippedInputWarning
    from spacekit.skopes.jwst.cal.batch import partition_by_program
    from spacekit.skopes.jwst.cal.predict import JwstCalPredict

    uncal = _simulate_jwst(work / "jwst", n_files)
    files = sorted(uncal.glob("*_uncal.fits"))
    n_programs = len(partition_by_program(files))
    out = {}

    def run(client=None, n_jobs=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)
            warnings.simplefilter("ignore", FlaggedInputWarning)
            t0 = time.perf_counter()
            jp = JwstCalPredict(uncal, progress=False, client=client, n_jobs=n_jobs)
            jp.run_inference()
            return time.perf_counter() - t0, jp

    run()  # page cache, not timed
    t_one, _ = run(n_jobs=1)
    out["local-1"] = t_one
    t_local, local = run()
    out["local"] = t_local
    print(
        f"JWST predict, {len(files)} files / {n_programs} programs / "
        f"{len(local.predictions)} products: local 1 process {t_one:6.1f} s "
        f"({1e6 * t_one / len(files):.0f} us/file); local, headers read by 2 processes "
        f"{t_local:6.1f} s ({1e6 * t_local / len(files):.0f} us/file)"
    )
    for workers in (1, 2):
        cluster, client = _cluster(workers)
        try:
            t, jp = run(client)
        finally:
            client.close()
            cluster.close()
        same = jp.results() == local.results() and sorted(jp.skipped) == sorted(local.skipped)
        out[workers] = t
        print(
            f"JWST predict, Dask {workers} worker(s), one task per program: {t:6.1f} s "
            f"({1e6 * t / len(files):.0f} us/file); same results as local: {same}"
        )
    print(
        f"  relative to the local single process: Dask 1 worker {t_one / out[1]:.2f}x, "
        f"Dask 2 workers {t_one / out[2]:.2f}x, local 2 processes {t_one / t_local:.2f}x faster"
    )
    print(f"  2 vs 1 Dask worker: {out[1] / out[2]:.2f}x; local / Dask 2: {t_local / out[2]:.2f}x")
    return out


def bench_hstcal(work: Path, n_rows: int, chunk_size: int) -> dict:
    """HST cal predict of a CSV of ``n_rows`` simulated datasets: local (one process, the
    same row chunks) vs 1 and 2 Dask workers."""
    from spacekit.skopes.hst.cal.predict import predict_inputs

    csv = work / "hstcal" / f"hstcal-{n_rows}.csv"
    if not csv.is_file():
        from spacekit.datasets.hstcal import simulate_hstcal

        csv.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        simulate_hstcal(n=n_rows, seed=0).to_csv(csv, index_label="ipst")
        print(f"simulated {n_rows} HST cal datasets in {time.perf_counter() - t0:.0f} s")

    def run(client=None):
        t0 = time.perf_counter()
        preds, skipped, _ = predict_inputs(
            csv, progress=False, client=client, chunk_size=chunk_size
        )
        return time.perf_counter() - t0, preds, skipped

    run()  # page cache and archive load, not timed
    t_local, local, skipped = run()
    out = {"local": t_local}
    print(
        f"HST cal predict, {n_rows} datasets in chunks of {chunk_size}: local 1 process "
        f"{t_local:6.2f} s ({1e6 * t_local / n_rows:.1f} us/dataset, CSV read included)"
    )
    for workers in (1, 2):
        cluster, client = _cluster(workers)
        try:
            run(client)  # the workers load the archive once
            t, preds, sk = run(client)
        finally:
            client.close()
            cluster.close()
        out[workers] = t
        same = preds.equals(local) and sk == skipped
        print(
            f"HST cal predict, Dask {workers} worker(s): {t:6.2f} s "
            f"({1e6 * t / n_rows:.1f} us/dataset); same results as local: {same}"
        )
    print(
        f"  relative to the local single process: Dask 1 worker {t_local / out[1]:.2f}x, "
        f"Dask 2 workers {t_local / out[2]:.2f}x faster"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--jwst-files", type=int, default=20000)
    parser.add_argument("--noop", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-svm", action="store_true")
    parser.add_argument("--skip-jwst", action="store_true")
    parser.add_argument("--hstcal-rows", type=int, default=200_000)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--skip-hstcal", action="store_true")
    args = parser.parse_args()
    # Dask logs its clusters' shutdown at INFO once silence_logs is lifted: keep the figures
    # readable (importing distributed configures its loggers, so import it first)
    import distributed  # noqa: F401

    logging.getLogger("distributed").setLevel(logging.ERROR)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="spacekit-bench-scaleout-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_svm:
            bench_svm(work, args.visits, args.image_size, args.noop, args.repeats)
        if not args.skip_jwst:
            bench_jwst(work, args.jwst_files)
        if not args.skip_hstcal:
            bench_hstcal(work, args.hstcal_rows, args.chunk_size)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
