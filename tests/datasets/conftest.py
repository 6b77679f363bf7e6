"""Shared fixtures for the spacekit.datasets tests (H2: svm, hstcal, samples, CLI)."""

from pathlib import Path

import pytest

from spacekit.datasets.svm import simulate_svm
from support import shared_path


@pytest.fixture(scope="session")
def svm_sim(tmp_path_factory):
    """A small SVM simulation: 6 visits, half misaligned, 64 x 64 images."""
    out = tmp_path_factory.mktemp("svm") / "visits"
    return simulate_svm(
        out, n_visits=6, seed=11, misaligned_fraction=0.5, progress=False, image_size=64
    )


@pytest.fixture(scope="session")
def real_labels_dir() -> Path:
    """../shared/reference/real-labels next to the repository, or skip."""
    return shared_path("reference", "real-labels")
