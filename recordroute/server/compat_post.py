"""The original client's write routes, same shapes and status codes.

Fixed rather than copied: ``/process`` runs its steps as a queued job (cancellable,
visible in ``/tasks``) and answers with links that download; ``/cancel`` stops the
job; ``/shutdown`` needs the token; bodies must be JSON (``Content-Type:
application/json``) so a cross-site form cannot trigger them.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from ..app import RecordRoute
from ..errors import ConflictError, NotFoundError, RecordRouteError, echo
from . import compat_desktop as desktop
from . import compat_views as views
from .compat_base import CompatHandler, CompatReply, file_uuid, record_from_path
from .errors import redact
from .uploads import StreamingUploadHandler

DEVICES = {"auto": "auto", "cuda": "cuda", "cpu": "cpu", "mps": "auto"}


def _text_field(body: dict[str, Any], name: str, missing: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CompatReply(400, text=missing)
    return value


class UploadHandler(StreamingUploadHandler, CompatHandler):
    """``POST /upload``: an array, one element per file (new or duplicate); one file in
    field ``file`` (the desktop renderer) gets one object instead."""

    def prepare(self) -> None:
        CompatHandler.prepare(self)
        kind = self.request.headers.get("Content-Type", "")
        if not kind.lower().startswith("multipart/form-data"):
            raise CompatReply(400, text="Invalid content type")
        if "boundary=" not in kind:
            raise CompatReply(400, text="No boundary found")
        super().prepare()

    async def post(self) -> None:
        try:
            results = await self.finish_body()
        except RecordRouteError as exc:
            if exc.code == "invalid_input" and not self.results:
                raise CompatReply(400, text="No file uploaded") from None
            raise
        if len(results) == 1 and results[0].field == "file":
            reply = await self.call(
                desktop.upload_reply, self.ctx.app, results[0], self.link_base()
            )
            self.reply(reply)
            return
        items: list[dict[str, Any]] = []
        for result in results:
            if result.recording is None:
                items.append(
                    {
                        "duplicate": True,
                        "original_record_id": result.duplicate_of,
                        "filename": result.file_name,
                    }
                )
                continue
            record = await self.call(self.ctx.app.legacy.record, result.recording.id)
            items.append(
                {
                    "file_path": record["file_path"],
                    "file_type": record["file_type"],
                    "record_id": result.recording.id,
                }
            )
        self.reply(items)


def _job_options(app: RecordRoute, settings: Any) -> dict[str, Any]:
    """The original's ``model_settings`` as job options; unknown model names are ignored."""
    if not isinstance(settings, dict):
        return {}
    options: dict[str, Any] = {}
    language = settings.get("language")
    if isinstance(language, str):
        options["language"] = language.strip() or "auto"
    device = settings.get("device")
    if isinstance(device, str) and device in DEVICES:
        options["device"] = DEVICES[device]
    wanted = {k: settings.get(k) for k in ("whisper", "summarize")}
    if any(isinstance(v, str) and v for v in wanted.values()):
        known = views.known_models(app)
        if wanted["whisper"] in known:
            options["whisper_model"] = wanted["whisper"]
        if wanted["summarize"] in known:
            options["llm_model"] = wanted["summarize"]
    return options


def _submit(app: RecordRoute, body: dict[str, Any], file_path: str, task_id: str) -> Any:
    record_id = body.get("record_id") if isinstance(body.get("record_id"), str) else None
    rid = record_id or record_from_path(file_path)
    if rid is None or app.recordings.find(rid) is None:
        return None
    steps = body.get("steps") or []
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        steps = []
    planned = [s for s in steps if s in views.ORIGINAL_TASKS] or ["ingest"]
    if "summary" in planned:
        planned.append("title")  # the original's summary step also wrote title_summary
    options = _job_options(app, body.get("model_settings"))
    return app.jobs.submit(rid, planned, options, client_task_id=task_id)


