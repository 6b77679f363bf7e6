"""Tests of JWST product grouping, naming, target ids, NaN handling and encoding."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from spacekit.exceptions import (
    FlaggedInputWarning,
    InputError,
    SkippedInputWarning,
    UnknownCategoryWarning,
)
from spacekit.preprocessor.scrub import JwstCalScrubber, headers_from_dataframe
from spacekit.preprocessor.scrub_naming import (
    group_products,
    image_product_name,
    spec_product_name,
)
from spacekit.preprocessor.scrub_targets import TargetKeys, fake_target_ids
from spacekit.preprocessor.tables.jwst_cal import KEYPAIR_DATA, UNKNOWN_CODE

XCOLS = (
    "instr detector exp_type visitype filter pupil grating fxd_slit channel subarray bkgdtarg "
    "is_imprt tsovisit nexposur numdthpt band targ_max_offset offset max_offset mean_offset "
    "sigma_offset err_offset sigma1_mean frac targ_frac gs_mag crowdfld"
).split()


def hdr(**kw):
    """One Level-1 header dict (NIRCam imaging by default), overridden by ``kw``."""
    base = dict(
        PROGRAM="02732",
        OBSERVTN="001",
        NEXPOSUR=4,
        BKGDTARG="F",
        IS_IMPRT=False,
        VISITYPE="PRIME_TARGETED_FIXED",
        TSOVISIT=False,
        TARGNAME="NGC 7320",
        TARG_RA=339.0145,
        TARG_DEC=33.9559,
        INSTRUME="NIRCAM",
        DETECTOR="NRCB1",
        FILTER="F150W",
        PUPIL="CLEAR",
        GRATING="NaN",
        FXD_SLIT="NaN",
        EXP_TYPE="NRC_IMAGE",
        CHANNEL="SHORT",
        BAND="NaN",
        SUBARRAY="FULL",
        NUMDTHPT=4,
        GS_RA=339.1,
        GS_DEC=33.9,
        GS_MAG=15.2,
        CROWDFLD=False,
        RA_REF=339.01,
        DEC_REF=33.95,
        CRVAL1=339.011,
        CRVAL2=33.951,
    )
    base.update(kw)
    return base


MIRI = dict(INSTRUME="MIRI", DETECTOR="MIRIMAGE", PUPIL="NaN", CHANNEL="NaN", EXP_TYPE="MIR_IMAGE")
NIRSPEC = dict(INSTRUME="NIRSPEC", DETECTOR="NRS1", PUPIL="NaN", CHANNEL="NaN")
NIRISS = dict(INSTRUME="NIRISS", DETECTOR="NIS", CHANNEL="NaN")


# -- naming (§1.5) ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "kw, expected",
    [
        (dict(OBSERVTN="011", FILTER="F560W", **MIRI), ("IMAGE", "jw02732-o011_t1_miri_f560w")),
        (
            dict(FILTER="F070W", SUBARRAY="SUB400P"),
            ("IMAGE", "jw02732-o001_t1_nircam_clear-f070w-sub400p"),
        ),
        (dict(FILTER="F444W", PUPIL="F405N"), ("IMAGE", "jw02732-o001_t1_nircam_f405n-f444w")),
        (dict(FILTER="F322W2", PUPIL="F323N"), ("IMAGE", "jw02732-o001_t1_nircam_f322w2-f323n")),
        (
            dict(FILTER="CLEAR", PUPIL="F200W", SUBARRAY="WFSS64R", EXP_TYPE="NIS_IMAGE", **NIRISS),
            ("IMAGE", "jw02732-o001_t1_niriss_clear-f200w-wfss64r"),
        ),
        (
            dict(
                VISITYPE="PRIME_WFSC_SENSING_ONLY", FILTER="F212N", PUPIL="WLM8", DETECTOR="NRCA1"
            ),
            ("IMAGE", "jw02732-o001_t1_nircam_f212n-wlm8-nrca1"),
        ),
        (dict(VISITYPE="PRIME_WFSC_ROUTINE", SUBARRAY="SUB8FP1A"), None),
        (
            dict(EXP_TYPE="NRC_TSIMAGE", TSOVISIT=True),
            ("TAC", "jw02732-o001_t1_nircam_clear-f150w"),
        ),
        (dict(TSOVISIT="T"), ("TAC", "jw02732-o001_t1_nircam_clear-f150w")),
        (
            dict(
                INSTRUME="FGS", DETECTOR="GUIDER1", FILTER="NaN", PUPIL="NaN", EXP_TYPE="FGS_IMAGE"
            ),
            ("FGS", "jw02732-o001_t1_fgs_"),
        ),
    ],
)
def test_image_product_names(kw, expected):
    assert image_product_name(hdr(**kw), "t1") == expected


@pytest.mark.parametrize(
    "kw, expected",
    [
        (
            dict(EXP_TYPE="NRC_WFSS", FILTER="F322W2", PUPIL="GRISMR"),
            ("SPEC", "jw02732-o001_t1_nircam_f322w2-grismr"),
        ),
        (
            dict(EXP_TYPE="NIS_WFSS", FILTER="GR150R", PUPIL="F200W", **NIRISS),
            ("SPEC", "jw02732-o001_t1_niriss_f200w-gr150r"),
        ),
        (
            dict(
                EXP_TYPE="NIS_SOSS",
                FILTER="CLEAR",
                PUPIL="GR700XD",
                SUBARRAY="SUBSTRIP256",
                **NIRISS,
            ),
            ("SPEC", "jw02732-o001_t1_niriss_clear-gr700xd-substrip256"),
        ),
        (
            dict(EXP_TYPE="NRS_IFU", FILTER="F100LP", GRATING="G140M", FXD_SLIT="NONE", **NIRSPEC),
            ("SPEC", "jw02732-o001_t1_nirspec_g140m-f100lp"),
        ),
        (
            dict(
                EXP_TYPE="NRS_FIXEDSLIT",
                FILTER="F100LP",
                GRATING="G140H",
                FXD_SLIT="S200A2",
                SUBARRAY="ALLSLITS",
                **NIRSPEC,
            ),
            ("SPEC", "jw02732-o001_t1_nirspec_f100lp-g140h-s200a2-allslits"),
        ),
        (
            dict(
                EXP_TYPE="MIR_MRS",
                FILTER="NaN",
                CHANNEL="12",
                BAND="SHORT",
                **{k: v for k, v in MIRI.items() if k not in ("EXP_TYPE", "CHANNEL")},
            ),
            ("SPEC", "jw02732-o001_t1_miri_ch1-short"),
        ),
        (
            dict(
                EXP_TYPE="MIR_MRS",
                FILTER="NaN",
                CHANNEL="34",
                BAND="LONG",
                INSTRUME="MIRI",
                PUPIL="NaN",
                DETECTOR="MIRIFULONG",
            ),
            ("SPEC", "jw02732-o001_t1_miri_ch3-long"),
        ),
        (
            dict(
                EXP_TYPE="MIR_LRS-FIXEDSLIT",
                FILTER="P750L",
                INSTRUME="MIRI",
                PUPIL="NaN",
                CHANNEL="NaN",
            ),
            ("SPEC", "jw02732-o001_t1_miri_p750l"),
        ),
        (dict(EXP_TYPE="MIR_LRS-SLITLESS", FILTER="P750L", INSTRUME="MIRI", PUPIL="NaN"), None),
        (
            dict(
                EXP_TYPE="MIR_LRS-SLITLESS",
                TSOVISIT=True,
                FILTER="P750L",
                INSTRUME="MIRI",
                PUPIL="NaN",
                SUBARRAY="SLITLESSPRISM",
            ),
            ("TAC", "jw02732-o001_t1_miri_p750l-slitlessprism"),
        ),
        (
            dict(
                EXP_TYPE="NRS_BRIGHTOBJ",
                TSOVISIT=True,
                FILTER="CLEAR",
                GRATING="PRISM",
                FXD_SLIT="S1600A1",
                SUBARRAY="SUB512",
                **NIRSPEC,
            ),
            ("TAC", "jw02732-o001_t1_nirspec_clear-prism-sub512"),
        ),
        (
            dict(
                EXP_TYPE="NRS_BRIGHTOBJ",
                TSOVISIT=True,
                FILTER="F290LP",
                GRATING="G395H",
                FXD_SLIT="S1600A1",
                SUBARRAY="SUB2048",
                **NIRSPEC,
            ),
            ("TAC", "jw02732-o001_t1_nirspec_f290lp-g395h-s1600a1-sub2048"),
        ),
        (
            dict(EXP_TYPE="NRC_CORON", FILTER="F210M", PUPIL="MASKRND"),
            ("TAC", "jw02732-o001_t1_nircam_maskrnd-f210m-image3"),
        ),
        (
            dict(
                EXP_TYPE="NRC_TSGRISM",
                TSOVISIT=True,
                FILTER="F444W",
                PUPIL="GRISMR",
                SUBARRAY="SUBGRISM64",
            ),
            ("TAC", "jw02732-o001_t1_nircam_f444w-grismr-subgrism64"),
        ),
    ],
)
def test_spec_product_names(kw, expected):
    assert spec_product_name(hdr(**kw), "t1") == expected


def test_source_based_and_parallel_pure_tids():
    heads = {
        "a": hdr(
            EXP_TYPE="NRC_WFSS",
            FILTER="F322W2",
            PUPIL="GRISMR",
            VISITYPE="PARALLEL_PURE",
            PROGRAM="01309",
            OBSERVTN="023",
        ),
        "b": hdr(EXP_TYPE="NRS_MSASPEC", FILTER="F100LP", GRATING="G140M", **NIRSPEC),
    }
    groups = group_products(heads)
    assert list(groups["SPEC"]) == [
        "jw01309-o023_t0_nircam_f322w2-grismr",
        "jw02732-o001_s000000001_nirspec_f100lp-g140m",
    ]


# -- target ids (§1.6, §8.1) -----------------------------------------------------------
def test_target_ids_are_sorted_and_deterministic():
    heads = {
        "e1": hdr(TARG_RA=200.5, FILTER="F200W"),
        "e2": hdr(TARG_RA=10.25, FILTER="F200W"),
        "e3": hdr(TARG_RA=100.0, FILTER="F200W"),
        # a source-based exposure in a fixed visit does not take part in the numbering
        "e4": hdr(TARG_RA=1.0, EXP_TYPE="NRS_MSASPEC", FILTER="F100LP", GRATING="G140M", **NIRSPEC),
        # target-acquisition exposures do not either
        "e5": hdr(TARG_RA=2.0, EXP_TYPE="NRS_WATA"),
        "m1": hdr(VISITYPE="PRIME_TARGETED_MOVING", TARGNAME="JUPITER", PROGRAM="01111"),
        "m2": hdr(VISITYPE="PRIME_TARGETED_MOVING", TARGNAME="EUROPA", PROGRAM="01111"),
        "u1": hdr(VISITYPE="PRIME_UNTARGETED", TARGNAME="NaN", GS_MAG=14.0, PROGRAM="01112"),
        "u2": hdr(VISITYPE="PRIME_UNTARGETED", TARGNAME="NaN", GS_MAG=12.5, PROGRAM="01112"),
    }
    ids = fake_target_ids(heads)
    assert ids.rn == {10.25: "t1", 100.0: "t2", 200.5: "t3"}
    assert ids.tn == {"EUROPA": "t1", "JUPITER": "t2"}
    assert ids.gn == {12.5: "t1", 14.0: "t2"}
    names = set(group_products(heads)["IMAGE"])
    reversed_names = set(group_products(dict(reversed(list(heads.items()))))["IMAGE"])
    assert names == reversed_names
    assert "jw02732-o001_t1_nircam_clear-f200w" in names
    assert "jw01112-o001_t1_nircam_clear-f150w" in names  # GS_MAG 12.5


def test_target_groups_split_by_targ_ra():
    heads = {
        "a1": hdr(TARGNAME="IO", TARG_RA=10.0, TARG_DEC=1.0),
        "a2": hdr(TARGNAME="IO", TARG_RA=10.5, TARG_DEC=1.5),
        "a3": hdr(TARGNAME="IO", TARG_RA=10.0, TARG_DEC=1.0),
        "mv": hdr(TARGNAME="IO", VISITYPE="PRIME_TARGETED_MOVING", FILTER="F444W"),
    }
    groups = group_products(heads)["IMAGE"]
    assert groups["jw02732-o001_t1x0_nircam_clear-f150w"].keys() == {"a1", "a3"}
    assert groups["jw02732-o001_t1x1_nircam_clear-f150w"].keys() == {"a2"}
    assert "jw02732-o001_t1_nircam_clear-f444w" in groups


def test_programs_grouped_apart_with_combined_keys_match_the_whole():
    """1.1.4's target tables span programs: a TARGNAME that another program observes as a
    moving target makes this program's fixed exposure of it look it up by name."""
    a = {
        "a_x": hdr(TARGNAME="X", TARG_RA=20.0, FILTER="F200W"),
        "a_y": hdr(TARGNAME="Y", TARG_RA=10.0, FILTER="F200W"),
        "a_z": hdr(TARGNAME="Z", TARG_RA=30.0, FILTER="F200W", OBSERVTN="002"),
    }
    b = {"b_x": hdr(TARGNAME="X", TARG_RA=55.0, VISITYPE="PRIME_TARGETED_MOVING", PROGRAM="01111")}
    whole = group_products({**a, **b})
    alone = group_products(a)
    assert alone["IMAGE"].keys() != {k for k in whole["IMAGE"] if k.startswith("jw02732")}
    ids_a, ids_b = fake_target_ids(a), fake_target_ids(b)
    keys = ids_a.own_keys | ids_b.own_keys
    assert keys == TargetKeys.from_headers({**a, **b})
    assert not ids_a.same_lookups(keys)  # program a must be grouped again
    assert ids_b.same_lookups(keys)
    joined = {m: {} for m in whole}
    for part in (a, b):
        for mode, prods in group_products(part, fake_target_ids(part, keys=keys)).items():
            joined[mode].update(prods)
    assert joined == whole
    assert fake_target_ids(a, keys=keys).same_lookups(keys)


