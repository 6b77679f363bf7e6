"""Benchmark: write 5,000 simulated JWST exposures (FITS + metadata + truth).

Usage::

    python benchmarks/bench_simulate_jwst.py [--n 5000] [--no-fits] [--keep DIR] [--no-tracemalloc]

Prints the wall time and the peak resident set size of the process
(``resource.getrusage``) of one run, then the peak Python heap (tracemalloc) of a second,
traced run (tracemalloc slows Python down several times, so that run is not timed).
Output goes to a temporary folder (removed afterwards) unless ``--keep`` names one.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark simulate_jwst")
    parser.add_argument("--n", type=int, default=5000, help="Level-1 exposures (default 5000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-fits", action="store_true", help="metadata and truth only")
    parser.add_argument("--keep", type=Path, default=None, help="write here and keep it")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced run")
    args = parser.parse_args(argv)

    from spacekit.datasets.jwst import simulate_jwst

    tmp = None
    if args.keep is None:
        tmp = tempfile.mkdtemp(prefix="bench_jwst_")
        out = Path(tmp) / "sim"
    else:
        out = args.keep
    try:
        kwargs = dict(n=args.n, seed=args.seed, write_fits=not args.no_fits, progress=False)
        # pass 1: wall time and peak RSS, without tracemalloc (it slows Python down ~5x)
        t0 = time.perf_counter()
        sim = simulate_jwst(out, overwrite=args.keep is not None, **kwargs)
        wall = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        n_files = len(sim.exposures)
        print(f"simulate_jwst(n={args.n}, write_fits={not args.no_fits})")
        print(f"  exposures        : {n_files}")
        print(f"  products         : {len(sim.products)}")
        print(f"  metadata files   : {len(sim.metadata_files)}")
        print(f"  bytes on disk    : {size / 1e6:.1f} MB")
        print(
            f"  wall time        : {wall:.2f} s ({1000 * wall / max(n_files, 1):.2f} ms/exposure)"
        )
        print(f"  peak RSS         : {rss:.1f} MiB (getrusage, whole process)")
        if not args.no_tracemalloc:
            # pass 2: peak Python heap of the same run, traced (slower; time not reported)
            del sim
            tracemalloc.start()
            simulate_jwst(out, overwrite=True, **kwargs)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"  peak heap        : {peak / 2**20:.1f} MiB (tracemalloc, second run)")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
