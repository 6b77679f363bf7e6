"""Visit plans and sky scenes for the SVM simulator: detectors, filters, sources, images.

A *visit* is one single-visit mosaic: an instrument/detector, a target, 1-4 filters with
1-4 exposures each, all taken at one pointing and one roll angle (ORIENTAT). Its *scene*
is a list of true sources (stars and galaxies) in the detector frame, a ``size`` x ``size``
grid at the drizzled pixel scale. :func:`render_scene` draws the noiseless scene,
:func:`expose` turns it into one exposure (sky, Poisson and read noise), and the total
product is the co-add of the exposures on a north-up grid (:func:`canvas_size`,
:func:`to_canvas`), as drizzlepac writes SVM products: the detector footprint appears
rotated by ORIENTAT, with zeros around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "DETECTORS",
    "CATEGORIES",
    "Detector",
    "Exposure",
    "Visit",
    "plan_visit",
    "render_scene",
    "expose",
    "canvas_size",
    "to_canvas",
    "offset_weights",
    "flux",
    "gaia_mask",
    "gaia_mag",
]


@dataclass(frozen=True)
class Detector:
    """Static facts of one HST imaging detector as used by the simulator."""

    key: str  # "wfc3_ir"
    instrument: str  # "WFC3"
    detector: str  # "IR"
    letter: str  # ipppssoot instrument letter
    scale: float  # drizzled pixel scale, arcsec / pixel
    fwhm: float  # PSF FWHM in drizzled pixels
    sky: float  # sky background, e-/s/pixel
    zeropoint: float  # AB magnitude of 1 e-/s
    filters: tuple[str, ...]  # filter names as the SVM file names spell them


DETECTORS: dict[str, Detector] = {
    d.key: d
    for d in (
        Detector(
            "wfc3_ir",
            "WFC3",
            "IR",
            "i",
            0.128,
            1.6,
            1.2,
            26.2,
            ("f105w", "f110w", "f125w", "f140w", "f160w"),
        ),
        Detector(
            "wfc3_uvis",
            "WFC3",
            "UVIS",
            "i",
            0.04,
            2.0,
            0.05,
            25.9,
            ("f225w", "f275w", "f336w", "f438w", "f475w", "f555w", "f606w", "f814w"),
        ),
        Detector(
            "acs_wfc",
            "ACS",
            "WFC",
            "j",
            0.05,
            2.0,
            0.08,
            25.9,
            (
                "f435w_clear2l",
                "f475w_clear2l",
                "f606w_clear2l",
                "f625w_clear2l",
                "clear1l_f814w",
                "f658n_clear2l",
                "f850lp_clear2l",
            ),
        ),
        Detector(
            "acs_hrc",
            "ACS",
            "HRC",
            "j",
            0.025,
            2.4,
            0.02,
            24.9,
            ("clear1s_f250w", "clear1s_f330w", "clear1s_f435w", "clear1s_f606w", "clear1s_f814w"),
        ),
        Detector(
            "acs_sbc",
            "ACS",
            "SBC",
            "j",
            0.025,
            2.8,
            0.005,
            23.5,
            ("f115lp", "f122m", "f125lp", "f140lp", "f150lp", "f165lp"),
        ),
    )
}

#: MAST target classifications (text before the first ";") with sampling weights and
#: example target names. spacekit encodes them as C, SS, I, U, SC, S, GC, G.
CATEGORIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "GALAXY": (0.34, ("NGC-4258", "M31-HALO", "UGC-2885", "NGC-1300", "ESO-137-G001")),
    "STELLAR CLUSTER": (0.16, ("NGC-6397", "47TUC", "OMEGA-CEN", "M4", "NGC-2419")),
    "STAR": (0.14, ("HD-165459", "BD+17D4708", "V-AR-PUP", "GJ-1214", "HIP-10138")),
    "ISM": (0.1, ("ORION-NEBULA", "NGC-2070", "M16-PILLARS", "CRAB-NEBULA")),
    "CLUSTER OF GALAXIES": (0.07, ("ABELL-2744", "MACS-J0416.1-2403", "ABELL-370")),
    "CALIBRATION": (0.09, ("GD-153", "GRW+70D5824", "NGC-6791-CAL", "OMEGACEN-CAL")),
    "UNIDENTIFIED": (0.06, ("ANY", "PARALLEL-FIELD", "DARK-SKY")),
    "SOLAR SYSTEM": (0.04, ("JUPITER", "SATURN-RINGS", "COMET-67P", "2014-MU69")),
}

# Stars / galaxies per 256 x 256 field for each category (low, high).
_DENSITY = {
    "GALAXY": ((15, 45), (25, 60)),
    "STELLAR CLUSTER": ((180, 420), (3, 12)),
    "STAR": ((20, 60), (5, 20)),
    "ISM": ((50, 140), (3, 12)),
    "CLUSTER OF GALAXIES": ((10, 30), (50, 90)),
    "CALIBRATION": ((30, 90), (5, 15)),
    "UNIDENTIFIED": ((10, 35), (15, 40)),
    "SOLAR SYSTEM": ((5, 20), (2, 8)),
}


@dataclass
class Exposure:
    """One input exposure of a visit."""

    rootname: str  # 9-character ipppssoot, e.g. "ibl738abq"
    filter: str
    exptime: float
    shift: tuple[float, float] = (0.0, 0.0)  # north-up pixel offset (dx, dy) after corruption
    dcrval: tuple[float, float] = (0.0, 0.0)  # corruption of the header CRVAL1/2 (degrees)


@dataclass
class Visit:
    """A planned visit: names, pointing, exposures and its sky scene."""

    det: Detector
    proposal: int
    visit: str  # 2 characters
    ipppss: str  # 6 characters
    category: str
    targname: str
    ra: float
    dec: float
    size: int
    exposures: list[Exposure]
    stars: np.ndarray  # structured: x, y, mag
    galaxies: np.ndarray  # structured: x, y, mag, re, q, theta
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Total-product base name, e.g. ``hst_12286_38_wfc3_ir_total_ibl738``."""
        d = self.det
        return (
            f"hst_{self.proposal}_{self.visit}_{d.instrument.lower()}_{d.detector.lower()}"
            f"_total_{self.ipppss}"
        )

    @property
    def filters(self) -> list[str]:
        """Filters in exposure order, without repeats."""
        return list(dict.fromkeys(e.filter for e in self.exposures))