def test_gn_keys_of_parts_combine_like_the_whole():
    # a parallel exposure takes a guide-star id only if some untargeted exposure (here in
    # another program) made its GS_MAG a gn key
    pp = dict(VISITYPE="PARALLEL_PURE", TARGNAME="NaN", TARG_RA=5.0, GS_MAG=14.0)
    a = {"p": hdr(PROGRAM="01112", **pp)}
    b = {"u": hdr(VISITYPE="PRIME_UNTARGETED", TARGNAME="NaN", GS_MAG=14.0, PROGRAM="01113")}
    both = fake_target_ids(a).own_keys | fake_target_ids(b).own_keys
    assert both.gn == {14.0} and fake_target_ids(a).own_keys.gn == frozenset()
    assert not fake_target_ids(a).same_lookups(both)
    whole = group_products({**a, **b})["IMAGE"]
    assert whole.keys() != {*group_products(a)["IMAGE"], *group_products(b)["IMAGE"]}
    assert whole.keys() == {
        *group_products(a, fake_target_ids(a, keys=both))["IMAGE"],
        *group_products(b, fake_target_ids(b, keys=both))["IMAGE"],
    }


# -- scrubbing (§1.8, §1.9) ------------------------------------------------------------
def _frame(rows):
    return pd.DataFrame.from_dict(rows, orient="index")


