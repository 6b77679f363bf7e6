"""Prepare SVM visits for the alignment classifier: tables and CNN images.

``run_preprocessing`` (spacekit 1.1.4's API and ``python -m`` flags) scrapes the
``*_svm_*.json`` diagnostics and the drizzle SCI headers of every visit into

* ``{output_path}/{fname}.h5`` — the harvested JSON table (plain HDF5, no pickle);
* ``{output_path}/raw_{fname}.csv`` — the 18 scrubbed columns;
* ``{output_path}/{fname}.csv`` — the 10 MLP features (+ ``label``), ``index`` last;
* ``{output_path}/pos.txt`` — the products labelled 1, when there is a label;
* ``{output_path}/img/{name}/{name}{,_source,_gaia}.png`` — the three CNN frames.

Each visit is prepared by :func:`prep_visit`, a pure function of one visit folder (it
reads the folder and writes only that visit's images), so visits can run in worker
processes (``n_jobs``) or as independent tasks on a cluster; :func:`assemble` joins the
results and writes the tables once.

Differences from 1.1.4: the target category comes from an offline table (the MAST query
is opt-in), any number of visits are harvested, a bad file skips only its product (all
skips are reported), synthetic visit folders (``<ipppss>_<filter>_<all|sub>_<stat|stoc>``)
are named with their suffix whatever ``crpt`` is, the frames are rendered from arrays
(128×128 by default; ``full_size=True`` for 1.1.4's ~1800-pixel figures), ``--h5`` works,
and nothing is written to the current directory unless it is the output path.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spacekit.exceptions import DataError, InputError, SkippedInputWarning

__all__ = [
    "VisitPrep",
    "SvmPrepResult",
    "find_visit_folders",
    "prep_visit",
    "assemble",
    "prep_svm",
    "run_preprocessing",
    "main",
]

log = logging.getLogger(__name__)

DEFAULT_JSON_PATTERN = "*_total*_svm_*.json"


@dataclass
class VisitPrep:
    """What :func:`prep_visit` found in one visit folder.

    Attributes
    ----------
    folder : str
    rows : dict
        ``{product name: harvested JSON values}``.
    sci : dict
        ``{product name: {"rms_ra", "rms_dec", "nmatches", "wcstype"}}``.
    images : dict
        ``{product name: [paths of the PNGs written]}``.
    skipped : list of (str, str)
        ``(file or product, reason)`` for everything left out.
    notes : list of (str, str)
        Non-fatal remarks (e.g. a catalogue missing, frame drawn without its markers).
    """

    folder: str
    rows: dict[str, dict] = field(default_factory=dict)
    sci: dict[str, dict] = field(default_factory=dict)
    images: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SvmPrepResult:
    """Result of :func:`prep_svm`: the tables, where they went, and what was skipped."""

    data: pd.DataFrame
    raw: pd.DataFrame
    data_path: Path
    output_path: Path
    img_path: Path | None
    skipped: list[tuple[str, str]]
    notes: list[tuple[str, str]]


def _patterns(json_pattern: str | Sequence[str]) -> list[str]:
    if isinstance(json_pattern, str):
        return [p.strip() for p in json_pattern.split(",") if p.strip()]
    return [str(p) for p in json_pattern]


def find_visit_folders(
    input_path: str | os.PathLike, json_pattern: str | Sequence[str] = DEFAULT_JSON_PATTERN
) -> list[Path]:
    """Visit folders under ``input_path``: itself if it holds matching JSON, else its
    sub-folders that do (sorted).

    Raises
    ------
    InputError
        If ``input_path`` is not a folder or no folder holds a matching JSON file.
    """
    root = Path(input_path)
    if not root.is_dir():
        raise InputError(f"input_path '{root}' is not a folder of SVM visits.")
    pats = _patterns(json_pattern)
    if any(next(root.glob(p), None) for p in pats):
        return [root]
    folders = sorted(
        d for d in root.iterdir() if d.is_dir() and any(next(d.glob(p), None) for p in pats)
    )
    if not folders:
        raise InputError(
            f"No '{', '.join(pats)}' file in '{root}' or its sub-folders: nothing to prepare."
        )
    return folders


def _folder_suffix(folder: Path, dataset: str) -> str:
    """Synthetic suffix of a folder named ``<ipppss>_<suffix>`` (else "")."""
    name = folder.name
    return name[len(dataset) + 1 :] if name.startswith(f"{dataset}_") else ""


def prep_visit(
    folder: str | os.PathLike,
    *,
    json_pattern: str | Sequence[str] = DEFAULT_JSON_PATTERN,
    rows: dict[str, dict] | None = None,
    draw: bool = True,
    img_path: str | os.PathLike | None = None,
    size: int | None = 128,
) -> VisitPrep:
    """Prepare one visit folder: harvest its JSON, read its drizzle SCI headers, draw.

    A pure function of the folder: it reads the visit's files and writes only its own
    images (``{img_path}/{name}/``), so visits can be prepared in any order, in worker
    processes or as cluster tasks.

    Parameters
    ----------
    folder : path-like
        The visit folder (``*_svm_*.json``, ``*_dr[cz].fits``, catalogues).
    json_pattern : str or sequence of str
        Glob pattern(s) of the JSON files (comma-separated in a string).
    rows : dict, optional
        Harvested rows of this visit (from an ``.h5``); by default they are harvested.
    draw : bool, default=True
        Draw the three frames of each product.
    img_path : path-like, optional
        Where the frames go (required when ``draw``).
    size : int or None, default=128
        Frame side in pixels; None for the full-size figures.

    Returns
    -------
    VisitPrep
    """
    from spacekit.extractor.scrape_svm import (
        find_json_files,
        find_total_drizzles,
        harvest_json_files,
        read_sci_header,
    )
    from spacekit.generator.draw import DrawError, draw_total_frames, read_sci, write_frames
    from spacekit.preprocessor.scrub_svm import split_product_name

    folder = Path(folder)
    out = VisitPrep(str(folder))
    if rows is None:
        paths = [p for p in find_json_files(folder, _patterns(json_pattern)) if p.parent == folder]
        harvested, skipped = harvest_json_files(paths)
        out.skipped.extend(skipped)
        rows = {}
        for name, row in harvested.items():
            try:
                _, dataset = split_product_name(name)
            except ValueError as exc:
                out.skipped.append((name, str(exc)))
                continue
            sfx = _folder_suffix(folder, dataset)
            rows[f"{name}_{sfx}" if sfx else name] = row
    if draw and img_path is None:
        raise InputError("prep_visit(draw=True) needs img_path.")
    for name, row in rows.items():
        base = "_".join(name.split("_")[:7])
        imgname = row.get("gen_info.imgname") or row.get("header.imgname")
        drizzle = folder / str(imgname) if imgname else None
        if drizzle is None or not drizzle.is_file():
            found = [
                p
                for p in find_total_drizzles(folder, base.split("_")[-1])
                if p.name.startswith(base)
            ]
            if not found:
                out.skipped.append(
                    (name, f"no drizzle product {imgname or base + '_dr?.fits'} in '{folder}'")
                )
                continue
            drizzle = found[0]
        try:
            sci = read_sci(drizzle) if draw else None
            header = sci[1] if sci is not None else _sci_header(drizzle)
        except (DrawError, OSError, ValueError) as exc:
            out.skipped.append((name, str(exc)))
            continue
        out.rows[name] = row
        out.sci[name] = read_sci_header(header)
        if not draw:
            continue
        try:
            frames = draw_total_frames(drizzle, size=size, data=sci)
        except DrawError as exc:
            out.rows.pop(name)
            out.sci.pop(name)
            out.skipped.append((name, str(exc)))
            continue
        frames.name = name
        out.notes.extend((name, n) for n in frames.notes)
        out.images[name] = [str(p) for p in write_frames(frames, img_path)]
    return out


def _sci_header(path: Path) -> dict:
    from spacekit.extractor.scrape_fits import (
        MISSING,
        FitsReadError,
        NeedsAstropy,
        read_fits_cards,
        read_fits_cards_astropy,
    )
    from spacekit.extractor.scrape_svm import SCI_KEYWORDS

    try:
        _, h1 = read_fits_cards(path, (), SCI_KEYWORDS)
    except NeedsAstropy:
        _, h1 = read_fits_cards_astropy(path, (), SCI_KEYWORDS)
    except FitsReadError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return {k: v for k, v in h1.items() if v != MISSING}


def _category_lookup(category_lookup, targets) -> Callable[[pd.DataFrame], pd.Series]:
    from spacekit.preprocessor.encode_svm import TargetCategories, mast_category_lookup

    if callable(category_lookup):
        return category_lookup
    if category_lookup == "offline":
        return TargetCategories(targets)
    if category_lookup == "mast":
        return mast_category_lookup()
    raise InputError(
        f"category_lookup must be 'offline', 'mast' or a callable; received {category_lookup!r}."
    )


def _read_labels(labels) -> pd.Series:
    if isinstance(labels, pd.Series):
        return labels.astype(int)
    path = Path(labels)
    try:
        df = pd.read_csv(path, index_col=0)
    except (OSError, ValueError) as exc:
        raise InputError(f"Cannot read the labels file '{path}': {exc}") from exc
    if "label" not in df.columns:
        raise InputError(f"The labels file '{path}' has no 'label' column.")
    lab = pd.to_numeric(df["label"], errors="coerce")
    if lab.isna().any() or not lab.isin([0, 1]).all():
        raise InputError(f"The labels in '{path}' must be 0 or 1.")
    return lab.astype(int)


def assemble(
    visits: Sequence[VisitPrep],
    output_path: str | os.PathLike,
    fname: str = "svm_data",
    *,
    crpt: int = 0,
    labels=None,
    category_lookup="offline",
    targets=None,
    write_h5: bool = True,
    subset_name: str | None = None,
) -> SvmPrepResult:
    """Join per-visit results into the tables and write them once.

    Raises
    ------
    DataError
        If no product is usable (every skip and its reason is in the message).
    """
    from spacekit._io import atomic_path, atomic_write_text
    from spacekit.extractor.table_h5 import write_table_h5
    from spacekit.preprocessor.scrub_svm import finish_svm_tables, scrub_json_columns

    out = Path(output_path)
    out.mkdir(parents=True, exist_ok=True)
    rows, sci, skipped, notes = {}, {}, [], []
    for v in visits:
        rows.update(v.rows)
        sci.update(v.sci)
        skipped.extend(v.skipped)
        notes.extend(v.notes)
    if write_h5 and rows:
        harvested = pd.DataFrame.from_dict(rows, orient="index")
        harvested.index.name = "index"
        write_table_h5(harvested, out / f"{fname}.h5")
    table, bad = scrub_json_columns(rows)
    skipped.extend(bad)
    if len(table):
        table = table.join(pd.DataFrame.from_dict(sci, orient="index"))
        table["category"] = _category_lookup(category_lookup, targets)(table)
    label = None
    if crpt:
        label = pd.Series(1, index=table.index)
    elif labels is not None:
        lab = _read_labels(labels)
        missing = [n for n in table.index if n not in lab.index]
        skipped.extend((n, "no label in the labels table") for n in missing)
        table = table.drop(index=missing)
        label = lab.reindex(table.index)
    if not len(table):
        raise DataError(_nothing_usable(skipped))
    raw, data, bad = finish_svm_tables(table, label)
    skipped.extend(bad)
    if not len(data):
        raise DataError(_nothing_usable(skipped))
    with atomic_path(out / f"raw_{fname}.csv") as tmp:
        raw.reset_index()[[*raw.columns, "index"]].to_csv(tmp, index=False)
    data_path = out / f"{fname}.csv"
    with atomic_path(data_path) as tmp:
        data.reset_index()[[*data.columns, "index"]].to_csv(tmp, index=False)
    if "label" in data.columns:
        pos = data.index[data["label"] == 1]
        atomic_write_text(out / "pos.txt", "".join(f"{n}\n" for n in pos))
    if subset_name:
        atomic_write_text(out / f"{subset_name}.txt", "".join(f"{n}\n" for n in data.index))
    for item, reason in skipped:
        log.info("skipped %s: %s", item, reason)
    return SvmPrepResult(data, raw, data_path, out, None, skipped, notes)


def _nothing_usable(skipped) -> str:
    lines = "\n".join(f"  {i}: {r}" for i, r in skipped) or "  (no product found)"
    return f"No usable SVM product; skipped:\n{lines}"


def _spelled(res: VisitPrep, paths) -> VisitPrep:
    """A visit's result with its paths spelled as the caller gave them."""
    if not paths:
        return res
    return VisitPrep(
        paths.given(res.folder),
        rows=res.rows,
        sci=res.sci,
        images=paths.given(res.images),
        skipped=paths.given(res.skipped),
        notes=paths.given(res.notes),
    )


