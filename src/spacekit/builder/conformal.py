"""Calibrated upper bounds on a positive resource (memory, wallclock) from a point estimate.

:class:`ConformalUpperBound` is split-conformal calibration on a held-out set that the
network never trained on. The score of a calibration job is the log ratio of its true
value to the prediction, ``s = log(y) - log(max(y_hat, floor))``. For a level ``a``
(e.g. 0.95) the bound is ``max(y_hat, floor) * exp(q)``, where ``q`` is the
``ceil((n + 1) * a)``-th smallest of the ``n`` calibration scores. If new jobs are
exchangeable with the calibration jobs, at least a fraction ``a`` of them end below their
bound (Vovk et al. 2005; Lei et al. 2018): the guarantee needs no assumption about the
network.

Scores are kept per group (Mondrian conformal prediction; for HST cal the instrument and
association type), so each group gets its own coverage and its own head-room: STIS jobs
are predicted far better than ACS associations and need less margin. A group with fewer
than ``min_group_size`` calibration jobs, or too few for the level asked, uses the pooled
scores.

The calibration is plain JSON (:meth:`to_dict`), stored in model archives beside the
networks; every level from the pooled set's ``1 / (n + 1)`` up to ``n / (n + 1)`` is
available at prediction time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from spacekit.exceptions import ArchiveError, InputError

__all__ = ["ConformalUpperBound", "CONFORMAL_FORMAT", "group_labels"]

CONFORMAL_FORMAT = "spacekit-conformal-upper"
_POOLED = "*"


def _as_float(name: str, values) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} has NaN or infinite values; remove them before calibrating.")
    return arr


def _group_labels(groups, n: int) -> np.ndarray:
    if groups is None:
        return np.full(n, _POOLED, dtype=object)
    labels = np.asarray([str(g) for g in np.ravel(np.asarray(groups, dtype=object))], object)
    if labels.size != n:
        raise InputError(f"groups has {labels.size} labels for {n} predictions.")
    return labels


class ConformalUpperBound:
    """Split-conformal upper bound ``max(y_hat, floor) * exp(q_level)`` per group.

    Parameters
    ----------
    floor : float, default=1e-3
        Predictions (and true values) below this are raised to it before taking logs, so a
        zero or negative prediction still gets a positive bound.
    min_group_size : int, default=100
        Groups with fewer calibration jobs use the pooled scores.
    name : str, optional
        What is bounded (``"memory"``), for messages and the saved dict.

    Attributes
    ----------
    scores_ : dict of str to numpy.ndarray
        Sorted calibration scores per group label, and ``"*"`` for all jobs pooled.
    n_ : int
        Number of calibration jobs.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> pred = rng.uniform(1, 10, 2000)
    >>> true = pred * np.exp(rng.normal(0, 0.3, 2000))
    >>> cb = ConformalUpperBound().fit(true[:1000], pred[:1000])
    >>> upper = cb.predict(pred[1000:], level=0.9)
    >>> bool(0.87 < np.mean(true[1000:] <= upper) < 0.93)
    True
    """

    def __init__(self, floor: float = 1e-3, min_group_size: int = 100, name: str | None = None):
        self.floor = floor
        self.min_group_size = min_group_size
        self.name = name

    # ------------------------------------------------------------------ fitting
    def _scores(self, y_true, y_pred) -> np.ndarray:
        f = float(self.floor)
        return np.log(np.maximum(y_true, f)) - np.log(np.maximum(y_pred, f))

    def fit(self, y_true, y_pred, groups=None) -> ConformalUpperBound:
        """Calibrate on held-out jobs.

        Parameters
        ----------
        y_true, y_pred : array-like of shape (n,)
            True values and the network's predictions on calibration jobs that were not
            used for training.
        groups : array-like of shape (n,), optional
            A group label per job (e.g. ``"3/1"`` for WFC3 associations).

        Returns
        -------
        self
        """
        if not float(self.floor) > 0:
            raise InputError(f"floor must be > 0; received {self.floor!r}.")
        yt, yp = _as_float("y_true", y_true), _as_float("y_pred", y_pred)
        if yt.shape != yp.shape or yt.size == 0:
            raise InputError(
                f"y_true and y_pred must be non-empty and of the same length; received "
                f"{yt.size} and {yp.size}."
            )
        labels = _group_labels(groups, yt.size)
        scores = self._scores(yt, yp)
        self.scores_ = {_POOLED: np.sort(scores)}
        for label in sorted(set(labels) - {_POOLED}):
            self.scores_[label] = np.sort(scores[labels == label])
        self.n_ = int(yt.size)
        return self

    # --------------------------------------------------------------- predicting
    def _check_fitted(self) -> None:
        if not hasattr(self, "scores_"):
            raise InputError("This ConformalUpperBound is not calibrated yet; call fit().")

    def max_level(self) -> float:
        """Highest level the pooled calibration set supports: ``n / (n + 1)``."""
        self._check_fitted()
        n = self.scores_[_POOLED].size
        return n / (n + 1)

    def quantile(self, level: float = 0.95, group: str | None = None) -> float:
        """The score quantile ``q`` used for ``group`` (pooled if None or too small)."""
        self._check_fitted()
        level = float(level)
        if not 0 < level < 1:
            raise InputError(f"level must be between 0 and 1; received {level!r}.")
        for label in (group, _POOLED):
            if label is None or label not in self.scores_:
                continue
            s = self.scores_[label]
            if label != _POOLED and s.size < self.min_group_size:
                continue
            k = math.ceil((s.size + 1) * level)
            if k <= s.size:
                return float(s[k - 1])
        raise InputError(
            f"level={level} needs more calibration jobs than the {self.scores_[_POOLED].size} "
            f"available{' for ' + self.name if self.name else ''}; the highest supported "
            f"level is {self.max_level():.4f}."
        )

    def predict(self, y_pred, level: float = 0.95, groups=None) -> np.ndarray:
        """Upper bounds for predictions ``y_pred`` at ``level``.

        Parameters
        ----------
        y_pred : array-like of shape (n,)
        level : float, default=0.95
            Target share of jobs whose true value is below the bound.
        groups : array-like of shape (n,), optional
            Group labels, as in :meth:`fit`; unknown labels use the pooled scores.

        Returns
        -------
        numpy.ndarray of shape (n,)
        """
        yp = np.asarray(y_pred, dtype=float).ravel()
        labels = _group_labels(groups, yp.size)
        factors = np.empty(yp.size)
        for label in set(labels):
            factors[labels == label] = math.exp(self.quantile(level, label))
        return np.maximum(yp, float(self.floor)) * factors

    # ---------------------------------------------------------------- storing
    def to_dict(self, decimals: int = 4) -> dict:
        """JSON-safe calibration; scores are rounded **up** (bounds never get tighter)."""
        self._check_fitted()
        scale = 10.0**decimals
        return {
            "format": CONFORMAL_FORMAT,
            "format_version": 1,
            "name": self.name,
            "score": "log(y_true) - log(max(y_pred, floor))",
            "floor": float(self.floor),
            "min_group_size": int(self.min_group_size),
            "n": self.n_,
            "scores": {
                label: [float(v) for v in np.ceil(s * scale) / scale]
                for label, s in self.scores_.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ConformalUpperBound:
        """Rebuild a calibration saved with :meth:`to_dict`."""
        if not isinstance(data, Mapping) or data.get("format") != CONFORMAL_FORMAT:
            raise ArchiveError(
                f"Not a conformal calibration (expected format {CONFORMAL_FORMAT!r}); "
                f"received {type(data).__name__}."
            )
        try:
            obj = cls(float(data["floor"]), int(data["min_group_size"]), data.get("name"))
            scores = {
                str(k): np.sort(np.asarray(v, dtype=float)) for k, v in data["scores"].items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveError(f"Malformed conformal calibration: {exc}") from exc
        if _POOLED not in scores or scores[_POOLED].size == 0:
            raise ArchiveError("Conformal calibration has no pooled scores.")
        if not all(np.all(np.isfinite(s)) for s in scores.values()):
            raise ArchiveError("Conformal calibration has non-finite scores.")
        obj.scores_ = scores
        obj.n_ = int(data.get("n", scores[_POOLED].size))
        return obj

    def __repr__(self) -> str:
        fitted = f", n={self.n_}, groups={len(self.scores_) - 1}" if hasattr(self, "n_") else ""
        return f"ConformalUpperBound(name={self.name!r}, floor={self.floor}{fitted})"


def group_labels(*columns: Sequence) -> list[str]:
    """Join per-row values of several columns into group labels (``"3/1"``)."""
    return ["/".join(str(v) for v in row) for row in zip(*columns, strict=True)]
