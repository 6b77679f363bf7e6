"""Scrape the header keywords of JWST Level-1 exposures (``*_uncal.fits``).

:class:`JwstFitsScraper` finds the exposure files with spacekit 1.1.4's glob rules (sorted,
so results do not depend on the directory listing), reads the 25 primary-header and 4
extension-1 keywords of each with one open per file (:mod:`spacekit.extractor.scrape_fits`),
and returns one dict of header values per exposure. Files that cannot be read are skipped
and listed with their reason in :attr:`JwstFitsScraper.skipped`. Big folders are read by two
worker processes.
"""

from __future__ import annotations

import glob
import logging
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from spacekit._distributed import mp_context
from spacekit._text import preview
from spacekit.exceptions import InputError, SkippedInputWarning
from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS
from spacekit.extractor.scrape_fits import (
    FitsReadError,
    NeedsAstropy,
    read_fits_cards,
    read_fits_cards_astropy,
)

__all__ = ["JwstFitsScraper", "find_exposure_files", "exposure_key", "scrape_file"]

log = logging.getLogger(__name__)

#: Folders with at least this many files are read by worker processes (when n_jobs allows).
PARALLEL_THRESHOLD = 500
_CHUNKS_PER_WORKER = 4


def exposure_key(path: str | os.PathLike) -> str:
    """Return the exposure name of a file: its name without the last ``_``-token.

    Examples
    --------
    >>> exposure_key("jw02732001005_02103_00005_nrcb1_uncal.fits")
    'jw02732001005_02103_00005_nrcb1'
    """
    name = Path(path).name
    if "_" not in name:
        return name.split(".")[0]
    return name.rsplit("_", 1)[0]


def find_exposure_files(
    input_path: str | os.PathLike,
    pfx: str = "",
    sfx: str = "_uncal.fits",
    rejected: list[tuple[str, str]] | None = None,
):
    """List the exposure files under ``input_path`` (sorted), as spacekit 1.1.4 finds them.

    Looks for ``{input_path}/{pfx}*{sfx}``; if there is none, one level down
    (``{input_path}/*/{pfx}*{sfx}``). A path to a single file returns that file.

    Parameters
    ----------
    input_path : str or os.PathLike
        Folder or file.
    pfx, sfx : str
        File-name prefix and suffix.
    rejected : list, optional
        If given, ``(path, reason)`` is appended for each match that is not a readable
        regular file (a broken symbolic link, a folder, a device...).

    Raises
    ------
    InputError
        If the path does not exist or no file matches.
    """
    path = Path(os.path.expanduser(str(input_path)))
    if not path.exists():
        raise InputError(
            f"Input path does not exist: received {str(input_path)!r}. Pass a folder that "
            f"holds Level-1 exposure files (*{sfx}) or one such file."
        )
    if path.is_file():
        return [str(path)]
    pattern = f"{glob.escape(str(path))}/{pfx}*{sfx}"
    files = sorted(glob.glob(pattern))
    if not files:
        files = sorted(glob.glob(f"{glob.escape(str(path))}/*/{pfx}*{sfx}"))
    bad = [(f, _not_a_file(f)) for f in files if not os.path.isfile(f)]
    files = [f for f in files if os.path.isfile(f)]
    if rejected is not None:
        rejected.extend(bad)
    if not files:
        also = (
            f" ({len(bad)} match(es) are not regular files, e.g. {bad[0][0]!r}: {bad[0][1]})"
            if bad
            else ""
        )
        raise InputError(
            f"No exposure files found: nothing matches {pfx}*{sfx} in {str(path)!r} or its "
            "sub-folders. Check the folder, the program prefix (pid/obs) and the suffix "
            f"(sfx).{also}"
        )
    return files


def _not_a_file(path: str) -> str:
    """Why a path that matched the pattern is not an exposure file."""
    if os.path.islink(path) and not os.path.exists(path):
        return f"broken symbolic link (points to {os.readlink(path)!r})"
    if os.path.isdir(path):
        return "a folder, not a file"
    return "not a regular file"


def scrape_file(path: str) -> tuple[dict | None, str | None]:
    """Read the keywords of one exposure; return ``(header dict, None)`` or ``(None, reason)``.

    The header dict holds the 25 :data:`~spacekit.extractor.keywords.jwst_cal.GENKEYS` then the 4
    :data:`~spacekit.extractor.keywords.jwst_cal.SCIKEYS`; a missing keyword is ``"NaN"``.
    """
    try:
        try:
            h0, h1 = read_fits_cards(path, GENKEYS, SCIKEYS)
        except NeedsAstropy:
            h0, h1 = read_fits_cards_astropy(path, GENKEYS, SCIKEYS)
    except FitsReadError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    h0.update(h1)
    return h0, None


def _scrape_chunk(paths: list[str]) -> list[tuple[dict | None, str | None]]:
    return [scrape_file(p) for p in paths]


