"""Train the default JWST calibration models shipped with spacekit (``packaged/jwst_cal``).

Simulates daily pipeline metadata with :func:`spacekit.datasets.jwst.simulate_jwst`
(``write_fits=False``) and ingests it with :class:`spacekit.preprocessor.ingest.JwstCalIngest`
(or uses ``--data DIR`` holding ``train-image.csv`` / ``train-spec.csv``). For each mode it
holds out a random test split, then trains

* the network: ``--members`` small MLPs (different seeds) on the 18 ``COLUMN_ORDER``
  inputs (offset columns Yeo-Johnson-normalised as at prediction, then every input
  standardised), the **log** of the memory as target, Huber loss, L2 weight decay, the
  learning rate reduced on plateaus and early stopping on a validation share of the
  training rows. The members are then merged into **one** Dense MLP (side by side:
  concatenated first layer, block-diagonal hidden layers, averaging output) with the
  standardisation folded into its first layer, so the archive holds one plain network
  per mode that takes the usual inputs and outputs the members' mean log(GB). The
  inverse transform (``exp``) is recorded in ``tx_data-{mode}.json`` as
  ``"target": {"transform": "log"}``;
* the baseline: scikit-learn's ``HistGradientBoostingRegressor`` on the same rows and
  features with the memory in GB as target (as ``JwstCalTrain`` reports it), plus the
  same on the log target for reference;

and compares them on the held-out products. The archive
``src/spacekit/builder/trained_networks/jwst_cal.zip`` gets a model card with that table,
and ``jwst_cal.json`` registers it as ``packaged/jwst_cal``
(:func:`spacekit.builder.registry.write_packaged_entry`).

Usage::

    nohup python tools/train_default_jwst.py > train.log 2>&1 &     # about 30 CPU-minutes
    python tools/train_default_jwst.py -n 20000 --days 4 -o /tmp/jwst_cal.zip   # a quick try

The two modes can also be trained in parallel processes and assembled afterwards: each
run keeps ``{workdir}/{mode}/`` (model, tx_data, scores), and ``--assemble`` writes the
archive from them without training::

    python tools/train_default_jwst.py --workdir W --modes spec --data W/tables &
    python tools/train_default_jwst.py --workdir W --modes image --data W/tables &
    python tools/train_default_jwst.py --workdir W --assemble

The run is reproducible for a given ``--seed`` on one machine; it uses one CPU thread
(``--threads``) so that it can run beside other work.
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

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "spacekit" / "builder" / "trained_networks" / "jwst_cal.zip"
MODES = {"image": ("img3_reg", "jwst_cal_image3", "image3_regressor"),
         "spec": ("spec3_reg", "jwst_cal_spec3", "spec3_regressor")}  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=None, help="folder with train-{mode}.csv")
    p.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, help="archive to write")
    p.add_argument("--workdir", type=Path, default=None, help="keep intermediate files here")
    p.add_argument("-n", "--n-exposures", type=int, default=300_000, help="simulated exposures")
    p.add_argument("--days", type=int, default=40, help="simulated days of metadata")
    p.add_argument("--hidden", default="64,32", help="hidden layer sizes (ReLU) of a member")
    p.add_argument("--members", type=int, default=3, help="networks merged into one")
    p.add_argument("--l2", type=float, default=1e-4, help="L2 weight decay of the hidden layers")
    p.add_argument("--epochs", type=int, default=400, help="at most this many epochs")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--patience", type=int, default=30, help="early-stopping patience")
    p.add_argument("--test-size", type=float, default=0.2, help="held-out share of products")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--threads", type=int, default=1, help="TensorFlow CPU threads")
    p.add_argument(
        "--weight-power",
        default="image=0.5,spec=0",
        help="per mode, weight each training product by GB**power (0: equal weights); "
        "a positive power makes the large products, which dominate the RMSE in GB, count more",
    )
    p.add_argument("--modes", default="image,spec", help="modes to train in this run")
    p.add_argument(
        "--assemble", action="store_true", help="only write the archive from WORKDIR/{mode}/"
    )
    p.add_argument("-v", "--verbose", action="store_true")
    return p


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


def merge_members(members, mean, scale, name, input_name, output_name):
    """One Dense MLP equal to the mean of ``members`` applied to ``(x - mean) / scale``.

    The members (same hidden sizes, ReLU) are placed side by side: their first-layer
    kernels are concatenated (with the input scaling folded in), deeper kernels form a
    block-diagonal matrix, and the output layer averages the members' outputs.
    """
    import numpy as np
    from scipy.linalg import block_diag

    from spacekit.builder.blueprints import build_mlp_regressor

    weights = [[lyr.get_weights() for lyr in m.layers if lyr.get_weights()] for m in members]
    k = len(members)
    merged = []
    for depth in range(len(weights[0])):
        kernels = [w[depth][0] for w in weights]
        biases = [w[depth][1] for w in weights]
        if depth == 0:
            kernel = np.concatenate([kr / scale[:, None] for kr in kernels], axis=1)
            shift = mean / scale
            bias = np.concatenate([b - shift @ kr for kr, b in zip(kernels, biases, strict=True)])
        elif depth < len(weights[0]) - 1:
            kernel, bias = block_diag(*kernels), np.concatenate(biases)
        else:
            kernel, bias = np.concatenate(kernels, axis=0) / k, np.mean(biases, axis=0)
        merged.append([kernel.astype(np.float32), np.asarray(bias, np.float32)])
    hidden = [w[0].shape[1] for w in merged[:-1]]
    model = build_mlp_regressor(
        merged[0][0].shape[0], hidden, name, input_name=input_name, output_name=output_name
    )
    dense = [lyr for lyr in model.layers if lyr.get_weights()]
    for lyr, w in zip(dense, merged, strict=True):
        lyr.set_weights(w)
    return model


def train_mode(tables: Path, mode: str, args) -> dict:
    """Train the network and the baselines of one mode; return models, tx and scores."""
    import keras
    import numpy as np

    from spacekit.analyzer.baseline import fit_baseline
    from spacekit.builder.blueprints import build_mlp_regressor
    from spacekit.builder.inference import NumpyMLP
    from spacekit.skopes.jwst.cal.prep import JwstCalPrep
    from spacekit.skopes.jwst.cal.train import JwstCalTrain

    model_name, input_name, output_name = MODES[mode]
    data = JwstCalTrain(tables, out=args.workdir_path, exp_mode=mode, seed=args.seed).load_data()
    jp = JwstCalPrep(data, exp_mode=mode, random=args.seed, tsize=args.test_size).prep_data()
    Xtr, Xte = jp.X_train.astype(np.float64), jp.X_test.astype(np.float64)
    ytr, yte = jp.y_reg_train.ravel().astype(float), jp.y_reg_test.ravel().astype(float)

    t0 = time.perf_counter()
    _, _, base = fit_baseline(Xtr, ytr, Xte, seed=args.seed)
    _, _, base_log = fit_baseline(Xtr, np.log(ytr), Xte, seed=args.seed)
    t_base = time.perf_counter() - t0

    mean, scale = Xtr.mean(axis=0), Xtr.std(axis=0)
    scale[scale == 0] = 1.0
    order = np.random.default_rng(args.seed).permutation(len(ytr))
    n_val = max(1, len(ytr) // 10)
    fit, val = order[n_val:], order[:n_val]
    Z = ((Xtr - mean) / scale).astype(np.float32)
    t = np.log(ytr).astype(np.float32)
    power = float(dict(kv.split("=") for kv in args.weight_power.split(",")).get(mode, 0))
    weights = (ytr**power / np.mean(ytr**power)).astype(np.float32)

    hidden = [int(u) for u in args.hidden.split(",")]
    reg = {i: {"kernel_regularizer": keras.regularizers.L2(args.l2)} for i in range(len(hidden))}
    members, member_logs, epochs = [], [], []
    Zte = ((Xte - mean) / scale).astype(np.float32)
    t0 = time.perf_counter()
    for i in range(args.members):
        seed = args.seed + i
        keras.utils.set_random_seed(seed)
        member = build_mlp_regressor(
            Xtr.shape[1], hidden, f"{model_name}_{i}", layer_kwargs=reg if args.l2 else None,
            seed=seed,
        )  # fmt: skip
        member.compile(optimizer=keras.optimizers.Adam(args.learning_rate), loss="huber")
        callbacks = [
            keras.callbacks.EarlyStopping(
                "val_loss", patience=args.patience, restore_best_weights=True
            ),
            keras.callbacks.ReduceLROnPlateau(
                "val_loss", factor=0.3, patience=max(1, args.patience // 3), min_lr=1e-5
            ),
        ]
        history = member.fit(
            Z[fit], t[fit], sample_weight=weights[fit],
            validation_data=(Z[val], t[val], weights[val]), epochs=args.epochs,
            batch_size=args.batch_size, verbose=2 if args.verbose else 0, callbacks=callbacks,
        )  # fmt: skip
        members.append(member)
        member_logs.append(member.predict(Zte, verbose=0).ravel())
        epochs.append(len(history.history["loss"]))
        print(f"{mode} member {i}: {epochs[-1]} epochs", flush=True)
    t_fit = time.perf_counter() - t0
    model = merge_members(members, mean, scale, model_name, input_name, output_name)
    # the archive's numpy model on the plain inputs gives the members' mean output
    with tempfile.TemporaryDirectory(prefix="spacekit-merged-") as tmp:
        saved = Path(tmp) / f"{model_name}.keras"
        model.save(saved)
        merged = NumpyMLP.from_keras_file(saved.read_bytes(), where=str(saved))
    net_log = merged.predict(Xte.astype(np.float32)).ravel()
    if not np.allclose(net_log, np.mean(member_logs, axis=0), atol=1e-3):
        raise RuntimeError("merging the members changed their mean output")
    tx = {k: [float(v) for v in jp.tx_data[k]] for k in ("lambdas", "mu", "sigma")}
    tx["columns"] = list(jp.norm_cols)
    tx["target"] = {"transform": "log", "column": "imgsize_gb", "unit": "GB"}
    return {
        "model": model,
        "tx": tx,
        "scores": {
            "network": metrics(yte, np.exp(net_log)),
            "members": [metrics(yte, np.exp(m)) for m in member_logs],
            "baseline": metrics(yte, base),
            "baseline_log": metrics(yte, np.exp(base_log)),
        },
        "sizes": {"train": int(len(fit)), "validation": int(len(val)), "test": int(len(yte))},
        "epochs": epochs,
        "seconds": {"network": round(t_fit, 1), "baselines": round(t_base, 1)},
        "weight_power": power,
        "test_max_gb": float(yte.max()),
    }


def _row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['rmse']:.3f} | {m['mae']:.3f} | {m['r2']:.3f} | "
        f"{100 * m['median_ape']:.1f} % |"
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
        f"- networks: per mode, {args.members} MLPs (Dense {args.hidden.replace(',', '-')}, ReLU,",
        "  linear output = log(GB); different seeds) merged side by side into one Dense MLP",
        "  that outputs their mean; inputs standardised (folded into the first layer), Huber",
        f"  loss, L2 {args.l2:g}, Adam {args.learning_rate:g} reduced on plateaus, batch "
        f"{args.batch_size},",
        f"  early stopping (patience {args.patience}) on 10 % of the training rows; training",
        "  products weighted by GB**power (power per mode: "
        + ", ".join(f"{m} {r['weight_power']:g}" for m, r in results.items())
        + ").",
        "- target: the networks predict log(GB); `tx_data-{mode}.json` records",
        '  `"target": {"transform": "log"}` and spacekit applies `exp`.',
        "",
        "## Network vs gradient-boosting baseline (held-out simulated products)",
        "",
        "Test split: a random "
        f"{100 * args.test_size:.0f} % of the products of each mode, never seen in training,",
        "early stopping or normalisation. Baseline: scikit-learn",
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
    result["model"].save(folder / "model.keras")
    info = {k: v for k, v in result.items() if k != "model"}
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
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
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
        elif args.data is not None:
            tables, data_info = args.data, {"source": str(args.data)}
            manifest = args.data.parent / "data_info.json"
            if manifest.is_file():
                data_info = json.loads(manifest.read_text())
        else:
            tables, data_info = simulate_tables(workdir, args.n_exposures, args.days, args.seed)
            (workdir / "data_info.json").write_text(json.dumps(data_info))
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
