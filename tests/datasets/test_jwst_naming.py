"""Tests of the JWST file / product naming rules and the deterministic target ids."""

from __future__ import annotations

import pytest

from spacekit.datasets.jwst.naming import (
    dms_product_name,
    exposure_filename,
    exposure_key,
    group_products,
    product_name,
    target_id,
    target_id_tables,
)


def rec(**kw):
    base = {
        "PROGRAM": "02732",
        "OBSERVTN": "001",
        "VISIT": "005",
        "VISITGRP": "02",
        "SEQ_ID": "1",
        "ACT_ID": "03",
        "EXPOSURE": "00005",
        "DETECTOR": "NRCB1",
        "INSTRUME": "NIRCAM",
        "VISITYPE": "PRIME_TARGETED_FIXED",
        "TSOVISIT": False,
        "TARGNAME": "NGC 7320",
        "TARG_RA": 339.0,
        "TARG_DEC": 33.9,
        "GS_MAG": 15.0,
        "SUBARRAY": "FULL",
        "FXD_SLIT": "NONE",
        "GRATING": "N/A",
        "BAND": "N/A",
        "CHANNEL": "SHORT",
        "FILTER": "F150W",
        "PUPIL": "CLEAR",
        "EXP_TYPE": "NRC_IMAGE",
    }
    base.update(kw)
    return base


def test_exposure_filename_and_key():
    name = exposure_filename(rec())
    assert name == "jw02732001005_02103_00005_nrcb1_uncal.fits"
    assert exposure_key(name) == "jw02732001005_02103_00005_nrcb1"


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, ("jw02732-o001_t1_nircam_clear-f150w", "IMAGE")),
        ({"FILTER": "F150W2", "PUPIL": "F162M"}, ("jw02732-o001_t1_nircam_f150w2-f162m", "IMAGE")),
        ({"FILTER": "F444W", "PUPIL": "F405N"}, ("jw02732-o001_t1_nircam_f405n-f444w", "IMAGE")),
        ({"SUBARRAY": "SUB640"}, ("jw02732-o001_t1_nircam_clear-f150w-sub640", "IMAGE")),
        (
            {"EXP_TYPE": "NRC_TSIMAGE", "TSOVISIT": True, "PUPIL": "WLP8", "FILTER": "F210M"},
            ("jw02732-o001_t1_nircam_f210m-wlp8", "TAC"),
        ),
        (
            {
                "INSTRUME": "MIRI",
                "EXP_TYPE": "MIR_MRS",
                "FILTER": "N/A",
                "PUPIL": "N/A",
                "CHANNEL": "12",
                "BAND": "SHORT",
            },
            ("jw02732-o001_t1_miri_ch1-short", "SPEC"),
        ),
        (
            {
                "INSTRUME": "NIRSPEC",
                "EXP_TYPE": "NRS_FIXEDSLIT",
                "FILTER": "F100LP",
                "GRATING": "G140H",
                "PUPIL": "N/A",
                "FXD_SLIT": "S200A2",
                "SUBARRAY": "ALLSLITS",
            },
            ("jw02732-o001_s000000001_nirspec_f100lp-g140h-s200a2-allslits", "SPEC"),
        ),
        (
            {
                "INSTRUME": "NIRSPEC",
                "EXP_TYPE": "NRS_IFU",
                "FILTER": "F100LP",
                "GRATING": "G140H",
                "PUPIL": "N/A",
            },
            ("jw02732-o001_t1_nirspec_g140h-f100lp", "SPEC"),
        ),
        (
            {"EXP_TYPE": "NRC_CORON", "PUPIL": "MASKRND", "FILTER": "F210M"},
            ("jw02732-o001_t1_nircam_maskrnd-f210m-image3", "TAC"),
        ),
        (
            {"EXP_TYPE": "NRC_WFSS", "PUPIL": "GRISMR", "FILTER": "F444W"},
            ("jw02732-o001_s000000001_nircam_f444w-grismr", "SPEC"),
        ),
        (
            {"INSTRUME": "NIRISS", "EXP_TYPE": "NIS_WFSS", "PUPIL": "F150W", "FILTER": "GR150R"},
            ("jw02732-o001_s000000001_niriss_f150w-gr150r", "SPEC"),
        ),
        (
            {
                "INSTRUME": "NIRSPEC",
                "EXP_TYPE": "NRS_BRIGHTOBJ",
                "FILTER": "CLEAR",
                "GRATING": "PRISM",
                "PUPIL": "N/A",
                "FXD_SLIT": "S1600A1",
                "SUBARRAY": "SUB512",
                "TSOVISIT": True,
            },
            ("jw02732-o001_t1_nirspec_clear-prism-sub512", "TAC"),
        ),
        (
            {"INSTRUME": "FGS", "EXP_TYPE": "FGS_IMAGE", "FILTER": "N/A", "PUPIL": "N/A"},
            ("jw02732-o001_t1_fgs_", "FGS"),
        ),
        (
            {
                "VISITYPE": "PRIME_WFSC_SENSING_ONLY",
                "PUPIL": "WLM8",
                "FILTER": "F212N",
                "DETECTOR": "NRCA1",
            },
            ("jw02732-o001_t1_nircam_f212n-wlm8-nrca1", "IMAGE"),
        ),
    ],
)
def test_product_names_follow_114_rule(kw, expected):
    r = rec(**kw)
    assert product_name(r, target_id(r, target_id_tables([r]))) == expected


