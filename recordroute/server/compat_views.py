"""The original client's response shapes, built from facade results.

Each function runs in the server's thread pool (one hop off the IOLoop per request)
and only calls :class:`RecordRoute` methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..app import RecordRoute
from ..errors import NotFoundError, RecordRouteError, echo
from ..models import Artifact, Job, Recording
from . import compat_desktop as desktop
from .compat_base import local_iso

ORIGINAL_TASKS = ("stt", "embedding", "summary")


def _latest(app: RecordRoute, recording_id: str, kind: str) -> Artifact | None:
    found = app.recordings.latest_artifact(recording_id, kind, "md")
    return found or app.recordings.latest_artifact(recording_id, kind, "txt")


def _document(app: RecordRoute, rec: Recording, base: str = "") -> dict[str, Any]:
    """Where the original pointed for a recording's text: its transcript file.

    ``base`` goes before ``/download/...`` (the desktop renderer needs absolute links)."""
    art = _latest(app, rec.id, "transcript")
    return {
        "file_uuid": art.id if art else None,
        "file": f"DB/{art.rel_path}" if art else None,
        "display_name": art.file_name if art else rec.display_name,
        "uploaded_at": local_iso(rec.created_at),
        "source_filename": rec.display_name,
        "link": f"{base}/download/{art.id}" if art else None,
    }


def search(
    app: RecordRoute,
    query: str,
    start: date | datetime | None,
    end: date | datetime | None,
    base: str = "",
) -> dict[str, list[dict[str, Any]]]:
    """``{"keywordMatches", "similarDocuments"}``: five of each at most, no recording twice."""
    keyword: list[dict[str, Any]] = []
    similar: list[dict[str, Any]] = []
    for hit in app.search.query(query, k=10, start=start, end=end):
        rec = app.recordings.find(hit.recording_id)
        if rec is None:
            continue
        doc = _document(app, rec, base)
        if hit.keyword is not None and len(keyword) < 5:
            keyword.append({**doc, "count": hit.keyword.matches})
        elif hit.keyword is None and len(similar) < 5:
            score = hit.chunk.score if hit.chunk is not None else hit.score
            similar.append({**doc, "score": round(float(score), 6)})
    return {"keywordMatches": keyword, "similarDocuments": similar}


def similar(
    app: RecordRoute, identifier: str, *, detailed: bool, base: str = ""
) -> list[dict[str, Any]]:
    """Recordings like the one owning file ``identifier`` (the original's /similar)."""
    art = app.recordings.get_artifact(identifier)
    items = []
    for found in app.search.similar(art.recording_id, k=5):
        rec = app.recordings.find(found.recording_id)
        if rec is None:
            continue
        doc = _document(app, rec, base)
        item: dict[str, Any] = {
            "file": doc["file"],
            "score": round(float(found.score), 6),
            "link": doc["link"],
        }
        if detailed:
            item["display_name"] = rec.display_name
            item["title_summary"] = rec.title
        items.append(item)
    return items


def file_search(app: RecordRoute, query: str) -> list[dict[str, Any]]:
    if not query.strip():
        return []
    recs = app.recordings.list(text=query.strip(), limit=500)
    return [{"id": r.id, "filename": r.display_name, "tags": list(r.tags)} for r in recs]


def models(app: RecordRoute) -> dict[str, Any]:
    catalog = app.engines.list_models(probe_ollama=True)
    names = [m["name"] for m in catalog["models"] if m["present"]]
    ollama = catalog.get("ollama") or {}
    names += [n for n in ollama.get("models", ()) if "/" not in n]
    settings = app.settings
    return {
        "models": names,
        "default": {
            "whisper": settings.whisper_model,
            "summarize": settings.llm_model,
            "embedding": settings.embed_model,
        },
    }


def known_models(app: RecordRoute) -> set[str]:
    """Model names that exist here (so the original client's choices can be honoured)."""
    catalog = app.engines.list_models(probe_ollama=app.settings.llm_provider == "ollama")
    names = {m["name"] for m in catalog["models"] if m["present"]}
    ollama = catalog.get("ollama") or {}
    return names | set(ollama.get("models", ()))


def progress_text(job: Job) -> str:
    if job.state == "queued":
        return "queued 0%"
    if job.state in ("done", "failed", "cancelled"):
        return f"{job.state} {int(job.percent)}%"
    return f"{job.stage or job.state} {int(job.percent)}%"


def _task_entry(job: Job, now: datetime) -> dict[str, Any]:
    started = job.started_at or job.created_at
    ended = job.finished_at or now
    return {
        "pid": 0,
        "start_time": started.timestamp(),
        "cancelled": job.cancel_requested,
        "duration": max(0.0, (ended - started).total_seconds()),
        "job_id": job.id,
        "record_id": job.recording_id,
        "state": job.state,
        "percent": job.percent,
        "message": progress_text(job),
    }


def tasks(app: RecordRoute, unlisted: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Unfinished jobs keyed by the client's task id (the original's ``/tasks``), and the
    ``unlisted`` desktop tasks (task id -> job id) even when they have ended."""
    now = datetime.now().astimezone()
    result: dict[str, dict[str, Any]] = {}
    for job in reversed(app.jobs.list(states=("queued", "running"))):
        result[job.client_task_id or job.id] = _task_entry(job, now)
    for job in desktop.finished_tasks(app, unlisted or {}, set(result)):
        result[job.client_task_id or job.id] = _task_entry(job, now)
    return result


def progress(app: RecordRoute, task_id: str) -> dict[str, Any]:
    job = app.jobs.find_for_task(task_id)
    if job is None or job.state not in ("queued", "running"):
        return {}
    return {"message": progress_text(job), "timestamp": job.updated_at.timestamp()}


def links(app: RecordRoute, job: Job, requested: list[str]) -> dict[str, str]:
    """``/process`` result: download links of what the requested steps produced."""
    result: dict[str, str] = {}
    transcript = _latest(app, job.recording_id, "transcript")
    summary = _latest(app, job.recording_id, "summary")
    if transcript is not None and ("stt" in requested or "summary" in requested):
        result["stt"] = f"/download/{transcript.id}"
    if summary is not None and "summary" in requested:
        result["summary"] = f"/download/{summary.id}"
    return result


def check_existing_stt(app: RecordRoute, recording_id: str | None) -> dict[str, Any]:
    if recording_id is None or app.recordings.find(recording_id) is None:
        return {"has_stt": False, "stt_file": None}
    art = _latest(app, recording_id, "transcript")
    return {"has_stt": art is not None, "stt_file": f"DB/{art.rel_path}" if art else None}


def update_stt_text(app: RecordRoute, identifier: str, content: str) -> str:
    """Save an edited transcript; returns its recording id.  ``identifier`` is the
    transcript's file id, or a record id (the desktop renderer's Rust-era shape)."""
    rec = app.recordings.find(identifier)
    if rec is not None:
        app.transcripts.edit(rec.id, content)
        return rec.id
    art = app.recordings.get_artifact(identifier)
    if art.kind != "transcript":
        raise NotFoundError(
            f"File {identifier} is a {art.kind}, not a transcript.",
            "Only STT results can be edited.",
        )
    app.transcripts.edit(art.recording_id, content)
    return art.recording_id


def delete_artifact(app: RecordRoute, identifier: str, file_type: str) -> None:
    art = app.recordings.get_artifact(identifier)
    wanted = {"stt": "transcript", "summary": "summary"}[file_type]
    if art.kind != wanted:
        raise NotFoundError(
            f"File {identifier} is a {art.kind}, not a {file_type} result.",
            "Pass the file of the right type.",
        )
    app.steps.reset(art.recording_id, [file_type])


def reset_all(app: RecordRoute, chosen: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(ORIGINAL_TASKS, 0)
    for rec in app.recordings.list():
        try:
            done = app.steps.reset(rec.id, chosen)
        except RecordRouteError:
            continue  # deleted meanwhile
        for task in done:
            counts[task] += 1
    return counts


def delete_records(app: RecordRoute, ids: list[Any]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for rid in ids:
        key = str(rid) if len(str(rid)) <= 200 else echo(str(rid))  # ids are short
        try:
            app.recordings.delete(str(rid))
            results[key] = {"success": True}
        except RecordRouteError as exc:
            results[key] = {"success": False, "error": exc.message}
    return results


def incremental_embedding(app: RecordRoute) -> int:
    """Queue the index step for every recording with a transcript and no index yet."""
    count = 0
    _, records = app.legacy.history()
    for record in records:
        done = record["completed_tasks"]
        if done.get("stt") and not done.get("embedding"):
            app.jobs.submit(record["id"], ["embed"], client_task_id="incremental_embedding")
            count += 1
    return count