_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz"


def _code(rng: np.random.Generator, n: int, alphabet: str = _ALNUM) -> str:
    return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), n))


def plan_visit(
    rng: np.random.Generator,
    det_key: str,
    size: int,
    *,
    min_filters: int = 1,
    min_exposures: int = 1,
    category: str | None = None,
) -> Visit:
    """Draw one visit: names, target, filters, exposures and a source list."""
    det = DETECTORS[det_key]
    proposal = int(rng.integers(9000, 17500))
    visit = f"{rng.integers(1, 100):02d}" if rng.random() < 0.75 else _code(rng, 2)
    ppp = _code(rng, 1, "456789abcdef") + _code(rng, 2)
    ipppss = f"{det.letter}{ppp}{visit}"

    names = list(CATEGORIES)
    weights = np.array([CATEGORIES[c][0] for c in names])
    drawn = names[rng.choice(len(names), p=weights / weights.sum())]
    category = category if category is not None else drawn
    targname = CATEGORIES[category][1][rng.integers(len(CATEGORIES[category][1]))]
    ra = float(rng.uniform(0, 360))
    dec = float(np.degrees(np.arcsin(rng.uniform(-0.95, 0.95))))

    n_filters = max(min_filters, int(rng.choice([1, 2, 3, 4], p=[0.35, 0.35, 0.2, 0.1])))
    n_filters = min(n_filters, len(det.filters))
    filters = [det.filters[i] for i in sorted(rng.choice(len(det.filters), n_filters, False))]
    exposures: list[Exposure] = []
    for f in filters:
        n_exp = max(min_exposures, int(rng.choice([1, 2, 3, 4], p=[0.15, 0.4, 0.25, 0.2])))
        exptime = float(np.round(rng.uniform(100, 1400), 1))
        for _ in range(n_exp):
            obs = _code(rng, 2)
            rootname = f"{ipppss}{obs}q"
            exposures.append(Exposure(rootname, f, exptime))

    area = (size / 256.0) ** 2
    (s_lo, s_hi), (g_lo, g_hi) = _DENSITY[category]
    n_stars = max(3, int(1.5 * rng.integers(s_lo, s_hi + 1) * area))
    n_gal = max(1, int(rng.integers(g_lo, g_hi + 1) * area))
    margin = 4.0
    # Number counts rising ~0.2 dex per magnitude, as for faint stars in most fields.
    u = rng.random(n_stars)
    mag_bright, mag_faint = det.zeropoint - 9.0, det.zeropoint + 1.0
    k = 0.2 * np.log(10)
    mags = np.log(np.exp(k * mag_bright) + u * (np.exp(k * mag_faint) - np.exp(k * mag_bright)))
    stars = np.zeros(n_stars, dtype=[("x", "f8"), ("y", "f8"), ("mag", "f8")])
    stars["x"] = rng.uniform(margin, size - 1 - margin, n_stars)
    stars["y"] = rng.uniform(margin, size - 1 - margin, n_stars)
    stars["mag"] = mags / k
    if category == "STELLAR CLUSTER":  # concentrate towards the centre
        r = np.abs(rng.normal(0, size / 4, n_stars))
        t = rng.uniform(0, 2 * np.pi, n_stars)
        stars["x"] = np.clip(size / 2 + r * np.cos(t), margin, size - 1 - margin)
        stars["y"] = np.clip(size / 2 + r * np.sin(t), margin, size - 1 - margin)

    gal_dtype = [
        ("x", "f8"),
        ("y", "f8"),
        ("mag", "f8"),
        ("re", "f8"),
        ("q", "f8"),
        ("theta", "f8"),
    ]
    galaxies = np.zeros(n_gal, dtype=gal_dtype)
    galaxies["x"] = rng.uniform(margin, size - 1 - margin, n_gal)
    galaxies["y"] = rng.uniform(margin, size - 1 - margin, n_gal)
    galaxies["mag"] = rng.uniform(det.zeropoint - 6.0, det.zeropoint + 0.5, n_gal)
    galaxies["re"] = np.exp(rng.uniform(np.log(1.5), np.log(6.0), n_gal)) * det.fwhm / 2
    galaxies["q"] = rng.uniform(0.3, 1.0, n_gal)
    galaxies["theta"] = rng.uniform(0, np.pi, n_gal)
    if category == "GALAXY":  # one big target galaxy near the centre
        galaxies[0] = (
            size / 2 + rng.normal(0, 5),
            size / 2 + rng.normal(0, 5),
            det.zeropoint - 9.0,
            size / 10,
            rng.uniform(0.4, 0.9),
            rng.uniform(0, np.pi),
        )
    return Visit(
        det, proposal, visit, ipppss, category, targname, ra, dec, size, exposures, stars, galaxies
    )


