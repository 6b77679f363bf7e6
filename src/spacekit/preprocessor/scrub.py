"""Turn JWST Level-1 exposure headers into one feature row per Level-3 product.

:class:`JwstCalScrubber` is spacekit 1.1.4's scrubber (spec §1.3-§1.9): it reads the
exposure headers (FITS files, or a DataFrame of header rows in ``mode="df"``), groups the
exposures into Level-3 products and names them (:mod:`~spacekit.preprocessor.scrub_naming`),
computes the offset statistics (:class:`~spacekit.preprocessor.transform.SkyTransformer`),
and :meth:`~JwstCalScrubber.scrub_inputs` returns the 27 encoded, un-normalised columns of a
mode. Differences from 1.1.4: target ids are numbered from sorted keys, files are taken in
sorted order, inputs are never mutated, and dropped files/exposures are listed in
:attr:`~JwstCalScrubber.skipped` with their reasons.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from spacekit._text import preview
from spacekit.exceptions import FlaggedInputWarning, InputError, SkippedInputWarning
from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS
from spacekit.preprocessor.encode import JwstEncoder
from spacekit.preprocessor.scrub_checks import check_headers
from spacekit.preprocessor.scrub_constants import FALSEVALS, NANVALS, SUBNAN, TRUEVALS
from spacekit.preprocessor.scrub_naming import TSO_AMI_CORON, group_products
from spacekit.preprocessor.scrub_nan import (
    DTYPE_KEYS,
    XCOL_ORDER,
    NaNdler,
    group_nircam_detectors,
    group_subarrays,
)
from spacekit.preprocessor.scrub_targets import SOURCE_BASED, TargetKeys, fake_target_ids
from spacekit.preprocessor.tables.jwst_cal import EXPMODES, KEYPAIR_DATA, L3_TYPES
from spacekit.preprocessor.transform_sky import SkyTransformer

__all__ = [
    "JwstCalScrubber",
    "scrub_records",
    "NaNdler",
    "NANVALS",
    "SUBNAN",
    "TRUEVALS",
    "FALSEVALS",
    "headers_from_dataframe",
]

log = logging.getLogger(__name__)


def _plain(value):
    """Python scalar for a numpy scalar; ``"NaN"`` for missing values (None, NaN)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NaN"
    return value


