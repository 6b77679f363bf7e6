"""Tell files written by spacekit's simulators from real ones.

Every FITS file that :mod:`spacekit.datasets` simulates carries the primary-header card
``SIMULATE = T`` ("simulated by spacekit.datasets..."); real archive files have no such
card. Predictors use this to warn when real inputs meet a model trained on simulated data.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

__all__ = ["MARKER_KEYWORD", "is_simulated", "look_simulated"]

#: Primary-header keyword set to True in every simulated FITS file.
MARKER_KEYWORD = "SIMULATE"


def is_simulated(path: str | os.PathLike) -> bool:
    """True if the FITS file at ``path`` has ``SIMULATE = T`` in its primary header.

    Unreadable files count as not simulated (they are reported by the scrapers).
    """
    from spacekit.extractor.scrape_fits import (
        FitsReadError,
        NeedsAstropy,
        read_fits_cards,
        read_fits_cards_astropy,
    )

    try:
        try:
            h0, _ = read_fits_cards(path, (MARKER_KEYWORD,), ())
        except NeedsAstropy:
            h0, _ = read_fits_cards_astropy(path, (MARKER_KEYWORD,), ())
    except (FitsReadError, OSError):
        return False
    return h0.get(MARKER_KEYWORD) is True


def look_simulated(paths: Sequence[str | os.PathLike], max_files: int = 5) -> bool:
    """True if every one of up to ``max_files`` files, spread over ``paths``, is simulated.

    Returns False for an empty list.
    """
    paths = list(paths)
    if not paths:
        return False
    step = max(1, len(paths) // max_files)
    return all(is_simulated(p) for p in paths[::step][:max_files])
