"""Who may call the server: tokens, origins and host names.

Rules (each is tested in ``tests/test_server_security.py``):

* The native API needs the token (``Authorization: Bearer T``, ``Authorization: token T``
  or ``X-RecordRoute-Token: T``; GET, HEAD and WebSocket requests may also pass
  ``?token=T`` because browsers cannot set headers on ``<audio src>`` or WebSockets).
* On a loopback bind the compatibility routes work without a token (the original
  client cannot send one), except ``/shutdown``.  On any other bind every route
  needs the token.
* A browser ``Origin`` must be the server's own origin (the API's port on the host the
  request names; loopback names count as one host, so a page from
  ``http://127.0.0.1:8080`` may use ``ws://localhost:8765``), the dashboards' origin or
  one given with ``--allow-origin``.  Anything else is refused with 403.
* ``Origin: null`` (a ``file://`` page, but also a sandboxed frame on any web site) is
  accepted on the compatibility routes only from the desktop shell's own page:
  :func:`is_desktop_shell` recognises it by what a web page cannot forge, its
  User-Agent (Electron's default names the app: ``RecordRoute/<v> ... Electron/<v>``)
  and, where the browser sends them, fetch metadata saying it is a script call.
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

#: the desktop shell's default User-Agent: Electron puts the app's name (package.json
#: ``productName`` or ``name``, spaces removed) before ``Chrome/`` and ``Electron/``
_SHELL_AGENT = re.compile(r"(?:^|\s)RecordRoute/\S+\s(?:.*\s)?Electron/\d", re.IGNORECASE)
#: what the shell's page sends: fetch()/XMLHttpRequest (and their preflights), WebSockets
_SHELL_MODES = frozenset({"cors", "websocket"})
_SHELL_DESTINATIONS = frozenset({"empty", "websocket"})


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


def is_desktop_shell(headers: Mapping[str, str]) -> bool:
    """Whether a request comes from the original Electron shell's page (``file://``).

    A web page cannot forge these: browsers either ignore a ``User-Agent`` set by a
    script (Chromium) or must ask this server in a CORS preflight, which never allows
    it (others), and ``Sec-Fetch-*`` headers are the browser's own.
    """
    if not _SHELL_AGENT.search(headers.get("User-Agent", "")):
        return False
    mode = headers.get("Sec-Fetch-Mode")
    dest = headers.get("Sec-Fetch-Dest")
    return (mode is None or mode in _SHELL_MODES) and (dest is None or dest in _SHELL_DESTINATIONS)


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


def _origin_parts(origin: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an origin; ``None`` when it cannot be parsed."""
    try:
        parts = urllib.parse.urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port


class OriginPolicy:
    """Which browser origins may call; built once per server."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = {n for n in (normalize_origin(o) for o in allowed if o) if n is not None}

    def allows(
        self,
        origin: str | None,
        host_header: str,
        scheme: str,
        *,
        allow_null: bool,
        own_port: int | None = None,
    ) -> bool:
        """``own_port``: the API's port, whose pages are this server's own on any socket."""
        if origin is None or origin == "":
            return True  # not a browser (browsers send Origin on cross-site writes and sockets)
        if origin == "null":
            return allow_null
        parts = _origin_parts(origin)
        wanted = normalize_origin(origin)
        if parts is None or wanted is None:
            return False
        if wanted == normalize_origin(f"{scheme}://{host_header}"):
            return True
        if self._own(parts, host_header, scheme, own_port):
            return True
        return wanted in self.allowed

    @staticmethod
    def _own(
        parts: tuple[str, str, int | None], host_header: str, scheme: str, own_port: int | None
    ) -> bool:
        """A page of this server's API port, on the host the request names (loopback
        names count as one host)."""
        wanted_scheme, wanted_host, wanted_port = parts
        if own_port is None or wanted_scheme != scheme:
            return False
        if (wanted_port or {"http": 80, "https": 443}.get(wanted_scheme)) != own_port:
            return False
        host, _ = split_host(host_header)
        wanted_host = wanted_host.strip("[]")
        return wanted_host == host or (is_loopback_host(wanted_host) and is_loopback_host(host))


def host_allowed(host_header: str, bind_host: str) -> bool:
    """A well-formed ``Host``; on a loopback bind, a loopback name (DNS rebinding)."""
    try:
        name, _ = split_host(host_header)
    except ValueError:
        return False
    return is_loopback_host(name) or not is_loopback_host(bind_host)