def test_scrub_columns_grouping_and_encoding():
    rows = {f"b{i}": hdr(DETECTOR=f"NRCB{i}", CRVAL1=339.011 + i * 1e-3) for i in range(1, 5)}
    rows["s1"] = hdr(
        FILTER="F200W",
        DETECTOR="NRCA1",
        SUBARRAY="SUB400P",
        GS_MAG="NaN",
        BKGDTARG="T",
        CROWDFLD="NaN",
    )
    rows["m1"] = hdr(FILTER="F277W", DETECTOR="NRCA5", CHANNEL="LONG")
    rows["m2"] = hdr(FILTER="F277W", DETECTOR="NRCB5", CHANNEL="LONG")
    rows["c1"] = hdr(
        FILTER="F1140C",
        EXP_TYPE="MIR_4QPM",
        SUBARRAY="MASK1140",
        **{k: v for k, v in MIRI.items() if k != "EXP_TYPE"},
    )
    scrubber = JwstCalScrubber(data=_frame(rows), mode="df")
    img = scrubber.scrub_inputs("IMAGE")
    assert list(img.columns) == XCOLS
    b = img.loc["jw02732-o001_t1_nircam_clear-f150w"]
    assert b["detector"] == KEYPAIR_DATA["detector"]["NRCB-M"]
    assert b["nexposur"] == 4 and b["instr"] == 2 and b["pupil"] == 1 and b["bkgdtarg"] == 0
    s = img.loc["jw02732-o001_t1_nircam_clear-f200w-sub400p"]
    assert s["detector"] == KEYPAIR_DATA["detector"]["NRC-S"]
    assert s["subarray"] == KEYPAIR_DATA["subarray"]["SUB"]
    assert s["gs_mag"] == 0.0 and s["bkgdtarg"] == 1 and s["crowdfld"] == 0
    m = img.loc["jw02732-o001_t1_nircam_clear-f277w"]
    assert m["detector"] == KEYPAIR_DATA["detector"]["NRC-M"] and m["channel"] == 3
    tac = scrubber.scrub_inputs("tac")
    assert tac.loc["jw02732-o001_t1_miri_f1140c-mask1140", "subarray"] == 4
    assert scrubber.scrub_inputs("FGS") is None
    assert img["nexposur"].dtype == float and img["instr"].dtype.kind == "i"


