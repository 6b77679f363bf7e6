"""Header keywords the JWST calibration skope reads from Level-1 exposures.

The extractor owns these lists: :class:`spacekit.extractor.scrape.JwstFitsScraper` reads
exactly these cards, in this order. They are the keywords the published spacekit 1.1.4
models were trained with; :mod:`spacekit.skopes.jwst.cal.config` re-exports them at the
1.1.4 import path.

Attributes
----------
GENKEYS : tuple of str
    The 25 primary-header (extension 0) keywords read from each Level-1 exposure, in the
    order 1.1.4 reads them (includes ``NEXPOSUR``).
SCIKEYS : tuple of str
    The 4 keywords read from the extension-1 (SCI) header.

Examples
--------
>>> from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS
>>> len(GENKEYS), SCIKEYS[:2]
(25, ('RA_REF', 'DEC_REF'))
"""

from __future__ import annotations

__all__ = ["GENKEYS", "SCIKEYS"]

GENKEYS: tuple[str, ...] = (
    "PROGRAM",
    "OBSERVTN",
    "NEXPOSUR",
    "BKGDTARG",
    "IS_IMPRT",
    "VISITYPE",
    "TSOVISIT",
    "TARGNAME",
    "TARG_RA",
    "TARG_DEC",
    "INSTRUME",
    "DETECTOR",
    "FILTER",
    "PUPIL",
    "GRATING",
    "FXD_SLIT",
    "EXP_TYPE",
    "CHANNEL",
    "BAND",
    "SUBARRAY",
    "NUMDTHPT",
    "GS_RA",
    "GS_DEC",
    "GS_MAG",
    "CROWDFLD",
)

SCIKEYS: tuple[str, ...] = ("RA_REF", "DEC_REF", "CRVAL1", "CRVAL2")
