"""A small numpy trainer for the Dense ReLU regressors of ``train_default_jwst.py``.

The packaged networks are tiny (two hidden layers of a few dozen units) and their
training sets hold a few thousand rows, so Keras' per-step and per-epoch overhead
dominates their training time (about 1 s per epoch on a loaded 2-core machine, against
a few milliseconds here). This module trains the same model -- Glorot-uniform kernels,
zero biases, ReLU hidden layers, a linear output, weighted Huber loss, L2 on the hidden
kernels, Adam, the learning rate reduced on plateaus and early stopping on a validation
set with the best weights restored -- in float64 numpy on one thread, which makes a
several-split evaluation of the recipe affordable. The weights are then set into a Keras
model (:func:`spacekit.builder.blueprints.build_mlp_regressor`) for the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["FitResult", "LogFeatures", "fit_mlp", "forward", "merge_members", "pl_log"]

#: Knots of the piecewise-linear log (ratios 4/3 and 3/2 alternately, 1 to 4096).
LOG_KNOTS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768)
LOG_KNOTS += (1024, 1536, 2048, 3072, 4096)


@dataclass
class FitResult:
    """Trained weights ``[(kernel, bias), ...]`` (hidden layers, then the output)."""

    weights: list[tuple[np.ndarray, np.ndarray]]
    epochs: int
    best_epoch: int
    val_loss: list[float] = field(default_factory=list)


def forward(weights, X: np.ndarray) -> np.ndarray:
    """Output of the MLP ``weights`` (ReLU hidden layers, linear output) on ``X``."""
    a = np.asarray(X, dtype=np.float64)
    for kernel, bias in weights[:-1]:
        a = np.maximum(a @ kernel + bias, 0.0)
    kernel, bias = weights[-1]
    return (a @ kernel + bias).ravel()


def _huber(err: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Huber loss of ``err`` and its derivative."""
    small = np.abs(err) <= delta
    loss = np.where(small, 0.5 * err**2, delta * (np.abs(err) - 0.5 * delta))
    grad = np.where(small, err, delta * np.sign(err))
    return loss, grad


def _val_loss(weights, X, y, w, delta, gb, gb_scale) -> float:
    out = forward(weights, X)
    loss, _ = _huber(out - y, delta)
    total = np.mean(w * loss)
    if gb:
        err = np.exp(np.minimum(out, _MAX_LOG)) - np.exp(y)
        total += gb * np.mean(err**2) / (2.0 * gb_scale**2)
    return float(total)


_MAX_LOG = 20.0  # exp() of larger log outputs is clipped in the loss (no overflow)


