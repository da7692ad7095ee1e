"""Import an original RecordRoute data folder: every record, artifact and vector.

Idempotent (records already imported are skipped) and all-or-nothing: files are
staged first, then one transaction inserts the rows and moves the staged folders
into place; a failure rolls both back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from ..models import Artifact, ImportReport, Recording
from .files import atomic_copy, ensure_free_space, new_id
from .filetypes import SUFFIXES
from .legacy_read import (
    LegacyFolder,
    load_vector,
    read_legacy_folder,
    recording_id_for,
    resolve_legacy_path,
)
from .library import Library
from .rows import now_iso, to_iso

log = logging.getLogger(__name__)
LEGACY_VECTOR_MODEL = "bge-m3:latest"
TEXT_SUFFIXES = {".md", ".txt", ".text", ".markdown"}


@dataclasses.dataclass
class _PlannedFile:
    source: Path
    kind: str
    fmt: str
    name: str
    ids: list[str]  # first is the artifact id, the rest become aliases
    meta: dict[str, Any]


@dataclasses.dataclass
class _PlannedRecording:
    recording: Recording
    legacy: dict[str, Any]
    upload: Path | None
    files: list[_PlannedFile]


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(to_iso(datetime.fromisoformat(text)))
    except ValueError:
        return None


def _parse_duration(text: Any) -> float | None:
    if not isinstance(text, str) or ":" not in text:
        return None
    parts = text.split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds


def _kind(record: dict[str, Any], name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    for kind, suffixes in SUFFIXES.items():
        if suffix in suffixes:
            return kind
    file_type = record.get("file_type")
    return file_type if file_type in ("audio", "text", "pdf") else "unknown"


def _plan_files(folder: LegacyFolder, rid: str, record: dict[str, Any]) -> list[_PlannedFile]:
    root = folder.root
    links = record.get("download_links") or {}
    linked = {str(v).rsplit("/", 1)[-1] for v in links.values() if isinstance(v, str)}
    by_path: dict[Path, _PlannedFile] = {}
    entries = sorted(
        ((k, v) for k, v in folder.registry.items() if v.get("record_id") == rid),
        key=lambda kv: (kv[0] not in linked, str(kv[1].get("created_at", "")), kv[0]),
    )
    for file_uuid, entry in entries:
        path = resolve_legacy_path(root, entry.get("file_path"))
        if path is None:
            continue
        kind = "summary" if entry.get("task_type") == "summary" else "transcript"
        if path in by_path:
            by_path[path].ids.append(file_uuid)
            continue
        by_path[path] = _PlannedFile(
            path,
            kind,
            path.suffix.lstrip(".").lower() or "txt",
            str(entry.get("original_filename") or path.name),
            [file_uuid],
            {"legacy_registry": entry},
        )
    # files in the output folders that the registry does not name (re-runs, corrections)
    folder_name = str(record.get("folder_name") or "")
    if folder_name and "/" not in folder_name and folder_name not in ("..", "."):
        for base in (
            root / "whisper_output" / folder_name,
            root / "deleted" / "whisper_output" / folder_name,
        ):
            if base.is_dir():
                for path in sorted(base.iterdir()):
                    resolved = path.resolve()
                    if path.is_file() and resolved.is_relative_to(root) and resolved not in by_path:
                        kind = "summary" if path.name.endswith(".summary.md") else "transcript"
                        by_path[resolved] = _PlannedFile(
                            resolved,
                            kind,
                            path.suffix.lstrip(".").lower() or "txt",
                            path.name,
                            [new_id()],
                            {},
                        )
    files = list(by_path.values())
    seen: set[tuple[str, str]] = set()
    for (
        planned
    ) in files:  # one transcript and one summary per format; extras are kept as attachments
        key = (planned.kind, planned.fmt)
        if key in seen or planned.source.suffix.lower() not in TEXT_SUFFIXES:
            planned.kind = "attachment"
        seen.add(key)
    return files


def _plan_vectors(folder: LegacyFolder) -> dict[str, list[_PlannedFile]]:
    """Vectors by original folder name (the first component of each index key)."""
    found: dict[str, list[_PlannedFile]] = {}
    for key, entry in sorted(folder.index.items()):
        normalized = key.replace("\\", "/")
        for prefix in ("DB/whisper_output/", "whisper_output/"):
            if normalized.startswith(prefix):
                normalized = normalized[len(prefix) :]
        folder_name = normalized.lstrip("/").split("/", 1)[0]
        name = str(entry.get("vector") or "")
        candidates = [folder.root / "vector_store" / name] if name else []
        deleted_path = entry.get("vector_deleted_path")
        if isinstance(deleted_path, str) and deleted_path:
            candidates.append(
                folder.root / "deleted" / "vector_store" / PurePath(deleted_path).name
            )
        if name:
            candidates.append(folder.root / "deleted" / "vector_store" / name)
        for path in candidates:
            resolved = path.resolve()
            if resolved.is_relative_to(folder.root) and resolved.is_file():
                vector = load_vector(resolved)
                meta = {
                    "legacy_key": key,
                    "legacy_entry": entry,
                    "model": LEGACY_VECTOR_MODEL,
                    "dimension": int(vector.shape[0]),
                }
                found.setdefault(folder_name, []).append(
                    _PlannedFile(resolved, "vector", "npy", resolved.name, [new_id()], meta)
                )
                break
    return found


def plan_import(
    library: Library, folder: LegacyFolder
) -> tuple[list[_PlannedRecording], int, list[str]]:
    vectors = _plan_vectors(folder)
    planned: list[_PlannedRecording] = []
    skipped = 0
    missing: list[str] = []
    seen_ids: set[str] = set()
    for record in folder.history:
        rid = recording_id_for(record["id"])
        if rid in seen_ids or library.repo.find(rid) is not None:
            skipped += 1
            continue
        seen_ids.add(rid)
        upload = resolve_legacy_path(folder.root, record.get("file_path"))
        assets = record.get("deleted_assets") or {}
        if upload is None and isinstance(assets, dict) and isinstance(assets.get("uploads"), str):
            name = PurePath(str(record.get("file_path") or "")).name
            upload = resolve_legacy_path(folder.root, f"{assets['uploads']}/{name}")
        if upload is None:
            missing.append(str(record.get("file_path")))
        name = PurePath(str(record.get("file_path") or record.get("filename") or "file")).name
        created = _parse_time(record.get("timestamp")) or datetime.now(UTC)
        sha = record.get("file_hash")
        if not isinstance(sha, str) or len(sha) != 64:
            sha = _sha(upload) if upload else ""
        deleted_at = None
        if record.get("deleted"):
            deleted_at = _parse_time(record.get("deleted_at")) or datetime.now(UTC)
        tags = tuple(sorted({str(t) for t in record.get("tags") or [] if str(t).strip()}))
        rec = Recording(
            id=rid,
            display_name=str(record.get("filename") or name),
            original_name=name,
            kind=_kind(record, name),  # type: ignore[arg-type]
            sha256=sha,
            size_bytes=upload.stat().st_size if upload else 0,
            created_at=created,
            updated_at=datetime.fromisoformat(now_iso()),
            duration_s=_parse_duration(record.get("duration")),
            title=str(record.get("title_summary") or ""),
            tags=tags,
            deleted_at=deleted_at,
            source="legacy",
        )
        files = _plan_files(folder, record["id"], record)
        files.extend(vectors.pop(str(record.get("folder_name") or ""), []))
        planned.append(_PlannedRecording(rec, record, upload, files))
    return planned, skipped, missing


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_legacy(library: Library, source: Path) -> ImportReport:
    folder = read_legacy_folder(source)
    planned, skipped, missing = plan_import(library, folder)
    total = sum(
        (p.upload.stat().st_size if p.upload else 0) + sum(f.source.stat().st_size for f in p.files)
        for p in planned
    )
    layout = library.layout
    ensure_free_space(layout.tmp, total, library.min_free_mb)
    staging = layout.tmp / f"legacy-{new_id()}"
    moved: list[Path] = []
    artifacts = vectors = 0
    try:
        rows: list[tuple[_PlannedRecording, list[tuple[Artifact, list[str]]]]] = []
        for plan in planned:
            rid = plan.recording.id
            arts: list[tuple[Artifact, list[str]]] = []
            stamp = plan.recording.created_at
            if plan.upload is not None:
                name = plan.recording.original_name
                size, sha = atomic_copy(plan.upload, staging / "uploads" / rid / name)
                arts.append(
                    (
                        Artifact(
                            id=new_id(),
                            recording_id=rid,
                            kind="source",
                            format=PurePath(name).suffix.lstrip(".").lower(),
                            file_name=name,
                            rel_path=f"uploads/{rid}/{name}",
                            size_bytes=size,
                            sha256=sha,
                            created_at=stamp,
                            updated_at=stamp,
                        ),
                        [],
                    )
                )
            used: set[str] = set()
            for planned_file in plan.files:
                name = planned_file.source.name
                while name in used:
                    name = f"{PurePath(name).stem}-{len(used)}{PurePath(name).suffix}"
                used.add(name)
                size, sha = atomic_copy(planned_file.source, staging / "outputs" / rid / name)
                arts.append(
                    (
                        Artifact(
                            id=recording_id_for(planned_file.ids[0]),
                            recording_id=rid,
                            kind=planned_file.kind,
                            format=planned_file.fmt,
                            file_name=planned_file.name,
                            rel_path=f"outputs/{rid}/{name}",
                            size_bytes=size,
                            sha256=sha,
                            created_at=stamp,
                            updated_at=stamp,
                            meta=planned_file.meta,
                            # the original let users edit transcripts: never overwrite them
                            edited=planned_file.kind == "transcript",
                        ),
                        planned_file.ids[1:],
                    )
                )
            rows.append((plan, arts))
        with library.db.write() as conn:
            for plan, arts in rows:
                library.repo.insert(conn, plan.recording, plan.legacy)
                for art, aliases in arts:
                    if library.repo.artifact_exists(conn, art.id):
                        art = dataclasses.replace(art, id=new_id())
                    library.repo.insert_artifact(conn, art)
                    artifacts += art.kind != "source"
                    vectors += art.kind == "vector"
                    for alias in aliases:
                        library.repo.add_alias(conn, alias, art.id)
            for name, text in folder.raw.items():
                conn.execute(
                    "INSERT OR IGNORE INTO legacy_sources (name, sha256, imported_at, source_dir, "
                    "content) VALUES (?, ?, ?, ?, ?)",
                    (
                        name,
                        hashlib.sha256(text.encode()).hexdigest(),
                        now_iso(),
                        str(folder.root),
                        text,
                    ),
                )
            for area in ("uploads", "outputs"):
                if (staging / area).exists():
                    for item in (staging / area).iterdir():
                        target = layout.root / area / item.name
                        item.replace(target)
                        moved.append(target)
    except BaseException:
        for target in moved:
            with contextlib.suppress(OSError):
                shutil.rmtree(target)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report = ImportReport(len(planned), skipped, artifacts, vectors, tuple(missing))
    log.info("legacy import from %s: %s", source, report)
    return report
