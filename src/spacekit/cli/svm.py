"""``spacekit svm``: HST single-visit-mosaic alignment (prep, corrupt, predict, train)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from spacekit.cli import LazyGroup
from spacekit.cli._scheduler import open_client, scheduler_options

__all__ = ["svm", "prep", "corrupt", "SVM_COMMANDS"]

#: Subcommands in their own modules, imported only when they run (or show ``--help``):
#: name -> ("module:attribute", one-line help shown by ``spacekit svm --help``).
SVM_COMMANDS: dict[str, tuple[str, str]] = {
    "predict": (
        "spacekit.cli.svm_predict:predict",
        "Classify visits as aligned or misaligned (writes predictions/).",
    ),
    "train": (
        "spacekit.cli.svm_train:train",
        "Train the alignment ensemble; reports held-out ROC-AUC.",
    ),
}


@click.group(cls=LazyGroup, lazy=SVM_COMMANDS)
def svm() -> None:
    """HST single-visit mosaics: prepare visits, corrupt them, predict and train alignment."""


def _print_skipped(skipped, notes=()) -> None:
    if notes:
        click.echo(f"notes ({len(notes)}):")
        for item, note in notes:
            click.echo(f"  {item}: {note}")
    if skipped:
        click.echo(f"skipped ({len(skipped)}):")
        for item, reason in skipped:
            click.echo(f"  {item}: {reason}")


@svm.command()
@click.argument("input_path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output-path",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: the current folder).",
)
@click.option(
    "-f",
    "--fname",
    default="svm_data",
    show_default=True,
    help="Base name of the tables ({fname}.csv, raw_{fname}.csv, {fname}.h5).",
)
@click.option(
    "--h5",
    type=click.Path(path_type=Path),
    default=None,
    help="Harvested table of an earlier run, instead of the JSON files.",
)
@click.option(
    "-j",
    "--json-pattern",
    default="*_total*_svm_*.json",
    show_default=True,
    help="Comma-separated glob patterns of the diagnostic JSON files.",
)
@click.option("-c", "--crpt", is_flag=True, help="Corrupted (synthetic) visits: label 1.")
@click.option("--no-draw", is_flag=True, help="Do not draw the CNN images.")
@click.option(
    "--labels",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with index,label columns (e.g. a simulation's labels.csv).",
)
@click.option(
    "--targets",
    type=click.Path(path_type=Path),
    default=None,
    help="Extra targname,category CSV for the offline category table.",
)
@click.option("--mast", is_flag=True, help="Look target categories up on MAST (network).")
@click.option(
    "--full-size",
    is_flag=True,
    help="Save 1.1.4's full-size figures (~1800 px) instead of 128x128 frames.",
)
@click.option(
    "-n",
    "--n-jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (with --scheduler processes).",
)
@scheduler_options
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def prep(
    input_path: Path,
    output_path: Path | None,
    fname: str,
    h5: Path | None,
    json_pattern: str,
    crpt: bool,
    no_draw: bool,
    labels: Path | None,
    targets: Path | None,
    mast: bool,
    full_size: bool,
    n_jobs: int,
    scheduler: str | None,
    dask_address: str | None,
    no_progress: bool,
) -> None:
    """Scrape SVM visits under INPUT_PATH into svm_data.csv and draw their CNN images.

    INPUT_PATH is a visit folder or a folder of visit folders (diagnostic JSON, drizzle
    products, catalogues). Writes {fname}.csv, raw_{fname}.csv, {fname}.h5 and img/ into
    the output folder, prints the skipped inputs with their reasons, and exits with 1
    when no product is usable.

    With --scheduler dask (or --dask-address) each visit is one task on the Dask cluster;
    INPUT_PATH and the output folder must be on a file system the workers share.
    """
    from spacekit.exceptions import DataError, InputError, SkippedInputWarning
    from spacekit.skopes.hst.svm.prep import prep_svm

    try:
        with warnings.catch_warnings(), open_client(scheduler, dask_address) as client:
            warnings.simplefilter("ignore", SkippedInputWarning)  # printed below
            res = prep_svm(
                input_path,
                output_path,
                fname,
                h5=h5,
                json_pattern=json_pattern,
                crpt=int(crpt),
                draw=not no_draw,
                labels=labels,
                category_lookup="mast" if mast else "offline",
                targets=targets,
                full_size=full_size,
                n_jobs=n_jobs,
                progress=not no_progress,
                client=client,
            )
    except (InputError, DataError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{len(res.data)} product(s) -> {res.data_path}")
    if res.img_path is not None:
        click.echo(f"images -> {res.img_path}")
    _print_skipped(res.skipped, res.notes)


@svm.command()
@click.argument("srcpath", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--outputs",
    type=click.Path(path_type=Path),
    default=Path("synthetic"),
    show_default=True,
    help="Folder of the corrupted copies.",
)
@click.option(
    "-p",
    "--palette",
    type=click.Choice(["multi", "mfi", "rfi", "rex"]),
    default="multi",
    show_default=True,
    help="multi: every filter in all 4 modes; mfi: every filter; rfi: a random filter; "
    "rex: 2-3 random exposures.",
)
@click.option("-s", "--search-pattern", default="*", show_default=True, help="Visit folder glob.")
@click.option("-e", "--expos", type=click.Choice(["all", "sub"]), default="all", show_default=True)
@click.option(
    "-m", "--mode", type=click.Choice(["stoc", "stat"]), default="stoc", show_default=True
)
@click.option(
    "-t",
    "--threshold",
    type=click.Choice(["any", "major", "standard", "minor"]),
    default="any",
    show_default=True,
    help="Shift range in pixels: 0-20, 10-20, 0.5-10, 0-1.",
)
@click.option(
    "-w", "--workflow", type=click.Choice(["block", "pipe"]), default="block", show_default=True
)
@click.option(
    "--crpt/--no-crpt",
    default=True,
    show_default=True,
    help="Corrupt copies of the visits in SRCPATH (--no-crpt: work on OUTPUTS' copies).",
)
@click.option("-r", "--runsvm", is_flag=True, help="Re-combine the copies' products.")
@click.option("-d", "--draw", is_flag=True, help="Draw the copies' CNN frames (img/1).")
@click.option("--seed", type=int, default=None, help="Seed of the selections and shifts.")
@click.option(
    "--scale",
    type=click.Choice(["uvis", "detector"]),
    default="uvis",
    show_default=True,
    help="Pixel scale of the shifts: 1.1.4's 0.04 arcsec, or each exposure's own.",
)
@click.option(
    "--img-path", type=click.Path(path_type=Path), default=None, help="Folder of the frames."
)
@click.option("--overwrite", is_flag=True, help="Replace copies that exist.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bars.")
def corrupt(
    srcpath: Path,
    outputs: Path,
    palette: str,
    search_pattern: str,
    expos: str,
    mode: str,
    threshold: str,
    workflow: str,
    crpt: bool,
    runsvm: bool,
    draw: bool,
    seed: int | None,
    scale: str,
    img_path: Path | None,
    overwrite: bool,
    no_progress: bool,
) -> None:
    """Make synthetic misaligned copies of the SVM visits in SRCPATH.

    Each copy ({visit}_{filter}_{all|sub}_{stat|stoc} in OUTPUTS) gets the visit's
    exposures with the CRVAL of some shifted; --runsvm re-combines its total product,
    catalogues and diagnostics, --draw its CNN frames. Visits need their exposure files
    (simulate with `spacekit datasets simulate svm --exposures`). Skipped visits are
    printed with their reasons; the exit code is 1 when nothing was produced.
    """
    from spacekit.exceptions import DataError, InputError
    from spacekit.skopes.hst.svm.corrupt import corrupt_svm

    try:
        res = corrupt_svm(
            srcpath,
            outputs,
            palette=palette,
            expos=expos,
            mode=mode,
            threshold=threshold,
            workflow=workflow,
            crpt=int(crpt),
            runsvm=int(runsvm),
            draw=int(draw),
            search_pattern=search_pattern,
            seed=seed,
            scale=scale,
            img_path=img_path,
            overwrite=overwrite,
            progress=not no_progress,
        )
    except (InputError, DataError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    n = len(res.created)
    click.echo(f"{n} corrupted cop{'y' if n == 1 else 'ies'} in {outputs}")
    if runsvm:
        click.echo(f"{len(res.recombined)} re-combined")
    elif res.created:
        click.echo("products not re-combined yet: add --runsvm (or run with --no-crpt --runsvm)")
    if draw:
        click.echo(f"{len(res.images)} frame(s) drawn")
    _print_skipped(res.skipped)
