"""Simulated JWST Level-1 exposures, pipeline metadata and Level-3 memory truth.

:func:`simulate_jwst` writes ``_uncal.fits`` files with realistic headers (real keyword
vocabularies frozen from the stdatamodels schemas, real observing configurations),
daily raw metadata CSVs and a truth table of Level-3 memory footprints. See
``docs/datasets_jwst.rst`` for the file layout and the memory model.

Modules: ``templates`` (observing configurations, built from ``plan`` data classes and
``instruments`` facts), ``exposures`` (programs, visits, pointing, timing), ``naming``
(file and product names, target ids), ``memory`` (ground truth), ``fitsfile`` (headers and
FITS writing), ``metadata`` (daily CSVs), ``vocabulary`` (frozen keyword table) and
``simulate`` (the entry point).
"""

from spacekit.datasets.jwst.simulate import JwstSimulation, simulate_jwst

__all__ = ["JwstSimulation", "simulate_jwst"]
