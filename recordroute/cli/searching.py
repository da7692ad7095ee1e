"""Subcommands for finding things: search, similar recordings, reindex."""

from __future__ import annotations

import argparse

from ..app import RecordRoute
from .output import Command, emit


def cmd_search(app: RecordRoute, args: argparse.Namespace) -> int:
    hits = app.search.query(args.query, k=args.limit, kinds=args.kind or (), tags=args.tag or ())
    lines = []
    for hit in hits:
        rec = app.recordings.get(hit.recording_id)
        at = f" @{hit.start_s:.0f}s" if hit.start_s is not None else ""
        lines.append(f"{hit.score:.4f}  {rec.display_name}{at}\n    {hit.snippet}")
    emit(args, hits, "\n".join(lines) or "(no matches)")
    return 0


def cmd_similar(app: RecordRoute, args: argparse.Namespace) -> int:
    found = app.search.similar(args.id, k=args.limit)
    lines = [f"{s.score:.3f}  {app.recordings.get(s.recording_id).display_name}" for s in found]
    emit(args, found, "\n".join(lines) or "(nothing similar yet)")
    return 0


def cmd_reindex(app: RecordRoute, args: argparse.Namespace) -> int:
    rows = app.search.reindex()
    emit(
        args, {"rows": rows}, f"re-embedded {rows} chunks with {app.engines.embedding_model_key()}"
    )
    return 0


def register(command: Command) -> None:
    p = command("search", cmd_search, "search transcripts and summaries by words and meaning")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--kind", action="append", choices=("audio", "video", "text", "pdf"))
    p.add_argument("--tag", action="append")
    p = command("similar", cmd_similar, "recordings most similar to one recording")
    p.add_argument("id")
    p.add_argument("--limit", type=int, default=5)
    command("reindex", cmd_reindex, "rebuild the search index with the current embedding model")
