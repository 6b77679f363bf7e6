"""Fast FITS header-card reader: one open per file, only the cards that are asked for.

A FITS file is a sequence of HDUs; each starts with a header of 80-character cards in
2880-byte blocks that ends with an ``END`` card, followed by its data padded to 2880
bytes. :func:`read_fits_cards` reads the primary header blocks, skips the primary data
using ``BITPIX``/``NAXISn``, reads the extension-1 header blocks, and parses the values of
the requested cards only. Values of the usual forms (quoted strings, ``T``/``F``, integers,
floats) are parsed here with the same results as :class:`astropy.io.fits.Card`; anything
else is handed to astropy's card parser. gzip and bzip2 files are read through a
decompressing stream. Files this reader does not handle (tile-compressed images, random
groups, long ``CONTINUE`` strings) raise :class:`NeedsAstropy` once their headers have been
found, and the caller falls back to :func:`astropy.io.fits.open`.

Headers are scanned in linear time and at most :data:`MAX_HEADER_BYTES` are read looking
for the ``END`` card: a file without one (corrupt, or not FITS) fails with a
:class:`FitsReadError` saying so, after a few milliseconds, instead of being read whole.

This module imports only the standard library, so worker processes start quickly; astropy
is imported when a card needs it.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import os
import re
import zlib

__all__ = [
    "MAX_HEADER_BYTES",
    "FitsReadError",
    "NeedsAstropy",
    "MISSING",
    "parse_card_value",
    "read_fits_cards",
    "read_fits_cards_astropy",
    "read_primary_cards",
]

BLOCK = 2880
CARD = 80
_END_CARD = b"END" + b" " * 77
_FIRST_READ = BLOCK * 12
_MORE_READ = BLOCK * 96
#: Most bytes read looking for the END card of one header (5,825 blocks, 209,700 cards;
#: real JWST headers are 20-100 KB).
MAX_HEADER_BYTES = BLOCK * 5825
#: Most decompressed bytes skipped to reach the extension-1 header of a gzip/bzip2 file.
MAX_COMPRESSED_SKIP = 1024**3

#: Stored for a keyword that is absent from the header, as spacekit 1.1.4 does.
MISSING = "NaN"

_STR_RE = re.compile(r"'((?:[^']|'')*)'\s*(?:/.*)?$", re.DOTALL)
_INT_RE = re.compile(r"[+-]?\d+")
_FLT_RE = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
_GEOMETRY = ("BITPIX", "NAXIS", "PCOUNT", "GCOUNT", "GROUPS", "ZIMAGE")
_GEOMETRY_SET = frozenset(_GEOMETRY + tuple(f"NAXIS{i}" for i in range(1, 10)))


class FitsReadError(Exception):
    """The file is not a readable FITS file; ``str(exc)`` is the reason."""


class NeedsAstropy(Exception):
    """The file is valid-looking FITS that the raw reader leaves to astropy."""


def _astropy_value(card: str):
    from astropy.io import fits

    value = fits.Card.fromstring(card).value
    if isinstance(value, fits.card.Undefined):
        return MISSING
    return value


def parse_card_value(card: str):
    """Return the value of one 80-character header card, typed as astropy types it.

    Parameters
    ----------
    card : str
        The card image (80 characters, keyword in columns 1-8, ``"= "`` in 9-10).

    Returns
    -------
    str, bool, int, float or complex
        Strings lose trailing blanks, ``''`` becomes ``'``; an undefined value is ``"NaN"``.

    Raises
    ------
    ValueError
        If astropy cannot parse the card either (e.g. ``KEY = NaN`` unquoted).
    """
    if card[8:10] != "= " or not card.isascii():
        return _astropy_value(card)
    rest = card[10:].lstrip()
    if rest.startswith("'"):
        m = _STR_RE.match(rest)
        if m is None:
            return _astropy_value(card)
        return m.group(1).replace("''", "'").rstrip()
    token = rest.split("/", 1)[0].strip()
    if token == "T":
        return True
    if token == "F":
        return False
    if _INT_RE.fullmatch(token):
        return int(token)
    if _FLT_RE.fullmatch(token):
        return float(token)
    return _astropy_value(card)


def _find_end(chunk: bytes, base: int) -> int:
    """Index in ``chunk`` (which starts at stream offset ``base``) of a card-aligned END."""
    idx = chunk.find(_END_CARD)
    while idx >= 0 and (base + idx) % CARD:
        idx = chunk.find(_END_CARD, idx + 1)
    return idx


def _header_end(fh, start: int, first: bytes) -> tuple[str, int]:
    """Return (header text up to END, header length in bytes) for the HDU at ``start``.

    Each chunk read is searched once (linear time); at most :data:`MAX_HEADER_BYTES` are
    read. Reads are whole cards (multiples of 2880 bytes), so an END card never spans two
    chunks except after a short read, which only happens at the end of the file.
    """
    chunks, size, chunk = [first], len(first), first
    base = 0
    while True:
        idx = _find_end(chunk, base)
        if idx >= 0:
            end = base + idx
            text = b"".join(chunks)[:end].decode("latin-1")
            return text, (end // BLOCK + 1) * BLOCK
        if size >= MAX_HEADER_BYTES:
            raise FitsReadError(
                f"no END card in the first {MAX_HEADER_BYTES} bytes of the header at byte "
                f"{start}: the header is corrupt or this is not a FITS file (headers larger "
                f"than {MAX_HEADER_BYTES // CARD} cards are not read)"
            )
        more = fh.read(min(_MORE_READ, MAX_HEADER_BYTES - size))
        if not more:
            raise FitsReadError(f"truncated FITS file: no END card in the header at byte {start}")
        base, chunk = size, more
        chunks.append(more)
        size += len(more)


_WANTED_CACHE: dict[tuple[str, ...], dict[str, str]] = {}


def _wanted(keys: tuple[str, ...]) -> dict[str, str]:
    """``{keyword padded to 8: keyword}`` for the keys plus the HDU geometry keywords."""
    table = _WANTED_CACHE.get(keys)
    if table is None:
        allkeys = keys + _GEOMETRY + tuple(f"NAXIS{i}" for i in range(1, 10))
        table = _WANTED_CACHE[keys] = {k.ljust(8): k for k in allkeys}
    return table


def _cards(text: str, wanted8: dict[str, str]) -> dict[str, str]:
    """Map each wanted keyword to its first card image in ``text``."""
    found: dict[str, str] = {}
    get = wanted8.get
    for i in range(0, len(text), CARD):
        key = get(text[i : i + 8])
        if key is not None and key not in found:
            found[key] = text[i : i + CARD]
    return found


def _geometry_value(card: str):
    """Integer/logical value of a geometry card (fast path for the fixed format)."""
    token = card[10:].split("/", 1)[0].strip()
    if _INT_RE.fullmatch(token):
        return int(token)
    return parse_card_value(card)


def _data_size(geo: dict[str, object], primary: bool) -> int:
    """Bytes of data (unpadded) that follow a header with geometry values ``geo``."""
    naxis = geo.get("NAXIS", 0)
    bitpix = geo.get("BITPIX")
    if not isinstance(naxis, int) or not isinstance(bitpix, int) or bitpix == 0:
        raise FitsReadError("invalid FITS header: BITPIX/NAXIS missing or not integers")
    if naxis == 0:
        return 0
    size = 1
    for i in range(1, naxis + 1):
        n = geo.get(f"NAXIS{i}")
        if not isinstance(n, int) or n < 0:
            raise FitsReadError(f"invalid FITS header: NAXIS{i} missing or negative")
        size *= n
    if primary:
        return abs(bitpix) // 8 * size
    pcount = geo.get("PCOUNT", 0)
    gcount = geo.get("GCOUNT", 1)
    if not isinstance(pcount, int) or not isinstance(gcount, int):
        raise FitsReadError("invalid FITS header: PCOUNT/GCOUNT not integers")
    return abs(bitpix) // 8 * gcount * (pcount + size)


def _read_hdu(fh, start: int, keys: tuple[str, ...], primary: bool, file_size: int | None):
    """Read the header at ``start``; return (values of ``keys``, offset of the next HDU).

    ``file_size`` is None for a decompressing stream (the size is not known in advance).
    """
    if file_size is None and start > MAX_COMPRESSED_SKIP:
        raise FitsReadError(
            f"the extension-1 header of this compressed file starts at byte {start}, past "
            f"the {MAX_COMPRESSED_SKIP}-byte limit; decompress it first"
        )
    fh.seek(start)
    first = fh.read(_FIRST_READ)
    if primary:
        if not first.startswith(b"SIMPLE  ="):
            raise FitsReadError("not a FITS file (no SIMPLE card)")
    elif not first:
        raise FitsReadError("no extension 1 (SCI) header: the file has only a primary HDU")
    elif not first.startswith(b"XTENSION="):
        raise FitsReadError(f"truncated or corrupt FITS file: no XTENSION card at byte {start}")
    text, n_bytes = _header_end(fh, start, first)
    cards = _cards(text, _wanted(keys))
    geo = {k: _geometry_value(c) for k, c in cards.items() if k in _GEOMETRY_SET}
    if geo.get("GROUPS") is True or geo.get("ZIMAGE") is True:
        raise NeedsAstropy("random groups or tile-compressed image")
    data_end = start + n_bytes + _data_size(geo, primary)
    if file_size is not None and data_end > file_size:
        raise FitsReadError(
            f"truncated FITS file: {file_size} bytes, but the HDU at byte {start} needs {data_end}"
        )
    values = {}
    for key in keys:
        card = cards.get(key)
        if card is None:
            values[key] = MISSING
            continue
        value = parse_card_value(card)
        if isinstance(value, str) and value.endswith("&"):
            raise NeedsAstropy("long-string CONTINUE card")
        values[key] = value
    padded = -(-(data_end - start - n_bytes) // BLOCK) * BLOCK
    return values, start + n_bytes + padded


def read_fits_cards(
    path: str | os.PathLike, keys0: tuple[str, ...], keys1: tuple[str, ...]
) -> tuple[dict, dict]:
    """Read the values of ``keys0`` from the primary header and ``keys1`` from extension 1.

    Parameters
    ----------
    path : str or os.PathLike
        FITS file.
    keys0, keys1 : tuple of str
        Upper-case keywords to read from HDU 0 and HDU 1. Missing keywords get ``"NaN"``.

    Returns
    -------
    tuple of dict
        ``(primary values, extension-1 values)``.

    Raises
    ------
    FitsReadError
        Not FITS, truncated, no extension 1, or an unparsable card (the message says which).
    NeedsAstropy
        A valid-looking file this reader leaves to :func:`read_fits_cards_astropy`.
    """
    with _fits_stream(path) as (fh, file_size):
        h0, nxt = _read_hdu(fh, 0, tuple(keys0), True, file_size)
        h1, _ = _read_hdu(fh, nxt, tuple(keys1), False, file_size)
    return h0, h1


@contextlib.contextmanager
def _fits_stream(path: str | os.PathLike):
    """Yield ``(binary stream, file size or None)``, decompressing gzip/bzip2 on the fly.

    Errors raised inside the block become :class:`FitsReadError` (with the reason), except
    :class:`NeedsAstropy` and an ``OSError`` of a plain (uncompressed) file.
    """
    with open(path, "rb") as raw:
        magic = raw.read(3)
        raw.seek(0)
        if magic[:2] == b"\x1f\x8b":
            fh, file_size, kind = gzip.GzipFile(fileobj=raw, mode="rb"), None, "gzip"
        elif magic == b"BZh":
            fh, file_size, kind = bz2.BZ2File(raw, mode="rb"), None, "bzip2"
        else:
            fh, file_size, kind = raw, os.fstat(raw.fileno()).st_size, None
        try:
            yield fh, file_size
        except (NeedsAstropy, FitsReadError):
            raise
        except (EOFError, zlib.error, OSError) as exc:
            if kind is None:
                raise
            raise FitsReadError(f"corrupt or truncated {kind} file: {exc}") from exc
        except Exception as exc:  # astropy's VerifyError/ValueError on a malformed card
            raise FitsReadError(f"unparsable header card: {exc}") from exc
        finally:
            if fh is not raw:
                fh.close()


def read_primary_cards(path: str | os.PathLike, keys: tuple[str, ...]) -> dict:
    """Read the values of ``keys`` from the primary header only (one open).

    The primary HDU's data size is checked against the file size, so a truncated file is
    reported; gzip and bzip2 files are read through a decompressing stream, and what this
    reader leaves to astropy (long strings, random groups) goes through astropy.

    Parameters
    ----------
    path : str or os.PathLike
        FITS file.
    keys : tuple of str
        Upper-case keywords. Missing keywords get ``"NaN"``.

    Returns
    -------
    dict
        ``{keyword: value}``.

    Raises
    ------
    FitsReadError
        Not FITS, truncated, unreadable, or an unparsable card (the message says which).
    """
    keys = tuple(keys)
    try:
        with _fits_stream(path) as (fh, file_size):
            return _read_hdu(fh, 0, keys, True, file_size)[0]
    except NeedsAstropy:
        pass
    except OSError as exc:  # FitsReadError is not an OSError
        raise FitsReadError(f"cannot read the file: {exc}") from exc
    import warnings

    from astropy.io import fits

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with fits.open(path, memmap=False, lazy_load_hdus=True) as hdul:
                return {k: _header_get(hdul[0].header, k) for k in keys}
    except Exception as exc:  # astropy raises OSError, ValueError, VerifyError, warnings...
        raise FitsReadError(f"astropy could not read it: {type(exc).__name__}: {exc}") from exc


def read_fits_cards_astropy(
    path: str | os.PathLike, keys0: tuple[str, ...], keys1: tuple[str, ...]
) -> tuple[dict, dict]:
    """Same as :func:`read_fits_cards` through :func:`astropy.io.fits.open` (one open).

    Handles gzip/bzip2 files, tile-compressed extensions and long strings.

    Raises
    ------
    FitsReadError
        If astropy cannot open the file, it has no extension 1, or a card is unparsable.
    """
    import warnings

    from astropy.io import fits

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with fits.open(path, memmap=False, lazy_load_hdus=True) as hdul:
                hdr0 = hdul[0].header
                try:
                    hdr1 = hdul[1].header
                except IndexError as exc:
                    raise FitsReadError("no extension 1 (SCI) header") from exc
                h0 = {k: _header_get(hdr0, k) for k in keys0}
                h1 = {k: _header_get(hdr1, k) for k in keys1}
    except FitsReadError:
        raise
    except Exception as exc:  # astropy raises OSError, ValueError, VerifyError, warnings...
        raise FitsReadError(f"astropy could not read it: {type(exc).__name__}: {exc}") from exc
    return h0, h1


def _header_get(header, key: str):
    from astropy.io import fits

    if key not in header:
        return MISSING
    value = header[key]
    if isinstance(value, fits.card.Undefined):
        return MISSING
    return value
