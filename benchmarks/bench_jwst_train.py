"""Benchmark: train one fold of the JWST image regressor on 10,000 simulated rows.

Simulates pipeline metadata (``simulate_jwst(write_fits=False)``), ingests it into
``train-image.csv`` and, if the simulation gave fewer rows than asked, draws rows with
replacement (new Dataset names) up to ``--rows``. Then times ``JwstCalTrain.main()``
in a fresh process (one 80/20 split, the blueprint's batch size, plots and archive
included) and reports its wall time (imports included), the fit time per epoch, the
baseline's fit time and the training process's peak resident memory.

    python benchmarks/bench_jwst_train.py --rows 10000 --epochs 20
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_table(workdir: Path, rows: int, n_exposures: int, seed: int) -> tuple[Path, dict]:
    import numpy as np
    import pandas as pd

    from spacekit.datasets.jwst import simulate_jwst
    from spacekit.preprocessor.ingest import JwstCalIngest

    t0 = time.perf_counter()
    sim = simulate_jwst(
        workdir / "sim", n=n_exposures, seed=seed, write_fits=False, days=5, progress=False
    )
    t_sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    JwstCalIngest(Path(sim.out_dir) / "metadata", workdir / "tables").run_ingest()
    t_ing = time.perf_counter() - t0
    path = workdir / "tables" / "train-image.csv"
    df = pd.read_csv(path, index_col="Dataset")
    n_sim = len(df)
    if n_sim < rows:
        rng = np.random.default_rng(seed)
        extra = df.iloc[rng.integers(0, n_sim, rows - n_sim)].copy()
        extra.index = [f"{i}-r{k}" for k, i in enumerate(extra.index)]
        extra["pname"] = extra.index
        df = pd.concat([df, extra])
        df.index.name = "Dataset"
    df.iloc[:rows].to_csv(path)
    return path.parent, {
        "simulated_exposures": n_exposures,
        "simulated_image_products": n_sim,
        "rows": rows,
        "simulate_s": round(t_sim, 2),
        "ingest_s": round(t_ing, 2),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--n-exposures", type=int, default=360_000)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-jwst-train-") as tmp:
        work = Path(tmp)
        tables, info = make_table(work, args.rows, args.n_exposures, args.seed)
        info["data_prep_peak_rss_mb"] = round(_rss_mb(), 1)
        # Train in a fresh process so that its peak memory is measured on its own (VmHWM of
        # the new address space; ru_maxrss would carry the parent's peak across exec).
        argv_train = [
            "-d",
            str(tables),
            "-o",
            str(work / "runs"),
            "--exp-mode",
            "image",
            "--epochs",
            str(args.epochs),
            "--seed",
            str(args.seed),
            "--early-stopping",
            "none",
            "--console_log_level",
            "error",
        ]
        code = (
            "import runpy, sys\n"
            f"sys.argv = ['train'] + {argv_train!r}\n"
            "try:\n"
            "    runpy.run_module('spacekit.skopes.jwst.cal.train', run_name='__main__')\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')]\n"
            "print(int(hwm[0].split()[1]) / 1024)\n"
        )
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - t0
        child_rss = float(done.stdout.strip().splitlines()[-1])
        scores_file = next((work / "runs").glob("*/image/summary/image-cv-scores.json"))
        scores = json.loads(scores_file.read_text())
        nn, hgb = scores["network"], scores["baseline"]
        info.update(
            epochs=args.epochs,
            train_rows=int(nn["train_size"]),
            test_rows=int(nn["test_size"]),
            process_wall_s=round(wall, 2),
            fit_s=round(nn["fit_seconds"], 2),
            s_per_epoch=round(nn["fit_seconds"] / args.epochs, 3),
            baseline_fit_s=round(hgb["fit_seconds"], 2),
            test_rmse_gb=round(nn["test_rmse"], 3),
            baseline_rmse_gb=round(hgb["test_rmse"], 3),
            training_process_peak_rss_mb=round(child_rss, 1),
            cpus=os.cpu_count(),
        )
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
