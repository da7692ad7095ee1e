from __future__ import annotations

import errno
import io
import os
import time
import unicodedata
from pathlib import Path

import pytest

from recordroute import (
    ConflictError,
    DiskFullError,
    DuplicateRecordingError,
    InvalidInputError,
    NotFoundError,
    RecordRoute,
    Settings,
    StorageError,
    UnsupportedFileError,
)
from recordroute.errors import EmptyFileError, TooLargeError
from recordroute.events import Event
from tests.conftest import write


def test_add_list_get_and_files_on_disk(app: RecordRoute, tmp_path: Path) -> None:
    src = write(tmp_path / "회의 녹음.m4a", b"\x00audio" * 100)
    rec = app.add_file(src, tags=["회의", " 2024 ", "회의"])
    assert rec.kind == "audio" and rec.display_name == "회의 녹음.m4a"
    assert rec.tags == ("2024", "회의") and rec.size_bytes == 600 and len(rec.sha256) == 64
    stored = app.data_dir / "uploads" / rec.id / "회의 녹음.m4a"
    assert stored.read_bytes() == src.read_bytes()
    assert app.get_recording(rec.id) == rec
    assert [r.id for r in app.list_recordings()] == [rec.id]
    (source,) = app.recordings.artifacts(rec.id)
    assert source.kind == "source" and app.recordings.artifact_path(source.id) == stored


def test_kinds_by_suffix(app: RecordRoute, tmp_path: Path) -> None:
    kinds = {}
    for name in ("a.MP3", "b.mp4", "c.md", "d.pdf", "e.webm"):
        kinds[name] = app.add_file(write(tmp_path / name, name)).kind
    assert kinds == {
        "a.MP3": "audio",
        "b.mp4": "video",
        "c.md": "text",
        "d.pdf": "pdf",
        "e.webm": "video",
    }
    with pytest.raises(UnsupportedFileError, match=r"'virus.exe' has a file type .*\.exe"):
        app.add_file(write(tmp_path / "virus.exe", b"MZ"))
    with pytest.raises(UnsupportedFileError, match="is not a usable file name"):
        app.recordings.add_upload("..", io.BytesIO(b"x"))


def test_duplicates_are_refused_among_active_recordings_only(
    app: RecordRoute, tmp_path: Path
) -> None:
    first = app.add_file(write(tmp_path / "a.wav", b"same"))
    with pytest.raises(DuplicateRecordingError, match="same content as recording") as info:
        app.add_file(write(tmp_path / "b.wav", b"same"))
    assert info.value.existing_id == first.id
    app.recordings.delete(first.id)
    second = app.add_file(tmp_path / "b.wav")  # a deleted recording does not block it
    assert second.id != first.id
    with pytest.raises(DuplicateRecordingError, match="Delete that recording first"):
        app.recordings.restore(first.id)
    assert len(list((app.data_dir / "uploads").iterdir())) == 2
    assert not list((app.data_dir / "tmp").iterdir())  # no staged upload left behind


def test_list_filters_sort_and_paging(app: RecordRoute, tmp_path: Path) -> None:
    a = app.add_file(write(tmp_path / "alpha.txt", "1"), tags=["work"])
    b = app.add_file(write(tmp_path / "Beta.mp3", "2"))
    c = app.add_file(write(tmp_path / "gamma.pdf", "3"), tags=["work", "법률"])
    app.recordings.delete(b.id)
    assert [r.id for r in app.list_recordings()] == [c.id, a.id]
    assert [r.id for r in app.list_recordings(deleted=True)] == [b.id]
    assert {r.id for r in app.list_recordings(deleted=None)} == {a.id, b.id, c.id}
    assert [r.id for r in app.list_recordings(tag="work", sort="name", descending=False)] == [
        a.id,
        c.id,
    ]
    assert [r.id for r in app.list_recordings(text="법")] == [c.id]
    assert [r.id for r in app.list_recordings(text="GAM")] == [c.id]
    assert [r.id for r in app.list_recordings(kind="text")] == [a.id]
    assert [r.id for r in app.list_recordings(limit=1, offset=1)] == [a.id]
    assert app.recordings.count() == 2 and app.recordings.count(deleted=True) == 1
    with pytest.raises(InvalidInputError, match="Cannot sort by 'colour'"):
        app.list_recordings(sort="colour")
    with pytest.raises(InvalidInputError, match="must not be negative"):
        app.list_recordings(offset=-1)