def prep_svm(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike | None = None,
    fname: str = "svm_data",
    *,
    h5: str | os.PathLike | None = None,
    json_pattern: str | Sequence[str] = DEFAULT_JSON_PATTERN,
    visit: str | None = None,
    crpt: int = 0,
    draw: bool = True,
    labels=None,
    category_lookup="offline",
    targets=None,
    full_size: bool = False,
    size: int = 128,
    subset_name: str | None = None,
    n_jobs: int = 1,
    progress: bool = True,
    client=None,
) -> SvmPrepResult:
    """Prepare every visit under ``input_path``; see the module docstring for the outputs.

    Parameters
    ----------
    input_path : path-like
        A visit folder, or a folder of visit folders.
    output_path : path-like, optional
        Output folder; default the current directory (as in 1.1.4).
    fname : str, default="svm_data"
        Base name of the tables (any folder or extension is dropped).
    h5 : path-like, optional
        A ``{fname}.h5`` from an earlier run: its harvested rows are used instead of the
        JSON files (the visit folders are still read for the drizzle products).
    json_pattern : str, default="*_total*_svm_*.json"
        Comma-separated glob patterns of the JSON files.
    visit : str, optional
        Only this visit folder of ``input_path``.
    crpt : {0, 1}, default=0
        Corrupted (synthetic) data: every product gets ``label=1``.
    draw : bool, default=True
        Draw the CNN frames into ``{output_path}/img``.
    labels : path-like or Series, optional
        ``index,label`` table (e.g. the simulator's ``labels.csv``): adds ``label``.
    category_lookup : {"offline", "mast"} or callable, default="offline"
        Target categories from the packaged table, from MAST (network), or your function
        of the table (with ``targname``, ``ra_targ``, ``dec_targ``) returning categories.
    targets : path-like or Mapping, optional
        Extra ``targname,category`` pairs for the offline table.
    full_size : bool, default=False
        Save 1.1.4's full-size figures (about 1800×1850 pixels) instead of 128×128.
    size : int, default=128
        Side of the frames when not ``full_size``.
    subset_name : str, optional
        Also write ``{output_path}/{subset_name}.txt`` listing the products.
    n_jobs : int, default=1
        Worker processes for the visits.
    progress : bool, default=True
        Show a progress bar (hidden when not on a terminal).
    client : distributed.Client or str, optional
        Prepare the visits on this Dask cluster (or the scheduler at this address), one
        task per visit, instead of local processes (``n_jobs`` is then ignored). The
        workers read the visit folders and write each visit's frames, so ``input_path``
        and ``output_path`` must be on a file system they share with this process; the
        tables are written here. Needs ``pip install "spacekit[distributed]"``.

    Returns
    -------
    SvmPrepResult
        A visit whose task raised (after one retry on a cluster) is in ``skipped`` as
        ``(visit folder, "ExceptionType: message")``; the other visits are kept.
    """
    from spacekit._distributed import PathSpelling, Task, run_tasks
    from spacekit.extractor.table_h5 import read_table_h5

    input_path = Path(input_path)
    output_path = Path(output_path) if output_path is not None else Path.cwd()
    fname = Path(str(fname)).name.split(".")[0] or "svm_data"
    if crpt not in (0, 1, True, False):
        raise InputError(f"crpt must be 0 or 1; received crpt={crpt!r}.")
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise InputError(f"n_jobs must be a positive integer; received n_jobs={n_jobs!r}.")
    img_path = output_path / "img" if draw else None
    t0 = time.perf_counter()
    tasks: list[tuple[Path, dict | None]] = []
    if h5 is not None:
        harvested = read_table_h5(h5)
        groups: dict[Path, dict] = {}
        for name, rec in harvested.to_dict(orient="index").items():
            rec = {k: v for k, v in rec.items() if v is not None and v == v}
            dataset = "_".join(str(name).split("_")[6:])
            folder = input_path / dataset
            if not folder.is_dir():
                folder = input_path / dataset.split("_")[0]
            if not folder.is_dir() and input_path.name in (dataset, dataset.split("_")[0]):
                folder = input_path
            groups.setdefault(folder, {})[name] = rec
        tasks = list(groups.items())
    else:
        root = input_path / visit if visit else input_path
        tasks = [(f, None) for f in find_visit_folders(root, json_pattern)]
    kwargs = dict(
        json_pattern=json_pattern,
        draw=bool(draw),
        img_path=img_path,
        size=None if full_size else size,
    )
    # a cluster's workers get absolute paths; what they report is spelled as given here
    paths = PathSpelling(input_path, output_path) if client is not None else PathSpelling()
    if paths and img_path is not None:
        kwargs["img_path"] = Path(paths.absolute(img_path))
    done = run_tasks(
        prep_visit,
        [
            Task(
                str(folder),
                (Path(paths.absolute(folder)) if paths else folder,),
                dict(kwargs, rows=rows),
            )
            for folder, rows in tasks
        ],
        client=client,
        n_jobs=n_jobs,
        progress=progress,
        desc="SVM visits",
        unit="visit",
    )
    failed = dict(done.failed)
    results = [
        _spelled(done.results[str(f)], paths)
        if str(f) in done.results
        else VisitPrep(str(f), skipped=[(str(f), paths.given(failed[str(f)]))])
        for f, _ in tasks
    ]
    res = assemble(
        results,
        output_path,
        fname,
        crpt=int(crpt),
        labels=labels,
        category_lookup=category_lookup,
        targets=targets,
        write_h5=h5 is None,
        subset_name=subset_name,
    )
    res.img_path = img_path
    for item, reason in res.skipped:
        warnings.warn(f"Skipped {item}: {reason}", SkippedInputWarning, stacklevel=2)
    log.info("prepared %d SVM products in %.1f s", len(res.data), time.perf_counter() - t0)
    return res


