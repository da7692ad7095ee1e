"""JSON forms of the core's dataclasses for the native API (no paths, ISO times)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..models import Artifact, Job, Recording

if TYPE_CHECKING:  # the server imports only the facade and the leaves at run time
    from ..search import SearchHit, SearchOutcome, SimilarRecording

API = "/recordroute/api/v1"
TERMINAL_STATES = ("done", "failed", "cancelled")


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def recording(rec: Recording) -> dict[str, Any]:
    return {
        "id": rec.id,
        "display_name": rec.display_name,
        "original_name": rec.original_name,
        "kind": rec.kind,
        "sha256": rec.sha256,
        "size_bytes": rec.size_bytes,
        "duration_s": rec.duration_s,
        "title": rec.title,
        "tags": list(rec.tags),
        "created_at": iso(rec.created_at),
        "updated_at": iso(rec.updated_at),
        "deleted": rec.deleted,
        "deleted_at": iso(rec.deleted_at),
        "source": rec.source,
    }


def artifact(art: Artifact) -> dict[str, Any]:
    return {
        "id": art.id,
        "recording_id": art.recording_id,
        "kind": art.kind,
        "format": art.format,
        "file_name": art.file_name,
        "size_bytes": art.size_bytes,
        "sha256": art.sha256,
        "edited": art.edited,
        "created_at": iso(art.created_at),
        "updated_at": iso(art.updated_at),
        "download_url": f"{API}/artifacts/{art.id}",
    }


def job(item: Job) -> dict[str, Any]:
    return {
        "id": item.id,
        "recording_id": item.recording_id,
        "steps": list(item.steps),
        "options": item.options,
        "state": item.state,
        "stage": item.stage,
        "percent": item.percent,
        "eta_s": item.eta_s,
        "error": item.error,
        "attempts": item.attempts,
        "cancel_requested": item.cancel_requested,
        "client_task_id": item.client_task_id,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "started_at": iso(item.started_at),
        "finished_at": iso(item.finished_at),
    }


def search_hit(hit: SearchHit) -> dict[str, Any]:
    evidence = hit.evidence
    return {
        "recording_id": hit.recording_id,
        "score": hit.score,
        "snippet": hit.snippet,
        "start_s": hit.start_s,
        "end_s": hit.end_s,
        "vector_rank": hit.vector_rank,
        "keyword_rank": hit.keyword_rank,
        "matched_field": hit.keyword.field if hit.keyword else None,
        "keyword_matches": hit.keyword.matches if hit.keyword else 0,
        "relevant": hit.relevant,
        "evidence": None
        if evidence is None
        else {
            "similarity": evidence.similarity,
            "meaning": round(evidence.meaning, 4),
            "words_found": evidence.words_found,
            "words_total": evidence.words_total,
            "coverage": round(evidence.coverage, 4),
        },
    }


def search_outcome(found: SearchOutcome, *, weaker: bool) -> dict[str, Any]:
    """The hits that clear the relevance bar (then the weaker ones when asked for)."""
    return {
        "query": found.query,
        "items": [search_hit(hit) for hit in found.shown(weaker)],
        "nothing_found": found.nothing_found,
        "suggestions": list(found.suggestions),
        "weaker": len(found.weaker),
    }


def similar(item: SimilarRecording) -> dict[str, Any]:
    chunk = item.best_chunk
    return {
        "recording_id": item.recording_id,
        "score": item.score,
        "passage": chunk.text[:300],
        "start_s": chunk.start_s,
        "end_s": chunk.end_s,
    }


def plain(value: Any) -> Any:
    """Dataclasses and tuples as JSON-ready values (for settings and model lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
