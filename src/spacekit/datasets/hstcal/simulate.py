"""Simulated HST calibration ("calcloud") datasets with memory and wallclock labels.

Each row is one calibration job: a single exposure or an association, keyed by a
real-looking ipppssoot name, with the raw keywords the HST cal models read
(``n_files, total_mb, DETECTOR, SUBARRAY, DRIZCORR, PCTECORR, CRSPLIT``, the instrument and
the association type) and three labels: ``memory`` (GB), ``wallclock`` (s) and ``mem_bin``.

How the labels are made
-----------------------
For every (instrument, association type) group the package carries the real label
quantile functions (percentiles 0, 0.5, 1, 2, ..., 99, 99.5, 99.9, 100 of the spacekit
training labels, frozen in ``real_label_tables.json``). Each job draws independent
standard-normal latent variables: *size* (drives ``n_files`` and ``total_mb``),
*detector* (which detector is used), *frame* (full frame or subarray) and *processing*
(CTE correction, CR-split). A memory score is a unit-variance mix of the size, detector
and frame latents plus independent noise; the wallclock score is correlated with it at the
real per-group Spearman correlation and also carries the processing latent (CTE correction
is slow). Both scores are exactly standard normal, so pushing them through the normal CDF
and the frozen quantile functions reproduces the real per-group marginals, while bigger
inputs, full frames, UVIS/WFC detectors and CTE correction raise memory and wallclock as
they do in the real pipeline. ``mem_bin`` is then ``memory`` cut at 2, 8 and 16 GB.
"""

from __future__ import annotations

import json
import logging
import os
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from spacekit.datasets._args import check_int, check_out_dir, check_seed, make_out_dir
from spacekit.datasets._overwrite import prepare_overwrite, removed_on_failure
from spacekit.exceptions import InputError

__all__ = [
    "GROUPS",
    "INSTRUMENT_LETTER",
    "KEYWORD_COLUMNS",
    "LABEL_COLUMNS",
    "simulate_hstcal",
    "write_hstcal_csv",
    "write_hstcal_folder",
    "read_hstcal_csv",
    "real_quantiles",
    "mem_bin_from_memory",
]

logger = logging.getLogger(__name__)

#: (instrument, association type) groups, in the order used by tables and tests.
GROUPS: tuple[tuple[str, str], ...] = (
    ("WFC3", "asn"),
    ("WFC3", "single"),
    ("ACS", "asn"),
    ("ACS", "single"),
    ("COS", "asn"),
    ("COS", "single"),
    ("STIS", "asn"),
    ("STIS", "single"),
)

#: First letter of an ipppssoot for each instrument (crds ``ID_CHAR_TO_INSTRUMENT``).
INSTRUMENT_LETTER: dict[str, str] = {"WFC3": "i", "ACS": "j", "COS": "l", "STIS": "o"}

#: Raw keyword columns, in the order the HST cal features are built from them.
KEYWORD_COLUMNS: tuple[str, ...] = (
    "n_files",
    "total_mb",
    "DRIZCORR",
    "PCTECORR",
    "CRSPLIT",
    "SUBARRAY",
    "DETECTOR",
    "dtype",
    "INSTRUME",
)
LABEL_COLUMNS: tuple[str, ...] = ("memory", "wallclock", "mem_bin")
MEM_BIN_EDGES_GB: tuple[float, ...] = (2.0, 8.0, 16.0)

# Per instrument: detectors as (name, probability, raw MB per file of a full frame,
# takes CTE correction, takes CR-split). The first detector listed is the "big" one that
# the detector latent selects when high.
_DETECTORS: dict[str, list[tuple[str, float, float, bool, bool]]] = {
    "WFC3": [("UVIS", 0.5, 33.6, True, True), ("IR", 0.5, 11.0, False, False)],
    "ACS": [
        ("WFC", 0.84, 33.6, True, True),
        ("HRC", 0.1, 2.1, False, True),
        ("SBC", 0.06, 2.1, False, False),
    ],
    "COS": [("FUV", 0.6, 6.0, False, False), ("NUV", 0.4, 3.0, False, False)],
    "STIS": [
        ("CCD", 0.55, 2.2, False, True),
        ("FUV-MAMA", 0.25, 4.2, False, False),
        ("NUV-MAMA", 0.2, 4.2, False, False),
    ],
}
# Fraction of subarray readouts per instrument.
_SUBARRAY_FRACTION = {"WFC3": 0.2, "ACS": 0.15, "COS": 0.0, "STIS": 0.3}
# Fraction of DRIZCORR=PERFORM among imaging jobs (COS and STIS do not drizzle).
_DRIZCORR_FRACTION = {"WFC3": 0.95, "ACS": 0.93, "COS": 0.0, "STIS": 0.0}
# How strongly the observable features set the memory score (latent correlation).
_FEATURE_WEIGHT = 0.88
_ALNUM = np.array(list("0123456789abcdefghijklmnopqrstuvwxyz"))


