"""The base of every HTTP handler: access rules, JSON in and out, one error shape."""

from __future__ import annotations

import json
import logging
from asyncio import Future
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel
from tornado.web import HTTPError, RequestHandler, stream_request_body

from ..errors import AuthError, RecordRouteError, TooLargeError, echo, size_text
from .auth import host_allowed, is_desktop_shell, token_from, token_matches
from .context import ServerContext
from .errors import (
    ForbiddenError,
    MalformedRequestError,
    UnsupportedMediaTypeError,
    describe,
    http_payload,
)
from .parsing import load_json, nfc, parse_body, parse_query
from .schemas import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

#: how far past its limit a body is still read, so the handler (not the HTTP layer,
#: which answers a bare 400) sees the overflow of a chunked body and answers 413
BODY_SLACK = 16 * 1024 * 1024

CORS_HEADERS = "Content-Type, Authorization, X-RecordRoute-Token, Range"


def check_access(
    handler: RequestHandler, ctx: ServerContext, *, compat: bool, public: bool, shutdown: bool
) -> None:
    """Apply the rules of :mod:`recordroute.server.auth` to one request; raise on refusal."""
    request = handler.request
    options = ctx.options
    if options.auth == "jupyter":
        return  # the jupyter_server's own login, host and origin checks apply
    if not host_allowed(request.host, options.host):
        loopback = options.loopback
        raise ForbiddenError(
            f"The Host header {echo(request.host)} is not "
            + ("a loopback name, so this loopback server refuses it." if loopback else "valid."),
            "Use 127.0.0.1 or localhost in the URL (with the port, e.g. 127.0.0.1:8080)."
            if loopback
            else "Use the server's address as host[:port].",
        )
    origin = request.headers.get("Origin")
    allow_null = compat and is_desktop_shell(request.headers)
    if not ctx.policy.allows(
        origin, request.host, request.protocol, allow_null=allow_null, own_port=ctx.api_port
    ):
        if origin == "null":
            raise ForbiddenError(
                "Requests from a page without an origin (a file:// page or a sandboxed "
                "frame) are accepted only from the RecordRoute desktop app"
                + (" and only on the original client's routes." if not compat else "."),
                "Open the page this server serves (recordroute serve --frontend DIR) or "
                "the desktop app.",
            )
        raise ForbiddenError(
            f"Requests from the web page origin {echo(origin)} are not allowed.",
            "Open the page from this server or the dashboards, or start the server with "
            "--allow-origin for that origin.",
        )
    if request.method == "OPTIONS":
        return  # a CORS preflight carries no credentials; the request that follows does
    needs_token = shutdown or (not public and (not compat or not options.loopback))
    if not needs_token:
        return
    read_only = request.method in ("GET", "HEAD")
    query = handler.get_query_argument("token", None) if read_only else None
    given = token_from(request.headers, query, allow_query=read_only)
    if not token_matches(given, options.token):
        if shutdown and not given:
            raise AuthError(
                "Stopping the server from a page needs the server's token.",
                "Stop it where it runs (Ctrl-C, or quit the desktop app), or send "
                "'Authorization: Bearer <token>'.",
            )
        raise AuthError(
            "This request needs the server's token." if not given else "The token is wrong.",
            "Send 'Authorization: Bearer <token>' (the token is printed by `recordroute "
            "serve` and set with RECORDROUTE_TOKEN).",
        )


def declared_length(handler: RequestHandler) -> int | None:
    raw = handler.request.headers.get("Content-Length")
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def limit_body(
    handler: RequestHandler, limit: int, refusal: Callable[[int], TooLargeError]
) -> None:
    """Refuse a declared body over ``limit`` now, and let the handler see any other
    overflow (chunked bodies) before the HTTP layer does."""
    connection = handler.request.connection
    declared = declared_length(handler)
    if declared is not None and declared > limit:
        if connection is not None:  # read none of it: the reply closes the connection
            connection.set_max_body_size(declared)  # type: ignore[attr-defined]
        raise refusal(declared)
    if connection is not None:
        connection.set_max_body_size(limit + BODY_SLACK)  # type: ignore[attr-defined]


