"""Native API: models, settings (read-only, no token), health, the OpenAPI document."""

from __future__ import annotations

import dataclasses
import time

from .. import __version__
from . import openapi_uploads, serialize
from .base import BaseHandler


class ModelsHandler(BaseHandler):
    async def get(self) -> None:
        probe = self.get_query_argument("probe_ollama", "true") not in ("0", "false", "no")
        catalog = await self.call_search(self.ctx.app.engines.list_models, probe_ollama=probe)
        self.send_json(serialize.plain(catalog))


class SettingsHandler(BaseHandler):
    def get(self) -> None:
        settings = self.ctx.app.settings
        values = {
            f.name: serialize.plain(getattr(settings, f.name))
            for f in dataclasses.fields(settings)
            if f.name != "token"
        }
        options = self.ctx.options
        self.send_json(
            {
                "settings": values,
                "token_set": bool(settings.token or options.token),
                "server": {
                    "host": options.host,
                    "port": options.port,
                    "ws_port": options.ws_port,
                    "loopback": options.loopback,
                    "dashboard_url": options.dashboard_url,
                    "worker_processes": options.worker_processes,
                },
            }
        )


class HealthHandler(BaseHandler):
    public = True

    def get(self) -> None:
        self.send_json(
            {
                "status": "stopping" if self.ctx.stopping else "ok",
                "version": __version__,
                "time": time.time(),
            }
        )


class OpenAPIHandler(BaseHandler):
    public = True

    def get(self) -> None:
        self.send_json(openapi_uploads.document())
