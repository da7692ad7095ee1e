from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from recordroute import ConflictError, CorruptDataError, InvalidInputError, RecordRoute
from tests.legacy_fixture import HISTORY_KEYS, build_legacy_folder


def _snapshot(app: RecordRoute) -> tuple[int, list[Path]]:
    files = sorted(p for p in app.data_dir.rglob("*") if p.is_file() and "log" not in p.parts)
    return app.recordings.count(deleted=None), files


def test_import_keeps_every_field_artifact_and_vector(app: RecordRoute, tmp_path: Path) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    report = app.legacy.import_folder(legacy.root)
    assert (report.recordings_added, report.recordings_skipped) == (3, 0)
    assert report.vectors_added == 3 and report.missing_files == ()
    for record in legacy.history:
        rec = app.get_recording(str(record["id"]))
        assert rec.display_name == record["filename"]
        assert rec.original_name == Path(str(record["file_path"])).name
        assert rec.kind == record["file_type"]
        assert rec.sha256 == record["file_hash"]
        assert rec.tags == tuple(record["tags"])  # type: ignore[arg-type]
        assert rec.title == record["title_summary"]
        assert rec.deleted == record["deleted"]
        assert rec.source == "legacy"
        created = datetime.fromisoformat(str(record["timestamp"]))
        assert rec.created_at == created.astimezone()
        if record["duration"]:
            assert rec.duration_s == 65 * 60 + 7
        arts = {a.kind: a for a in app.recordings.artifacts(rec.id)}
        folder = str(record["folder_name"])
        base = legacy.root / "deleted" if record["deleted"] else legacy.root
        upload = base / "uploads" / folder / rec.original_name
        assert app.recordings.artifact_path(arts["source"].id).read_bytes() == upload.read_bytes()
        # every original download link still resolves, to the same content
        for task, link in dict(record["download_links"]).items():  # type: ignore[call-overload]
            art = app.recordings.get_artifact(link.rsplit("/", 1)[-1])
            expected = "summary" if task == "summary" else "transcript"
            assert art.kind == expected and art.recording_id == rec.id
            assert art.edited == (expected == "transcript")  # pipeline re-runs keep it
            entry = legacy.registry[link.rsplit("/", 1)[-1]]
            original = legacy.root / str(entry["file_path"]).removeprefix("DB/")
            assert app.recordings.artifact_path(art.id).read_bytes() == original.read_bytes()
        vector = np.load(app.recordings.artifact_path(arts["vector"].id))
        np.testing.assert_array_equal(vector, legacy.vectors[folder])
        assert arts["vector"].meta["model"] == "bge-m3:latest"
        assert arts["vector"].meta["dimension"] == 1024
    deleted = [r for r in app.list_recordings(deleted=True)]
    assert [r.display_name for r in deleted] == ["삭제된 인터뷰"]
    assert len(app.list_recordings()) == 2


def test_second_import_adds_nothing(app: RecordRoute, tmp_path: Path) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    app.legacy.import_folder(legacy.root)
    before = _snapshot(app)
    report = app.legacy.import_folder(legacy.root)
    assert (report.recordings_added, report.recordings_skipped, report.artifacts_added) == (0, 3, 0)
    assert _snapshot(app) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("upload_history.json", '[{"id": "x", ', "is not valid JSON: .* line 1, column"),
        ("upload_history.json", '{"id": "x"}', "holds a JSON dict, expected a list"),
        ("upload_history.json", '[{"filename": "no id"}]', "record 0 has no string 'id'"),
        ("file_registry.json", "{oops", "file_registry.json is not valid JSON"),
        ("vector_store/index.json", '{"a": 1}', "Entry 'a' of the original data is a int"),
    ],
)
def test_corrupt_json_is_refused_and_nothing_is_written(
    app: RecordRoute, tmp_path: Path, name: str, content: str, message: str
) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    (legacy.root / name).write_text(content, encoding="utf-8")
    before = _snapshot(app)
    with pytest.raises(CorruptDataError, match=message) as info:
        app.legacy.import_folder(legacy.root)
    assert "nothing was imported" in info.value.fix
    assert _snapshot(app) == before


def test_non_utf8_history_and_broken_vector_are_refused(app: RecordRoute, tmp_path: Path) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    (legacy.root / "upload_history.json").write_bytes(b"[\xff]")
    with pytest.raises(CorruptDataError, match="is not UTF-8 text"):
        app.legacy.import_folder(legacy.root)
    legacy = build_legacy_folder(tmp_path / "DB2")
    npy = next((legacy.root / "vector_store").glob("*.npy"))
    npy.write_bytes(b"not numpy")
    with pytest.raises(CorruptDataError, match="cannot be read as a NumPy array"):
        app.legacy.import_folder(legacy.root)
    np.save(npy, np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(CorruptDataError, match="not a 1-D float vector"):
        app.legacy.import_folder(legacy.root)
    assert app.recordings.count(deleted=None) == 0


def test_not_a_legacy_folder(app: RecordRoute, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="is not a folder"):
        app.legacy.import_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInputError, match=r"has no upload_history\.json"):
        app.legacy.import_folder(tmp_path / "empty")


def test_traversal_paths_inside_legacy_data_are_not_followed(
    app: RecordRoute, tmp_path: Path
) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    (tmp_path / "secret.m4a").write_bytes(b"secret")
    history = json.loads((legacy.root / "upload_history.json").read_text(encoding="utf-8"))
    history[0]["file_path"] = "DB/../secret.m4a"
    history[0]["deleted_assets"] = {}
    (legacy.root / "upload_history.json").write_text(json.dumps(history), encoding="utf-8")
    report = app.legacy.import_folder(legacy.root)
    assert report.missing_files == ("DB/../secret.m4a",)
    rec = app.get_recording(history[0]["id"])
    assert "source" not in {a.kind for a in app.recordings.artifacts(rec.id)}


def test_export_writes_the_original_shape(app: RecordRoute, tmp_path: Path) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    app.legacy.import_folder(legacy.root)
    fresh = app.add_file(_text(tmp_path / "new.txt"))
    app.recordings.save_artifact(fresh.id, "transcript", "md", "hello")
    (tmp_path / "out").mkdir()
    out = app.legacy.export_file(tmp_path / "out")
    assert out == tmp_path / "out" / "upload_history.json"
    records = json.loads(out.read_text(encoding="utf-8"))
    assert records[0]["id"] == fresh.id  # newest first
    assert all(set(r) >= HISTORY_KEYS for r in records)
    assert records[0]["completed_tasks"] == {"stt": True, "embedding": False, "summary": False}
    link = records[0]["download_links"]["stt"]
    assert app.recordings.read_text(link.rsplit("/", 1)[-1]) == "hello"
    by_id = {r["id"]: r for r in records}
    for original in legacy.history:
        exported = by_id[original["id"]]
        for key in (
            "filename",
            "file_type",
            "duration",
            "title_summary",
            "tags",
            "file_hash",
            "deleted",
        ):
            assert exported[key] == original[key], key
        assert exported["timestamp"][:19] == str(original["timestamp"])[:19]
    with pytest.raises(ConflictError, match="already exists"):
        app.legacy.export_file(out)
    assert app.legacy.export_file(out, overwrite=True) == out


def _text(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("new text", encoding="utf-8")
    return path
