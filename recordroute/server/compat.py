"""The original client's read routes (section 1 of the compatibility spec), same shapes.

Fixed rather than copied: ``/download`` takes file ids only (no paths, so no
traversal) and supports ranges; ``/tasks`` and ``/progress`` show real queued and
running jobs; ``/search`` and ``/similar`` use the hybrid index.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tornado.web import StaticFileHandler

from ..errors import RecordRouteError
from . import compat_views as views
from .auth import split_host
from .compat_base import CompatHandler, CompatReply, file_uuid
from .context import HistoryCache, ServerContext
from .errors import describe
from .handlers_artifacts import DownloadBase
from .handlers_search import parse_moment


class RootHandler(CompatHandler):
    """``GET /``: the dashboards (Voila), unless a static web client is served."""

    def get(self) -> None:
        target = self.ctx.options.dashboard_url
        if not target:
            raise CompatReply(404)
        parts = urlsplit(target)
        host, _ = split_host(self.request.host)
        if parts.hostname in ("0.0.0.0", "::", None) or parts.hostname != host:  # noqa: S104
            netloc = f"{host}:{parts.port}" if parts.port else host
            parts = parts._replace(netloc=netloc)
        self.redirect(urlunsplit(parts))


class FrontendHandler(StaticFileHandler):
    """A static web client (``--frontend DIR``) with the original's page as index."""

    ctx: ServerContext

    def initialize(  # type: ignore[override]
        self, ctx: ServerContext, path: str, default_filename: str | None = None
    ) -> None:
        self.ctx = ctx
        super().initialize(path=path, default_filename=default_filename)

    def prepare(self) -> None:
        from .base import check_access

        check_access(self, self.ctx, compat=True, public=False, shutdown=False)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refusal in the API's JSON shape; a missing file: 404 with an empty body."""
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        if isinstance(exc, RecordRouteError):
            status, body = describe(exc, self.ctx.data_dir)
            self.set_status(status)
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps(body, ensure_ascii=False))
            return
        self.clear_header("Content-Type")
        self.finish()

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, RecordRouteError):
            super().log_exception(typ, value, tb)


def frontend_index(folder: Path) -> str:
    for name in ("upload.html", "index.html"):
        if (folder / name).is_file():
            return name
    return "index.html"


class CompatDownloadHandler(DownloadBase, CompatHandler):
    """``GET /download/<file id>``: attachment, octet-stream, 404 with an empty body."""

    async def get(self, identifier: str) -> None:
        wanted = file_uuid(identifier)
        if wanted is None:
            raise CompatReply(404)
        try:
            await self.serve(wanted, attachment=True, generic_type=True)
        except RecordRouteError:
            if self._headers_written:
                raise
            raise CompatReply(404) from None

    async def head(self, identifier: str) -> None:
        await self.get(identifier)


class HistoryHandler(CompatHandler):
    """``GET /history``: the body is built once per change of the library (any process)
    and kept; a client that sends the ETag it got back is answered 304."""

    async def get(self) -> None:
        stamp = await self.call(self.ctx.app.legacy.history_stamp)
        cached = self.ctx.history_cache
        if cached is None or cached.stamp != stamp:
            stamp, records = await self.call(self.ctx.app.legacy.history)
            cached = HistoryCache(stamp, records)
            self.ctx.history_cache = cached
        base = self.link_base()
        body = cached.bodies.get(base)
        if body is None:
            records = cached.records if not base else [with_base(r, base) for r in cached.records]
            body = json.dumps(records, ensure_ascii=False).encode("utf-8")
            cached.bodies[base] = body
        # one URL, two bodies (absolute links for Origin null): tell caches they differ
        etag = f'"{cached.stamp}-abs"' if base else f'"{cached.stamp}"'
        self.set_header("ETag", etag)
        self.set_header("Vary", "Origin")
        self.set_header("Cache-Control", "no-cache")
        sent = self.request.headers.get("If-None-Match") or ""
        if etag in {tag.strip().removeprefix("W/") for tag in sent.split(",")}:
            self.set_status(304)
            self.finish()
            return
        self.set_header("Content-Type", "application/json")
        self.finish(body)


def with_base(record: dict[str, Any], base: str) -> dict[str, Any]:
    """A history record whose download links start with ``base`` (the desktop renderer)."""
    out = dict(record)
    for key in ("stt_path", "summary_path"):
        if isinstance(out.get(key), str):
            out[key] = base + out[key]
    links = out.get("download_links")
    if isinstance(links, dict):
        out["download_links"] = {
            k: base + v if isinstance(v, str) and v.startswith("/") else v for k, v in links.items()
        }
    return out


class TasksHandler(CompatHandler):
    async def get(self) -> None:
        unlisted = dict(self.ctx.unlisted_tasks)
        listing = await self.call(views.tasks, self.ctx.app, unlisted)
        for task_id in unlisted.keys() & listing.keys():
            self.ctx.unlisted_tasks.pop(task_id, None)
        self.reply(listing)


class ProgressHandler(CompatHandler):
    async def get(self, task_id: str) -> None:
        self.reply(await self.call(views.progress, self.ctx.app, task_id))


class FileSearchHandler(CompatHandler):
    async def get(self) -> None:
        query = self.get_query_argument("q", "") or ""
        self.reply(await self.call(views.file_search, self.ctx.app, query))


class SearchHandler(CompatHandler):
    async def get(self) -> None:
        query = (self.get_query_argument("q", "") or "").strip()
        try:
            start = parse_moment("start", self.get_query_argument("start", None))
            end = parse_moment("end", self.get_query_argument("end", None))
        except RecordRouteError as exc:
            raise CompatReply(400, {"error": "Search failed.", "details": exc.message}) from None
        if not query:
            self.reply({"keywordMatches": [], "similarDocuments": []})
            return
        found = await self.call_search(
            views.search, self.ctx.app, query, start, end, self.link_base()
        )
        self.reply(found)


class SimilarGetHandler(CompatHandler):
    async def get(self, identifier: str) -> None:
        wanted = file_uuid(identifier)
        if wanted is None:
            raise CompatReply(404, {"error": "File not found"})
        try:
            found = await self.call_search(
                views.similar, self.ctx.app, wanted, detailed=False, base=self.link_base()
            )
        except RecordRouteError:
            raise CompatReply(404, {"error": "File not found"}) from None
        self.reply(found)


class ModelsHandler(CompatHandler):
    async def get(self) -> None:
        self.reply(await self.call_search(views.models, self.ctx.app))


class CacheStatsHandler(CompatHandler):
    async def get(self) -> None:
        stats = await self.call(self.ctx.app.search.cache_stats)
        self.reply(
            {
                "total_entries": stats["entries"],
                "expired_entries": 0,
                "valid_entries": stats["entries"],
            }
        )


class CacheCleanupHandler(CompatHandler):
    def get(self) -> None:
        self.reply(
            {
                "success": True,
                "cleaned_entries": 0,
                "message": "The search cache drops expired entries itself and is invalidated "
                "whenever the archive changes; nothing to clean.",
            }
        )
