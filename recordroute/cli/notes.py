"""``recordroute export-notes``: a Markdown note per recording, for Obsidian or any folder."""

from __future__ import annotations

import argparse

from ..app import RecordRoute
from .output import Command, emit


def cmd_export_notes(app: RecordRoute, args: argparse.Namespace) -> int:
    if args.recording:
        paths = [app.notes.export(r, args.to) for r in args.recording]
    else:
        paths = app.notes.export_all(args.to)
    emit(
        args,
        [str(p) for p in paths],
        "\n".join(str(p) for p in paths) + f"\n{len(paths)} note(s) written",
    )
    return 0


def register(command: Command) -> None:
    p = command(
        "export-notes",
        cmd_export_notes,
        "write a Markdown note per recording (front matter, summary, transcript) into a "
        "folder, e.g. an Obsidian vault; your text below the marker is kept",
    )
    p.add_argument("--to", metavar="DIR", help="the folder (default: $RECORDROUTE_EXPORT_DIR)")
    p.add_argument("--recording", action="append", metavar="ID", help="only this recording")