class JwstFitsScraper:
    """Read the JWST Level-1 header keywords of every exposure in a folder.

    Parameters
    ----------
    input_path : str or os.PathLike
        Folder of exposures (or sub-folders of exposures, one level down), or one file.
    pfx : str, default=""
        File-name prefix, e.g. ``"jw02732005"`` to select one observation.
    sfx : str, default="_uncal.fits"
        File-name suffix.
    n_jobs : int or None, default=None
        Worker processes for big folders (at least 500 files): ``None`` uses up to 2
        (the CPUs available), ``1`` reads in this process.
    progress : bool, default=True
        Show a progress bar for big folders (on a terminal only).
    files : sequence of path-like, optional
        Read exactly these files (in sorted order) instead of searching ``input_path``
        (then only named in messages); ``pfx`` and ``sfx`` are not applied.

    Attributes
    ----------
    fpaths : dict of str to str
        Exposure key -> file path, for the files found (sorted).
    skipped : list of tuple of (str, str)
        ``(path, reason)`` for each file that could not be used.

    Raises
    ------
    InputError
        If the path does not exist or holds no matching file.

    Examples
    --------
    >>> from spacekit.datasets import get_sample_path
    >>> scraper = JwstFitsScraper(get_sample_path("jwst") / "uncal", progress=False)
    >>> headers = scraper.scrape_inputs()
    >>> len(headers), headers["jw05693101001_02101_00001_nrcalong"]["EXP_TYPE"]
    (39, 'NRC_TACQ')
    """

    def __init__(
        self,
        input_path: str | os.PathLike,
        pfx: str = "",
        sfx: str = "_uncal.fits",
        n_jobs: int | None = None,
        progress: bool = True,
        files: Sequence[str | os.PathLike] | None = None,
    ) -> None:
        self.input_path = input_path
        self.pfx = pfx or ""
        self.sfx = sfx
        self.n_jobs = n_jobs
        self.progress = progress
        self._found_skips: list[tuple[str, str]] = []
        self.fpaths: dict[str, str] = {}
        self.exp_headers: dict[str, dict] = {}
        if files is None:
            found = find_exposure_files(input_path, self.pfx, sfx, rejected=self._found_skips)
        else:
            found = sorted(str(f) for f in files)
        for path in found:
            key = exposure_key(path)
            if key in self.fpaths:
                why = f"duplicate exposure {key!r} (kept {self.fpaths[key]})"
                self._found_skips.append((path, why))
                continue
            self.fpaths[key] = path
        self.skipped: list[tuple[str, str]] = list(self._found_skips)

    def _workers(self, n_files: int) -> int:
        if n_files < PARALLEL_THRESHOLD or self.n_jobs == 1:
            return 1
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        limit = self.n_jobs if self.n_jobs and self.n_jobs > 0 else 2
        return max(1, min(limit, cpus or 1))

    def _read_all(self, paths: list[str]) -> list[tuple[dict | None, str | None]]:
        from spacekit._progress import progress_bar

        workers = self._workers(len(paths))
        show = self.progress and len(paths) >= PARALLEL_THRESHOLD
        if workers == 1:
            results = []
            with progress_bar(
                total=len(paths), progress=show, desc="Reading headers", unit="file"
            ) as bar:
                for p in paths:
                    results.append(scrape_file(p))
                    bar.update(1)
            return results
        n_chunks = workers * _CHUNKS_PER_WORKER
        size = -(-len(paths) // n_chunks)
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        results = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
            # submit (and so start the workers) before the progress bar starts its thread
            futures = [pool.submit(_scrape_chunk, chunk) for chunk in chunks]
            with progress_bar(
                total=len(paths), progress=show, desc="Reading headers", unit="file"
            ) as bar:
                for chunk, fut in zip(chunks, futures, strict=True):
                    results.extend(fut.result())
                    bar.update(len(chunk))
        return results

    def scrape_inputs(self) -> dict[str, dict]:
        """Read every exposure; return ``{exposure_key: {KEYWORD: value}}`` in sorted order.

        Unreadable files (not FITS, truncated, no extension 1, unparsable card) are left out,
        logged at WARNING and listed in :attr:`skipped`; one
        :class:`~spacekit.exceptions.SkippedInputWarning` per call names them.
        """
        keys = list(self.fpaths)
        paths = [self.fpaths[k] for k in keys]
        headers: dict[str, dict] = {}
        new_skips = list(self._found_skips)
        for key, path, (header, reason) in zip(keys, paths, self._read_all(paths), strict=True):
            if header is None:
                new_skips.append((path, reason))
            else:
                headers[key] = header
        for path, reason in new_skips:
            log.info("Skipped %s: %s", path, reason)  # callers list them; a warning sums up
        if new_skips:
            names = preview(f"{Path(p).name} ({r})" for p, r in new_skips)
            warnings.warn(
                f"Skipped {len(new_skips)} input file(s): {names}. See the `skipped` "
                "attribute for every file and reason.",
                SkippedInputWarning,
                stacklevel=2,
            )
        self.skipped = new_skips
        self.exp_headers = headers
        log.debug("Read headers of %d exposure(s) from %s", len(headers), self.input_path)
        return headers