class ProcessHandler(CompatHandler):
    """``POST /process``: queue the steps, wait for the job, answer with download links;
    the desktop renderer's body (``file_uuid``, ``run_*``) is answered at once."""

    def on_connection_close(self) -> None:
        self._gone = True
        super().on_connection_close()

    async def post(self) -> None:
        self._gone = False
        body = self.body()
        if desktop.is_renderer_process(body):
            await self._queue_for_renderer(body)
            return
        file_path = _text_field(body, "file_path", "Missing file_path")
        steps = body.get("steps")
        if steps is not None and (
            not isinstance(steps, list) or not all(isinstance(s, str) for s in steps)
        ):  # refused before anything is queued
            raise CompatReply(
                400,
                {
                    "error": f"'steps' must be a list of step names, not {echo(steps)}.",
                    "details": 'Send e.g. {"file_path": "...", "steps": ["stt", "summary"]}.',
                },
            )
        task = body.get("task_id")
        task_id = task if isinstance(task, str) and task.strip() else str(uuid.uuid4())
        await self.ctx.hub.start()
        try:
            job = await self.call(_submit, self.ctx.app, body, file_path, task_id)
        except RecordRouteError as exc:
            self.reply({"error": redact(exc.message, self.ctx.data_dir)})
            return
        if job is None:
            self.reply({"error": "FILE_NOT_FOUND"})
            return
        self.ctx.ensure_workers()
        finished = await self.ctx.hub.wait_finished(job.id)
        if self._gone:
            return
        if finished.state == "done":
            steps = [s for s in body.get("steps") or [] if isinstance(s, str)]
            self.reply(await self.call(views.links, self.ctx.app, finished, steps))
        elif finished.state == "cancelled":
            self.reply({"error": "Task was cancelled"})
        else:
            self.reply({"error": redact(finished.error, self.ctx.data_dir) or "Task failed"})

    async def _queue_for_renderer(self, body: dict[str, Any]) -> None:
        rid, tasks, models = desktop.parse_process(body)
        task_id = str(uuid.uuid4())
        try:
            job = await self.call(desktop.submit, self.ctx.app, rid, tasks, models, task_id)
        except RecordRouteError as exc:
            text = f"{exc.message} {exc.fix}".strip()
            self.reply({"error": redact(text, self.ctx.data_dir)})
            return
        if job is None:
            self.reply({"error": "FILE_NOT_FOUND"})
            return
        unlisted = self.ctx.unlisted_tasks
        unlisted[task_id] = job.id
        while len(unlisted) > 1000:  # a renderer that never asks: keep the newest only
            del unlisted[next(iter(unlisted))]
        self.ctx.ensure_workers()
        self.reply({"task_id": task_id, "message": f"Queued: {', '.join(tasks)}."})


class CancelHandler(CompatHandler):
    async def post(self) -> None:
        task_id = _text_field(self.body(), "task_id", "Missing task_id")
        job = await self.call(self.ctx.app.jobs.find_for_task, task_id)
        if job is None or job.state not in ("queued", "running"):
            self.reply({"success": False})
            return
        try:
            await self.call(self.ctx.app.jobs.cancel, job.id)
        except ConflictError:  # it finished meanwhile
            self.reply({"success": False})
            return
        self.reply({"success": True})


class ShutdownHandler(CompatHandler):
    """``POST /shutdown``: needs the token even on loopback."""

    shutdown_route = True

    def post(self) -> None:
        self.reply({"success": True, "message": "Shutdown accepted; the server stops now."})
        stop = self.ctx.on_shutdown
        if stop is not None:
            asyncio.get_running_loop().call_later(0.3, stop)


class ResetHandler(CompatHandler):
    async def post(self) -> None:
        rid = _text_field(self.body(), "record_id", "Missing record_id")
        try:
            await self.call(self.ctx.app.steps.reset, rid, list(views.ORIGINAL_TASKS))
        except RecordRouteError:
            self.reply({"success": False})
            return
        self.reply({"success": True})


class UpdateFilenameHandler(CompatHandler):
    async def post(self) -> None:
        body = self.body()
        rid, name = body.get("record_id"), body.get("filename")
        if not isinstance(rid, str) or not rid or not isinstance(name, str) or not name:
            raise CompatReply(400, text="Missing record_id or filename")
        try:
            await self.call(self.ctx.app.recordings.rename, rid, name)
        except RecordRouteError as exc:
            self.reply({"success": False, "error": redact(exc.message, self.ctx.data_dir)})
            return
        self.reply({"success": True})


class IncrementalEmbeddingHandler(CompatHandler):
    async def post(self) -> None:
        self.body(allow_empty=True)
        count = await self.call(views.incremental_embedding, self.ctx.app)
        if count:
            self.ctx.ensure_workers()
        self.reply(
            {
                "success": True,
                "processed_count": count,
                "message": f"Queued indexing of {count} documents.",
            }
        )


class CheckExistingSttHandler(CompatHandler):
    async def post(self) -> None:
        file_path = _text_field(self.body(), "file_path", "Missing file_path")
        rid = record_from_path(file_path)
        self.reply(await self.call(views.check_existing_stt, self.ctx.app, rid))


