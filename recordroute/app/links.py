"""Short-lived, read-only links to one file, for players that cannot send a token.

A browser's ``<audio src>`` sends no ``Authorization`` header, and the token itself in a
URL would open everything.  A link names one artifact and an expiry and carries an
HMAC-SHA256 of both, keyed with the server's token: whoever holds the token (the API
process, a dashboard kernel started by ``recordroute serve``) can make one, the API
checks it, and it opens only that file, only for reading, only until it expires.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse

from ..errors import ConfigError

#: a player asks its kernel for a fresh link when one runs out during playback
LINK_TTL_S = 3600


class LinksService:
    def __init__(self, token: str) -> None:
        self._secret = token.encode("utf-8")

    @property
    def available(self) -> bool:
        """Links need the server's token (``recordroute serve`` hands it to its children)."""
        return bool(self._secret)

    def _signature(self, artifact_id: str, expires: int) -> str:
        message = f"recordroute-media\n{artifact_id}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def media_query(
        self, artifact_id: str, *, ttl_s: float = LINK_TTL_S, now: float | None = None
    ) -> str:
        """``exp=...&sig=...`` for the media route of one artifact."""
        if not self.available:
            raise ConfigError(
                "Media links need the server's token, and none is set.",
                "Start the workbench with `recordroute serve`, or set RECORDROUTE_TOKEN.",
            )
        expires = int((time.time() if now is None else now) + ttl_s)
        return urllib.parse.urlencode(
            {"exp": expires, "sig": self._signature(artifact_id, expires)}
        )

    def verify_media(
        self, artifact_id: str, expires: str, signature: str, *, now: float | None = None
    ) -> bool:
        """Whether a link's ``exp`` and ``sig`` open this artifact now."""
        if not self.available or not expires.isdigit() or not signature:
            return False
        if int(expires) < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self._signature(artifact_id, int(expires)), signature)