def run_preprocessing(
    input_path,
    h5=None,
    fname="svm_data",
    output_path=None,
    json_pattern=DEFAULT_JSON_PATTERN,
    visit=None,
    crpt=0,
    draw=1,
    subset_name=None,
    **kwargs,
):
    """spacekit 1.1.4's entry point: prepare SVM visits; return ``(df, data_path)``.

    The arguments are 1.1.4's; keyword arguments of :func:`prep_svm` (``labels``,
    ``category_lookup``, ``targets``, ``full_size``, ``n_jobs``, ``progress``...) may
    be added. ``df`` is the ``{fname}.csv`` table (indexed by product name) and
    ``data_path`` its path.
    """
    res = prep_svm(
        input_path,
        output_path,
        fname,
        h5=h5,
        json_pattern=json_pattern,
        visit=visit,
        crpt=crpt,
        draw=bool(draw),
        subset_name=subset_name,
        **kwargs,
    )
    return res.data, str(res.data_path)


def _parser() -> argparse.ArgumentParser:
    from spacekit._runner import add_log_arguments

    p = argparse.ArgumentParser(
        prog="python -m spacekit.skopes.hst.svm.prep",
        description="Scrape SVM diagnostic JSON and drizzle headers into svm_data.csv and "
        "draw the CNN images.",
    )
    p.add_argument("input_path", help="a visit folder or a folder of visit folders")
    p.add_argument("-o", "--output_path", default=None, help="output folder (default: .)")
    p.add_argument("--h5", default=None, help="harvested table from an earlier run")
    p.add_argument("-f", "--fname", default="svm_data", help="base name of the tables")
    p.add_argument("-j", "--json_pattern", default=DEFAULT_JSON_PATTERN)
    p.add_argument("-c", "--crpt", type=int, default=0, choices=[0, 1])
    p.add_argument("-d", "--draw", type=int, default=1, choices=[0, 1])
    p.add_argument("--visit", default=None, help="only this visit folder")
    p.add_argument("--labels", default=None, help="index,label CSV to add a label column")
    p.add_argument("--targets", default=None, help="extra targname,category CSV")
    p.add_argument("--mast", action="store_true", help="look categories up on MAST (network)")
    p.add_argument("--full_size", action="store_true", help="save 1.1.4's full-size PNGs")
    p.add_argument("--n_jobs", type=int, default=1, help="worker processes")
    add_log_arguments(p, "svm_prep.log")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The ``python -m spacekit.skopes.hst.svm.prep`` runner; returns the exit code."""
    from spacekit._runner import configure_runner_logging

    args = _parser().parse_args(argv)
    configure_runner_logging(args, "svm_prep.log")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # logged by assemble
            res = prep_svm(
                args.input_path,
                args.output_path,
                args.fname,
                h5=args.h5,
                json_pattern=args.json_pattern,
                visit=args.visit,
                crpt=args.crpt,
                draw=bool(args.draw),
                labels=args.labels,
                category_lookup="mast" if args.mast else "offline",
                targets=args.targets,
                full_size=args.full_size,
                n_jobs=args.n_jobs,
            )
    except (InputError, DataError) as exc:
        log.error("%s", exc)
        return 1
    log.info("wrote %s (%d products)", res.data_path, len(res.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
