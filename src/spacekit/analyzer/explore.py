"""Exploratory data analysis of training tables: groups, linear fits, box plots.

Pure computations (:func:`group_labels`, :func:`linear_fits`, :func:`box_stats`,
:func:`remove_outliers`, :func:`feature_stats_by_target`) feed the builders of
:mod:`spacekit.analyzer.figures.eda`; the 1.1.4 classes :class:`DataPlots`,
:class:`HstCalPlots` and :class:`HstSvmPlots` wrap both for scripts and notebooks.

Group codes are decoded with the right tables: HST instruments are ``0 acs, 1 cos,
2 stis, 3 wfc3`` (1.1.4's EDA used ``acs, wfc3, cos, stis`` and mislabelled three of
the four), SVM detectors ``0 hrc, 1 ir, 2 sbc, 3 uvis, 4 wfc``. Groups are whatever
values occur; nothing assumes codes ``0..n-1`` or every class in every group.

Examples
--------
>>> import pandas as pd
>>> from spacekit.analyzer.explore import HstCalPlots
>>> df = pd.DataFrame({"n_files": [1, 2, 3, 4], "memory": [1.0, 2.1, 2.9, 4.2],
...                    "instr": [0, 0, 3, 3]})
>>> plots = HstCalPlots(df)
>>> sorted(plots.group_keys().values())
['acs', 'wfc3']
>>> fig = plots.scatter("n_files", "memory")
>>> [t.name for t in fig.data]
['acs', 'acs fit', 'wfc3', 'wfc3 fit']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from spacekit.analyzer.scan import HST_INSTR, SVM_DET
from spacekit.exceptions import DataError, InputError

__all__ = [
    "group_labels",
    "numeric_columns",
    "categorical_columns",
    "linear_fits",
    "box_stats",
    "remove_outliers",
    "feature_stats_by_target",
    "DataPlots",
    "HstCalPlots",
    "HstSvmPlots",
]

#: Integer columns with at most this many values can be used to group rows.
MAX_GROUPS = 25


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Numeric (non-boolean) columns with more than one distinct value."""
    out = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_numeric_dtype(s) and s.dtype != bool and s.nunique() > 1:
            out.append(str(col))
    return out


def categorical_columns(df: pd.DataFrame, max_groups: int = MAX_GROUPS) -> list[str]:
    """Columns usable as a group: text/bool/category, or integers with few values."""
    out = []
    for col in df.columns:
        s = df[col]
        n = s.nunique(dropna=True)
        if n < 2 or n > max_groups:
            continue
        if not pd.api.types.is_numeric_dtype(s) or s.dtype == bool:
            out.append(str(col))
        elif pd.api.types.is_integer_dtype(s):
            out.append(str(col))
    return out


def group_labels(df: pd.DataFrame, group: str | None, decoder: Mapping | None = None) -> pd.Series:
    """Display label of every row's group (decoded codes; ``"all"`` without a group)."""
    if group is None:
        return pd.Series("all", index=df.index)
    if group not in df.columns:
        raise InputError(f"Group column {group!r} is not in the table ({list(df.columns)}).")
    values = df[group]
    if decoder:
        lookup = {str(k): str(v) for k, v in decoder.items()}

        def name(v):
            if isinstance(v, float) and v == v and v == int(v):
                v = int(v)
            return lookup.get(str(v), str(v))

        return values.map(name)
    return values.astype(str)


def _axis(values: np.ndarray, log: bool) -> np.ndarray:
    return np.log10(values) if log else values


def linear_fits(
    x, y, groups=None, logx: bool = False, logy: bool = False, n_points: int = 50
) -> dict[str, dict]:
    """Least-squares line of ``y`` on ``x`` per group, in the axes' (log) space.

    Parameters
    ----------
    x, y : array-like of shape (n,)
    groups : array-like of shape (n,), optional
    logx, logy : bool, default=False
        Fit ``log10`` values (non-positive values are left out), as drawn on log axes.
    n_points : int, default=50
        Points of the returned line.

    Returns
    -------
    dict
        ``{group: {"slope", "intercept", "r", "n", "x", "y"}}`` where ``x``/``y`` are the
        line in data units; groups with fewer than 2 distinct x values are left out.
    """
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    ga = np.asarray(groups if groups is not None else np.full(xa.size, "all"), dtype=object)
    ok = np.isfinite(xa) & np.isfinite(ya)
    if logx:
        ok &= xa > 0
    if logy:
        ok &= ya > 0
    out: dict[str, dict] = {}
    for g in pd.unique(ga[ok]):
        m = ok & (ga == g)
        fx, fy = _axis(xa[m], logx), _axis(ya[m], logy)
        if np.unique(fx).size < 2:
            continue
        slope, intercept = np.polyfit(fx, fy, 1)
        r = float(np.corrcoef(fx, fy)[0, 1]) if np.std(fy) > 0 else float("nan")
        line = np.linspace(fx.min(), fx.max(), n_points)
        fit = intercept + slope * line
        out[str(g)] = {
            "slope": float(slope),
            "intercept": float(intercept),
            "r": r,
            "n": int(m.sum()),
            "x": (10**line if logx else line).tolist(),
            "y": (10**fit if logy else fit).tolist(),
        }
    return out


