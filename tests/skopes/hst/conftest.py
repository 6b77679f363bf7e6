"""Fixtures for the HST cal skope: a tiny calibrated archive written without Keras."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hstcal_inputs import TX_114
from keras_files import dense_keras_bytes
from spacekit.builder.archive import save_archive
from spacekit.builder.conformal import ConformalUpperBound


@pytest.fixture(scope="session")
def tiny_hstcal(tmp_path_factory):
    """A calibrated ``hst_cal`` archive of three tiny networks (no Keras needed)."""
    rng = np.random.default_rng(0)
    pred = rng.uniform(0.5, 10, 400)
    true = pred * np.exp(rng.normal(0, 0.3, 400))
    groups = ["3/1"] * 200 + ["0/0"] * 200
    bounds = {
        "memory": ConformalUpperBound(0.05, 100, "memory").fit(true, pred, groups).to_dict(),
        "wallclock": ConformalUpperBound(1.0, 100, "wallclock")
        .fit(true * 100, pred * 100)
        .to_dict(),
    }
    models = {
        "mem_clf": dense_keras_bytes((9, 6, 4), 1, output_activation="softmax"),
        "mem_reg": dense_keras_bytes((9, 6, 1), 2, output_activation="linear", output_bias=1.0),
        "wall_reg": dense_keras_bytes(
            (9, 6, 1), 3, output_activation="linear", output_bias=300.0, weight_scale=20.0
        ),
    }
    path = tmp_path_factory.mktemp("hstcal") / "hst_cal.zip"
    save_archive(
        path,
        models,
        tx_data={"default": TX_114},
        card="# tiny",
        name="hst_cal",
        json_members={"upper_bounds": json.loads(json.dumps(bounds))},
    )
    return path
