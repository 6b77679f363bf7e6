"""Fixtures of the SVM predict/train tests: simulated visits prepared by ``svm prep``."""

from __future__ import annotations

import pandas as pd
import pytest

from spacekit.datasets import simulate_svm


@pytest.fixture(scope="session")
def svm_prepped(tmp_path_factory):
    """(data_file, img_path, labels) of 12 simulated visits, half misaligned.

    Made by the package's own simulator and ``run_preprocessing`` (labels from the
    simulator), so the tests read exactly what users' prep writes.
    """
    from spacekit.skopes.hst.svm.prep import run_preprocessing

    root = tmp_path_factory.mktemp("svm")
    sim = simulate_svm(
        root / "sim", n_visits=12, seed=5, misaligned_fraction=0.5, progress=False, image_size=64
    )
    _, data_path = run_preprocessing(
        str(root / "sim"), output_path=str(root / "prep"), labels=str(sim.labels_path)
    )
    return root / "prep" / "svm_data.csv", root / "prep" / "img", sim.labels


@pytest.fixture(scope="session")
def tiny_archive(svm_prepped, tmp_path_factory):
    """A 1-epoch lite ensemble (32 px) trained on the fixture, saved as an svm_align zip."""
    from spacekit.builder.ensemble import SVM_FEATURES
    from spacekit.builder.ensemble_builder import BuilderEnsemble
    from spacekit.builder.ensemble_model import save_ensemble_archive
    from spacekit.extractor.images import load_svm_images

    data_file, img_path, _ = svm_prepped
    df = pd.read_csv(data_file, index_col="index")
    images, kept, _ = load_svm_images(img_path, df.index, size=32)
    X = df.loc[kept, list(SVM_FEATURES)].to_numpy("float32")
    y = df.loc[kept, "label"].to_numpy()
    ens = BuilderEnsemble(
        [X, images], y, params={"epochs": 1, "batch_size": 4}, blueprint="svm_ensemble_lite", seed=0
    )
    ens.batch_fit()
    out = tmp_path_factory.mktemp("archive") / "svm_align.zip"
    save_ensemble_archive(
        out,
        ens.model,
        card="# tiny test model\n",
        training={"norm": 0, "image_size": 32, "trained_on": "simulated"},
    )
    return out, ens