def fit_mlp(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray, np.ndarray],
    hidden: tuple[int, ...] = (64, 32),
    *,
    l2: float = 1e-4,
    learning_rate: float = 1e-3,
    batch_size: int = 64,
    epochs: int = 400,
    patience: int = 30,
    plateau_factor: float = 0.3,
    min_lr: float = 1e-5,
    delta: float = 1.0,
    seed: int = 0,
    gb: float = 0.0,
    gb_scale: float = 1.0,
    init=None,
) -> FitResult:
    """Train a Dense ReLU regressor with Adam on a weighted Huber loss.

    Parameters
    ----------
    X, y, sample_weight : numpy.ndarray
        Training inputs (standardised), targets and weights.
    validation : tuple of numpy.ndarray
        ``(X_val, y_val, w_val)``: early stopping and the plateau schedule watch the
        weighted Huber loss on these rows.
    hidden : tuple of int, default=(64, 32)
    l2 : float, default=1e-4
        L2 penalty ``l2 * sum(kernel**2)`` of each hidden kernel (as ``keras.regularizers.L2``).
    learning_rate : float, default=1e-3
        Initial Adam learning rate (beta 0.9/0.999, epsilon 1e-7 as in Keras).
    batch_size : int, default=64
    epochs : int, default=400
        Upper bound; training stops after ``patience`` epochs without a better
        validation loss and the best weights are restored.
    patience : int, default=30
    plateau_factor, min_lr : float
        The learning rate is multiplied by ``plateau_factor`` (not below ``min_lr``)
        after ``max(1, patience // 3)`` epochs without improvement.
    delta : float, default=1.0
        Huber threshold.
    seed : int, default=0
        Seeds the initial weights and the batch order.
    gb : float, default=0.0
        For a log target: weight of a second term, the squared error of ``exp(output)``
        against ``exp(y)`` divided by ``2 * gb_scale**2`` (not sample-weighted). It makes
        the large values, which dominate an RMSE in the original units, count as they do
        there.
    gb_scale : float, default=1.0
        Scale of that term (e.g. the root mean square of the target in its units).
    init : list of (kernel, bias), optional
        Start from these weights (fine-tuning) instead of Glorot-uniform ones.

    Returns
    -------
    FitResult
    """
    rng = np.random.default_rng(seed)
    X = np.asarray(X, np.float64)
    y = np.asarray(y, np.float64).ravel()
    w = np.asarray(sample_weight, np.float64).ravel()
    Xv, yv, wv = (np.asarray(a, np.float64) for a in validation)
    yv, wv = yv.ravel(), wv.ravel()
    sizes = [X.shape[1], *hidden, 1]
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        limit = np.sqrt(6.0 / (n_in + n_out))
        weights.append((rng.uniform(-limit, limit, (n_in, n_out)), np.zeros(n_out)))
    if init is not None:
        weights = [(np.array(k, np.float64), np.array(b, np.float64)) for k, b in init]
    params = [p for pair in weights for p in pair]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-7
    lr, step = learning_rate, 0
    best, best_epoch, wait, wait_lr = np.inf, 0, 0, 0
    best_weights = [(k.copy(), b.copy()) for k, b in weights]
    history = []
    n_layers = len(weights)
    epoch = 0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start : start + batch_size]
            acts = [X[idx]]
            for kernel, bias in weights[:-1]:
                acts.append(np.maximum(acts[-1] @ kernel + bias, 0.0))
            out = (acts[-1] @ weights[-1][0] + weights[-1][1]).ravel()
            _, dloss = _huber(out - y[idx], delta)
            g_out = w[idx] * dloss
            if gb:
                pred = np.exp(np.minimum(out, _MAX_LOG))
                g_out = g_out + gb * (pred - np.exp(y[idx])) * pred / gb_scale**2
            grad = (g_out / len(idx))[:, None]
            grads = [None] * (2 * n_layers)
            for layer in range(n_layers - 1, -1, -1):
                kernel = weights[layer][0]
                gk = acts[layer].T @ grad
                if layer < n_layers - 1 and l2:
                    gk = gk + 2.0 * l2 * kernel
                grads[2 * layer], grads[2 * layer + 1] = gk, grad.sum(axis=0)
                if layer:
                    grad = (grad @ kernel.T) * (acts[layer] > 0)
            step += 1
            corr = lr * np.sqrt(1 - b2**step) / (1 - b1**step)
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                m1[i] = b1 * m1[i] + (1 - b1) * g
                m2[i] = b2 * m2[i] + (1 - b2) * g * g
                p -= corr * m1[i] / (np.sqrt(m2[i]) + eps)
        loss = _val_loss(weights, Xv, yv, wv, delta, gb, gb_scale)
        history.append(loss)
        if loss < best:
            best, best_epoch, wait, wait_lr = loss, epoch, 0, 0
            best_weights = [(k.copy(), b.copy()) for k, b in weights]
            continue
        wait += 1
        wait_lr += 1
        if wait >= patience:
            break
        if wait_lr >= max(1, patience // 3) and lr > min_lr:
            lr, wait_lr = max(min_lr, lr * plateau_factor), 0
    return FitResult(best_weights, epoch, best_epoch, history)


def _hinge_coefs(knots: np.ndarray) -> np.ndarray:
    """``a`` with ``sum_j a_j relu(x - k_j) + log(k_0)`` = the piecewise-linear log."""
    slopes = np.diff(np.log(knots)) / np.diff(knots)
    a = np.empty(len(knots))
    a[0], a[1:-1], a[-1] = slopes[0], np.diff(slopes), -slopes[-1]
    return a


def pl_log(x, knots=LOG_KNOTS) -> np.ndarray:
    """Piecewise-linear interpolation of ``log(x)`` between ``knots``.

    Exact at the knots, linear between them, ``log(knots[0])`` below the first and
    ``log(knots[-1])`` beyond the last one.
    """
    k = np.asarray(knots, dtype=np.float64)
    hinges = np.maximum(np.asarray(x, np.float64).reshape(-1, 1) - k, 0.0)
    return hinges @ _hinge_coefs(k) + np.log(k[0])


class LogFeatures:
    """The model inputs plus :func:`pl_log` of some columns, and its Dense-layer form.

    Parameters
    ----------
    n_inputs : int
        Number of model inputs.
    log_columns : sequence of int
        Positions of the inputs that also enter as ``pl_log(x)``.
    knots : sequence of float, default=LOG_KNOTS
    """

    def __init__(self, n_inputs: int, log_columns, knots=LOG_KNOTS) -> None:
        self.n_inputs = int(n_inputs)
        self.log_columns = [int(c) for c in log_columns]
        self.knots = np.asarray(knots, dtype=np.float64)

    def fit(self, X) -> LogFeatures:
        """Record the input means (the pass-through units are centred on them)."""
        self.center_ = np.asarray(X, np.float64).mean(axis=0)
        return self

    def transform(self, X) -> np.ndarray:
        """``[X, pl_log(X[:, c]) for c in log_columns]``."""
        X = np.asarray(X, np.float64)
        logs = [pl_log(X[:, c], self.knots).reshape(-1, 1) for c in self.log_columns]
        return np.hstack([X, *logs])

    def layer(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A Dense ReLU layer ``u = relu(x @ A + c)`` and the map ``features = u @ L + f0``."""
        n, nk = self.n_inputs, len(self.knots)
        n_units, n_feat = 2 * n + nk * len(self.log_columns), n + len(self.log_columns)
        A, c = np.zeros((n, n_units)), np.zeros(n_units)
        L, f0 = np.zeros((n_units, n_feat)), np.zeros(n_feat)
        for j in range(n):
            A[j, 2 * j], A[j, 2 * j + 1] = 1.0, -1.0
            c[2 * j], c[2 * j + 1] = -self.center_[j], self.center_[j]
            L[2 * j, j], L[2 * j + 1, j], f0[j] = 1.0, -1.0, self.center_[j]
        coefs = _hinge_coefs(self.knots)
        for m, col in enumerate(self.log_columns):
            units = slice(2 * n + m * nk, 2 * n + (m + 1) * nk)
            A[col, units], c[units] = 1.0, -self.knots
            L[units, n + m], f0[n + m] = coefs, np.log(self.knots[0])
        return A, c, L, f0


def merge_members(
    members, features: LogFeatures, mean, scale, *, clip=None, out_scale=1.0, out_bounds=None
):
    """Weights of one Dense ReLU network equal to the members' mean output.

    Parameters
    ----------
    members : list of list of (kernel, bias)
        Trained members (same sizes), each on ``(features.transform(x) - mean) / scale``.
    features : LogFeatures
        Fitted feature map.
    mean, scale : numpy.ndarray
        Standardisation of the features.
    clip : tuple of numpy.ndarray, optional
        ``(low, high)`` per input: a first layer clips the raw inputs to this range (the
        training range), as ``low + relu(x - low) - relu(x - high)``, so that inputs
        beyond it get the value at its edge instead of an extrapolation.
    out_scale : float, default=1.0
        The mean output is multiplied by this (a target trained in units of its scale).
    out_bounds : tuple of float, optional
        ``(low, high)``: the (scaled) output is clamped to this range by a last ReLU
        layer of two units, ``low + relu(z - low) - relu(z - high)``.

    Returns
    -------
    list of (kernel, bias)
        The fixed feature layer, the members side by side, and an averaging output layer
        (ReLU on all but the last), taking the raw model inputs.
    """
    from scipy.linalg import block_diag

    A, c, L, f0 = features.layer()
    merged = [(A, c)]
    if clip is not None:
        low, high = (np.asarray(v, np.float64) for v in clip)
        n = len(low)
        # units relu(x - low) and relu(x - high); the feature layer reads their difference
        merged = [(np.hstack([np.eye(n), np.eye(n)]), np.concatenate([-low, -high]))]
        merged.append((np.vstack([A, -A]), c + low @ A))
    depth, k = len(members[0]), len(members)
    for d in range(depth):
        kernels = [m[d][0] for m in members]
        biases = [m[d][1] for m in members]
        if d == 0:
            kernel = np.concatenate([L @ (kr / scale[:, None]) for kr in kernels], axis=1)
            shift = (f0 - mean) / scale
            bias = np.concatenate([b + shift @ kr for kr, b in zip(kernels, biases, strict=True)])
        elif d < depth - 1:
            kernel, bias = block_diag(*kernels), np.concatenate(biases)
        else:
            kernel = np.concatenate(kernels, axis=0) * (out_scale / k)
            bias = np.mean(biases, axis=0) * out_scale
        merged.append((kernel, bias))
    if out_bounds is not None:
        low, high = (float(v) for v in out_bounds)
        kernel, bias = merged.pop()
        merged.append((np.hstack([kernel, kernel]), np.concatenate([bias - low, bias - high])))
        merged.append((np.array([[1.0], [-1.0]]), np.array([low])))
    return merged
