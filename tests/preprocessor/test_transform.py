"""Tests of PowerX (Yeo-Johnson + standardisation) and the SkyTransformer offsets."""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest

from spacekit.exceptions import DataError, InputError
from spacekit.preprocessor.tables.jwst_cal import NORM_COLS
from spacekit.preprocessor.transform import (
    PowerX,
    SkyTransformer,
    apply_power_transform,
    fit_power_transform,
    load_tx_data,
    yeo_johnson,
)
from spacekit.preprocessor.transform_sky import angular_separation, offset_stats
from support import shared_path


def _reference_tx(mode: str) -> dict:
    with zipfile.ZipFile(shared_path("reference", "spacekit-1.1.4", "jwst_cal.zip")) as zf:
        return json.loads(zf.read(f"jwst_cal/tx_data-{mode}.json"))


@pytest.mark.parametrize("lmbda", [-2.9, -0.4, 0.0, 0.5, 2.0, 3.1])
def test_yeo_johnson_matches_sklearn(lmbda):
    from sklearn.preprocessing import PowerTransformer

    x = np.array([[-3.0], [-0.5], [0.0], [0.25], [1.0], [7.5], [120.0]])
    pt = PowerTransformer(standardize=False).fit(x)
    pt.lambdas_ = np.array([lmbda])
    np.testing.assert_allclose(yeo_johnson(x[:, 0], lmbda), pt.transform(x)[:, 0], rtol=1e-12)


@pytest.mark.parametrize("mode", ["image", "spec"])
def test_powerx_with_reference_tx_data(mode):
    tx = _reference_tx(mode)
    cols = list(NORM_COLS[mode.upper()])
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.gamma(2.0, 20.0, size=(5, len(cols))), columns=cols)
    df["nexposur"] = [1, 2, 3, 4, 5]
    out = PowerX(df, cols=cols, tx_data=tx, rename=None, join_data=1).Xt
    assert list(out.columns) == cols + ["nexposur"]
    assert out["nexposur"].tolist() == [1, 2, 3, 4, 5]
    for i, col in enumerate(cols):
        lam, mu, sig = tx["lambdas"][i], tx["mu"][i], tx["sigma"][i]
        expected = [round((((x + 1) ** lam - 1) / lam - mu) / sig, 5) for x in df[col]]
        np.testing.assert_allclose(out[col].to_numpy(), expected, rtol=0, atol=1e-12)


def test_powerx_reads_tx_file(tmp_path):
    tx = {"lambdas": [0.5, -0.2], "mu": [1.0, 0.5], "sigma": [2.0, 0.25]}
    path = tmp_path / "tx_data-image.json"
    path.write_text(json.dumps(tx))
    df = pd.DataFrame({"a": [0.0, 3.0], "b": [1.0, 8.0], "c": ["x", "y"]})
    by_file = PowerX(df, ["a", "b"], tx_file=path, rename=None).Xt
    by_dict = PowerX(df, ["a", "b"], tx_data=tx, rename=None).Xt
    pd.testing.assert_frame_equal(by_file, by_dict)
    assert by_file.loc[0, "a"] == round((0.0 - 1.0) / 2.0, 5)


def test_powerx_bad_tx_inputs(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(InputError, match="not found"):
        PowerX(df, ["a"], tx_file=tmp_path / "missing.json")
    with pytest.raises(DataError, match="lengths"):
        PowerX(df, ["a"], tx_data={"lambdas": [1, 2], "mu": [0, 0], "sigma": [1, 1]})
    with pytest.raises(DataError, match="lacks"):
        load_tx_data({"lambdas": [1]})


def test_fit_power_transform_standardises_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.lognormal(size=200), "y": rng.gamma(2, 3, size=200), "k": 1})
    tx = fit_power_transform(df, ["x", "y"])
    assert set(tx) == {"lambdas", "mu", "sigma", "columns"}
    out = apply_power_transform(df, tx)
    np.testing.assert_allclose(out[["x", "y"]].mean(), 0.0, atol=1e-4)
    np.testing.assert_allclose(out[["x", "y"]].std(ddof=0), 1.0, atol=1e-4)
    px = PowerX(df, ["x", "y"], save_tx=True, save_as="tx_data-image.json", output_path=tmp_path)
    saved = json.loads((tmp_path / "tx_data-image.json").read_text())
    np.testing.assert_allclose(saved["lambdas"], tx["lambdas"])
    assert px.tx_file == str(tmp_path / "tx_data-image.json")
    assert list(px.Xt.columns) == ["x_scl", "y_scl", "k"]
    with pytest.raises(InputError, match="output_path"):
        PowerX(df, ["x"], save_tx=True)


