"""The desktop renderer's shapes on the routes it shares with the web page.

The original Electron client (its ``Rust`` branch) speaks the Rust server's shapes on a
few routes the web page also calls.  Each request says which client sent it by what it
carries, never by a setting:

* ``POST /upload`` with one file in field ``file`` (the web page sends ``files``) gets
  one object ``{file_uuid, filename, path}``, ``path`` being a download link;
* ``POST /process`` with ``file_uuid`` and no ``file_path`` queues the ``run_*`` steps and
  answers at once with ``{task_id, message}``; progress frames on the socket carry that
  ``task_id``, and ``GET /tasks`` lists the task at least once (the renderer learns that
  a task ended only by seeing it leave that list).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..app import RecordRoute
from ..errors import InvalidInputError, NotFoundError
from ..models import Job
from .compat_base import CompatReply
from .uploads import UploadResult

#: the renderer's flags and the original's task names they stand for, in pipeline order
RUN_FLAGS = (("run_stt", "stt"), ("run_embed", "embedding"), ("run_summarize", "summary"))
MODEL_FIELDS = ("stt_model", "summary_model")


def is_renderer_process(body: Mapping[str, Any]) -> bool:
    """The renderer's ``/process`` body names the recording by ``file_uuid``."""
    return "file_uuid" in body and "file_path" not in body


def parse_process(body: Mapping[str, Any]) -> tuple[str, list[str], dict[str, str]]:
    """(recording id, original task names, model fields) of a renderer ``/process`` body;
    a malformed body gets a plain-text 400 (as the Rust server answered)."""
    rid = body.get("file_uuid")
    if not isinstance(rid, str) or not rid.strip():
        raise CompatReply(400, text="'file_uuid' must be the record id (a string).")
    tasks: list[str] = []
    for flag, task in RUN_FLAGS:
        value = body.get(flag, False)
        if not isinstance(value, bool):
            raise CompatReply(400, text=f"'{flag}' must be true or false, not {value!r:.40}.")
        if value:
            tasks.append(task)
    if not tasks:
        raise CompatReply(400, text="No task specified")
    models: dict[str, str] = {}
    for name in MODEL_FIELDS:
        value = body.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise CompatReply(400, text=f"'{name}' must be a model name (a string).")
        models[name] = value.strip()
    return rid.strip(), tasks, models


def _offered(app: RecordRoute) -> tuple[set[str], set[str]]:
    """Speech and text model names this server can run now."""
    settings = app.settings
    probe = settings.llm_provider == "ollama"
    catalog = app.engines.list_models(probe_ollama=probe)
    present = [m for m in catalog["models"] if m["present"]]
    speech = {m["name"] for m in present if m["kind"] == "speech"} | {settings.whisper_model}
    text = {settings.llm_model}
    if settings.llm_provider == "ollama":
        text |= set((catalog.get("ollama") or {}).get("models", ()))
    else:
        text |= {m["name"] for m in present if m["kind"] == "llm"}
    return speech, text


def model_options(app: RecordRoute, models: Mapping[str, str]) -> dict[str, str]:
    """Job options for the renderer's model fields; a model this server lacks is refused."""
    if not models:
        return {}
    speech, text = _offered(app)
    options: dict[str, str] = {}
    for field, offered, option, what in (
        ("stt_model", speech, "whisper_model", "speech"),
        ("summary_model", text, "llm_model", "summary"),
    ):
        name = models.get(field)
        if name is None:
            continue
        if name not in offered:
            raise InvalidInputError(
                f"The {what} model {name!r} ({field}) is not available on this server.",
                f"Choose one of: {', '.join(sorted(offered))}.",
            )
        options[option] = name
    return options


def submit(
    app: RecordRoute, rid: str, tasks: list[str], models: Mapping[str, str], task_id: str
) -> Job | None:
    """Queue the renderer's steps; ``None`` when there is no such (active) record."""
    rec = app.recordings.find(rid)
    if rec is None or rec.deleted:
        return None
    options = model_options(app, models)
    steps = [*tasks, "title"] if "summary" in tasks else tasks  # the summary names it too
    return app.jobs.submit(rec.id, steps, options, client_task_id=task_id)


def upload_reply(app: RecordRoute, result: UploadResult, base: str) -> dict[str, Any]:
    """The renderer's upload answer: the record id, its name and a download link."""
    rid = result.recording.id if result.recording is not None else result.duplicate_of
    rec = app.recordings.get(rid)
    source = app.recordings.latest_artifact(rid, "source")
    reply: dict[str, Any] = {
        "file_uuid": rid,
        "filename": rec.display_name if result.recording is not None else result.file_name,
        "path": f"{base}/download/{source.id}" if source is not None else None,
    }
    if result.recording is None:
        reply.update(duplicate=True, original_record_id=rid)
    return reply


def finished_tasks(app: RecordRoute, unlisted: Mapping[str, str], listed: set[str]) -> list[Job]:
    """The renderer's jobs that ended before any ``/tasks`` answer listed them."""
    jobs = []
    for task_id, job_id in unlisted.items():
        if task_id in listed:
            continue
        try:
            jobs.append(app.jobs.get(job_id))
        except (NotFoundError, InvalidInputError):
            continue  # purged meanwhile
    return jobs
