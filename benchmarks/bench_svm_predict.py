"""Benchmark SVM prep + predict on simulated visits: wall time and peak memory.

Simulates ``--n`` visits (default 200) with :func:`spacekit.datasets.simulate_svm`, then
runs, each in a fresh process (so imports and peak memory are counted per step):

* **prep**: ``spacekit svm prep`` (tables + 128×128 frames);
* **predict, ours**: ``predict_alignment`` (images read and classified in chunks of 256
  visits, the model loaded once);
* **predict, 1.1.4's way** (re-created here): every visit's three PNGs read with
  ``keras.utils.load_img`` into one array, then one ``model.predict`` over all of them.

Both predict runs use the same model (``--model-path``, default the published 1.1.4
``svm_align.zip`` beside the repository, else the packaged archive) and must give the same
probabilities. Prints seconds, visits per second and peak resident memory (MiB) of each
step, and the ratios ours / 1.1.4.

Usage::

    python benchmarks/bench_svm_predict.py [--n 200] [--model-path ARCHIVE] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = REPO.parent / "shared" / "reference" / "spacekit-1.1.4" / "svm_align.zip"

_OURS = """
import json, resource, sys, time
t0 = time.perf_counter()
from spacekit.skopes.hst.svm.predict import predict_alignment
preds = predict_alignment(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])
print(json.dumps({"seconds": time.perf_counter() - t0, "n": len(preds),
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "proba": preds["y_proba"].round(5).tolist()}))
"""

_114 = """
import json, resource, sys, time, zipfile, tempfile, os
t0 = time.perf_counter()
import numpy as np, pandas as pd, keras
data = pd.read_csv(sys.argv[1], index_col="index")
cols = ["numexp","rms_ra","rms_dec","nmatches","point","segment","gaia","det","wcs","cat"]
X = data[cols]
frames = []
for name in X.index:
    d = os.path.join(sys.argv[2], name)
    imgs = [keras.utils.img_to_array(keras.utils.load_img(
        os.path.join(d, f"{name}{s}.png"), color_mode="rgb", target_size=(128, 128)))
        for s in ("", "_source", "_gaia")]
    frames.append(np.stack(imgs))
images = np.stack(frames).astype("float32")
with tempfile.TemporaryDirectory() as tmp:
    src = sys.argv[3]
    if src.endswith(".zip"):
        with zipfile.ZipFile(src) as zf:
            member = [m for m in zf.namelist() if m.endswith(".keras")][0]
            path = os.path.join(tmp, "m.keras")
            open(path, "wb").write(zf.read(member))
    else:
        path = src
    model = keras.models.load_model(path, safe_mode=True, compile=False)
    proba = model.predict([X.to_numpy("float32"), images], verbose=0)[:, 0]
print(json.dumps({"seconds": time.perf_counter() - t0, "n": len(X),
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "proba": np.round(proba, 5).tolist()}))
"""

_PREP = """
import json, resource, sys, time
t0 = time.perf_counter()
from spacekit.skopes.hst.svm.prep import run_preprocessing
df, _ = run_preprocessing(sys.argv[1], output_path=sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t0, "n": len(df),
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(code: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode:
        sys.exit(f"step failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=200, help="simulated visits")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--model-path", default=None)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument(
        "--reuse-sim", action="store_true", help="keep the visits already in WORKDIR/sim"
    )
    args = p.parse_args(argv)
    from spacekit.datasets import simulate_svm

    model = args.model_path or (str(PUBLISHED) if PUBLISHED.exists() else None)
    if model is None:
        from spacekit.builder.archive import default_archive_path

        model = str(default_archive_path("svm_align"))
    tmp = tempfile.TemporaryDirectory(prefix="bench-svm-") if args.workdir is None else None
    work = Path(tmp.name) if tmp else args.workdir
    try:
        if args.reuse_sim and (work / "sim" / "labels.csv").is_file():
            print(f"reusing the visits in {work / 'sim'}")
        else:
            t0 = time.perf_counter()
            simulate_svm(
                work / "sim", n_visits=args.n, seed=args.seed, progress=False, overwrite=True
            )
            print(f"simulated {args.n} visits in {time.perf_counter() - t0:.1f} s (not timed)")
        prep = _run(_PREP, str(work / "sim"), str(work / "prep"))
        data, img = str(work / "prep" / "svm_data.csv"), str(work / "prep" / "img")
        ours = _run(_OURS, data, img, model, str(work / "out"))
        old = _run(_114, data, img, model)
        same = max(abs(a - b) for a, b in zip(ours["proba"], old["proba"], strict=True))
        print(f"model: {model}")
        print(f"{'step':<24} {'visits':>6} {'seconds':>8} {'visits/s':>9} {'peak MiB':>9}")
        for name, r in (("prep", prep), ("predict (ours)", ours), ("predict (1.1.4 way)", old)):
            print(
                f"{name:<24} {r['n']:>6} {r['seconds']:>8.1f} {r['n'] / r['seconds']:>9.1f} "
                f"{r['rss_mib']:>9.0f}"
            )
        print(
            f"ours / 1.1.4: time {ours['seconds'] / old['seconds']:.2f}, "
            f"peak memory {ours['rss_mib'] / old['rss_mib']:.2f}; "
            f"max |Δ proba| {same:.1e}"
        )
        print(
            f"prep + predict (ours): {prep['seconds'] + ours['seconds']:.1f} s, "
            f"peak {max(prep['rss_mib'], ours['rss_mib']):.0f} MiB"
        )
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
