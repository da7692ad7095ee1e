"""Subcommands for the library: add, list, show, rename, tag, delete, restore, purge,
and moving data from and to the original RecordRoute."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

from ..app import RecordRoute
from ..models import Recording
from .output import Command, Handler, emit, line


def cmd_add(app: RecordRoute, args: argparse.Namespace) -> int:
    added = [app.recordings.add_file(path, tags=args.tag or ()) for path in args.files]
    emit(args, added, "\n".join(line(r) for r in added))
    return 0


def cmd_list(app: RecordRoute, args: argparse.Namespace) -> int:
    deleted: bool | None = None if args.all else bool(args.deleted)
    recs = app.recordings.list(
        deleted=deleted,
        kind=args.kind,
        tag=args.tag,
        text=args.search,
        sort=args.sort,
        descending=not args.ascending,
        limit=args.limit,
    )
    emit(args, recs, "\n".join(line(r) for r in recs) or "(no recordings)")
    return 0


def cmd_show(app: RecordRoute, args: argparse.Namespace) -> int:
    rec = app.recordings.get(args.id)
    arts = app.recordings.artifacts(args.id)
    lines = [
        line(rec),
        f"  original file: {rec.original_name} ({rec.size_bytes} bytes)",
        f"  sha256: {rec.sha256}",
    ]
    if rec.title:
        lines.append(f"  title: {rec.title}")
    lines += [f"  {a.kind:<10} {a.id}  {a.file_name}" for a in arts]
    emit(
        args,
        {"recording": dataclasses.asdict(rec), "artifacts": [dataclasses.asdict(a) for a in arts]},
        "\n".join(lines),
    )
    return 0


def cmd_rename(app: RecordRoute, args: argparse.Namespace) -> int:
    rec = app.recordings.rename(args.id, args.name)
    emit(args, rec, line(rec))
    return 0


def cmd_tag(app: RecordRoute, args: argparse.Namespace) -> int:
    rec = app.recordings.get(args.id)
    if args.add:
        rec = app.recordings.add_tags(args.id, args.add)
    if args.remove:
        rec = app.recordings.remove_tags(args.id, args.remove)
    emit(args, rec, line(rec))
    return 0


def _each(method: str) -> Handler:
    def run(app: RecordRoute, args: argparse.Namespace) -> int:
        for rid in args.ids:
            result = getattr(app.recordings, method)(rid)
            if not args.json:
                print(line(result) if isinstance(result, Recording) else f"{rid}  purged")
        if args.json:
            print(json.dumps({"ok": list(args.ids)}))
        return 0

    return run


def cmd_import_legacy(app: RecordRoute, args: argparse.Namespace) -> int:
    report = app.legacy.import_folder(args.path)
    text = (
        f"imported {report.recordings_added} recordings, {report.artifacts_added} files, "
        f"{report.vectors_added} vectors; {report.recordings_skipped} already present"
    )
    if report.missing_files:
        text += "\nmissing upload files (records kept): " + ", ".join(report.missing_files)
    emit(args, report, text)
    return 0


def cmd_export_legacy(app: RecordRoute, args: argparse.Namespace) -> int:
    path = app.legacy.export_file(args.path, overwrite=args.force)
    emit(args, {"path": str(path)}, f"wrote {path}")
    return 0


def register(command: Command) -> None:
    p = command("add", cmd_add, "add recording files to the archive")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--tag", action="append", help="tag to give (repeatable)")
    p = command("list", cmd_list, "list recordings")
    p.add_argument("--all", action="store_true", help="include deleted recordings")
    p.add_argument("--deleted", action="store_true", help="only deleted recordings")
    p.add_argument("--kind", choices=("audio", "video", "text", "pdf", "unknown"))
    p.add_argument("--tag")
    p.add_argument("--search", help="text in the name, title or tags")
    p.add_argument(
        "--sort", default="created", choices=("created", "name", "duration", "updated", "kind")
    )
    p.add_argument("--ascending", action="store_true")
    p.add_argument("--limit", type=int)
    p = command("show", cmd_show, "show one recording and its files")
    p.add_argument("id")
    p = command("rename", cmd_rename, "change a recording's display name")
    p.add_argument("id")
    p.add_argument("name")
    p = command("tag", cmd_tag, "add or remove tags")
    p.add_argument("id")
    p.add_argument("--add", nargs="+", metavar="TAG")
    p.add_argument("--remove", nargs="+", metavar="TAG")
    for name, method, text in (
        ("delete", "delete", "delete recordings (restorable until purged)"),
        ("restore", "restore", "restore deleted recordings"),
        ("purge", "purge", "permanently remove deleted recordings and their files"),
    ):
        p = command(name, _each(method), text)
        p.add_argument("ids", nargs="+", metavar="ID")
    p = command(
        "import-legacy",
        cmd_import_legacy,
        "import an original RecordRoute data folder (safe to run twice)",
    )
    p.add_argument("path", type=Path, metavar="PATH")
    p = command(
        "export-legacy",
        cmd_export_legacy,
        "write an upload_history.json for tools that read the original format",
    )
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument("--force", action="store_true", help="replace an existing file")
