"""Native API: models, settings (read-only, never the token), health, the OpenAPI document."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from .. import __version__
from . import openapi
from .base import BaseHandler
from .request_models import ModelsQuery
from .schemas import Health, ModelCatalog, Scalar, ServerView, SettingsView


def _scalar(value: object) -> Scalar:
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class ModelsHandler(BaseHandler):
    async def get(self) -> None:
        probe = self.query_model(ModelsQuery).probe_ollama
        catalog = await self.call_search(self.ctx.app.engines.list_models, probe_ollama=probe)
        self.send_model(ModelCatalog.model_validate(catalog))


class SettingsHandler(BaseHandler):
    def get(self) -> None:
        settings = self.ctx.app.settings
        options = self.ctx.options
        view = SettingsView(
            settings={
                f.name: _scalar(getattr(settings, f.name))
                for f in dataclasses.fields(settings)
                if f.name != "token"
            },
            token_set=bool(settings.token or options.token),
            server=ServerView(
                host=options.host,
                port=options.port,
                ws_port=options.ws_port,
                loopback=options.loopback,
                dashboard_url=options.dashboard_url,
                worker_processes=options.worker_processes,
            ),
        )
        self.send_model(view)


class HealthHandler(BaseHandler):
    public = True

    def get(self) -> None:
        health = Health(
            status="stopping" if self.ctx.stopping else "ok", version=__version__, time=time.time()
        )
        self.send_model(health)


class OpenAPIHandler(BaseHandler):
    public = True

    def get(self) -> None:
        self.send_json(openapi.document())