def box_stats(values, groups=None, max_outliers: int = 200, seed: int = 0) -> list[dict]:
    """Quartiles, 1.5 IQR whiskers, mean and a sample of outliers per group.

    Computed on the server so that a box plot of 100,000 rows sends a few numbers per
    group instead of every value.

    Returns
    -------
    list of dict
        ``{"group", "n", "q1", "median", "q3", "lowerfence", "upperfence", "mean",
        "outliers"}`` per group (groups in order of appearance).
    """
    v = np.asarray(values, dtype=float)
    g = np.asarray(groups if groups is not None else np.full(v.size, "all"), dtype=object)
    ok = np.isfinite(v)
    rng = np.random.default_rng(seed)
    out = []
    for name in sorted(pd.unique(g[ok]), key=str):
        x = v[ok & (g == name)]
        q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
        iqr = q3 - q1
        inside = x[(x >= q1 - 1.5 * iqr) & (x <= q3 + 1.5 * iqr)]
        outl = x[(x < q1 - 1.5 * iqr) | (x > q3 + 1.5 * iqr)]
        if outl.size > max_outliers:
            outl = rng.choice(outl, max_outliers, replace=False)
        out.append(
            {
                "group": str(name),
                "n": int(x.size),
                "q1": float(q1),
                "median": float(med),
                "q3": float(q3),
                "lowerfence": float(inside.min()),
                "upperfence": float(inside.max()),
                "mean": float(x.mean()),
                "outliers": np.sort(outl).tolist(),
            }
        )
    return out


def remove_outliers(df: pd.DataFrame, col: str, k: float = 1.5) -> pd.DataFrame:
    """Rows of ``df`` whose ``col`` lies within ``k`` IQRs of the quartiles."""
    x = pd.to_numeric(df[col], errors="coerce")
    q1, q3 = x.quantile([0.25, 0.75])
    iqr = q3 - q1
    return df[(x >= q1 - k * iqr) & (x <= q3 + k * iqr)]


def feature_stats_by_target(
    df: pd.DataFrame, feature: str, target: str, group: str | None = None, decoder=None
) -> pd.DataFrame:
    """Mean and standard error of ``feature`` per target class (and group).

    Returns
    -------
    pandas.DataFrame
        Index: target class; columns: a ``(mean, sem)`` pair per group.
    """
    labels = group_labels(df, group, decoder)
    frame = pd.DataFrame(
        {"f": pd.to_numeric(df[feature], errors="coerce"), "t": df[target], "g": labels}
    )
    stats = frame.groupby(["t", "g"])["f"].agg(["mean", "sem"]).unstack("g")
    return stats