def test_powerx_join_options_and_1d():
    tx = {"lambdas": [1.0], "mu": [0.0], "sigma": [1.0]}
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    assert list(PowerX(df, ["a"], tx_data=tx, join_data=0).Xt.columns) == ["a_scl"]
    assert list(PowerX(df, ["a"], tx_data=tx, join_data=2).Xt.columns) == ["a_scl", "a", "b"]
    assert PowerX(df, ["a"], tx_data=tx, rename=["z"]).Xt.columns.tolist() == ["z", "b"]
    assert PowerX(df.iloc[0], ["a"], tx_data=tx).Xt.shape == (1, 2)
    arr = PowerX(np.array([1.0, 5.0, 7.0]), [0], tx_data=tx).Xt
    assert arr.shape == (1, 3) and arr[0, 0] == 1.0


def _exp(ra, dec, **kw):
    hdr = {
        "INSTRUME": "NIRCAM",
        "CHANNEL": "SHORT",
        "EXP_TYPE": "NRC_IMAGE",
        "DETECTOR": "NRCB1",
        "BAND": "NaN",
        "CRVAL1": ra,
        "CRVAL2": dec,
        "TARG_RA": 0.02,
        "TARG_DEC": 0.0,
        "GS_RA": "NaN",
        "GS_DEC": "NaN",
        "NEXPOSUR": 9,
    }
    hdr.update(kw)
    return hdr


def test_offsets_hand_computed_symmetric_pair():
    prods = {"p": {"e1": _exp(-0.01, 0.0), "e2": _exp(0.01, 0.0, DETECTOR="NRCB2")}}
    rec = SkyTransformer("JWST").calculate_offsets(prods)["p"]
    assert rec["fx_ra"] == pytest.approx(0.0, abs=1e-12) or rec["fx_ra"] == pytest.approx(360.0)
    assert rec["fy_dec"] == pytest.approx(0.0, abs=1e-12)
    # 0.01 deg = 36 arcsec = 1200 NIRCam short-wave pixels (0.03"/px)
    assert rec["offset"] == pytest.approx(1200.0, rel=1e-9)
    assert rec["max_offset"] == pytest.approx(1200.0, rel=1e-9)
    assert rec["sigma_offset"] == pytest.approx(0.0, abs=1e-6)
    assert rec["frac"] == 0.0 and rec["sigma1_mean"] == 0.0
    # target at ra=0.02: offsets 1200 and 3600 px; the larger equals mean + std -> not counted
    assert rec["targ_max_offset"] == pytest.approx(3600.0, rel=1e-9)
    assert rec["targ_mean_offset"] == pytest.approx(2400.0, rel=1e-9)
    assert rec["targ_frac"] == 0.0
    assert rec["DETECTOR"] == "NRCB1|NRCB2"
    assert rec["NEXPOSUR"] == 2
    assert rec["BAND"] == "NONE"


