"""The DNS-rebinding guard of the live server: which ``Host`` headers it answers.

A page on another site can make a browser send requests to ``127.0.0.1`` under a name
the attacker controls (DNS rebinding: ``evil.example`` first resolves to the attacker,
then to 127.0.0.1). The request then carries ``Host: evil.example``. A server bound to a
loopback address therefore answers only requests whose ``Host`` is a literal loopback
address or ``localhost`` (with an optional port), plus the names the user configures:

- ``localhost``;
- an IPv4 address in 127.0.0.0/8 written as four decimal numbers (``127.0.0.1``,
  ``127.1.2.3``), parsed as an address, so ``127.rebind.attacker.example`` is not one;
- ``[::1]``;
- the names given to :class:`~spacekit.visualization.DashboardServer` as
  ``allowed_hosts`` (``--allow-host`` on the command line), compared case-insensitively.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

__all__ = ["is_loopback_address", "parse_host_header", "host_allowed", "normalise_names"]

_PORT = re.compile(r"[0-9]{1,5}")
_NAME = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")


def is_loopback_address(host: str) -> bool:
    """True if the bind address ``host`` is ``localhost`` or a loopback IP address."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def parse_host_header(value: str | None) -> str | None:
    """The lower-case host name of a ``Host`` header (port removed), or None if malformed.

    Examples
    --------
    >>> parse_host_header("LOCALHOST:8050"), parse_host_header("[::1]:80")
    ('localhost', '[::1]')
    >>> parse_host_header("127.0.0.1:80:80") is None, parse_host_header("") is None
    (True, True)
    """
    text = (value or "").strip().lower()
    if not text or any(c.isspace() for c in text):
        return None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        name, rest = text[: end + 1], text[end + 1 :]
    elif text.count(":") > 1:
        return None  # an IPv6 address must be bracketed in a Host header
    else:
        name, sep, port = text.partition(":")
        rest = f"{sep}{port}"
    if rest and not (rest.startswith(":") and _PORT.fullmatch(rest[1:])):
        return None
    return name or None


def normalise_names(names: Iterable[str] | None) -> frozenset[str]:
    """Lower-case host names to allow; raises ``ValueError`` for one that is not a name."""
    out = set()
    for name in names or ():
        clean = str(name).strip().lower().rstrip(".")
        if parse_host_header(clean) != clean or not (
            _NAME.fullmatch(clean) or clean.startswith("[")
        ):
            raise ValueError(
                f"allowed host {name!r} is not a host name (give names such as "
                "'mybox.local', without a port or scheme)"
            )
        out.add(clean)
    return frozenset(out)


def host_allowed(value: str | None, extra: frozenset[str] = frozenset()) -> bool:
    """True if a ``Host`` header names this machine's loopback interface or an allowed name.

    Examples
    --------
    >>> host_allowed("127.0.0.1:8050"), host_allowed("127.rebind.attacker.example")
    (True, False)
    >>> host_allowed("box.lan:8050", frozenset({"box.lan"}))
    True
    """
    name = parse_host_header(value)
    if name is None:
        return False
    if name == "localhost" or name in extra or name.rstrip(".") in extra:
        return True
    if name.startswith("["):
        try:
            return ipaddress.IPv6Address(name[1:-1]) == ipaddress.IPv6Address("::1")
        except ValueError:
            return False
    parts = name.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return False  # only the dotted-quad form: no "127.1", no names
    try:
        return ipaddress.IPv4Address(name) in ipaddress.IPv4Network("127.0.0.0/8")
    except ValueError:
        return False