def gaia_mask(visit: Visit) -> np.ndarray:
    """Stars bright enough to be in the Gaia reference catalog (about G < 21)."""
    return visit.stars["mag"] < visit.det.zeropoint - 3.0


def gaia_mag(visit: Visit) -> np.ndarray:
    """Approximate Gaia G magnitudes of the stars."""
    return visit.stars["mag"] - visit.det.zeropoint + 24.0


def flux(mag: np.ndarray, zeropoint: float) -> np.ndarray:
    """Count rate (e-/s) of an AB magnitude."""
    return 10.0 ** (-0.4 * (np.asarray(mag) - zeropoint))


def _add_stars(img: np.ndarray, x, y, f, sigma: float) -> None:
    rad = int(np.ceil(5 * sigma)) + 1
    n = img.shape[0]
    offs = np.arange(-rad, rad + 1)
    for xi, yi, fi in zip(x, y, f, strict=True):
        cx, cy = int(round(xi)), int(round(yi))
        xs, ys = cx + offs, cy + offs
        okx, oky = (xs >= 0) & (xs < n), (ys >= 0) & (ys < n)
        if not okx.any() or not oky.any():
            continue
        gx = np.exp(-0.5 * ((xs[okx] - xi) / sigma) ** 2)
        gy = np.exp(-0.5 * ((ys[oky] - yi) / sigma) ** 2)
        # Gaussian core normalised to the total flux fi.
        core = np.outer(gy, gx) / (2 * np.pi * sigma**2)
        img[ys[oky][0] : ys[oky][-1] + 1, xs[okx][0] : xs[okx][-1] + 1] += fi * core


