"""The ``recordroute`` command line.

Exit codes: 0 success, 1 failure (with a message on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .app import RecordRoute
from .config import Settings
from .errors import DuplicateRecordingError, RecordRouteError
from .events import Event
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


class _ProgressBar:
    """One line on stderr, redrawn as job events arrive."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label[:30]
        self.enabled = enabled

    def __call__(self, event: Event) -> None:
        if not self.enabled or event.type != "job.progress":
            return
        percent = float(event.data.get("percent", 0))
        filled = int(percent / 5)
        eta = event.data.get("eta_s")
        tail = f" ETA {int(eta) // 60}m{int(eta) % 60:02d}s" if eta else ""
        line = f"\r{self.label:<30} [{'#' * filled}{' ' * (20 - filled)}] {percent:5.1f}% "
        sys.stderr.write(f"{line}{event.data.get('stage', '')[:40]:<40}{tail}")
        sys.stderr.flush()

    def end(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def cmd_process(app: RecordRoute, args: argparse.Namespace) -> int:
    options = {
        "language": args.language,
        "whisper_model": args.whisper_model,
        "llm_model": args.llm_model,
    }
    results = []
    failed = False
    for path in args.files:
        try:
            rec = app.add_file(path)
        except DuplicateRecordingError as exc:
            rec = app.get_recording(exc.existing_id)
        bar = _ProgressBar(rec.display_name, not args.json and sys.stderr.isatty())
        stop = app.subscribe(bar)
        try:
            job = app.process(rec.id, args.steps or (), options)
        finally:
            stop()
            bar.end()
        failed |= job.state != "done"
        results.append(job)
        if not args.json:
            outcome = "done" if job.state == "done" else f"{job.state}: {job.error}"
            print(f"{rec.id}  {rec.display_name}  {outcome}")
            title = app.get_recording(rec.id).title
            if title:
                print(f"  title: {title}")
    if args.json:
        print(
            json.dumps(
                [_plain(j) for j in results], ensure_ascii=False, default=_json_default, indent=2
            )
        )
    return 1 if failed else 0


def cmd_search(app: RecordRoute, args: argparse.Namespace) -> int:
    hits = app.search(args.query, k=args.limit, kinds=args.kind or (), tags=args.tag or ())
    lines = []
    for hit in hits:
        rec = app.get_recording(hit.recording_id)
        at = f" @{hit.start_s:.0f}s" if hit.start_s is not None else ""
        lines.append(f"{hit.score:.4f}  {rec.display_name}{at}\n    {hit.snippet}")
    _emit(args, hits, "\n".join(lines) or "(no matches)")
    return 0


def cmd_similar(app: RecordRoute, args: argparse.Namespace) -> int:
    found = app.similar_recordings(args.id, k=args.limit)
    lines = [f"{s.score:.3f}  {app.get_recording(s.recording_id).display_name}" for s in found]
    _emit(args, found, "\n".join(lines) or "(nothing similar yet)")
    return 0


def cmd_reindex(app: RecordRoute, args: argparse.Namespace) -> int:
    rows = app.reindex()
    _emit(args, {"rows": rows}, f"re-embedded {rows} chunks with {app.embedding_model_key()}")
    return 0


def cmd_jobs(app: RecordRoute, args: argparse.Namespace) -> int:
    if args.cancel:
        job = app.cancel_job(args.cancel)
        _emit(args, job, f"{job.id}  {job.state}")
        return 0
    if args.retry:
        job = app.retry_job(args.retry)
        _emit(args, job, f"{job.id}  {job.state}")
        return 0
    jobs = app.list_jobs(limit=args.limit)
    lines = [
        f"{j.id}  {j.state:<9} {j.percent:5.1f}%  {','.join(j.steps)}  {j.error}" for j in jobs
    ]
    _emit(args, jobs, "\n".join(lines) or "(no jobs)")
    return 0


def cmd_worker(app: RecordRoute, args: argparse.Namespace) -> int:
    """Run queued jobs until SIGTERM or SIGINT; jobs cut short resume on the next start."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    app.start_workers(args.threads)
    print(f"worker {os.getpid()} running jobs from {app.data_dir}", file=sys.stderr, flush=True)
    while not stop.wait(600):  # the temp area is also cleaned periodically
        app.clean_temp()
    app.stop_workers()
    return 0


def cmd_serve(app: RecordRoute, args: argparse.Namespace) -> int:
    """Start the API and the dashboards side by side; prints the URLs when both answer."""
    from .server.launcher import Launcher, launch_options  # tornado only for this command

    options = launch_options(
        app.settings,
        host=args.host,
        port=args.port,
        ws_port=args.ws_port,
        dashboard_port=args.dashboard_port,
        dashboards=args.dashboards,
        frontend=args.frontend,
        token=args.token,
        workers=args.workers,
        allow_origins=args.allow_origin or (),
    )
    return Launcher(app.settings, options).run()


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
    p = command(
        "process",
        cmd_process,
        "add files (if new) and run the pipeline on them, with a progress bar",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "--steps",
        nargs="+",
        metavar="STEP",
        help="ingest transcribe summarize title keywords embed (default: all)",
    )
    p.add_argument("--language", help="spoken language code, or auto (default: settings)")
    p.add_argument("--whisper-model", help="Whisper model for this run")
    p.add_argument("--llm-model", help="text model for summaries and titles in this run")
    p = command("search", cmd_search, "search transcripts and summaries by words and meaning")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--kind", action="append", choices=("audio", "video", "text", "pdf"))
    p.add_argument("--tag", action="append")
    p = command("similar", cmd_similar, "recordings most similar to one recording")
    p.add_argument("id")
    p.add_argument("--limit", type=int, default=5)
    command("reindex", cmd_reindex, "rebuild the search index with the current embedding model")
    p = command("jobs", cmd_jobs, "list jobs, or cancel/retry one")
    p.add_argument("--cancel", metavar="JOB_ID")
    p.add_argument("--retry", metavar="JOB_ID")
    p.add_argument("--limit", type=int, default=50)
    p = command("worker", cmd_worker, "run queued jobs in this process until stopped")
    p.add_argument("--threads", type=int, default=None, help="jobs at once (default: settings)")
    p = command(
        "serve", cmd_serve, "serve the API, the original client's routes and the dashboards"
    )
    p.add_argument("--host", help="address to bind (default 127.0.0.1; others need the token)")
    p.add_argument("--port", type=int, help="API port (default 8080; 0 picks a free one)")
    p.add_argument(
        "--ws-port",
        type=int,
        help="original client's progress socket (default 8765; -1 turns it off)",
    )
    p.add_argument("--dashboard-port", type=int, help="Voila port (default: a free one)")
    p.add_argument("--dashboards", type=Path, help="notebook folder for Voila (./dashboards)")
    p.add_argument("--frontend", type=Path, help="serve this static web client at /")
    p.add_argument("--token", help="API token (default $RECORDROUTE_TOKEN, else generated)")
    p.add_argument("--workers", type=int, help="job worker processes (default 1)")
    p.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="another web origin allowed to call the API (repeatable)",
    )
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