@cache
def _tables() -> dict:
    text = resources.files("spacekit.datasets.hstcal").joinpath("real_label_tables.json")
    return json.loads(text.read_text(encoding="utf-8"))


def real_quantiles(instr: str, dtype: str, label: str, percents) -> np.ndarray:
    """Return real label quantiles of one group, interpolated from the frozen table.

    Parameters
    ----------
    instr : {"WFC3", "ACS", "COS", "STIS"}
        Instrument name.
    dtype : {"asn", "single"}
        Association or single exposure.
    label : {"memory", "wallclock"}
        Which label.
    percents : array-like of float
        Percentiles in 0..100.

    Returns
    -------
    numpy.ndarray
        The quantiles (GB for memory, seconds for wallclock).
    """
    table = _tables()
    key = f"{instr}/{dtype}"
    if key not in table["groups"] or label not in ("memory", "wallclock"):
        raise InputError(
            f"Unknown group or label: received instr={instr!r}, dtype={dtype!r}, "
            f"label={label!r}; expected instr in {sorted(INSTRUMENT_LETTER)}, dtype in "
            "('asn', 'single') and label in ('memory', 'wallclock')."
        )
    return np.interp(percents, table["percents"], table["groups"][key][label])


def _inverse_cdf(instr: str, dtype: str, label: str, u: np.ndarray) -> np.ndarray:
    # Interpolate the quantile function in log space: labels span decades.
    table = _tables()
    p = np.asarray(table["percents"]) / 100.0
    q = np.log(np.asarray(table["groups"][f"{instr}/{dtype}"][label]))
    return np.exp(np.interp(u, p, q))


def mem_bin_from_memory(memory) -> np.ndarray:
    """Memory bin 0-3 (< 2 GB, 2-8 GB, 8-16 GB, >= 16 GB) of memory values in GB.

    Parameters
    ----------
    memory : array-like of float
        Memory in GB.

    Returns
    -------
    numpy.ndarray of int
        The bins; an edge value belongs to the upper bin (2.0 GB is bin 1).
    """
    return np.digitize(np.asarray(memory, dtype=float), MEM_BIN_EDGES_GB).astype(int)


