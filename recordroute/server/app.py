"""The Tornado applications (API + original routes; the original's progress socket) and
the API process (``python -m recordroute.server``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler, url

from ..app import RecordRoute
from ..config import Settings
from ..errors import RecordRouteError
from ..logs import configure_logging, protect
from . import compat, compat_post
from . import handlers_speakers as hs
from .base import NotFoundHandler
from .context import ServerContext, ServerOptions
from .handlers_artifacts import ArtifactHandler, ExportHandler, TranscriptHandler
from .handlers_ask import AskHandler, ConversationHandler, ConversationsHandler
from .handlers_chunked import (
    UploadChunkHandler,
    UploadFinishHandler,
    UploadSessionHandler,
    UploadSessionsHandler,
)
from .handlers_jobs import JobCancelHandler, JobHandler, JobRetryHandler, JobsHandler
from .handlers_media import MediaHandler
from .handlers_recordings import (
    PurgeHandler,
    RecordingHandler,
    RecordingsHandler,
    RestoreHandler,
    SimilarHandler,
    TagsHandler,
)
from .handlers_search import SearchHandler
from .handlers_system import HealthHandler, ModelsHandler, OpenAPIHandler, SettingsHandler
from .handlers_templates import (
    RecordingTemplateHandler,
    TagTemplateHandler,
    TemplateHandler,
    TemplatesHandler,
)
from .handlers_uploads import UploadsHandler
from .schemas import API
from .websocket import CompatSocket, EventsSocket
from .workers import WorkerSupervisor

log = logging.getLogger(__name__)

Route = tuple[str, type[RequestHandler]]

NATIVE_ROUTES: list[Route] = [
    (f"{API}/health", HealthHandler),
    (f"{API}/openapi.json", OpenAPIHandler),
    (f"{API}/settings", SettingsHandler),
    (f"{API}/models", ModelsHandler),
    (f"{API}/recordings", RecordingsHandler),
    (f"{API}/recordings/{{recording_id}}", RecordingHandler),
    (f"{API}/recordings/{{recording_id}}/tags", TagsHandler),
    (f"{API}/recordings/{{recording_id}}/restore", RestoreHandler),
    (f"{API}/recordings/{{recording_id}}/purge", PurgeHandler),
    (f"{API}/recordings/{{recording_id}}/similar", SimilarHandler),
    (f"{API}/recordings/{{recording_id}}/transcript", TranscriptHandler),
    (f"{API}/recordings/{{recording_id}}/export", ExportHandler),
    (f"{API}/recordings/{{recording_id}}/speakers", hs.SpeakersHandler),
    (f"{API}/recordings/{{recording_id}}/speakers/rename", hs.SpeakerRenameHandler),
    (f"{API}/recordings/{{recording_id}}/speakers/merge", hs.SpeakerMergeHandler),
    (f"{API}/recordings/{{recording_id}}/speakers/move", hs.SpeakerMoveHandler),
    (f"{API}/voice-profiles", hs.ProfilesHandler),
    (f"{API}/voice-profiles/merge", hs.ProfileMergeHandler),
    (f"{API}/voice-profiles/{{name}}", hs.ProfileHandler),
    (f"{API}/artifacts/{{artifact_id}}", ArtifactHandler),
    (f"{API}/uploads", UploadsHandler),
    (f"{API}/uploads/sessions", UploadSessionsHandler),
    (f"{API}/uploads/sessions/{{upload_id}}", UploadSessionHandler),
    (f"{API}/uploads/sessions/{{upload_id}}/chunks", UploadChunkHandler),
    (f"{API}/uploads/sessions/{{upload_id}}/finish", UploadFinishHandler),
    (f"{API}/media/{{artifact_id}}", MediaHandler),
    (f"{API}/jobs", JobsHandler),
    (f"{API}/jobs/{{job_id}}", JobHandler),
    (f"{API}/jobs/{{job_id}}/cancel", JobCancelHandler),
    (f"{API}/jobs/{{job_id}}/retry", JobRetryHandler),
    (f"{API}/search", SearchHandler),
    (f"{API}/templates", TemplatesHandler),
    (f"{API}/templates/{{name}}", TemplateHandler),
    (f"{API}/tags/{{tag}}/template", TagTemplateHandler),
    (f"{API}/recordings/{{recording_id}}/template", RecordingTemplateHandler),
    (f"{API}/ask", AskHandler),
    (f"{API}/conversations", ConversationsHandler),
    (f"{API}/conversations/{{conversation_id}}", ConversationHandler),
    (f"{API}/events", EventsSocket),
]

COMPAT_ROUTES: list[Route] = [
    ("/download/{identifier}", compat.CompatDownloadHandler),
    ("/history", compat.HistoryHandler),
    ("/tasks", compat.TasksHandler),
    ("/progress/{task_id}", compat.ProgressHandler),
    ("/file_search", compat.FileSearchHandler),
    ("/search", compat.SearchHandler),
    ("/similar/{identifier}", compat.SimilarGetHandler),
    ("/models", compat.ModelsHandler),
    ("/cache/stats", compat.CacheStatsHandler),
    ("/cache/cleanup", compat.CacheCleanupHandler),
    ("/upload", compat_post.UploadHandler),
    ("/process", compat_post.ProcessHandler),
    ("/cancel", compat_post.CancelHandler),
    ("/shutdown", compat_post.ShutdownHandler),
    ("/reset", compat_post.ResetHandler),
    ("/update_filename", compat_post.UpdateFilenameHandler),
    ("/incremental_embedding", compat_post.IncrementalEmbeddingHandler),
    ("/check_existing_stt", compat_post.CheckExistingSttHandler),
    ("/update_stt_text", compat_post.UpdateSttTextHandler),
    ("/reset_summary_embedding", compat_post.ResetSummaryEmbeddingHandler),
    ("/reset_all_tasks", compat_post.ResetAllTasksHandler),
    ("/similar", compat_post.SimilarPostHandler),
    ("/delete", compat_post.DeleteHandler),
    ("/delete_records", compat_post.DeleteRecordsHandler),
]

#: path parameters that may contain slashes (the original's legacy download paths)
_GREEDY = {"identifier"}


def pattern(template: str, prefix: str = "") -> str:
    """A route template (``/a/{name}``) as a Tornado pattern with named groups."""
    full = prefix.rstrip("/") + template
    parts: list[str] = []
    pos = 0
    for match in re.finditer(r"\{(\w+)\}", full):
        name = match.group(1)
        body = ".+" if name in _GREEDY and template.startswith("/download/") else "[^/]+"
        parts += [re.escape(full[pos : match.start()]), f"(?P<{name}>{body})"]
        pos = match.end()
    parts.append(re.escape(full[pos:]))
    return "".join(parts) + "$"


def native_urls(ctx: ServerContext, prefix: str = "") -> list[Any]:
    return [url(pattern(t, prefix), h, {"ctx": ctx}, name=t) for t, h in NATIVE_ROUTES]


def make_app(ctx: ServerContext) -> Application:
    """The API process's application: native API, original routes, web client or redirect."""
    rules = native_urls(ctx)
    rules += [url(pattern(t), h, {"ctx": ctx}, name=t) for t, h in COMPAT_ROUTES]
    frontend = ctx.options.frontend
    if frontend is not None:
        static = {
            "ctx": ctx,
            "path": str(frontend),
            "default_filename": compat.frontend_index(frontend),
        }
        rules.append(url(r"/(?P<path>)$", compat.FrontendHandler, static, name="/"))
        rules.append(url(r"/(?P<path>.+)$", compat.FrontendHandler, static, name="/{path}"))
    else:
        rules.append(url(r"/$", compat.RootHandler, {"ctx": ctx}, name="/"))
    return Application(
        rules,
        default_handler_class=NotFoundHandler,
        default_handler_args={"ctx": ctx},
        websocket_ping_interval=20,
        websocket_ping_timeout=20,
        serve_traceback=False,
        compress_response=False,
    )


