"""Simulated HST calibration job tables (raw keywords plus memory / wallclock labels)."""

from spacekit.datasets.hstcal.files import write_features_files, write_fits_datasets
from spacekit.datasets.hstcal.simulate import (
    GROUPS,
    KEYWORD_COLUMNS,
    LABEL_COLUMNS,
    mem_bin_from_memory,
    read_hstcal_csv,
    real_quantiles,
    simulate_hstcal,
    write_hstcal_csv,
    write_hstcal_folder,
)

__all__ = [
    "GROUPS",
    "KEYWORD_COLUMNS",
    "LABEL_COLUMNS",
    "mem_bin_from_memory",
    "read_hstcal_csv",
    "real_quantiles",
    "simulate_hstcal",
    "write_hstcal_csv",
    "write_hstcal_folder",
    "write_features_files",
    "write_fits_datasets",
]
