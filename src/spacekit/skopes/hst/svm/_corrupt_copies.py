"""spacekit 1.1.4's corruption functions: selections, CRVAL shifts and corrupted copies.

Private helper of :mod:`spacekit.skopes.hst.svm.corrupt`, which exports these names at
1.1.4's import path. The rules themselves live in :mod:`spacekit.generator.corrupt`.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spacekit.exceptions import InputError

log = logging.getLogger(__name__)

COMBOS = (("all", "stat"), ("all", "stoc"), ("sub", "stat"), ("sub", "stoc"))


@dataclass
class CorruptResult:
    """What a corruption run did.

    Attributes
    ----------
    created : list of pathlib.Path
        Corrupted visit folders written (crpt step).
    recombined : list of pathlib.Path
        Folders whose products were re-combined (runsvm step).
    images : list of pathlib.Path
        PNG frames drawn (draw step).
    skipped : list of (str, str)
        ``(item, reason)`` for everything left out (a visit, combination or folder).
    """

    created: list[Path] = field(default_factory=list)
    recombined: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __iadd__(self, other: CorruptResult) -> CorruptResult:
        self.created += other.created
        self.recombined += other.recombined
        self.images += other.images
        self.skipped += other.skipped
        return self


def _rng(rng) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


# -- 1.1.4's selection and corruption functions -------------------------------------------


def find_filter_files(dataset: str | os.PathLike) -> dict[str, list[Path]]:
    """``{filter: [exposure paths]}`` of a visit folder, from its ``*.out`` poller list."""
    from spacekit.generator.corrupt import read_input_list

    folder = Path(dataset)
    try:
        inputs = read_input_list(folder)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return {f: [folder / n for n in names] for f, names in inputs.filters.items()}


def pick_random_filter(dataset, drizzle_dct=None, rng=None) -> dict[str, list[Path]]:
    """One random filter of the visit: ``{filter: [exposure paths]}``."""
    from spacekit.generator.corrupt import pick_random_filter as pick

    dct = drizzle_dct if drizzle_dct is not None else find_filter_files(dataset)
    filt = pick({k: [str(p) for p in v] for k, v in dct.items()}, _rng(rng))
    return {filt: list(dct[filt])}


def pick_random_exposures(dataset, rng=None) -> dict[str, list[Path]]:
    """2-3 random exposures of any filter: ``{"f999r": [exposure paths]}``."""
    from spacekit.generator.corrupt import REX_FILTER
    from spacekit.generator.corrupt import pick_random_exposures as pick

    dct = find_filter_files(dataset)
    by_name = {p.name: p for v in dct.values() for p in v}
    try:
        names = pick({k: [p.name for p in v] for k, v in dct.items()}, _rng(rng))
    except ValueError as exc:
        raise InputError(f"{dataset}: {exc}") from exc
    return {REX_FILTER: [by_name[n] for n in names]}


def pick_random_subset(filter_files: Sequence, rng=None) -> list:
    """A random subset (1 to n-1 files, without replacement) of one filter's files."""
    from spacekit.generator.corrupt import pick_random_subset as pick

    files = list(filter_files)
    by_name = {str(f): f for f in files}
    try:
        return [by_name[n] for n in pick([str(f) for f in files], _rng(rng))]
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def modify_paths(drizzle_dct: dict, name: str | os.PathLike) -> dict[str, list[Path]]:
    """The same files inside the corrupted copy ``name``."""
    return {k: [Path(name) / Path(p).name for p in v] for k, v in drizzle_dct.items()}


def set_lambda_threshold(thresh: str = "any", rng=None) -> float:
    """A signed pixel shift ``lambda`` for the threshold level."""
    from spacekit.generator.corrupt import lambda_shift

    try:
        return lambda_shift(_rng(rng), thresh)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def static_augment(thresh: str = "any", rng=None) -> float:
    """One static shift in degrees (``lambda * 0.04 / 3600``)."""
    from spacekit.generator.corrupt import UVIS_SCALE

    return set_lambda_threshold(thresh, rng) * UVIS_SCALE / 3600.0


def stochastic_augment(x: float, thresh: str = "any", rng=None) -> float:
    """``x`` plus an independent random shift in degrees."""
    return float(x) + static_augment(thresh, rng)