def test_spec_nan_coordinates_are_skipped():
    spec = dict(
        EXP_TYPE="NRS_IFU",
        FILTER="F100LP",
        GRATING="G140H",
        FXD_SLIT="NONE",
        **{k: v for k, v in NIRSPEC.items() if k != "DETECTOR"},
    )
    rows = {
        "x_nrs1": hdr(DETECTOR="NRS1", RA_REF="NaN", **spec),
        "x_nrs2": hdr(DETECTOR="NRS2", **spec),
        "y_nrs1": hdr(
            DETECTOR="NRS1",
            RA_REF="NaN",
            DEC_REF="NaN",
            FILTER="F290LP",
            **{k: v for k, v in spec.items() if k != "FILTER"},
        ),
    }
    scrubber = JwstCalScrubber(data=_frame(rows), mode="df")
    out = scrubber.scrub_inputs("SPEC")
    assert list(out.index) == ["jw02732-o001_t1_nirspec_g140h-f100lp"]
    row = out.iloc[0]
    assert row["nexposur"] == 1 and row["detector"] == 16  # NRS2 only
    assert row["fxd_slit"] == "NONE"
    skipped = dict(scrubber.skipped)
    assert "invalid fiducial" in skipped["x_nrs1"] and "y_nrs1" in skipped
    assert scrubber.products["jw02732-o001_t1_nirspec_g140h-f100lp"] == ["x_nrs2"]


def test_unknown_category_warns_per_call_without_mutation():
    rows = {"a": hdr(FILTER="F999X"), "b": hdr(VISITYPE="PRIME_NEW_KIND", FILTER="F200W")}
    scrubber = JwstCalScrubber(data=_frame(rows), mode="df")
    for _ in range(2):
        with pytest.warns(UnknownCategoryWarning, match="F999X"):
            img = scrubber.scrub_inputs("IMAGE")
    assert img.loc["jw02732-o001_t1_nircam_clear-f999x", "filter"] == UNKNOWN_CODE["filter"] == 52
    assert "F999X" not in KEYPAIR_DATA["filter"]
    assert img.loc["jw02732-o001_t1_nircam_clear-f200w", "visitype"] == UNKNOWN_CODE["visitype"]
    with pytest.raises(TypeError):
        KEYPAIR_DATA["filter"]["F999X"] = 3


