"""Scrub a tree of JWST programs one program per task on a Dask cluster.

:class:`~spacekit.skopes.jwst.cal.predict.JwstCalPredict` uses this when it is given a
``client``: the exposure files are listed here, split by program (the ``jwNNNNN`` of
their names), and each program is read, grouped into Level-3 products and scrubbed by
one task (:func:`scrub_part`). The per-product records come back to this process, which
scrubs and encodes them in one table, normalises it and runs the models once, so the
predictions, products, flags and skipped inputs are the ones a single-machine run gives.

Level-3 products never span programs, so grouping per program is exact, with two
safeguards for the cases where 1.1.4's rules reach across programs:

* target ids are looked up in tables built from *every* input (a TARGNAME that is a
  target-name key in another program changes which table an exposure uses). Each task
  returns its own key sets; a program whose lookups would differ under the combined
  keys is grouped again with them (:meth:`~spacekit.preprocessor.scrub_targets.
  TargetIds.same_lookups`), which is rare;
* a file whose header PROGRAM is not the one in its name is grouped with that program's
  files (the parts are joined and grouped again).

A program whose task fails (after one retry) has each of its files listed in
``skipped`` with the reason; the other programs are kept.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from spacekit._text import preview
from spacekit.exceptions import FlaggedInputWarning, SkippedInputWarning
from spacekit.preprocessor.scrub_targets import TargetIds, TargetKeys, scope_of
from spacekit.preprocessor.tables.jwst_cal import EXPMODES

__all__ = [
    "ScrubbedPart",
    "ScrubbedPrograms",
    "program_of",
    "partition_by_program",
    "scrub_part",
    "scrub_on_cluster",
]

log = logging.getLogger(__name__)

_PROGRAM = re.compile(r"jw\d{5}")


def program_of(path: str | os.PathLike) -> str:
    """The program a file name belongs to (``jw02732``), or ``"other"``.

    Examples
    --------
    >>> program_of("/data/jw02732001005_02103_00005_nrcb1_uncal.fits")
    'jw02732'
    >>> program_of("calibration_uncal.fits")
    'other'
    """
    m = _PROGRAM.match(Path(path).name)
    return m.group() if m else "other"


def partition_by_program(files: Sequence[str | os.PathLike]) -> dict[str, list[str]]:
    """Split files by :func:`program_of`, in the order programs first appear.

    Examples
    --------
    >>> partition_by_program(["jw01_x.fits", "jw02732001_a.fits", "jw02732002_b.fits"])
    {'other': ['jw01_x.fits'], 'jw02732': ['jw02732001_a.fits', 'jw02732002_b.fits']}
    """
    parts: dict[str, list[str]] = {}
    for f in files:
        parts.setdefault(program_of(f), []).append(str(f))
    return parts


@dataclass
class ScrubbedPart:
    """What :func:`scrub_part` returns for one program (or joined programs).

    Attributes
    ----------
    files : list of str
        The exposure files of the part.
    skipped : list of (str, str)
        The scrubber's skipped inputs.
    products, flags : dict
        The scrubber's products and flags.
    names : dict
        Mode -> product names (every mode).
    records : dict
        Mode -> ``{product: record}`` (header values and offset features, before
        scrubbing), for the modes asked for.
    programs : frozenset of str
        The (zero-padded) header PROGRAM values of the exposures read.
    target_ids : TargetIds
        How the part's target ids were numbered (with its own or given key sets).
    warnings : list of (type, str)
        Warnings other than skipped/flagged ones (e.g. unknown categories), to re-issue.
    """

    files: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    products: dict[str, list[str]] = field(default_factory=dict)
    flags: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, dict[str, dict]] = field(default_factory=dict)
    programs: frozenset = frozenset()
    target_ids: TargetIds | None = None
    warnings: list[tuple[type, str]] = field(default_factory=list)


def scrub_part(
    files: Sequence[str],
    *,
    sfx: str = "_uncal.fits",
    expmodes: Sequence[str] = EXPMODES,
    target_keys: TargetKeys | None = None,
) -> ScrubbedPart:
    """Read one program's exposure files and group them into products (a cluster task).

    Parameters
    ----------
    files : sequence of str
        The program's Level-1 files.
    sfx : str, default="_uncal.fits"
        File-name suffix (as for the whole run).
    expmodes : sequence of str
        Modes whose product records are returned.
    target_keys : TargetKeys, optional
        Key sets of every input, to look target ids up in (default: the part's own).

    Returns
    -------
    ScrubbedPart
    """
    from spacekit.preprocessor.scrub import JwstCalScrubber

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scrubber = JwstCalScrubber(
            None, files=files, sfx=sfx, n_jobs=1, progress=False, target_keys=target_keys
        )
    summarised = (SkippedInputWarning, FlaggedInputWarning)
    return ScrubbedPart(
        files=list(files),
        skipped=list(scrubber.skipped),
        products=dict(scrubber.products),
        flags=dict(scrubber.flags),
        names={m: list(scrubber.input_data[m]) for m in EXPMODES},
        records={m: scrubber.input_data[m] for m in EXPMODES if m in expmodes},
        programs=frozenset(scope_of(h)[0] for h in scrubber.exp_headers.values()),
        target_ids=scrubber.target_ids,
        warnings=[
            (w.category, str(w.message)) for w in caught if not issubclass(w.category, summarised)
        ],
    )


class ScrubbedPrograms:
    """The joined parts, in the shape :meth:`JwstCalPredict.preprocess` reads a scrubber.

    Attributes
    ----------
    parts : list of ScrubbedPart
    skipped : list of (str, str)
        Files not found usable when listing, then every part's skipped inputs, then the
        files of parts whose task failed.
    products, flags : dict
    input_data : dict
        Mode -> product names.
    """

    def __init__(
        self,
        parts: Sequence[ScrubbedPart],
        rejected: Sequence[tuple[str, str]] = (),
        failed: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.parts = list(parts)
        self.skipped = list(rejected)
        self.products: dict[str, list[str]] = {}
        self.flags: dict[str, list[str]] = {}
        self.input_data: dict[str, list[str]] = {m: [] for m in EXPMODES}
        for part in self.parts:
            self.skipped.extend(part.skipped)
            self.products.update(part.products)
            self.flags.update(part.flags)
            for m in EXPMODES:
                self.input_data[m].extend(part.names.get(m, []))
        self.skipped.extend(failed)

    def scrub_inputs(self, exp_type: str = "IMAGE") -> pd.DataFrame | None:
        """The scrubbed, encoded rows of one mode over every part (None when none)."""
        from spacekit.preprocessor.scrub import scrub_records
        from spacekit.skopes.jwst.cal.config import KEYPAIR_DATA

        records: dict[str, dict] = {}
        for part in self.parts:
            records.update(part.records.get(exp_type, {}))
        return scrub_records(records, KEYPAIR_DATA)


def _spelled(part: ScrubbedPart, paths) -> ScrubbedPart:
    """A part with its paths spelled as the caller gave them (see PathSpelling)."""
    if not paths:
        return part
    return ScrubbedPart(
        files=paths.given(part.files),
        skipped=paths.given(part.skipped),
        products=paths.given(part.products),
        flags=paths.given(part.flags),
        names=part.names,
        records=paths.given(part.records),
        programs=part.programs,
        target_ids=part.target_ids,
        warnings=[(c, paths.given(m)) for c, m in part.warnings],
    )


def _joined(parts: dict[str, ScrubbedPart]) -> list[list[str]]:
    """Labels of parts that share a header program, joined (union-find)."""
    root = {k: k for k in parts}

    def find(k):
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    owner: dict[str, str] = {}
    for label, part in parts.items():
        for prog in part.programs:
            if prog in owner:
                root[find(label)] = find(owner[prog])
            else:
                owner[prog] = label
    groups: dict[str, list[str]] = {}
    for label in parts:
        groups.setdefault(find(label), []).append(label)
    return [g for g in groups.values() if len(g) > 1]


def _warn(parts: Sequence[ScrubbedPart], skipped: Sequence[tuple[str, str]], flags) -> None:
    for category, message in dict.fromkeys((c, m) for p in parts for c, m in p.warnings):
        warnings.warn(message, category, stacklevel=4)
    bad = [(i, r) for i, r in skipped if "not predicted" not in r and "Level-3" not in r]
    if bad:
        names = preview(f"{Path(i).name} ({r})" for i, r in bad)
        warnings.warn(
            f"Skipped {len(bad)} input(s): {names}. See `skipped`.",
            SkippedInputWarning,
            stacklevel=4,
        )
    if flags:
        names = list(flags)
        warnings.warn(
            f"{len(names)} product(s) are built from missing or implausible header values: "
            f"{preview(names)}. Their results are flagged; see `flags`.",
            FlaggedInputWarning,
            stacklevel=4,
        )


def scrub_on_cluster(
    client,
    input_path: str | os.PathLike,
    *,
    pfx: str = "",
    sfx: str = "_uncal.fits",
    expmodes: Sequence[str] = EXPMODES,
    progress: bool = True,
) -> ScrubbedPrograms:
    """List the exposures under ``input_path`` and scrub them one program per task.

    Parameters
    ----------
    client : distributed.Client or str
        The cluster (or its scheduler's address).
    input_path : path-like
        Folder of Level-1 files, or of folders of them (one level down).
    pfx, sfx : str
        File-name prefix and suffix.
    expmodes : sequence of str
        Modes whose scrubbed rows are gathered.
    progress : bool, default=True
        Progress bar over the program tasks.

    Returns
    -------
    ScrubbedPrograms

    Raises
    ------
    InputError
        No matching file under ``input_path``.
    """
    from spacekit._distributed import PathSpelling, Task, client_from, run_tasks
    from spacekit.extractor.scrape import find_exposure_files

    rejected: list[tuple[str, str]] = []
    files = find_exposure_files(input_path, pfx, sfx, rejected=rejected)
    found = partition_by_program(files)
    kwargs = dict(sfx=sfx, expmodes=list(expmodes))
    # the workers read absolute paths; their reports are spelled as given here
    paths = PathSpelling(input_path)
    with client_from(client) as cl:

        def run(parts: dict[str, list[str]], keys: TargetKeys | None):
            tasks = [
                Task(k, ([paths.absolute(f) for f in v],), dict(kwargs, target_keys=keys))
                for k, v in parts.items()
            ]
            return run_tasks(
                scrub_part,
                tasks,
                client=cl,
                progress=progress,
                desc="JWST programs",
                unit="program",
            )

        first = run(found, None)
        parts: dict[str, ScrubbedPart] = dict(first.results)
        failed = dict(first.failed)
        keys = TargetKeys()
        for part in parts.values():
            keys = keys | part.target_ids.own_keys
        redo: dict[str, list[str]] = {}
        for group in _joined(parts):
            label = "+".join(group)
            redo[label] = sorted(f for g in group for f in parts.pop(g).files)
        for label in list(parts):
            if not parts[label].target_ids.same_lookups(keys):
                redo[label] = parts.pop(label).files
        if redo:
            log.info("grouping %d program(s) again with every program's target keys", len(redo))
            again = run(redo, keys)
            parts.update(again.results)
            failed.update(again.failed)
    order = {label: i for i, label in enumerate(found)}
    ordered = [
        _spelled(parts[k], paths)
        for k in sorted(parts, key=lambda k: order.get(k.split("+")[0], 0))
    ]
    redo = {label: paths.given(files) for label, files in redo.items()}
    bad_files = [
        (f, f"its program's task failed: {paths.given(reason)}")
        for label, reason in failed.items()
        for f in (found.get(label) or redo.get(label, []))
    ]
    out = ScrubbedPrograms(ordered, rejected, bad_files)
    _warn(ordered, out.skipped, out.flags)
    log.info(
        "scrubbed %d file(s) of %d program(s) on the cluster: %d product(s), %d skipped",
        len(files),
        len(found),
        len(out.products),
        len(out.skipped),
    )
    return out
