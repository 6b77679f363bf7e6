"""NIRSpec (IFU, fixed slit, MOS, BOTS) and FGS observation templates."""

from __future__ import annotations

import numpy as np

from spacekit.datasets.jwst._tools import (
    NRC_LW,
    NRC_SW,
    NRS_SETUPS,
    _dithers,
    _obs,
    _pick,
    _ta,
    _tiles,
)
from spacekit.datasets.jwst.instruments import INSTRUMENT_FIELD_OFFSETS, NIRCAM_SW
from spacekit.datasets.jwst.plan import Activity, Arm, Observation

__all__: list[str] = []


def _nrs_arm(rng, dets=None, **keys) -> Arm:
    grating, filt = _pick(rng, NRS_SETUPS)
    if dets is None:
        dets = ("NRS1",) if grating in ("PRISM",) or grating.endswith("M") else ("NRS1", "NRS2")
    return Arm(dets, {"GRATING": grating, "FILTER": filt, **keys})


def _nirspec_ifu(rng, background: bool = False) -> Observation:
    obs = _obs(
        rng,
        "nirspec_ifu",
        "NIRSPEC",
        kind="moving" if rng.random() < 0.08 else "fixed",
        tiles=_tiles(rng, 0.2, 2.8, 4, 4),
        bkgdtarg=background,
        srctyapt=_pick(rng, ["POINT", "EXTENDED"]),
    )
    if rng.random() < 0.5:
        obs.activities.append(
            _ta(
                "NIRSPEC", "NRS_WATA", "NRS1", "SUB32", "NRSRAPID", FILTER="F110W", GRATING="MIRROR"
            )
        )
    dith = _dithers(rng, int(_pick(rng, [1, 2, 4, 4, 8])), 0.25)
    for _ in range(int(rng.integers(1, 4))):
        arm = _nrs_arm(rng, FXD_SLIT="NONE")
        act = Activity(
            [arm],
            "FULL",
            _pick(rng, ["NRSIRS2RAPID", "NRSIRS2", "NRSRAPID"]),
            int(rng.integers(5, 40)),
            1,
            list(dith),
            "CYCLING",
            keys={"IS_IMPRT": False},
        )
        obs.activities.append(act)
        if rng.random() < 0.4:
            obs.activities.append(
                Activity(
                    [arm], "FULL", act.readpatt, 5, 1, [(0.0, 0.0)], "NONE", keys={"IS_IMPRT": True}
                )
            )
    return obs


def _nirspec_fs(rng) -> Observation:
    obs = _obs(rng, "nirspec_fs", "NIRSPEC", srctyapt="POINT")
    obs.activities.append(
        _ta("NIRSPEC", "NRS_WATA", "NRS1", "SUB32", "NRSRAPID", FILTER="F110W", GRATING="MIRROR")
    )
    slit = _pick(rng, ["S200A1", "S200A2", "S400A1", "S1600A1", "S200B1"])
    sub = _pick(
        rng,
        [
            {"S200A1": "SUBS200A1", "S200A2": "SUBS200A2", "S400A1": "SUBS400A1"}.get(
                slit, "ALLSLITS"
            ),
            "ALLSLITS",
            "FULL",
        ],
    )
    n_nod = int(_pick(rng, [2, 3, 5]))
    nods = [(0.0, (i - (n_nod - 1) / 2) * 0.5) for i in range(n_nod)]
    for _ in range(int(rng.integers(1, 3))):
        obs.activities.append(
            Activity(
                [_nrs_arm(rng, FXD_SLIT=slit, EXP_TYPE="NRS_FIXEDSLIT")],
                sub,
                _pick(rng, ["NRSRAPID", "NRS"]),
                int(rng.integers(5, 30)),
                int(rng.integers(1, 3)),
                list(nods),
                f"{n_nod}-POINT-NOD" if n_nod > 2 else "2-POINT-NOD",
            )
        )
    return obs


