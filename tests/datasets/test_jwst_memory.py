"""Tests of the ground-truth Level-3 memory model of the JWST simulator."""

from __future__ import annotations

import numpy as np
import pytest

from spacekit.datasets.jwst.memory import OVERHEAD_GB, footprint_pixels, product_memory_gb


def member(i=0, dx=0.0, dy=0.0, **kw):
    base = {
        "EXP_TYPE": "NRC_IMAGE",
        "SUBSIZE1": 2048,
        "SUBSIZE2": 2048,
        "NINTS": 1,
        "_dx": dx,
        "_dy": dy,
        "_scale": 0.031,
        "_n_sources": 1,
        "VISIT": "001",
        "ACT_ID": "01",
        "EXPOSURE": f"{i:05d}",
        "SEQ_ID": "1",
        "CROWDFLD": False,
        "GRATING": "G140H",
        "BAND": "SHORT",
    }
    base.update(kw)
    return base


def test_more_exposures_cost_more():
    few = [member(i) for i in range(2)]
    many = [member(i) for i in range(20)]
    assert product_memory_gb(many, "IMAGE") > product_memory_gb(few, "IMAGE")


def test_mosaic_area_grows_memory():
    compact = [member(i, dx=i * 0.5) for i in range(4)]
    mosaic = [member(i, dx=(i % 2) * 120.0, dy=(i // 2) * 120.0) for i in range(4)]
    assert footprint_pixels(mosaic) > 3 * footprint_pixels(compact)
    assert product_memory_gb(mosaic, "IMAGE") > product_memory_gb(compact, "IMAGE")


def test_subarray_costs_less():
    full = [member(i) for i in range(4)]
    sub = [member(i, SUBSIZE1=160, SUBSIZE2=160) for i in range(4)]
    assert product_memory_gb(sub, "IMAGE") < product_memory_gb(full, "IMAGE")


def test_tso_scales_with_integrations():
    def tso(nints):
        return [member(0, EXP_TYPE="NRC_TSGRISM", SUBSIZE1=2048, SUBSIZE2=64, NINTS=nints)]

    small, big = product_memory_gb(tso(100), "TAC"), product_memory_gb(tso(1000), "TAC")
    assert (big - OVERHEAD_GB) == pytest.approx(10 * (small - OVERHEAD_GB), rel=1e-3)


def test_cubes_cost_more_than_images():
    ifu = [member(i, EXP_TYPE="NRS_IFU", _scale=0.1) for i in range(4)]
    img = [member(i, _scale=0.1) for i in range(4)]
    assert product_memory_gb(ifu, "SPEC") > product_memory_gb(img, "IMAGE")


def test_source_count_matters_for_wfss():
    few = [member(i, EXP_TYPE="NRC_WFSS", _n_sources=10) for i in range(4)]
    many = [dict(m, _n_sources=2000) for m in few]
    assert product_memory_gb(many, "SPEC") > 2 * product_memory_gb(few, "SPEC")


def test_noise_is_lognormal_and_seeded():
    members = [member(i) for i in range(4)]
    clean = product_memory_gb(members, "IMAGE")
    draws = [product_memory_gb(members, "IMAGE", np.random.default_rng(s)) for s in range(200)]
    ratio = np.log(np.array(draws) / clean)
    assert abs(ratio.mean()) < 0.05 and 0.1 < ratio.std() < 0.2
    assert product_memory_gb(members, "IMAGE", np.random.default_rng(1)) == draws[1]
