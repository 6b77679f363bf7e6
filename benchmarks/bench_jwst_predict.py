"""Benchmark JWST Level-3 memory prediction as users run it: a whole new process.

Measures, on simulated Level-1 files (``spacekit.datasets.jwst.simulate_jwst``):

* the wall time of ``python -m spacekit.skopes.jwst.cal.predict DIR`` (and of
  ``spacekit jwst predict DIR``) on 12 exposures: median of several runs, including
  interpreter start-up and imports;
* the peak resident memory of those processes (``getrusage(RUSAGE_CHILDREN)``);
* files per second at about 600 and 6,000 files (whole process), and the marginal cost
  per file above the 12-file run.

Usage::

    python benchmarks/bench_jwst_predict.py [--repeats 5] [--sizes 12,600,6000]
        [--model-path ARCHIVE] [--workdir DIR] [--keep]

Without ``--model-path`` it uses the packaged archive, else the published 1.1.4
``jwst_cal.zip`` next to the repository (``../shared/reference``). Scratch data go to a
temporary folder (or ``--workdir``), never the current directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pick_archive(user: str | None) -> str:
    if user:
        return user
    from spacekit.builder.archive import default_archive_path

    packaged = default_archive_path("jwst_cal")
    if packaged.exists():
        return str(packaged)
    ref = REPO.parent / "shared" / "reference" / "spacekit-1.1.4" / "jwst_cal.zip"
    if ref.exists():
        return str(ref)
    sys.exit("No model archive found: pass --model-path.")


def simulate(folder: Path, n: int, seed: int) -> tuple[Path, int]:
    from spacekit.datasets.jwst import simulate_jwst

    uncal = folder / "uncal"
    if (folder / "manifest.json").exists() and uncal.is_dir():  # reuse a --workdir
        return uncal, len(list(uncal.glob("*_uncal.fits")))
    sim = simulate_jwst(folder, n=n, seed=seed, progress=False)
    uncal = Path(sim.out_dir) / "uncal"
    return uncal, len(list(uncal.glob("*_uncal.fits")))


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(cmd: list[str], repeats: int) -> dict:
    """Run ``cmd`` ``repeats`` times in a fresh process each time.

    Returns the median wall time, the median CPU time (user + sys of the process and its
    workers: robust when the machine is shared), every wall time, the peak RSS (MiB) of
    any child so far, and the last exit code.
    """
    times, cpus, code = [], [], 0
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    for _ in range(repeats):
        c0 = _children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir()
        )
        times.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
        code = proc.returncode
        if code not in (0, 1):
            print(proc.stderr[-2000:], file=sys.stderr)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "median_s": statistics.median(times),
        "cpu_s": statistics.median(cpus),
        "times": times,
        "peak_mib": peak_kib / 1024,
        "exit": code,
    }


def _show(label: str, n_files: int, r: dict) -> None:
    print(
        f"{label:<17}: {n_files:>5} files  wall median {r['median_s']:.3f} s "
        f"({', '.join(f'{t:.2f}' for t in r['times'])})  cpu {r['cpu_s']:.3f} s  "
        f"exit {r['exit']}  {n_files / r['median_s']:,.0f} files/s  "
        f"peak RSS so far {r['peak_mib']:.0f} MiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", default="12,600,6000", help="approximate exposure counts")
    ap.add_argument("--model-path", default=None)
    ap.add_argument(
        "--workdir", default=None, help="scratch folder, reused if it holds earlier simulations"
    )
    ap.add_argument("--keep", action="store_true", help="keep the simulated files")
    args = ap.parse_args()

    archive = pick_archive(args.model_path)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-jwst-predict-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"archive: {archive}")
    print(f"python:  {sys.version.split()[0]}  cpus: {os.cpu_count()}")
    results = {}
    try:
        for n in sizes:
            t0 = time.perf_counter()
            uncal, n_files = simulate(work / f"n{n}", n, seed=n)
            print(f"\nsimulated {n_files} files in {time.perf_counter() - t0:.1f} s")
            repeats = args.repeats if n_files <= 100 else max(1, min(3, args.repeats))
            runner = [
                sys.executable,
                "-m",
                "spacekit.skopes.jwst.cal.predict",
                str(uncal),
                "-m",
                archive,
                "--console_log_level",
                "error",
            ]
            r = run(runner, repeats)
            r["files"] = n_files
            results[n] = r
            _show("python -m runner", n_files, r)
            if n_files <= 100:
                cli = [
                    sys.executable,
                    "-m",
                    "spacekit",
                    "jwst",
                    "predict",
                    str(uncal),
                    "--model-path",
                    archive,
                    "--no-progress",
                ]
                results[n]["cli"] = rc = run(cli, repeats)
                _show("spacekit jwst", n_files, rc)
                results[n]["python_startup"] = rs = run([sys.executable, "-c", "pass"], repeats)
                _show("bare python", n_files, rs)
        small = min(results)
        for n, r in results.items():
            if n == small:
                continue
            dn = max(r["files"] - results[small]["files"], 1)
            wall = (r["median_s"] - results[small]["median_s"]) / dn
            cpu = (r["cpu_s"] - results[small]["cpu_s"]) / dn
            r["marginal_wall_ms_per_file"] = wall * 1e3
            r["marginal_cpu_ms_per_file"] = cpu * 1e3
            print(
                f"\n{r['files']} files: {r['files'] / r['median_s']:,.0f} files/s whole process "
                f"(wall); marginal cost above {results[small]['files']} files: "
                f"{wall * 1e3:.3f} ms/file wall, {cpu * 1e3:.3f} ms/file CPU"
            )
        print("\n" + json.dumps(results, indent=1, default=float))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