def static_corruption(fits_file: str | os.PathLike, delta: float):
    """Add ``delta`` degrees to CRVAL1 and CRVAL2 of the file (every SCI extension)."""
    from spacekit.generator.corrupt import shift_crval

    return shift_crval(fits_file, (float(delta), float(delta)))


def stochastic_corruption(fits_file: str | os.PathLike, thresh: str = "any", rng=None):
    """Shift CRVAL1 and CRVAL2 of the file by independent random amounts."""
    from spacekit.generator.corrupt import shift_crval

    rng = _rng(rng)
    return shift_crval(fits_file, (static_augment(thresh, rng), static_augment(thresh, rng)))


def print_corruptions(wcs_valid, wcs_corrupt) -> str:
    """The text 1.1.4 printed for one file: old and new CRVAL1/CRVAL2 (returned, not printed)."""
    (a1, a2), (b1, b2) = wcs_valid, wcs_corrupt
    return (
        f"CRVAL1: {a1:.10f} -> {b1:.10f} (delta {b1 - a1:+.3e} deg)\n"
        f"CRVAL2: {a2:.10f} -> {b2:.10f} (delta {b2 - a2:+.3e} deg)"
    )


def _scales(files) -> tuple[list[float], list[float]]:
    from spacekit.generator.recombine import read_sci_wcs

    scales, decs = [], []
    for f in files:
        wcs, _, _ = read_sci_wcs(f)
        scales.append(float(np.sqrt(abs(np.linalg.det(wcs.pixel_scale_matrix)))) * 3600.0)
        decs.append(float(wcs.wcs.crval[1]))
    return scales, decs


def run_header_corruption(
    selected_files: Sequence, mode: str = "stoc", thresh: str = "any", *, rng=None, scale="uvis"
):
    """Shift the CRVALs of ``selected_files`` in place; return the :class:`FileCorruption` list.

    ``scale="uvis"`` is 1.1.4's 0.04"/pixel for every file; ``"detector"`` uses each file's
    pixel scale and a cos(dec) factor, so ``lambda`` is an on-sky distance in its pixels.
    """
    from spacekit.generator.corrupt import draw_shifts, shift_crval

    if scale not in ("uvis", "detector"):
        raise InputError(f"scale must be 'uvis' or 'detector'; received scale={scale!r}.")
    files = [Path(f) for f in selected_files]
    scales = decs = None
    if scale == "detector":
        scales, decs = _scales(files)
    try:
        deltas = draw_shifts(len(files), mode, thresh, _rng(rng), scales=scales, decs=decs)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return [shift_crval(f, d) for f, d in zip(files, deltas, strict=True)]


# -- one corrupted copy ---------------------------------------------------------------------


def _copy_inputs(src: Path, dst: Path, files: list[str], out_list: Path) -> None:
    from spacekit._io import atomic_path

    dst.mkdir(parents=True)
    for name in [out_list.name, *files]:
        with atomic_path(dst / name) as tmp:
            shutil.copyfile(src / name, tmp)