def test_headers_not_mutated_and_tac_nexposur():
    rows = {
        "t1": hdr(EXP_TYPE="NRC_TSIMAGE", TSOVISIT=True, NEXPOSUR=7),
        "t2": hdr(EXP_TYPE="NRC_TSIMAGE", TSOVISIT=True, NEXPOSUR=7, CRVAL1=339.02),
    }
    df = _frame(rows)
    heads = headers_from_dataframe(df)
    scrubber = JwstCalScrubber(data=df, mode="df")
    assert scrubber.exp_headers == heads  # NEXPOSUR kept, nothing added
    assert scrubber.scrub_inputs("TAC")["nexposur"].tolist() == [2.0]  # df mode: the count


def test_df_mode_handles_numbers_and_missing_columns():
    df = _frame({"a": hdr(PROGRAM=2732, OBSERVTN=1, CHANNEL="SHORT")}).drop(columns=["GS_MAG"])
    scrubber = JwstCalScrubber(data=df, mode="df")
    assert list(scrubber.products) == ["jw02732-o001_t1_nircam_clear-f150w"]
    assert scrubber.scrub_inputs("IMAGE")["gs_mag"].tolist() == [0.0]
    assert scrubber.flags == {} and scrubber.skipped == []
    df.loc["a", "PUPIL"] = None  # 1.1.4 named it ..._nircam_f150w, merging products
    with pytest.warns(SkippedInputWarning, match="PUPIL missing"):
        scrubber = JwstCalScrubber(data=df, mode="df")
    assert scrubber.products == {}
    assert scrubber.skipped[0][0] == "a" and "PUPIL missing" in scrubber.skipped[0][1]


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="mode"):
        JwstCalScrubber(data=pd.DataFrame(), mode="csv")
    with pytest.raises(InputError, match="needs `data`"):
        JwstCalScrubber(mode="df")
    with pytest.raises(InputError, match="EXP_TYPE"):
        JwstCalScrubber(data=pd.DataFrame({"A": [1]}), mode="df")
    with pytest.raises(InputError, match="does not exist"):
        JwstCalScrubber(tmp_path / "missing")
    with pytest.raises(InputError, match="No exposure files"):
        JwstCalScrubber(tmp_path)
    scrubber = JwstCalScrubber(data=_frame({"a": hdr()}), mode="df")
    with pytest.raises(InputError, match="exp_type"):
        scrubber.scrub_inputs("WFSS")


# -- FITS mode ------------------------------------------------------------------------
def test_fits_mode_equals_df_mode(tmp_path, uncal_writer):
    from spacekit.extractor.keywords.jwst_cal import GENKEYS

    rows = {
        "jw02732001001_02101_00001_nrcb1": hdr(),
        "jw02732001001_02101_00002_nrcb2": hdr(DETECTOR="NRCB2", CRVAL1=339.012),
        "jw02732005001_02101_00001_mirimage": hdr(OBSERVTN="005", FILTER="F1130W", **MIRI),
        "jw02732005001_02101_00002_mirimage": hdr(
            OBSERVTN="005", FILTER="F1130W", CRVAL2="bad", **MIRI
        ),
    }
    for key, h in rows.items():
        primary = {k: v for k, v in h.items() if k in GENKEYS and v != "NaN"}
        sci = {k: h[k] for k in ("RA_REF", "DEC_REF", "CRVAL1", "CRVAL2")}
        nans = [k for k, v in h.items() if v == "NaN"]
        uncal_writer(tmp_path / f"{key}_uncal.fits", primary=primary, sci=sci, drop=nans)
    (tmp_path / "jw02732005001_02101_00003_mirimage_uncal.fits").write_bytes(b"garbage")
    with pytest.warns(SkippedInputWarning):
        fits_mode = JwstCalScrubber(tmp_path, progress=False)
    df_mode = JwstCalScrubber(data=_frame(rows), mode="df")
    for mode in ("IMAGE", "SPEC"):
        a, b = fits_mode.scrub_inputs(mode), df_mode.scrub_inputs(mode)
        if a is None:
            assert b is None
            continue
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert len(fits_mode.skipped) == 2  # the garbage file and the bad-CRVAL2 exposure
    assert fits_mode.skipped[1][0].endswith("00002_mirimage_uncal.fits")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        JwstCalScrubber(tmp_path, pfx="jw02732001", progress=False)


def _truth_products(scrubber):
    return {
        name: (mode, len(exps))
        for mode, prods in scrubber.expdata.items()
        for name, exps in prods.items()
    }


@pytest.mark.parametrize("seed", [2, 11])
def test_products_match_simulator_truth(tmp_path, seed):
    from spacekit.datasets.jwst import simulate_jwst

    sim = simulate_jwst(tmp_path / "sim", n=60, seed=seed, progress=False)
    truth = {row.product: (row.exp_mode, row.n_exposures) for row in sim.products.itertuples()}
    fits_mode = JwstCalScrubber(tmp_path / "sim" / "uncal", progress=False)
    assert _truth_products(fits_mode) == truth
    raw = pd.concat(pd.read_csv(f, index_col="Dataset") for f in sim.metadata_files)
    level1 = raw[raw["DagNodeName"].str.contains("1")]
    df_mode = JwstCalScrubber(data=level1, mode="df")
    assert set(df_mode.products) == set(fits_mode.products)
    compared = 0
    for mode in ("IMAGE", "SPEC"):
        a, b = fits_mode.scrub_inputs(mode), df_mode.scrub_inputs(mode)
        n_truth = sum(m == mode for m, _ in truth.values())
        if n_truth == 0:  # this seed made no product of the mode: both modes agree
            assert a is None and b is None
            continue
        assert len(a) == len(b) == n_truth
        pd.testing.assert_frame_equal(a, b.loc[a.index], check_dtype=False)
        compared += 1
    assert compared >= 1


