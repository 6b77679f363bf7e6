"""``spacekit jwst``: JWST calibration commands (Level-3 memory-footprint prediction)."""

from __future__ import annotations

import csv
import io
import sys
import warnings
from pathlib import Path

import click

from spacekit.cli._paths import check_writable_file
from spacekit.cli._scheduler import open_client, scheduler_options

__all__ = ["jwst", "predict", "format_table", "write_results"]


@click.group()
def jwst() -> None:
    """JWST calibration: predict Level-3 memory footprints from Level-1 exposures."""


def format_table(rows: list[dict], skipped: list[tuple[str, str]], model: str | None = None) -> str:
    """Render predictions, their flags and the skipped inputs as a plain-text table.

    ``model`` (the answering archive's label) heads the table. A ``!`` after a prediction
    marks it as flagged (computed from missing or implausible header values, or set to the
    floor or the cap); the ``flagged`` section says why.
    """
    out = [f"model: {model}"] if model else []
    if rows:
        width = max(len("product"), *(len(r["product"]) for r in rows))
        out.append(f"{'product':<{width}}  {'mode':<5}  {'gbSize [GB]':>11}  {'n_exp':>5}")
        out.append("-" * (width + 28))
        for r in rows:
            mark = " !" if r.get("flags") else ""
            out.append(
                f"{r['product']:<{width}}  {r['exp_mode']:<5}  {r['gbSize']:>11.2f}  "
                f"{r['n_exposures']:>5}{mark}"
            )
        out.append(f"{len(rows)} product(s) predicted (gbSize: memory in GB)")
    else:
        out.append("No Level-3 product could be predicted.")
    flagged = [r for r in rows if r.get("flags")]
    if flagged:
        out.append("")
        out.append(f"flagged ({len(flagged)}):")
        out.extend(f"  {r['product']}: {'; '.join(r['flags'])}" for r in flagged)
    if skipped:
        out.append("")
        out.append(f"skipped ({len(skipped)}):")
        out.extend(f"  {item}: {reason}" for item, reason in skipped)
    return "\n".join(out)


def write_results(path: Path, rows: list[dict], skipped, meta: dict) -> Path:
    """Write the results to ``path``: JSON (everything) or CSV (the predictions table).

    The one place results files are written. The write is atomic; an existing file keeps
    its permissions and a symbolic link keeps pointing at the file it names, which is
    replaced (see :func:`spacekit._io.atomic_path`).

    Parameters
    ----------
    path : pathlib.Path
        ``.json`` or ``.csv`` file.
    rows : list of dict
        :meth:`JwstCalPredict.results` records.
    skipped : list of (str, str)
        Skipped inputs and products with their reasons (JSON only).
    meta : dict
        Run information written at the top of the JSON document.
    """
    from spacekit._io import atomic_write_json, atomic_write_text

    if path.suffix.lower() == ".json":
        return atomic_write_json(
            path,
            {
                **meta,
                "units": {"gbSize": "GB"},
                "predictions": {
                    r["product"]: {k: v for k, v in r.items() if k != "product"} for r in rows
                },
                "skipped": [{"input": str(i), "reason": str(r)} for i, r in skipped],
            },
        )
    model = meta.get("model") or {}
    per_row = {
        "model": model.get("name"),
        "model_version": model.get("version"),
        "model_sha256": model.get("sha256"),
        "trained_on": model.get("trained_on"),
    }
    fields = ["product", "exp_mode", "gbSize", "n_exposures", "flags", *per_row]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows({**r, "flags": "; ".join(r.get("flags", [])), **per_row} for r in rows)
    return atomic_write_text(path, buf.getvalue())


