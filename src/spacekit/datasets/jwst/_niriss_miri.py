"""NIRISS and MIRI observation templates."""

from __future__ import annotations

from spacekit.datasets.jwst._tools import (
    MIRI_FILTERS,
    NIS_LW,
    NIS_SW,
    _dithers,
    _obs,
    _pick,
    _ta,
    _tiles,
)
from spacekit.datasets.jwst.plan import Activity, Arm, Observation

__all__: list[str] = []


def _niriss_imaging(rng) -> Observation:
    obs = _obs(rng, "niriss_imaging", "NIRISS", tiles=_tiles(rng, 0.2, 120.0, 3, 3))
    dith = _dithers(rng, int(_pick(rng, [1, 2, 4, 4, 9])), 4.0)
    for _ in range(int(rng.integers(1, 4))):
        if rng.random() < 0.5:
            keys = {"FILTER": "CLEAR", "PUPIL": _pick(rng, NIS_SW)}
        else:
            keys = {"FILTER": _pick(rng, NIS_LW), "PUPIL": "CLEARP"}
        obs.activities.append(
            Activity(
                [Arm(("NIS",), keys)],
                "FULL",
                "NIS",
                int(rng.integers(5, 30)),
                1,
                list(dith),
                "IMAGING",
            )
        )
    return obs


def _niriss_wfss(rng) -> Observation:
    pure = rng.random() < 0.3
    obs = _obs(
        rng,
        "niriss_wfss",
        "NIRISS",
        visitype="PARALLEL_PURE" if pure else "PRIME_TARGETED_FIXED",
        n_sources=int(rng.integers(30, 1500)),
        srctyapt="EXTENDED",
    )
    if pure:
        obs.targname = None
    dith = _dithers(rng, int(_pick(rng, [1, 2, 3, 4])), 3.0)
    for _ in range(int(rng.integers(1, 4))):
        blocking = _pick(rng, NIS_SW)
        for grism in _pick(rng, [["GR150R"], ["GR150C"], ["GR150R", "GR150C"]]):
            obs.activities.append(
                Activity(
                    [Arm(("NIS",), {"FILTER": grism, "PUPIL": blocking, "EXP_TYPE": "NIS_WFSS"})],
                    "FULL",
                    "NIS",
                    int(rng.integers(8, 25)),
                    1,
                    list(dith),
                    "WFSS",
                )
            )
        obs.activities.append(
            Activity(
                [Arm(("NIS",), {"FILTER": "CLEAR", "PUPIL": blocking, "EXP_TYPE": "NIS_IMAGE"})],
                "FULL",
                "NIS",
                int(rng.integers(5, 15)),
                1,
                list(dith[:2]),
                "WFSS",
            )
        )
    return obs


def _niriss_tso(rng, ami: bool) -> Observation:
    obs = _obs(
        rng,
        "niriss_ami" if ami else "niriss_soss",
        "NIRISS",
        kind="tso",
        tso=not ami,
        srctyapt="POINT",
    )
    if ami:
        obs.activities.append(
            _ta("NIRISS", "NIS_TACQ", "NIS", "SUBTAAMI", "NISRAPID", FILTER="F480M", PUPIL="NRM")
        )
        arm = Arm(
            ("NIS",),
            {
                "FILTER": _pick(rng, ["F380M", "F430M", "F480M"]),
                "PUPIL": "NRM",
                "EXP_TYPE": "NIS_AMI",
            },
        )
        sub, nints = _pick(rng, ["SUB80", "SUB80", "FULL"]), int(rng.integers(20, 400))
        obs.targname = obs.targname.replace("WASP", "HD")
    else:
        obs.activities.append(
            _ta(
                "NIRISS", "NIS_TACQ", "NIS", "SUBTASOSS", "NISRAPID", FILTER="CLEAR", PUPIL="CLEARP"
            )
        )
        arm = Arm(("NIS",), {"FILTER": "CLEAR", "PUPIL": "GR700XD", "EXP_TYPE": "NIS_SOSS"})
        sub, nints = _pick(rng, ["SUBSTRIP256", "SUBSTRIP96", "FULL"]), int(rng.integers(200, 3000))
    obs.activities.append(
        Activity([arm], sub, "NISRAPID", int(rng.integers(2, 30)), nints, [(0.0, 0.0)], "NONE")
    )
    return obs


