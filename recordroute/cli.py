"""The ``recordroute`` command line.

Exit codes: 0 success, 1 failure (with a message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .app import RecordRoute
from .config import Settings
from .errors import RecordRouteError
from .logs import configure_logging
from .models import Recording

Handler = Callable[[RecordRoute, argparse.Namespace], int]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _emit(args: argparse.Namespace, value: Any, text: str) -> None:
    if args.json:
        payload = [_plain(v) for v in value] if isinstance(value, list) else _plain(value)
        print(json.dumps(payload, ensure_ascii=False, default=_json_default, indent=2))
    else:
        print(text)


def _line(rec: Recording) -> str:
    state = " [deleted]" if rec.deleted else ""
    tags = f"  #{' #'.join(rec.tags)}" if rec.tags else ""
    created = rec.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{rec.id}  {created}  {rec.kind:<5}  {rec.display_name}{tags}{state}"


# -- commands ---------------------------------------------------------------------
def cmd_add(app: RecordRoute, args: argparse.Namespace) -> int:
    added = [app.add_file(path, tags=args.tag or ()) for path in args.files]
    _emit(args, added, "\n".join(_line(r) for r in added))
    return 0


def cmd_list(app: RecordRoute, args: argparse.Namespace) -> int:
    deleted: bool | None = None if args.all else bool(args.deleted)
    recs = app.list_recordings(
        deleted=deleted,
        kind=args.kind,
        tag=args.tag,
        text=args.search,
        sort=args.sort,
        descending=not args.ascending,
        limit=args.limit,
    )
    _emit(args, recs, "\n".join(_line(r) for r in recs) or "(no recordings)")
    return 0


def cmd_show(app: RecordRoute, args: argparse.Namespace) -> int:
    rec = app.get_recording(args.id)
    arts = app.list_artifacts(args.id)
    lines = [
        _line(rec),
        f"  original file: {rec.original_name} ({rec.size_bytes} bytes)",
        f"  sha256: {rec.sha256}",
    ]
    if rec.title:
        lines.append(f"  title: {rec.title}")
    lines += [f"  {a.kind:<10} {a.id}  {a.file_name}" for a in arts]
    _emit(
        args,
        {"recording": dataclasses.asdict(rec), "artifacts": [dataclasses.asdict(a) for a in arts]},
        "\n".join(lines),
    )
    return 0


def cmd_rename(app: RecordRoute, args: argparse.Namespace) -> int:
    rec = app.rename(args.id, args.name)
    _emit(args, rec, _line(rec))
    return 0


def cmd_tag(app: RecordRoute, args: argparse.Namespace) -> int:
    rec = app.get_recording(args.id)
    if args.add:
        rec = app.add_tags(args.id, args.add)
    if args.remove:
        rec = app.remove_tags(args.id, args.remove)
    _emit(args, rec, _line(rec))
    return 0


def _each(method: str) -> Handler:
    def run(app: RecordRoute, args: argparse.Namespace) -> int:
        for rid in args.ids:
            result = getattr(app, method)(rid)
            if not args.json:
                print(_line(result) if isinstance(result, Recording) else f"{rid}  purged")
        if args.json:
            print(json.dumps({"ok": list(args.ids)}))
        return 0

    return run


def cmd_import_legacy(app: RecordRoute, args: argparse.Namespace) -> int:
    report = app.import_legacy(args.path)
    text = (
        f"imported {report.recordings_added} recordings, {report.artifacts_added} files, "
        f"{report.vectors_added} vectors; {report.recordings_skipped} already present"
    )
    if report.missing_files:
        text += "\nmissing upload files (records kept): " + ", ".join(report.missing_files)
    _emit(args, report, text)
    return 0


def cmd_export_legacy(app: RecordRoute, args: argparse.Namespace) -> int:
    path = app.export_legacy(args.path, overwrite=args.force)
    _emit(args, {"path": str(path)}, f"wrote {path}")
    return 0


def cmd_doctor(app: RecordRoute, args: argparse.Namespace) -> int:
    info = {
        "data_dir": str(app.data_dir),
        "recordings": app.count_recordings(),
        "deleted": app.count_recordings(deleted=True),
        "settings": {
            k: str(v) for k, v in dataclasses.asdict(app.settings).items() if k != "token"
        },
    }
    text = "\n".join(
        [
            f"data folder: {info['data_dir']}",
            f"recordings: {info['recordings']} ({info['deleted']} deleted)",
        ]
    )
    _emit(args, info, text)
    return 0


# -- parser -----------------------------------------------------------------------
def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        "--db-path",
        dest="data_dir",
        metavar="DIR",
        default=default,
        help="data folder (default: $RECORDROUTE_DATA_DIR, $DB_FOLDER_PATH or ./db)",
    )
    parser.add_argument(
        "--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default=default
    )
    parser.add_argument(
        "--json", action="store_true", default=default, help="print machine-readable JSON"
    )


def build_parser() -> argparse.ArgumentParser:
    # the options work before or after the command; SUPPRESS keeps a subcommand's
    # unset option from overwriting one given before the command
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="recordroute",
        description="RecordRoute: transcripts, summaries and search for your recordings, offline.",
    )
    _global_options(parser, default=None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

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
    command("doctor", cmd_doctor, "show the data folder and settings in use")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.json = bool(args.json)
    try:
        settings = Settings.load({"data_dir": args.data_dir, "log_level": args.log_level})
        configure_logging(settings)
        with RecordRoute(settings) as app:
            code: int = args.handler(app, args)
            return code
    except RecordRouteError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"  fix: {exc.fix}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
