"""Data classes describing a simulated JWST observation before it becomes exposures.

An :class:`Observation` is what one APT observation template asks for: a target, a visit
type, mosaic tiles (one visit each) and a list of :class:`Activity` (one filter / grating /
band setting, or a target acquisition, or a coordinated-parallel sequence). Each activity
is read out on one or more :class:`Arm` (a set of detectors sharing header values, e.g. the
NIRCam short- and long-wavelength channels) at every dither position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Arm", "Activity", "Observation"]


@dataclass
class Arm:
    """Detectors read out together with the same optical-element keywords.

    Attributes
    ----------
    detectors : tuple of str
        DETECTOR values, e.g. ``("NRCA1", "NRCA2", "NRCA3", "NRCA4")``.
    keys : dict
        Header values of this arm (FILTER, PUPIL, CHANNEL, BAND, GRATING, EXP_TYPE...).
    """

    detectors: tuple[str, ...]
    keys: dict[str, Any]


@dataclass
class Activity:
    """One exposure specification repeated at every dither position.

    Attributes
    ----------
    arms : list of Arm
        What is read out.
    subarray : str
        SUBARRAY name (sizes from :data:`spacekit.datasets.jwst.instruments.SUBARRAYS`).
    readpatt, ngroups, nints : str, int, int
        Readout pattern and ramp shape.
    dithers : list of (float, float)
        Offsets (arcsec, aperture frame) of the dither positions.
    patttype : str
        PATTTYPE of the dither pattern.
    seq : int, default=1
        SEQ_ID (1 prime, 2 coordinated parallel).
    instrument : str or None
        INSTRUME when it differs from the observation's (coordinated parallels).
    field_offset : (float, float)
        Offset (arcsec) of this instrument's field from the prime pointing.
    keys : dict
        Extra header values (IS_IMPRT, CORONMSK, EXPRIPAR...).
    """

    arms: list[Arm]
    subarray: str
    readpatt: str
    ngroups: int
    nints: int
    dithers: list[tuple[float, float]]
    patttype: str = "NONE"
    seq: int = 1
    instrument: str | None = None
    field_offset: tuple[float, float] = (0.0, 0.0)
    keys: dict[str, Any] = field(default_factory=dict)
    is_ta: bool = False

    def n_files(self) -> int:
        """Number of detector files this activity writes per visit."""
        return len(self.dithers) * sum(len(arm.detectors) for arm in self.arms)


@dataclass
class Observation:
    """One simulated observation (see the module docstring).

    Attributes
    ----------
    template : str
        Name of the template that made it (e.g. ``"nircam_imaging"``).
    instrument : str
        Prime INSTRUME.
    visitype : str
        VISITYPE of all its visits.
    targname : str or None
        TARGNAME (None: keyword absent, e.g. pure parallels).
    ra, dec : float
        Target coordinates (degrees) at the start of the observation.
    pa : float
        Aperture position angle (degrees) used to rotate offsets onto the sky.
    tiles : list of (float, float)
        Mosaic tile offsets (arcsec); one visit per tile.
    activities : list of Activity
        Exposure specifications, in execution order.
    tso, bkgdtarg, crowdfld : bool
        TSOVISIT, BKGDTARG and CROWDFLD.
    rate : (float, float) or None
        Motion of a moving target (arcsec/hour in RA*cos(dec) and Dec).
    n_sources : int
        Sources extracted by source-based spectroscopy (memory model input).
    srctyapt : str
        SRCTYAPT (POINT, EXTENDED, UNKNOWN).
    """

    template: str
    instrument: str
    visitype: str
    targname: str | None
    ra: float
    dec: float
    pa: float
    tiles: list[tuple[float, float]]
    activities: list[Activity]
    tso: bool = False
    bkgdtarg: bool = False
    crowdfld: bool = False
    rate: tuple[float, float] | None = None
    n_sources: int = 1
    srctyapt: str = "POINT"
    targtype: str = "FIXED"

    def n_files(self) -> int:
        """Number of Level-1 files this observation writes."""
        return len(self.tiles) * sum(act.n_files() for act in self.activities)

    def trim(self, limit: int, exact: bool = False) -> None:
        """Shrink the observation (tiles, then activities, then dithers) to ``limit`` files.

        With ``exact=True`` it also reads out fewer detectors (as subarray observations
        do), drops extra arms and then the target acquisition, until it writes exactly
        ``limit`` files (at least 1), or as close above as one file per science activity
        allows.
        """
        while self.n_files() > limit and len(self.tiles) > 1:
            self.tiles.pop()
        science = [a for a in self.activities if not a.is_ta]
        while self.n_files() > limit and len(science) > 1:
            self.activities.remove(science.pop())
        for act in sorted(self.activities, key=lambda a: -len(a.dithers)):
            while self.n_files() > limit and len(act.dithers) > 1:
                act.dithers.pop()
        if not exact:
            return
        for act in self.activities:
            for arm in sorted(act.arms, key=lambda a: -len(a.detectors)):
                while self.n_files() > limit and len(arm.detectors) > 1:
                    arm.detectors = arm.detectors[:-1]
            while self.n_files() > limit and len(act.arms) > 1:
                act.arms.pop()
        for act in [a for a in self.activities if a.is_ta]:
            if self.n_files() > limit and len(self.activities) > 1:
                self.activities.remove(act)
