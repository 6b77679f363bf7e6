"""``spacekit svm``: HST single-visit-mosaic alignment (prep, predict, train, corrupt).

Each subcommand lives in its own module, imported only when it runs (or shows its
``--help``), so ``spacekit svm --help`` imports neither Keras nor astropy's heavy parts.
"""

from __future__ import annotations

import click

from spacekit.cli import LazyGroup

__all__ = ["svm", "SVM_COMMANDS"]

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


@click.group(
    cls=LazyGroup, lazy=SVM_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
def svm() -> None:
    """HST single-visit mosaics: flag misaligned total-detection products."""
