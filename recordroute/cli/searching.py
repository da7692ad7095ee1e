"""Subcommands for finding things: search, similar recordings, reindex."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..app import RecordRoute
from .output import Command, emit, plain

if TYPE_CHECKING:
    from ..search import SearchHit


def cmd_search(app: RecordRoute, args: argparse.Namespace) -> int:
    found = app.search.find(
        args.query,
        k=args.limit,
        kinds=args.kind or (),
        tags=args.tag or (),
        spoken_by=args.spoken_by or "",
    )
    lines = [_hit_line(app, hit) for hit in found.hits]
    if found.nothing_found:
        lines.append(f"nothing found for {args.query!r}")
        if found.suggestions:
            lines.append("try: " + " | ".join(found.suggestions))
    if args.weaker and found.weaker:
        lines.append("weaker matches:")
        lines += [_hit_line(app, hit) for hit in found.weaker]
    elif found.weaker:
        lines.append(f"({len(found.weaker)} weaker matches: add --weaker to list them)")
    payload = {
        "query": found.query,
        "nothing_found": found.nothing_found,
        "suggestions": list(found.suggestions),
        "hits": [plain(hit) for hit in found.hits],
        "weaker": [plain(hit) for hit in found.weaker] if args.weaker else [],
    }
    emit(args, payload, "\n".join(lines))
    return 0


def _hit_line(app: RecordRoute, hit: SearchHit) -> str:
    rec = app.recordings.get(hit.recording_id)
    at = f" @{hit.start_s:.0f}s" if hit.start_s is not None else ""
    return f"{hit.score:.4f}  {rec.display_name}{at}\n    {hit.snippet}"


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
    p.add_argument("--spoken-by", help="only what this speaker said (a name or 'Speaker 2')")
    p.add_argument(
        "--weaker", action="store_true", help="also list the matches below the relevance bar"
    )
    p = command("similar", cmd_similar, "recordings most similar to one recording")
    p.add_argument("id")
    p.add_argument("--limit", type=int, default=5)
    command("reindex", cmd_reindex, "rebuild the search index with the current embedding model")