def _add_galaxies(img: np.ndarray, gals: np.ndarray, dx: float, dy: float, zp: float) -> None:
    n = img.shape[0]
    for g in gals:
        rad = int(min(5 * g["re"], n / 2)) + 2
        cx, cy = g["x"] + dx, g["y"] + dy
        x0, x1 = max(0, int(cx) - rad), min(n, int(cx) + rad + 1)
        y0, y1 = max(0, int(cy) - rad), min(n, int(cy) + rad + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        c, s = np.cos(g["theta"]), np.sin(g["theta"])
        u = (xx - cx) * c + (yy - cy) * s
        v = (-(xx - cx) * s + (yy - cy) * c) / g["q"]
        r = np.hypot(u, v)
        # Exponential disk with a scale length re / 1.68 (Sersic n=1), flux-normalised.
        h = g["re"] / 1.678
        prof = np.exp(-r / h) / (2 * np.pi * h * h * g["q"])
        img[y0:y1, x0:x1] += flux(g["mag"], zp) * prof


def canvas_size(visit: Visit) -> int:
    """Side of the north-up product grid that holds the rotated detector footprint."""
    pa = np.radians(visit.extra.get("orientat", 0.0))
    return int(np.ceil(visit.size * (abs(np.cos(pa)) + abs(np.sin(pa))) - 1e-6))


def to_canvas(visit: Visit, x, y) -> tuple[np.ndarray, np.ndarray]:
    """North-up product pixel coordinates of detector-frame pixel coordinates.

    The detector's +y axis points ORIENTAT degrees east of north, so a detector offset
    ``(a, b)`` from the centre lands at ``(a cos - b sin, a sin + b cos)`` from the centre
    of the product grid (east is to the left in both).
    """
    pa = np.radians(visit.extra.get("orientat", 0.0))
    c, s = np.cos(pa), np.sin(pa)
    half_in = (visit.size - 1) / 2.0
    half_out = (canvas_size(visit) - 1) / 2.0
    a = np.asarray(x, dtype=float) - half_in
    b = np.asarray(y, dtype=float) - half_in
    return half_out + a * c - b * s, half_out + a * s + b * c


def render_scene(visit: Visit) -> np.ndarray:
    """The noiseless scene in the detector frame (float64, e-/s per pixel, no sky)."""
    det = visit.det
    img = np.zeros((visit.size, visit.size), dtype=np.float64)
    f_star = flux(visit.stars["mag"], det.zeropoint)
    _add_stars(img, visit.stars["x"], visit.stars["y"], f_star, det.fwhm / 2.3548)
    _add_galaxies(img, visit.galaxies, 0.0, 0.0, det.zeropoint)
    return img


def expose(visit: Visit, scene: np.ndarray, exposure: Exposure, rng: np.random.Generator):
    """One exposure of the scene: (electrons, error) arrays with sky, shot and read noise.

    Read noise is 3 e- per pixel; no cosmic rays, no dark current.
    """
    t = float(exposure.exptime)
    expected = (np.clip(scene, 0, None) + visit.det.sky) * t
    var = expected + 9.0
    electrons = expected + rng.standard_normal(scene.shape) * np.sqrt(var)
    return electrons.astype(np.float32), np.sqrt(var).astype(np.float32)


def offset_weights(visit: Visit) -> list[tuple[float, float, float]]:
    """Distinct exposure offsets as ``(dx, dy, weight)``, weights summing to one.

    Offsets are rounded to 0.001 pixel and listed in exposure order; the weight of an
    offset is the exposure-time fraction of the exposures that landed there.
    """
    seconds: dict[tuple[float, float], float] = {}
    for e in visit.exposures:
        key = (round(e.shift[0], 3), round(e.shift[1], 3))
        seconds[key] = seconds.get(key, 0.0) + e.exptime
    total = sum(seconds.values())
    return [(dx, dy, t / total) for (dx, dy), t in seconds.items()]