def test_rename_tag_delete_restore_purge(app: RecordRoute, tmp_path: Path) -> None:
    seen: list[Event] = []
    app.events.subscribe(seen.append)
    rec = app.add_file(write(tmp_path / "x.wav", b"x"))
    assert app.recordings.rename(rec.id, "  주간   회의 ").display_name == "주간 회의"
    assert app.recordings.add_tags(rec.id, ["b", "a"]).tags == ("a", "b")
    assert app.recordings.remove_tags(rec.id, ["a"]).tags == ("b",)
    with pytest.raises(InvalidInputError, match="is empty or longer than 300"):
        app.recordings.rename(rec.id, "   ")
    with pytest.raises(InvalidInputError, match="at most 64 characters"):
        app.recordings.set_tags(rec.id, ["x" * 65])
    with pytest.raises(ConflictError, match=r"is not deleted.*Delete it first"):
        app.recordings.purge(rec.id)
    with pytest.raises(ConflictError, match="is not deleted"):
        app.recordings.restore(rec.id)
    assert app.recordings.delete(rec.id).deleted
    with pytest.raises(ConflictError, match="Restore it first"):
        app.recordings.rename(rec.id, "y")
    with pytest.raises(ConflictError, match="Restore it first"):
        app.recordings.delete(rec.id)
    upload = app.data_dir / "uploads" / rec.id / "x.wav"
    assert upload.exists()  # soft delete moves nothing
    assert not app.recordings.restore(rec.id).deleted
    app.recordings.delete(rec.id)
    app.recordings.purge(rec.id)
    assert not upload.parent.exists()
    assert app.recordings.find(rec.id) is None
    with pytest.raises(NotFoundError, match="There is no recording with id"):
        app.get_recording(rec.id)
    types = [e.type for e in seen]
    assert types == [
        "recording.created",
        "recording.changed",
        "recording.changed",
        "recording.changed",
        "recording.deleted",
        "recording.restored",
        "recording.deleted",
        "recording.purged",
    ]


def test_purge_keeps_everything_when_the_database_write_fails(
    app: RecordRoute, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = app.add_file(write(tmp_path / "x.wav", b"x"))
    app.recordings.save_artifact(rec.id, "transcript", "md", "hello")
    app.recordings.delete(rec.id)
    library = app._library

    def boom(*_: object) -> None:
        raise StorageError("disk went away")

    monkeypatch.setattr(library.repo, "delete_row", boom)
    with pytest.raises(StorageError, match="disk went away"):
        app.recordings.purge(rec.id)
    assert (app.data_dir / "uploads" / rec.id / "x.wav").exists()
    assert (app.data_dir / "outputs" / rec.id / "x.transcript.md").exists()
    assert app.get_recording(rec.id).deleted


def test_artifacts_keep_their_id_and_protect_user_edits(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "talk.mp3", b"t"))
    first = app.recordings.save_artifact(rec.id, "transcript", "md", "machine text")
    again = app.recordings.save_artifact(rec.id, "transcript", "md", "machine text v2")
    assert again.id == first.id and app.recordings.read_text(first.id) == "machine text v2"
    app.recordings.save_artifact(rec.id, "transcript", "md", "사람이 고친 글", edited=True)
    with pytest.raises(ConflictError, match="was edited by hand"):
        app.recordings.save_artifact(rec.id, "transcript", "md", "machine text v3")
    assert app.recordings.read_text(first.id) == "사람이 고친 글"
    replaced = app.recordings.save_artifact(rec.id, "transcript", "md", "v4", replace_edited=True)
    assert not replaced.edited and app.recordings.read_text(first.id) == "v4"
    assert [a.kind for a in app.recordings.artifacts(rec.id)] == ["source", "transcript"]
    assert [a.kind for a in app.recordings.artifacts(rec.id, "transcript")] == ["transcript"]


