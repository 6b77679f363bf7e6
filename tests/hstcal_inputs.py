"""HST cal test inputs: 1.1.4's tx_data and raw values of four real datasets.

The raw values are those of the feature rows in spacekit 1.1.4's public training table
(``tests/data/cal/train/training.csv``, MIT) for the four datasets of its prediction tests
(spec §5.2); ``la8mffg5q`` carries ``CRSPLIT=2``, the encoding 1.1.4's prediction used.
Importable from any test module (``tests/`` is on ``sys.path``).
"""

from __future__ import annotations

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
