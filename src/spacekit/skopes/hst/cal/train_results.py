"""Evaluate, calibrate and cross-validate the HST cal networks of a :class:`.train.Train` run.

Each function takes the trainer (its data, splits, inputs and networks) and returns plain
dicts; the results folders are written with :mod:`spacekit.analyzer`.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from spacekit.exceptions import InputError

__all__ = [
    "predict_keras",
    "evaluate_network",
    "calibrate_bounds",
    "kfold_scores",
    "save_kfold_only",
    "batch_table",
]

log = logging.getLogger("spacekit.skopes.hst.cal.train")

_N_CLASSES = 4


def predict_keras(model, X: np.ndarray) -> np.ndarray:
    """Outputs of a Keras model on ``X`` (eager calls in chunks; no predict tracing)."""
    X = np.asarray(X, dtype=np.float32)
    parts = [np.asarray(model(X[i : i + 8192], training=False)) for i in range(0, len(X), 8192)]
    return np.concatenate(parts).astype(float) if parts else np.empty((0, 1))


#: Classifier metrics reported for the network and its baseline.
CLASSIFIER_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "loss", "roc_auc")


def _full_proba(model, proba: np.ndarray) -> np.ndarray:
    """Baseline probabilities over all 4 bins (a bin absent from training gets 0)."""
    out = np.zeros((len(proba), _N_CLASSES))
    out[:, model.classes_.astype(int)] = proba
    return out


def _evaluate_classifier(trainer, name, target, model, masks, kfold) -> dict:
    from spacekit.analyzer.baseline import fit_baseline_classifier
    from spacekit.analyzer.classification import classification_metrics
    from spacekit.analyzer.compute import ComputeMulti
    from spacekit.analyzer.figures import save_figure
    from spacekit.preprocessor.tables.hst_cal import MEM_BIN_LABELS

    X, y = trainer.X, trainer.data[target].to_numpy(dtype=int)
    fit, test = masks["fit"], masks["test"]
    com = ComputeMulti(
        classes=MEM_BIN_LABELS,
        res_path=trainer.res_path / target,
        y_true=y[test],
        y_scores=predict_keras(model, X[test]),
        history=trainer.histories.get(name),
        test_idx=list(trainer.data.index[test]),
        y_train_true=y[fit],
        y_train_scores=predict_keras(model, X[fit]),
        model_name=name,
    )
    metrics = com.calculate_multi(show_summary=False)
    scores = {
        "task": "classification",
        "network": {k: metrics[k] for k in CLASSIFIER_METRICS},
    }
    scores["network"]["train_accuracy"] = float(com.acc_loss["train_acc"])
    outputs = com.make_outputs(dl=False)
    if kfold is not None:
        outputs["kfold"] = {k: v for k, v in kfold.items() if isinstance(v, list)}
        scores["kfold"] = kfold
    com.meta["target"] = target
    com.download(outputs)
    if trainer.plots:
        for fig_name, fig in com.draw_plots().items():
            save_figure(fig, trainer.run_path / "figures" / f"{target}-{fig_name}.html")
    if trainer.baseline:
        t0 = time.perf_counter()
        hgb, _, pte = fit_baseline_classifier(X[fit], y[fit], X[test], seed=trainer.seed)
        base = classification_metrics(y[test], _full_proba(hgb, pte), MEM_BIN_LABELS)
        scores["baseline"] = {k: base[k] for k in CLASSIFIER_METRICS}
        scores["baseline"]["fit_seconds"] = time.perf_counter() - t0
    return scores


def _evaluate_regressor(trainer, name, target, model, masks, kfold) -> dict:
    from spacekit.analyzer.baseline import fit_baseline
    from spacekit.analyzer.compute import ComputeRegressor
    from spacekit.skopes.hst.cal.train import THRESHOLDS

    X, y = trainer.X, trainer.data[target].to_numpy(dtype=float)
    fit, test = masks["fit"], masks["test"]
    com = ComputeRegressor(
        y_true=y[test],
        y_pred=predict_keras(model, X[test])[:, 0],
        history=trainer.histories.get(name),
        test_idx=list(trainer.data.index[test]),
        y_train_true=y[fit],
        y_train_pred=predict_keras(model, X[fit])[:, 0],
        model_name=name,
        res_path=trainer.res_path / target,
        thresholds=THRESHOLDS[target],
    )
    scores = {"network": dict(com.calculate_results()), "task": "regression"}
    outputs = com.make_outputs(dl=False)
    if kfold is not None:
        outputs["kfold"] = {k: v for k, v in kfold.items() if isinstance(v, list)}
        scores["kfold"] = kfold
    com.meta["target"] = target
    com.download(outputs)
    if trainer.plots:
        com.save_plots(trainer.run_path / "figures", prefix=f"{target}-")
    if trainer.baseline:
        t0 = time.perf_counter()
        _, ptr, pte = fit_baseline(X[fit], y[fit], X[test], seed=trainer.seed)
        base = ComputeRegressor(
            y[test], pte, y_train_true=y[fit], y_train_pred=ptr, thresholds=THRESHOLDS[target]
        )
        scores["baseline"] = dict(base.calculate_results())
        scores["baseline"]["fit_seconds"] = time.perf_counter() - t0
    return scores


def evaluate_network(trainer, name: str, target: str, model, masks: dict, kfold=None) -> dict:
    """Held-out metrics of one network and its gradient-boosting baseline.

    ``results/{target}/`` is written with :class:`~spacekit.analyzer.compute.ComputeMulti`
    (``mem_bin``) or :class:`~spacekit.analyzer.compute.ComputeRegressor` (``memory``,
    ``wallclock``), plus the ``kfold`` scores when cross-validated; the figures go to
    ``figures/{target}-*``.

    Returns
    -------
    dict
        ``{"task", "network": {...}, "baseline": {...}, ["kfold": {...}]}``.
    """
    if name == "mem_clf":
        return _evaluate_classifier(trainer, name, target, model, masks, kfold)
    return _evaluate_regressor(trainer, name, target, model, masks, kfold)


def calibrate_bounds(trainer) -> tuple[dict, dict]:
    """Conformal calibration of the regressors on ``calib`` rows; coverage on ``test`` rows.

    Returns
    -------
    bounds : dict of str to ConformalUpperBound
        ``"memory"`` / ``"wallclock"``.
    coverage : dict
        Per target: ``{"levels": {level: metrics}, "groups": {group: coverage at the
        trainer's level}, "n_calib", "n_test"}`` with
        :func:`~spacekit.analyzer.bounds.upper_bound_metrics` against ``x 3``.
    """
    from spacekit.analyzer.bounds import upper_bound_metrics
    from spacekit.builder.conformal import ConformalUpperBound, group_labels
    from spacekit.skopes.hst.cal.train import FLOORS, REPORT_LEVELS

    data = trainer.data
    calib = (data["split"] == "calib").to_numpy()
    test = (data["split"] == "test").to_numpy()
    groups = np.asarray(group_labels(data["instr"], data["dtype"]), dtype=object)
    bounds, coverage = {}, {}
    for name, target in (("mem_reg", "memory"), ("wall_reg", "wallclock")):
        model = trainer.networks.get(name)
        if model is None:
            continue
        y = data[target].to_numpy(dtype=float)
        pred = predict_keras(model, trainer.X)[:, 0]
        cb = ConformalUpperBound(floor=FLOORS[target], name=target)
        cb.fit(y[calib], pred[calib], groups[calib])
        bounds[target] = cb
        levels = {}
        for level in sorted(set(REPORT_LEVELS) | {trainer.level}):
            try:
                upper = np.maximum(cb.predict(pred[test], level, groups[test]), pred[test])
            except InputError as exc:
                log.info("no %s coverage at %s: %s", target, level, exc)
                continue
            levels[str(level)] = upper_bound_metrics(
                y[test], pred[test], upper, factor=3.0, floor=FLOORS[target]
            )
        per_group = {}
        try:
            upper = np.maximum(cb.predict(pred[test], trainer.level, groups[test]), pred[test])
            for g in sorted(set(groups[test])):
                sel = groups[test] == g
                per_group[g] = {
                    "n": int(sel.sum()),
                    "coverage": float(np.mean(y[test][sel] <= upper[sel])),
                    "rule_coverage": float(np.mean(y[test][sel] <= 3 * pred[test][sel])),
                }
        except InputError:
            pass
        coverage[target] = {
            "level": trainer.level,
            "n_calib": int(calib.sum()),
            "n_test": int(test.sum()),
            "levels": levels,
            "groups": per_group,
        }
    return bounds, coverage


def kfold_scores(trainer, name: str, k: int) -> dict:
    """k-fold cross-validation of one network and its baseline on all usable rows.

    Folds are stratified by memory bin (when every bin has ``k`` rows). The normalisation
    is refitted on each fold's training rows. The score is accuracy for ``mem_clf``, RMSE
    for the regressors.
    """
    from sklearn.model_selection import KFold, StratifiedKFold
    from tqdm.auto import tqdm

    from spacekit.analyzer.baseline import fit_baseline, fit_baseline_classifier
    from spacekit.preprocessor.tables.hst_cal import NORM_COLS
    from spacekit.preprocessor.transform import fit_power_transform
    from spacekit.skopes.hst.cal.estimate import normalize_features
    from spacekit.skopes.hst.cal.train import TARGETS

    data = trainer.data
    target = TARGETS[name]
    y = data[target].to_numpy()
    bins = data["mem_bin"].to_numpy()
    if len(data) < k:
        raise InputError(f"{k}-fold cross-validation needs at least {k} rows; have {len(data)}.")
    counts = np.bincount(bins, minlength=4)
    if counts[counts > 0].min() >= k:
        splits = StratifiedKFold(k, shuffle=True, random_state=trainer.seed).split(data, bins)
    else:
        splits = KFold(k, shuffle=True, random_state=trainer.seed).split(data)
    metric = "accuracy" if name == "mem_clf" else "rmse"
    net, base = [], []
    for i, (tr, te) in enumerate(
        tqdm(list(splits), desc=f"{name} folds", disable=not trainer.progress)
    ):
        tx = fit_power_transform(data.iloc[tr], list(NORM_COLS["asn"]))
        X = normalize_features(data, {key: tx[key] for key in ("lambdas", "mu", "sigma")})
        model, _ = trainer.fit_network(name, X[tr], y[tr].astype(float), seed_offset=100 + i)
        out = predict_keras(model, X[te])
        if name == "mem_clf":
            net.append(float(np.mean(np.argmax(out, axis=1) == y[te])))
            if trainer.baseline:
                _, _, p = fit_baseline_classifier(X[tr], y[tr], X[te], seed=trainer.seed)
                base.append(float(np.mean(np.argmax(p, axis=1) == y[te])))
        else:
            net.append(float(np.sqrt(np.mean((out[:, 0] - y[te]) ** 2))))
            if trainer.baseline:
                _, _, p = fit_baseline(X[tr], y[tr], X[te], seed=trainer.seed)
                base.append(float(np.sqrt(np.mean((p - y[te]) ** 2))))
    scores = {"metric": metric, "k": k, "network": net, "network_mean": float(np.mean(net))}
    if base:
        scores["baseline"] = base
        scores["baseline_mean"] = float(np.mean(base))
    return scores


def save_kfold_only(trainer) -> None:
    """For ``cross_val="only"``: write ``results/{target}/`` with just the k-fold scores."""
    from spacekit.analyzer.results import save_results
    from spacekit.skopes.hst.cal.train import TARGETS

    for name, sc in trainer.scores.items():
        kfold = sc.get("kfold")
        if kfold:
            save_results(
                trainer.res_path / TARGETS[name],
                {"kfold": {k: v for k, v in kfold.items() if isinstance(v, list)}},
                meta={"task": "kfold", "model_name": name, "metric": kfold["metric"]},
            )


def batch_table(trainer) -> pd.DataFrame:
    """Every usable row: features, labels, split, ``bin_pred``, ``mem_pred``,
    ``wall_pred`` and the upper bounds at the trainer's level."""
    from spacekit.builder.conformal import group_labels

    table = trainer.data.copy()
    X = trainer.X
    nets = trainer.networks
    if "mem_clf" in nets:
        table["bin_pred"] = np.argmax(predict_keras(nets["mem_clf"], X), axis=1)
    groups = group_labels(table["instr"], table["dtype"])
    for name, target, col in (("mem_reg", "memory", "mem"), ("wall_reg", "wallclock", "wall")):
        if name not in nets:
            continue
        pred = predict_keras(nets[name], X)[:, 0]
        table[f"{col}_pred"] = pred
        cb = trainer.bounds.get(target)
        if cb is not None:
            try:
                table[f"{col}_upper"] = np.maximum(cb.predict(pred, trainer.level, groups), pred)
            except InputError as exc:
                log.warning("no %s upper bounds in batch.csv: %s", target, exc)
    return table