def headers_from_dataframe(data: pd.DataFrame) -> dict[str, dict]:
    """Exposure header dicts from a DataFrame of Level-1 header rows (raw metadata CSVs).

    The index is the exposure key; columns are the header keywords (any case). Missing
    keywords and missing values become ``"NaN"``, as for FITS headers. Rows are taken in
    sorted key order, as files are in FITS mode, so "the first exposure" of a product (whose
    TARG_RA/TARG_DEC the target offsets use) is the same in training and in prediction.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"mode='df' needs a pandas DataFrame; received {type(data).__name__}.")
    cols = {str(c).upper(): c for c in data.columns}
    keys = [k for k in GENKEYS + SCIKEYS if k in cols]
    missing = [k for k in GENKEYS + SCIKEYS if k not in cols]
    if "EXP_TYPE" in missing:
        raise InputError(
            "The DataFrame has no EXP_TYPE column; expected the Level-1 header keywords "
            f"{list(GENKEYS + SCIKEYS)} as columns (received {list(data.columns)})."
        )
    block = {k: data[cols[k]].tolist() for k in keys}
    out = {}
    for key, i in sorted((str(idx), i) for i, idx in enumerate(data.index)):
        out[key] = {k: _plain(block[k][i]) if k in block else "NaN" for k in GENKEYS + SCIKEYS}
    return out


class JwstCalScrubber:
    """Group JWST Level-1 exposures into Level-3 products and build their features.

    Parameters
    ----------
    input_path : str or os.PathLike, optional
        Folder of ``*_uncal.fits`` exposures (``mode="fits"``).
    data : DataFrame, optional
        Level-1 header rows indexed by exposure name (``mode="df"``).
    pfx : str, default=""
        File-name prefix selecting a program/observation, e.g. ``"jw02732005"``.
    sfx : str, default="_uncal.fits"
        File-name suffix.
    dropnans, save_raw : bool
        Accepted for spacekit 1.1.4 compatibility; they have no effect (1.1.4 ignored them
        for JWST too).
    encoding_pairs : Mapping, default=KEYPAIR_DATA
        Category tables (never modified).
    mode : {"fits", "df"}, default="fits"
        Where the headers come from.
    n_jobs : int, optional
        Worker processes for reading big folders (see
        :class:`~spacekit.extractor.scrape.JwstFitsScraper`).
    progress : bool, default=True
        Progress bar for big folders.
    files : sequence of path-like, optional
        Read exactly these exposure files instead of searching ``input_path`` (fits mode;
        see :class:`~spacekit.extractor.scrape.JwstFitsScraper`).
    target_keys : TargetKeys, optional
        Look the exposures' target ids up in these key sets (the combined
        :class:`~spacekit.preprocessor.scrub_targets.TargetKeys` of a larger input), so
        products are named as they would be among all of those inputs. Default: the
        keys of these exposures.

    Attributes
    ----------
    exp_headers : dict
        ``{exposure key: {KEYWORD: value}}``.
    fpaths : dict
        ``{exposure key: path}`` (fits mode).
    img_products, spec_products, tac_products, fgs_products : dict
        ``{product: {exposure key: header}}`` per mode.
    imgpix, specpix, tacpix, fgspix : dict
        ``{product: record}``: the header values and offset features of each product.
    products : dict
        ``{product: [exposure keys]}`` of every product that has features.
    flags : dict
        ``{product: [reasons]}`` of products built from missing or implausible header
        values (:mod:`~spacekit.preprocessor.scrub_checks`); empty when there are none.
    skipped : list of tuple of (str, str)
        ``(file path or exposure key, reason)`` of inputs that were left out: unreadable
        files, exposures whose headers cannot be grouped or whose ``EXP_TYPE`` has no
        Level-3 product, exposures without a valid fiducial. Every input exposure is in
        a product of :attr:`products` or here.
    targetnames, tn : list, dict
        Target names with ids, and the name -> id table.
    target_ids : TargetIds
        The target tables and numbering the products were named with.

    Raises
    ------
    InputError
        Unknown ``mode``, a missing path or an empty folder (fits), or no DataFrame (df).

    Warns
    -----
    SkippedInputWarning
        Once, naming the files that could not be read or whose headers cannot be grouped.
    FlaggedInputWarning
        Once, naming the products built from missing or implausible header values.

    Examples
    --------
    >>> from spacekit.datasets import get_sample_path
    >>> scrubber = JwstCalScrubber(get_sample_path("jwst") / "uncal", progress=False)
    >>> scrubber.scrub_inputs("IMAGE").shape
    (7, 27)
    """

    def __init__(
        self,
        input_path: str | os.PathLike | None = None,
        data: pd.DataFrame | None = None,
        pfx: str = "",
        sfx: str = "_uncal.fits",
        dropnans: bool = False,
        save_raw: bool = True,
        encoding_pairs: Mapping | None = None,
        mode: str = "fits",
        n_jobs: int | None = None,
        progress: bool = True,
        files: Sequence[str | os.PathLike] | None = None,
        target_keys: TargetKeys | None = None,
    ) -> None:
        if mode not in ("fits", "df"):
            raise InputError(f"mode must be 'fits' or 'df'; received {mode!r}.")
        self.input_path = input_path
        self.data = data
        self.pfx = pfx or ""
        self.sfx = sfx
        self.encoding_pairs = encoding_pairs if encoding_pairs is not None else KEYPAIR_DATA
        self.mode = mode
        self.target_keys = target_keys
        self.skipped: list[tuple[str, str]] = []
        self.fpaths: dict[str, str] = {}
        if mode == "df":
            if data is None:
                raise InputError("mode='df' needs `data`: a DataFrame of Level-1 header rows.")
            self.exp_headers = headers_from_dataframe(data)
        else:
            if input_path is None and files is None:
                raise InputError("mode='fits' needs `input_path`: a folder of *_uncal.fits files.")
            from spacekit.extractor.scrape import JwstFitsScraper

            scraper = JwstFitsScraper(
                input_path, pfx=self.pfx, sfx=sfx, n_jobs=n_jobs, progress=progress, files=files
            )
            self.exp_headers = scraper.scrape_inputs()
            self.fpaths = dict(scraper.fpaths)
            self.skipped.extend(scraper.skipped)
        self._build_products()

    # -- 1.1.4 properties -------------------------------------------------------------
    @property
    def xcol_order(self) -> list[str]:
        """The 27 scrubbed columns, in order."""
        return list(XCOL_ORDER)

    @property
    def level3_types(self) -> list[str]:
        """Exposure types that have a Level-3 product."""
        return list(L3_TYPES)

    @property
    def tso_ami_coron(self) -> list[str]:
        """Exposure types always routed to TAC."""
        return list(TSO_AMI_CORON)

    @property
    def source_based(self) -> list[str]:
        """Exposure types named with the source id ``s000000001``."""
        return list(SOURCE_BASED)

    @property
    def expdata(self) -> dict[str, dict]:
        """``{mode: {product: {exposure key: header}}}``."""
        return dict(
            IMAGE=self.img_products,
            SPEC=self.spec_products,
            TAC=self.tac_products,
            FGS=self.fgs_products,
        )

    @property
    def input_data(self) -> dict[str, dict]:
        """``{mode: {product: record}}``: the per-product features before scrubbing."""
        return dict(IMAGE=self.imgpix, SPEC=self.specpix, TAC=self.tacpix, FGS=self.fgspix)

    # -- grouping and offsets ---------------------------------------------------------
    def _check_headers(self) -> dict[str, dict]:
        """Skip exposures that cannot be grouped, flag suspect ones; return the usable."""
        kept, problems = {}, []
        self._exposure_flags = {}
        for key, res in check_headers(self.exp_headers).items():
            item = self.fpaths.get(key, key)
            if res.skip is None:
                kept[key] = res.header
                if res.flags:
                    self._exposure_flags[key] = res.flags
                if res.invalid:
                    bad = ", ".join(f"{k}={v!r}" for k, v in res.invalid.items())
                    log.info("%s: %s outside the physical range; treated as missing", item, bad)
            elif "has no Level-3 product" in res.skip:
                self.skipped.append((item, res.skip))
                log.info("Skipped %s: %s", item, res.skip)
            else:
                self.skipped.append((item, res.skip))
                log.info("Skipped %s: %s", item, res.skip)  # summed up by the warning below
                problems.append(f"{Path(item).name} ({res.skip})")
        if problems:
            warnings.warn(
                f"Skipped {len(problems)} exposure(s) whose headers cannot be grouped into a "
                f"product: {preview(problems)}. See `skipped`.",
                SkippedInputWarning,
                stacklevel=3,
            )
        return kept

    def _build_products(self) -> None:
        usable = self._check_headers()
        ids = fake_target_ids(usable, keys=self.target_keys)
        self.target_ids = ids
        self.tn = dict(ids.tn)
        self.targetnames = ids.targetnames
        no_product: list[tuple[str, str]] = []
        groups = group_products(usable, ids, skipped=no_product)
        for key, reason in no_product:
            self.skipped.append((self.fpaths.get(key, key), reason))
            log.info("Skipped %s: %s", self.fpaths.get(key, key), reason)
        self.img_products = groups["IMAGE"]
        self.spec_products = groups["SPEC"]
        self.tac_products = groups["TAC"]
        self.fgs_products = groups["FGS"]
        sky = SkyTransformer("JWST")
        self.imgpix = sky.calculate_offsets(self.img_products)
        sky.set_keys(ra="RA_REF", dec="DEC_REF")
        self.specpix = sky.calculate_offsets(self.spec_products)
        sky.count_exposures = self.mode == "df"
        self.tacpix = sky.calculate_offsets(self.tac_products)
        self.fgspix = {
            name: {**next(iter(exps.values())), "NEXPOSUR": len(exps)}
            for name, exps in self.fgs_products.items()
        }
        for key, reason in sky.skipped:
            self.skipped.append((self.fpaths.get(key, key), reason))
        self.products: dict[str, list[str]] = {}
        self.flags: dict[str, list[str]] = {}
        for mode, prods in self.expdata.items():
            have = self.input_data[mode]
            for name, exps in prods.items():
                if name in have:
                    valid = [k for k in exps if _valid_for(mode, exps[k])]
                    self.products[name] = valid
                    found = {f for k in valid for f in self._exposure_flags.get(k, ())}
                    if found:
                        self.flags[name] = sorted(found)
        self._warn_flags()
        log.info(
            "Grouped %d exposure(s) into %d Level-3 product(s): %s",
            len(self.exp_headers),
            len(self.products),
            {m: len(v) for m, v in self.input_data.items()},
        )

    def _warn_flags(self) -> None:
        if not self.flags:
            return
        reasons = sorted({f for fl in self.flags.values() for f in fl})
        for name, fl in self.flags.items():
            log.info("Product %s is flagged: %s", name, "; ".join(fl))
        names = list(self.flags)
        warnings.warn(
            f"{len(names)} product(s) are built from missing or implausible header values "
            f"({'; '.join(reasons)}): {preview(names)}. Their results are "
            "flagged; see `flags`.",
            FlaggedInputWarning,
            stacklevel=3,
        )

    # -- scrubbing ----------------------------------------------------------------------
    def scrub_inputs(self, exp_type: str = "IMAGE") -> pd.DataFrame | None:
        """Return the scrubbed, encoded (not normalised) features of one exposure mode.

        Parameters
        ----------
        exp_type : {"IMAGE", "SPEC", "TAC", "FGS"}, default="IMAGE"
            Exposure mode.

        Returns
        -------
        DataFrame or None
            Index = product names; the :attr:`xcol_order` columns that exist for the mode
            (all 27 for IMAGE/SPEC/TAC). None when the mode has no product.

        Warns
        -----
        UnknownCategoryWarning
            Once per call, if a category value is not in the encoding tables.
        """
        mode = str(exp_type).upper()
        if mode not in EXPMODES:
            raise InputError(f"exp_type must be one of {list(EXPMODES)}; received {exp_type!r}.")
        log.debug("Scrubbing and encoding the features [%s]", mode)
        return scrub_records(self.input_data[mode], self.encoding_pairs)


def scrub_records(
    records: Mapping[str, Mapping], encoding_pairs: Mapping | None = None
) -> pd.DataFrame | None:
    """Scrub and encode per-product records (:attr:`JwstCalScrubber.input_data` of a mode).

    The body of :meth:`JwstCalScrubber.scrub_inputs`, for records gathered from several
    scrubbers (e.g. one per program): the result is the one a single scrubber over all
    of their exposures gives.

    Parameters
    ----------
    records : dict
        ``{product: record}`` of one mode.
    encoding_pairs : Mapping, default=KEYPAIR_DATA
        Category tables.

    Returns
    -------
    DataFrame or None
        The :data:`~spacekit.preprocessor.scrub_nan.XCOL_ORDER` columns present, indexed
        by product; None for no record.
    """
    if not records:
        return None
    df = pd.DataFrame.from_dict(records, orient="index")
    df.columns = [str(c).lower() for c in df.columns]
    df = df.rename(columns={"instrume": "instr"})
    xcols = [c for c in XCOL_ORDER if c in df.columns]
    df = NaNdler(df[xcols], DTYPE_KEYS).apply_nandlers()
    df = group_subarrays(group_nircam_detectors(df))
    cats = [c for c in DTYPE_KEYS["categorical"] if c in df.columns]
    pairs = encoding_pairs if encoding_pairs is not None else KEYPAIR_DATA
    df = JwstEncoder(df, fkeys=cats, encoding_pairs=pairs).encode_features()
    return df[xcols]


def _valid_for(mode: str, hdr: Mapping) -> bool:
    if mode == "FGS":
        return True
    ra, dec = ("CRVAL1", "CRVAL2") if mode == "IMAGE" else ("RA_REF", "DEC_REF")
    vals = (hdr.get(ra), hdr.get(dec))
    return all(isinstance(v, float) and math.isfinite(v) for v in vals)
