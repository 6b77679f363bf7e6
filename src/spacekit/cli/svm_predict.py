"""``spacekit svm predict``: classify single-visit mosaics as aligned or misaligned."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

__all__ = ["predict", "format_summary"]


def format_summary(preds, skipped, folder: Path, model_label: str, top: int = 10) -> str:
    """Plain-text summary: counts, the most suspicious visits, the skipped ones."""
    n_bad = int((preds["y_pred"] == 1).sum())
    lines = [
        f"model: {model_label}",
        f"{len(preds)} visit(s) classified: {n_bad} suspicious, {len(preds) - n_bad} aligned",
    ]
    bad = preds[preds["y_pred"] == 1].sort_values("y_proba", ascending=False)
    if len(bad):
        width = max(len("visit"), *(len(str(i)) for i in bad.index[:top]))
        lines += ["", f"{'visit':<{width}}  {'y_proba':>7}"]
        lines += [f"{str(i):<{width}}  {p:>7.4f}" for i, p in bad["y_proba"][:top].items()]
        if len(bad) > top:
            lines.append(f"... and {len(bad) - top} more in compromised.txt")
    if skipped:
        lines += ["", f"skipped ({len(skipped)}):"]
        lines += [f"  {name}: {reason}" for name, reason in skipped]
    lines += ["", f"outputs: {folder}"]
    return "\n".join(lines)


@click.command()
@click.argument("data_file", type=click.Path(path_type=Path))
@click.argument("img_path", type=click.Path(path_type=Path))
@click.option(
    "-m",
    "--model-path",
    "--model_path",
    "model_path",
    type=click.Path(path_type=Path),
    envvar="MODEL_PATH",
    default=None,
    help="svm_align archive (.zip or folder; ours or spacekit 1.1.4's) or a .keras file. "
    "Default: the packaged one.",
)
@click.option(
    "-o",
    "--output-path",
    "--output_path",
    "output_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Parent of the predictions/ folder. Default: the folder of DATA_FILE.",
)
@click.option("-s", "--size", type=int, default=128, show_default=True, help="Image size.")
@click.option(
    "-n",
    "--normalization",
    type=click.IntRange(0, 1),
    default=0,
    show_default=True,
    help="1: PowerX on the features and pixels / 255 (as the model was trained).",
)
@click.option("-g", "--group", default=None, help="Data set name written in the report.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
def predict(
    data_file: Path,
    img_path: Path,
    model_path: Path | None,
    output_path: Path | None,
    size: int,
    normalization: int,
    group: str | None,
    no_progress: bool,
) -> None:
    """Classify the visits of DATA_FILE (svm_data.csv) with their images under IMG_PATH.

    Writes predictions.csv, clf_report.txt and compromised.txt (and skipped.txt when some
    visit could not be used) into OUTPUT_PATH/predictions, then prints a summary. Exits
    with 1 when no visit could be classified.
    """
    from spacekit.exceptions import SkippedInputWarning, SpacekitError
    from spacekit.skopes.hst.svm.predict import predict_alignment

    out = output_path or data_file.expanduser().resolve().parent
    try:
        with warnings.catch_warnings():
            # every skipped visit is printed in the summary's "skipped" section
            warnings.simplefilter("ignore", SkippedInputWarning)
            preds = predict_alignment(
                data_file,
                img_path,
                model_path=model_path,
                output_path=out,
                size=size,
                norm=normalization,
                group=group,
                progress=not no_progress,
            )
    except (SpacekitError, FileNotFoundError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    a = preds.attrs
    click.echo(format_summary(preds, a["skipped"], Path(a["output"]), a["model"]))
