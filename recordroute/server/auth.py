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
"""

from __future__ import annotations

import hmac
import ipaddress
import urllib.parse
from collections.abc import Iterable, Mapping

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


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
    """``host[:port]`` (IPv6 in brackets) as (host, port)."""
    text = host_header.strip()
    if text.startswith("["):
        end = text.find("]")
        name, rest = text[1:end], text[end + 1 :]
        port = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port = text.partition(":")
    return name.lower(), int(port) if port.isdigit() else None


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


def normalize_origin(origin: str) -> str:
    parts = urllib.parse.urlsplit(origin.strip().lower())
    if not parts.scheme or not parts.hostname:
        return origin.strip().lower()
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(parts.scheme)
    port = parts.port if parts.port is not None else default
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


class OriginPolicy:
    """Which browser origins may call; built once per server."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = {normalize_origin(o) for o in allowed if o}

    def allows(
        self, origin: str | None, host_header: str, scheme: str, *, allow_null: bool
    ) -> bool:
        if origin is None or origin == "":
            return True  # not a browser (browsers send Origin on cross-site writes and sockets)
        if origin == "null":
            return allow_null
        wanted = normalize_origin(origin)
        if wanted == normalize_origin(f"{scheme}://{host_header}"):
            return True
        return wanted in self.allowed


def host_allowed(host_header: str, bind_host: str) -> bool:
    """On a loopback bind, only loopback host names may be addressed (DNS rebinding)."""
    if not is_loopback_host(bind_host):
        return True
    name, _ = split_host(host_header)
    return is_loopback_host(name)
