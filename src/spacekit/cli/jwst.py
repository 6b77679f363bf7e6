"""``spacekit jwst``: JWST calibration commands (Level-3 memory prediction and training)."""

from __future__ import annotations

import csv
import io
import sys
import warnings
from pathlib import Path

import click

from spacekit.cli._paths import check_writable_file
from spacekit.cli._scheduler import open_client, scheduler_options

__all__ = ["jwst", "predict", "train", "format_table", "write_results"]


@click.group()
def jwst() -> None:
    """JWST calibration: predict Level-3 memory footprints from Level-1 exposures; train."""


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
@click.option("--obs", type=int, default=None, help="Observation number (needs --pid).")
@click.option(
    "-m",
    "--model-path",
    type=click.Path(path_type=Path),
    envvar="MODEL_PATH",
    default=None,
    help="Model archive (.zip or folder; ours or spacekit 1.1.4's). Default: the packaged one.",
)
@click.option(
    "-t",
    "--tx-file",
    default=None,
    metavar="JSON",
    help="Normalisation statistics of the offset features (the tx_data-MODE.json a "
    "training run writes: Yeo-Johnson lambdas, means, standard deviations); a '{}' in the "
    "name is replaced by the mode (image, spec). Default: the model archive's own.",
)
@click.option("-s", "--sfx", default="_uncal.fits", show_default=True, help="Input file suffix.")
@click.option(
    "-e",
    "--expmodes",
    default=None,
    help="Comma-separated modes among IMAGE, SPEC, FGS, TAC. Default: IMAGE,SPEC, skipping "
    "(with a warning) a mode whose model the archive lacks.",
)
@click.option(
    "-o",
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
            "Nothing was written to disk; pass -o FILE.json or -o FILE.csv to save these results.",
            err=True,
        )
    if not jp.predictions:
        sys.exit(1)


@jwst.command()
@click.argument("training_data", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Parent of the timestamped run folder. Default: TRAINING_DATA/runs.",
)
@click.option(
    "-e",
    "--exp-mode",
    type=click.Choice(["image", "spec"], case_sensitive=False),
    default="image",
    show_default=True,
    help="Which model: image (img3_reg) or spec (spec3_reg).",
)
@click.option(
    "-k",
    "--cross-val",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Number of folds (>= 2); 0 trains once on an 80/20 split.",
)
@click.option("--epochs", type=click.IntRange(min=1), default=None, help="Default: 200.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Default: 32.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Reproducible runs.")
@click.option(
    "--early-stopping",
    default=None,
    help="Metric early stopping watches (default val_rmse); 'none' disables it.",
)
@click.option("--stratify", is_flag=True, help="Stratify the split/folds by memory class.")
@click.option("--no-baseline", is_flag=True, help="Skip the HistGradientBoosting baseline.")
@click.option("--no-plots", is_flag=True, help="Skip the per-fold figures.")
@click.option("--no-archive", is_flag=True, help="Do not write RUN/jwst_cal.zip.")
@click.option(
    "--live",
    is_flag=True,
    help="Serve the live training dashboard on http://127.0.0.1:PORT/ while training.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8050,
    show_default=True,
    help="Port of --live (0 picks a free one).",
)
@click.option("--no-progress", is_flag=True, help="Hide the progress bar over folds.")
def train(
    training_data: Path,
    out: Path | None,
    exp_mode: str,
    cross_val: int,
    epochs: int | None,
    batch_size: int | None,
    seed: int | None,
    early_stopping: str | None,
    stratify: bool,
    no_baseline: bool,
    no_plots: bool,
    no_archive: bool,
    live: bool,
    port: int,
    no_progress: bool,
) -> None:
    """Train the JWST Level-3 memory regressor of one exposure mode.

    TRAINING_DATA is a folder holding train-image.csv / train-spec.csv, as written by
    `python -m spacekit.preprocessor.ingest jcal`. Writes a timestamped run folder
    (models, results, figures, summary, jwst_cal.zip for `spacekit jwst predict -m`) and
    each fold's training_history.json after every epoch, which `spacekit viz serve`
    shows live (or pass --live). Needs the ml extra (TensorFlow/Keras).
    """
    from spacekit._tf_quiet import quiet_tensorflow
    from spacekit.skopes.jwst.cal.train.runner import train_and_report

    quiet_tensorflow()
    options = {
        "training_data": training_data,
        "out": out,
        "exp_mode": exp_mode.lower(),
        "cross_val": cross_val,
        "early_stopping": early_stopping,
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": seed,
        "baseline": not no_baseline,
        "plots": not no_plots,
        "archive": not no_archive,
        "progress": not no_progress,
    }
    train_and_report(options, stratify=stratify, live=live, port=port, echo=click.echo)