def test_packaged_sample_products_match_truth():
    from spacekit.datasets import get_sample_path

    folder = get_sample_path("jwst")
    truth = pd.read_csv(folder / "truth.csv")
    scrubber = JwstCalScrubber(folder / "uncal", progress=False)
    assert _truth_products(scrubber) == {
        row.product: (row.exp_mode, row.n_exposures) for row in truth.itertuples()
    }


def test_target_ids_do_not_depend_on_other_programs():
    own = {
        "a": hdr(TARG_RA=50.0, FILTER="F200W"),
        "b": hdr(TARG_RA=20.0, FILTER="F090W"),
    }
    other = {"c": hdr(PROGRAM="01111", TARG_RA=10.0), "d": hdr(PROGRAM="01111", TARG_RA=30.0)}
    alone = set(group_products(own)["IMAGE"])
    mixed = set(group_products({**own, **other})["IMAGE"])
    assert alone == {"jw02732-o001_t2_nircam_clear-f200w", "jw02732-o001_t1_nircam_clear-f090w"}
    assert alone <= mixed
    assert {"jw01111-o001_t1_nircam_clear-f150w", "jw01111-o001_t2_nircam_clear-f150w"} <= mixed


def test_wrongly_typed_values():
    rows = {
        "a": hdr(NUMDTHPT="four", BKGDTARG=1, GS_MAG="bright", TARG_RA="far", CROWDFLD="t"),
        "b": hdr(CRVAL1="339.5", CRVAL2=33.9),  # a string fiducial is not usable
    }
    with pytest.warns(FlaggedInputWarning, match="NUMDTHPT") as record:
        scrubber = JwstCalScrubber(data=_frame(rows), mode="df")
    assert "jw02732-o001_t0_nircam_clear-f150w" in str(record[0].message)
    assert scrubber.flags == {
        "jw02732-o001_t0_nircam_clear-f150w": [
            "GS_MAG outside [-10, 40] or not a number: treated as missing",
            "NUMDTHPT missing or not a count in 1-10000: the model input is 0",
            "TARG_RA/TARG_DEC missing or not a sky position: target offsets computed as 0",
        ]
    }
    row = scrubber.scrub_inputs("IMAGE").iloc[0]
    assert row["numdthpt"] == 0.0 and row["gs_mag"] == 0.0
    assert row["bkgdtarg"] == 1 and row["crowdfld"] == 1
    assert row["nexposur"] == 1
    assert row["targ_max_offset"] == 0.0  # target position unusable
    # "a" has no usable target position, so it is in a t0 product; "b"'s product is dropped
    assert [k for k, _ in scrubber.skipped] == ["b", "jw02732-o001_t1_nircam_clear-f150w"]
    assert list(scrubber.products) == ["jw02732-o001_t0_nircam_clear-f150w"]


def test_tac_nexposur_from_header_in_fits_mode(tmp_path, uncal_writer):
    tso = {"EXP_TYPE": "NRC_TSIMAGE", "TSOVISIT": True, "NEXPOSUR": 7, "SUBARRAY": "SUB64P"}
    for i in (1, 2):
        uncal_writer(tmp_path / f"jw02732001001_02101_0000{i}_nrca3_uncal.fits", primary=tso)
    scrubber = JwstCalScrubber(tmp_path, progress=False)
    tac = scrubber.scrub_inputs("TAC")
    assert list(tac.index) == ["jw02732-o001_t1_nircam_clear-f150w-sub64p"]
    assert tac["nexposur"].tolist() == [7.0]  # 1.1.4: header value at inference
    assert tac["subarray"].tolist() == [6]


def test_target_name_known_from_another_observation_groups_as_in_1_1_4():
    heads = {
        # obs 001: a moving-target visit puts "M31" in the name table
        "a": hdr(VISITYPE="PRIME_TARGETED_MOVING", TARGNAME="M31"),
        # obs 002: fixed-target exposures of "M31" at two RAs (same Dec) share the name id
        "b": hdr(OBSERVTN="002", TARGNAME="M31", TARG_RA=10.0, TARG_DEC=41.0),
        "c": hdr(OBSERVTN="002", TARGNAME="M31", TARG_RA=10.5, TARG_DEC=41.0),
    }
    groups = group_products(heads)["IMAGE"]
    assert groups["jw02732-o002_t1_nircam_clear-f150w"].keys() == {"b", "c"}
    assert "jw02732-o001_t1_nircam_clear-f150w" in groups


