"""The frozen JWST keyword vocabulary (from the stdatamodels DMS schemas).

``data/vocabulary.json`` is made by ``tools/make_jwst_vocabulary.py`` from the YAML schemas
shipped in stdatamodels (``core.schema.yaml`` and ``wcsinfo.schema.yaml``). For each header
keyword the simulator writes it records the datamodel path (``meta.instrument.filter``), the
JSON type (``string``, ``integer``, ``number``, ``boolean``), the HDU and, where the schema
has one, the enum of allowed values. Nothing here imports stdatamodels.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["vocabulary", "allowed_values", "check_header"]

_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """Return the frozen vocabulary table (``{"source", "keywords": {KW: spec}}``)."""
    text = (resources.files("spacekit.datasets.jwst") / "data" / "vocabulary.json").read_text()
    return json.loads(text)


def allowed_values(keyword: str) -> list | None:
    """Return the schema enum of ``keyword``, or None when the schema has no enum.

    Parameters
    ----------
    keyword : str
        FITS keyword, e.g. ``"FILTER"``.

    Returns
    -------
    list or None
        Allowed values, in schema order.

    Raises
    ------
    KeyError
        If the keyword is not in the frozen table.
    """
    return vocabulary()["keywords"][keyword.upper()]["enum"]


def check_header(header: dict[str, Any]) -> list[str]:
    """List the problems of ``header`` against the frozen vocabulary (empty list: valid).

    Checks the Python type of every known keyword (``bool`` is not accepted as an
    integer, an ``int`` is accepted as a number) and membership in the enum where the
    schema defines one. Unknown keywords are ignored.

    Parameters
    ----------
    header : dict
        Keyword -> value, e.g. a primary header as a dict.

    Returns
    -------
    list of str
        One human-readable message per problem.
    """
    problems = []
    specs = vocabulary()["keywords"]
    for key, value in header.items():
        spec = specs.get(key)
        if spec is None:
            continue
        types = _PY_TYPES.get(spec["type"] or "", (object,))
        bad_bool = isinstance(value, bool) and spec["type"] in ("integer", "number")
        if bad_bool or not isinstance(value, types):
            problems.append(
                f"{key}={value!r}: expected a {spec['type']} ({spec['path']}), "
                f"got {type(value).__name__}"
            )
            continue
        enum = spec["enum"]
        if enum is not None and value not in enum:
            problems.append(f"{key}={value!r}: not one of the {len(enum)} schema values")
    return problems
