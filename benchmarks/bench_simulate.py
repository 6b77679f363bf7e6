"""Benchmark the dataset simulators: wall time and peak memory.

Usage::

    python benchmarks/bench_simulate.py [--svm-visits 200] [--jwst-exposures 5000]
                                        [--hstcal-rows 100000] [--out DIR] [--skip-jwst]

Writes into a temporary folder (or ``--out``) and prints one line per simulator. Each
simulator runs in a fresh process; peak memory is that process's peak resident set size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _folder_size(path: Path) -> str:
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return f"{size / 2**20:.1f} MiB on disk"


def _run_hstcal(n: int, root: Path) -> str:
    from spacekit.datasets.hstcal import simulate_hstcal

    return f"{len(simulate_hstcal(n=n, seed=0))} rows"


def _run_svm(n: int, root: Path) -> str:
    from spacekit.datasets.svm import simulate_svm

    out = root / "svm"
    sim = simulate_svm(out, n_visits=n, seed=0, progress=False, overwrite=True)
    return f"{len(sim.labels)} visits, {_folder_size(out)}"


def _run_jwst(n: int, root: Path) -> str:
    from spacekit.datasets.jwst import simulate_jwst

    out = root / "jwst"
    sim = simulate_jwst(out, n=n, seed=0, progress=False, overwrite=True)
    return f"{len(sim.exposures)} exposures, {_folder_size(out)}"


def _child(func, n: int, root: Path) -> tuple[float, float, float, str]:
    import spacekit.datasets  # noqa: F401  (import cost is not part of the timing)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    result = func(n, root)
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return elapsed, base, peak, result


def _measure(label: str, func, n: int, root: Path) -> None:
    # A fresh process per simulator, so its peak resident memory is its own.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        try:
            elapsed, base, peak, result = pool.submit(_child, func, n, root).result()
        except ImportError as exc:
            print(f"{label:<32} not available: {exc}")
            return
    print(
        f"{label:<32} {elapsed:8.2f} s   peak RSS {peak:7.1f} MiB "
        f"(process after imports {base:6.1f} MiB)   {result}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svm-visits", type=int, default=200)
    parser.add_argument("--jwst-exposures", type=int, default=5000)
    parser.add_argument("--hstcal-rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--skip-jwst", action="store_true")
    args = parser.parse_args()

    root = args.out or Path(tempfile.mkdtemp(prefix="spacekit-bench-"))
    try:
        _measure(f"simulate_hstcal n={args.hstcal_rows}", _run_hstcal, args.hstcal_rows, root)
        _measure(f"simulate_svm n_visits={args.svm_visits}", _run_svm, args.svm_visits, root)
        if not args.skip_jwst:
            _measure(f"simulate_jwst n={args.jwst_exposures}", _run_jwst, args.jwst_exposures, root)
    finally:
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
