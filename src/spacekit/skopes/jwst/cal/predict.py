"""Predict the memory footprint (GB) of JWST Level-3 products from Level-1 exposure headers.

The spacekit 1.1.4 interface, with the models run in numpy (no TensorFlow import)::

    from spacekit.skopes.jwst.cal.predict import JwstCalPredict
    jp = JwstCalPredict("/path/to/uncal/files")
    jp.run_inference()
    jp.predictions   # {'jw01076-o101_t1_nircam_clear-f212n': {'gbSize': 10.02}, ...}
    jp.skipped       # [(path or product, reason), ...]
    jp.flags         # {product: ["floor: model output -0.08 GB raised to ..."], ...}
    jp.model_info    # which archive answered (name, version, sha256, trained on ...)

or from a shell (same flags as 1.1.4)::

    python -m spacekit.skopes.jwst.cal.predict /path/to/inputs [-p PID [-o OBS]] [-m ARCHIVE]

Flow: :class:`~spacekit.preprocessor.scrub.JwstCalScrubber` scrapes the headers, groups
exposures into Level-3 products and encodes the 27 features; PowerX normalises the offset
columns with the archive's ``tx_data``; the 18 ``COLUMN_ORDER`` columns go through the
``img3_reg`` (IMAGE) or ``spec3_reg`` (SPEC) network; the archive's inverse target
transform (``tx_data`` ``"target"``; identity for 1.1.4 archives) turns the outputs into GB,
which are bounded to [``GB_FLOOR``, ``GB_CAP``] (each product so changed is listed in
``flags``) and rounded to 2 decimals.

The model loading (:func:`load_pretrained_model`, :class:`ModelHandle`) lives in
:mod:`spacekit.skopes.jwst.cal.models` and the command line (:func:`main`) in
:mod:`spacekit.skopes.jwst.cal.predict_runner`; both are importable from here too.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from spacekit._json import read_json_file
from spacekit._text import preview
from spacekit.builder.archive import ModelArchive, get_archive
from spacekit.builder.registry import ModelProvenance, provenance, resolve_model_path
from spacekit.builder.target import bound_value, inverse_target, target_transform
from spacekit.exceptions import (
    DataError,
    FlaggedInputWarning,
    InputError,
    SkippedInputWarning,
)
from spacekit.skopes.jwst.cal import models as _cal_models
from spacekit.skopes.jwst.cal.config import COLUMN_ORDER, KEYPAIR_DATA, NORM_COLS
from spacekit.skopes.jwst.cal.models import (
    ModelHandle,
    archive_handle,
    load_pretrained_model,
    predict_quietly,
)
from spacekit.skopes.jwst.cal.predict_runner import main, parse_expmodes

__all__ = [
    "JwstCalPredict",
    "predict_handler",
    "load_pretrained_model",
    "JWST_CAL_MODELS",
    "ModelHandle",
    "InputNotFoundError",
    "GB_CAP",
    "GB_FLOOR",
    "DEFAULT_NORM_COLS",
    "MODEL_NAMES",
    "parse_expmodes",
    "simulated_model_warning",
    "main",
]

# named explicitly: under `python -m` this module runs as "__main__"
log = logging.getLogger("spacekit.skopes.jwst.cal.predict")

#: Largest prediction reported (GB); larger model outputs are set to this value.
GB_CAP = 990.0
#: Smallest prediction reported (GB). No Level-3 job runs in less: the pipeline process
#: alone needs more. Smaller model outputs (including negative ones) are raised to it and
#: the product is flagged in ``JwstCalPredict.flags``.
GB_FLOOR = 0.1
#: Units of the reported values.
UNITS = {"gbSize": "GB"}
#: 1.1.4's constructor default for ``norm_cols`` (only a fallback; see ``normalize_inputs``):
#: the IMAGE model's normalised columns.
DEFAULT_NORM_COLS = NORM_COLS["IMAGE"]
#: Exposure mode -> model name in the archive.
MODEL_NAMES = {"IMAGE": "img3_reg", "SPEC": "spec3_reg"}
_MODES = ("IMAGE", "SPEC", "FGS", "TAC")
_DEFAULT_EXPMODES = ("IMAGE", "SPEC")
#: The models loaded by :func:`load_pretrained_model`, by name (``"img3_reg"``,
#: ``"spec3_reg"``): the last one loaded under each name (spacekit 1.1.4's module cache).
#: :class:`JwstCalPredict` fills it but never reads it: its warm starts come from the
#: per-process archive cache, keyed by archive path, so a ``model_path`` is always honoured.
#: (The dict of :mod:`spacekit.skopes.jwst.cal.models`, named here for the docs.)
JWST_CAL_MODELS: dict[str, ModelHandle] = _cal_models.JWST_CAL_MODELS


class InputNotFoundError(InputError, FileNotFoundError):
    """The input path does not exist (a ``FileNotFoundError``, as in 1.1.4)."""


def _no_model(mode: str) -> str:
    what = "TSO, AMI or coronagraphy" if mode == "TAC" else "FGS imaging"
    return f"{mode} product ({what}): spacekit has no {mode} model; not predicted"


def _not_requested(mode: str, expmodes: Sequence[str]) -> str:
    if mode not in MODEL_NAMES:
        return _no_model(mode)
    return f"{mode} product: not predicted because expmodes={','.join(expmodes)}"


class JwstCalPredict:
    """Estimate Level-3 memory footprints (GB) for the exposures under ``input_path``.

    Parameters
    ----------
    input_path : path-like, optional
        A folder of Level-1 files (``*_uncal.fits``; one level of sub-folders is searched
        if the folder itself has none), or one file: then every exposure of that file's
        program + observation in its folder is used.
    pid : int or str, optional
        Program id: only files starting ``jw{pid:05d}`` are used (leading ``j``/``w``
        characters are stripped first).
    obs : int or str, optional
        Observation number (with ``pid``): files starting ``jw{pid:05d}{obs:03d}``.
    model_path : str or path-like, optional
        Model archive: a registry name (``"spacekit-1.1.4/jwst_cal"``, downloaded once
        and verified, see :mod:`spacekit.builder.registry`; ``"packaged/jwst_cal"``) or a
        path (zip or folder; spacekit format or the published 1.1.4 ``jwst_cal.zip``).
        Defaults to the archive shipped with spacekit (``packaged/jwst_cal``).
    models : dict, optional
        Pre-loaded models keyed ``"img3_reg"`` / ``"spec3_reg"`` (objects with
        ``predict``, or 1.1.4 ``Builder``-like objects with ``.model``); the archive is then
        only read for the missing ones.
    tx_file : path-like, optional
        A normalisation JSON (``{"lambdas", "mu", "sigma"}``); ``{}`` in the name is
        replaced by the lower-case mode (``tx_data-{}.json``). Default: the archive's.
    norm : int, default=1
        Apply PowerX normalisation (1) or not (0).
    norm_cols : sequence of str, optional
        Fallback columns to normalise for modes without ``NORM_COLS`` (as in 1.1.4 this is
        ignored for IMAGE and SPEC).
    sfx : str, default="uncal.fits"
        File-name suffix of the inputs.
    expmodes : sequence of str, optional
        Exposure modes to predict, among IMAGE, SPEC, FGS and TAC (no model exists for
        FGS and TAC: their products are listed in ``skipped``). Default: IMAGE and SPEC.
        When left to the default and the archive holds only one of the two models, the
        other mode's products are skipped with a :class:`SkippedInputWarning` naming the
        missing model; a mode asked for explicitly whose model is missing raises
        :class:`~spacekit.exceptions.DataError`.
    progress : bool, default=True
        Show a progress bar while reading many files.
    n_jobs : int, optional
        Worker processes for reading headers (default: automatic).
    client : distributed.Client or str, optional
        Read, group and scrub the exposures on this Dask cluster (or the scheduler at this
        address), one task per program (:mod:`spacekit.skopes.jwst.cal.batch`); the
        models run here on the gathered rows. The results are those of a local run. The
        workers must see ``input_path`` at the same path. Needs
        ``pip install "spacekit[distributed]"``.
    **log_kws
        Accepted for compatibility with 1.1.4 and ignored: applications configure logging
        (see :func:`spacekit.logging_setup.configure_logging`).

    Attributes
    ----------
    predictions : dict
        ``{product: {"gbSize": float}}``.
    input_data : dict
        Mode -> scrubbed, encoded, un-normalised 27-column DataFrame (or None).
    inputs : dict
        Mode -> normalised model inputs (numpy array of the 18 ``COLUMN_ORDER`` columns).
    skipped : list of (str, str)
        Inputs (files or products) that could not be used, with the reason. Every input
        file is in a product of :attr:`products` or here, and every product is in
        :attr:`predictions` or here (TAC and FGS products, which have no model, too).
    products : dict
        Product name -> list of exposure keys grouped into it.
    flags : dict of str to list of str
        Product name -> reasons its prediction is suspect: built from missing or
        implausible header values (see :mod:`spacekit.preprocessor.scrub_checks`), or set
        to a bound (``GB_FLOOR``, ``GB_CAP``), e.g. ``"floor: model output -0.08 GB
        raised to the 0.1 GB floor"``. :meth:`results` carries them too.
    img3_reg, spec3_reg : ModelHandle or None
        The loaded models (``.model`` has ``predict``).
    tx_data : dict or None
        The last normalisation statistics used.
    archive : ModelArchive or None
        The archive the models came from.
    model_info : spacekit.builder.registry.ModelProvenance or None
        Which archive answered: registry name (or file name), version, SHA-256, and
        whether it was trained on ``"real"`` or ``"simulated"`` data.
    units : dict
        ``{"gbSize": "GB"}``.

    See Also
    --------
    predict_handler : construct, run and return in one call.
    spacekit.builder.registry : model archives by name, e.g. ``"spacekit-1.1.4/jwst_cal"``.

    Examples
    --------
    Predict the packaged sample (39 Level-1 exposures) with the packaged models:

    >>> from spacekit.datasets import get_sample_path
    >>> from spacekit.skopes.jwst.cal.predict import JwstCalPredict
    >>> jp = JwstCalPredict(get_sample_path("jwst") / "uncal", progress=False)
    >>> predictions = jp.run_inference()
    >>> len(predictions), len(jp.products)
    (10, 13)
    >>> jp.skipped[-1][1]
    'TAC product (TSO, AMI or coronagraphy): spacekit has no TAC model; not predicted'
    >>> list(predictions["jw06817-o001_t1_miri_f1280w"])
    ['gbSize']
    >>> jp.results()[0]["exp_mode"], jp.inputs["IMAGE"].shape
    ('IMAGE', (7, 18))

    Only one program's observation, and the published spacekit 1.1.4 models (given
    as a local copy of their archive):

    >>> jp = JwstCalPredict(
    ...     "/data/uncal", pid=2732, obs=5, model_path="jwst_cal.zip"
    ... )  # doctest: +SKIP
    """

    def __init__(
        self,
        input_path: str | os.PathLike | None = None,
        pid: int | str | None = None,
        obs: int | str | None = None,
        model_path: str | os.PathLike | None = None,
        models: Mapping | None = None,
        tx_file: str | os.PathLike | None = None,
        norm: int = 1,
        norm_cols: Sequence[str] | None = None,
        sfx: str = "uncal.fits",
        expmodes: Sequence[str] | None = None,
        progress: bool = True,
        n_jobs: int | None = None,
        client=None,
        **log_kws,
    ):
        self.__name__ = "JwstCalPredict"
        self.input_path = input_path
        self.pid = pid
        self.obs = obs
        self.model_path = model_path
        self.models = dict(models or {})
        self.tx_file = tx_file
        self.norm = norm
        self.norm_cols = list(norm_cols) if norm_cols is not None else list(DEFAULT_NORM_COLS)
        self.sfx = sfx
        self._explicit_modes = expmodes is not None
        modes = _DEFAULT_EXPMODES if expmodes is None else expmodes
        if isinstance(modes, str):
            modes = modes.split(",")
        self.expmodes = [str(m).strip().upper() for m in modes if str(m).strip()]
        unknown = [m for m in self.expmodes if m not in _MODES]
        if unknown or not self.expmodes:
            raise InputError(f"expmodes must be some of {list(_MODES)}; received {list(modes)!r}.")
        self.progress = progress
        self.n_jobs = n_jobs
        self.client = client
        self.log = log
        self.log_kws = log_kws
        self.predictions: dict[str, dict[str, float]] = {}
        self.units = dict(UNITS)
        self.model_info: ModelProvenance | None = None
        self.input_data: dict = dict.fromkeys(_MODES)
        self.inputs: dict = dict.fromkeys(_MODES)
        self.skipped: list[tuple[str, str]] = []
        self.products: dict[str, list[str]] = {}
        self.flags: dict[str, list[str]] = {}
        self.tx_data: dict | None = None
        self.archive: ModelArchive | None = None
        self.img3_reg: ModelHandle | None = None
        self.spec3_reg: ModelHandle | None = None
        self.initialize_models()

    # ------------------------------------------------------------------ models
    def initialize_models(self) -> None:
        """Load the models (called by the constructor, as in 1.1.4)."""
        self.load_models(models=self.models)

    def load_models(self, models: Mapping | None = None) -> None:
        """Set ``img3_reg``/``spec3_reg`` from ``models`` or, for the missing ones, the archive.

        The archive is read only if a model is missing, and then once per process
        (cached by path, modification time and size). No file is extracted.

        Raises
        ------
        DataError
            If the archive lacks the model of a mode passed explicitly in ``expmodes``,
            or lacks every model wanted. (A mode left to the default whose model is
            missing is skipped with a warning instead.)
        """
        models = dict(models or {})
        wanted = [MODEL_NAMES[m] for m in self.expmodes if m in MODEL_NAMES]
        missing = [n for n in wanted if n not in models]
        if missing or (self.norm and self.tx_file is None):
            path = resolve_model_path(self.model_path, kind="jwst_cal")
            self.archive = get_archive(path, name="jwst_cal")
            self.model_path = str(self.archive.path)
            absent = [n for n in missing if n not in self.archive.models]
            if absent and (self._explicit_modes or len(absent) == len(wanted)):
                raise DataError(
                    f"The model archive '{self.archive.path}' has no {absent} model(s); it "
                    f"holds {sorted(self.archive.models)}. Pass an archive with both JWST "
                    "models (img3_reg, spec3_reg) or limit expmodes."
                )
            for name in absent:
                mode = next(m for m, n in MODEL_NAMES.items() if n == name)
                msg = (
                    f"The model archive '{self.archive.path}' has no {name} model; {mode} "
                    f"products will be skipped. Pass an archive with {name} to predict them."
                )
                log.info("%s", msg)  # its products are listed in `skipped`
                warnings.warn(msg, SkippedInputWarning, stacklevel=2)
        for name in ("img3_reg", "spec3_reg"):
            given = models.get(name)
            if given is not None:
                handle = ModelHandle(name, getattr(given, "model", None) or given)
            elif name in wanted and self.archive is not None and name in self.archive.models:
                handle = archive_handle(self.archive, name)
            else:
                handle = None
            setattr(self, name, handle)
            if handle is not None:
                self.models[name] = handle  # as 1.1.4: reusable as models=... elsewhere
        from_archive = any(
            h is not None and h.model_path is not None for h in (self.img3_reg, self.spec3_reg)
        )
        if from_archive:
            self.model_info = provenance(self.archive)
        else:
            self.model_info = ModelProvenance(
                "models passed in", "jwst_cal", None, None, "unknown", ""
            )
        log.info("Model: %s", self.model_info.label())

    def _tx_for(self, mode: str) -> dict:
        if self.tx_file is not None:
            path = Path(str(self.tx_file).replace("{}", mode.lower())).expanduser()
            if not path.is_file():
                raise InputError(
                    f"tx_file '{path}' (for mode {mode}) does not exist. Pass an existing "
                    "normalisation JSON (a '{}' in the name is replaced by the lower-case "
                    "mode), or omit tx_file to use the model archive's statistics."
                )
            tx = read_json_file(path, max_depth=4, error=InputError)
            if not isinstance(tx, dict):
                raise InputError(
                    f"tx_file '{path}' holds a JSON {type(tx).__name__}; expected an object "
                    "with the lists 'lambdas', 'mu' and 'sigma' (a tx_data-<mode>.json)."
                )
        else:
            tx = self.archive.tx_for(mode) if self.archive is not None else None
            if tx is None:
                raise DataError(
                    f"No normalisation statistics for mode {mode} in the model archive "
                    f"'{self.model_path}'. Pass tx_file or an archive with tx_data-"
                    f"{mode.lower()}.json."
                )
        from spacekit.preprocessor.transform import load_tx_data

        where = f"tx_file '{self.tx_file}'" if self.tx_file is not None else "archive"
        try:
            load_tx_data(tx, n_cols=len(NORM_COLS.get(mode, self.norm_cols)))
        except DataError as exc:
            raise DataError(f"The {mode} normalisation statistics ({where}): {exc}") from exc
        self.tx_data = tx
        return tx

    # ------------------------------------------------------------------ inputs
    def verify_input_path(self) -> None:
        """Check ``input_path`` and derive the file-name prefix ``pid`` (1.1.4 rules).

        Raises
        ------
        InputNotFoundError
            If ``input_path`` is None or does not exist (also a ``FileNotFoundError``).
        """
        if self.input_path is None:
            raise InputNotFoundError(
                "input_path is required: pass a folder of Level-1 '*_uncal.fits' files or "
                "one such file."
            )
        path = Path(self.input_path).expanduser()
        if not path.exists():
            raise InputNotFoundError(
                f"input_path '{path}' does not exist. Pass a folder of Level-1 "
                "'*_uncal.fits' files or one such file."
            )
        if path.is_file():
            self.input_path = str(path.parent)
            self.pid = path.name.split("_")[0][:10]
            return
        self.input_path = str(path)
        if self.pid is None or str(self.pid) == "":
            self.pid = ""
            return
        digits = str(self.pid).lstrip("jw")
        try:
            pid = f"jw{int(digits):05d}"
        except ValueError as exc:
            raise InputError(
                f"pid must be a JWST program number such as 2732 or 'jw02732'; received "
                f"{self.pid!r}."
            ) from exc
        if self.obs is not None and str(self.obs) != "":
            try:
                pid += f"{int(self.obs):0>3}"
            except (TypeError, ValueError):
                log.warning("obs %r is not an integer; ignoring it (as 1.1.4 does)", self.obs)
        self.pid = pid

    def _scrubber(self):
        if self.client is not None:
            from spacekit.skopes.jwst.cal.batch import scrub_on_cluster

            return scrub_on_cluster(
                self.client,
                self.input_path,
                pfx=self.pid,
                sfx=self.sfx,
                expmodes=self.expmodes,
                progress=self.progress,
            )
        from spacekit.preprocessor.scrub import JwstCalScrubber

        return JwstCalScrubber(
            self.input_path,
            pfx=self.pid,
            sfx=self.sfx,
            encoding_pairs=KEYPAIR_DATA,
            n_jobs=self.n_jobs,
            progress=self.progress,
        )

    def preprocess(self) -> None:
        """Scrape, group, scrub and normalise the inputs of every mode in ``expmodes``.

        Every grouped product ends up either with inputs for a model or in
        :attr:`skipped` with the reason (a mode without a model, such as TAC and FGS, or
        a mode not in ``expmodes``).
        """
        self.input_data = dict.fromkeys(_MODES)
        self.inputs = dict.fromkeys(_MODES)
        self.skipped = []
        self.flags = {}
        self.verify_input_path()
        scrubber = self._scrubber()
        try:
            for mode in _MODES:
                if mode not in self.expmodes:
                    self.skipped.extend(
                        (str(p), _not_requested(mode, self.expmodes))
                        for p in scrubber.input_data[mode]
                    )
                    continue
                df = scrubber.scrub_inputs(exp_type=mode)
                if df is None or len(df) == 0:
                    continue
                self.input_data[mode] = df
                if mode not in MODEL_NAMES:
                    self.skipped.extend((str(p), _no_model(mode)) for p in df.index)
                    continue
                if getattr(self, MODEL_NAMES[mode]) is None:
                    reason = f"no {MODEL_NAMES[mode]} model in '{self.model_path}'; not predicted"
                    self.skipped.extend((str(p), reason) for p in df.index)
                    continue
                self.inputs[mode] = self.normalize_inputs(df, order=mode)
        finally:
            ours = self.skipped
            self.skipped = list(getattr(scrubber, "skipped", [])) + ours
            self.products = dict(getattr(scrubber, "products", {}) or {})
            self.flags = {p: list(f) for p, f in (getattr(scrubber, "flags", {}) or {}).items()}
        by_reason: dict[str, list[str]] = {}
        for item, reason in ours:  # the scrubber logs its own skips
            by_reason.setdefault(reason, []).append(item)
        for reason, items in by_reason.items():  # one line per reason, not per product
            expected = "not predicted" in reason  # no model for the mode, or not asked for
            level = logging.INFO if expected else logging.WARNING
            log.log(level, "Skipped %s: %s", preview(items), reason)

    def normalize_inputs(self, inputs, order: str = "IMAGE") -> np.ndarray:
        """Normalise the offset columns (PowerX) and return the model columns as an array.

        Parameters
        ----------
        inputs : pandas.DataFrame
            Scrubbed 27-column frame of one mode.
        order : str, default="IMAGE"
            The mode, selecting ``COLUMN_ORDER`` and ``NORM_COLS``.

        Returns
        -------
        numpy.ndarray of shape (n_products, 18)
        """
        xcols = list(COLUMN_ORDER[order])
        norm_cols = list(NORM_COLS.get(order, self.norm_cols))
        missing = [c for c in set(xcols) | set(norm_cols if self.norm else []) if c not in inputs]
        if missing:
            raise DataError(
                f"The {order} inputs lack the column(s) {sorted(missing)}; expected the 27 "
                "scrubbed columns. Build them with JwstCalScrubber."
            )
        if self.norm:
            from spacekit.preprocessor.transform import PowerX

            tx = self._tx_for(order)
            px = PowerX(inputs, cols=norm_cols, tx_data=tx, rename=None, join_data=1)
            frame = px.Xt
        else:
            frame = inputs
        return np.asarray(frame[xcols], dtype=np.float64)

    # --------------------------------------------------------------- inference
    def regressor(self, model, data) -> np.ndarray:
        """Predict with ``model`` (1-D data is one sample), as float32 inputs."""
        X = np.asarray(data, dtype=np.float32)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        return predict_quietly(model, X)

    def _target_for(self, mode: str, handle: ModelHandle) -> str:
        """Inverse target transform of ``handle``: its archive's ``tx_data``, else ``tx_file``'s."""
        if handle.model_path is not None and self.archive is not None:
            tx = self.archive.tx_for(mode)
            where = f"tx_data-{mode.lower()}.json of '{self.model_path}'"
        else:
            tx = self.tx_data if self.tx_file is not None else None
            where = f"tx_file '{self.tx_file}'"
        return target_transform(tx, where)

    def _run_mode(self, mode: str, handle: ModelHandle | None) -> None:
        X, df = self.inputs.get(mode), self.input_data.get(mode)
        if handle is None or X is None or df is None:
            return
        transform = self._target_for(mode, handle)
        pred = inverse_target(np.reshape(self.regressor(handle.model, X), (len(df), -1)), transform)
        bounded, not_finite = [], []
        for product, value in zip(df.index, pred[:, 0], strict=True):
            product, gb = str(product), float(value)
            if not math.isfinite(gb):
                reason = f"{mode} model output is not finite ({gb})"
                log.info("Skipped %s: %s", product, reason)
                self.skipped.append((product, reason))
                not_finite.append(product)
                continue
            gb, flag = bound_value(gb, GB_FLOOR, GB_CAP)
            if flag:
                product_flags = self.flags.setdefault(product, [])
                if flag not in product_flags:
                    product_flags.append(flag)
                bounded.append(product)
            self.predictions[product] = {"gbSize": round(gb, 2)}
        if not_finite:
            warnings.warn(
                f"Skipped {len(not_finite)} {mode} product(s) whose model output is not "
                f"finite: {preview(not_finite)}. See `skipped`.",
                SkippedInputWarning,
                stacklevel=4,
            )
        if bounded:
            msg = (
                f"{len(bounded)} {mode} prediction(s) set to the {GB_FLOOR:g}-{GB_CAP:g} GB "
                f"bounds ({preview(bounded)}); see `flags`."
            )
            log.info("%s", msg)
            warnings.warn(msg, FlaggedInputWarning, stacklevel=4)

    def run_image_inference(self) -> None:
        """Predict every IMAGE product with ``img3_reg``."""
        self._run_mode("IMAGE", self.img3_reg)

    def run_spec_inference(self) -> None:
        """Predict every SPEC product with ``spec3_reg``."""
        self._run_mode("SPEC", self.spec3_reg)

    def run_inference(self) -> dict[str, dict[str, float]]:
        """Preprocess (if not done yet) and predict; returns ``self.predictions``."""
        if not any(v is not None for v in self.inputs.values()):
            self.preprocess()
        if self.img3_reg is not None:
            self.run_image_inference()
        if self.spec3_reg is not None:
            self.run_spec_inference()
        log.info("Predictions (GB) from %s: %s", self.model_info.label(), self.predictions)
        if not self.predictions:
            log.info("No Level-3 product could be predicted from '%s'", self.input_path)
        return self.predictions

    # ----------------------------------------------------------------- results
    def results(self) -> list[dict]:
        """One record per predicted product: product, exp_mode, gbSize (GB), n_exposures, flags.

        ``flags`` lists why the prediction is suspect or was bounded (empty for a clean one).
        """
        rows = []
        for mode in MODEL_NAMES:
            df = self.input_data.get(mode)
            if df is None:
                continue
            for product in df.index:
                product = str(product)
                if product not in self.predictions:
                    continue
                n = len(self.products.get(product, []))
                if not n and "nexposur" in df:
                    n = int(df.loc[product, "nexposur"])
                rows.append(
                    {
                        "product": product,
                        "exp_mode": mode,
                        "gbSize": self.predictions[product]["gbSize"],
                        "n_exposures": n,
                        "flags": list(self.flags.get(product, [])),
                    }
                )
        return rows


def simulated_model_warning(jp: JwstCalPredict) -> str | None:
    """A warning when real-looking inputs meet a model trained on simulated data, else None.

    Inputs look simulated when the files checked (up to 5, spread over the folder) carry
    the simulators' ``SIMULATE = T`` card (:mod:`spacekit.extractor.simulated`). The
    message names the published real-data model to use instead.
    """
    info = jp.model_info
    if info is None or info.trained_on != "simulated" or jp.input_path is None:
        return None
    from spacekit.builder.registry import list_entries
    from spacekit.extractor.scrape import find_exposure_files
    from spacekit.extractor.simulated import look_simulated

    try:
        files = find_exposure_files(jp.input_path, pfx=jp.pid or "", sfx=jp.sfx)
    except InputError:
        return None
    if look_simulated(files):
        return None
    real = [e.name for e in list_entries("jwst_cal") if e.trained_on == "real"]
    use = f" For real exposures use a model trained on real data: -m {real[-1]}." if real else ""
    return (
        f"These inputs are not from spacekit's simulators, but the model {info.name} was "
        f"trained on simulated metadata; its estimates may not hold for real data.{use}"
    )


def predict_handler(input_path, **kwargs) -> JwstCalPredict:
    """Construct :class:`JwstCalPredict`, run inference and return the object."""
    jp = JwstCalPredict(input_path=input_path, **kwargs)
    jp.run_inference()
    return jp


if __name__ == "__main__":  # the command line lives in predict_runner
    sys.exit(main())