def corrupt_dataset(
    dataset: str | os.PathLike,
    outputs: str | os.PathLike,
    filt: str,
    files: Sequence,
    expos: str,
    mode: str,
    thresh: str = "any",
    *,
    rng=None,
    scale: str = "uvis",
    overwrite: bool = False,
) -> Path:
    """Copy one visit's inputs to ``{outputs}/{visit}_{filt}_{expos}_{mode}`` and corrupt ``files``.

    The copy is built in a hidden temporary folder and renamed when complete.

    Raises
    ------
    InputError
        If the target exists (without ``overwrite``) or an input is missing or unreadable.
    """
    from spacekit._io import atomic_write_json, atomic_write_text
    from spacekit.generator.corrupt import read_input_list

    src = Path(dataset)
    name = f"{src.name}_{filt.lower()}_{expos}_{mode}"
    target = Path(outputs) / name
    if target.exists() and not overwrite:
        raise InputError(f"{target} exists (pass overwrite to replace it)")
    try:
        inputs = read_input_list(src)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    missing = [f for f in inputs.files if not (src / f).is_file()]
    if missing:
        raise InputError(
            f"{src}: exposure file(s) listed in {inputs.path.name} not found: "
            f"{', '.join(missing)} (a simulated visit needs simulate_svm(exposures=True))"
        )
    tmp = Path(outputs) / f".{name}.part"
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        _copy_inputs(src, tmp, inputs.files, inputs.path)
        selected = [tmp / Path(f).name for f in files]
        records = run_header_corruption(selected, mode, thresh, rng=rng, scale=scale)
        lines = [f"visit: {src.name}", f"filter: {filt}", f"expos: {expos}", f"mode: {mode}"]
        lines.append(f"threshold: {thresh}, scale: {scale}")
        for r in records:
            lines += [f"{r.file}:", print_corruptions(r.crval_old, r.crval_new)]
        atomic_write_text(tmp / "corruption.txt", "\n".join(lines) + "\n")
        atomic_write_json(
            tmp / "corruption.json",
            {
                "source": str(src.resolve()),
                "visit": src.name,
                "filter": filt,
                "expos": expos,
                "mode": mode,
                "threshold": thresh,
                "scale": scale,
                "files": [r.as_dict() for r in records],
            },
        )
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except (ValueError, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"{src} -> {name}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("corrupted %s: %d file(s) of %s", name, len(records), filt)
    return target


def _check_exposures(dataset: Path) -> None:
    """Raise InputError naming the first listed exposure that is missing or unreadable."""
    from astropy.io import fits

    for filt, files in find_filter_files(dataset).items():
        for path in files:
            if not path.is_file():
                raise InputError(
                    f"{dataset}: exposure {path.name} ({filt}) listed in the poller list not "
                    "found (a simulated visit needs simulate_svm(exposures=True))"
                )
            try:
                exptime = fits.getheader(path, 0).get("EXPTIME")
            except (OSError, ValueError, TypeError) as exc:
                raise InputError(f"{path}: unreadable exposure ({exc})") from exc
            if not isinstance(exptime, int | float) or not exptime > 0:
                raise InputError(f"{path}: no positive EXPTIME in the primary header")


def _plan(dataset: Path, cfg: dict, rng: np.random.Generator):
    """(filter, files, expos, mode) per corrupted copy, and the combinations skipped."""
    dct = find_filter_files(dataset)
    plan, skipped = [], []
    palette = cfg["palette"]
    if palette == "rex":
        ((filt, files),) = pick_random_exposures(dataset, rng).items()
        return [(filt, files, cfg["expos"], cfg["mode"])], skipped
    combos = COMBOS if palette == "multi" else ((cfg["expos"], cfg["mode"]),)
    if palette == "rfi":
        pool = {f: v for f, v in dct.items() if cfg["expos"] == "all" or len(v) > 1}
        if not pool:
            raise InputError(f"{dataset}: no filter has 2 exposures for a subset ('sub')")
        dct = pick_random_filter(dataset, pool, rng)
    for filt, files in dct.items():
        for expos, mode in combos:
            if expos == "sub" and len(files) < 2:
                skipped.append(
                    (f"{dataset.name}_{filt}_{expos}_{mode}", "one exposure: no subset to shift")
                )
                continue
            chosen = pick_random_subset(files, rng) if expos == "sub" else list(files)
            plan.append((filt, chosen, expos, mode))
    return plan, skipped


def multiple_permutations(
    dataset, outputs, cfg: dict, *, rng=None, overwrite=False
) -> CorruptResult:
    """Corrupted copies of one visit for the configured palette, exposures and mode.

    A visit whose listed exposures are missing or unreadable is skipped as a whole.
    """
    rng = _rng(rng)
    res = CorruptResult()
    dataset = Path(dataset)
    try:
        _check_exposures(dataset)
        plan, res.skipped = _plan(dataset, cfg, rng)
    except InputError as exc:
        res.skipped.append((dataset.name, str(exc)))
        return res
    for filt, files, expos, mode in plan:
        try:
            res.created.append(
                corrupt_dataset(
                    dataset,
                    outputs,
                    filt,
                    files,
                    expos,
                    mode,
                    cfg["thresh"],
                    rng=rng,
                    scale=cfg.get("scale", "uvis"),
                    overwrite=overwrite,
                )
            )
        except InputError as exc:
            res.skipped.append((f"{dataset.name}_{filt}_{expos}_{mode}", str(exc)))
    return res


def all_permutations(dataset, outputs, *, thresh="any", rng=None, overwrite=False) -> CorruptResult:
    """Every filter in all four ``all|sub`` x ``stat|stoc`` combinations (palette ``multi``)."""
    cfg = {"palette": "multi", "expos": "all", "mode": "stoc", "thresh": thresh}
    return multiple_permutations(dataset, outputs, cfg, rng=rng, overwrite=overwrite)
