"""Parse untrusted JSON with a bounded nesting depth and one clear error type.

:func:`json.loads` recurses once per nesting level, so ``"[" * 100_000`` raises a
``RecursionError`` (or, with a raised recursion limit, can crash the interpreter). Here
the depth is measured first with a linear, non-recursive scan, and anything deeper than
``max_depth`` is refused with the caller's exception class before :mod:`json` sees it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from spacekit.exceptions import DataError

__all__ = ["MAX_JSON_DEPTH", "json_depth", "loads_bounded", "read_json_file"]

#: Default deepest nesting accepted (spacekit's own files nest fewer than 15 levels).
MAX_JSON_DEPTH = 100

#: a JSON string (skipped whole, so brackets inside strings do not count) or a bracket
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth(text: str | bytes, stop_above: int | None = None) -> int:
    """Deepest ``[``/``{`` nesting of a JSON text, strings ignored (linear time).

    With ``stop_above``, the scan stops as soon as the depth exceeds it.

    Examples
    --------
    >>> json_depth('{"a": [1, [2, "]]]"]]}'), json_depth("[" * 5)
    (3, 5)
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    depth = best = 0
    for match in _TOKEN.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > best:
                best = depth
                if stop_above is not None and best > stop_above:
                    break
        elif token in (b"]", b"}"):
            depth -= 1
    return best


def loads_bounded(
    text: str | bytes,
    where: str = "JSON",
    max_depth: int = MAX_JSON_DEPTH,
    error: type[Exception] = DataError,
    allow_nan: bool = False,
) -> Any:
    """:func:`json.loads` that refuses deep nesting and invalid JSON with ``error``.

    Parameters
    ----------
    text : str or bytes
        The JSON document (bytes are decoded as UTF-8).
    where : str, default="JSON"
        Names the document in error messages (a file path, "the request body"...).
    max_depth : int, default=MAX_JSON_DEPTH
        Deepest nesting of arrays and objects accepted.
    error : exception class, default=DataError
        Raised for invalid or too deeply nested JSON.
    allow_nan : bool, default=False
        Accept the non-standard ``NaN``/``Infinity`` literals (refused by default).

    Returns
    -------
    object
        The parsed document.
    """
    depth = json_depth(text, stop_above=max_depth)
    if depth > max_depth:
        raise error(
            f"{where} nests arrays/objects more than {max_depth} levels deep, the most "
            "accepted; it is not data spacekit reads."
        )
    try:
        return json.loads(text, parse_constant=None if allow_nan else _no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise error(f"{where} is not valid JSON: {exc}") from exc


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def read_json_file(
    path: str | os.PathLike,
    max_depth: int = MAX_JSON_DEPTH,
    error: type[Exception] = DataError,
    max_bytes: int | None = None,
    allow_nan: bool = False,
) -> Any:
    """Read and parse a JSON file with :func:`loads_bounded`.

    Raises ``error`` when the file cannot be read, is larger than ``max_bytes``, or is not
    valid JSON of at most ``max_depth`` levels; the message names the file.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise error(f"'{path}' is {size} bytes; at most {max_bytes} are read.")
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"Cannot read '{path}': {exc.strerror or exc}") from exc
    return loads_bounded(
        data, where=f"'{path}'", max_depth=max_depth, error=error, allow_nan=allow_nan
    )
