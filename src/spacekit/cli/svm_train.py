"""``spacekit svm train``: train the alignment ensemble and report held-out metrics."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

__all__ = ["train"]


@click.command()
@click.argument("data_file", type=click.Path(path_type=Path))
@click.argument("img_path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output-path",
    "--output_path",
    "output_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run folder. Default: runs/{date}-{unix time} beside DATA_FILE.",
)
@click.option(
    "--labels",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV of index,label when DATA_FILE has no label column.",
)
@click.option(
    "-s",
    "--image-size",
    "--image_size",
    "image_size",
    type=int,
    default=128,
    show_default=True,
    help="Image size.",
)
@click.option(
    "-m",
    "--model-name",
    "--model_name",
    "model_name",
    default="ensembleSVM",
    show_default=True,
    help="Model name (.keras file stem).",
)
@click.option(
    "-n",
    "--normalize",
    type=click.IntRange(0, 1),
    default=0,
    show_default=True,
    help="1: PowerX on the features and pixels / 255.",
)
@click.option("-b", "--batchsize", type=int, default=None, help="Batch size (default 32).")
@click.option(
    "-e",
    "--epochs",
    type=int,
    default=None,
    help="Epochs (default: the blueprint's, 30 for the lite one).",
)
@click.option(
    "-y",
    "--early-stopping",
    "--early_stopping",
    "early_stopping",
    type=click.Choice(["val_accuracy", "val_loss", "val_auc"]),
    default=None,
    help="Metric monitored by early stopping (on the validation split).",
)
@click.option(
    "-v",
    "--validate",
    type=click.IntRange(0, 1),
    default=1,
    show_default=True,
    help="Hold out a validation split (15 % of the non-test rows).",
)
@click.option(
    "-p",
    "--plots",
    type=click.IntRange(0, 1),
    default=0,
    show_default=True,
    help="Save ROC / PR / confusion / history figures (HTML) in figures/.",
)
@click.option(
    "--blueprint",
    default="svm_ensemble_lite",
    show_default=True,
    help="svm_ensemble_lite (small, default) or svm_ensemble (1.1.4's network).",
)
@click.option("--seed", type=int, default=None, help="Seed (reproducible runs).")
@click.option("--branches", is_flag=True, help="Also train each branch alone and report it.")
@click.option("--no-baseline", is_flag=True, help="Skip the gradient-boosting baseline.")
@click.option(
    "--trained-on",
    type=click.Choice(["real", "simulated", "unknown"]),
    default="unknown",
    show_default=True,
    help="What the visits are; recorded in the archive and named by every prediction report.",
)
@click.option("--no-progress", is_flag=True, help="Hide progress bars.")
def train(
    data_file: Path,
    img_path: Path,
    output_path: Path | None,
    labels: Path | None,
    image_size: int,
    model_name: str,
    normalize: int,
    batchsize: int | None,
    epochs: int | None,
    early_stopping: str | None,
    validate: int,
    plots: int,
    blueprint: str,
    seed: int | None,
    branches: bool,
    no_baseline: bool,
    trained_on: str,
    no_progress: bool,
) -> None:
    """Train on DATA_FILE (svm_data.csv with labels) and the images under IMG_PATH.

    Prints the held-out ROC-AUC and PR-AUC of the ensemble (and of each branch and the
    features-only baseline) and writes the run folder, including svm_align.zip for
    'spacekit svm predict -m RUN/svm_align.zip'.
    """
    from spacekit._tf_quiet import quiet_tensorflow
    from spacekit.exceptions import SkippedInputWarning, SpacekitError
    from spacekit.skopes.hst.svm.train import format_metrics, run_training, save_plots

    quiet_tensorflow()
    params = {}
    if batchsize is not None:
        params["batch_size"] = batchsize
    if epochs is not None:
        params["epochs"] = epochs
    if early_stopping:
        params["early_stopping"] = early_stopping
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedInputWarning)  # logged by the library
            ens, com, val = run_training(
                data_file,
                img_path,
                img_size=image_size,
                norm=normalize,
                v=0.85 if validate else 0,
                model_name=model_name,
                params=params,
                output_path=output_path,
                labels=labels,
                blueprint=blueprint,
                seed=seed,
                branches=branches,
                baseline=not no_baseline,
                trained_on=trained_on,
                progress=not no_progress,
            )
            if plots:
                save_plots(com, val, ens.output_path)
    except (SpacekitError, FileNotFoundError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(format_metrics(ens.metrics))
    click.echo(f"outputs: {ens.output_path}")
