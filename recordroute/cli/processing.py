"""Subcommands that run things: process files, manage jobs, run a worker, serve, doctor."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
from pathlib import Path

from ..app import RecordRoute
from ..errors import DuplicateRecordingError, InvalidInputError
from ..events import Event
from .output import Command, emit, json_default, plain


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
    """Process files (added first if new), or with ``--all`` every recording in the archive.

    ``--all --steps summarize title`` re-summarises the archive from the transcripts it
    has: nothing is transcribed again, and transcripts the user edited stay as they are.
    """
    if bool(args.files) == bool(args.all):
        raise InvalidInputError(
            "Say what to process: some FILEs, or --all for every recording in the archive.",
            "Run `recordroute process FILE...` or `recordroute process --all --steps STEP...`.",
        )
    options = {
        "language": args.language,
        "whisper_model": args.whisper_model,
        "llm_model": args.llm_model,
        "num_speakers": args.speakers,
        "template": args.template,
        "summary_mode": args.summary_mode,
    }
    if args.all:
        recordings = app.recordings.list()
    else:
        recordings = []
        for path in args.files:
            try:
                recordings.append(app.recordings.add_file(path))
            except DuplicateRecordingError as exc:
                recordings.append(app.recordings.get(exc.existing_id))
    results = []
    failed = False
    for rec in recordings:
        bar = _ProgressBar(rec.display_name, not args.json and sys.stderr.isatty())
        stop = app.events.subscribe(bar)
        try:
            job = app.jobs.process(rec.id, args.steps or (), options)
        finally:
            stop()
            bar.end()
        failed |= job.state != "done"
        results.append(job)
        if not args.json:
            outcome = "done" if job.state == "done" else f"{job.state}: {job.error}"
            print(f"{rec.id}  {rec.display_name}  {outcome}")
            title = app.recordings.get(rec.id).title
            if title:
                print(f"  title: {title}")
            for note in app.jobs.note(job.id).splitlines():
                if note.startswith(("notes:", "after ")):
                    print(f"  {note}")
    if args.json:
        print(
            json.dumps(
                [plain(j) for j in results], ensure_ascii=False, default=json_default, indent=2
            )
        )
    elif not results:
        print("(no recordings)")
    return 1 if failed else 0


def cmd_jobs(app: RecordRoute, args: argparse.Namespace) -> int:
    if args.cancel:
        job = app.jobs.cancel(args.cancel)
        emit(args, job, f"{job.id}  {job.state}")
        return 0
    if args.retry:
        job = app.jobs.retry(args.retry)
        emit(args, job, f"{job.id}  {job.state}")
        return 0
    jobs = app.jobs.list(limit=args.limit)
    lines = [
        f"{j.id}  {j.state:<9} {j.percent:5.1f}%  {','.join(j.steps)}  {j.error}" for j in jobs
    ]
    emit(args, jobs, "\n".join(lines) or "(no jobs)")
    return 0


def cmd_worker(app: RecordRoute, args: argparse.Namespace) -> int:
    """Run queued jobs until SIGTERM or SIGINT; jobs cut short resume on the next start."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    app.jobs.start_workers(args.threads)
    print(f"worker {os.getpid()} running jobs from {app.data_dir}", file=sys.stderr, flush=True)
    while not stop.wait(600):  # the temp area is also cleaned periodically
        app.recordings.clean_temp()
    app.jobs.stop_workers()
    return 0


def cmd_serve(app: RecordRoute, args: argparse.Namespace) -> int:
    """Start the API and the dashboards side by side; prints the URLs when both answer."""
    from ..server.launcher import Launcher, launch_options  # tornado only for this command

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
        "recordings": app.recordings.count(),
        "deleted": app.recordings.count(deleted=True),
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
    emit(args, info, text)
    return 0


def register(command: Command) -> None:
    p = command(
        "process",
        cmd_process,
        "add files (if new) and run the pipeline on them, with a progress bar",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE")
    p.add_argument(
        "--all", action="store_true", help="every recording in the archive instead of FILEs"
    )
    p.add_argument(
        "--steps",
        nargs="+",
        metavar="STEP",
        help="ingest transcribe diarize summarize title keywords embed (default: all)",
    )
    p.add_argument("--speakers", type=int, help="number of speakers (default: found)")
    p.add_argument("--language", help="spoken language code, or auto (default: settings)")
    p.add_argument("--whisper-model", help="Whisper model for this run")
    p.add_argument("--llm-model", help="text model for summaries and titles in this run")
    p.add_argument(
        "--template", help="summary template: meeting, lecture, interview or a custom one"
    )
    p.add_argument(
        "--summary-mode",
        choices=("auto", "extractive", "abstractive"),
        help="extractive: sentences of the recording; abstractive: written by the model, checked",
    )
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
