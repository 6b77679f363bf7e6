"""Benchmark the cost of hostile inputs: time and peak memory until they are refused.

Each case runs in a fresh child process (so its peak resident memory is its own), with
its address space limited to ``--limit-gb`` so that code without the guards fails with
a MemoryError instead of exhausting the machine:

* ``fits-no-end``: a 150 MB primary header with no END card, read by
  :func:`spacekit.extractor.scrape_fits.read_fits_cards`;
* ``fits-big-header``: a valid header of about 100,000 cards (8 MB), to show the scan is
  linear;
* ``h5-shape-bomb``: a 1 KB ``.keras`` file whose weights declare a (4, 1e9) float32
  kernel, loaded by :class:`spacekit.builder.inference.NumpyMLP`;
* ``zip-understated``: an archive member holding 600 MB of zeros whose headers declare
  1,000 bytes, read by :func:`spacekit.builder.archive_zip.read_zip_members`.

Usage::

    python benchmarks/bench_hostile_inputs.py [--limit-gb 3] [--workdir DIR]

To compare with another checkout, run it with ``PYTHONPATH=/that/checkout/src``. Inputs
are written to a temporary folder (or ``--workdir``), never the current directory.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
case, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
outcome = "returned"
try:
    if case.startswith("fits"):
        from spacekit.extractor.scrape_fits import read_fits_cards
        read_fits_cards(path, ("SIMPLE",), ("CRVAL1",))
    elif case == "h5-shape-bomb":
        from spacekit.builder.inference import NumpyMLP
        NumpyMLP.from_keras_file(path)
    else:
        import zipfile
        from spacekit.builder.archive_zip import read_zip_members
        read_zip_members(zipfile.ZipFile(path), where=path)
except BaseException as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
print(json.dumps({"seconds": time.perf_counter() - start, "outcome": outcome,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fits_no_end(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:
        fh.write(b"SIMPLE  =                    T".ljust(80))
        fh.write(b" " * (size - 80))
    return path


def fits_big_header(path: Path, n_cards: int) -> Path:
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8"]
    cards += ["NAXIS   =                    0", "EXTEND  =                    T"]
    cards += [f"HISTORY card {i}" for i in range(n_cards)]
    ext = ["XTENSION= 'IMAGE   '", "BITPIX  =                   16", "NAXIS   =      0"]
    ext += ["PCOUNT  =                    0", "GCOUNT  =                    1"]
    ext += ["CRVAL1  =                 12.5"]
    blob = b""
    for hdr in (cards, ext):
        text = "".join(c.ljust(80) for c in hdr) + "END".ljust(80)
        blob += (text + " " * (-len(text) % 2880)).encode()
    path.write_bytes(blob)
    return path


def shape_bomb(path: Path) -> Path:
    import h5py

    layers = [
        {
            "class_name": "InputLayer",
            "name": "in",
            "config": {"name": "in", "batch_shape": [None, 4]},
        }
    ]
    tensor = {"class_name": "__keras_tensor__", "config": {"keras_history": ["in", 0, 0]}}
    layers.append(
        {
            "class_name": "Dense",
            "name": "d0",
            "config": {"name": "d0", "units": 3},
            "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
        }
    )
    cfg = {
        "class_name": "Functional",
        "config": {"name": "m", "layers": layers, "output_layers": [["d0", 0, 0]]},
    }
    buf = io.BytesIO()
    with h5py.File(buf, "w") as h5:
        grp = h5.create_group("layers/dense/vars")
        grp.create_dataset("0", shape=(4, 10**9), dtype="float32", chunks=(1, 1 << 20))
        grp.create_dataset("1", shape=(3,), dtype="float32")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", json.dumps(cfg))
        zf.writestr("model.weights.h5", buf.getvalue())
    return path


def zip_understated(path: Path, real: int, declared: int) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("jwst_cal/img3_reg.keras", b"\0" * real)
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", declared)
    local = data.index(b"PK\x03\x04")
    data[local + 22 : local + 26] = struct.pack("<I", declared)
    path.write_bytes(bytes(data))
    return path


def run(case: str, path: Path, limit_gb: float) -> dict:
    limit = int(limit_gb * 1024**3)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(path)],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": proc.stderr[-200:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit-gb", type=float, default=3.0)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spacekit-hostile-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        cases = {
            "fits-no-end": fits_no_end(work / "noend.fits", 150 * 10**6),
            "fits-big-header": fits_big_header(work / "big.fits", 100_000),
            "h5-shape-bomb": shape_bomb(work / "bomb.keras"),
            "zip-understated": zip_understated(work / "understated.zip", 600 * 10**6, 1000),
        }
        print(f"{'case':<16} {'input':>10} {'seconds':>9} {'peak MB':>8}  outcome")
        for case, path in cases.items():
            res = run(case, path, args.limit_gb)
            size = f"{path.stat().st_size / 1e6:.3f} MB"
            print(
                f"{case:<16} {size:>10} {res['seconds']:>9.3f} {res['peak_mb']:>8.0f}  "
                f"{res['outcome']}"
            )


if __name__ == "__main__":
    main()
