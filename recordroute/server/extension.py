"""The native API inside a jupyter_server (JupyterLab), as an extension.

Enabled on install by ``jupyter-config/jupyter_server_config.d/recordroute.json``.
The same handler classes as the standalone server are mounted under
``<base_url>recordroute/api/v1/``, each combined with :class:`JupyterHandler` so that
the lab server's own login, host and origin checks decide who may call; on top of
that every request is refused (403) unless the server identified a user, whatever
``allow_unauthenticated_access`` says.  Jobs run in a ``recordroute worker`` child
started on the first submission and stopped with the server.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.application import ExtensionApp
from tornado.web import HTTPError, RequestHandler
from tornado.websocket import WebSocketHandler
from traitlets import Int, Unicode

from ..app import RecordRoute
from ..config import Settings
from .app import NATIVE_ROUTES, pattern
from .base import BaseHandler
from .context import ServerContext, ServerOptions
from .workers import WorkerSupervisor

_METHODS = ("get", "head", "post", "put", "patch", "delete")


def _require_user(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def checked(self: JupyterHandler, *args: Any, **kwargs: Any) -> None:
        if self.current_user is None:
            raise HTTPError(403, "RecordRoute needs a logged-in Jupyter user.")
        result = method(self, *args, **kwargs)
        if isinstance(result, Awaitable):
            await result

    checked.__allow_unauthenticated = False  # type: ignore[attr-defined]
    return checked


class _JupyterAuth(JupyterHandler):
    """Jupyter's login first, then a hard refusal of anonymous requests."""

    async def prepare(self) -> None:  # type: ignore[override]
        result: Any = super().prepare()
        while inspect.isawaitable(result):  # Jupyter's prepare returns the next one's
            result = await result
        if self._finished:
            return
        if self.current_user is None:
            raise HTTPError(403, "RecordRoute needs a logged-in Jupyter user.")
        if not isinstance(self, WebSocketHandler) and not self.check_origin():
            raise HTTPError(403, "Cross-origin request refused.")


class _JupyterAuthJson(_JupyterAuth):
    """Errors in RecordRoute's one JSON shape, not Jupyter's HTML pages."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        BaseHandler.write_error(self, status_code, **kwargs)  # type: ignore[arg-type]

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        BaseHandler.send_error(self, status_code, **kwargs)  # type: ignore[arg-type]


def jupyter_handler(handler: type[RequestHandler]) -> type[RequestHandler]:
    """``handler`` behind Jupyter's authentication, every HTTP method checked."""
    namespace: dict[str, Any] = {}
    for name in _METHODS:
        own = getattr(handler, name)
        if own is not getattr(RequestHandler, name):
            namespace[name] = _require_user(own)
    mixin = _JupyterAuthJson if issubclass(handler, BaseHandler) else _JupyterAuth
    return type(f"Jupyter{handler.__name__}", (mixin, handler), namespace)


class RecordRouteExtension(ExtensionApp):
    """Mounts the native API in a jupyter_server."""

    name = "recordroute"
    load_other_extensions = True

    data_dir = Unicode(
        "", config=True, help="RecordRoute data folder (default: $RECORDROUTE_DATA_DIR or ./db)"
    )
    worker_processes = Int(1, config=True, help="job worker processes started on first use")

    def initialize_handlers(self) -> None:
        settings = Settings.load({"data_dir": self.data_dir or None})
        self.recordroute = RecordRoute(settings)
        server = self.serverapp
        options = ServerOptions(
            host=str(server.ip if server is not None and server.ip else "127.0.0.1"),
            port=int(server.port) if server is not None else 0,
            ws_port=None,
            auth="jupyter",
            worker_processes=self.worker_processes,
        )
        self.context = ServerContext(self.recordroute, options)
        self.supervisor: WorkerSupervisor | None = None
        if self.worker_processes > 0:
            self.supervisor = WorkerSupervisor(self.recordroute.data_dir, self.worker_processes)
            self.context.ensure_workers = self.supervisor.ensure_started
        for template, handler in NATIVE_ROUTES:
            self.handlers.append(
                (
                    pattern(template).rstrip("$").lstrip("/"),
                    jupyter_handler(handler),
                    {"ctx": self.context},
                )
            )

    async def stop_extension(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        self.context.close()
        self.recordroute.close()


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "recordroute.server.extension", "app": RecordRouteExtension}]