class UpdateSttTextHandler(CompatHandler):
    async def post(self) -> None:
        body = self.body()
        identifier = body.get("file_identifier")
        content = body.get("content")
        if not isinstance(identifier, str) or not identifier or content is None:
            raise CompatReply(
                400,
                {
                    "success": False,
                    "error": "Missing file_identifier or content",
                    "record_id": None,
                },
            )
        wanted = file_uuid(identifier)
        if wanted is None:
            raise CompatReply(
                400,
                {
                    "success": False,
                    "record_id": None,
                    "error": "Only file ids (/download/<id>) and record ids can be edited.",
                },
            )
        try:
            rid = await self.call(views.update_stt_text, self.ctx.app, wanted, str(content))
        except RecordRouteError as exc:
            raise CompatReply(
                400,
                {
                    "success": False,
                    "record_id": None,
                    "error": redact(exc.message, self.ctx.data_dir),
                },
            ) from None
        self.reply({"success": True, "record_id": rid})


class ResetSummaryEmbeddingHandler(CompatHandler):
    async def post(self) -> None:
        body = self.body()
        rid = body.get("record_id")
        if not isinstance(rid, str) or not rid:
            raise CompatReply(400, {"success": False, "message": "Missing record_id"})
        try:
            done = await self.call(self.ctx.app.steps.reset, rid, ["summary", "embedding"])
        except RecordRouteError as exc:
            raise CompatReply(
                400, {"success": False, "message": redact(exc.message, self.ctx.data_dir)}
            ) from None
        message = {
            ("summary", "embedding"): "Summary and index were reset.",
            ("summary",): "Summary was reset.",
            ("embedding",): "Index was reset.",
        }.get(tuple(done), "Nothing to reset.")
        self.reply({"success": True, "message": message})


class ResetAllTasksHandler(CompatHandler):
    async def post(self) -> None:
        tasks = self.body().get("tasks")
        if not isinstance(tasks, list):
            raise CompatReply(400, {"success": False, "error": "'tasks' must be a list."})
        chosen = [t for t in views.ORIGINAL_TASKS if t in tasks]
        if not chosen:
            raise CompatReply(
                400,
                {
                    "success": False,
                    "message": "No valid task selected.",
                    "counts": dict.fromkeys(views.ORIGINAL_TASKS, 0),
                },
            )
        counts = await self.call(views.reset_all, self.ctx.app, chosen)
        self.reply({"success": True, "message": f"Reset {', '.join(chosen)}.", "counts": counts})


class SimilarPostHandler(CompatHandler):
    async def post(self) -> None:
        identifier = _text_field(self.body(), "file_identifier", "Missing file_identifier")
        wanted = file_uuid(identifier)
        if wanted is None:
            raise CompatReply(404, {"error": "File not found"})
        try:
            found = await self.call_search(
                views.similar, self.ctx.app, wanted, detailed=True, base=self.link_base()
            )
        except NotFoundError:
            raise CompatReply(404, {"error": "File not found"}) from None
        except RecordRouteError as exc:
            raise CompatReply(404, {"error": redact(exc.message, self.ctx.data_dir)}) from None
        self.reply(found)


class DeleteHandler(CompatHandler):
    """``POST /delete``: one STT or summary file (also the later client's ``{ids}``)."""

    async def post(self) -> None:
        body = self.body()
        if isinstance(body.get("ids"), list):
            results = await self.call(views.delete_records, self.ctx.app, body["ids"])
            ok = all(r["success"] for r in results.values())
            self.reply(
                {
                    "success": ok,
                    "message": f"Deleted {sum(r['success'] for r in results.values())} records.",
                    "results": results,
                },
                200 if ok else 207,
            )
            return
        identifier, file_type = body.get("file_identifier"), body.get("file_type")
        if not isinstance(identifier, str) or not identifier or file_type not in ("stt", "summary"):
            raise CompatReply(400, {"error": "Missing file_identifier or file_type"})
        wanted = file_uuid(identifier)
        if wanted is None:
            raise CompatReply(400, {"error": "Only file ids (/download/<id>) can be deleted."})
        try:
            await self.call(views.delete_artifact, self.ctx.app, wanted, str(file_type))
        except RecordRouteError as exc:
            raise CompatReply(400, {"error": redact(exc.message, self.ctx.data_dir)}) from None
        self.reply({"success": True})


class DeleteRecordsHandler(CompatHandler):
    async def post(self) -> None:
        ids = self.body().get("record_ids")
        if not isinstance(ids, list):
            raise CompatReply(400, {"success": False, "error": "'record_ids' must be a list."})
        results = await self.call(views.delete_records, self.ctx.app, ids)
        for result in results.values():
            if "error" in result:
                result["error"] = redact(result["error"], self.ctx.data_dir)
        ok = all(r["success"] for r in results.values())
        self.reply({"success": ok, "results": results}, 200 if ok else 207)