# -- review R1: spec details not covered above ---------------------------------------
def test_mrs_optelem_is_empty_even_with_a_filter_value():
    mrs = dict(EXP_TYPE="MIR_MRS", INSTRUME="MIRI", PUPIL="NaN", DETECTOR="MIRIFUSHORT")
    # §1.5: optelem is FILTER, "empty for MIR_MRS": only channel and band name the product
    got = spec_product_name(hdr(FILTER="F1000W", CHANNEL="12", BAND="MEDIUM", **mrs), "t1")
    assert got == ("SPEC", "jw02732-o001_t1_miri_ch1-medium")
    # other MIRI spectra keep the filter
    lrs = dict(mrs, EXP_TYPE="MIR_LRS-FIXEDSLIT", DETECTOR="MIRIMAGE")
    assert spec_product_name(hdr(FILTER="P750L", CHANNEL="NaN", **lrs), "t1")[1].endswith(
        "_miri_p750l"
    )


@pytest.mark.parametrize(
    "kw, expected",
    [
        (dict(FILTER="F480M", PUPIL="CLEARP", EXP_TYPE="NIS_IMAGE", **NIRISS), "clearp-f480m"),
        (dict(FILTER="F150W2", PUPIL="F162M"), "f150w2-f162m"),
        (dict(FILTER="F560W", **MIRI), "f560w"),
        (dict(FILTER="F444W", PUPIL="CLEAR", CHANNEL="LONG", DETECTOR="NRCALONG"), "clear-f444w"),
        (dict(FILTER="F200W", PUPIL="NaN"), "f200w"),
        (dict(FILTER="F200W", PUPIL="N/A", SUBARRAY="None"), "f200w"),
    ],
)
def test_image_optelem_per_instrument(kw, expected):
    mode, name = image_product_name(hdr(**kw), "t3")
    assert mode == "IMAGE" and name == f"jw02732-o001_t3_{hdr(**kw)['INSTRUME'].lower()}_{expected}"


def test_names_are_lower_case_and_keep_header_text():
    mode, name = spec_product_name(
        hdr(
            EXP_TYPE="NRS_FIXEDSLIT",
            FILTER="F290LP",
            GRATING="G395H",
            FXD_SLIT="S200A1",
            SUBARRAY="SUBS200A1",
            **NIRSPEC,
        ),
        "s000000001",
    )
    assert name == "jw02732-o001_s000000001_nirspec_f290lp-g395h-s200a1-subs200a1"
    assert name == name.lower()


def test_split_needs_distinct_unrounded_dec_and_a_fixed_first_exposure():
    tn = hdr(TARGNAME="IO", VISITYPE="PRIME_TARGETED_MOVING", FILTER="F444W")
    # TARG_DEC differ below 1e-6 deg: still two distinct values, so the product splits
    heads = {
        "a": hdr(TARGNAME="IO", TARG_RA=10.0, TARG_DEC=1.0),
        "b": hdr(TARGNAME="IO", TARG_RA=10.5, TARG_DEC=1.0000000001),
        "mv": tn,
    }
    assert {"jw02732-o001_t1x0_nircam_clear-f150w", "jw02732-o001_t1x1_nircam_clear-f150w"} <= set(
        group_products(heads)["IMAGE"]
    )
    # identical TARG_DEC: no split (RA alone is not enough)
    same_dec = {**heads, "b": hdr(TARGNAME="IO", TARG_RA=10.5, TARG_DEC=1.0)}
    assert "jw02732-o001_t1_nircam_clear-f150w" in group_products(same_dec)["IMAGE"]
    # first exposure not PRIME_TARGETED_FIXED: no split
    moving_first = {
        "a": hdr(TARGNAME="IO", TARG_RA=10.0, TARG_DEC=1.0, VISITYPE="PRIME_TARGETED_MOVING"),
        "b": hdr(TARGNAME="IO", TARG_RA=10.5, TARG_DEC=1.5),
    }
    assert list(group_products(moving_first)["IMAGE"]) == ["jw02732-o001_t1_nircam_clear-f150w"]


def test_categorical_nan_values_and_nircam_subarray_grouping():
    from spacekit.preprocessor.scrub_nan import (
        DTYPE_KEYS,
        NaNdler,
        group_nircam_detectors,
        group_subarrays,
    )

    df = pd.DataFrame(
        {
            "pupil": pd.Series(["N/A", "NaN", "NAN", "nan", None, "NONE", "CLEAR"], dtype=object),
            "detector": [
                "NRCA1",
                "NRCALONG",
                "NRCA1|NRCALONG",
                "NRCB1|NRCB4",
                "NRCALONG|NRCBLONG",
                "NRS1|NRS2",
                "MIRIMAGE",
            ],
            "subarray": ["MASK1065", "WFSS64R", "SUBSTRIP256", "FULL", "ALLSLITS", "SUB", "NaN"],
            "gs_mag": ["NaN", 12.5, "N/A", None, "14", 0, "x"],
            "fxd_slit": ["NaN"] * 7,
        }
    )
    out = group_subarrays(group_nircam_detectors(NaNdler(df, DTYPE_KEYS).apply_nandlers()))
    assert out["pupil"].tolist() == ["NONE"] * 6 + ["CLEAR"]
    assert out["detector"].tolist() == [
        "NRC-S",
        "NRC-S",
        "NRCA-M",
        "NRCB-M",
        "NRC-M",
        "NRS1|NRS2",
        "MIRIMAGE",
    ]
    assert out["subarray"].tolist() == ["MASK", "WFSS", "SUB", "FULL", "ALLSLITS", "SUB", "NONE"]
    assert out["gs_mag"].tolist() == [0.0, 12.5, 0.0, 0.0, 14.0, 0.0, 0.0]
    assert out["fxd_slit"].tolist() == ["NaN"] * 7  # not a typed column: kept raw
    # "None"/"none" are not NaN spellings for categories (1.1.4): they stay and are unknown
    odd = NaNdler(pd.DataFrame({"pupil": ["None", "none"]}), DTYPE_KEYS).apply_nandlers()
    assert odd["pupil"].tolist() == ["None", "none"]


