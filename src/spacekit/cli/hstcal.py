"""``spacekit hstcal``: HST calibration job resources (memory bin, memory, wallclock)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from spacekit.cli._scheduler import open_client, scheduler_options

__all__ = ["hstcal", "predict", "train", "format_table"]

_COLUMNS = ("memBin", "memVal", "clockTime", "memVal_upper", "clockTime_upper")


@click.group()
def hstcal() -> None:
    """HST calibration: estimate the memory bin, memory and wallclock of calibration jobs."""


def _cell(value) -> str:
    """GB with two decimals (as memVal is rounded), whole numbers as they are."""
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def format_table(rows: dict[str, dict], skipped: list[tuple[str, str]]) -> str:
    """Render ``{dataset: prediction}`` and the skipped inputs as a plain-text table."""
    out = []
    if rows:
        cols = [c for c in _COLUMNS if any(c in r for r in rows.values())]
        width = max(len("dataset"), *(len(n) for n in rows))
        out.append(f"{'dataset':<{width}}  " + "  ".join(f"{c:>15}" for c in cols))
        out.append("-" * (width + 17 * len(cols)))
        for name, r in rows.items():
            out.append(f"{name:<{width}}  " + "  ".join(f"{_cell(r.get(c)):>15}" for c in cols))
        out.append(f"{len(rows)} dataset(s) predicted")
    else:
        out.append("No dataset could be predicted.")
    if skipped:
        out.append("")
        out.append(f"skipped ({len(skipped)}):")
        out.extend(f"  {item}: {reason}" for item, reason in skipped)
    return "\n".join(out)


def _write_output(path: Path, rows: dict, skipped, meta: dict) -> None:
    import pandas as pd

    from spacekit._io import atomic_path, atomic_write_json

    if path.suffix.lower() == ".json":
        atomic_write_json(
            path,
            {
                **meta,
                "predictions": rows,
                "skipped": [{"input": str(i), "reason": str(r)} for i, r in skipped],
            },
        )
        return
    frame = pd.DataFrame.from_dict(rows, orient="index")
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=True, index_label="dataset")


@hstcal.command()
@click.argument("source")
@click.option(
    "-m",
    "--model-path",
    envvar="MODEL_PATH",
    default=None,
    help="hst_cal archive (.zip or folder; ours or spacekit 1.1.4's) or a registry name "
    "(spacekit-1.1.4/hst_cal, packaged/hst_cal). Default: the packaged one.",
)
@click.option("-b", "--bucket", default=None, help="S3 bucket: SOURCE is then a dataset name.")
@click.option(
    "-t",
    "--tx-file",
    default=None,
    metavar="JSON",
    help="Normalisation statistics of n_files and total_mb (the models/tx_data.json a "
    "training run writes: Yeo-Johnson lambdas, means, standard deviations). Default: the "
    "archive's own.",
)
@click.option(
    "--level",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="Coverage level of the upper bounds (calibrated archives only).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the results to FILE (.json with the skipped inputs, or .csv).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(1),
    default=20_000,
    show_default=True,
    help="Datasets per task (with --scheduler dask, one chunk per task on the cluster).",
)
@scheduler_options
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def predict(
    source, model_path, bucket, tx_file, level, output, chunk_size, scheduler, dask_address,
    no_progress,
) -> None:  # fmt: skip
    """Estimate memory bin, memory (GB) and wallclock (s) of the datasets in SOURCE.

    SOURCE is a dataset's _MemModelFeatures.txt file, a CSV with one row per dataset, a
    folder of feature files or of raw FITS files (one dataset, or one folder per
    dataset), or with --bucket a dataset name read from S3. Prints a table with the
    upper bounds (when the archive is calibrated) and the skipped datasets with their
    reasons. Exits with 1 when nothing could be predicted.

    With --scheduler dask (or --dask-address) the datasets are read here and encoded and
    predicted in chunks of --chunk-size rows, one task per chunk on the Dask cluster; the
    results are those of a local run.
    """
    from spacekit.exceptions import SkippedInputWarning, SpacekitError
    from spacekit.skopes.hst.cal.predict import predict_records

    if output is not None and output.suffix.lower() not in (".json", ".csv"):
        raise click.BadParameter(
            f"expected a file name ending in .json or .csv; received {output.name!r}",
            param_hint="--output",
        )
    if bucket and (scheduler == "dask" or dask_address):
        raise click.UsageError("--bucket reads one dataset; --scheduler dask is for many")
    try:
        with warnings.catch_warnings(), open_client(scheduler, dask_address) as client:
            warnings.simplefilter("ignore", SkippedInputWarning)
            rows, skipped, models = predict_records(
                source,
                bucket_name=bucket,
                model_path=model_path,
                tx_file=tx_file,
                level=level,
                progress=not no_progress,
                client=client,
                chunk_size=chunk_size,
            )
    except (SpacekitError, FileNotFoundError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(format_table(rows, skipped))
    prov = None
    if models.archive is not None:
        from spacekit.builder.registry import provenance

        prov = provenance(models.archive)
        click.echo(f"model: {prov.label()}", err=True)
    if output is not None:
        from spacekit._version import __version__

        meta = {
            "spacekit_version": __version__,
            "source": str(source),
            "model_archive": models.path,
            "model": prov.to_dict() if prov is not None else None,
            "level": level,
        }
        _write_output(output, rows, skipped, meta)
        click.echo(f"Wrote {output}", err=True)
    if not rows:
        sys.exit(1)


@hstcal.command()
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Training CSV (raw keywords or encoded features, plus memory and wallclock).",
)
@click.option("--simulate", type=int, default=None, help="Train on N simulated jobs instead.")
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Parent of the timestamped run folder.",
)
@click.option("-k", "--cross-val", type=int, default=None, help="Also run K-fold cross-validation.")
@click.option("--epochs", type=int, default=None, help="Override the blueprints' epochs.")
@click.option("--batch-size", type=int, default=None)
@click.option("--seed", type=int, default=None)
@click.option("--level", type=float, default=0.95, show_default=True)
@click.option("--no-baseline", is_flag=True)
@click.option("--no-plots", is_flag=True)
@click.option("--no-archive", is_flag=True)
@click.option("--no-progress", is_flag=True)
def train(
    data, simulate, out, cross_val, epochs, batch_size, seed, level, no_baseline, no_plots,
    no_archive, no_progress,
) -> None:  # fmt: skip
    """Train the memory-bin, memory and wallclock networks, with baselines and bounds.

    Writes OUT/{date}-{unix time}/ with data/batch.csv, models/, results/{mem_bin,memory,
    wallclock}/, summary/ and hst_cal.zip (for `spacekit hstcal predict --model-path`).
    """
    from spacekit._tf_quiet import quiet_tensorflow
    from spacekit.exceptions import SpacekitError
    from spacekit.skopes.hst.cal.card import summary_lines
    from spacekit.skopes.hst.cal.train import Train

    if (data is None) == (simulate is None):
        raise click.UsageError("give either --data CSV or --simulate N (exactly one)")
    quiet_tensorflow()
    try:
        frame = None
        if simulate is not None:
            from spacekit.datasets.hstcal import simulate_hstcal

            frame = simulate_hstcal(n=simulate, seed=seed or 0)
        trainer = Train(
            fpath=data,
            data=frame,
            train_path=out,
            cross_val=cross_val,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            level=level,
            baseline=not no_baseline,
            plots=not no_plots,
            archive=not no_archive,
            progress=not no_progress,
        )
        trainer.main()
    except SpacekitError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo("\n".join(summary_lines(trainer)))
