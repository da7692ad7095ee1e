"""Subcommands for asking the archive: ask, conversations."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..app import RecordRoute
from ..app.ask import parse_day
from .output import Command, emit, line_of_time


def cmd_ask(app: RecordRoute, args: argparse.Namespace) -> int:
    streaming = not args.json and sys.stdout.isatty()

    def on_event(kind: str, data: dict[str, Any]) -> None:
        if streaming and kind == "token":
            sys.stdout.write(str(data.get("text", "")))
            sys.stdout.flush()

    answer = app.ask.ask(
        args.question,
        conversation_id=args.conversation,
        recording_id=args.recording,
        start=parse_day("--since", args.since),
        end=parse_day("--until", args.until),
        tags=args.tag or (),
        kinds=args.kind or (),
        speakers=args.speaker or (),
        mode=args.mode,
        save=not args.no_save,
        on_event=on_event,
    )
    if streaming and answer.mode == "written":
        sys.stdout.write("\n\n")
    if args.json:
        emit(args, answer.to_dict(), "")
        return 0
    lines = [answer.text()]
    if answer.note:
        lines += ["", f"({answer.note})"]
    if answer.conversation_id:
        lines.append(f"conversation: {answer.conversation_id}  (follow up with --conversation)")
    print("\n".join(lines))
    return 0


def cmd_conversations(app: RecordRoute, args: argparse.Namespace) -> int:
    if args.delete:
        app.ask.delete_conversation(args.delete)
        emit(args, {"deleted": args.delete}, f"deleted conversation {args.delete}")
        return 0
    if args.show:
        conversation = app.ask.conversation(args.show)
        text = [f"{conversation.title}  ({conversation.id})"]
        for turn in conversation.turns:
            answer = app.ask.answers(conversation.id)[turn.ordinal - 1]
            text += ["", f"Q: {turn.question}", answer.text()]
        emit(args, conversation, "\n".join(text))
        return 0
    found = app.ask.conversations(recording_id=args.recording, limit=args.limit)
    rows = [
        f"{c.id}  {line_of_time(c.updated_at)}  {c.turn_count:>2} question(s)  {c.title}"
        for c in found
    ]
    emit(args, found, "\n".join(rows) or "(no conversations yet)")
    return 0


def register(command: Command) -> None:
    p = command("ask", cmd_ask, "ask the archive a question; every sentence cites its recording")
    p.add_argument("question")
    p.add_argument("--recording", metavar="ID", help="ask only this recording")
    p.add_argument("--since", metavar="DATE", help="only recordings from this day on")
    p.add_argument("--until", metavar="DATE", help="only recordings up to this day")
    p.add_argument("--tag", action="append", help="only recordings with this tag")
    p.add_argument("--kind", action="append", choices=("audio", "video", "text", "pdf"))
    p.add_argument(
        "--speaker",
        action="append",
        metavar="NAME",
        help="only what this person said (a name or 'Speaker 1'; repeat for several)",
    )
    p.add_argument("--mode", choices=("auto", "extractive", "written"), default="auto")
    p.add_argument("--conversation", metavar="ID", help="a follow-up in this conversation")
    p.add_argument("--no-save", action="store_true", help="do not keep the conversation")
    p = command("conversations", cmd_conversations, "list, show or delete saved conversations")
    p.add_argument("--show", metavar="ID")
    p.add_argument("--delete", metavar="ID")
    p.add_argument("--recording", metavar="ID", help="only conversations about this recording")
    p.add_argument("--limit", type=int, default=50)
    register_mcp(command)


def cmd_mcp(app: RecordRoute, args: argparse.Namespace) -> int:
    from ..mcp_server.server import run_stdio

    run_stdio(app, allow_write=args.allow_write)
    return 0


def register_mcp(command: Command) -> None:
    p = command(
        "mcp",
        cmd_mcp,
        "serve the archive to AI agents over MCP (stdio); read-only unless --allow-write",
    )
    p.add_argument(
        "--allow-write",
        action="store_true",
        help="also offer add_file and start_processing (and run a worker here)",
    )
