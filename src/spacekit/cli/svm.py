"""``spacekit svm``: HST single-visit-mosaic alignment (prep, corrupt, predict, train)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from spacekit.cli import LazyGroup

__all__ = ["svm", "prep", "SVM_COMMANDS"]

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
    help="Worker processes.",
)
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
    no_progress: bool,
) -> None:
    """Scrape SVM visits under INPUT_PATH into svm_data.csv and draw their CNN images.

    INPUT_PATH is a visit folder or a folder of visit folders (diagnostic JSON, drizzle
    products, catalogues). Writes {fname}.csv, raw_{fname}.csv, {fname}.h5 and img/ into
    the output folder, prints the skipped inputs with their reasons, and exits with 1
    when no product is usable.
    """
    from spacekit.exceptions import DataError, InputError, SkippedInputWarning
    from spacekit.skopes.hst.svm.prep import prep_svm

    try:
        with warnings.catch_warnings():
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
            )
    except (InputError, DataError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{len(res.data)} product(s) -> {res.data_path}")
    if res.img_path is not None:
        click.echo(f"images -> {res.img_path}")
    _print_skipped(res.skipped, res.notes)
