"""Freeze the JWST keyword vocabulary used by the simulator from the stdatamodels schemas.

Usage (from the repository root, with ``stdatamodels`` installed)::

    python tools/make_jwst_vocabulary.py

It walks ``stdatamodels/jwst/datamodels/schemas/*.schema.yaml`` (plain YAML, nothing is
imported from stdatamodels itself), finds every node carrying a ``fits_keyword`` the
simulator writes, and stores its schema path, JSON type and enum (when there is one) in
``src/spacekit/datasets/jwst/data/vocabulary.json``. The package reads only that JSON at run
time, so stdatamodels stays an optional (test) dependency.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "spacekit" / "datasets" / "jwst" / "data" / "vocabulary.json"

#: Keywords (primary header unless listed in SCI_KEYWORDS) written by the simulator.
KEYWORDS = (
    "DATE FILENAME TELESCOP ORIGIN PROGRAM OBSERVTN VISIT VISITGRP SEQ_ID ACT_ID EXPOSURE "
    "OBS_ID VISIT_ID TEMPLATE OBSLABEL EXPRIPAR BKGDTARG TARGPROP TARGNAME TARGTYPE TARG_RA "
    "TARG_DEC SRCTYAPT INSTRUME DETECTOR MODULE CHANNEL FILTER PUPIL GRATING FXD_SLIT BAND "
    "CORONMSK EXP_TYPE EXPSTART EXPEND DATE-OBS TIME-OBS READPATT NOUTPUTS NINTS NGROUPS "
    "NFRAMES GROUPGAP TFRAME TGROUP EFFINTTM EFFEXPTM DURATION ZEROFRAM DATAPROB IS_IMPRT "
    "NEXPOSUR TSOVISIT VISITYPE VISITSTA CROWDFLD SUBARRAY SUBSTRT1 SUBSTRT2 SUBSIZE1 "
    "SUBSIZE2 FASTAXIS SLOWAXIS PATTTYPE PATT_NUM NUMDTHPT PATTSIZE GS_RA GS_DEC GS_MAG"
).split()
SCI_KEYWORDS = ("RA_REF", "DEC_REF", "ROLL_REF", "V2_REF", "V3_REF", "CRVAL1", "CRVAL2")


def _enum(node: dict) -> list | None:
    if "enum" in node:
        return list(node["enum"])
    values: list = []
    for key in ("anyOf", "oneOf"):
        for sub in node.get(key, []) or []:
            if isinstance(sub, dict) and "enum" in sub:
                values.extend(sub["enum"])
    return values or None


def _walk(node, path: list[str], found: dict, wanted: set[str]) -> None:
    if isinstance(node, dict):
        kw = node.get("fits_keyword")
        if kw in wanted and kw not in found:
            meta_path = ".".join(p for p in path if p != "properties" and p != "allOf")
            found[kw] = {
                "path": meta_path,
                "type": node.get("type"),
                "hdu": node.get("fits_hdu", "PRIMARY"),
                "enum": _enum(node),
            }
        for key, value in node.items():
            _walk(value, [*path, str(key)], found, wanted)
    elif isinstance(node, list):
        for value in node:
            _walk(value, path, found, wanted)


def main() -> None:
    schemas = importlib.resources.files("stdatamodels.jwst.datamodels") / "schemas"
    wanted = set(KEYWORDS) | set(SCI_KEYWORDS)
    found: dict[str, dict] = {}
    # The SCI-header WCS keywords from wcsinfo (ROLL_REF etc. also exist as guide-star
    # keywords in core), then everything else from core.schema.yaml (it holds the enums).
    _walk(
        yaml.safe_load((schemas / "wcsinfo.schema.yaml").read_text()), [], found, set(SCI_KEYWORDS)
    )
    _walk(yaml.safe_load((schemas / "core.schema.yaml").read_text()), [], found, wanted)
    missing = sorted(wanted - set(found))
    table = {
        "source": "stdatamodels {} schemas (core.schema.yaml, wcsinfo.schema.yaml)".format(
            importlib.metadata.version("stdatamodels")
        ),
        "licence": "BSD-3-Clause (stdatamodels); values are the DMS keyword vocabulary",
        "keywords": {kw: found[kw] for kw in [*KEYWORDS, *SCI_KEYWORDS] if kw in found},
        "not_in_schema": missing,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(table, indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUT} ({len(table['keywords'])} keywords; not in schema: {missing})")


if __name__ == "__main__":
    main()