def test_missing_artifact_file_is_an_error_not_empty(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "talk.mp3", b"t"))
    art = app.recordings.save_artifact(rec.id, "summary", "md", "s")
    (app.data_dir / art.rel_path).unlink()
    with pytest.raises(StorageError, match="is missing on disk"):
        app.recordings.artifact_path(art.id)
    with pytest.raises(NotFoundError, match="There is no file with id"):
        app.recordings.get_artifact("00000000-0000-4000-8000-000000000000")


def test_add_file_errors(app: RecordRoute, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        app.add_file(tmp_path / "nope.wav")
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(NotFoundError, match="is a folder"):
        app.add_file(tmp_path / "folder.wav")


def test_upload_size_limit_leaves_nothing(tmp_path: Path) -> None:
    with RecordRoute(Settings(data_dir=tmp_path / "db", max_upload_mb=1, min_free_mb=0)) as app:
        with pytest.raises(TooLargeError, match="larger than the limit of 1 MB"):
            app.recordings.add_upload("big.wav", io.BytesIO(b"\0" * (1024 * 1024 + 1)))
        assert app.recordings.count() == 0
        assert not list((app.data_dir / "tmp").iterdir())
        assert not list((app.data_dir / "uploads").iterdir())


def test_nearly_full_disk_is_refused_clearly(tmp_path: Path) -> None:
    with RecordRoute(Settings(data_dir=tmp_path / "db", min_free_mb=1 << 23)) as app:
        with pytest.raises(DiskFullError, match=r"nearly full.*MB free") as info:
            app.recordings.add_upload("a.wav", io.BytesIO(b"x"))
        assert "RECORDROUTE_MIN_FREE_MB" in info.value.fix
        assert app.recordings.count() == 0


def test_stale_temp_files_are_cleaned_on_open_and_on_demand(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, temp_max_age_s=60)
    with RecordRoute(settings) as app:
        rec = app.add_file(write(tmp_path / "a.wav", b"a"))
        old = write(app.data_dir / "tmp" / "upload-old", b"partial")
        orphan = write(app.data_dir / "outputs" / rec.id / ".rr-tmp-abc", b"half")
        fresh = write(app.data_dir / "tmp" / "upload-new", b"in progress")
        past = time.time() - 3600
        os.utime(old, (past, past))
        os.utime(orphan, (past, past))
    with RecordRoute(settings) as app:  # cleaned on open
        assert not old.exists() and not orphan.exists() and fresh.exists()
        os.utime(fresh, (past, past))
        assert app.recordings.clean_temp() == 1 and not fresh.exists()


def test_open_uses_environment_and_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_FOLDER_PATH", str(tmp_path / "legacy-db"))
    with RecordRoute.open() as app:
        assert app.data_dir == (tmp_path / "legacy-db").resolve()
    with RecordRoute.open(tmp_path / "other", min_free_mb=0) as app:
        assert app.data_dir == (tmp_path / "other").resolve() and app.settings.min_free_mb == 0
    with RecordRoute.open(tmp_path / "third", settings=Settings(min_free_mb=5)) as app:
        assert app.data_dir == (tmp_path / "third").resolve() and app.settings.min_free_mb == 5


def test_remove_artifacts_keeps_the_upload(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "talk.mp3", b"t"))
    summary = app.recordings.save_artifact(rec.id, "summary", "md", "s")
    app._library.remove_artifacts([summary])
    assert [a.kind for a in app.recordings.artifacts(rec.id)] == ["source"]
    assert not (app.data_dir / summary.rel_path).exists()
    with pytest.raises(ConflictError, match="The uploaded file itself cannot be removed"):
        app._library.remove_artifacts(app.recordings.artifacts(rec.id))


