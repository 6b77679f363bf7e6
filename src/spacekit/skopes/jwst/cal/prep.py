"""Prepare JWST training tables for the Level-3 memory regressors.

:class:`JwstCalPrep` selects the 18 model columns of an exposure mode (in the model's
order), splits train and test sets, fits the Yeo-Johnson + standardisation statistics
(``tx_data``) **on the training rows only** and applies them to both sets.

Differences from spacekit 1.1.4: the normaliser is no longer fit on train + test
together (data leakage), ``tx_data-{mode}.json`` is written only where asked (never to
the current directory), ``normalize=False`` is honoured, and the arrays are numpy
(Keras accepts them directly, so TensorFlow is not imported here).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit._io import atomic_write_json
from spacekit.exceptions import DataError, InputError
from spacekit.preprocessor.ingest.match import MAX_IMAGE_SIZE_KB

#: Largest training label (GB): the ingest's ImageSize limit.
MAX_LABEL_GB = MAX_IMAGE_SIZE_KB / 1e6

__all__ = [
    "JwstCalPrep",
    "MEMORY_CLASSES",
    "memory_bins",
    "model_columns",
    "norm_columns",
    "usable_rows",
]

log = logging.getLogger(__name__)

#: Memory classes (GB) used to stratify splits: {class: [low, high)}.
MEMORY_CLASSES: dict[int, tuple[float, float]] = {
    0: (0.0, 12.0),
    1: (12.0, 225.0),
    2: (225.0, 950.0),
    3: (950.0, 2000.0),
}

EXP_MODES = ("image", "spec", "tac", "fgs")


def _mode_key(table: dict, exp_mode: str):
    for key in (exp_mode.upper(), exp_mode.lower()):
        if key in table:
            return table[key]
    raise InputError(f"Unknown exp_mode {exp_mode!r}; expected one of {list(table)}.")


def model_columns(exp_mode: str) -> list[str]:
    """Feature columns of ``exp_mode`` in model order (``COLUMN_ORDER``)."""
    from spacekit.skopes.jwst.cal.config import COLUMN_ORDER

    return list(_mode_key(COLUMN_ORDER, exp_mode))


def norm_columns(exp_mode: str) -> list[str]:
    """Columns normalised for ``exp_mode`` (``NORM_COLS``)."""
    from spacekit.skopes.jwst.cal.config import NORM_COLS

    return list(_mode_key(NORM_COLS, exp_mode))


def memory_bins(y) -> np.ndarray:
    """Memory class (0-3) of each target value in GB (values >= 2000 GB go to class 3)."""
    edges = [MEMORY_CLASSES[k][0] for k in sorted(MEMORY_CLASSES)]
    return np.clip(np.searchsorted(edges, np.asarray(y, float), side="right") - 1, 0, 3)


def usable_rows(
    df: pd.DataFrame, exp_mode: str, y_target: str = "imgsize_gb", source: str = "the table"
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Split off the rows whose model features or target are missing or non-numeric
    (and, for the ``imgsize_gb`` target, labels outside (0, :data:`MAX_LABEL_GB`] GB).

    Parameters
    ----------
    df : pandas.DataFrame
        A training table (``train-{mode}.csv``).
    exp_mode : str
        Selects the model columns (``COLUMN_ORDER``).
    y_target : str, default="imgsize_gb"
    source : str, default="the table"
        Names the table in the error message.

    Returns
    -------
    usable : pandas.DataFrame
        The rows that can be used (a view of ``df``'s rows, columns unchanged).
    skipped : list of (str, str)
        ``(row label, reason)`` of every row left out.

    Raises
    ------
    DataError
        If a model column or the target column is absent.
    """
    cols = [*model_columns(exp_mode), y_target]
    absent = [c for c in cols if c not in df.columns]
    if absent:
        raise DataError(
            f"{source} lacks the column(s) {absent}; expected the {exp_mode} model columns "
            f"and {y_target!r} as written by `python -m spacekit.preprocessor.ingest jcal`."
        )
    values = df[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    bad = ~np.isfinite(values)
    rows = bad.any(axis=1).to_numpy()
    skipped = [
        (str(label), f"missing or non-numeric {list(flags[flags].index)}")
        for label, flags in bad[rows].iterrows()
    ]
    if y_target == "imgsize_gb":  # a memory label is a size in (0, 1000] GB
        target = values[y_target]
        off = (~rows) & ~(target.gt(0) & target.le(MAX_LABEL_GB)).to_numpy()
        skipped += [
            (str(label), f"imgsize_gb {value!r} is not a memory size in (0, {MAX_LABEL_GB:g}] GB")
            for label, value in target[off].items()
        ]
        rows = rows | off
    return df[~rows], skipped


def fit_tx(df: pd.DataFrame, cols: Sequence[str]) -> dict:
    """Fit the ``tx_data`` statistics (``lambdas``, ``mu``, ``sigma``) on ``df[cols]``.

    A column that is constant in ``df`` gets ``sigma = 1`` (it normalises to 0).
    """
    from spacekit.preprocessor.transform import fit_power_transform

    tx = fit_power_transform(df, list(cols))
    sigma = [float(v) for v in tx["sigma"]]
    flat = [c for c, v in zip(cols, sigma, strict=True) if not v > 1e-12]
    if flat:
        # A column that is constant in the training rows carries no information; a unit
        # sigma maps it to 0 instead of dividing by zero.
        log.warning("columns %s are constant in the training rows; using sigma=1", flat)
        tx["sigma"] = [v if v > 1e-12 else 1.0 for v in sigma]
    return tx


def apply_tx(df: pd.DataFrame, tx: dict, cols: Sequence[str]) -> pd.DataFrame:
    """Apply ``tx_data`` to ``df[cols]`` (other columns unchanged) and return a copy."""
    from spacekit.preprocessor.transform import apply_power_transform

    return apply_power_transform(df, tx, list(cols))


class JwstCalPrep:
    """Split and normalise a JWST training table for one exposure mode.

    Parameters
    ----------
    data : pandas.DataFrame
        Training table (``train-{mode}.csv``): one row per Level-3 product with the
        encoded feature columns and the target.
    y_target : str, default="imgsize_gb"
        Target column (GB).
    X_cols : sequence of str, optional
        Feature columns in model order; default ``COLUMN_ORDER[exp_mode]``.
    norm_cols : sequence of str, optional
        Columns to normalise; default (None or empty, as 1.1.4's ``[]``)
        ``NORM_COLS[exp_mode]``. Use ``normalize=False`` to normalise nothing.
    exp_mode : {"image", "spec", "tac", "fgs"}, default="image"
    tensors : bool, default=True
        Accepted for 1.1.4 compatibility: the arrays are always numpy float32, which
        Keras takes directly (no TensorFlow import here).
    normalize : bool, default=True
    random : int, optional
        Seed of the train/test split.
    tsize : float, default=0.2
        Test fraction.
    encode_targets : bool, default=False
        Accepted for 1.1.4 compatibility; the regression targets are never encoded, so
        True raises :class:`~spacekit.exceptions.InputError`.

    Attributes
    ----------
    X_train, X_test : numpy.ndarray of shape (n, n_features), float32
    y_reg_train, y_reg_test : numpy.ndarray of shape (n, 1), float32
    train_idx, test_idx : pandas.Index
    tx_data : dict or None
        ``{"lambdas", "mu", "sigma"}`` fitted on the training rows.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        y_target: str = "imgsize_gb",
        X_cols: Sequence[str] | None = None,
        norm_cols: Sequence[str] | None = None,
        exp_mode: str = "image",
        tensors: bool = True,
        normalize: bool = True,
        random: int | None = None,
        tsize: float = 0.2,
        encode_targets: bool = False,
    ):
        if encode_targets:
            raise InputError(
                "encode_targets=True is for classifiers; JwstCalPrep prepares regression "
                "targets (GB). Pass encode_targets=False."
            )
        self.data = data
        self.y_target = y_target
        self.exp_mode = str(exp_mode).lower()
        self.X_cols = list(X_cols) if X_cols else model_columns(self.exp_mode)
        self.norm_cols = list(norm_cols) if norm_cols else norm_columns(self.exp_mode)
        self.tensors = bool(tensors)
        self.normalize = bool(normalize)
        self.random = random
        self.tsize = float(tsize)
        self.encode_targets = False
        self.tx_data: dict | None = None
        self.X_train = self.X_test = self.y_reg_train = self.y_reg_test = None
        self.train_idx = self.test_idx = None
        self._validate()

    def _validate(self) -> None:
        if not isinstance(self.data, pd.DataFrame) or self.data.empty:
            raise DataError("The training table is empty; expected one row per product.")
        if not self.data.index.is_unique:
            dup = self.data.index[self.data.index.duplicated()].unique()[:5].tolist()
            raise DataError(f"The training table index has duplicate labels, e.g. {dup}.")
        need = [*self.X_cols, self.y_target]
        missing = [c for c in need if c not in self.data.columns]
        if missing:
            raise DataError(
                f"The training table lacks column(s) {missing}; expected the {self.exp_mode} "
                f"model columns {self.X_cols} and the target {self.y_target!r} (as written "
                "by `python -m spacekit.preprocessor.ingest jcal`)."
            )
        bad = []
        for col in need:
            values = pd.to_numeric(self.data[col], errors="coerce")
            if values.isna().any():
                bad.append(col)
        if bad:
            raise DataError(
                f"Columns {bad} hold non-numeric or missing values; the training table must "
                "hold encoded, NaN-free features (ingest output)."
            )

    def _frame(self) -> pd.DataFrame:
        return self.data[self.X_cols].apply(pd.to_numeric).astype(float)

    def prep_data(self, stratify: bool = False) -> JwstCalPrep:
        """Random train/test split (stratified by memory class if asked), then normalise.

        Raises
        ------
        DataError
            If the table has fewer than 2 rows (a split needs one training and one test row).
        """
        from sklearn.model_selection import train_test_split

        if len(self.data) < 2:
            raise DataError(
                f"The training table has {len(self.data)} row(s); a train/test split needs at "
                "least 2 products (ingest more days of metadata)."
            )
        y = pd.to_numeric(self.data[self.y_target]).to_numpy(float)
        strat = None
        if stratify:
            bins = memory_bins(y)
            counts = np.bincount(bins, minlength=4)
            if np.all(counts[counts > 0] >= 2):
                strat = bins
            else:
                log.warning(
                    "stratify=True ignored: some memory classes have fewer than 2 rows (%s)",
                    counts.tolist(),
                )
        train_idx, test_idx = train_test_split(
            self.data.index, test_size=self.tsize, random_state=self.random, stratify=strat
        )
        return self._finish(pd.Index(train_idx), pd.Index(test_idx))

    def prep_targets(self) -> JwstCalPrep:
        """Kept for 1.1.4 compatibility: the targets are prepared by :meth:`prep_data`."""
        if self.y_reg_train is None:
            raise DataError("No split yet; call prep_data() (or split_from_column()) first.")
        return self

    def split_from_column(self, split_col: str = "split") -> JwstCalPrep:
        """Use an existing ``split`` column (``train``/``test``), as in the fold tables."""
        if split_col not in self.data.columns:
            raise DataError(f"Fold table has no {split_col!r} column (train/test).")
        split = self.data[split_col].astype(str).str.lower()
        return self._finish(self.data.index[split == "train"], self.data.index[split == "test"])

    def _finish(self, train_idx: pd.Index, test_idx: pd.Index) -> JwstCalPrep:
        if len(train_idx) == 0 or len(test_idx) == 0:
            raise DataError(
                f"Split gave {len(train_idx)} training and {len(test_idx)} test rows; "
                "both must be non-empty (add data or change tsize / the number of folds)."
            )
        X = self._frame()
        y = pd.to_numeric(self.data[self.y_target]).astype(float)
        Xtr, Xte = X.loc[train_idx], X.loc[test_idx]
        if self.normalize and self.norm_cols:
            self.tx_data = fit_tx(Xtr, self.norm_cols)
            Xtr = apply_tx(Xtr, self.tx_data, self.norm_cols)
            Xte = apply_tx(Xte, self.tx_data, self.norm_cols)
        self.train_idx, self.test_idx = train_idx, test_idx
        self.X_train = Xtr[self.X_cols].to_numpy(np.float32)
        self.X_test = Xte[self.X_cols].to_numpy(np.float32)
        self.y_reg_train = y.loc[train_idx].to_numpy(np.float32).reshape(-1, 1)
        self.y_reg_test = y.loc[test_idx].to_numpy(np.float32).reshape(-1, 1)
        return self

    def save_tx(self, path: str | os.PathLike) -> Path | None:
        """Write the fitted ``tx_data`` JSON (``{"lambdas", "mu", "sigma"}``) to ``path``."""
        if self.tx_data is None:
            return None
        keep = {k: [float(v) for v in self.tx_data[k]] for k in ("lambdas", "mu", "sigma")}
        keep["columns"] = list(self.norm_cols)
        return atomic_write_json(path, keep)