@jwst.command()
@click.argument("input_path", type=click.Path(path_type=Path), required=False)
@click.option(
    "--sample",
    is_flag=True,
    help="Predict on the packaged sample exposures (spacekit.datasets.get_sample_path('jwst')).",
)
@click.option("-p", "--pid", type=int, default=None, help="Program id (e.g. 2732).")
@click.option("-o", "--obs", type=int, default=None, help="Observation number (needs --pid).")
@click.option(
    "-m",
    "--model-path",
    type=click.Path(path_type=Path),
    envvar="MODEL_PATH",
    default=None,
    help="Model archive (.zip or folder; ours or spacekit 1.1.4's). Default: the packaged one.",
)
@click.option("-t", "--tx-file", default=None, help="Normalisation JSON ('{}' -> mode).")
@click.option("-s", "--sfx", default="_uncal.fits", show_default=True, help="Input file suffix.")
@click.option(
    "-e",
    "--expmodes",
    default=None,
    help="Comma-separated modes among IMAGE, SPEC, FGS, TAC. Default: IMAGE,SPEC, skipping "
    "(with a warning) a mode whose model the archive lacks.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the results to FILE (.json, or .csv for the predictions table).",
)
@scheduler_options
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def predict(
    input_path: Path | None,
    sample: bool,
    pid: int | None,
    obs: int | None,
    model_path: Path | None,
    tx_file: str | None,
    sfx: str,
    expmodes: str | None,
    output: Path | None,
    scheduler: str | None,
    dask_address: str | None,
    no_progress: bool,
) -> None:
    """Predict the memory (GB) of the Level-3 products built from INPUT_PATH.

    INPUT_PATH is a folder of Level-1 '*_uncal.fits' files or one such file; --sample
    uses the packaged sample instead. Prints a table (product, mode, gbSize, number of
    exposures) and the skipped inputs with their reasons. Exits with 1 when nothing could
    be predicted.

    With --scheduler dask (or --dask-address) INPUT_PATH may be a tree of many programs:
    each program is read and grouped by one task on the Dask cluster (the workers must
    see INPUT_PATH at the same path); the models run here.
    """
    from spacekit.exceptions import FlaggedInputWarning, SkippedInputWarning, SpacekitError
    from spacekit.skopes.jwst.cal.predict import (
        JwstCalPredict,
        parse_expmodes,
        simulated_model_warning,
    )

    if sample == (input_path is not None):
        raise click.UsageError("give either INPUT_PATH or --sample (exactly one)")
    if sample:
        from spacekit.datasets import get_sample_path

        input_path = Path(get_sample_path("jwst"))
    if obs is not None and pid is None:
        raise click.UsageError("--obs requires --pid")
    if output is not None:
        if output.suffix.lower() not in (".json", ".csv"):
            raise click.BadParameter(
                f"expected a file name ending in .json or .csv; received {output.name!r}",
                param_hint="--output",
            )
        check_writable_file(output, "--output")
    modes = parse_expmodes(expmodes)
    try:
        with warnings.catch_warnings(), open_client(scheduler, dask_address) as client:
            # every skipped or flagged input is printed in the sections below
            warnings.simplefilter("ignore", SkippedInputWarning)
            warnings.simplefilter("ignore", FlaggedInputWarning)
            jp = JwstCalPredict(
                input_path=input_path,
                pid=pid,
                obs=obs,
                model_path=model_path,
                tx_file=tx_file,
                sfx=sfx,
                expmodes=modes,
                progress=not no_progress,
                client=client,
            )
            jp.run_inference()
    except SpacekitError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # e.g. an unreadable input folder
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"Error: {exc.strerror or exc}{where}", err=True)
        sys.exit(1)
    rows = jp.results()
    model = jp.model_info
    caution = simulated_model_warning(jp)
    if caution:
        click.echo(f"Warning: {caution}", err=True)
    click.echo(format_table(rows, jp.skipped, model.label() if model else None))
    if output is not None and not rows:
        click.echo(f"Nothing was predicted, so {output} was not written.", err=True)
    elif output is not None:
        from spacekit._version import __version__

        meta = {
            "spacekit_version": __version__,
            "input_path": str(jp.input_path),
            "model_archive": str(jp.model_path) if jp.model_path else None,
            "model": model.to_dict() if model else None,
        }
        try:
            write_results(output, rows, jp.skipped, meta)
        except OSError as exc:
            click.echo(f"Error: cannot write {output}: {exc.strerror or exc}", err=True)
            sys.exit(1)
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(
            "Nothing was written to disk; pass --output FILE.json or FILE.csv to save these "
            "results.",
            err=True,
        )
    if not jp.predictions:
        sys.exit(1)