def _nirspec_mos(rng) -> Observation:
    obs = _obs(
        rng,
        "nirspec_mos",
        "NIRSPEC",
        n_sources=int(rng.integers(20, 300)),
        srctyapt="UNKNOWN",
        tiles=_tiles(rng, 0.15, 150.0, 2, 2),
    )
    obs.activities.append(
        _ta("NIRSPEC", "NRS_MSATA", "NRS1", "FULL", "NRSRAPID", FILTER="F140X", GRATING="MIRROR")
    )
    nods = [(0.0, -0.53), (0.0, 0.0), (0.0, 0.53)]
    for _ in range(int(rng.integers(1, 3))):
        arm = _nrs_arm(rng, dets=("NRS1", "NRS2"), FXD_SLIT="NONE", EXP_TYPE="NRS_MSASPEC")
        obs.activities.append(
            Activity(
                [arm],
                "FULL",
                "NRSIRS2",
                int(rng.integers(10, 30)),
                1,
                list(nods),
                "3-POINT-NOD",
                keys={"IS_IMPRT": False},
            )
        )
        if rng.random() < 0.5:
            obs.activities.append(
                Activity(
                    [arm], "FULL", "NRSIRS2", 5, 1, [(0.0, 0.0)], "NONE", keys={"IS_IMPRT": True}
                )
            )
    if rng.random() < 0.3:
        off = np.subtract(INSTRUMENT_FIELD_OFFSETS["NIRCAM"], INSTRUMENT_FIELD_OFFSETS["NIRSPEC"])
        (sf, sp), (lf, lp) = _pick(rng, NRC_SW), _pick(rng, NRC_LW)
        arms = [
            Arm(
                NIRCAM_SW["A"] + NIRCAM_SW["B"],
                {"FILTER": sf, "PUPIL": sp, "CHANNEL": "SHORT", "EXP_TYPE": "NRC_IMAGE"},
            ),
            Arm(
                ("NRCALONG", "NRCBLONG"),
                {"FILTER": lf, "PUPIL": lp, "CHANNEL": "LONG", "EXP_TYPE": "NRC_IMAGE"},
            ),
        ]
        obs.activities.append(
            Activity(
                arms,
                "FULL",
                "MEDIUM8",
                6,
                1,
                list(nods),
                "3-POINT-NOD",
                seq=2,
                instrument="NIRCAM",
                field_offset=tuple(off),
                keys={"EXPRIPAR": "PARALLEL_COORDINATED"},
            )
        )
    return obs


def _nirspec_bots(rng) -> Observation:
    obs = _obs(rng, "nirspec_bots", "NIRSPEC", kind="tso", tso=True)
    obs.activities.append(
        _ta("NIRSPEC", "NRS_WATA", "NRS1", "SUB32", "NRSRAPID", FILTER="CLEAR", GRATING="MIRROR")
    )
    grating, filt = _pick(rng, NRS_SETUPS)
    if grating == "PRISM":
        dets, sub = ("NRS1",), "SUB512"
    else:
        dets, sub = (("NRS1", "NRS2") if grating.endswith("H") else ("NRS1",)), "SUB2048"
    arm = Arm(
        dets,
        {"GRATING": grating, "FILTER": filt, "FXD_SLIT": "S1600A1", "EXP_TYPE": "NRS_BRIGHTOBJ"},
    )
    obs.activities.append(
        Activity(
            [arm],
            sub,
            "NRSRAPID",
            int(rng.integers(2, 30)),
            int(rng.integers(300, 8000)),
            [(0.0, 0.0)],
            "NONE",
        )
    )
    return obs


def _fgs_imaging(rng) -> Observation:
    obs = _obs(rng, "fgs_imaging", "FGS")
    if rng.random() < 0.3:
        obs.visitype, obs.targname = "PRIME_UNTARGETED", None
    dith = _dithers(rng, int(_pick(rng, [1, 2, 4])), 5.0)
    for det in _pick(rng, [("GUIDER1",), ("GUIDER2",), ("GUIDER1", "GUIDER2")]):
        obs.activities.append(
            Activity(
                [Arm((det,), {})],
                _pick(rng, ["FULL", "FULL", "SUB128CNTR"]),
                _pick(rng, ["FGSRAPID", "FGS"]),
                int(rng.integers(2, 10)),
                1,
                list(dith),
                "NONE",
            )
        )
    return obs
