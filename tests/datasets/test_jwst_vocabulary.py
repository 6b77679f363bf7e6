"""Keyword vocabulary of the JWST simulator: the frozen table and stdatamodels validation."""

from __future__ import annotations

import numpy as np
import pytest

from spacekit.datasets.jwst.exposures import expand_exposures, plan_programs
from spacekit.datasets.jwst.templates import TEMPLATES
from spacekit.datasets.jwst.vocabulary import allowed_values, check_header, vocabulary


@pytest.fixture(scope="module")
def all_template_records():
    """A few observations of every template (no files written)."""
    rng = np.random.default_rng(5)
    plans = []
    for name in TEMPLATES:
        for program, obs, observation in plan_programs(rng, 30, [name]):
            plans.append((program, obs, observation))
    return expand_exposures(plans, rng, 61045.0, 2)


def test_frozen_table_has_the_scraped_keywords():
    table = vocabulary()
    assert table["source"].startswith("stdatamodels")
    for key in [
        "INSTRUME",
        "DETECTOR",
        "EXP_TYPE",
        "FILTER",
        "PUPIL",
        "SUBARRAY",
        "READPATT",
        "VISITYPE",
        "BAND",
        "CHANNEL",
        "GRATING",
        "FXD_SLIT",
    ]:
        assert allowed_values(key), key
    assert table["keywords"]["RA_REF"]["hdu"] == "SCI"


def test_every_template_writes_schema_values(all_template_records):
    assert {r["_template"] for r in all_template_records} == set(TEMPLATES)
    for rec in all_template_records:
        header = {k: v for k, v in rec.items() if not k.startswith("_")}
        assert check_header(header) == [], (rec["_template"], check_header(header))


def test_check_header_reports_problems():
    problems = check_header({"FILTER": "BOGUS", "NINTS": "3", "TSOVISIT": 1, "NGROUPS": True})
    assert len(problems) == 4
    assert any("FILTER='BOGUS'" in p for p in problems)


def test_frozen_values_are_in_installed_schema(all_template_records):
    """Every value the simulator writes is allowed by the installed stdatamodels schema."""
    pytest.importorskip("stdatamodels")
    import importlib.resources

    import yaml

    schemas = importlib.resources.files("stdatamodels.jwst.datamodels") / "schemas"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    core = yaml.load((schemas / "core.schema.yaml").read_text(), Loader=loader)  # noqa: S506

    def find(node, kw):
        if isinstance(node, dict):
            if node.get("fits_keyword") == kw:
                return node
            nodes = node.values()
        elif isinstance(node, list):
            nodes = node
        else:
            return None
        for child in nodes:
            hit = find(child, kw)
            if hit is not None:
                return hit
        return None

    for key in [
        "INSTRUME",
        "DETECTOR",
        "EXP_TYPE",
        "FILTER",
        "PUPIL",
        "SUBARRAY",
        "READPATT",
        "VISITYPE",
        "CHANNEL",
        "BAND",
        "GRATING",
        "FXD_SLIT",
        "PATTTYPE",
    ]:
        node = find(core, key)
        enum = node.get("enum") or [v for sub in node.get("anyOf", []) for v in sub.get("enum", [])]
        used = {r[key] for r in all_template_records if key in r}
        assert used <= set(enum), (key, used - set(enum))


def _validate_with_stdatamodels(tmp_path, names):
    pytest.importorskip("stdatamodels")
    from stdatamodels.jwst import datamodels

    from spacekit.datasets.jwst.fitsfile import write_uncal
    from spacekit.datasets.jwst.naming import exposure_filename

    rng = np.random.default_rng(9)
    for name in names:
        plans = plan_programs(rng, 4, [name])[:1]
        rec = [r for r in expand_exposures(plans, rng, 61045.0, 1) if not r["_is_ta"]][0]
        path = write_uncal(rec, tmp_path / exposure_filename(rec))
        with datamodels.Level1bModel(str(path), strict_validation=True) as model:
            model.validate()
            assert model.meta.exposure.type == rec["EXP_TYPE"]
            assert model.meta.subarray.xsize == rec["SUBSIZE1"]
            assert model.meta.wcsinfo.ra_ref == pytest.approx(rec["RA_REF"])
            assert model.meta.visit.tsovisit is rec["TSOVISIT"]
            assert model.data.shape == (1, 1, 8, 8)


@pytest.mark.slow
def test_files_pass_stdatamodels_validation(tmp_path):
    """Open one simulated file per template as Level1bModel with strict schema validation.

    Slow only because importing stdatamodels/asdf and resolving the schemas takes ~7 s.
    """
    _validate_with_stdatamodels(tmp_path, list(TEMPLATES))
