"""Turn observation templates into programs, visits and Level-1 exposure records.

:func:`plan_programs` draws programs (each a few observations of one template, sometimes
followed by a dedicated background observation) until exactly ``n`` detector files are
planned. :func:`expand_exposures` lays every observation out in time and on the sky and
returns one record (a dict of header values) per ``_uncal.fits`` file.

Pointing model: an observation's target sits at the aperture centre of its prime
instrument. A file's reference position (``RA_REF/DEC_REF`` and ``CRVAL1/CRVAL2``) is the
target position moved by the mosaic tile offset, the dither offset, the instrument field
offset (coordinated parallels) and the detector offset inside the instrument (NIRCam full
frames), all in arcsec in the aperture frame, rotated by the position angle and converted
to RA/Dec with the cos(Dec) factor. Moving targets drift at a constant rate and the
pointing follows them.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from spacekit.datasets.jwst.instruments import (
    DETECTOR_OFFSETS,
    READOUTS,
    SUBARRAYS,
    detector_scale,
    frame_time,
)
from spacekit.datasets.jwst.plan import Activity, Observation
from spacekit.datasets.jwst.templates import (
    APT_TEMPLATE,
    BACKGROUND_TEMPLATES,
    DEFAULT_EXP_TYPE,
    TEMPLATES,
)
from spacekit.exceptions import InputError

__all__ = ["plan_programs", "expand_exposures", "mjd_to_datetime", "NOT_APPLICABLE"]

#: Values of the scraped optical-element keywords an instrument has no mechanism for
#: (the schema's "not applicable" values), so every file carries all 25 keywords of §1.4.
NOT_APPLICABLE = {
    "FILTER": "N/A",
    "PUPIL": "N/A",
    "GRATING": "N/A",
    "FXD_SLIT": "NONE",
    "CHANNEL": "N/A",
    "BAND": "N/A",
}
#: Program ids drawn for simulated programs (one id per program).
PROGRAM_IDS = range(1000, 9999)
MJD0 = dt.datetime(1858, 11, 17, tzinfo=dt.UTC)
_AXES = {
    "NRS1": (2, 1),
    "NRS2": (-2, -1),
    "NIS": (-2, -1),
    "GUIDER1": (-2, 1),
    "GUIDER2": (2, -1),
    "MIRIFULONG": (1, 2),
    "MIRIFUSHORT": (1, 2),
    "MIRIMAGE": (1, 2),
}


def mjd_to_datetime(mjd: float) -> dt.datetime:
    """Convert a Modified Julian Date to an aware UTC datetime.

    Parameters
    ----------
    mjd : float
        Modified Julian Date (days since 1858-11-17 00:00 UTC).

    Returns
    -------
    datetime.datetime
    """
    return MJD0 + dt.timedelta(days=mjd)


def plan_programs(
    rng: np.random.Generator, n: int, templates: list[str]
) -> list[tuple[int, int, Observation]]:
    """Draw programs until exactly ``n`` Level-1 files are planned.

    Whole observations are drawn while fewer than ``n`` files are planned; the one that
    crosses ``n`` is trimmed (:meth:`Observation.trim` with ``exact=True``) to end at ``n``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (the only one used).
    n : int
        Number of files.
    templates : list of str
        Names from :data:`~spacekit.datasets.jwst.templates.TEMPLATES` to draw from.

    Returns
    -------
    list of (program, observation_number, Observation)

    Raises
    ------
    InputError
        If ``n`` files need more programs than there are program ids (``PROGRAM_IDS``).
    """
    weights = np.array([TEMPLATES[t].weight for t in templates], dtype=float)
    weights /= weights.sum()
    used: set[int] = set()
    plans: list[tuple[int, int, Observation]] = []
    total = 0
    while total < n:
        if len(used) == len(PROGRAM_IDS):
            raise InputError(
                f"n={n} is too many files for {len(PROGRAM_IDS)} distinct programs of the "
                f"templates {templates} (they make about {total // len(used)} files per "
                "program); ask for fewer files, more templates, or simulate several folders."
            )
        name = templates[int(rng.choice(len(templates), p=weights))]
        program = int(rng.integers(PROGRAM_IDS.start, PROGRAM_IDS.stop))
        while program in used:
            program = int(rng.integers(PROGRAM_IDS.start, PROGRAM_IDS.stop))
        used.add(program)
        obs_num = int(rng.choice([1, 1, 1, 2, 101]))
        for _ in range(int(rng.integers(1, 4))):
            if total >= n:
                break
            limit = max(4, min(n // 3 + 1, n - total))
            observation = TEMPLATES[name].build(rng)
            observation.trim(limit)
            if total + observation.n_files() > n:
                observation.trim(n - total, exact=True)
            plans.append((program, obs_num, observation))
            total += observation.n_files()
            obs_num += 1
            if name in BACKGROUND_TEMPLATES and total < n and rng.random() < 0.25:
                bkg = BACKGROUND_TEMPLATES[name](rng, background=True)
                bkg.targname = f"{observation.targname}-BKG"
                bkg.ra = round(
                    observation.ra + 0.015 / max(math.cos(math.radians(bkg.dec)), 0.05), 7
                )
                bkg.dec = observation.dec
                bkg.trim(max(2, min(limit, n - total)))
                if total + bkg.n_files() > n:
                    bkg.trim(n - total, exact=True)
                plans.append((program, obs_num, bkg))
                total += bkg.n_files()
                obs_num += 1
    return plans


def _rotate(x: float, y: float, pa: float) -> tuple[float, float]:
    c, s = math.cos(math.radians(pa)), math.sin(math.radians(pa))
    return x * c - y * s, x * s + y * c


def _sky(ra: float, dec: float, dx: float, dy: float) -> tuple[float, float]:
    cosd = max(math.cos(math.radians(dec)), 1e-6)
    return (ra + dx / 3600.0 / cosd) % 360.0, dec + dy / 3600.0


def _detector_offset(act: Activity, instrument: str, det: str) -> tuple[float, float]:
    if instrument != "NIRCAM" or act.subarray != "FULL" or det not in DETECTOR_OFFSETS:
        return 0.0, 0.0
    modules = {d[3] for arm in act.arms for d in arm.detectors if d in DETECTOR_OFFSETS}
    cx = 0.0 if len(modules) > 1 else DETECTOR_OFFSETS[f"NRC{modules.pop()}LONG"][0]
    ox, oy = DETECTOR_OFFSETS[det]
    return ox - cx, oy


def _timing(instrument: str, act: Activity) -> dict[str, Any]:
    nx, ny, _, _ = SUBARRAYS[instrument][act.subarray]
    nframes, groupgap = READOUTS[act.readpatt]
    tframe = frame_time(instrument, nx, ny, act.readpatt)
    tgroup = round((nframes + groupgap) * tframe, 5)
    inttime = round(max(act.ngroups - 1, 1) * tgroup, 5)
    duration = round(act.nints * (act.ngroups * tgroup + tframe), 4)
    return {
        "NFRAMES": nframes,
        "GROUPGAP": groupgap,
        "TFRAME": tframe,
        "TGROUP": tgroup,
        "EFFINTTM": inttime,
        "EFFEXPTM": round(inttime * act.nints, 4),
        "DURATION": duration,
    }


def _patt_size(act: Activity) -> str:
    if len(act.dithers) < 2:
        return "DEFAULT"
    span = max(
        abs(a - b) for d1 in act.dithers for d2 in act.dithers for a, b in zip(d1, d2, strict=True)
    )
    return "SMALL" if span < 2 else "MEDIUM" if span < 20 else "LARGE"


def expand_exposures(
    plans: list[tuple[int, int, Observation]],
    rng: np.random.Generator,
    start_mjd: float,
    days: int,
) -> list[dict[str, Any]]:
    """Lay observations out in time and on the sky; one record per detector file.

    Each record holds the primary-header values (keys as FITS keywords), the SCI-header
    values (``RA_REF, DEC_REF, ROLL_REF, V2_REF, V3_REF, CRVAL1, CRVAL2``) and private
    fields starting with ``_`` used by the memory model and the writers (``_day``,
    ``_dx``/``_dy`` sky offsets in arcsec from the observation's first pointing,
    ``_scale``, ``_n_sources``, ``_template``, ``_obs``).

    Parameters
    ----------
    plans : list of (int, int, Observation)
        Programs from :func:`plan_programs`.
    rng : numpy.random.Generator
        Source of randomness (start times, guide stars, gaps).
    start_mjd : float
        MJD of 00:00 UTC on the first day.
    days : int
        Number of days the observations are spread over.

    Returns
    -------
    list of dict
        One record per Level-1 file, in execution order.
    """
    records: list[dict[str, Any]] = []
    n_obs = len(plans)
    for index, (program, obs_num, obs) in enumerate(plans):
        day = min(days - 1, index * days // max(n_obs, 1))
        t = start_mjd + day + float(rng.uniform(0.0, 0.7))
        t0 = t
        for visit, (tx, ty) in enumerate(obs.tiles, start=1):
            gs_mag = round(float(rng.uniform(12.0, 19.5)), 6)
            gsx, gsy = (float(v) for v in rng.uniform(-300.0, 300.0, 2))
            n_visit = sum(len(a.dithers) for a in obs.activities)
            act_ids: dict[int, int] = {}
            for act in obs.activities:
                seq = act.seq
                act_ids[seq] = act_ids.get(seq, 0) + 1
                instrument = act.instrument or obs.instrument
                timing = _timing(instrument, act)
                nx, ny, sx, sy = SUBARRAYS[instrument][act.subarray]
                for e, (ddx, ddy) in enumerate(act.dithers, start=1):
                    hours = (t - t0) * 24.0
                    ra_t, dec_t = obs.ra, obs.dec
                    if obs.rate is not None:
                        ra_t, dec_t = _sky(
                            obs.ra, obs.dec, obs.rate[0] * hours, obs.rate[1] * hours
                        )
                    base = {
                        "PROGRAM": f"{program:05d}",
                        "OBSERVTN": f"{obs_num:03d}",
                        "VISIT": f"{visit:03d}",
                        "VISITGRP": "02",
                        "SEQ_ID": str(seq),
                        "ACT_ID": f"{act_ids[seq]:02d}",
                        "EXPOSURE": f"{e:05d}",
                        "TEMPLATE": APT_TEMPLATE[obs.template],
                        "EXPRIPAR": act.keys.get(
                            "EXPRIPAR",
                            "PARALLEL_PURE" if obs.visitype == "PARALLEL_PURE" else "PRIME",
                        ),
                        "BKGDTARG": obs.bkgdtarg,
                        "TARGPROP": obs.targname or "UNKNOWN",
                        "TARGNAME": obs.targname,
                        "TARGTYPE": obs.targtype,
                        "TARG_RA": round(ra_t, 8),
                        "TARG_DEC": round(dec_t, 8),
                        "SRCTYAPT": obs.srctyapt,
                        "INSTRUME": instrument,
                        "EXPSTART": round(t, 8),
                        "EXPEND": round(t + timing["DURATION"] / 86400.0, 8),
                        "READPATT": act.readpatt,
                        "NINTS": act.nints,
                        "NGROUPS": act.ngroups,
                        **timing,
                        "NEXPOSUR": n_visit,
                        "TSOVISIT": obs.tso,
                        "VISITYPE": obs.visitype,
                        "CROWDFLD": obs.crowdfld,
                        "SUBARRAY": act.subarray,
                        "SUBSTRT1": sx,
                        "SUBSTRT2": sy,
                        "SUBSIZE1": nx,
                        "SUBSIZE2": ny,
                        "PATTTYPE": act.patttype,
                        "PATT_NUM": e,
                        "NUMDTHPT": len(act.dithers),
                        "PATTSIZE": _patt_size(act),
                        "GS_MAG": gs_mag,
                        "ROLL_REF": round(obs.pa, 6),
                    }
                    base["IS_IMPRT"] = bool(act.keys.get("IS_IMPRT", False))
                    if "CORONMSK" in act.keys:
                        base["CORONMSK"] = act.keys["CORONMSK"]
                    stamp = mjd_to_datetime(t)
                    base["DATE-OBS"] = stamp.strftime("%Y-%m-%d")
                    base["TIME-OBS"] = stamp.strftime("%H:%M:%S.%f")[:12]
                    gx, gy = _rotate(tx + ddx + gsx, ty + ddy + gsy, obs.pa)
                    base["GS_RA"], base["GS_DEC"] = (round(v, 8) for v in _sky(ra_t, dec_t, gx, gy))
                    for arm in act.arms:
                        keys = {k: v for k, v in arm.keys.items()}
                        keys.setdefault("EXP_TYPE", DEFAULT_EXP_TYPE[obs.template])
                        for det in arm.detectors:
                            ox, oy = _detector_offset(act, instrument, det)
                            fx, fy = act.field_offset
                            px, py = _rotate(tx + ddx + fx + ox, ty + ddy + fy + oy, obs.pa)
                            ra, dec = _sky(ra_t, dec_t, px, py)
                            rec = dict(base)
                            rec.update(NOT_APPLICABLE)
                            rec.update(keys)
                            rec["DETECTOR"] = det
                            if instrument == "NIRCAM":
                                rec["MODULE"] = det[3]
                            rec["FASTAXIS"], rec["SLOWAXIS"] = _AXES.get(
                                det, (-1, 2) if det.startswith("NRCA") else (1, -2)
                            )
                            rec["NOUTPUTS"] = 4 if nx == 2048 or instrument == "MIRI" else 1
                            rec["ZEROFRAM"] = instrument != "MIRI"
                            rec["RA_REF"], rec["DEC_REF"] = round(ra, 8), round(dec, 8)
                            rec["CRVAL1"], rec["CRVAL2"] = rec["RA_REF"], rec["DEC_REF"]
                            rec["V2_REF"], rec["V3_REF"] = round(ox + fx, 3), round(oy + fy, 3)
                            # offset from the (possibly moving) target: Level-3 resamples
                            # moving targets in the target frame
                            rec["_dx"], rec["_dy"] = px, py
                            rec["_scale"] = detector_scale(instrument, det, keys["EXP_TYPE"])
                            rec["_n_sources"] = obs.n_sources
                            rec["_template"] = obs.template
                            rec["_obs"] = index
                            rec["_day"] = min(days - 1, max(0, int(math.floor(t - start_mjd))))
                            rec["_is_ta"] = act.is_ta
                            if rec["TARGNAME"] is None:
                                del rec["TARGNAME"]
                            records.append(rec)
                    t += (timing["DURATION"] + float(rng.uniform(30.0, 240.0))) / 86400.0
                t += 300.0 / 86400.0
            t += 1800.0 / 86400.0
    return records
