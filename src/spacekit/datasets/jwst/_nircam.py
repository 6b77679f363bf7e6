"""NIRCam observation templates: imaging, WFSS, coronagraphy, time series, WFSC."""

from __future__ import annotations

import numpy as np

from spacekit.datasets.jwst._tools import (
    MIRI_FILTERS,
    NRC_LW,
    NRC_READ,
    NRC_SW,
    _dithers,
    _obs,
    _pick,
    _ta,
    _tiles,
)
from spacekit.datasets.jwst.instruments import INSTRUMENT_FIELD_OFFSETS, NIRCAM_LW, NIRCAM_SW
from spacekit.datasets.jwst.plan import Activity, Arm, Observation

__all__: list[str] = []


def _nircam_imaging(rng, *, pure=False) -> Observation:
    kind = "moving" if rng.random() < 0.1 and not pure else "fixed"
    sub = (
        "FULL"
        if rng.random() < 0.85
        else _pick(rng, ["SUB640", "SUB400P", "SUB160", "SUB160P", "SUB64P"])
    )
    mods = _pick(rng, ["AB", "AB", "AB", "AB", "A", "B"]) if sub == "FULL" else "B"
    width = 300.0 if len(mods) == 2 else 130.0
    tiles = _tiles(rng, 0.0 if (sub != "FULL" or pure) else 0.3, width * 0.9, 6, 4)
    obs = _obs(
        rng,
        "nircam_parallel" if pure else "nircam_imaging",
        "NIRCAM",
        kind=kind,
        visitype="PARALLEL_PURE" if pure else "PRIME_TARGETED_FIXED",
        tiles=tiles,
        crowdfld=bool(rng.random() < 0.1),
        srctyapt="EXTENDED",
    )
    if pure:
        obs.targname = None
    elif kind == "fixed" and rng.random() < 0.05:
        obs.visitype, obs.targname = "PRIME_UNTARGETED", None
    ndith = int(_pick(rng, [1, 2, 3, 4, 4, 6, 8, 9])) if not pure else int(rng.integers(1, 4))
    step = float(_pick(rng, [3.0, 5.0, 20.0, 40.0]))
    patt = _pick(rng, ["INTRAMODULEBOX", "FULLBOX", "INTRAMODULE", "FULL", "INTRASCA"])
    sw_dets = [d for m in mods for d in NIRCAM_SW[m]] if sub == "FULL" else ["NRCB1"]
    lw_dets = [d for m in mods for d in NIRCAM_LW[m]]
    read = _pick(rng, NRC_READ)
    for _ in range(int(rng.integers(1, 5))):
        (sf, sp), (lf, lp) = _pick(rng, NRC_SW), _pick(rng, NRC_LW)
        arms = [
            Arm(tuple(sw_dets), {"FILTER": sf, "PUPIL": sp, "CHANNEL": "SHORT"}),
            Arm(tuple(lw_dets), {"FILTER": lf, "PUPIL": lp, "CHANNEL": "LONG"}),
        ]
        ng = int(rng.integers(2, 21 if read.startswith("DEEP") else 11))
        obs.activities.append(
            Activity(arms, sub, read, ng, int(rng.integers(1, 3)), _dithers(rng, ndith, step), patt)
        )
    if not pure and sub == "FULL" and kind == "fixed" and rng.random() < 0.2:
        off = np.subtract(INSTRUMENT_FIELD_OFFSETS["MIRI"], INSTRUMENT_FIELD_OFFSETS["NIRCAM"])
        arm = Arm(("MIRIMAGE",), {"EXP_TYPE": "MIR_IMAGE", "FILTER": _pick(rng, MIRI_FILTERS)})
        prime = obs.activities[0]
        obs.activities.append(
            Activity(
                [arm],
                "FULL",
                "FASTR1",
                int(rng.integers(5, 60)),
                1,
                list(prime.dithers),
                prime.patttype,
                seq=2,
                instrument="MIRI",
                field_offset=tuple(off),
                keys={"EXPRIPAR": "PARALLEL_COORDINATED"},
            )
        )
    return obs


def _nircam_wfss(rng) -> Observation:
    obs = _obs(
        rng,
        "nircam_wfss",
        "NIRCAM",
        crowdfld=bool(rng.random() < 0.2),
        n_sources=int(rng.integers(50, 3000)),
        srctyapt="EXTENDED",
    )
    lf = _pick(rng, ["F322W2", "F356W", "F444W", "F277W", "F410M"])
    grism = _pick(rng, ["GRISMR", "GRISMC"])
    sf = _pick(rng, ["F150W", "F200W", "F115W", "F090W"])
    dith = _dithers(rng, int(_pick(rng, [1, 2, 3, 4, 6])), 4.0)
    sw = Arm(
        NIRCAM_SW["A"] + NIRCAM_SW["B"],
        {"FILTER": sf, "PUPIL": "CLEAR", "CHANNEL": "SHORT", "EXP_TYPE": "NRC_IMAGE"},
    )
    lw = Arm(
        ("NRCALONG", "NRCBLONG"),
        {"FILTER": lf, "PUPIL": grism, "CHANNEL": "LONG", "EXP_TYPE": "NRC_WFSS"},
    )
    direct = Arm(
        ("NRCALONG", "NRCBLONG"),
        {"FILTER": lf, "PUPIL": "CLEAR", "CHANNEL": "LONG", "EXP_TYPE": "NRC_IMAGE"},
    )
    read = _pick(rng, ["SHALLOW4", "MEDIUM8", "DEEP8", "BRIGHT1"])
    obs.activities += [
        Activity([sw, lw], "FULL", read, int(rng.integers(4, 10)), 1, dith, "INTRAMODULEX"),
        Activity([sw, direct], "FULL", read, int(rng.integers(3, 8)), 1, dith[:3], "INTRAMODULEX"),
    ]
    return obs