class DataPlots:
    """EDA figures of one table, grouped by a categorical column (1.1.4 API).

    Parameters
    ----------
    df : pandas.DataFrame
    group : str, optional
        Column whose values colour the points and split the boxes.
    target : str, optional
        The label column (``mem_bin``, ``label``).
    decoder : mapping, optional
        ``{code: name}`` of the group column.
    width, height : int, default=1300, 700
        Figure size in pixels.
    show, save_html : optional
        Accepted for 1.1.4 compatibility and ignored (figures are returned, never shown
        or written).
    """

    continuous: Sequence[str] = ()
    categorical: Sequence[str] = ()
    targets: Sequence[str] = ()

    def __init__(
        self,
        df: pd.DataFrame,
        group: str | None = None,
        target: str | None = None,
        decoder: Mapping | None = None,
        width: int = 1300,
        height: int = 700,
        show: bool = False,
        save_html=None,
        telescope: str | None = None,
        **log_kws,
    ):
        if not isinstance(df, pd.DataFrame) or df.empty:
            raise DataError("DataPlots needs a non-empty pandas DataFrame.")
        if group is not None and group not in df.columns:
            raise InputError(f"Group column {group!r} is not in the table.")
        self.df = df
        self.group = group
        self.target = target
        self.decoder = dict(decoder or {})
        self.width, self.height = width, height
        self.telescope = telescope
        self.scatter_figs: dict = {}
        self.box: dict = {}
        self.bars: dict = {}

    def group_keys(self) -> dict:
        """``{code: name}`` of the groups present in the table."""
        if self.group is None:
            return {"all": "all"}
        labels = group_labels(self.df, self.group, self.decoder)
        return dict(zip(self.df[self.group], labels, strict=True))

    def _labels(self) -> pd.Series:
        return group_labels(self.df, self.group, self.decoder)

    def scatter(self, x: str, y: str, fits: bool = True, logx=False, logy=False):
        """``y`` against ``x``, one colour per group, with per-group linear fits."""
        from spacekit.analyzer.figures.eda import make_group_scatter

        for col in (x, y):
            if col not in self.df.columns:
                raise InputError(f"Column {col!r} is not in the table.")
        groups = self._labels()
        fit = linear_fits(self.df[x], self.df[y], groups, logx, logy) if fits else None
        return make_group_scatter(
            self.df[x],
            self.df[y],
            groups,
            fits=fit,
            x_title=x,
            y_title=y,
            logx=logx,
            logy=logy,
            title=f"{y} vs {x}",
            width=self.width // 2,
            height=self.height,
        )

    def make_feature_scatter_figs(self, x: str, y: str) -> list:
        """One scatter figure per group (1.1.4 layout)."""
        labels = self._labels()
        figs = []
        for name in pd.unique(labels):
            sub = DataPlots(self.df[labels == name], None, self.target, width=self.width)
            fig = sub.scatter(x, y)
            fig.update_layout(title=f"{y} vs {x}: {name}")
            figs.append(fig)
        return figs

    def box_plots(self, cols: Sequence[str] | None = None, outliers: bool = True) -> dict:
        """One box figure per column, boxes per group; ``outliers=False`` fences them off."""
        from spacekit.analyzer.figures.eda import make_box_figure

        cols = list(cols or self.continuous or numeric_columns(self.df))
        labels = self._labels()
        for col in cols:
            frame = self.df if outliers else remove_outliers(self.df, col)
            stats = box_stats(frame[col], labels.loc[frame.index])
            self.box[col] = make_box_figure(
                stats, title=f"{col} by {self.group or 'all'}", y_title=col
            )
        return self.box

    def bar_plots(self, feature: str, target: str | None = None):
        """Mean (with standard-error bars) of ``feature`` per target class and group."""
        from spacekit.analyzer.figures.eda import make_group_bars

        target = target or self.target
        if target is None:
            raise InputError("bar_plots needs a target column.")
        stats = feature_stats_by_target(self.df, feature, target, self.group, self.decoder)
        fig = make_group_bars(
            stats,
            title=f"{feature} average by {self.group or 'all'}",
            y_title=feature,
            x_title=target,
        )
        self.bars[feature] = fig
        return fig

    def draw_plots(self) -> dict:
        """Scatter of every continuous feature against every target, and box plots."""
        for y in self.targets:
            if y in self.df.columns:
                self.scatter_figs[y] = {
                    x: self.scatter(x, y) for x in self.continuous if x in self.df.columns
                }
        self.box_plots([c for c in (*self.continuous, *self.targets) if c in self.df.columns])
        return {"scatter": self.scatter_figs, "box": self.box}


class HstCalPlots(DataPlots):
    """HST calibration EDA (group ``instr``, target ``mem_bin``; instruments decoded)."""

    continuous = ("n_files", "total_mb", "x_files", "x_size")
    categorical = ("drizcorr", "pctecorr", "crsplit", "subarray", "detector", "dtype", "instr")
    targets = ("memory", "wallclock")

    def __init__(self, df: pd.DataFrame, group: str = "instr", **kwargs):
        kwargs.setdefault("target", "mem_bin")
        kwargs.setdefault("decoder", HST_INSTR if group == "instr" else None)
        super().__init__(df, group, **kwargs)


class HstSvmPlots(DataPlots):
    """HST SVM EDA (group ``det``, target ``label``; detectors decoded)."""

    continuous = ("rms_ra", "rms_dec", "gaia", "nmatches", "numexp")
    categorical = ("det", "wcs", "cat")
    targets = ("rms_dec", "segment")

    def __init__(self, df: pd.DataFrame, group: str = "det", **kwargs):
        kwargs.setdefault("target", "label")
        kwargs.setdefault("decoder", SVM_DET if group == "det" else None)
        super().__init__(df, group, **kwargs)
