"""Simulated HST single-visit mosaics (drizzle FITS, catalogs, diagnostic JSON, labels)."""

from spacekit.datasets.svm.simulate import (
    SvmSimulation,
    real_label_mix,
    render_visit_pair,
    simulate_svm,
)

__all__ = ["SvmSimulation", "real_label_mix", "render_visit_pair", "simulate_svm"]
