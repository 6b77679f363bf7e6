"""Constants of the JWST Level-3 memory model: keywords, feature columns and category codes.

This is the spacekit 1.1.4 import path of the tables. They live in the stages that use
them and are re-exported here unchanged:

- header keywords (:data:`GENKEYS`, :data:`SCIKEYS`):
  :mod:`spacekit.extractor.keywords.jwst_cal`;
- product types, feature columns and category codes (:data:`L3_TYPES`, :data:`EXPMODES`,
  :data:`COLUMN_ORDER`, :data:`NORM_COLS`, :data:`KEYPAIR_DATA`, :data:`UNKNOWN_CODE`):
  :mod:`spacekit.preprocessor.tables.jwst_cal`.

Every table is read-only (tuples and :class:`types.MappingProxyType`).

Examples
--------
>>> from spacekit.skopes.jwst.cal.config import GENKEYS, KEYPAIR_DATA
>>> GENKEYS[0], KEYPAIR_DATA["instr"]["MIRI"]
('PROGRAM', 1)
"""

from __future__ import annotations

from spacekit.extractor.keywords.jwst_cal import GENKEYS, SCIKEYS
from spacekit.preprocessor.tables.jwst_cal import (
    COLUMN_ORDER,
    EXPMODES,
    KEYPAIR_DATA,
    L3_TYPES,
    NORM_COLS,
    UNKNOWN_CODE,
)

__all__ = [
    "GENKEYS",
    "SCIKEYS",
    "L3_TYPES",
    "COLUMN_ORDER",
    "NORM_COLS",
    "KEYPAIR_DATA",
    "UNKNOWN_CODE",
    "EXPMODES",
]