def test_spec_scrub_columns_detector_join_and_band():
    nrs = dict(EXP_TYPE="NRS_IFU", FILTER="F290LP", GRATING="G395H", FXD_SLIT="NONE")
    rows = {
        "i1": hdr(
            DETECTOR="NRS2",
            RA_REF=10.0,
            DEC_REF=5.0,
            **nrs,
            **{k: v for k, v in NIRSPEC.items() if k != "DETECTOR"},
        ),
        "i2": hdr(
            DETECTOR="NRS1",
            RA_REF=10.0001,
            DEC_REF=5.0,
            **nrs,
            **{k: v for k, v in NIRSPEC.items() if k != "DETECTOR"},
        ),
    }
    spec = JwstCalScrubber(data=_frame(rows), mode="df").scrub_inputs("SPEC")
    assert list(spec.columns) == XCOLS
    row = spec.loc["jw02732-o001_t1_nirspec_g395h-f290lp"]
    assert row["detector"] == KEYPAIR_DATA["detector"]["NRS1|NRS2"] == 15
    assert row["band"] == 0 and row["channel"] == 0 and row["pupil"] == 0
    assert row["grating"] == 6 and row["exp_type"] == 19 and row["nexposur"] == 2


def test_background_exposures_form_their_own_product():
    rows = {
        "sci1": hdr(FILTER="F200W", CRVAL1=10.0, CRVAL2=1.0, TARG_RA=10.0, TARG_DEC=1.0),
        "sci2": hdr(FILTER="F200W", CRVAL1=10.001, CRVAL2=1.0, TARG_RA=10.0, TARG_DEC=1.0),
        "bkg1": hdr(
            FILTER="F200W", BKGDTARG=True, CRVAL1=10.3, CRVAL2=1.0, TARG_RA=10.3, TARG_DEC=1.0
        ),
    }
    img = JwstCalScrubber(data=_frame(rows), mode="df").scrub_inputs("IMAGE")
    assert img["bkgdtarg"].to_dict() == {
        "jw02732-o001_t1_nircam_clear-f200w": 0,
        "jw02732-o001_t2_nircam_clear-f200w": 1,
    }
    assert img["nexposur"].to_dict() == {
        "jw02732-o001_t1_nircam_clear-f200w": 2.0,
        "jw02732-o001_t2_nircam_clear-f200w": 1.0,
    }


def test_fiducial_keys_per_mode():
    # IMAGE: CRVAL1/2; SPEC and TAC (also image-like TSO/coronagraphy): RA_REF/DEC_REF
    tso = dict(EXP_TYPE="NRC_TSIMAGE", TSOVISIT=True, SUBARRAY="SUB64P")
    rows = {
        "img_ok": hdr(RA_REF="NaN", DEC_REF="NaN"),
        "tac_bad": hdr(CRVAL1=339.0, RA_REF="NaN", **tso),
        "tac_ok": hdr(CRVAL1="NaN", CRVAL2="NaN", **tso),
    }
    scrubber = JwstCalScrubber(data=_frame(rows), mode="df")
    assert list(scrubber.imgpix) == ["jw02732-o001_t1_nircam_clear-f150w"]
    assert scrubber.products["jw02732-o001_t1_nircam_clear-f150w-sub64p"] == ["tac_ok"]
    assert [k for k, _ in scrubber.skipped] == ["tac_bad"]
    tac = scrubber.tacpix["jw02732-o001_t1_nircam_clear-f150w-sub64p"]
    assert (tac["fx_ra"], tac["fy_dec"]) == pytest.approx((339.01, 33.95))


def test_dataframe_rows_are_taken_in_sorted_key_order():
    import pandas as pd

    from spacekit.preprocessor.scrub import headers_from_dataframe

    frame = pd.DataFrame(
        {"EXP_TYPE": ["NRC_IMAGE", "NRC_IMAGE", "NRC_IMAGE"], "TARG_RA": [3.0, 1.0, 2.0]},
        index=["jw01_c", "jw01_a", "jw01_b"],
    )
    headers = headers_from_dataframe(frame)
    assert list(headers) == ["jw01_a", "jw01_b", "jw01_c"]
    assert [h["TARG_RA"] for h in headers.values()] == [1.0, 2.0, 3.0]
