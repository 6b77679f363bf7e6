"""Synthetic misalignment of SVM input exposures: spacekit 1.1.4's corruption rules.

A misaligned single-visit mosaic is made from an aligned visit's input exposures by
moving the reference coordinates (``CRVAL1``/``CRVAL2``) of some of them, so that the
pipeline (or :mod:`spacekit.generator.recombine`) drizzles their light to the wrong place:

* the shift is ``lambda * scale / 3600`` degrees, ``lambda`` in pixels drawn from the
  threshold level (:data:`THRESHOLDS`; ``any``: U(0, 20)) with a random sign;
* ``stat`` (static): one shift per corrupted copy, added to both CRVAL1 and CRVAL2 of every
  selected file; ``stoc`` (stochastic): an independent ``lambda`` and sign per file and
  per axis;
* the files are those of one filter: all of them (``all``) or a random subset (``sub``);
  or 2-3 random exposures of any filter (the ``rex`` palette, pseudo-filter ``f999r``).

The exposures are read from the visit's poller list (``*.out``: file name first, filter
third from last, ``;`` standing for ``_``). Unlike 1.1.4, subsets are drawn without
replacement (1.1.4 could pick a file twice and corrupt fewer files than it logged), a
subset always leaves at least one exposure of the filter untouched, every ``SCI``
extension of a file is shifted (1.1.4 shifted only the first chip of two-chip files), and
``scale="detector"`` measures ``lambda`` in the exposure's own pixels, on the sky (1.1.4
used 0.04"/pixel for every detector and no cos(dec) factor; that stays the default).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "THRESHOLDS",
    "UVIS_SCALE",
    "REX_FILTER",
    "InputList",
    "FileCorruption",
    "read_input_list",
    "lambda_shift",
    "pick_random_filter",
    "pick_random_subset",
    "pick_random_exposures",
    "draw_shifts",
    "shift_crval",
]

log = logging.getLogger(__name__)

#: Threshold levels: range of ``lambda`` (pixels).
THRESHOLDS: dict[str, tuple[float, float]] = {
    "major": (10.0, 20.0),
    "standard": (0.5, 10.0),
    "minor": (0.0, 1.0),
    "any": (0.0, 20.0),
}
#: 1.1.4's pixel scale for every detector (WFC3/UVIS), arcsec per pixel.
UVIS_SCALE = 0.04
#: Pseudo-filter name of the ``rex`` palette (random exposures of any filter).
REX_FILTER = "f999r"


@dataclass
class InputList:
    """The exposures of a visit by filter, from its poller list.

    Attributes
    ----------
    path : pathlib.Path
        The ``*.out`` file.
    filters : dict
        ``{filter (lower case, "_" for ";"): [file names in list order]}``.
    """

    path: Path
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        """Every exposure file name, in list order."""
        return [f for names in self.filters.values() for f in names]


@dataclass
class FileCorruption:
    """The CRVAL shift applied to one exposure file."""

    file: str
    crval_old: tuple[float, float]
    crval_new: tuple[float, float]

    @property
    def delta(self) -> tuple[float, float]:
        """(dCRVAL1, dCRVAL2) in degrees."""
        return (self.crval_new[0] - self.crval_old[0], self.crval_new[1] - self.crval_old[1])

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "crval_old": list(self.crval_old),
            "crval_new": list(self.crval_new),
        }


def read_input_list(visit_dir: str | os.PathLike) -> InputList:
    """Read the poller list (``*.out``) of a visit folder.

    Raises
    ------
    ValueError
        If the folder has no ``*.out`` file, or no line of it names an exposure and a filter.
    """
    folder = Path(visit_dir)
    lists = sorted(folder.glob("*.out"))
    if not lists:
        raise ValueError(f"{folder}: no poller input list (*.out) naming the exposures")
    path = lists[0]
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ValueError(f"{path}: unreadable input list ({exc})") from exc
    out = InputList(path)
    for line in text.splitlines():
        tokens = [t.strip() for t in line.split(",")]
        if len(tokens) < 4 or not tokens[0]:
            continue
        filt = tokens[-3].replace(";", "_").lower()
        name = Path(tokens[0]).name
        out.filters.setdefault(filt, []).append(name)
    if not out.filters:
        raise ValueError(f"{path}: no line names an exposure file and a filter")
    return out


def lambda_shift(rng: np.random.Generator, thresh: str = "any") -> float:
    """One signed ``lambda`` (pixels): U(threshold range), + or - with equal odds.

    The sign follows 1.1.4's rule (+ when one uniform draw is below another).
    """
    if thresh not in THRESHOLDS:
        raise ValueError(f"unknown threshold {thresh!r}; expected one of {', '.join(THRESHOLDS)}")
    lo, hi = THRESHOLDS[thresh]
    sign = 1.0 if rng.random() < rng.random() else -1.0
    return sign * float(rng.uniform(lo, hi))


def pick_random_filter(filters: dict[str, list[str]], rng: np.random.Generator) -> str:
    """One filter of the visit, uniformly."""
    names = sorted(filters)
    return names[int(rng.integers(len(names)))]


def pick_random_subset(files: list[str], rng: np.random.Generator) -> list[str]:
    """A random subset of 1 to n-1 of ``files`` (without replacement, in list order).

    Raises
    ------
    ValueError
        If there are fewer than two files (a subset must leave one untouched).
    """
    if len(files) < 2:
        raise ValueError(f"a subset needs at least 2 exposures; the filter has {len(files)}")
    k = int(rng.integers(1, len(files)))
    keep = set(rng.choice(len(files), size=k, replace=False).tolist())
    return [f for i, f in enumerate(files) if i in keep]


def pick_random_exposures(filters: dict[str, list[str]], rng: np.random.Generator) -> list[str]:
    """2-3 random exposures of any filter (the ``rex`` palette), leaving one untouched.

    Raises
    ------
    ValueError
        If the visit has fewer than three exposures.
    """
    files = [f for names in filters.values() for f in names]
    if len(files) < 3:
        raise ValueError(f"'rex' needs at least 3 exposures; the visit has {len(files)}")
    k = min(int(rng.integers(2, 4)), len(files) - 1)
    keep = set(rng.choice(len(files), size=k, replace=False).tolist())
    return [f for i, f in enumerate(files) if i in keep]


def draw_shifts(
    n: int,
    mode: str,
    thresh: str,
    rng: np.random.Generator,
    *,
    scales: list[float] | None = None,
    decs: list[float] | None = None,
) -> list[tuple[float, float]]:
    """(dCRVAL1, dCRVAL2) in degrees for ``n`` files.

    Parameters
    ----------
    n : int
        Number of files.
    mode : {"stat", "stoc"}
        One shift for all files and both axes, or one per file and axis.
    thresh : {"major", "standard", "minor", "any"}
        Threshold level of ``lambda``.
    rng : numpy.random.Generator
    scales : list of float, optional
        Pixel scale of each file (arcsec); 1.1.4's 0.04 by default.
    decs : list of float, optional
        Declination of each file: with ``scales``, the RA shift is divided by cos(dec) so
        that ``lambda`` is an on-sky distance. Without it, as in 1.1.4, no cos(dec).
    """
    if mode not in ("stat", "stoc"):
        raise ValueError(f"unknown mode {mode!r}; expected 'stat' or 'stoc'")
    scales = scales if scales is not None else [UVIS_SCALE] * n
    cos = [1.0] * n if decs is None else [max(np.cos(np.radians(d)), 1e-6) for d in decs]
    if mode == "stat":
        lam = lambda_shift(rng, thresh)
        return [(lam * s / 3600.0 / c, lam * s / 3600.0) for s, c in zip(scales, cos, strict=True)]
    out = []
    for s, c in zip(scales, cos, strict=True):
        l1, l2 = lambda_shift(rng, thresh), lambda_shift(rng, thresh)
        out.append((l1 * s / 3600.0 / c, l2 * s / 3600.0))
    return out


def shift_crval(path: str | os.PathLike, delta: tuple[float, float]) -> FileCorruption:
    """Add ``delta`` (degrees) to CRVAL1/CRVAL2 of every ``SCI`` extension, atomically.

    The file is rewritten through a temporary file, so an interruption leaves it whole.

    Raises
    ------
    ValueError
        If the file cannot be read or has no ``SCI`` extension with CRVAL1/CRVAL2.
    """
    from spacekit._io import atomic_path
    from spacekit.generator.coadd import open_exposure

    path = Path(path)
    with open_exposure(path) as hdul:
        targets = [
            h for h in hdul[1:] if h.name == "SCI" and "CRVAL1" in h.header and "CRVAL2" in h.header
        ]
        if not targets:
            raise ValueError(f"{path}: no SCI extension with CRVAL1/CRVAL2")
        try:
            old = (float(targets[0].header["CRVAL1"]), float(targets[0].header["CRVAL2"]))
            for h in targets:
                h.header["CRVAL1"] = float(h.header["CRVAL1"]) + delta[0]
                h.header["CRVAL2"] = float(h.header["CRVAL2"]) + delta[1]
            new = (float(targets[0].header["CRVAL1"]), float(targets[0].header["CRVAL2"]))
            with atomic_path(path) as tmp:
                hdul.writeto(tmp, overwrite=True)
        except (OSError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: cannot rewrite the exposure ({exc})") from exc
    log.debug("%s: CRVAL %s -> %s", path.name, old, new)
    return FileCorruption(path.name, old, new)
