"""How good an upper bound is: its coverage and the head-room it costs.

Operators of the HST calibration pipeline multiply the wallclock estimate by 3 by hand.
:func:`upper_bound_metrics` puts a calibrated bound next to that rule on the same jobs:
how often each covers the true value, and how much it reserves beyond the point estimate
and beyond what the jobs really used.
"""

from __future__ import annotations

import numpy as np

from spacekit.exceptions import InputError

__all__ = ["upper_bound_metrics"]


def upper_bound_metrics(y_true, y_pred, upper, factor: float = 3.0, floor: float = 0.0) -> dict:
    """Coverage and head-room of ``upper`` against the rule ``factor * y_pred``.

    Parameters
    ----------
    y_true, y_pred, upper : array-like of shape (n,)
        True values, point estimates and upper bounds of held-out jobs.
    factor : float, default=3.0
        The hand rule to compare with (``y_pred * factor``).
    floor : float, default=0.0
        Point estimates below it are raised to it for the hand rule (as the bound does).

    Returns
    -------
    dict
        ``n``; ``coverage`` (share of jobs with ``y_true <= upper``);
        ``headroom_median`` / ``headroom_mean`` (``upper / y_pred``);
        ``reserved_ratio`` (``sum(upper) / sum(y_true)``); the same for the rule:
        ``rule_factor``, ``rule_coverage``, ``rule_reserved_ratio``; and
        ``reserved_vs_rule`` (``sum(upper) / sum(rule)``: below 1 means the bound
        reserves less in total than the rule).

    Examples
    --------
    >>> m = upper_bound_metrics([1, 2, 9], [1, 2, 2], [2, 4, 10])
    >>> m["coverage"], round(m["rule_coverage"], 3)
    (1.0, 0.667)
    """
    yt = np.asarray(y_true, dtype=float).ravel()
    yp = np.asarray(y_pred, dtype=float).ravel()
    up = np.asarray(upper, dtype=float).ravel()
    if not (yt.size == yp.size == up.size) or yt.size == 0:
        raise InputError(
            f"y_true, y_pred and upper must be non-empty and of one length; received "
            f"{yt.size}, {yp.size} and {up.size}."
        )
    base = np.maximum(yp, floor) if floor > 0 else yp
    rule = base * float(factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base > 0, up / base, np.nan)
    total = float(np.sum(yt))
    return {
        "n": int(yt.size),
        "coverage": float(np.mean(yt <= up)),
        "headroom_median": float(np.nanmedian(ratio)) if np.isfinite(ratio).any() else None,
        "headroom_mean": float(np.nanmean(ratio)) if np.isfinite(ratio).any() else None,
        "reserved_ratio": float(np.sum(up) / total) if total > 0 else None,
        "rule_factor": float(factor),
        "rule_coverage": float(np.mean(yt <= rule)),
        "rule_reserved_ratio": float(np.sum(rule) / total) if total > 0 else None,
        "reserved_vs_rule": float(np.sum(up) / np.sum(rule)) if np.sum(rule) > 0 else None,
    }