def test_offsets_hand_computed_triplet_and_reference_exposure():
    prods = {
        "p": {
            "a": _exp(-0.01, 0.0, IS_IMPRT="A"),
            "b": _exp(0.0, 0.0, IS_IMPRT="B"),
            "c": _exp(0.01, 0.0, IS_IMPRT="C"),
        }
    }
    rec = SkyTransformer().calculate_offsets(prods)["p"]
    assert rec["offset"] == pytest.approx(0.0, abs=1e-6)
    assert rec["IS_IMPRT"] == "B"  # the minimum-offset exposure's header
    std = math.sqrt(((1200 - 800) ** 2 * 2 + 800**2) / 3)
    assert rec["mean_offset"] == pytest.approx(800.0, rel=1e-9)
    assert rec["sigma_offset"] == pytest.approx(std, rel=1e-9)
    assert rec["err_offset"] == pytest.approx(std / math.sqrt(3), rel=1e-9)


def test_offsets_scales_bands_and_invalid_fiducials():
    mrs = dict(INSTRUME="MIRI", CHANNEL="12", EXP_TYPE="MIR_MRS", DETECTOR="MIRIFUSHORT")
    prods = {
        "m": {
            "a": _exp(0.0, -0.01, BAND="SHORT", RA_REF=0.0, DEC_REF=-0.01, **mrs),
            "b": _exp(0.0, 0.01, BAND="LONG", RA_REF=0.0, DEC_REF=0.01, **mrs),
            "c": _exp(0.0, 0.0, BAND="MEDIUM", RA_REF="NaN", DEC_REF=0.0, **mrs),
        },
        "gone": {"z": _exp(1.0, 1.0, RA_REF="NaN", DEC_REF="NaN")},
    }
    sky = SkyTransformer(ra="RA_REF", dec="DEC_REF")
    out = sky.calculate_offsets(prods)
    assert list(out) == ["m"]
    rec = out["m"]
    assert rec["offset"] == pytest.approx(36.0 / 0.196, rel=1e-9)
    assert rec["BAND"] == "SHORT|LONG"  # the invalid MEDIUM exposure is left out
    assert rec["NEXPOSUR"] == 2
    assert [k for k, _ in sky.skipped] == ["c", "z", "gone"]


def test_offset_stats_and_separation():
    stats = offset_stats(np.array([1.0, 1.0, 1.0, 5.0]))
    assert stats["frac"] == 0.25 and stats["sigma1_mean"] == 5.0
    assert angular_separation(10.0, 0.0, 10.0, 1.0) == pytest.approx(1.0)
    assert angular_separation(0.0, 89.0, 180.0, 89.0) == pytest.approx(2.0)


# -- review R1: pixel scales, footprints and the threshold rule (§1.7, §8.6) ----------
@pytest.mark.parametrize(
    "instr, channel, exp_type, scale",
    [
        ("NIRCAM", "SHORT", "NRC_IMAGE", 0.03),
        ("NIRCAM", "LONG", "NRC_WFSS", 0.06),
        ("MIRI", "12", "MIR_MRS", 0.196),
        ("MIRI", "NaN", "MIR_IMAGE", 0.11),
        ("MIRI", "NaN", "MIR_LRS-FIXEDSLIT", 0.11),
        ("NIRISS", "NaN", "NIS_WFSS", 0.06),
        ("NIRSPEC", "NaN", "NRS_IFU", 0.12),
        ("FGS", "NaN", "FGS_IMAGE", 0.069),
    ],
)
def test_pixel_scale_per_instrument(instr, channel, exp_type, scale):
    from spacekit.preprocessor.transform_sky import pixel_scale

    assert pixel_scale(instr, channel, exp_type) == scale