def make_compat_socket_app(ctx: ServerContext) -> Application:
    """The original client's progress socket: any path on its own port."""
    return Application([url(r"/.*", CompatSocket, {"ctx": ctx})], websocket_ping_interval=20)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m recordroute.server",
        description="The RecordRoute API process (normally started by `recordroute serve`).",
    )
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--ws-port",
        type=int,
        default=None,
        help="port of the original client's progress socket (-1: none)",
    )
    parser.add_argument("--data-dir", "--db-path", dest="data_dir", default=None)
    parser.add_argument("--dashboard-url", default="")
    parser.add_argument("--frontend", type=Path, default=None)
    parser.add_argument("--allow-origin", action="append", default=[])
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=0,
        help="`recordroute worker` children of this process (default 0)",
    )
    return parser


def options_from(args: argparse.Namespace, settings: Settings, token: str) -> ServerOptions:
    ws_port = settings.ws_port if args.ws_port is None else args.ws_port
    return ServerOptions(
        host=settings.host,
        port=settings.port,
        ws_port=None if ws_port < 0 else ws_port,
        token=token,
        dashboard_url=args.dashboard_url,
        frontend=args.frontend.resolve() if args.frontend else None,
        allow_origins=tuple(args.allow_origin),
        worker_processes=args.worker_processes,
    )


