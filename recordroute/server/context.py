"""What every handler shares: the facade, a thread pool for its blocking calls, the hub."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..app import RecordRoute
from .auth import OriginPolicy, is_loopback_host
from .hub import EventHub

T = TypeVar("T")


@dataclasses.dataclass
class HistoryCache:
    """``GET /history`` bodies at one library change stamp, one per link base (the
    desktop renderer gets absolute links, see ``CompatHandler.link_base``)."""

    stamp: str
    records: list[dict[str, Any]]
    bodies: dict[str, bytes] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ServerOptions:
    """How the API process was started (the launcher passes these on)."""

    host: str = "127.0.0.1"
    port: int = 8080
    ws_port: int | None = 8765
    token: str = ""
    #: where ``GET /`` sends a browser when no static client is served
    dashboard_url: str = ""
    frontend: Path | None = None
    allow_origins: tuple[str, ...] = ()
    worker_processes: int = 0
    #: ``token``: our own token; ``jupyter``: the jupyter_server's login decides
    auth: Literal["token", "jupyter"] = "token"
    #: largest JSON (non-upload) request body
    max_json_bytes: int = 32 * 1024 * 1024

    @property
    def loopback(self) -> bool:
        return is_loopback_host(self.host)


class ServerContext:
    def __init__(self, app: RecordRoute, options: ServerOptions, *, threads: int = 8) -> None:
        self.app = app
        self.options = options
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="recordroute-api")
        #: searches embed their query and may load a model: they get their own threads,
        #: so they never hold up the cheap reads and writes
        self.search_executor = ThreadPoolExecutor(2, thread_name_prefix="recordroute-search")
        self.hub = EventHub(app, self.executor)
        extra = [o for o in (options.dashboard_url,) if o]
        self.policy = OriginPolicy([*options.allow_origins, *extra])
        self.data_dir = str(app.data_dir)
        self.stopping = False
        self.on_shutdown: Callable[[], None] | None = None
        self.ensure_workers: Callable[[], None] = lambda: None
        #: the last ``GET /history`` body and the library change stamp it was built at
        self.history_cache: HistoryCache | None = None
        #: the API's port (known once it is bound): its pages are this server's own,
        #: also on the progress socket's port
        self.api_port: int | None = options.port or None
        #: task id -> job id of jobs the desktop renderer started that no ``/tasks``
        #: answer has listed yet (it notices a task ended only by seeing it go)
        self.unlisted_tasks: dict[str, str] = {}

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking facade call in the pool, keeping the IOLoop free."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    async def call_search(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`call`, in the search threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.search_executor, functools.partial(fn, *args, **kwargs)
        )

    def close(self) -> None:
        self.hub.stop()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.search_executor.shutdown(wait=True, cancel_futures=True)
