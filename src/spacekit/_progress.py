"""Progress bars for long work: shown on a terminal (or in Jupyter), hidden otherwise.

Every progress bar of the package comes from :func:`progress_bar`, so output piped to
a file or read by another program never fills up with carriage-return updates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["progress_bar"]


def progress_bar(iterable: Iterable | None = None, *, progress: bool = True, **kwargs: Any):
    """Return a tqdm bar over ``iterable`` (or a manual one with ``total=``).

    Parameters
    ----------
    iterable : iterable, optional
        What to iterate over; omit it and pass ``total=`` to call ``update`` by hand.
    progress : bool, default=True
        False hides the bar. True shows it when standard error is a terminal, or as a
        widget in Jupyter, and hides it when the output goes to a file or a pipe.
    **kwargs
        Passed to ``tqdm`` (``desc``, ``unit``, ``total``, ``leave`` ...).
    """
    from tqdm.auto import tqdm

    # disable=None: tqdm hides the bar when its stream (stderr) is not a terminal.
    return tqdm(iterable, disable=None if progress else True, **kwargs)
