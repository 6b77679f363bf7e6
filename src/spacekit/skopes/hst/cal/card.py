"""The model card of an ``hst_cal`` archive and the training run's closing summary."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["make_model_card", "summary_lines", "network_rows", "coverage_rows"]

_NAMES = {"mem_clf": "memory bin", "mem_reg": "memory (GB)", "wall_reg": "wallclock (s)"}
_LABELS = {"loss": "cross-entropy", "roc_auc": "ROC AUC (macro)", "test_rmse": "RMSE"}


def _f(v, digits: int = 3) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float) and abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def network_rows(scores: dict) -> list[list[str]]:
    """Rows ``[network, metric, network value, baseline value]`` of held-out scores."""
    rows = []
    for name, sc in scores.items():
        nn, hgb = sc.get("network", {}), sc.get("baseline", {})
        if sc.get("task") == "classification":
            keys = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "loss")
        else:
            keys = ("test_rmse", "mae", "r2")
        for key in keys:
            if key in nn:
                label = _LABELS.get(key, key)
                rows.append([name, label, _f(nn.get(key)), _f(hgb.get(key))])
        kf = sc.get("kfold")
        if kf:
            rows.append(
                [
                    name,
                    f"{kf['k']}-fold {kf['metric']}",
                    _f(kf.get("network_mean")),
                    _f(kf.get("baseline_mean")),
                ]
            )
    return rows


def coverage_rows(coverage: dict) -> list[list[str]]:
    """Rows ``[target, level, coverage, median head-room, reserved / used, x3 coverage,
    x3 reserved / used, reserved vs x3]``."""
    rows = []
    for target, cov in coverage.items():
        for level, m in cov.get("levels", {}).items():
            rows.append(
                [
                    target,
                    level,
                    _f(m["coverage"]),
                    f"x{_f(m['headroom_median'], 2)}",
                    _f(m["reserved_ratio"], 2),
                    _f(m["rule_coverage"]),
                    _f(m["rule_reserved_ratio"], 2),
                    _f(m["reserved_vs_rule"], 2),
                ]
            )
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def make_model_card(trainer) -> str:
    """Markdown model card: data, networks vs baselines, upper-bound coverage vs x 3."""
    from spacekit import __version__

    rows = {s: int((trainer.data["split"] == s).sum()) for s in ("fit", "calib", "test")}
    source = trainer.fpath.name if trainer.fpath is not None else "a DataFrame (data=)"
    lines = [
        "# hst_cal model card",
        "",
        f"- spacekit version: {__version__}",
        f"- created: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- training data: {source}" + (f" ({trainer.date_key})" if trainer.date_key else ""),
        f"- rows: {rows['fit']} fit (10 % of them for early stopping), {rows['calib']} "
        f"calibration, {rows['test']} test; {len(trainer.skipped)} left out",
        "- task: memory bin (< 2, 2-8, 8-16, > 16 GB), memory (GB) and wallclock (s) of HST "
        "calibration jobs, from 9 features (spacekit.skopes.hst.cal.config.X_NORM)",
        "- networks: the spacekit 1.1.4 architectures (mem_clf, mem_reg, wall_reg)",
        "",
        "## Held-out metrics: each network against its gradient-boosting baseline",
        "",
        *_table(["network", "metric", "network", "baseline"], network_rows(trainer.scores)),
        "",
        "The baseline is scikit-learn's HistGradientBoosting (classifier or regressor) fitted "
        "on the same rows and features. RMSE and MAE are in GB (memory) or seconds "
        "(wallclock); balanced accuracy, F1 and ROC AUC are means over the memory bins "
        "present in the test rows.",
    ]
    if trainer.coverage:
        lines += [
            "",
            "## Upper bounds: coverage on the test rows and head-room against x 3",
            "",
            *_table(
                [
                    "target",
                    "level",
                    "coverage",
                    "median bound / estimate",
                    "reserved / used",
                    "x3 coverage",
                    "x3 reserved / used",
                    "reserved vs x3",
                ],
                coverage_rows(trainer.coverage),
            ),
            "",
            "Bounds are split-conformal (Mondrian by instrument and association type) on the "
            "calibration rows: `estimate * exp(q)`, `q` a quantile of `log(true / estimate)`. "
            "'Reserved / used' is the sum of the bounds over the sum of the true values; "
            "'reserved vs x3' below 1 means the bound reserves less in total than tripling "
            "the estimate.",
        ]
    if getattr(trainer, "card_extra", ""):
        lines += ["", trainer.card_extra.strip()]
    return "\n".join(lines) + "\n"


def summary_lines(trainer) -> list[str]:
    """Short plain-text summary printed by the training command."""
    out = [f"run: {trainer.run_path}"]
    for name, metric, nn, hgb in network_rows(trainer.scores):
        out.append(
            f"{_NAMES.get(name, name):<14} {metric:<18} network {nn:>10}  baseline {hgb:>10}"
        )
    for target, cov in trainer.coverage.items():
        m = cov["levels"].get(str(trainer.level))
        if m:
            out.append(
                f"{target} upper bound at {trainer.level}: coverage {m['coverage']:.3f} "
                f"(x3: {m['rule_coverage']:.3f}), reserved {m['reserved_vs_rule']:.2f} of x3"
            )
    if trainer.archive_path is not None:
        out.append(f"archive: {trainer.archive_path}")
    return out
