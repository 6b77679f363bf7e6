"""Make synthetic misaligned SVM visits: spacekit 1.1.4's ``corrupt`` API and runner, working.

``python -m spacekit.skopes.hst.svm.corrupt SRCPATH`` (1.1.4's flags) and
:func:`corrupt_svm` copy each aligned visit folder of ``SRCPATH`` to
``{outputs}/{visit}_{filter}_{all|sub}_{stat|stoc}`` and run three steps, chosen by the
process code ``prc = 4*crpt + 2*runsvm + draw``:

1. **crpt** — shift CRVAL1/CRVAL2 of the selected input exposures
   (:mod:`spacekit.generator.corrupt`); the copy holds the poller list, the exposures and
   ``corruption.txt`` / ``corruption.json`` (what was shifted, by how much, from where);
2. **runsvm** — re-combine the copy into a total product, catalogues and diagnostics
   (:mod:`spacekit.generator.recombine`; 1.1.4 ran drizzlepac's ``runsinglehap`` here);
3. **draw** — draw the CNN frames of the copies into ``{dirname(outputs)}/img/1/``,
   named ``{product}_{filter}_{all|sub}_{stat|stoc}`` (the class-1 folder).

The ``block`` workflow runs each step over all visits before the next; ``pipe`` runs all
steps per visit. Palettes: ``rfi`` one random filter, ``mfi`` every filter, ``rex`` 2-3
random exposures of any filter (pseudo-filter ``f999r``), ``multi`` (default) every filter
in all four ``all|sub`` x ``stat|stoc`` combinations. Input visits need their exposures
(``*_flt.fits`` / ``*_flc.fits`` listed in the ``*.out`` poller list) and, for ``runsvm``,
their aligned total product and catalogues; the simulator writes both with
``simulate_svm(..., exposures=True)``. A bad visit or copy is skipped with its reason and
the run goes on; a copy is built in a temporary folder and renamed when complete.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from spacekit.exceptions import DataError, InputError
from spacekit.skopes.hst.svm._corrupt_copies import (
    CorruptResult,
    all_permutations,
    corrupt_dataset,
    find_filter_files,
    modify_paths,
    multiple_permutations,
    pick_random_exposures,
    pick_random_filter,
    pick_random_subset,
    print_corruptions,
    run_header_corruption,
    set_lambda_threshold,
    static_augment,
    static_corruption,
    stochastic_augment,
    stochastic_corruption,
)

__all__ = [
    "PALETTES",
    "CorruptResult",
    "find_filter_files",
    "pick_random_filter",
    "pick_random_exposures",
    "pick_random_subset",
    "modify_paths",
    "set_lambda_threshold",
    "static_augment",
    "stochastic_augment",
    "static_corruption",
    "stochastic_corruption",
    "print_corruptions",
    "run_header_corruption",
    "corrupt_dataset",
    "multiple_permutations",
    "all_permutations",
    "run_svm",
    "generate_images",
    "get_datasets",
    "make_process_config",
    "run_corrupt",
    "run_svm_alignment",
    "run_image_gen",
    "run_blocks",
    "run_pipes",
    "corrupt_svm",
    "main",
]

log = logging.getLogger(__name__)

PALETTES = ("rex", "rfi", "mfi", "multi")


# -- the runsvm and draw steps --------------------------------------------------------------


def _source_of(folder: Path) -> Path:
    rec = folder / "corruption.json"
    try:
        return Path(json.loads(rec.read_text(encoding="utf-8"))["source"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{folder}: no readable corruption.json naming the source visit") from exc


def run_svm(visit: str | os.PathLike, outputs: str | os.PathLike | None = None):
    """Re-combine one corrupted folder (1.1.4 ran drizzlepac's ``runsinglehap`` here).

    Returns the :class:`~spacekit.generator.recombine.Recombined` record.
    """
    from spacekit.generator.recombine import recombine_visit

    folder = Path(outputs) / visit if outputs is not None else Path(visit)
    try:
        return recombine_visit(folder, _source_of(folder))
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def _img_path(outputs: Path, img_path) -> Path:
    return Path(img_path) if img_path is not None else outputs.parent / "img" / "1"


def generate_images(
    outputs, filters: bool = False, pattern: str = "*", visit=None, *, img_path=None
) -> CorruptResult:
    """Draw the CNN frames of corrupted folders into ``{dirname(outputs)}/img/1/``.

    ``filters=True`` (1.1.4's per-filter images) is not available: the re-combination
    writes only the total-detection product.
    """
    from spacekit.skopes.hst.svm.prep import prep_visit

    if filters:
        raise InputError(
            "filters=True is not available: corrupted visits get only a total-detection product."
        )
    outputs = Path(outputs)
    folders = (
        [outputs / visit]
        if visit
        else sorted(d for d in outputs.glob(pattern) if d.is_dir() and not d.name.startswith("."))
    )
    res = CorruptResult()
    for folder in folders:
        out = prep_visit(folder, draw=True, img_path=_img_path(outputs, img_path))
        res.images += [Path(p) for paths in out.images.values() for p in paths]
        res.skipped += out.skipped
        if not out.rows and not out.skipped:
            res.skipped.append((folder.name, "no diagnostic JSON: re-combine it first (runsvm)"))
    return res


# -- workflows --------------------------------------------------------------------------------


def get_datasets(
    srcpath, search_pattern: str = "*", outputs="synthetic", prc: int = 4
) -> list[Path]:
    """Folders to process: visit folders of ``srcpath`` when corrupting (``prc >= 4``), else
    the corrupted folders already in ``outputs``.

    Raises
    ------
    InputError
        If the folder is missing or holds no matching folder.
    """
    root = Path(srcpath) if prc >= 4 else Path(outputs)
    if not root.is_dir():
        raise InputError(f"'{root}' is not a folder.")
    found = sorted(
        d for d in root.glob(search_pattern) if d.is_dir() and not d.name.startswith(".")
    )
    if prc >= 4:
        found = [d for d in found if any(d.glob("*.out"))]
    if not found:
        what = "visit folder with a *.out poller list" if prc >= 4 else "corrupted folder"
        raise InputError(f"No {what} matching '{search_pattern}' in '{root}'.")
    return found


def make_process_config(
    crpt=1, runsvm=0, imagegen=0, palette="multi", expos="all", mode="stoc", threshold="any"
) -> tuple[int, dict]:
    """``(prc, cfg)``: the process code ``4*crpt + 2*runsvm + imagegen`` and the settings.

    Raises
    ------
    InputError
        For an unknown palette, exposure selection, mode or threshold.
    """
    from spacekit.generator.corrupt import THRESHOLDS

    for name, value, allowed in (
        ("palette", palette, PALETTES),
        ("expos", expos, ("all", "sub")),
        ("mode", mode, ("stat", "stoc")),
        ("threshold", threshold, tuple(THRESHOLDS)),
    ):
        if value not in allowed:
            raise InputError(f"{name} must be one of {', '.join(allowed)}; received {value!r}.")
    prc = 4 * int(bool(crpt)) + 2 * int(bool(runsvm)) + int(bool(imagegen))
    return prc, {"palette": palette, "expos": expos, "mode": mode, "thresh": threshold}


def _bar(items, desc: str, progress: bool):
    from spacekit._progress import progress_bar

    return progress_bar(items, progress=progress, desc=desc, unit="visit")


def run_corrupt(datasets, outputs, cfg: dict, *, seed=None, overwrite=False, progress=True):
    """The crpt step over ``datasets`` (visit folders); copies go to ``outputs``."""
    Path(outputs).mkdir(parents=True, exist_ok=True)
    res = CorruptResult()
    for i, d in enumerate(_bar(list(datasets), "corrupt", progress)):
        rng = np.random.default_rng(None if seed is None else [int(seed), i])
        res += multiple_permutations(d, outputs, cfg, rng=rng, overwrite=overwrite)
    return res


def run_svm_alignment(folders, *, progress=True) -> CorruptResult:
    """The runsvm step: re-combine each corrupted folder."""
    res = CorruptResult()
    for folder in _bar(list(folders), "re-combine", progress):
        try:
            res.recombined.append(run_svm(folder).folder)
        except InputError as exc:
            res.skipped.append((Path(folder).name, str(exc)))
    return res


def run_image_gen(folders, outputs, *, img_path=None, progress=True) -> CorruptResult:
    """The draw step: frames of each corrupted folder into the class-1 image folder."""
    res = CorruptResult()
    for folder in _bar(list(folders), "draw", progress):
        res += generate_images(outputs, visit=Path(folder).name, img_path=img_path)
    return res


def run_blocks(
    prc,
    cfg,
    pattern="*",
    srcpath=None,
    outputs="synthetic",
    *,
    seed=None,
    overwrite=False,
    img_path=None,
    progress=True,
) -> CorruptResult:
    """Each step over every visit before the next (1.1.4's ``block`` workflow)."""
    res = CorruptResult()
    if prc >= 4:
        res += run_corrupt(
            get_datasets(srcpath, pattern, outputs, prc),
            outputs,
            cfg,
            seed=seed,
            overwrite=overwrite,
            progress=progress,
        )
        folders = res.created
    else:
        folders = get_datasets(srcpath, pattern, outputs, prc)
    if prc & 2:
        step = run_svm_alignment(folders, progress=progress)
        res += step
        folders = step.recombined
    if prc & 1:
        res += run_image_gen(folders, outputs, img_path=img_path, progress=progress)
    return res


def run_pipes(
    prc,
    cfg,
    pattern="*",
    srcpath=None,
    outputs="synthetic",
    *,
    seed=None,
    overwrite=False,
    img_path=None,
    progress=True,
) -> CorruptResult:
    """Every step per visit (1.1.4's ``pipe`` workflow); same results as ``block``."""
    res = CorruptResult()
    datasets = get_datasets(srcpath, pattern, outputs, prc)
    if prc >= 4:
        Path(outputs).mkdir(parents=True, exist_ok=True)
    for i, d in enumerate(_bar(datasets, "visits", progress)):
        if prc >= 4:
            rng = np.random.default_rng(None if seed is None else [int(seed), i])
            step = multiple_permutations(d, outputs, cfg, rng=rng, overwrite=overwrite)
            res += step
            folders = step.created
        else:
            folders = [d]
        if prc & 2:
            step = run_svm_alignment(folders, progress=False)
            res += step
            folders = step.recombined
        if prc & 1:
            res += run_image_gen(folders, outputs, img_path=img_path, progress=False)
    return res


def corrupt_svm(
    srcpath,
    outputs="synthetic",
    *,
    palette: str = "multi",
    expos: str = "all",
    mode: str = "stoc",
    threshold: str = "any",
    workflow: str = "block",
    crpt: int = 1,
    runsvm: int = 0,
    draw: int = 0,
    search_pattern: str = "*",
    seed: int | None = None,
    scale: str = "uvis",
    img_path=None,
    overwrite: bool = False,
    progress: bool = True,
) -> CorruptResult:
    """Make corrupted copies of the visits in ``srcpath`` (see the module docstring).

    Parameters
    ----------
    srcpath : path-like
        Folder of aligned visit folders (with ``*.out`` and exposures).
    outputs : path-like, default="synthetic"
        Folder of the corrupted copies.
    palette : {"multi", "mfi", "rfi", "rex"}, default="multi"
    expos : {"all", "sub"}, default="all"
        All exposures of a filter, or a random subset (ignored by ``multi``).
    mode : {"stoc", "stat"}, default="stoc"
        Independent shifts per file and axis, or one shift (ignored by ``multi``).
    threshold : {"any", "major", "standard", "minor"}, default="any"
        Range of the shift in pixels: U(0, 20), U(10, 20), U(0.5, 10), U(0, 1).
    workflow : {"block", "pipe"}, default="block"
    crpt, runsvm, draw : {0, 1}
        Which steps run (1.1.4's defaults: corrupt only).
    search_pattern : str, default="*"
        Glob of the visit folders in ``srcpath`` (or of the copies in ``outputs`` when
        ``crpt=0``).
    seed : int, optional
        Seed for reproducible selections and shifts (1.1.4 drew them unseeded).
    scale : {"uvis", "detector"}, default="uvis"
        Pixel scale of ``lambda``: 1.1.4's 0.04"/pixel, or each exposure's own.
    img_path : path-like, optional
        Where frames go (default ``{dirname(outputs)}/img/1``).
    overwrite : bool, default=False
        Replace copies that exist (else they are skipped).
    progress : bool, default=True
        Show progress bars (hidden when not on a terminal).

    Returns
    -------
    CorruptResult

    Raises
    ------
    InputError
        For a bad setting or when no visit is found.
    DataError
        When nothing could be done (every visit skipped); the reasons are in the message.
    """
    prc, cfg = make_process_config(crpt, runsvm, draw, palette, expos, mode, threshold)
    if prc == 0:
        raise InputError("Nothing to do: crpt, runsvm and draw are all 0.")
    if workflow not in ("block", "pipe"):
        raise InputError(f"workflow must be 'block' or 'pipe'; received {workflow!r}.")
    if scale not in ("uvis", "detector"):
        raise InputError(f"scale must be 'uvis' or 'detector'; received scale={scale!r}.")
    cfg["scale"] = scale
    if srcpath is None and prc >= 4:
        raise InputError("srcpath is required to corrupt visits.")
    run = run_blocks if workflow == "block" else run_pipes
    res = run(
        prc,
        cfg,
        search_pattern,
        srcpath,
        outputs,
        seed=seed,
        overwrite=overwrite,
        img_path=img_path,
        progress=progress,
    )
    for item, reason in res.skipped:
        log.info("skipped %s: %s", item, reason)  # res.skipped lists them
    if not (res.created or res.recombined or res.images):
        lines = "\n".join(f"  {i}: {r}" for i, r in res.skipped) or "  (nothing found)"
        raise DataError(f"No corrupted visit was produced; skipped:\n{lines}")
    return res


def _parser() -> argparse.ArgumentParser:
    from spacekit._runner import add_log_arguments
    from spacekit.generator.corrupt import THRESHOLDS

    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.hst.svm.corrupt",
        description="Make synthetic misaligned copies of SVM visits (shifted exposure WCS).",
    )
    p.add_argument("srcpath", help="folder of aligned visit folders")
    p.add_argument("-o", "--outputs", default="synthetic", help="folder of the copies")
    p.add_argument("-p", "--palette", default="multi", choices=PALETTES)
    p.add_argument("-s", "--search_pattern", default="*", help="glob of the visit folders")
    p.add_argument("-e", "--expos", default="all", choices=["all", "sub"])
    p.add_argument("-m", "--mode", default="stoc", choices=["stat", "stoc"])
    p.add_argument("-t", "--threshold", default="any", choices=list(THRESHOLDS))
    p.add_argument("-w", "--workflow", default="block", choices=["block", "pipe"])
    p.add_argument("-c", "--crpt", type=int, default=1, choices=[0, 1])
    p.add_argument(
        "-r",
        "--runsvm",
        type=int,
        default=0,
        choices=[0, 1],
        help="re-combine the copies (products, catalogues, JSON)",
    )
    p.add_argument(
        "-d",
        "--draw",
        type=int,
        default=0,
        choices=[0, 1],
        help="draw the copies' CNN frames into DIRNAME(OUTPUTS)/img/1",
    )
    p.add_argument("--seed", type=int, default=None, help="seed of selections and shifts")
    p.add_argument(
        "--scale",
        default="uvis",
        choices=["uvis", "detector"],
        help="pixel scale of the shifts: 1.1.4's 0.04 arcsec or each exposure's",
    )
    p.add_argument("--overwrite", action="store_true", help="replace existing copies")
    add_log_arguments(p, "svm_corrupt.log")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The ``python -m spacekit.skopes.hst.svm.corrupt`` runner; returns the exit code."""
    from spacekit._runner import configure_runner_logging

    args = _parser().parse_args(argv)
    configure_runner_logging(args, "svm_corrupt.log")
    try:
        res = corrupt_svm(
            args.srcpath,
            args.outputs,
            palette=args.palette,
            expos=args.expos,
            mode=args.mode,
            threshold=args.threshold,
            workflow=args.workflow,
            crpt=args.crpt,
            runsvm=args.runsvm,
            draw=args.draw,
            search_pattern=args.search_pattern,
            seed=args.seed,
            scale=args.scale,
            overwrite=args.overwrite,
        )
    except (InputError, DataError) as exc:
        log.error("%s", exc)
        return 1
    log.info(
        "%d copies, %d re-combined, %d frames",
        len(res.created),
        len(res.recombined),
        len(res.images),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