def _nircam_coron(rng) -> Observation:
    obs = _obs(rng, "nircam_coron", "NIRCAM", srctyapt="POINT")
    if rng.random() < 0.5:
        det, pupil, filt, sub, msk = (
            "NRCALONG",
            "MASKRND",
            _pick(rng, ["F335M", "F444W", "F356W"]),
            "SUB320A335R",
            "MASKA335R",
        )
        chan = "LONG"
    elif rng.random() < 0.5:
        det, pupil, filt, sub, msk, chan = (
            "NRCA2",
            "MASKRND",
            _pick(rng, ["F210M", "F182M", "F200W"]),
            "SUB640A210R",
            "MASKA210R",
            "SHORT",
        )
    else:
        det, pupil, filt, sub, msk, chan = (
            "NRCALONG",
            "MASKBAR",
            _pick(rng, ["F444W", "F460M"]),
            "SUB320ALWB",
            "MASKALWB",
            "LONG",
        )
    obs.activities.append(
        _ta(
            "NIRCAM",
            "NRC_TACQ",
            det,
            "SUBNDA335R",
            "RAPID",
            FILTER="F335M",
            PUPIL="CLEAR",
            CHANNEL=chan,
        )
    )
    arm = Arm((det,), {"FILTER": filt, "PUPIL": pupil, "CHANNEL": chan})
    for _roll in range(int(rng.integers(1, 3))):
        obs.activities.append(
            Activity(
                [arm],
                sub,
                _pick(rng, ["MEDIUM8", "DEEP8", "BRIGHT2"]),
                int(rng.integers(3, 11)),
                int(rng.integers(5, 60)),
                _dithers(rng, int(_pick(rng, [1, 1, 5, 9])), 0.015),
                "5-POINT-SMALL-GRID",
                keys={"CORONMSK": msk},
            )
        )
    return obs


def _nircam_tso(rng, grism: bool) -> Observation:
    obs = _obs(
        rng,
        "nircam_tsgrism" if grism else "nircam_tsimage",
        "NIRCAM",
        kind="tso",
        tso=True,
        srctyapt="POINT",
    )
    obs.activities.append(
        _ta(
            "NIRCAM",
            "NRC_TACQ",
            "NRCALONG",
            "SUB32TATSGRISM" if grism else "SUB32TATS",
            "RAPID",
            FILTER="F335M",
            PUPIL="CLEAR",
            CHANNEL="LONG",
        )
    )
    nints = int(rng.integers(200, 6000))
    read = _pick(rng, ["RAPID", "BRIGHT1", "BRIGHT2"])
    if grism:
        sub = _pick(rng, ["SUBGRISM64", "SUBGRISM128", "SUBGRISM256"])
        lw = Arm(
            ("NRCALONG",),
            {
                "FILTER": _pick(rng, ["F322W2", "F444W"]),
                "PUPIL": "GRISMR",
                "CHANNEL": "LONG",
                "EXP_TYPE": "NRC_TSGRISM",
            },
        )
        sw = Arm(
            ("NRCA1", "NRCA3"),
            {
                "FILTER": _pick(rng, ["F210M", "F182M"]),
                "PUPIL": "WLP8",
                "CHANNEL": "SHORT",
                "EXP_TYPE": "NRC_TSIMAGE",
            },
        )
        arms = [lw, sw] if rng.random() < 0.6 else [lw]
    else:
        sub = _pick(rng, ["SUB64P", "SUB160P", "SUB400P"])
        arms = [
            Arm(
                ("NRCA3",),
                {
                    "FILTER": _pick(rng, ["F210M", "F187N"]),
                    "PUPIL": "WLP8",
                    "CHANNEL": "SHORT",
                    "EXP_TYPE": "NRC_TSIMAGE",
                },
            ),
            Arm(
                ("NRCALONG",),
                {
                    "FILTER": _pick(rng, ["F444W", "F356W"]),
                    "PUPIL": "CLEAR",
                    "CHANNEL": "LONG",
                    "EXP_TYPE": "NRC_TSIMAGE",
                },
            ),
        ]
    obs.activities.append(
        Activity(arms, sub, read, int(rng.integers(2, 20)), nints, [(0.0, 0.0)], "NONE")
    )
    return obs


def _nircam_wfsc(rng) -> Observation:
    obs = _obs(
        rng,
        "nircam_wfsc",
        "NIRCAM",
        visitype=_pick(
            rng, ["PRIME_WFSC_SENSING_ONLY", "PRIME_WFSC_ROUTINE", "PRIME_WFSC_SENSING_CONTROL"]
        ),
    )
    obs.activities.append(
        _ta(
            "NIRCAM",
            "NRC_IMAGE",
            "NRCA3",
            "SUB8FP1A",
            "RAPID",
            FILTER="F212N",
            PUPIL="CLEAR",
            CHANNEL="SHORT",
        )
    )
    dets = NIRCAM_SW["A"] if rng.random() < 0.6 else NIRCAM_SW["A"] + NIRCAM_SW["B"]
    for pupil in ["WLP8", "WLM8"]:
        arm = Arm(dets, {"FILTER": "F212N", "PUPIL": pupil, "CHANNEL": "SHORT"})
        obs.activities.append(
            Activity([arm], "FULL", "RAPID", int(rng.integers(3, 10)), 1, [(0.0, 0.0)], "WFSC")
        )
    return obs
