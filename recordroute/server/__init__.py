"""RecordRoute's web server: the REST + WebSocket API, the original client's routes, the
launcher that runs it beside Voila, and a jupyter_server extension with the same handlers.

Importing this package imports nothing heavy; ``recordroute.server.app`` builds the
Tornado application and ``recordroute.server.launcher`` runs ``recordroute serve``.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    """Found by jupyter_server when ``recordroute.server`` is an enabled extension."""
    from .extension import RecordRouteExtension

    return [{"module": "recordroute.server.extension", "app": RecordRouteExtension}]
