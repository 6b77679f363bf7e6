"""``spacekit datasets``: simulate observatory data and list the packaged samples."""

from __future__ import annotations

import json
from pathlib import Path

import click

__all__ = ["datasets", "simulate", "list_cmd", "DEFAULT_COUNTS"]

#: Default ``--n`` per kind: exposures (jwst), visits (svm), jobs (hstcal).
DEFAULT_COUNTS = {"jwst": 200, "svm": 6, "hstcal": 1000}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def datasets() -> None:
    """Simulate JWST / HST data in real formats, and list the packaged samples."""


def _check_out_dir(out_dir: Path, overwrite: bool) -> None:
    from spacekit.datasets._args import check_out_dir
    from spacekit.exceptions import InputError

    try:
        check_out_dir(out_dir, overwrite)
    except InputError as exc:
        raise click.BadParameter(str(exc), param_hint="OUT_DIR") from exc


def _simulate_hstcal(out_dir: Path, n: int, seed: int, overwrite: bool) -> str:
    from spacekit.datasets.hstcal import simulate_hstcal, write_hstcal_folder

    df = simulate_hstcal(n=n, seed=seed)
    path = write_hstcal_folder(df, out_dir, seed=seed, overwrite=overwrite)
    return f"wrote {len(df)} HST cal jobs to {path}"


def _simulate_svm(
    out_dir: Path, n: int, seed: int, overwrite: bool, progress: bool, exposures: bool = False
) -> str:
    from spacekit.datasets.svm import simulate_svm

    sim = simulate_svm(
        out_dir,
        n_visits=n,
        seed=seed,
        overwrite=overwrite,
        progress=progress,
        exposures=exposures,
    )
    counts = sim.manifest["counts"]
    return (
        f"wrote {len(sim.labels)} SVM visits to {out_dir} "
        f"({counts['aligned']} aligned, {counts['misaligned']} misaligned); "
        f"labels: {sim.labels_path}"
    )


def _simulate_jwst(out_dir: Path, n: int, seed: int, overwrite: bool, progress: bool) -> str:
    from spacekit.datasets.jwst import simulate_jwst

    sim = simulate_jwst(out_dir, n=n, seed=seed, overwrite=overwrite, progress=progress)
    return (
        f"wrote {len(sim.exposures)} JWST exposures ({len(sim.products)} Level-3 products) "
        f"to {out_dir}"
    )


@datasets.command()
@click.argument(
    "kind", type=click.Choice(["jwst", "svm", "hstcal"], case_sensitive=False), metavar="KIND"
)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-n",
    "--n",
    "n",
    type=click.IntRange(min=1),
    default=None,
    help="How many: JWST exposures (default 200), SVM visits (6) or HST cal jobs (1000).",
)
@click.option(
    "-s",
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Random seed (the same seed writes the same files).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Allow a non-empty OUT_DIR: the files a previous simulation there wrote (listed in "
    "its manifest.json) are replaced, other files kept; a file of yours with a simulator's "
    "name stops the run.",
)
@click.option(
    "--exposures",
    is_flag=True,
    help="svm: also write each visit's exposures (_flt.fits), the input of `spacekit svm corrupt`.",
)
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def simulate(
    kind: str,
    out_dir: Path,
    n: int | None,
    seed: int,
    overwrite: bool,
    exposures: bool,
    no_progress: bool,
) -> None:
    """Write simulated data of KIND (jwst, svm or hstcal) into OUT_DIR.

    \b
    jwst    Level-1 _uncal.fits files, daily metadata CSVs, truth.csv
    svm     one folder per visit (drizzle FITS, catalogs, *_svm_*.json), labels.csv
    hstcal  OUT_DIR/hstcal.csv (raw keywords + memory/wallclock labels)

    Every kind also writes OUT_DIR/manifest.json (seed, counts, spacekit version).
    """
    from spacekit.exceptions import SpacekitError

    kind = kind.lower()
    n = DEFAULT_COUNTS[kind] if n is None else n
    _check_out_dir(out_dir, overwrite)
    progress = not no_progress
    try:
        if kind == "hstcal":
            message = _simulate_hstcal(out_dir, n, seed, overwrite)
        elif kind == "svm":
            message = _simulate_svm(out_dir, n, seed, overwrite, progress, exposures)
        else:
            message = _simulate_jwst(out_dir, n, seed, overwrite, progress)
    except SpacekitError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(message)


@datasets.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(as_json: bool) -> None:
    """List the packaged samples with their path and manifest summary."""
    from spacekit.datasets import list_samples

    table = list_samples()
    if as_json:
        click.echo(json.dumps(table.reset_index().to_dict(orient="records"), indent=2))
        return
    for name, row in table.iterrows():
        status = "available" if row["available"] else "missing"
        click.echo(f"{name:<7} {status:<9} {row['path']}")
        if row["available"]:
            click.echo(f"        {row['description']}")
            if row["summary"]:
                click.echo(f"        {row['summary']}")
