"""Simulated observatory data in real formats, and small packaged samples.

Simulators (deterministic for a given seed):

* :func:`simulate_jwst` - JWST Level-1 exposures, raw metadata CSVs and Level-3 truth;
* :func:`simulate_svm` - HST single-visit mosaics with alignment labels;
* :func:`simulate_hstcal` - HST calibration jobs with memory / wallclock labels.

Samples (inside the package, no network): :func:`get_sample_path`, :func:`list_samples`,
:func:`load_jwst_sample`, :func:`load_svm_sample`, :func:`load_hstcal_sample`.

The simulators are imported on first use, so ``import spacekit.datasets`` stays cheap.
"""

from __future__ import annotations

import importlib

from spacekit.datasets._samples import (
    SAMPLE_NAMES,
    get_sample_path,
    list_samples,
    load_hstcal_sample,
    load_jwst_sample,
    load_svm_sample,
)

__all__ = [
    "SAMPLE_NAMES",
    "get_sample_path",
    "list_samples",
    "load_hstcal_sample",
    "load_jwst_sample",
    "load_svm_sample",
    "simulate_hstcal",
    "simulate_jwst",
    "simulate_svm",
]

_LAZY = {
    "simulate_jwst": "spacekit.datasets.jwst",
    "simulate_svm": "spacekit.datasets.svm",
    "simulate_hstcal": "spacekit.datasets.hstcal",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
