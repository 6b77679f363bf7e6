"""Fixtures for the HST cal skope: a tiny calibrated archive written without Keras."""

from __future__ import annotations

import json

import numpy as np
import pytest

from keras_files import dense_keras_bytes
from spacekit.builder.archive import save_archive
from spacekit.builder.conformal import ConformalUpperBound

#: Statistics of spacekit 1.1.4's hst_cal/tx_data.json (spec §3.2).
TX_114 = {
    "lambdas": [-1.53012642308238, -0.08805165507126637],
    "mu": [0.5690156475654576, 2.0786578109854394],
    "sigma": [0.04177326202270394, 1.2068026984185416],
}

#: One row of raw values per instrument / type (valid for every encoding rule).
RAW = {
    "j8zs05020": {
        "n_files": 61,
        "total_mb": 1237,
        "DETECTOR": "WFC",
        "SUBARRAY": "False",
        "DRIZCORR": "PERFORM",
        "PCTECORR": "PERFORM",
        "CRSPLIT": "2.0",
    },
    "ic0k06010": {
        "n_files": 29,
        "total_mb": 420,
        "DETECTOR": "UVIS",
        "SUBARRAY": "False",
        "DRIZCORR": "PERFORM",
        "PCTECORR": "PERFORM",
        "CRSPLIT": "1.0",
    },
    "oc3p011i0": {
        "n_files": 5,
        "total_mb": 3,
        "DETECTOR": "CCD",
        "SUBARRAY": "True",
        "DRIZCORR": "NaN",
        "PCTECORR": "NaN",
        "CRSPLIT": "1.0",
    },
    "la8mffg5q": {
        "n_files": 3,
        "total_mb": 222,
        "DETECTOR": "FUV",
        "SUBARRAY": "False",
        "DRIZCORR": "NaN",
        "PCTECORR": "NaN",
        "CRSPLIT": "2",
    },
}


def write_features(folder, name, values) -> str:
    """Write ``{folder}/{name}_MemModelFeatures.txt`` and return its path."""
    path = folder / f"{name}_MemModelFeatures.txt"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return str(path)


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
