"""Header values that used to give silent wrong answers: skip with a reason, or flag."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from test_scrub import MIRI, NIRSPEC, hdr

from spacekit.exceptions import (
    FlaggedInputWarning,
    SkippedInputWarning,
    UnknownCategoryWarning,
)
from spacekit.preprocessor.scrub import JwstCalScrubber
from spacekit.preprocessor.scrub_checks import RANGES, check_header


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        (dict(EXP_TYPE="NaN"), "no EXP_TYPE"),
        (dict(EXP_TYPE=7), "no EXP_TYPE"),
        (dict(EXP_TYPE="NRC_TACQ"), "EXP_TYPE NRC_TACQ has no Level-3 product"),
        (dict(PROGRAM="NaN"), "PROGRAM is missing"),
        (dict(PROGRAM="27x2"), "PROGRAM is '27x2'"),
        (dict(PROGRAM=0), "PROGRAM is 0"),
        (dict(OBSERVTN=1000), "OBSERVTN is 1000"),
        (dict(OBSERVTN=1.5), "OBSERVTN is 1.5"),
        (dict(INSTRUME="HUBBLE"), "not a JWST instrument"),
        (dict(INSTRUME="MIRI"), "not an exposure type of INSTRUME MIRI"),
        (dict(FILTER="NaN"), "FILTER missing"),
        (dict(PUPIL="N/A"), "PUPIL missing"),
        (dict(FILTER="   "), "FILTER missing"),
        (dict(PUPIL=-1e300), "PUPIL is -1e+300, not an element name"),
        (dict(SUBARRAY=-5), "SUBARRAY is -5, not an element name"),
        (dict(FXD_SLIT="S200A1/../x"), "FXD_SLIT is 'S200A1/../x'"),
        (dict(EXP_TYPE="NRS_FIXEDSLIT", GRATING="NaN", **NIRSPEC), "GRATING missing"),
        (
            {**MIRI, "EXP_TYPE": "MIR_MRS", "BAND": "NaN", "CHANNEL": "12", "FILTER": "NaN"},
            "BAND missing",
        ),
    ],
)
def test_skip_reasons(kw, reason):
    res = check_header(hdr(**kw))
    assert res.skip is not None and reason in res.skip


@pytest.mark.parametrize(
    ("kw", "flag"),
    [
        (dict(TARG_RA="NaN"), "TARG_RA/TARG_DEC missing"),
        (dict(TARG_DEC="far"), "TARG_RA/TARG_DEC missing"),
        (dict(TARG_RA=400.0), "TARG_RA/TARG_DEC missing"),
        (dict(TARG_DEC=-91.0), "TARG_RA/TARG_DEC missing"),
        (dict(NUMDTHPT=1e20), "NUMDTHPT missing"),
        (dict(NUMDTHPT=0), "NUMDTHPT missing"),
        (dict(NUMDTHPT=2.5), "NUMDTHPT missing"),
        (dict(NUMDTHPT="NaN"), "NUMDTHPT missing"),
        (dict(GS_MAG=1e6), "GS_MAG outside"),
        (dict(NEXPOSUR=-4), "NEXPOSUR not a count"),
    ],
)
def test_flags(kw, flag):
    res = check_header(hdr(**kw))
    assert res.skip is None
    assert any(f.startswith(flag) for f in res.flags), res.flags
    bad = next(iter(kw))
    if kw[bad] != "NaN":
        assert res.header[bad] == "NaN" and res.invalid == {bad: kw[bad]}


def test_clean_header_is_unchanged_and_unflagged():
    h = hdr()
    res = check_header(h)
    assert res.skip is None and res.flags == [] and res.invalid == {}
    assert res.header == h
    assert check_header(hdr(GS_MAG="NaN", NEXPOSUR="NaN")).flags == []  # missing is normal


def test_out_of_range_fiducial_drops_the_exposure_with_a_reason():
    rows = {"a": hdr(CRVAL1=1e30), "b": hdr(CRVAL1=339.012)}
    scrubber = JwstCalScrubber(data=pd.DataFrame.from_dict(rows, orient="index"), mode="df")
    assert scrubber.products == {"jw02732-o001_t1_nircam_clear-f150w": ["b"]}
    assert scrubber.skipped[0][0] == "a" and "invalid fiducial" in scrubber.skipped[0][1]


def test_regression_examples_from_the_review():
    """The four silent wrong answers of issue #9, one product each."""
    rows = {
        "targ": hdr(OBSERVTN="002", TARG_RA="NaN", TARG_DEC="NaN"),
        "dith": hdr(OBSERVTN="003", NUMDTHPT=1e20),
        "nofilter": hdr(OBSERVTN="004", FILTER="NaN"),
        "noprogram": hdr(PROGRAM="NaN"),
        "noexptype": hdr(EXP_TYPE="NaN"),
    }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    with (
        pytest.warns(FlaggedInputWarning, match="2 product"),
        pytest.warns(SkippedInputWarning, match="Skipped 3 exposure"),
    ):
        scrubber = JwstCalScrubber(data=frame, mode="df")
    assert sorted(scrubber.flags) == [
        "jw02732-o002_t0_nircam_clear-f150w",
        "jw02732-o003_t1_nircam_clear-f150w",
    ]
    assert scrubber.scrub_inputs("IMAGE")["numdthpt"].to_dict() == {
        "jw02732-o002_t0_nircam_clear-f150w": 4.0,
        "jw02732-o003_t1_nircam_clear-f150w": 0.0,  # 1e20 is not a dither count
    }
    assert {k for k, _ in scrubber.skipped} == {"nofilter", "noprogram", "noexptype"}
    assert not any(n.endswith("_") or "nan" in n for n in scrubber.products)