def test_products_without_level3():
    assert product_name(rec(EXP_TYPE="NRC_TACQ"), "t1") is None
    assert (
        product_name(rec(INSTRUME="MIRI", EXP_TYPE="MIR_LRS-SLITLESS", FILTER="P750L"), "t1")
        is None
    )
    wfsc_ta = rec(VISITYPE="PRIME_WFSC_ROUTINE", SUBARRAY="SUB8FP1A")
    assert product_name(wfsc_ta, "t1") is None


def test_target_ids_sorted_by_ra_then_dec_per_observation():
    recs = [
        rec(TARG_RA=200.0, TARGNAME="B", EXPOSURE="00001"),
        rec(TARG_RA=100.0, TARGNAME="A", EXPOSURE="00002"),
        rec(TARG_RA=100.0, TARGNAME="A", OBSERVTN="002", EXPOSURE="00003"),
    ]
    tables = target_id_tables(recs)
    assert [target_id(r, tables) for r in recs] == ["t2", "t1", "t1"]
    # input order does not matter
    tables_rev = target_id_tables(list(reversed(recs)))
    assert [target_id(r, tables_rev) for r in recs] == ["t2", "t1", "t1"]


def test_target_ids_for_other_visit_types():
    moving = rec(VISITYPE="PRIME_TARGETED_MOVING", TARGNAME="JUPITER", TARG_RA=10.0)
    moved = dict(moving, TARG_RA=10.01, EXPOSURE="00006")
    untargeted = rec(VISITYPE="PRIME_UNTARGETED", TARGNAME=None, GS_MAG=16.5, OBSERVTN="003")
    pure = rec(VISITYPE="PARALLEL_PURE", TARGNAME=None, OBSERVTN="004")
    pure_wfss = dict(pure, EXP_TYPE="NIS_WFSS", INSTRUME="NIRISS")
    recs = [moving, moved, untargeted, pure, pure_wfss]
    tables = target_id_tables(recs)
    assert [target_id(r, tables) for r in recs] == ["t1", "t1", "t1", "t0", "t0"]


def test_group_products_collects_members():
    recs = [rec(DETECTOR=d, EXPOSURE=e) for d in ("NRCB1", "NRCB2") for e in ("00001", "00002")]
    recs.append(rec(EXP_TYPE="NRC_TACQ"))
    products = group_products(recs)
    assert list(products) == ["jw02732-o001_t1_nircam_clear-f150w"]
    assert len(products["jw02732-o001_t1_nircam_clear-f150w"]["members"]) == 4


def test_dms_product_name():
    assert dms_product_name("jw02732-o001_t1_nircam_clear-f150w") == (
        "jw02732-o001_t001_nircam_clear-f150w"
    )
    assert dms_product_name("jw01-o001_s000000001_nirspec_x") == "jw01-o001_s000000001_nirspec_x"
