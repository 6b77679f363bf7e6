"""Shared tables and helpers of the observation templates (private)."""

from __future__ import annotations

import numpy as np

from spacekit.datasets.jwst.plan import Activity, Arm, Observation

__all__: list[str] = []

INSTRUMENTS = ("NIRCAM", "NIRISS", "MIRI", "NIRSPEC", "FGS")

NRC_SW = [
    ("F070W", "CLEAR"),
    ("F090W", "CLEAR"),
    ("F115W", "CLEAR"),
    ("F150W", "CLEAR"),
    ("F200W", "CLEAR"),
    ("F182M", "CLEAR"),
    ("F187N", "CLEAR"),
    ("F210M", "CLEAR"),
    ("F212N", "CLEAR"),
    ("F150W2", "F162M"),
    ("F150W2", "F164N"),
    ("F140M", "CLEAR"),
]
NRC_LW = [
    ("F277W", "CLEAR"),
    ("F356W", "CLEAR"),
    ("F444W", "CLEAR"),
    ("F250M", "CLEAR"),
    ("F300M", "CLEAR"),
    ("F335M", "CLEAR"),
    ("F360M", "CLEAR"),
    ("F410M", "CLEAR"),
    ("F430M", "CLEAR"),
    ("F460M", "CLEAR"),
    ("F480M", "CLEAR"),
    ("F444W", "F405N"),
    ("F444W", "F466N"),
    ("F444W", "F470N"),
    ("F322W2", "F323N"),
]
NRC_READ = [
    "RAPID",
    "BRIGHT1",
    "BRIGHT2",
    "SHALLOW2",
    "SHALLOW4",
    "MEDIUM2",
    "MEDIUM8",
    "DEEP2",
    "DEEP8",
]
NIS_SW = ["F090W", "F115W", "F150W", "F200W", "F140M", "F158M"]
NIS_LW = ["F277W", "F356W", "F380M", "F430M", "F444W", "F480M"]
MIRI_FILTERS = [
    "F560W",
    "F770W",
    "F1000W",
    "F1130W",
    "F1280W",
    "F1500W",
    "F1800W",
    "F2100W",
    "F2550W",
]
NRS_SETUPS = [
    ("G140M", "F070LP"),
    ("G140M", "F100LP"),
    ("G235M", "F170LP"),
    ("G395M", "F290LP"),
    ("G140H", "F070LP"),
    ("G140H", "F100LP"),
    ("G235H", "F170LP"),
    ("G395H", "F290LP"),
    ("PRISM", "CLEAR"),
]
FIXED_NAMES = ["NGC {}", "HD {}", "M{}", "GJ {}", "IC {}", "ABELL {}", "SDSS J{}", "2MASS J{}"]
TSO_NAMES = ["WASP-{}", "HAT-P-{}", "TOI-{}", "KELT-{}", "TRAPPIST-{}", "GJ {}"]
MOVING_NAMES = [
    "JUPITER",
    "SATURN",
    "URANUS",
    "NEPTUNE",
    "ENCELADUS",
    "TITAN",
    "EUROPA",
    "2004 MN4",
    "2019 LD2",
    "1999 RQ36",
    "CHARIKLO",
    "ARROKOTH",
]


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def _target(rng: np.random.Generator, kind: str = "fixed") -> tuple[str, float, float]:
    ra = float(rng.uniform(0.0, 360.0))
    dec = float(np.degrees(np.arcsin(rng.uniform(-0.98, 0.98))))
    if kind == "tso":
        name = _pick(rng, TSO_NAMES).format(int(rng.integers(1, 300)))
    elif kind == "moving":
        name = _pick(rng, MOVING_NAMES)
        dec = float(rng.uniform(-25.0, 25.0))
    else:
        pattern = _pick(rng, FIXED_NAMES)
        if "J{}" in pattern:
            name = pattern.format(f"{ra / 15:07.4f}{dec:+07.3f}".replace(".", ""))
        else:
            name = pattern.format(int(rng.integers(1, 9999)))
    return name, round(ra, 7), round(dec, 7)


def _dithers(rng: np.random.Generator, n: int, step: float) -> list[tuple[float, float]]:
    """Dither offsets (arcsec): a centred grid with sub-pixel jitter."""
    k = int(np.ceil(np.sqrt(n)))
    pts = []
    for i in range(n):
        x = (i % k - (k - 1) / 2) * step + rng.normal(0.0, 0.02 * step + 0.01)
        y = (i // k - (k - 1) / 2) * step + rng.normal(0.0, 0.02 * step + 0.01)
        pts.append((round(float(x), 4), round(float(y), 4)))
    return pts


def _tiles(rng: np.random.Generator, prob: float, step: float, max_x: int, max_y: int):
    if rng.random() >= prob:
        return [(0.0, 0.0)]
    nx, ny = int(rng.integers(1, max_x + 1)), int(rng.integers(1, max_y + 1))
    if nx * ny == 1:
        nx = 2
    return [
        ((i - (nx - 1) / 2) * step, (j - (ny - 1) / 2) * step) for j in range(ny) for i in range(nx)
    ]


def _obs(rng, template, instrument, *, kind="fixed", visitype="PRIME_TARGETED_FIXED", **kw):
    name, ra, dec = _target(rng, kind)
    rate = None
    if kind == "moving":
        visitype = "PRIME_TARGETED_MOVING"
        rate = (float(rng.uniform(-60, 60)), float(rng.uniform(-30, 30)))
        kw.setdefault("targtype", "MOVING")
    return Observation(
        template=template,
        instrument=instrument,
        visitype=visitype,
        targname=name,
        ra=ra,
        dec=dec,
        pa=float(rng.uniform(0, 360)),
        tiles=kw.pop("tiles", [(0.0, 0.0)]),
        activities=[],
        rate=rate,
        **kw,
    )


def _ta(instrument, exp_type, det, subarray, readpatt, **keys) -> Activity:
    arm = Arm((det,), {"EXP_TYPE": exp_type, **keys})
    return Activity([arm], subarray, readpatt, 3, 1, [(0.0, 0.0)], "NONE", is_ta=True)
