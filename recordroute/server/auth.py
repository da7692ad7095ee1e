"""Who may call the server: tokens, origins and host names.

Rules (each is tested in ``tests/test_server_security.py``):

* The native API needs the token (``Authorization: Bearer T``, ``Authorization: token T``
  or ``X-RecordRoute-Token: T``; GET, HEAD and WebSocket requests may also pass
  ``?token=T`` because browsers cannot set headers on ``<audio src>`` or WebSockets).
* On a loopback bind the compatibility routes work without a token (the original
  client cannot send one), except ``/shutdown``.  On any other bind every route
  needs the token.
* A browser ``Origin`` must be the server's own origin, the dashboards' origin or one
  given with ``--allow-origin``; the compatibility routes also accept ``null`` (the
  original client's ``file://`` page).  Anything else is refused with 403.
* On a loopback bind the ``Host`` header must name a loopback host (DNS rebinding).
* A ``Host`` or ``Origin`` that is not well formed (``127.0.0.1:8080.evil.example``,
  ``localhost:abc``, ``http://a:b``, port 99999) is refused with 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import urllib.parse
from collections.abc import Iterable, Mapping

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")
#: ``name[:port]`` or ``[IPv6][:port]``, nothing else
_HOST_RE = re.compile(r"^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+))(?::([0-9]{1,5}))?$")


def is_loopback_host(host: str) -> bool:
    """Whether a bind address or host name refers to this machine only."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host(host_header: str) -> tuple[str, int | None]:
    """``host[:port]`` (IPv6 in brackets) as (host, port); ValueError if not well formed."""
    match = _HOST_RE.match(host_header.strip())
    if match is None:
        raise ValueError(f"not a host[:port]: {host_header[:80]!r}")
    name = (match.group(1) or match.group(2)).lower()
    port = int(match.group(3)) if match.group(3) else None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return name, port


def token_from(headers: Mapping[str, str], query_token: str | None, allow_query: bool) -> str:
    """The token a request carries, or ``""``."""
    auth = headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip()
    header = headers.get("X-Recordroute-Token", "")
    if header:
        return header.strip()
    if allow_query and query_token:
        return query_token
    return ""


def token_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def normalize_origin(origin: str) -> str | None:
    """``scheme://host:port`` of an origin; None when it is not well formed (refused)."""
    try:
        parts = urllib.parse.urlsplit(origin.strip().lower())
        given = parts.port
    except ValueError:  # a port that is not a number or out of range, a broken [IPv6]
        return None
    if not parts.scheme or not parts.hostname:
        return origin.strip().lower()
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    port = given if given is not None else default
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


class OriginPolicy:
    """Which browser origins may call; built once per server."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = {n for n in (normalize_origin(o) for o in allowed if o) if n is not None}

    def allows(
        self, origin: str | None, host_header: str, scheme: str, *, allow_null: bool
    ) -> bool:
        if origin is None or origin == "":
            return True  # not a browser (browsers send Origin on cross-site writes and sockets)
        if origin == "null":
            return allow_null
        wanted = normalize_origin(origin)
        if wanted is None:
            return False
        if wanted == normalize_origin(f"{scheme}://{host_header}"):
            return True
        return wanted in self.allowed


def host_allowed(host_header: str, bind_host: str) -> bool:
    """A well-formed ``Host``; on a loopback bind, a loopback name (DNS rebinding)."""
    try:
        name, _ = split_host(host_header)
    except ValueError:
        return False
    return is_loopback_host(name) or not is_loopback_host(bind_host)
