"""Persistent jobs: any process submits, a worker claims atomically, anyone cancels."""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Sequence
from typing import Any

from ..errors import ConflictError, NotFoundError, echo
from ..models import Job
from .database import Database
from .files import check_id, new_id
from .rows import job_from_row, now_iso

ACTIVE_STATES = ("queued", "running")
# Job bookkeeping (claims, progress, steps done, outcomes) is written with durable=False:
# a commit lost in a power cut only makes a job run a step again. Submissions, cancels
# and retries are what the user asked for, and are durable.


def worker_name(slot: str = "") -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{slot}"


def _pid_alive(name: str) -> bool:
    host, _, rest = name.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine's worker: assume alive
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def submit(
        self,
        recording_id: str,
        steps: Sequence[str],
        options: dict[str, Any],
        client_task_id: str = "",
    ) -> Job:
        job_id = new_id()
        stamp = now_iso()
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO jobs (id, recording_id, steps, options, state, created_at, "
                "updated_at, client_task_id) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)",
                (
                    job_id,
                    recording_id,
                    json.dumps(list(steps)),
                    json.dumps(options, ensure_ascii=False),
                    stamp,
                    stamp,
                    client_task_id,
                ),
            )
        return self.get(job_id)

    def find(self, job_id: str) -> Job | None:
        check_id(job_id, "job id")
        rows = self.db.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return job_from_row(rows[0]) if rows else None

    def find_by_client_task(self, task_id: str) -> Job | None:
        """The newest job submitted with this client task id."""
        rows = self.db.query(
            "SELECT * FROM jobs WHERE client_task_id = ? ORDER BY created_at DESC, id LIMIT 1",
            (task_id,),
        )
        return job_from_row(rows[0]) if rows else None

    def get(self, job_id: str) -> Job:
        job = self.find(job_id)
        if job is None:
            raise NotFoundError(
                f"There is no job with id {echo(job_id)}.", "List jobs to find the right id."
            )
        return job

    def steps_done(self, job_id: str) -> list[str]:
        rows = self.db.query("SELECT steps_done FROM jobs WHERE id = ?", (job_id,))
        return list(json.loads(rows[0][0])) if rows else []

    def list_jobs(
        self,
        *,
        states: Sequence[str] | None = None,
        recording_id: str | None = None,
        limit: int = 200,
    ) -> list[Job]:
        params: list[object] = []
        sql_parts = ["SELECT * FROM jobs WHERE 1=1"]
        if states:
            sql_parts.append(f"AND state IN ({','.join('?' * len(states))})")
            params.extend(states)
        if recording_id:
            sql_parts.append("AND recording_id = ?")
            params.append(recording_id)
        sql_parts.append("ORDER BY created_at DESC, id LIMIT ?")
        params.append(limit)
        return [job_from_row(r) for r in self.db.query(" ".join(sql_parts), tuple(params))]

    def updated_since(self, stamp: str, limit: int = 500) -> list[Job]:
        """Jobs changed after ``stamp`` (an ISO time from an earlier job's ``updated_at``)."""
        rows = self.db.query(
            "SELECT * FROM jobs WHERE updated_at > ? ORDER BY updated_at, id LIMIT ?",
            (stamp, limit),
        )
        return [job_from_row(r) for r in rows]

    def claim_next(self, worker: str, job_ids: Sequence[str] | None = None) -> Job | None:
        """Atomically take the oldest runnable queued job (optionally among ``job_ids``)."""
        with self.db.write(durable=False) as conn:
            sql = (
                "SELECT j.id FROM jobs j JOIN recordings r ON r.id = j.recording_id "
                "WHERE j.state = 'queued' AND j.not_before <= ? AND r.deleted_at IS NULL"
            )
            params: list[object] = [time.time()]
            if job_ids is not None:
                sql += f" AND j.id IN ({','.join('?' * len(job_ids))})"
                params.extend(job_ids)
            row = conn.execute(sql + " ORDER BY j.created_at, j.id LIMIT 1", params).fetchone()
            if row is None:
                return None
            stamp = now_iso()
            conn.execute(
                "UPDATE jobs SET state = 'running', worker = ?, "
                "started_at = coalesce(started_at, ?), updated_at = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                (worker, stamp, stamp, row[0]),
            )
        return self.get(row[0])

    def progress(self, job_id: str, stage: str, percent: float, eta_s: float | None) -> bool:
        """Record progress; returns whether cancellation was requested meanwhile."""
        with self.db.write(durable=False) as conn:
            conn.execute(
                "UPDATE jobs SET stage = ?, percent = ?, eta_s = ?, updated_at = ? WHERE id = ?",
                (stage, round(percent, 2), eta_s, now_iso(), job_id),
            )
            row = conn.execute(
                "SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return bool(row and row[0])

    def cancel_requested(self, job_id: str) -> bool:
        rows = self.db.query("SELECT cancel_requested FROM jobs WHERE id = ?", (job_id,))
        return bool(rows and rows[0][0])

    def step_done(self, job_id: str, step: str, note: str = "") -> None:
        with self.db.write(durable=False) as conn:
            row = conn.execute(
                "SELECT steps_done, note FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            done = [*json.loads(row[0]), step]
            notes = "\n".join(n for n in (row[1], note) if n)
            conn.execute(
                "UPDATE jobs SET steps_done = ?, note = ?, updated_at = ? WHERE id = ?",
                (json.dumps(done), notes, now_iso(), job_id),
            )

    def note(self, job_id: str) -> str:
        rows = self.db.query("SELECT note FROM jobs WHERE id = ?", (job_id,))
        return str(rows[0][0]) if rows else ""

    def finish(self, job_id: str, state: str, error: str = "") -> Job:
        stamp = now_iso()
        with self.db.write(durable=False) as conn:
            conn.execute(
                "UPDATE jobs SET state = ?, error = ?, updated_at = ?, finished_at = ?, "
                "percent = CASE WHEN ? = 'done' THEN 100 ELSE percent END, eta_s = NULL "
                "WHERE id = ?",
                (state, error, stamp, stamp, state, job_id),
            )
        return self.get(job_id)

    def requeue(self, job_id: str, delay_s: float, error: str) -> None:
        with self.db.write(durable=False) as conn:
            conn.execute(
                "UPDATE jobs SET state = 'queued', worker = '', not_before = ?, error = ?, "
                "updated_at = ? WHERE id = ?",
                (time.time() + delay_s, error, now_iso(), job_id),
            )

    def request_cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.state not in ACTIVE_STATES:
            raise ConflictError(
                f"Job {job_id} is already {job.state}.",
                "Only queued or running jobs can be cancelled.",
            )
        with self.db.write() as conn:
            conn.execute(
                "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                (now_iso(), job_id),
            )
            if job.state == "queued":
                conn.execute(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE id = ? "
                    "AND state = 'queued'",
                    (now_iso(), job_id),
                )
        return self.get(job_id)

    def retry(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.state not in ("failed", "cancelled"):
            raise ConflictError(
                f"Job {job_id} is {job.state}.", "Only failed or cancelled jobs can be retried."
            )
        with self.db.write() as conn:
            conn.execute(
                "UPDATE jobs SET state = 'queued', cancel_requested = 0, error = '', stage = '', "
                "worker = '', not_before = 0, finished_at = NULL, updated_at = ? WHERE id = ?",
                (now_iso(), job_id),
            )
        return self.get(job_id)

    def recover_interrupted(self, max_attempts: int) -> list[tuple[str, str]]:
        """Jobs left 'running' by a dead worker: queue them again, or fail them with a reason."""
        changed: list[tuple[str, str]] = []
        with self.db.write(durable=False) as conn:
            rows = conn.execute(
                "SELECT id, worker, attempts FROM jobs WHERE state = 'running'"
            ).fetchall()
            for row in rows:
                if _pid_alive(row["worker"]):
                    continue
                if row["attempts"] >= max_attempts:
                    conn.execute(
                        "UPDATE jobs SET state = 'failed', error = ?, finished_at = ?, "
                        "updated_at = ? WHERE id = ?",
                        (
                            f"interrupted {row['attempts']} times "
                            "(the worker stopped while running it)",
                            now_iso(),
                            now_iso(),
                            row["id"],
                        ),
                    )
                    changed.append((row["id"], "failed"))
                else:
                    conn.execute(
                        "UPDATE jobs SET state = 'queued', worker = '', updated_at = ? "
                        "WHERE id = ?",
                        (now_iso(), row["id"]),
                    )
                    changed.append((row["id"], "queued"))
        return changed