def test_names_and_tags_are_nfc_and_names_are_cut_by_bytes_keeping_the_suffix(
    app: RecordRoute,
) -> None:
    nfd = unicodedata.normalize("NFD", "회의록 1.txt")
    tag = unicodedata.normalize("NFD", "예산")
    rec = app.recordings.add_upload(nfd, io.BytesIO(b"nfd"), tags=[tag])
    assert rec.display_name == rec.original_name == "회의록 1.txt" and rec.tags == ("예산",)
    assert [r.id for r in app.recordings.list(text="회의록")] == [rec.id]
    assert [r.id for r in app.recordings.list(tag=tag)] == [rec.id]
    assert app.recordings.rename(rec.id, unicodedata.normalize("NFD", "새 이름")).display_name == (
        "새 이름"
    )
    long = app.recordings.add_upload("가" * 90 + ".txt", io.BytesIO(b"long"))
    assert long.display_name == "가" * 90 + ".txt" and long.kind == "text"
    assert long.original_name == "가" * 65 + ".txt" and len(long.original_name.encode()) <= 200
    assert (app.data_dir / "uploads" / long.id / long.original_name).read_bytes() == b"long"
    # its outputs fit too, each under its own name
    for kind in ("transcript", "summary"):
        art = app.recordings.save_artifact(long.id, kind, "md", kind)
        assert art.file_name.endswith(f".{kind}.md") and len(art.file_name.encode()) <= 240
    edited = app.transcripts.edit(long.id, unicodedata.normalize("NFD", "편집"))
    assert app.recordings.read_text(edited.id) == "편집"


def test_empty_files_are_refused_and_leave_nothing(app: RecordRoute, tmp_path: Path) -> None:
    with pytest.raises(EmptyFileError) as caught:
        app.add_file(write(tmp_path / "empty.txt", b""))
    assert "'empty.txt' is empty (0 bytes)" in caught.value.message
    assert "Choose the file again" in caught.value.fix
    assert app.recordings.count(deleted=None) == 0
    assert list((app.data_dir / "uploads").iterdir()) == []
    assert list((app.data_dir / "tmp").iterdir()) == []


def test_a_store_that_fails_half_way_keeps_no_row_and_no_folder(
    app: RecordRoute, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open
    failed: list[str] = []

    def failing_open(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if Path(path).parent.name == "uploads" and not failed:  # the folder, after the move
            failed.append(str(path))
            raise OSError(errno.EIO, "Input/output error")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    with pytest.raises(StorageError) as caught:
        app.recordings.add_upload("note.txt", io.BytesIO(b"some text"))
    monkeypatch.undo()
    assert failed, "the failure was not injected"
    assert "could not be stored (Input/output error); nothing was kept" in caught.value.message
    assert "writable" in caught.value.fix
    assert app.recordings.count(deleted=None) == 0
    assert list((app.data_dir / "uploads").iterdir()) == []
    assert app.recordings.add_upload("note.txt", io.BytesIO(b"some text")).kind == "text"


def test_messages_repeat_only_a_piece_of_a_huge_value(app: RecordRoute) -> None:
    rec = app.recordings.add_upload("n.txt", io.BytesIO(b"n"))
    with pytest.raises(InvalidInputError) as caught:
        app.recordings.rename(rec.id, "x" * 100_000)
    assert len(caught.value.message) < 200 and "(100000 characters)" in caught.value.message
    with pytest.raises(InvalidInputError) as caught:
        app.recordings.get("y" * 100_000)
    assert len(caught.value.message) < 200