async def serve(app: RecordRoute, options: ServerOptions) -> int:
    """Run the API until SIGTERM, SIGINT or ``/shutdown``; returns the exit code."""
    ctx = ServerContext(app, options)
    supervisor = None
    if options.worker_processes > 0:
        supervisor = WorkerSupervisor(app.data_dir, options.worker_processes)
        supervisor.start()
        ctx.ensure_workers = supervisor.ensure_started
    servers: list[HTTPServer] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # Windows: no loop signal handlers
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    ctx.on_shutdown = stop.set
    try:
        api = HTTPServer(
            make_app(ctx),
            max_body_size=options.max_json_bytes,
            max_buffer_size=options.max_json_bytes,
            idle_connection_timeout=300,
        )
        sockets = bind_sockets(options.port, options.host)
        api.add_sockets(sockets)
        servers.append(api)
        port = sockets[0].getsockname()[1]
        ctx.api_port = port
        ws_port = None
        if options.ws_port is not None:
            ws = HTTPServer(make_compat_socket_app(ctx))
            ws_sockets = bind_sockets(options.ws_port, options.host)
            ws.add_sockets(ws_sockets)
            servers.append(ws)
            ws_port = ws_sockets[0].getsockname()[1]
        await ctx.hub.start()
        host = f"[{options.host}]" if ":" in options.host else options.host
        print(
            json.dumps(
                {
                    "event": "listening",
                    "pid": os.getpid(),
                    "port": port,
                    "ws_port": ws_port,
                    "api": f"http://{host}:{port}{API}",
                    "websocket": f"ws://{host}:{port}{API}/events",
                }
            ),
            flush=True,
        )
        await stop.wait()
        return 0
    finally:
        ctx.stopping = True
        for server in servers:
            server.stop()
        ctx.hub.close_all()
        for server in servers:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.close_all_connections(), 3)
        if supervisor is not None:
            await asyncio.get_running_loop().run_in_executor(None, supervisor.stop)
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load({"data_dir": args.data_dir, "host": args.host, "port": args.port})
        configure_logging(settings, stderr=True)
        token = settings.token or secrets.token_urlsafe(32)
        protect(token)  # never in a log line, the HTTP layer's included
        options = options_from(args, settings, token)
        with RecordRoute(settings) as app:
            return asyncio.run(serve(app, options))
    except RecordRouteError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"  fix: {exc.fix}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        print("  fix: choose a free --port / --ws-port, or stop what uses it", file=sys.stderr)
        return 1
