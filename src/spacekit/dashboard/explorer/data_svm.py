"""The SVM alignment images as explorer data: three frames per visit, labels 0/1.

Two layouts are recognised:

* the output folder of ``spacekit svm prep``: ``img/{visit}/{visit}{,_source,_gaia}.png``
  and a table (``svm_data.csv``, or any CSV) with the columns ``index`` (visit name) and
  ``label`` (0 aligned, 1 misaligned);
* an image folder in the training layout ``{0,1}/{visit}/...`` (the label is the class
  folder).

Each sample is a ``(3, size, size, 3)`` array (plain, source overlay, Gaia overlay) read
by :func:`spacekit.extractor.images.load_svm_images`, the reader of the SVM classifier
itself. Visits with a missing or unreadable frame are skipped and reported.

When the table holds the 10 feature columns of ``svm_data.csv``
(:data:`spacekit.preprocessor.scrub_svm.FEATURE_COLUMNS`), they come along as
``ExplorerData.features``, so the SVM ensemble (features + images) can be explored;
visits with a missing or non-numeric feature are then skipped and reported.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np

from spacekit.dashboard.explorer.data import ExplorerData
from spacekit.exceptions import InputError, SkippedInputWarning

__all__ = ["SVM_CLASSES", "is_svm_folder", "load_svm_data"]

log = logging.getLogger(__name__)

#: Class names of the SVM alignment labels.
SVM_CLASSES = ("aligned", "misaligned")


def _label_table(root: Path) -> Path | None:
    """The CSV with ``index`` and ``label`` columns in ``root`` (``svm_data.csv`` first)."""
    import pandas as pd

    candidates = sorted(root.glob("*.csv"), key=lambda p: (p.name != "svm_data.csv", p.name))
    for path in candidates:
        if path.name.startswith("raw_"):
            continue
        try:
            cols = pd.read_csv(path, nrows=0).columns
        except (OSError, ValueError):
            continue
        if "index" in cols and "label" in cols:
            return path
    return None


def _class_layout(root: Path) -> bool:
    kids = [root / c for c in ("0", "1")]
    return any(k.is_dir() and any(p.is_dir() for p in k.iterdir()) for k in kids)


def is_svm_folder(path: str | os.PathLike) -> bool:
    """True for an ``svm prep`` output folder or an SVM image folder in class layout."""
    root = Path(path)
    if (root / "img").is_dir() and _label_table(root) is not None:
        return True
    return root.is_dir() and _class_layout(root)


def load_svm_data(path: str | os.PathLike, size: int | None = None) -> ExplorerData:
    """Read the SVM frames and labels of every visit under ``path``.

    Parameters
    ----------
    path : path-like
        An ``svm prep`` output folder or a ``{0,1}/{visit}/`` image folder.
    size : int, optional
        Side of the square frames (default: 128, the published classifier's input).

    Returns
    -------
    ExplorerData
        ``images`` of shape ``(n, 3, size, size, 3)``; classes ``aligned``/``misaligned``.
    """
    import pandas as pd

    from spacekit.extractor.images import IMAGE_SIZE, load_svm_images
    from spacekit.preprocessor.scrub_svm import FEATURE_COLUMNS

    root = Path(path)
    size = int(size or IMAGE_SIZE)
    feats = None
    if (root / "img").is_dir() and (table := _label_table(root)) is not None:
        df = pd.read_csv(table)
        df["index"] = df["index"].astype(str)
        df = df.drop_duplicates("index")
        labels = pd.to_numeric(df["label"], errors="coerce")
        bad = df["index"][~labels.isin([0, 1])].tolist()
        if bad:
            log.warning("%s: %d visit(s) without a 0/1 label are left out", table, len(bad))
        df = df[labels.isin([0, 1])].assign(label=labels[labels.isin([0, 1])].astype(int))
        if all(c in df.columns for c in FEATURE_COLUMNS):
            feats = df[list(FEATURE_COLUMNS)].apply(pd.to_numeric, errors="coerce")
            ok = np.isfinite(feats.to_numpy(dtype=float, na_value=np.nan)).all(axis=1)
            for name in df["index"][~ok]:
                warnings.warn(
                    f"Skipped {name}: missing or non-numeric feature in {table.name}",
                    SkippedInputWarning,
                    stacklevel=2,
                )
            df, feats = df[ok], feats[ok]
            feats.index = df["index"]
        names = df["index"].tolist()
        label_of = dict(zip(names, df["label"], strict=True))
        img_root, source = root / "img", f"SVM visits {root} ({table.name})"
    else:
        label_of = {}
        for k in ("0", "1"):
            folder = root / k
            if folder.is_dir():
                label_of.update({p.name: int(k) for p in sorted(folder.iterdir()) if p.is_dir()})
        names, img_root, source = list(label_of), root, f"SVM visits {root}"
    if not names:
        raise InputError(f"No labelled SVM visits under '{root}'.")
    images, kept, _ = load_svm_images(img_root, names, size)
    if not kept:
        raise InputError(f"None of the {len(names)} SVM visits under '{root}' could be read.")
    labels = np.array([label_of[n] for n in kept], dtype=np.int64)
    return ExplorerData(
        images.astype(np.float32) / 255.0,
        labels,
        SVM_CLASSES,
        source,
        tuple(kept),
        features=None if feats is None else feats.loc[list(kept)].to_numpy(np.float32),
        feature_names=None if feats is None else tuple(FEATURE_COLUMNS),
    )
