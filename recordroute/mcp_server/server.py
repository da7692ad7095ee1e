"""``recordroute mcp``: the archive as tools for AI agents, over MCP on stdio.

Read-only by default (search, ask, list recordings, get transcript, get summary, similar
recordings); ``--allow-write`` adds ``add_file`` and ``start_processing`` and runs a
worker in this process so that queued processing happens.  Every tool answers with
citations (``[recording, HH:MM:SS]``).  stdout carries only the protocol: logs go to
stderr and the log file.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from .. import __version__
from ..app import RecordRoute
from ..errors import RecordRouteError
from . import tools

INSTRUCTIONS = (
    "RecordRoute: the user's own recordings (meetings, lectures, interviews, documents), "
    "transcribed and searchable offline. Use `ask` for questions (answers cite "
    "[recording, HH:MM:SS]), `search` to find passages, then `get_transcript` with a time "
    "range to read around a citation. Quote citations back to the user."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)


def _tool(app: RecordRoute, fn: Callable[..., tools.Json]) -> Callable[..., tools.Json]:
    """``fn`` with the app bound and RecordRoute's errors turned into tool errors."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> tools.Json:
        try:
            return fn(app, *args, **kwargs)
        except RecordRouteError as exc:
            raise ToolError(f"{exc.message} {exc.fix}".strip()) from exc

    # the SDK reads the signature for the input schema: the bound ``app`` is left out,
    # and the annotations are resolved here (the tools module postpones them)
    hints = typing.get_type_hints(fn)
    signature = inspect.signature(fn)
    params = [p.replace(annotation=hints[p.name]) for p in list(signature.parameters.values())[1:]]
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=params, return_annotation=hints["return"]
    )
    run.__annotations__ = {k: v for k, v in hints.items() if k != "app"}
    return run


def build_server(app: RecordRoute, *, allow_write: bool = False) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer(
        name="recordroute", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )
    read = {
        "search": "Search the recordings by words and meaning; each result cites its moment.",
        "ask": "Answer a question from the recordings; every sentence cites "
        "[recording, HH:MM:SS]. 'found' is false when the recordings do not hold the answer. "
        "'speakers' (names, or 'Speaker 1') keeps only what those people said.",
        "list_recordings": "The recordings in the archive, newest first.",
        "get_transcript": "A recording's transcript as timed lines; start and end (seconds or "
        "HH:MM:SS) limit it to a range.",
        "get_summary": "A recording's summary (Markdown with the times it came from).",
        "similar_recordings": "Recordings like the given one, with the passage most alike.",
    }
    for name, description in read.items():
        server.add_tool(
            _tool(app, getattr(tools, name)),
            name=name,
            description=description,
            annotations=READ_ONLY,
            structured_output=True,
        )
    if allow_write:
        server.add_tool(
            _tool(app, tools.add_file),
            name="add_file",
            description="Copy a file (audio, video, PDF, text) on this machine into the archive.",
            annotations=WRITES,
            structured_output=True,
        )
        server.add_tool(
            _tool(app, tools.start_processing),
            name="start_processing",
            description="Queue processing of a recording (all steps, or the steps given).",
            annotations=WRITES,
            structured_output=True,
        )
    return server


def run_stdio(app: RecordRoute, *, allow_write: bool = False) -> None:
    """Serve MCP on stdin/stdout until the client closes the connection."""
    if allow_write:
        app.jobs.start_workers()
    build_server(app, allow_write=allow_write).run("stdio")