def _miri_imaging(rng) -> Observation:
    kind = "moving" if rng.random() < 0.12 else "fixed"
    sub = "FULL" if rng.random() < 0.8 else _pick(rng, ["BRIGHTSKY", "SUB256", "SUB128", "SUB64"])
    obs = _obs(
        rng,
        "miri_imaging",
        "MIRI",
        kind=kind,
        srctyapt="EXTENDED",
        tiles=_tiles(rng, 0.2 if sub == "FULL" else 0.0, 70.0, 5, 4),
    )
    dith = _dithers(rng, int(_pick(rng, [1, 2, 4, 4, 8, 12])), float(_pick(rng, [1.0, 3.0, 8.0])))
    patt = _pick(rng, ["CYCLING", "REULEAUX", "4-POINT-SETS", "SPARSE-CYCLING"])
    for filt in rng.permutation(MIRI_FILTERS)[: int(rng.integers(1, 6))]:
        obs.activities.append(
            Activity(
                [Arm(("MIRIMAGE",), {"FILTER": str(filt)})],
                sub,
                _pick(rng, ["FASTR1", "FASTR1", "SLOWR1"]),
                int(rng.integers(5, 100)),
                int(rng.integers(1, 4)),
                list(dith),
                patt,
            )
        )
    return obs


def _miri_mrs(rng, background: bool = False) -> Observation:
    obs = _obs(
        rng,
        "miri_mrs",
        "MIRI",
        kind="moving" if rng.random() < 0.08 else "fixed",
        tiles=_tiles(rng, 0.15, 3.0, 3, 3),
        bkgdtarg=background,
        srctyapt=_pick(rng, ["POINT", "EXTENDED"]),
    )
    dith = _dithers(rng, int(_pick(rng, [2, 4, 4, 8])), 0.6)
    for band in _pick(
        rng,
        [["SHORT", "MEDIUM", "LONG"], ["SHORT"], ["MEDIUM", "LONG"], ["SHORT", "MEDIUM", "LONG"]],
    ):
        arms = [
            Arm(("MIRIFUSHORT",), {"CHANNEL": "12", "BAND": band}),
            Arm(("MIRIFULONG",), {"CHANNEL": "34", "BAND": band}),
        ]
        obs.activities.append(
            Activity(
                arms,
                "FULL",
                _pick(rng, ["FASTR1", "SLOWR1"]),
                int(rng.integers(10, 80)),
                int(rng.integers(1, 3)),
                list(dith),
                "4-POINT",
            )
        )
    return obs


def _miri_lrs(rng, tso: bool) -> Observation:
    obs = _obs(
        rng, "miri_lrs_tso" if tso else "miri_lrs", "MIRI", kind="tso" if tso else "fixed", tso=tso
    )
    obs.activities.append(
        _ta("MIRI", "MIR_TACQ", "MIRIMAGE", "SUB64" if tso else "FULL", "FASTR1", FILTER="F560W")
    )
    arm = Arm(("MIRIMAGE",), {"FILTER": "P750L"})
    if tso:
        act = Activity(
            [arm],
            "SLITLESSPRISM",
            "FASTR1",
            int(rng.integers(5, 100)),
            int(rng.integers(500, 8000)),
            [(0.0, 0.0)],
            "NONE",
        )
    else:
        act = Activity(
            [arm],
            "FULL",
            "FASTR1",
            int(rng.integers(10, 100)),
            int(rng.integers(1, 4)),
            [(0.0, -1.1), (0.0, 1.1)],
            "ALONG-SLIT-NOD",
        )
    obs.activities.append(act)
    return obs


def _miri_coron(rng) -> Observation:
    obs = _obs(rng, "miri_coron", "MIRI", srctyapt="POINT")
    filt = _pick(rng, ["F1065C", "F1140C", "F1550C", "F2300C"])
    sub = {"F1065C": "MASK1065", "F1140C": "MASK1140", "F1550C": "MASK1550"}.get(filt, "MASKLYOT")
    msk = {"MASKLYOT": "LYOT_2300"}.get(sub, "4QPM_" + filt[1:5])
    obs.activities.append(_ta("MIRI", "MIR_TACQ", "MIRIMAGE", sub, "FASTR1", FILTER="FND"))
    arm = Arm(
        ("MIRIMAGE",), {"FILTER": filt, "EXP_TYPE": "MIR_LYOT" if sub == "MASKLYOT" else "MIR_4QPM"}
    )
    for _roll in range(int(rng.integers(1, 3))):
        obs.activities.append(
            Activity(
                [arm],
                sub,
                "FASTR1",
                int(rng.integers(10, 300)),
                int(rng.integers(5, 100)),
                _dithers(rng, int(_pick(rng, [1, 5, 9])), 0.01),
                "5-POINT-SMALL-GRID",
                keys={"CORONMSK": msk},
            )
        )
    return obs
