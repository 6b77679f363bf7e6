"""Data drift: how far a new table has moved from the table a model was trained on.

Per feature (columns present in both tables):

* **numeric** columns: the two-sample Kolmogorov-Smirnov statistic and p-value, the
  population stability index (PSI) over the reference's deciles, and the shift of the
  median in units of the reference's interquartile range;
* **categorical** columns (text, booleans, or integers with few values): PSI over the
  category shares, the largest change of one category's share, and the categories the
  reference never saw.

PSI reads as the usual rule of thumb: below 0.1 stable, 0.1-0.25 moderate, above 0.25
a major shift. Results come worst first. :func:`feature_histograms` gives both tables'
distributions on shared bins (small, JSON-safe) for overlays.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from spacekit.analyzer.drift import drift_table
>>> rng = np.random.default_rng(0)
>>> ref = pd.DataFrame({"a": rng.normal(0, 1, 2000), "b": rng.normal(0, 1, 2000)})
>>> new = pd.DataFrame({"a": rng.normal(0, 1, 2000), "b": rng.normal(1, 1, 2000)})
>>> drift_table(ref, new)["feature"].tolist()  # worst first
['b', 'a']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from spacekit.exceptions import DataError

__all__ = [
    "psi",
    "is_categorical",
    "numeric_drift",
    "categorical_drift",
    "drift_table",
    "feature_histograms",
    "PSI_MODERATE",
    "PSI_MAJOR",
]

PSI_MODERATE = 0.1
PSI_MAJOR = 0.25
_EPS = 1e-4
#: Integer columns with at most this many distinct values are treated as categories.
MAX_CATEGORIES = 20


def psi(ref_share, new_share) -> float:
    """Population stability index of two share vectors over the same bins."""
    p = np.clip(np.asarray(ref_share, dtype=float), _EPS, None)
    q = np.clip(np.asarray(new_share, dtype=float), _EPS, None)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum((q - p) * np.log(q / p)))


def is_categorical(series: pd.Series, max_categories: int = MAX_CATEGORIES) -> bool:
    """Text, boolean and categorical columns, and integer columns with few values."""
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == bool:
        return True
    if not pd.api.types.is_numeric_dtype(series):
        return True
    if pd.api.types.is_integer_dtype(series):
        return series.nunique(dropna=True) <= max_categories
    return False


def _severity(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return "major" if value > PSI_MAJOR else "moderate" if value > PSI_MODERATE else "stable"


def _numeric(series: pd.Series) -> np.ndarray:
    arr = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    return arr[np.isfinite(arr)]


def numeric_drift(ref, new, n_bins: int = 10) -> dict:
    """KS statistic and p-value, PSI over reference quantile bins, and median shift.

    Parameters
    ----------
    ref, new : array-like
        Values of one feature (NaN and non-numbers are dropped).
    n_bins : int, default=10
        Quantile bins of the reference for the PSI.

    Returns
    -------
    dict
        ``kind, ks, ks_pvalue, psi, median_shift_iqr, ref_mean, new_mean, n_ref, n_new``.
    """
    from scipy.stats import ks_2samp

    a, b = _numeric(pd.Series(ref)), _numeric(pd.Series(new))
    if a.size == 0 or b.size == 0:
        raise DataError("A numeric feature has no finite values in one of the tables.")
    edges = np.unique(np.quantile(a, np.linspace(0, 1, n_bins + 1)))
    if edges.size < 2:
        edges = np.array([a[0] - 0.5, a[0] + 0.5])
    inner = edges[1:-1]
    ref_counts = np.bincount(np.searchsorted(inner, a, side="right"), minlength=inner.size + 1)
    new_counts = np.bincount(np.searchsorted(inner, b, side="right"), minlength=inner.size + 1)
    ks = ks_2samp(a, b, method="asymp")
    q1, med, q3 = np.quantile(a, [0.25, 0.5, 0.75])
    iqr = q3 - q1
    shift = (np.median(b) - med) / iqr if iqr > 0 else float(np.median(b) != med) * np.inf
    return {
        "kind": "numeric",
        "ks": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "psi": psi(ref_counts / a.size, new_counts / b.size),
        "median_shift_iqr": float(shift),
        "ref_mean": float(a.mean()),
        "new_mean": float(b.mean()),
        "n_ref": int(a.size),
        "n_new": int(b.size),
    }


def _shares(series: pd.Series) -> pd.Series:
    return series.astype(str).value_counts(normalize=True, dropna=False)


def categorical_drift(ref, new) -> dict:
    """PSI over category shares, the largest share change, and unseen categories.

    Returns
    -------
    dict
        ``kind, psi, max_share_change, top_change`` (the category), ``new_categories``
        (not in the reference), ``n_ref, n_new``.
    """
    a, b = pd.Series(ref), pd.Series(new)
    if a.empty or b.empty:
        raise DataError("A categorical feature is empty in one of the tables.")
    sa, sb = _shares(a), _shares(b)
    cats = sorted(set(sa.index) | set(sb.index))
    pa = sa.reindex(cats, fill_value=0.0).to_numpy()
    pb = sb.reindex(cats, fill_value=0.0).to_numpy()
    diff = pb - pa
    top = int(np.argmax(np.abs(diff)))
    return {
        "kind": "categorical",
        "psi": psi(pa, pb),
        "max_share_change": float(diff[top]),
        "top_change": cats[top],
        "new_categories": [c for c in cats if c not in sa.index],
        "n_ref": int(a.size),
        "n_new": int(b.size),
    }


def drift_table(
    ref: pd.DataFrame,
    new: pd.DataFrame,
    features: Sequence[str] | None = None,
    n_bins: int = 10,
) -> pd.DataFrame:
    """Drift statistics of every shared feature, sorted worst first.

    Parameters
    ----------
    ref, new : pandas.DataFrame
        The reference (training) table and the new table.
    features : sequence of str, optional
        Columns to compare (default: every column in both tables).
    n_bins : int, default=10

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature, kind, psi, severity, ks, ks_pvalue,
        median_shift_iqr, max_share_change, top_change, new_categories, n_ref, n_new``;
        sorted by PSI (then KS) descending.

    Raises
    ------
    DataError
        If the tables share no column.
    """
    cols = [c for c in (features or ref.columns) if c in new.columns and c in ref.columns]
    if not cols:
        raise DataError(
            "The two tables have no column in common; compare tables of the same kind "
            f"(reference columns: {list(ref.columns)[:10]}...)."
        )
    rows = []
    for col in cols:
        categorical = is_categorical(ref[col]) or is_categorical(new[col])
        try:
            stats = (
                categorical_drift(ref[col], new[col])
                if categorical
                else numeric_drift(ref[col], new[col], n_bins)
            )
        except DataError as exc:
            stats = {
                "kind": "categorical" if categorical else "numeric",
                "psi": np.nan,
                "note": str(exc),
            }
        stats["feature"] = str(col)
        stats["severity"] = _severity(stats["psi"])
        rows.append(stats)
    table = pd.DataFrame(rows)
    for col in ("ks", "ks_pvalue", "median_shift_iqr", "max_share_change"):
        if col not in table.columns:
            table[col] = np.nan
    order = table.assign(_p=table["psi"].fillna(-1), _k=table["ks"].fillna(-1))
    table = table.loc[order.sort_values(["_p", "_k"], ascending=False).index]
    first = ["feature", "kind", "psi", "severity", "ks", "ks_pvalue"]
    return table[first + [c for c in table.columns if c not in first]].reset_index(drop=True)


def feature_histograms(ref: pd.Series, new: pd.Series, n_bins: int = 40) -> dict:
    """Both tables' distributions of one feature on shared bins (JSON-safe).

    Returns
    -------
    dict
        Numeric: ``{"kind": "numeric", "edges", "ref", "new"}`` (fractions per bin over a
        range clipped to the 0.5-99.5 percentiles of both). Categorical:
        ``{"kind": "categorical", "categories", "ref", "new"}`` (shares).
    """
    if is_categorical(ref) or is_categorical(new):
        sa, sb = _shares(ref), _shares(new)
        cats = sorted(set(sa.index) | set(sb.index), key=lambda c: -sa.get(c, 0.0))
        return {
            "kind": "categorical",
            "categories": [str(c) for c in cats],
            "ref": [float(sa.get(c, 0.0)) for c in cats],
            "new": [float(sb.get(c, 0.0)) for c in cats],
        }
    a, b = _numeric(ref), _numeric(new)
    both = np.concatenate([a, b])
    if both.size == 0:
        raise DataError(f"Feature {ref.name!r} has no finite values.")
    lo, hi = np.percentile(both, [0.5, 99.5])
    if hi <= lo:
        lo, hi = float(both.min()) - 0.5, float(both.max()) + 0.5
    edges = np.linspace(lo, hi, n_bins + 1)

    def frac(x):
        counts, _ = np.histogram(np.clip(x, lo, hi), bins=edges)
        return (counts / max(x.size, 1)).tolist()

    return {"kind": "numeric", "edges": edges.tolist(), "ref": frac(a), "new": frac(b)}