def _norm_cdf(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(z)


def _norm_ppf(p: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(p))


def _names(rng: np.random.Generator, letter: str, asn: bool, m: int) -> np.ndarray:
    """Unique ipppssoot names: i + ppp (program) + ss (visit) + oo + t.

    Associations end in ``0`` (e.g. ``ia0k11010``), single exposures in ``q``.
    """
    first = np.array(list("456789abcdef"))

    def draw(k: int) -> np.ndarray:
        ppp = np.char.add(rng.choice(first, k), _pair(rng, k))
        digits = np.char.zfill(rng.integers(1, 100, k).astype(str), 2)
        ss = np.where(rng.random(k) < 0.8, digits, _pair(rng, k))
        if asn:
            oo = np.where(
                rng.random(k) < 0.9,
                np.char.add("0", rng.integers(1, 10, k).astype(str)),
                np.char.add("0", rng.choice(_ALNUM[10:], k)),
            )
            tail = "0"
        else:
            oo, tail = _pair(rng, k), "q"
        return np.char.add(np.char.add(np.char.add(letter + ppp, ss), oo), tail)

    names = draw(m)
    for _ in range(100):
        _, first_idx = np.unique(names, return_index=True)
        dup = np.setdiff1d(np.arange(m), first_idx)
        if len(dup) == 0:
            break
        names[dup] = draw(len(dup))
    return names


def _pair(rng: np.random.Generator, k: int) -> np.ndarray:
    return np.char.add(rng.choice(_ALNUM, k), rng.choice(_ALNUM, k))


def _group_counts(n: int, rng: np.random.Generator) -> np.ndarray:
    groups = _tables()["groups"]
    weights = np.array([groups[f"{i}/{d}"]["count"] for i, d in GROUPS], dtype=float)
    return rng.multinomial(n, weights / weights.sum())


def _simulate_group(instr: str, dtype: str, m: int, rng: np.random.Generator) -> pd.DataFrame:
    asn = dtype == "asn"
    s_size, s_det, s_frame, s_proc, e_mem, e_wall = rng.standard_normal((6, m))

    # Detector: the high end of the detector latent picks the big detector first.
    dets = _DETECTORS[instr]
    probs = np.array([d[1] for d in dets])
    cuts = np.array([_norm_ppf(1.0 - c) for c in np.cumsum(probs)[:-1]])
    det_idx = np.searchsorted(-cuts, -s_det, side="left")  # 0 = biggest detector
    det_name = np.array([d[0] for d in dets])[det_idx]
    mb_per_file = np.array([d[2] for d in dets])[det_idx]
    takes_cte = np.array([d[3] for d in dets])[det_idx]
    takes_crsplit = np.array([d[4] for d in dets])[det_idx]

    # Subarray when the frame latent is low; subarrays are a fraction of the frame size.
    sub_frac = _SUBARRAY_FRACTION[instr]
    subarray = s_frame < (_norm_ppf(sub_frac) if sub_frac > 0 else -np.inf)
    frame_scale = np.where(subarray, np.exp(rng.uniform(np.log(0.02), np.log(0.3), m)), 1.0)

    # Files: associations have 2+ members, more for bigger (dithered / CR-split) jobs.
    if asn:
        n_files = np.maximum(2, np.rint(np.exp(1.15 + 0.55 * s_size))).astype(int)
    else:
        n_files = np.ones(m, dtype=int)
    per_file = mb_per_file * frame_scale * np.exp(0.35 * s_size + 0.1 * rng.standard_normal(m))
    total_mb = np.round(n_files * per_file, 3)

    # Processing switches.
    cte = takes_cte & (s_proc > _norm_ppf(0.2))
    pctecorr = np.where(takes_cte, np.where(cte, "PERFORM", "OMIT"), "NaN")
    driz_frac = _DRIZCORR_FRACTION[instr]
    drizcorr = np.where(
        driz_frac > 0, np.where(rng.random(m) < driz_frac, "PERFORM", "OMIT"), "NaN"
    )
    if asn:
        nsplit = np.where(s_proc + 0.5 * rng.standard_normal(m) > 0.3, 2, 1)
        nsplit = np.where(rng.random(m) < 0.15, 4, nsplit)
    else:
        nsplit = np.ones(m, dtype=int)
    crsplit = np.where(takes_crsplit, np.char.add(nsplit.astype(str), ".0"), "NaN")

    # Label scores: exactly standard normal, so the frozen quantile functions give the
    # real marginals; correlated with the features through the latents.
    obs = (0.62 * s_size + 0.6 * s_det + 0.5 * s_frame) / np.sqrt(0.62**2 + 0.6**2 + 0.5**2)
    z_mem = _FEATURE_WEIGHT * obs + np.sqrt(1 - _FEATURE_WEIGHT**2) * e_mem
    rho_s = _tables()["groups"][f"{instr}/{dtype}"]["spearman_memory_wallclock"]
    c = np.clip(2.0 * np.sin(np.pi * rho_s / 6.0), 0.0, 0.98)
    q = 0.75 if instr in ("WFC3", "ACS") else 0.4
    z_wall = c * z_mem + np.sqrt(1 - c**2) * (q * s_proc + np.sqrt(1 - q**2) * e_wall)

    memory = np.round(_inverse_cdf(instr, dtype, "memory", _norm_cdf(z_mem)), 3)
    wallclock = np.round(_inverse_cdf(instr, dtype, "wallclock", _norm_cdf(z_wall)), 1)

    return pd.DataFrame(
        {
            "ipst": _names(rng, INSTRUMENT_LETTER[instr], asn, m),
            "n_files": n_files,
            "total_mb": total_mb,
            "DRIZCORR": drizcorr,
            "PCTECORR": pctecorr,
            "CRSPLIT": crsplit,
            "SUBARRAY": np.where(subarray, "True", "False"),
            "DETECTOR": det_name,
            "dtype": dtype,
            "INSTRUME": instr,
            "memory": memory,
            "wallclock": wallclock,
            "mem_bin": mem_bin_from_memory(memory),
        }
    )


def simulate_hstcal(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Simulate HST calibration jobs with raw keywords and resource labels.

    Parameters
    ----------
    n : int, default=1000
        Number of jobs (rows), at least 1. The instrument / association mix follows the
        real label set (WFC3 45 %, ACS 23 %, STIS 17 %, COS 15 %).
    seed : int, default=0
        Random seed; the same ``(n, seed)`` always gives the same table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``ipst`` (ipppssoot; associations end in ``0``), with the columns
        :data:`KEYWORD_COLUMNS` (raw keyword values as strings, like the calcloud feature
        files: ``"PERFORM"``/``"OMIT"``, ``"True"``/``"False"``, ``"NaN"`` when a keyword does
        not apply) followed by ``memory`` (GB), ``wallclock`` (s) and ``mem_bin`` (0-3).

    Raises
    ------
    InputError
        If ``n`` is not a positive integer or ``seed`` not a non-negative integer.

    Examples
    --------
    >>> from spacekit.datasets.hstcal import simulate_hstcal
    >>> df = simulate_hstcal(n=50, seed=1)
    >>> df.shape
    (50, 12)
    >>> sorted(df["INSTRUME"].unique())
    ['ACS', 'COS', 'STIS', 'WFC3']
    """
    n = check_int("n", n, 1)
    rng = np.random.default_rng(check_seed(seed))
    counts = _group_counts(n, rng)
    frames = [
        _simulate_group(instr, dtype, int(m), rng)
        for (instr, dtype), m in zip(GROUPS, counts, strict=True)
        if m > 0
    ]
    df = pd.concat(frames, ignore_index=True)
    df = df.iloc[rng.permutation(len(df))]
    # Names are unique within a group by construction and across groups by their letter
    # or their last character; guard anyway.
    df = df.drop_duplicates("ipst").set_index("ipst")
    logger.debug("simulated %d HST cal jobs (seed=%s)", len(df), seed)
    return df


def write_hstcal_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table from :func:`simulate_hstcal` to CSV atomically.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`simulate_hstcal` (indexed by ``ipst``).
    path : str or os.PathLike
        Destination file; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from spacekit._io import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=True, index_label="ipst")
    return path


def write_hstcal_folder(
    df: pd.DataFrame,
    out_dir: str | os.PathLike,
    *,
    seed: int | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a simulated table as ``out_dir/hstcal.csv`` plus a ``manifest.json``.

    This is the layout of the packaged ``hstcal`` sample and of
    ``spacekit datasets simulate hstcal OUT_DIR``; the manifest is written last.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`simulate_hstcal`.
    out_dir : str or os.PathLike
        Output folder (created). It must be empty unless ``overwrite`` is true.
    seed : int, optional
        The seed that made ``df``, recorded in the manifest.
    overwrite : bool, default=False
        Allow a non-empty ``out_dir``; the files a previous simulation there wrote (as
        its ``manifest.json`` lists them) are replaced, and nothing else: a
        ``hstcal.csv`` or ``manifest.json`` that spacekit did not write raises.

    Returns
    -------
    pathlib.Path
        The CSV path.

    Raises
    ------
    InputError
        If ``out_dir`` is a file, cannot be created, or is not empty without ``overwrite``.
    """
    from spacekit._io import atomic_write_json
    from spacekit._version import __version__

    out = check_out_dir(out_dir, overwrite)
    prepare_overwrite(out, ["hstcal.csv"])
    make_out_dir(out)
    with removed_on_failure(out, ["hstcal.csv", "manifest.json"]):
        path = write_hstcal_csv(df, out / "hstcal.csv")
        counts = df["INSTRUME"].value_counts().sort_index()
        manifest = {
            "name": "hstcal",
            "kind": "hstcal",
            "description": "Simulated HST calibration jobs with memory/wallclock labels",
            "seed": seed,
            "n": int(len(df)),
            "counts": {str(k): int(v) for k, v in counts.items()},
            "files": [path.name],
            "written": sorted([path.name, "manifest.json"]),
            "spacekit_version": __version__,
        }
        atomic_write_json(out / "manifest.json", manifest)
        return path


def read_hstcal_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV written by :func:`write_hstcal_csv`, keeping keyword strings such as "NaN".

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``ipst``, as :func:`simulate_hstcal` returns it.

    Raises
    ------
    InputError
        If ``path`` is not a file.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No HST cal CSV at {str(path)!r}; expected a file from write_hstcal_csv.")
    text_cols = {c: str for c in ("DRIZCORR", "PCTECORR", "CRSPLIT", "SUBARRAY", "DETECTOR")}
    df = pd.read_csv(path, index_col="ipst", dtype=text_cols, keep_default_na=False)
    for col in ("memory", "wallclock"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df