def _reference_offsets(exps, scale, shape):
    """§1.7 re-derived with astropy: corners -> unit-vector box midpoint -> separations."""
    from astropy import units as u
    from astropy.coordinates import CartesianRepresentation, SkyCoord, UnitSphericalRepresentation

    half_ra, half_dec = shape[0] / 2 * scale / 3600, shape[1] / 2 * scale / 3600
    ras = [e["CRVAL1"] + s * half_ra for e in exps for s in (-1, 1) for _ in (0, 1)]
    decs = [e["CRVAL2"] + s * half_dec for e in exps for _ in (0, 1) for s in (-1, 1)]
    xyz = SkyCoord(ras * u.deg, decs * u.deg).cartesian.xyz.value
    mid = CartesianRepresentation(*((xyz.max(axis=1) + xyz.min(axis=1)) / 2))
    sph = mid.represent_as(UnitSphericalRepresentation)
    fid = SkyCoord(sph.lon, sph.lat)
    pts = SkyCoord([e["CRVAL1"] for e in exps] * u.deg, [e["CRVAL2"] for e in exps] * u.deg)
    targ = SkyCoord(exps[0]["TARG_RA"] * u.deg, exps[0]["TARG_DEC"] * u.deg)
    return (
        sph.lon.deg % 360,
        sph.lat.deg,
        fid.separation(pts).arcsec / scale,
        targ.separation(pts).arcsec / scale,
    )


@pytest.mark.parametrize(
    "instr, channel, exp_type, scale, shape",
    [
        ("NIRCAM", "LONG", "NRC_IMAGE", 0.06, (2048, 2048)),
        ("MIRI", "NaN", "MIR_IMAGE", 0.11, (1032, 1024)),
        ("MIRI", "34", "MIR_MRS", 0.196, (1032, 1024)),
        ("NIRISS", "NaN", "NIS_IMAGE", 0.06, (2048, 2048)),
        ("NIRSPEC", "NaN", "NRS_IFU", 0.12, (2048, 2048)),
    ],
)
def test_offsets_equal_an_independent_astropy_derivation(instr, channel, exp_type, scale, shape):
    rng = np.random.default_rng(len(instr) + len(exp_type))
    for dec0 in (-70.0, 3.0, 62.5):
        ra0 = float(rng.uniform(0, 360))
        exps = [
            _exp(
                float(ra0 + rng.normal(0, 0.01)),
                float(dec0 + rng.normal(0, 0.01)),
                INSTRUME=instr,
                CHANNEL=channel,
                EXP_TYPE=exp_type,
                TARG_RA=ra0,
                TARG_DEC=dec0,
            )
            for _ in range(5)
        ]
        rec = SkyTransformer().calculate_offsets({"p": dict(enumerate(exps))})["p"]
        fx, fy, offs, targ = _reference_offsets(exps, scale, shape)
        assert rec["fx_ra"] == pytest.approx(fx, abs=1e-9)
        assert rec["fy_dec"] == pytest.approx(fy, abs=1e-9)
        assert rec["offset"] == pytest.approx(offs.min(), rel=1e-7)
        assert rec["max_offset"] == pytest.approx(offs.max(), rel=1e-7)
        assert rec["mean_offset"] == pytest.approx(offs.mean(), rel=1e-7)
        assert rec["sigma_offset"] == pytest.approx(offs.std(), rel=1e-6)
        assert rec["targ_max_offset"] == pytest.approx(targ.max(), rel=1e-7)
        assert rec["targ_mean_offset"] == pytest.approx(targ.mean(), rel=1e-7)


def test_threshold_tolerance_is_relative_1e9():
    assert offset_stats(np.array([0.0, 0.0, 0.0, 3.0]))["frac"] == 0.25
    # with two offsets the larger one equals mean + std exactly; float rounding puts it
    # above the threshold for some pairs, and 1.1.4's outputs count none of them (§8.6)
    rng = np.random.default_rng(0)
    pairs = rng.uniform(0, 500, size=(2000, 2))
    assert any((p > p.mean() + p.std()).any() for p in pairs)  # the case does occur
    for p in pairs:
        stats = offset_stats(p)
        assert stats["frac"] == 0.0 and stats["sigma1_mean"] == 0.0
    # a value clearly above the threshold still counts
    vals = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    thresh = vals.mean() + vals.std()
    assert offset_stats(vals)["frac"] == 0.2 and thresh < 1.0
