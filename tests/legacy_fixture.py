"""Builds a synthetic original RecordRoute data folder, following section 2 of the spec."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from pathlib import Path

import numpy as np

#: the fields of an upload_history.json record (spec section 2.3)
HISTORY_KEYS = frozenset(
    {
        "id",
        "timestamp",
        "filename",
        "file_type",
        "duration",
        "file_path",
        "folder_name",
        "completed_tasks",
        "download_links",
        "title_summary",
        "tags",
        "file_hash",
        "deleted",
        "deleted_at",
        "deleted_assets",
    }
)


@dataclasses.dataclass
class LegacyData:
    root: Path
    history: list[dict[str, object]]
    registry: dict[str, dict[str, object]]
    index: dict[str, dict[str, object]]
    vectors: dict[str, np.ndarray]  # folder name -> vector


def _put(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def build_legacy_folder(root: Path) -> LegacyData:
    rng = np.random.default_rng(7)
    history: list[dict[str, object]] = []
    registry: dict[str, dict[str, object]] = {}
    index: dict[str, dict[str, object]] = {}
    vectors: dict[str, np.ndarray] = {}
    specs = [
        # (display name, file name, type, deleted, with summary)
        ("주간 회의 녹음", "주간회의.m4a", "audio", False, True),
        ("강의 노트", "강의 노트.txt", "text", False, False),
        ("삭제된 인터뷰", "인터뷰.mp3", "audio", True, True),
    ]
    for n, (display, name, ftype, deleted, summarized) in enumerate(specs):
        rid = str(uuid.uuid4())
        folder = uuid.uuid4().hex
        upload_data = f"{name} bytes {n}".encode() * 10
        base = root / ("deleted" if deleted else "") if deleted else root
        sha = _put(base / "uploads" / folder / name, upload_data)
        stem = Path(name).stem
        out = base / "whisper_output" / folder
        stt_text = f"# {stem}\n\n[00:00:00 - 00:00:05] 안녕하세요 {n}번 녹음입니다\n"
        _put(out / f"{stem}.md", stt_text.encode())
        stt_uuid, emb_uuid = str(uuid.uuid4()), str(uuid.uuid4())
        prefix = "DB/deleted/whisper_output" if deleted else "DB/whisper_output"
        for fid, task in ((stt_uuid, "stt"), (emb_uuid, "embedding")):
            registry[fid] = {
                "file_uuid": fid,
                "file_path": f"{prefix}/{folder}/{stem}.md",
                "record_id": rid,
                "task_type": task,
                "original_filename": f"{stem}.md",
                "created_at": f"2024-05-0{n + 1}T10:00:00",
                **({"deleted": True, "deleted_at": "2024-06-01T09:00:00"} if deleted else {}),
            }
        links = {"stt": f"/download/{stt_uuid}", "embedding": f"/download/{emb_uuid}"}
        if summarized:
            sum_uuid = str(uuid.uuid4())
            _put(out / f"{stem}.summary.md", f"## 주요 주제\n- 요약 {n}\n".encode())
            registry[sum_uuid] = {
                "file_uuid": sum_uuid,
                "file_path": f"{prefix}/{folder}/{stem}.summary.md",
                "record_id": rid,
                "task_type": "summary",
                "original_filename": f"{stem}.summary.md",
                "created_at": "2024-05-03T10:00:00",
            }
            links["summary"] = f"/download/{sum_uuid}"
        vector = rng.standard_normal(1024).astype(np.float32)
        vectors[folder] = vector
        vec_name = f"{stem}.npy"
        vec_dir = root / "deleted" / "vector_store" if deleted else root / "vector_store"
        vec_dir.mkdir(parents=True, exist_ok=True)
        np.save(vec_dir / vec_name, vector)
        index[f"{folder}/{stem}.md"] = {
            "sha256": hashlib.sha256(stt_text.encode()).hexdigest(),
            "vector": vec_name,
            "deleted": deleted,
            "deleted_path": None,
            "vector_deleted_path": f"/old/DB/deleted/vector_store/{vec_name}" if deleted else None,
            **({"timestamp": "2024-05-01T10:00:00"} if n == 0 else {}),
        }
        record: dict[str, object] = {
            "id": rid,
            "timestamp": f"2024-05-0{n + 1}T1{n}:30:00.123456",
            "filename": display,
            "file_type": ftype,
            "duration": "65:07" if ftype == "audio" else None,
            "file_path": f"DB/uploads/{folder}/{name}",
            "folder_name": folder,
            "completed_tasks": {"stt": True, "embedding": True, "summary": summarized},
            "download_links": links,
            "title_summary": f"한 줄 요약 {n}" if summarized else "",
            "tags": ["회의"] if n == 0 else [],
            "file_hash": sha,
            "deleted": deleted,
            "deleted_at": "2024-06-01T09:00:00" if deleted else None,
            "deleted_assets": (
                {
                    "uploads": f"DB/deleted/uploads/{folder}",
                    "outputs": f"DB/deleted/whisper_output/{folder}",
                }
                if deleted
                else {}
            ),
        }
        history.insert(0, record)  # newest first
    (root / "upload_history.json").write_text(
        json.dumps(history, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (root / "file_registry.json").write_text(
        json.dumps(registry, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (root / "vector_store").mkdir(exist_ok=True)
    (root / "vector_store" / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return LegacyData(root, history, registry, index, vectors)
