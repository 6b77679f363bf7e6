"""Make the packaged sample results shown by ``spacekit dashboard cal|svm|jwst``.

Each dashboard gets a few *versions* (training iterations) made with the package's own
simulators and small trainings, written by the analyzer classes exactly as a trainer
writes them:

* ``results_cal``: 3 versions ``YYYY-MM-DD-epoch/`` of the HST calibration models on
  :func:`spacekit.datasets.simulate_hstcal` data: ``results/mem_bin`` (ComputeMulti),
  ``results/memory`` and ``results/wallclock`` (ComputeRegressor), ``data/*.csv``; the
  newest also holds ``models/`` (``mem_clf``, ``mem_reg``, ``wall_reg`` ``.keras``,
  ``tx_data.json``, ``model_inputs.json``). The oldest version's table has another
  instrument mix, so the drift page has something to show.
* ``results_svm``: 3 versions of the SVM alignment classifier on the features of
  :func:`spacekit.datasets.simulate_svm` visits (encoded with
  :func:`spacekit.preprocessor.encode_svm.encode_svm_features`): ``results/test`` and
  ``results/val`` (ComputeBinary); data and models as above.
* ``results_jwst``: 2 runs ``YYYY-MM-DD_epoch/`` of :class:`JwstCalTrain` (image mode)
  on simulated and ingested JWST metadata; the newest keeps its model.

The HST cal features are encoded here with the 1.1.4 rules (spec: core section 3.2)
until the HST cal skope provides its preprocessor.

Usage::

    python tools/make_dashboard_samples.py            # all three, into the package
    python tools/make_dashboard_samples.py cal -o /tmp/samples

A few minutes on two cores; reproducible (fixed seeds).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pandas as pd

from spacekit.preprocessor.tables.hst_cal import COLUMN_ORDER, NORM_COLS

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "src" / "spacekit" / "datasets" / "samples"

CAL_FEATURES = list(COLUMN_ORDER["asn"])
CAL_TX = list(NORM_COLS["asn"])
SVM_FEATURES = [
    "numexp",
    "rms_ra",
    "rms_dec",
    "nmatches",
    "point",
    "segment",
    "gaia",
    "det",
    "wcs",
    "cat",
]
SVM_TX = ["numexp", "rms_ra", "rms_dec", "nmatches", "point", "segment", "gaia"]


def _keras():
    import keras

    return keras


def dense_model(name, sizes, n_in, out_units, out_act, seed):
    keras = _keras()
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(n_in,), name="inputs")]
    for i, units in enumerate(sizes):
        layers.append(keras.layers.Dense(units, activation="relu", name=f"{i + 1}_dense{units}"))
    layers.append(keras.layers.Dense(out_units, activation=out_act, name="output"))
    return keras.Sequential(layers, name=name)


def fold_scale(model, scale: float) -> None:
    """Multiply the last Dense layer by ``scale`` so a model fit on ``y / scale`` predicts y."""
    last = model.layers[-1]
    kernel, bias = last.get_weights()
    last.set_weights([kernel * scale, bias * scale])


def fit(model, X, y, epochs, loss, metrics, seed, val=0.2):
    keras = _keras()
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=loss, metrics=metrics)
    hist = model.fit(X, y, epochs=epochs, batch_size=32, validation_split=val, verbose=0)
    return {k: [float(v) for v in vals] for k, vals in hist.history.items()}


def stamp(date: str) -> str:
    ts = int(pd.Timestamp(date, tz="UTC").timestamp())
    return f"{date}-{ts}"


def _inputs_json(path: Path, specs: dict) -> None:
    from spacekit._io import atomic_write_json

    atomic_write_json(path, specs)


def _save_model(model, path: Path) -> None:
    from spacekit.builder.architect import save_keras_model

    save_keras_model(model, path)


# --------------------------------------------------------------------------- HST cal
def encode_hstcal(raw: pd.DataFrame) -> pd.DataFrame:
    """The 1.1.4 encoding of the HST cal features (core spec section 3.2)."""
    df = pd.DataFrame(index=raw.index)
    df["n_files"] = raw["n_files"].astype(int)
    df["total_mb"] = raw["total_mb"].astype(float).round(3)
    df["drizcorr"] = (raw["DRIZCORR"].astype(str).str.upper() == "PERFORM").astype(int)
    df["pctecorr"] = (raw["PCTECORR"].astype(str).str.upper() == "PERFORM").astype(int)
    cr = raw["CRSPLIT"].astype(str)
    df["crsplit"] = np.where(cr.isin(["NaN", "nan"]), 0, np.where(cr.isin(["1", "1.0"]), 1, 2))
    df["subarray"] = (raw["SUBARRAY"].astype(str).str.title() == "True").astype(int)
    df["detector"] = raw["DETECTOR"].astype(str).str.upper().isin(["UVIS", "WFC"]).astype(int)
    df["dtype"] = (raw["dtype"].astype(str) == "asn").astype(int)
    df["instr"] = raw["INSTRUME"].str.upper().map({"ACS": 0, "COS": 1, "STIS": 2, "WFC3": 3})
    for col in ("memory", "wallclock", "mem_bin"):
        df[col] = raw[col]
    return df


def _cal_rows(seed: int, n0: int = 900, n1: int = 500) -> pd.DataFrame:
    """Simulated jobs with every memory bin: all rare large jobs, a sample of the rest."""
    from spacekit.datasets.hstcal import simulate_hstcal

    raw = simulate_hstcal(n=40000, seed=100 + seed)
    parts = [
        raw[raw["mem_bin"] == 0].sample(n0, random_state=seed),
        raw[raw["mem_bin"] == 1].sample(n1, random_state=seed),
        raw[raw["mem_bin"] >= 2],
    ]
    return pd.concat(parts).sample(frac=1.0, random_state=seed)


def _stratified_test(y: np.ndarray, frac: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    test = np.zeros(y.size, dtype=bool)
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        n = max(1, round(frac * idx.size)) if idx.size > 1 else 0
        test[rng.choice(idx, n, replace=False)] = True
    return test


def make_cal(out: Path) -> None:
    from spacekit.analyzer.compute import ComputeMulti, ComputeRegressor
    from spacekit.preprocessor.transform import apply_power_transform, fit_power_transform

    versions = [("2026-01-15", 0, 12), ("2026-02-15", 1, 30), ("2026-03-15", 2, 60)]
    for k, (date, seed, epochs) in enumerate(versions):
        raw = _cal_rows(seed)
        if k == 0:  # an older instrument mix: fewer WFC3 jobs (drift to look at)
            wfc3 = raw.index[raw["INSTRUME"] == "WFC3"]
            raw = raw.drop(wfc3[: len(wfc3) * 2 // 3])
        df = encode_hstcal(raw)
        test = _stratified_test(df["mem_bin"].to_numpy(), 0.2, seed)
        tx = fit_power_transform(df[~test], CAL_TX)
        X = apply_power_transform(df[CAL_FEATURES].astype(float), tx, CAL_TX).to_numpy("float32")
        y = df["mem_bin"].to_numpy()
        vdir = out / stamp(date)
        clf = dense_model("mem_clf", [18, 32, 18, 9], 9, 4, "softmax", seed)
        hist = fit(
            clf, X[~test], y[~test], epochs, "sparse_categorical_crossentropy", ["accuracy"], seed
        )
        com = ComputeMulti(
            y_true=y[test],
            y_scores=clf.predict(X[test], verbose=0),
            history=hist,
            test_idx=df.index[test],
            y_train_true=y[~test],
            y_train_scores=clf.predict(X[~test], verbose=0),
            model_name="mem_clf",
            res_path=vdir / "results" / "mem_bin",
        )
        com.make_outputs()
        models = {"mem_clf": clf}
        for name, target in (("mem_reg", "memory"), ("wall_reg", "wallclock")):
            yt = df[target].to_numpy(float)
            scale = float(np.percentile(yt, 90))
            reg = dense_model(name, [18, 9], 9, 1, "linear", seed)
            hist = fit(
                reg, X[~test], yt[~test] / scale, epochs, "mse", ["root_mean_squared_error"], seed
            )
            hist = {k.replace("root_mean_squared_error", "rmse"): v for k, v in hist.items()}
            fold_scale(reg, scale)
            hist = {
                k: list(np.asarray(v) * (scale**2 if "loss" in k else scale))
                for k, v in hist.items()
            }
            ComputeRegressor(
                yt[test],
                reg.predict(X[test], verbose=0).ravel(),
                history=hist,
                test_idx=df.index[test],
                y_train_true=yt[~test],
                y_train_pred=reg.predict(X[~test], verbose=0).ravel(),
                model_name=name,
                res_path=vdir / "results" / target,
            ).download()
            models[name] = reg
        (vdir / "data").mkdir(parents=True, exist_ok=True)
        df.to_csv(vdir / "data" / f"hst_cal_{date}.csv", index_label="ipst")
        if k == len(versions) - 1:
            mdir = vdir / "models"
            for name, model in models.items():
                _save_model(model, mdir / f"{name}.keras")
            _inputs_json(mdir / "tx_data.json", tx)
            specs = {
                name: {
                    "features": CAL_FEATURES,
                    "tx_cols": CAL_TX,
                    "tx_file": "tx_data.json",
                    "classes": ["2g", "8g", "16g", "64g"] if name == "mem_clf" else [],
                    "target": t,
                }
                for name, t in (
                    ("mem_clf", "mem_bin"),
                    ("mem_reg", "memory"),
                    ("wall_reg", "wallclock"),
                )
            }
            _inputs_json(mdir / "model_inputs.json", specs)
        print(f"cal {vdir.name}: mem_bin accuracy {com.metrics['accuracy']:.3f}")


# --------------------------------------------------------------------------- SVM
def svm_table(workdir: Path, n_visits: int) -> pd.DataFrame:
    from spacekit.datasets.svm import simulate_svm
    from spacekit.preprocessor.encode_svm import encode_svm_features

    sim = simulate_svm(workdir / "svm", n_visits=n_visits, seed=7, progress=False, image_size=64)
    lab = sim.labels.copy()
    lab["detector"] = lab["det"].str.split("_").str[-1]
    enc = encode_svm_features(lab)  # adds the det, wcs and cat codes
    keep = [*SVM_FEATURES, "label", "category", "detector", "wcstype", "synthetic"]
    return enc[keep]


def make_svm(out: Path, workdir: Path, n_visits: int = 360) -> None:
    from spacekit.analyzer.compute import ComputeBinary
    from spacekit.preprocessor.transform import apply_power_transform, fit_power_transform

    table = svm_table(workdir, n_visits)
    versions = [("2026-01-20", 0, 10), ("2026-02-20", 1, 30), ("2026-03-20", 2, 60)]
    for k, (date, seed, epochs) in enumerate(versions):
        rng = np.random.default_rng(10 + seed)
        split = rng.random(len(table))
        test, val = (split < 0.2), (split >= 0.2) & (split < 0.35)
        train = ~(test | val)
        tx = fit_power_transform(table[train], SVM_TX)
        X = apply_power_transform(table[SVM_FEATURES].astype(float), tx, SVM_TX).to_numpy("float32")
        y = table["label"].to_numpy()
        vdir = out / stamp(date)
        model = dense_model("svm_mlp", [16, 8], len(SVM_FEATURES), 1, "sigmoid", seed)
        hist = fit(model, X[train], y[train], epochs, "binary_crossentropy", ["accuracy"], seed)
        common = {"classes": ["aligned", "misaligned"], "model_name": "svm_mlp"}
        ComputeBinary(
            y_true=y[test],
            y_scores=model.predict(X[test], verbose=0),
            history=hist,
            test_idx=table.index[test],
            y_train_true=y[train],
            y_train_scores=model.predict(X[train], verbose=0),
            res_path=vdir / "results" / "test",
            **common,
        ).make_outputs()
        ComputeBinary(
            y_true=y[val],
            y_scores=model.predict(X[val], verbose=0),
            test_idx=table.index[val],
            validation=True,
            res_path=vdir / "results" / "val",
            **common,
        ).make_outputs()
        (vdir / "data").mkdir(parents=True, exist_ok=True)
        rows = table if k else table[table["synthetic"] == False]  # noqa: E712
        rows.to_csv(vdir / "data" / f"svm_{date}.csv", index_label="index")
        if k == len(versions) - 1:
            mdir = vdir / "models"
            _save_model(model, mdir / "svm_mlp.keras")
            _inputs_json(mdir / "tx_data.json", tx)
            _inputs_json(
                mdir / "model_inputs.json",
                {
                    "svm_mlp": {
                        "features": SVM_FEATURES,
                        "tx_cols": SVM_TX,
                        "tx_file": "tx_data.json",
                        "classes": [],
                        "target": "label",
                    }
                },
            )
        print(f"svm {vdir.name} done")


# --------------------------------------------------------------------------- JWST
def make_jwst(out: Path, workdir: Path, n: int = 6000) -> None:
    sys.path.insert(0, str(REPO / "tools"))
    from train_default_jwst import simulate_tables

    from spacekit.skopes.jwst.cal.train import JwstCalTrain

    tables, _ = simulate_tables(workdir / "jwst", n, 6, 2026)
    runs = [("2026-02-01", 1, 15), ("2026-03-01", 2, 40)]
    for k, (date, seed, epochs) in enumerate(runs):
        ts = int(pd.Timestamp(date, tz="UTC").timestamp())
        run = out / f"{date}_{ts}"
        JwstCalTrain(
            tables,
            out=run,
            exp_mode="image",
            cross_val=0,
            epochs=epochs,
            batch_size=32,
            seed=seed,
            plots=False,
            archive=False,
            progress=False,
        ).main(custom_arch={"fit_params": {"learning_rate": 1e-3, "patience": 10}})
        if k < len(runs) - 1:
            shutil.rmtree(run / "image" / "models", ignore_errors=True)
        print(f"jwst {run.name} done")


def _manifest(folder: Path, name: str, description: str) -> None:
    from spacekit._io import atomic_write_json
    from spacekit._version import __version__

    atomic_write_json(
        folder / "manifest.json",
        {
            "name": name,
            "kind": "results",
            "description": description,
            "versions": sorted(p.name for p in folder.iterdir() if p.is_dir()),
            "counts": {"versions": sum(1 for p in folder.iterdir() if p.is_dir())},
            "made_by": "tools/make_dashboard_samples.py",
            "spacekit_version": __version__,
        },
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kinds", nargs="*", default=["cal", "svm", "jwst"])
    p.add_argument("-o", "--out", type=Path, default=SAMPLES)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    descriptions = {
        "cal": "HST calibration training results (3 versions) on simulated data",
        "svm": "HST SVM alignment training results (3 versions) on simulated visits",
        "jwst": "JWST calibration training runs (2 versions, image mode) on simulated data",
    }
    with tempfile.TemporaryDirectory(prefix="spacekit-samples-") as tmp:
        for kind in args.kinds:
            folder = args.out / f"results_{kind}"
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            if kind == "cal":
                make_cal(folder)
            elif kind == "svm":
                make_svm(folder, Path(tmp))
            elif kind == "jwst":
                make_jwst(folder, Path(tmp))
            _manifest(folder, f"results_{kind}", descriptions[kind])
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            print(f"{folder}: {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