@stream_request_body
class BaseHandler(RequestHandler):
    """Thin handlers: parse, make one facade call off the IOLoop, render.

    Bodies are read as they arrive (up to ``max_json_bytes``, else 413 at once); the
    handler's method runs when the whole body is there.
    """

    #: original-client route: original shapes, ``Origin: null`` allowed, no token on loopback
    compat: ClassVar[bool] = False
    #: no token needed (health, OpenAPI document)
    public: ClassVar[bool] = False
    #: the shutdown route needs the token even on loopback
    shutdown_route: ClassVar[bool] = False

    ctx: ServerContext

    def initialize(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._body = bytearray()
        self._body_limit = ctx.options.max_json_bytes

    # -- access ------------------------------------------------------------------------
    def prepare(self) -> None:
        check_access(
            self, self.ctx, compat=self.compat, public=self.public, shutdown=self.shutdown_route
        )
        self._cors()
        limit_body(self, self._body_limit, self.too_large)

    def too_large(self, size: int) -> TooLargeError:
        limit = self._body_limit
        return TooLargeError(
            f"The request body is {size_text(size)}; this route takes at most {size_text(limit)}.",
            "Send a smaller body (a very long transcript can be uploaded as a text file).",
        )

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        if self._finished:
            return None
        if len(self._body) + len(chunk) > self._body_limit:
            error = self.too_large(len(self._body) + len(chunk))
            log.info("%s %s -> too_large (streamed body)", self.request.method, self.request.path)
            self.send_error(413, exc_info=(type(error), error, None))  # closes the connection
            return None
        self._body += chunk
        return None

    def _cors(self) -> None:
        origin = self.request.headers.get("Origin")
        if origin and self.ctx.options.auth == "token" and self._origin_allowed(origin):
            self.set_header("Access-Control-Allow-Origin", origin)
            self.set_header("Vary", "Origin")
            self.set_header(
                "Access-Control-Expose-Headers",
                "Content-Range, Content-Length, Accept-Ranges, Content-Disposition",
            )

    def _origin_allowed(self, origin: str) -> bool:
        """Only an origin that may call gets CORS headers (a refusal does not echo it)."""
        request = self.request
        return self.ctx.policy.allows(
            origin,
            request.host,
            request.protocol,
            allow_null=self.compat and is_desktop_shell(request.headers),
            own_port=self.ctx.api_port,
        )

    def allowed_methods(self) -> list[str]:
        return [
            m
            for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            if getattr(type(self), m.lower()) is not getattr(RequestHandler, m.lower())
        ]

    def options(self, *args: str, **kwargs: str) -> None:
        """CORS preflight for allowed origins (access was checked in prepare)."""
        self.set_header("Access-Control-Allow-Methods", ", ".join(self.allowed_methods()))
        self.set_header("Access-Control-Allow-Headers", CORS_HEADERS)
        self.set_header("Access-Control-Max-Age", "600")
        self.set_status(204)
        self.finish()

    # -- calling the core ------------------------------------------------------------
    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.ctx.call(fn, *args, **kwargs)

    async def call_search(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.ctx.call_search(fn, *args, **kwargs)

    # -- input -----------------------------------------------------------------------
    def json_body(self, *, allow_empty: bool = False) -> dict[str, Any]:
        """The request body as a JSON object (strings in NFC); requires
        ``Content-Type: application/json``."""
        body = bytes(self._body)
        if not body and allow_empty:
            return {}
        kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json" and not kind.endswith("+json"):
            raise UnsupportedMediaTypeError(
                f"The body has Content-Type {echo(kind or '(none)')}.",
                "Send JSON with 'Content-Type: application/json'.",
            )
        value = load_json(body)
        if not isinstance(value, dict):
            raise MalformedRequestError(
                f"The body is JSON {type(value).__name__}, not an object.", "Send one JSON object."
            )
        return dict(nfc(value))

    def body_model(self, model: type[M]) -> M:
        """The JSON body read through ``model`` (a clear 400 naming the bad field)."""
        return parse_body(model, self.json_body())

    def query_model(self, model: type[M]) -> M:
        """The query string read through ``model``; empty values count as absent."""
        arguments = {
            name: [self.decode_argument(v, name=name) for v in values]
            for name, values in self.request.query_arguments.items()
        }
        return parse_query(model, arguments)

    # -- output ----------------------------------------------------------------------
    def send_model(self, value: Reply, status: int = 200) -> Future[None]:
        """A reply built from its model (the one the OpenAPI document describes)."""
        return self.send_json(value.to_json(), status)

    def send_json(self, value: Any, status: int = 200) -> Future[None]:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        return self.finish(json.dumps(value, ensure_ascii=False, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        exc = exc_info[1] if exc_info else None
        if isinstance(exc, RecordRouteError) or (
            exc is not None and not isinstance(exc, HTTPError)
        ):
            status, body = describe(exc, self.ctx.data_dir)
        else:
            status = status_code
            reason = exc.log_message if isinstance(exc, HTTPError) and exc.log_message else ""
            body = http_payload(status_code, reason if status_code < 500 else "")
        self.clear_header("Content-Disposition")
        self.clear_header("Content-Range")
        if status == 405:
            self.set_header("Allow", ", ".join([*self.allowed_methods(), "OPTIONS"]))
        self.set_status(status)
        self._cors()
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(value, RecordRouteError):
            log.info(
                "%s %s -> %s: %s", self.request.method, self.request.path, value.code, value.message
            )
            return
        if not isinstance(value, HTTPError) and not self._headers_written:
            return  # write_error logs it once, with the reference the client sees
        super().log_exception(typ, value, tb)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], RecordRouteError):
            status_code, _ = describe(exc_info[1], self.ctx.data_dir)
        super().send_error(status_code, **kwargs)


class NotFoundHandler(BaseHandler):
    """Unknown paths: the JSON error under the API, an empty 404 elsewhere (as the original)."""

    public = True

    def prepare(self) -> None:
        if self.request.path.startswith("/recordroute/"):
            raise HTTPError(404, "There is no such route in the RecordRoute API.")
        self.set_status(404)
        self.clear_header("Content-Type")
        self.finish()


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """A single ``bytes=a-b`` range as inclusive (start, end); ``None`` if not satisfiable.

    Raises ValueError for syntax this server does not serve (it then sends the whole file).
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        raise ValueError(header)
    first, sep, last = spec.strip().partition("-")
    if not sep:
        raise ValueError(header)
    first, last = first.strip(), last.strip()
    if first == "":
        if not last.isdigit():
            raise ValueError(header)
        length = int(last)
        if length == 0 or size == 0:
            return None
        return max(0, size - length), size - 1
    if not first.isdigit() or (last and not last.isdigit()):
        raise ValueError(header)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        raise ValueError(header)
    if start >= size:
        return None
    return start, min(end, size - 1)


__all__ = ["BaseHandler", "NotFoundHandler", "check_access", "parse_range"]
