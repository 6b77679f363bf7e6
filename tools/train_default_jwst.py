"""Train the default JWST calibration models shipped with spacekit (``packaged/jwst_cal``).

Simulates daily pipeline metadata with :func:`spacekit.datasets.jwst.simulate_jwst`
(``write_fits=False``) and ingests it with :class:`spacekit.preprocessor.ingest.JwstCalIngest`
(or uses ``--data DIR`` holding ``train-image.csv`` / ``train-spec.csv``). For each mode it
holds out the products of a random 20 % of the programs (``--split program``; no program
on both sides) or a random 20 % of the products (``--split random``), then trains

* the network: ``--members`` small MLPs (different seeds) on the 18 ``COLUMN_ORDER``
  inputs (offset columns Yeo-Johnson-normalised as at prediction) plus the log of the
  count columns ``--log-features`` (``nexposur``, ``numdthpt``; a piecewise-linear log),
  all standardised; as target (``--target``) the **log** of the memory or the memory in
  GB (over its root mean square), Huber loss, products weighted by ``1 + (q / GB)**2``
  (``--rel-weight``) or ``GB**power`` (``--weight-power``), L2 weight decay, the
  learning rate reduced on plateaus and early stopping on a validation share of the
  training rows; log targets then get a fine-tuning stage that adds the squared error in
  GB (``--gb-loss``). The members are trained by the float64 numpy trainer of
  ``tools/mlp_numpy.py`` (the same model, init, optimizer and callbacks as Keras, a few
  hundred times faster for networks this small, which makes the several-split
  evaluation below affordable) and merged into **one** Keras Dense ReLU network on the
  18 raw inputs: a layer clipping each input to its training range, a fixed layer
  computing the log features (``relu(x - knot)`` terms) and passing the inputs through,
  the members side by side (standardisation folded in, block-diagonal hidden layers), an
  output layer averaging them and a two-unit layer clamping that to the training range
  of the target. The target transform is recorded in ``tx_data-{mode}.json`` as
  ``"target": {"transform": "log"}`` (spacekit applies ``exp``) or ``"identity"``;
* the baseline: scikit-learn's ``HistGradientBoostingRegressor`` on the same rows and
  features with the memory in GB as target (as ``JwstCalTrain`` reports it), plus the
  same on the log target for reference;

and compares them on the held-out products, and on every product of the independently
seeded simulations of ``--holdout-data``; then the same recipe and baseline are
retrained on ``--eval-seeds`` other splits, and the card reports their mean and
standard deviation. The archive
``src/spacekit/builder/trained_networks/jwst_cal.zip`` gets a model card with that table,
and ``jwst_cal.json`` registers it as ``packaged/jwst_cal``
(:func:`spacekit.builder.registry.write_packaged_entry`).

Usage::

    nohup python tools/train_default_jwst.py > train.log 2>&1 &     # about 40 CPU-minutes
    python tools/train_default_jwst.py -n 20000 --days 4 -o /tmp/jwst_cal.zip   # a quick try

The two modes can also be trained in parallel processes and assembled afterwards: each
run keeps ``{workdir}/{mode}/`` (model, tx_data, scores), and ``--assemble`` writes the
archive from them without training::

    python tools/train_default_jwst.py --workdir W --modes spec --data W/tables &
    python tools/train_default_jwst.py --workdir W --modes image --data W/tables &
    python tools/train_default_jwst.py --workdir W --assemble

The packaged archive was made from four simulations (seeds 2026, 7, 8, 9; the same as
``--sim-seeds 2026,7,8,9``), scored also on two more (seeds 10, 11) that no recipe choice
looked at; each ``S*/tables`` folder is ``simulate_tables``' output::

    python tools/train_default_jwst.py --workdir W \
        --data S2026/tables,S7/tables,S8/tables,S9/tables \
        --holdout-data S10/tables,S11/tables

The run is reproducible for a given ``--seed`` on one machine; it uses one CPU thread
so that it can run beside other work.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread: small matrices, a shared machine

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "spacekit" / "builder" / "trained_networks" / "jwst_cal.zip"
MODES = {"image": ("img3_reg", "jwst_cal_image3", "image3_regressor"),
         "spec": ("spec3_reg", "jwst_cal_spec3", "spec3_regressor")}  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--data",
        default=None,
        help="folder with train-{mode}.csv, or several separated by commas (combined, "
        "product names prefixed by their simulation); default: simulate",
    )
    p.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="archive to write")
    p.add_argument("--workdir", type=Path, default=None, help="keep intermediate files here")
    p.add_argument("-n", "--n-exposures", type=int, default=300_000, help="simulated exposures")
    p.add_argument("--days", type=int, default=40, help="simulated days of metadata")
    p.add_argument("--hidden", default="64,32", help="hidden layer sizes (ReLU) of a member")
    p.add_argument(
        "--members",
        default="image=3,spec=5",
        help="networks merged into one, per mode ('image=3,spec=5') or for all modes ('5')",
    )
    p.add_argument(
        "--log-features",
        default="nexposur,numdthpt",
        help="count columns that also enter as log(x) (piecewise linear; '' for none)",
    )
    p.add_argument(
        "--gb-loss",
        default="image=1,spec=1",
        help="per mode, weight of the squared error in GB in a fine-tuning stage (0: none)",
    )
    p.add_argument(
        "--target",
        default="image=identity,spec=log",
        help="per mode, the network's target: log (log GB, Huber loss) or identity (GB in "
        "units of its root mean square, Huber loss, a linear output)",
    )
    p.add_argument(
        "--rel-weight",
        default="image=2",
        help="per mode, q (GB): weight each training product by 1 + (q / GB)**2, i.e. add "
        "q**2 x the squared relative error to the squared error in GB (0: off; then "
        "--weight-power applies)",
    )
    p.add_argument("--huber-delta", type=float, default=1.0, help="Huber threshold (target units)")
    p.add_argument(
        "--split",
        choices=("program", "random"),
        default="program",
        help="held-out products: whole programs (no program in both train and test; the "
        "default) or a random share of products",
    )
    p.add_argument("--finetune-learning-rate", type=float, default=3e-4)
    p.add_argument(
        "--eval-seeds",
        default="1,2,3,4",
        help="more random splits on which the recipe and the baseline are compared",
    )
    p.add_argument("--l2", type=float, default=1e-4, help="L2 weight decay of the hidden layers")
    p.add_argument("--epochs", type=int, default=400, help="at most this many epochs")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--patience", type=int, default=30, help="early-stopping patience")
    p.add_argument("--test-size", type=float, default=0.2, help="held-out share of products")
    p.add_argument("--seed", type=int, default=2026, help="split seed (and simulation seed)")
    p.add_argument(
        "--sim-seeds",
        default="",
        help="without --data: simulate with each of these seeds and train on all of them "
        "(e.g. 2026,7,8,9; default: --seed only)",
    )
    p.add_argument(
        "--weight-power",
        default="image=0.5,spec=0",
        help="per mode, weight each training product by GB**power (0: equal weights); "
        "a positive power makes the large products, which dominate the RMSE in GB, count more",
    )
    p.add_argument("--modes", default="image,spec", help="modes to train in this run")
    p.add_argument(
        "--holdout-data",
        default="",
        help="comma-separated tables folders of independently seeded simulations (each "
        "ingested, with train-{mode}.csv): the network and the baseline trained on the "
        "documented split are also scored on every product there",
    )
    p.add_argument(
        "--keep-model",
        type=Path,
        default=None,
        help="take the network of the modes of this run from this archive (e.g. a copy of "
        "the current packaged one) instead of training one on the documented split; the "
        "recipe flags must be that network's, they still drive the --eval-seeds re-trainings",
    )
    p.add_argument(
        "--assemble", action="store_true", help="only write the archive from WORKDIR/{mode}/"
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def table_info(tables: Path) -> dict:
    """What a tables folder was made from: its ``data_info.json`` or simulation manifest."""
    for path in (tables.parent / "data_info.json", tables.parent / "sim" / "manifest.json"):
        if path.is_file():
            info = json.loads(path.read_text())
            keep = ("simulator", "n_exposures", "n", "days", "seed", "matched")
            return {"source": str(tables), **{k: info[k] for k in keep if k in info}}
    return {"source": str(tables)}


def combine_tables(folders: list[Path], infos: list[dict], out: Path) -> Path:
    """Write ``out/train-{mode}.csv`` holding the products of every folder.

    Product names get the prefix ``s{seed}_`` (or ``d{i}_``), so that products and
    programs of different simulations stay distinct (a program split keeps each
    simulation's programs apart).
    """
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    for mode in MODES:
        frames = []
        for i, (folder, info) in enumerate(zip(folders, infos, strict=True)):
            tag = f"s{info['seed']}" if "seed" in info else f"d{i}"
            df = pd.read_csv(folder / f"train-{mode}.csv")
            df["Dataset"] = tag + "_" + df["Dataset"].astype(str)
            frames.append(df)
        pd.concat(frames, ignore_index=True).to_csv(out / f"train-{mode}.csv", index=False)
    return out


def simulate_tables(workdir: Path, n: int, days: int, seed: int) -> tuple[Path, dict]:
    """Simulate metadata CSVs and ingest them; return the tables folder and a summary."""
    from spacekit.datasets.jwst import simulate_jwst
    from spacekit.preprocessor.ingest import JwstCalIngest

    t0 = time.perf_counter()
    sim = simulate_jwst(
        workdir / "sim", n=n, seed=seed, write_fits=False, days=days, overwrite=True,
        progress=False,
    )  # fmt: skip
    t_sim = time.perf_counter() - t0
    tables = workdir / "tables"
    t0 = time.perf_counter()
    report = JwstCalIngest(Path(sim.out_dir) / "metadata", tables).run_ingest()
    info = {
        "simulator": "spacekit.datasets.jwst.simulate_jwst(write_fits=False)",
        "n_exposures": n,
        "days": days,
        "seed": seed,
        "n_products_truth": int(len(sim.products)),
        "matched": report.matched,
        "simulate_seconds": round(t_sim, 1),
        "ingest_seconds": round(time.perf_counter() - t0, 1),
    }
    return tables, info


def metrics(y, p) -> dict:
    """RMSE, MAE (GB), R² and median absolute percentage error of predictions ``p``."""
    import numpy as np

    y, p = np.ravel(y).astype(float), np.ravel(p).astype(float)
    err = p - y
    return {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae": float(np.mean(np.abs(err))),
        "r2": float(1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2)),
        "median_ape": float(np.median(np.abs(err) / y)),
    }


def _member_seed(split_seed: int, i: int) -> int:
    return split_seed * 100 + i


def fit_recipe(Xtr, ytr, mode: str, split_seed: int, args) -> dict:
    """Train the ``--members`` networks of one mode on a training split (numpy trainer).

    Returns the feature map, the standardisation, the members' weights, the target
    (``"log"`` or ``"identity"`` with its scale) and the training ranges of the inputs
    and of the target (the archive clips to them).
    """
    import numpy as np
    from mlp_numpy import LogFeatures, fit_mlp

    from spacekit.skopes.jwst.cal.prep import model_columns

    cols = model_columns(mode)
    log_cols = [cols.index(c) for c in args.log_features.split(",") if c]
    feats = LogFeatures(Xtr.shape[1], log_cols).fit(Xtr)
    F = feats.transform(Xtr)
    mean, scale = F.mean(axis=0), F.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (F - mean) / scale
    target = _mode_value(args.target, mode, "log")
    if target not in ("log", "identity"):
        raise SystemExit(f"--target: {mode}={target}; use log or identity")
    # identity: the memory in units of its root mean square (linear output, squared error)
    t_scale = float(np.sqrt(np.mean(ytr**2))) if target == "identity" else 1.0
    t = ytr / t_scale if target == "identity" else np.log(ytr)
    power = _per_mode(args.weight_power, mode)
    gb = _per_mode(args.gb_loss, mode)
    rel_q = _per_mode(args.rel_weight, mode)
    if rel_q:  # squared error in GB plus rel_q**2 x the squared relative error
        weights = 1.0 + (rel_q / ytr) ** 2
    else:
        weights = ytr**power
    weights = weights / np.mean(weights)
    hidden = tuple(int(u) for u in args.hidden.split(","))
    common = {"l2": args.l2, "batch_size": args.batch_size, "epochs": args.epochs}
    common["patience"] = args.patience
    order = np.random.default_rng(split_seed).permutation(len(ytr))
    n_val = max(1, len(ytr) // 10)
    fit, val = order[n_val:], order[:n_val]
    members, epochs = [], []
    for i in range(n_members(args, mode)):
        seed = _member_seed(split_seed, i)
        valid = (Z[val], t[val], weights[val])
        res = fit_mlp(
            Z[fit], t[fit], weights[fit], valid, hidden, seed=seed,
            learning_rate=args.learning_rate, delta=args.huber_delta, **common,
        )  # fmt: skip
        n_ep = [res.epochs]
        if gb and target == "log":
            # fine-tune on log error + the squared error in GB (what an RMSE in GB weighs)
            res = fit_mlp(
                Z[fit], t[fit], weights[fit], valid, hidden, seed=seed, init=res.weights,
                learning_rate=args.finetune_learning_rate, gb=gb,
                gb_scale=float(np.sqrt(np.mean(ytr**2))), delta=args.huber_delta, **common,
            )  # fmt: skip
            n_ep.append(res.epochs)
        members.append(res.weights)
        epochs.append(n_ep)
    t_range = (np.log(ytr.min()), np.log(ytr.max())) if target == "log" else (
        float(ytr.min()), float(ytr.max()))  # fmt: skip
    return {"features": feats, "mean": mean, "scale": scale, "members": members,
            "epochs": epochs, "power": power, "gb": gb, "rel_weight": rel_q,
            "target": target, "t_scale": t_scale,
            "x_range": (Xtr.min(axis=0), Xtr.max(axis=0)), "t_range": t_range}  # fmt: skip


def predict_recipe(fitted: dict, X):
    """The recipe's memory (GB) on raw model inputs ``X``, and each member's.

    As the archive's network: inputs clipped to the training range, the members' mean
    output (in target units) clamped to the training range of the target, then the
    inverse target transform.
    """
    import numpy as np
    from mlp_numpy import forward

    Xc = np.clip(X, *fitted["x_range"])
    Z = (fitted["features"].transform(Xc) - fitted["mean"]) / fitted["scale"]
    outs = np.array([forward(m, Z) for m in fitted["members"]]) * fitted["t_scale"]
    mean = np.clip(outs.mean(axis=0), *fitted["t_range"])
    if fitted["target"] == "log":
        return np.exp(mean), np.exp(outs)
    return mean, outs


def n_members(args, mode: str) -> int:
    """``--members`` for ``mode``: a per-mode list or one number for all modes."""
    spec = str(args.members)
    return int(spec) if "=" not in spec else int(_mode_value(spec, mode, "5"))


def _mode_value(spec: str, mode: str, default: str) -> str:
    return dict(kv.split("=") for kv in spec.split(",") if kv).get(mode, default)


def _per_mode(spec: str, mode: str) -> float:
    return float(_mode_value(spec, mode, "0"))


def program_id(product: str) -> str:
    """The program of a Level-3 product name (``jw01234-o001_t001_...`` -> ``jw01234``)."""
    return str(product).split("-", 1)[0]


def split_mode(tables: Path, mode: str, seed: int, args):
    """The train/test split of ``mode`` for split seed ``seed`` (tx_data fit on train)."""
    import numpy as np

    from spacekit.skopes.jwst.cal.prep import JwstCalPrep
    from spacekit.skopes.jwst.cal.train import JwstCalTrain

    data = JwstCalTrain(tables, out=args.workdir_path, exp_mode=mode, seed=seed).load_data()
    if getattr(args, "split", "random") == "program":
        from sklearn.model_selection import GroupShuffleSplit

        # products of one program share pointings, mosaics and exposure plans (often the
        # same observation in several filters): hold out whole programs, as new
        # programs are what the model meets in operations
        programs = [program_id(name) for name in data.index]
        split = GroupShuffleSplit(n_splits=1, test_size=args.test_size, random_state=seed)
        _, test = next(split.split(data, groups=programs))
        data = data.assign(split="train")
        data.iloc[test, data.columns.get_loc("split")] = "test"
        jp = JwstCalPrep(data, exp_mode=mode).split_from_column()
    else:
        jp = JwstCalPrep(data, exp_mode=mode, random=seed, tsize=args.test_size).prep_data()
    Xtr, Xte = jp.X_train.astype(np.float64), jp.X_test.astype(np.float64)
    ytr, yte = jp.y_reg_train.ravel().astype(float), jp.y_reg_test.ravel().astype(float)
    return jp, Xtr, Xte, ytr, yte


def evaluate_split(tables: Path, mode: str, seed: int, args) -> dict:
    """Network recipe and baseline on one more split: their test metrics."""
    from spacekit.analyzer.baseline import fit_baseline

    _, Xtr, Xte, ytr, yte = split_mode(tables, mode, seed, args)
    fitted = fit_recipe(Xtr, ytr, mode, seed, args)
    net, _ = predict_recipe(fitted, Xte)
    _, _, base = fit_baseline(Xtr, ytr, Xte, seed=seed)
    return {"seed": seed, "network": metrics(yte, net),
            "baseline": metrics(yte, base)}  # fmt: skip


def summarize_splits(rows: list[dict]) -> dict:
    """Mean and standard deviation over splits of each metric, network and baseline."""
    import numpy as np

    out = {}
    for who in ("network", "baseline"):
        out[who] = {}
        for key in ("rmse", "mae", "r2", "median_ape"):
            vals = np.array([r[who][key] for r in rows])
            out[who][key] = {"mean": float(vals.mean()), "sd": float(vals.std(ddof=1))}
    ratio = np.array([r["network"]["rmse"] / r["baseline"]["rmse"] for r in rows])
    out["rmse_ratio"] = {"mean": float(ratio.mean()), "min": float(ratio.min()),
                         "max": float(ratio.max())}  # fmt: skip
    out["network_better_rmse"] = int((ratio < 1).sum())
    out["network_better_mae"] = int(sum(r["network"]["mae"] < r["baseline"]["mae"] for r in rows))
    out["splits"] = len(rows)
    return out


def archive_model(fitted: dict, mode: str):
    """The Keras model of the archive: one Dense ReLU MLP on the 18 raw inputs."""
    import numpy as np
    from mlp_numpy import merge_members

    from spacekit.builder.blueprints import build_mlp_regressor

    model_name, input_name, output_name = MODES[mode]
    merged = merge_members(
        fitted["members"], fitted["features"], fitted["mean"], fitted["scale"],
        clip=fitted["x_range"], out_scale=fitted["t_scale"], out_bounds=fitted["t_range"],
    )  # fmt: skip
    hidden = [k.shape[1] for k, _ in merged[:-1]]
    model = build_mlp_regressor(
        merged[0][0].shape[0], hidden, model_name, input_name=input_name,
        output_name=output_name,
    )  # fmt: skip
    dense = [lyr for lyr in model.layers if lyr.get_weights()]
    for lyr, (kernel, bias) in zip(dense, merged, strict=True):
        lyr.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    return model


def recipe_info(mode: str, args) -> dict:
    """The training recipe of ``mode`` (what the card describes)."""
    return {
        "members": n_members(args, mode),
        "hidden": args.hidden,
        "log_features": [c for c in args.log_features.split(",") if c],
        "target": _mode_value(args.target, mode, "log"),
        "rel_weight": _per_mode(args.rel_weight, mode),
        "huber_delta": args.huber_delta,
        "split": args.split,
        "weight_power": _per_mode(args.weight_power, mode),
        "gb_loss": _per_mode(args.gb_loss, mode),
        "l2": args.l2,
        "learning_rate": args.learning_rate,
        "finetune_learning_rate": args.finetune_learning_rate,
        "batch_size": args.batch_size,
        "patience": args.patience,
    }


def kept_network(archive: Path, mode: str, jp) -> tuple[bytes, dict]:
    """The ``mode`` network of ``archive`` and its recorded scores.

    Its ``tx_data`` must be the one fit on this run's documented training split.
    """
    import zipfile

    import numpy as np

    name = MODES[mode][0]
    with zipfile.ZipFile(archive) as zf:
        model_bytes = zf.read(f"{name}.keras")
        tx = json.loads(zf.read(f"tx_data-{mode}.json"))
        manifest = json.loads(zf.read("manifest.json"))
    for key in ("lambdas", "mu", "sigma"):
        if not np.allclose(tx[key], jp.tx_data[key], rtol=1e-9):
            raise SystemExit(f"{archive}: {mode} tx_data {key} differs from this split's")
    return model_bytes, manifest.get("metrics", {}).get(name, {})


def net_fn(model_bytes: bytes, recipe: dict):
    """The archive's network as a function of raw model inputs, in GB."""
    import numpy as np

    from spacekit.builder.inference import NumpyMLP

    net = NumpyMLP.from_keras_file(model_bytes, where="archived network")

    def predict(X):
        out = net.predict(np.asarray(X, np.float32)).ravel().astype(np.float64)
        return np.exp(out) if recipe["target"] == "log" else out

    return predict


def evaluate_holdout(folder: Path, mode: str, jp, network, base_model, args) -> dict:
    """Network and baseline (trained on the documented split) on another simulation.

    ``folder`` holds the ingested tables of an independently seeded simulation (e.g. made
    with ``--workdir W2 --seed 7 --modes ''`` ... or :func:`simulate_tables`): every one of
    its products is new to both models.
    """
    import numpy as np

    from spacekit.skopes.jwst.cal.prep import apply_tx, model_columns
    from spacekit.skopes.jwst.cal.train import JwstCalTrain

    cols = model_columns(mode)
    data = JwstCalTrain(folder, out=args.workdir_path, exp_mode=mode, seed=args.seed).load_data()
    X = apply_tx(data[cols], jp.tx_data, jp.norm_cols)[cols].to_numpy(np.float64)
    y = data["imgsize_gb"].to_numpy(np.float64)
    info = {}
    manifest = folder.parent / "sim" / "manifest.json"
    if manifest.is_file():
        info["simulation_seed"] = json.loads(manifest.read_text()).get("seed")
    scores = {"network": metrics(y, network(X)), "baseline": metrics(y, base_model.predict(X))}
    return {"data": folder.parent.name, **info, "products": int(len(y)), **scores}


def train_mode(tables: Path, mode: str, args) -> dict:
    """Train the network and the baselines of one mode; return model, tx and scores."""
    import numpy as np

    from spacekit.analyzer.baseline import fit_baseline
    from spacekit.builder.inference import NumpyMLP

    jp, Xtr, Xte, ytr, yte = split_mode(tables, mode, args.seed, args)
    t0 = time.perf_counter()
    base_model, _, base = fit_baseline(Xtr, ytr, Xte, seed=args.seed)
    _, _, base_log = fit_baseline(Xtr, np.log(ytr), Xte, seed=args.seed)
    t_base = time.perf_counter() - t0
    recipe = recipe_info(mode, args)
    if args.keep_model is not None:
        model_bytes, kept = kept_network(args.keep_model, mode, jp)
        archived = NumpyMLP.from_keras_file(model_bytes, where=str(args.keep_model))
        archived = archived.predict(Xte.astype(np.float32)).ravel()
        if recipe["target"] == "log":
            archived = np.exp(archived)
        member_scores, epochs, t_fit = kept.get("members", []), None, None
        recipe["kept_from"] = str(args.keep_model.name)
    else:
        t0 = time.perf_counter()
        fitted = fit_recipe(Xtr, ytr, mode, args.seed, args)
        t_fit = round(time.perf_counter() - t0, 1)
        net_gb, member_gb = predict_recipe(fitted, Xte)
        model = archive_model(fitted, mode)
        # the archive's numpy model on the plain inputs gives the members' mean output
        with tempfile.TemporaryDirectory(prefix="spacekit-merged-") as tmp:
            saved = Path(tmp) / f"{MODES[mode][0]}.keras"
            model.save(saved)
            model_bytes = saved.read_bytes()
        merged = NumpyMLP.from_keras_file(model_bytes, where=f"merged {mode} network")
        archived = merged.predict(Xte.astype(np.float32)).ravel()
        if recipe["target"] == "log":
            archived = np.exp(archived)
        if not np.allclose(archived, net_gb, rtol=2e-3, atol=2e-3):
            raise RuntimeError("merging the members changed their mean output")
        member_scores = [metrics(yte, m) for m in member_gb]
        epochs = fitted["epochs"]
    print(f"{mode}: documented split done ({t_fit} s)", flush=True)
    holdout = []
    for folder in [Path(f) for f in args.holdout_data.split(",") if f]:
        holdout.append(evaluate_holdout(folder, mode, jp, net_fn(model_bytes, recipe),
                                        base_model, args))  # fmt: skip
        print(f"{mode} holdout {folder}: {json.dumps(holdout[-1])}", flush=True)
    splits = [{"seed": args.seed, "network": metrics(yte, archived),
               "baseline": metrics(yte, base)}]  # fmt: skip
    for seed in [int(s) for s in args.eval_seeds.split(",") if s.strip()]:
        splits.append(evaluate_split(tables, mode, seed, args))
        print(f"{mode} split {seed}: {json.dumps(splits[-1])}", flush=True)
    tx = {k: [float(v) for v in jp.tx_data[k]] for k in ("lambdas", "mu", "sigma")}
    tx["columns"] = list(jp.norm_cols)
    tx["target"] = {"transform": recipe["target"], "column": "imgsize_gb", "unit": "GB"}
    return {
        "model_bytes": model_bytes,
        "tx": tx,
        "recipe": recipe,
        "scores": {
            "network": metrics(yte, archived),
            "members": member_scores,
            "baseline": metrics(yte, base),
            "baseline_log": metrics(yte, np.exp(base_log)),
        },
        "splits": splits,
        "multi_split": summarize_splits(splits),
        "holdout": holdout,
        "sizes": {
            "train": int(len(ytr) - max(1, len(ytr) // 10)),
            "validation": int(max(1, len(ytr) // 10)),
            "test": int(len(yte)),
        },  # fmt: skip
        "epochs": epochs,
        "seconds": {"network": t_fit, "baselines": round(t_base, 1)},
        "test_max_gb": float(yte.max()),
    }


def _row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['rmse']:.3f} | {m['mae']:.3f} | {m['r2']:.3f} | "
        f"{100 * m['median_ape']:.1f} % |"
    )


def _row_sd(name: str, m: dict) -> str:
    def f(key, digits, factor=1.0):
        return f"{factor * m[key]['mean']:.{digits}f} ± {factor * m[key]['sd']:.{digits}f}"

    return (
        f"| {name} | {f('rmse', 2)} | {f('mae', 3)} | {f('r2', 3)} | {f('median_ape', 1, 100)} % |"
    )


def compare(net: dict, base: dict) -> str:
    """One line: where the network is better than the baseline, and by how much it trails."""
    better, worse = [], []
    for key, label, higher in (
        ("rmse", "RMSE", False),
        ("mae", "MAE", False),
        ("r2", "R²", True),
        ("median_ape", "median APE", False),
    ):
        gain = (net[key] - base[key]) if higher else (base[key] - net[key])
        rel = abs(gain) / abs(base[key]) * 100 if base[key] else 0.0
        text = f"{label} {rel:.1f} %" if key != "r2" else f"{label} {abs(gain):.3f}"
        (better if gain >= 0 else worse).append(text)
    line = f"better on {', '.join(better) or 'nothing'}"
    return line + (f"; behind by {', '.join(worse)}" if worse else "")


def _recipe_text(rc: dict) -> str:
    logs = ", ".join(f"`{c}`" for c in rc["log_features"]) or "none"
    weights = (
        f"weights 1 + ({rc['rel_weight']:g} GB / GB)**2"
        if rc.get("rel_weight")
        else f"power {rc['weight_power']:g}"
    )
    text = (
        f"{rc['members']} members (Dense {rc['hidden'].replace(',', '-')}), target "
        f"`{rc['target']}`, log features: {logs}, {weights}, L2 {rc['l2']:g}, "
        f"Adam {rc['learning_rate']:g}, batch {rc['batch_size']}, patience {rc['patience']}, "
    )
    text += (
        f"GB fine-tuning weight {rc['gb_loss']:g} (Adam {rc['finetune_learning_rate']:g})"
        if rc["gb_loss"] and rc["target"] == "log"
        else "no GB fine-tuning"
    )
    if rc.get("kept_from"):
        text += (
            "; the archived network is the previous packaged one, trained with Keras on "
            "the documented split (same recipe); the other splits retrain the recipe with "
            "`tools/mlp_numpy.py`"
        )
    else:
        text += "; trained with `tools/mlp_numpy.py` (float64 numpy, Keras' init and Adam)"
    return text


def model_card(results: dict, data_info: dict, args, sample_check: dict) -> str:
    """Markdown model card with the network-vs-baseline table per mode."""
    from datetime import UTC, datetime

    from spacekit import __version__

    lines = [
        "# packaged/jwst_cal model card",
        "",
        f"- spacekit version: {__version__}; created "
        f"{datetime.now(UTC).isoformat(timespec='seconds')}",
        "- task: Level-3 memory footprint (GB) of JWST calibration products, from the",
        "  headers of their Level-1 exposures (18 features, `COLUMN_ORDER`)",
        "- training data: **simulated** (`spacekit.datasets.jwst`), not observed. For real",
        "  exposures use the published `spacekit-1.1.4/jwst_cal`, trained on real pipeline",
        "  data (`spacekit jwst predict DIR -m spacekit-1.1.4/jwst_cal`).",
        "- networks: per mode, small MLPs (ReLU, linear output; different seeds) merged into",
        "  one Dense ReLU network on the 18 raw inputs: a first layer clips each input to its",
        "  training range (no extrapolation beyond it), then the members side by side",
        "  (standardisation folded into their first kernels, block-diagonal deeper layers)",
        "  and an output layer that averages them; where log features are used, a fixed",
        "  first layer computes them (`relu(x - knot)` terms: log interpolated linearly",
        "  between knots 1, 2, 3, 4, 6, ... 4096) and passes the inputs through. No Lambda",
        "  or custom layer; a last ReLU layer of two units clamps the output to the training",
        "  range of the target. Training: Huber loss on the target (log GB, or GB in units of",
        "  its root mean square), L2 on the hidden kernels, Adam reduced on plateaus, early",
        "  stopping on 10 % of the training rows; products weighted by GB**power, or by",
        "  1 + (q/GB)**2 (the squared error in GB plus q**2 x the squared relative error);",
        "  log targets optionally fine-tuned on their loss plus the squared error in GB. Per",
        "  mode:",
        *[f"  - {MODES[m][0]}: {_recipe_text(r['recipe'])}" for m, r in results.items()],
        "- target: `tx_data-{mode}.json` records it: "
        + ", ".join(f"{MODES[m][0]} `{r['recipe']['target']}`" for m, r in results.items())
        + " (`log`: the network predicts log(GB) and spacekit applies `exp`; `identity`: GB).",
        "",
        "## Network vs gradient-boosting baseline (held-out simulated products)",
        "",
        (
            f"Test split: the products of a random {100 * args.test_size:.0f} % of the "
            "programs (no program has products on both sides:"
            if args.split == "program"
            else f"Test split: a random {100 * args.test_size:.0f} % of the products ("
        ),
        "a random share of products puts the same observation, in other filters, on both",
        "sides, which rewards memorising it), never seen in training, early stopping or",
        "normalisation. Baseline: scikit-learn",
        "`HistGradientBoostingRegressor` (200 iterations) on the same rows and features, with",
        "GB as target (as `JwstCalTrain` reports it); the log-target variant is shown for",
        "reference. Lower RMSE/MAE/median APE and higher R² are better.",
        "",
    ]
    for mode, res in results.items():
        sc, n = res["scores"], res["sizes"]
        verdict = compare(sc["network"], sc["baseline"])
        lines += [
            f"### {MODES[mode][0]} ({mode.upper()}): {n['train'] + n['validation']} training, "
            f"{n['test']} test products",
            "",
            "| model | RMSE (GB) | MAE (GB) | R² | median APE |",
            "|---|---|---|---|---|",
            _row("network (this archive)", sc["network"]),
            *[_row(f"member {i} alone", m) for i, m in enumerate(sc["members"])],
            _row("baseline: gradient boosting, GB target", sc["baseline"]),
            _row("gradient boosting, log target (reference)", sc["baseline_log"]),
            "",
            f"Network vs baseline: {verdict}.",
            "",
        ]
    if any(r.get("holdout") for r in results.values()):
        lines += [
            "## Independently seeded simulations",
            "",
            "The network of this archive and the baseline (both trained on the split above)",
            "on every product of simulations made with other seeds: all of them new to both.",
            "",
        ]
        for mode, res in results.items():
            lines += [
                f"### {MODES[mode][0]} ({mode.upper()})",
                "",
                "| simulation seed | products | network RMSE | baseline RMSE | network MAE | "
                "baseline MAE | network median APE | baseline median APE |",
                "|---|---|---|---|---|---|---|---|",
                *[
                    f"| {h.get('simulation_seed', h['data'])} | {h['products']} | "
                    f"{h['network']['rmse']:.3f} | {h['baseline']['rmse']:.3f} | "
                    f"{h['network']['mae']:.3f} | {h['baseline']['mae']:.3f} | "
                    f"{100 * h['network']['median_ape']:.1f} % | "
                    f"{100 * h['baseline']['median_ape']:.1f} % |"
                    for h in res.get("holdout", [])
                ],
                "",
            ]
    lines += [
        "## Several splits",
        "",
        f"The same recipe (network) and baseline retrained on other {args.split} 80/20 splits",
        "(split seeds "
        + ", ".join(str(r["seed"]) for r in next(iter(results.values()))["splits"])
        + "; the first is the split above). Mean ± standard deviation over the splits:",
        "",
    ]
    for mode, res in results.items():
        ms = res["multi_split"]
        lines += [
            f"### {MODES[mode][0]} ({mode.upper()}), {ms['splits']} splits",
            "",
            "| model | RMSE (GB) | MAE (GB) | R² | median APE |",
            "|---|---|---|---|---|",
            *[
                _row_sd(label, ms[who])
                for who, label in (("network", "network"), ("baseline", "baseline"))
            ],
            "",
            "| split seed | network RMSE | baseline RMSE | ratio | network MAE | baseline MAE |",
            "|---|---|---|---|---|---|",
            *[
                f"| {r['seed']} | {r['network']['rmse']:.3f} | {r['baseline']['rmse']:.3f} | "
                f"{r['network']['rmse'] / r['baseline']['rmse']:.3f} | "
                f"{r['network']['mae']:.3f} | {r['baseline']['mae']:.3f} |"
                for r in res["splits"]
            ],
            "",
            f"Network RMSE below the baseline's on {ms['network_better_rmse']} of "
            f"{ms['splits']} splits, MAE on {ms['network_better_mae']}; RMSE ratio mean "
            f"{ms['rmse_ratio']['mean']:.3f} (range {ms['rmse_ratio']['min']:.3f}-"
            f"{ms['rmse_ratio']['max']:.3f}).",
            "",
        ]
    lines += [
        "## Packaged sample",
        "",
        "On the packaged sample (`spacekit.datasets.get_sample_path('jwst')`, 10 predicted",
        "products against its `truth.csv`):",
        "",
        "```json",
        json.dumps(sample_check, indent=2),
        "```",
        "",
        "## Training run",
        "",
        "```json",
        json.dumps(
            {
                **data_info,
                **{f"{m}_epochs": r["epochs"] for m, r in results.items()},
                **{f"{m}_seconds": r["seconds"] for m, r in results.items()},
                "seed": args.seed,
            },
            indent=2,
        ),
        "```",
        "",
        "Produced by `tools/train_default_jwst.py`.",
    ]
    return "\n".join(lines) + "\n"


def check_sample(archive: Path) -> dict:
    """Predict the packaged sample with ``archive`` and compare with its truth."""
    import numpy as np
    import pandas as pd

    from spacekit.datasets import get_sample_path
    from spacekit.skopes.jwst.cal.predict import JwstCalPredict

    sample = Path(get_sample_path("jwst"))
    jp = JwstCalPredict(sample / "uncal", model_path=archive, progress=False)
    jp.run_inference()
    truth = pd.read_csv(sample / "truth.csv").set_index("product")["gb"]
    pairs = [(truth[p], v["gbSize"]) for p, v in jp.predictions.items() if p in truth.index]
    y, p = np.array(pairs).T
    ratio = p / y
    return {
        "products": len(pairs),
        "max_abs_error_gb": round(float(np.max(np.abs(p - y))), 3),
        "max_ratio": round(float(ratio.max()), 3),
        "min_ratio": round(float(ratio.min()), 3),
        "flagged": len(jp.flags),
    }


def save_mode(folder: Path, result: dict, data_info: dict) -> None:
    """Keep one mode's model, tx_data and scores for :func:`assemble`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.keras").write_bytes(result["model_bytes"])
    info = {k: v for k, v in result.items() if k != "model_bytes"}
    (folder / "result.json").write_text(json.dumps({**info, "data_info": data_info}, indent=2))


def assemble(workdir: Path, args) -> Path:
    """Write the archive (and the packaged registry entry) from ``workdir/{mode}/``."""
    from spacekit.builder.archive import save_archive
    from spacekit.builder.registry import write_packaged_entry

    results, models = {}, {}
    for mode in MODES:
        folder = workdir / mode
        if not (folder / "result.json").is_file():
            raise SystemExit(f"{folder}/result.json is missing: train {mode} first")
        results[mode] = json.loads((folder / "result.json").read_text())
        models[MODES[mode][0]] = (folder / "model.keras").read_bytes()
    data_info = results["image"].pop("data_info")
    tx_data = {m: r["tx"] for m, r in results.items()}
    scores = {MODES[m][0]: r["scores"] for m, r in results.items()}
    extra = {"trained_on": "simulated", "metrics": scores}
    # a first archive to check the packaged sample, then the final one with its card
    draft = save_archive(workdir / "draft.zip", models, tx_data, name="jwst_cal")
    sample_check = check_sample(draft)
    card = model_card(results, data_info, args, sample_check)
    out = save_archive(args.out, models, tx_data, card=card, name="jwst_cal", extra=extra)
    if out.resolve() == DEFAULT_OUT.resolve():
        write_packaged_entry(
            out,
            kind="jwst_cal",
            trained_on="simulated",
            description="JWST Level-3 memory (GB) from Level-1 headers; trained on "
            "simulated metadata",
        )
    print(card)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return out


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from spacekit.logging_setup import configure_logging

    configure_logging("INFO" if args.verbose else "WARNING")
    tmp = None
    workdir = args.workdir
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="spacekit-train-default-")
        workdir = Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    args.workdir_path = workdir / "runs"
    try:
        if args.assemble:
            tables, data_info = None, {}
        else:
            if args.data:
                folders = [Path(f) for f in args.data.split(",") if f]
                infos = [table_info(f) for f in folders]
            else:
                folders, infos = [], []
                for seed in [int(s) for s in (args.sim_seeds or str(args.seed)).split(",")]:
                    sim = workdir if not args.sim_seeds else workdir / f"sim-{seed}"
                    folder, info = simulate_tables(sim, args.n_exposures, args.days, seed)
                    (sim / "data_info.json").write_text(json.dumps(info))
                    folders.append(folder)
                    infos.append(info)
            if len(folders) == 1:
                tables, data_info = folders[0], infos[0]
            else:
                tables = combine_tables(folders, infos, workdir / "combined")
                data_info = {"combined": infos, "products_prefixed": True}
        print(json.dumps(data_info), flush=True)
        results = {}
        if not args.assemble:
            for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
                if not (tables / f"train-{mode}.csv").is_file():
                    print(f"no train-{mode}.csv in {tables}; skipping {mode}", file=sys.stderr)
                    continue
                results[mode] = train_mode(tables, mode, args)
                save_mode(workdir / mode, results[mode], data_info)
                print(mode, json.dumps(results[mode]["scores"]), flush=True)
        if args.assemble or set(results) == set(MODES):
            assemble(workdir, args)
    finally:
        if tmp is not None:
            tmp.cleanup()
    logging.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
