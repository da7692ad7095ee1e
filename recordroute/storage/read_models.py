"""Set-based reads for screens that show many recordings at once (a few queries in all,
never one per recording)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from .database import Database


@dataclasses.dataclass(frozen=True)
class JobSteps:
    """What a job planned and what it finished (newest jobs first in a listing)."""

    id: str
    state: str
    steps: tuple[str, ...]
    steps_done: tuple[str, ...]


def _chunks(ids: Sequence[str], size: int = 500) -> list[list[str]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def artifact_kinds(db: Database, recording_ids: Sequence[str]) -> dict[str, set[str]]:
    """The artifact kinds each recording has."""
    found: dict[str, set[str]] = {i: set() for i in recording_ids}
    with db.read() as conn:
        for chunk in _chunks(recording_ids):
            marks = ",".join("?" * len(chunk))
            for rid, kind in conn.execute(
                f"SELECT DISTINCT recording_id, kind FROM artifacts "
                f"WHERE recording_id IN ({marks})",
                chunk,
            ):
                found[rid].add(kind)
    return found


def job_steps(db: Database, recording_ids: Sequence[str]) -> dict[str, list[JobSteps]]:
    """Every job of each recording, newest first."""
    found: dict[str, list[JobSteps]] = {i: [] for i in recording_ids}
    with db.read() as conn:
        for chunk in _chunks(recording_ids):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT id, recording_id, state, steps, steps_done FROM jobs "
                f"WHERE recording_id IN ({marks}) ORDER BY created_at DESC, id",
                chunk,
            ):
                found[row["recording_id"]].append(
                    JobSteps(
                        row["id"],
                        row["state"],
                        tuple(json.loads(row["steps"])),
                        tuple(json.loads(row["steps_done"])),
                    )
                )
    return found
