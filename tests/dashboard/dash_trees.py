"""Results trees for the dashboard tests, written with the analyzer classes."""

from pathlib import Path

import numpy as np

from spacekit.analyzer.compute import ComputeMulti, ComputeRegressor

HIST_CLF = {
    "loss": [1.2, 1.0, 0.9],
    "accuracy": [0.4, 0.5, 0.6],
    "val_loss": [1.3, 1.1, 1.0],
    "val_accuracy": [0.4, 0.45, 0.5],
}
HIST_REG = {"loss": [3.0, 2.0, 1.0], "rmse": [1.7, 1.4, 1.0], "val_loss": [3.0, 2.5, 2.0]}


def write_cal_versions(root: Path, n_versions: int = 3, n: int = 120, seed: int = 0) -> Path:
    """``root/2020-09-13-{ts}/results/{mem_bin,memory}`` for ``n_versions`` versions."""
    rng = np.random.default_rng(seed)
    for i in range(n_versions):
        version = root / f"2020-09-13-{1600000000 + 1000 * i}"
        y = rng.integers(0, 4, n)
        logits = rng.normal(0, 1, (n, 4))
        logits[np.arange(n), y] += 1 + 0.5 * i
        s = np.exp(logits)
        s /= s.sum(axis=1, keepdims=True)
        ComputeMulti(
            y_true=y, y_scores=s, history=HIST_CLF, test_idx=[f"id{k}" for k in range(n)],
            res_path=version / "results" / "mem_bin",
        ).make_outputs()  # fmt: skip
        yt = np.exp(rng.normal(1, 1, n))
        ComputeRegressor(
            yt, yt * np.exp(rng.normal(0, 0.3, n)), history=HIST_REG,
            res_path=version / "results" / "memory",
        ).download()  # fmt: skip
    return root