# ------------------------------------------------------------------ property-style
_GARBAGE = ["NaN", "N/A", None, "", "abc", True, float("nan"), float("inf"), -1e300, 1e20, -5]


def _corrupt(rng: np.random.Generator, h: dict) -> dict:
    """Replace 1-4 random keywords of ``h`` by random garbage or out-of-range values."""
    keys = list(RANGES) + ["FILTER", "PUPIL", "EXP_TYPE", "INSTRUME"]
    for key in rng.choice(keys, size=int(rng.integers(1, 5)), replace=False):
        if key in RANGES and rng.random() < 0.5:
            low, high, _ = RANGES[key]
            h[key] = float(rng.choice([low - rng.uniform(1, 1e6), high + rng.uniform(1e-3, 1e9)]))
        else:
            h[key] = _GARBAGE[int(rng.integers(len(_GARBAGE)))]
    return h


_NAME = re.compile(r"^jw\d{5}-o\d{3}_(t\d+|s\d{9}|t\d+x\d+)_[a-z]+_[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize("seed", range(6))
def test_every_exposure_in_a_product_or_skipped_property(seed):
    rng = np.random.default_rng(seed)
    rows = {}
    for i in range(24):
        h = hdr(
            OBSERVTN=f"{int(rng.integers(1, 4)):03d}",
            FILTER=str(rng.choice(["F150W", "F200W", "F070W"])),
            CRVAL1=339.011 + float(rng.uniform(0, 1e-3)),
        )
        rows[f"e{i:02d}"] = _corrupt(rng, h) if rng.random() < 0.6 else h
    frame = pd.DataFrame.from_dict(rows, orient="index")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FlaggedInputWarning)
        warnings.simplefilter("ignore", SkippedInputWarning)
        warnings.simplefilter("ignore", UnknownCategoryWarning)
        scrubber = JwstCalScrubber(data=frame, mode="df")
        img = scrubber.scrub_inputs("IMAGE")  # an "abc" FILTER is an unknown category
    in_products = {k for keys in scrubber.products.values() for k in keys}
    skipped = {k for k, _ in scrubber.skipped}
    assert in_products | skipped >= set(rows)
    assert not in_products & skipped
    for name in scrubber.products:
        assert _NAME.match(name), name
    for name, keys in scrubber.products.items():  # garbage in a model input -> flagged
        for key in keys:
            h = rows[key]
            bad = [k for k in ("TARG_RA", "TARG_DEC", "NUMDTHPT") if not _plausible(k, h[k])]
            assert not bad or name in scrubber.flags, (name, key, bad)
    if img is not None:
        assert img["numdthpt"].between(0, 10000).all()
        assert np.isfinite(img.select_dtypes("number").to_numpy()).all()


def _plausible(key, value) -> bool:
    low, high, whole = RANGES[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return low <= value <= high and (not whole or float(value).is_integer())
