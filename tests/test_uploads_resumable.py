"""Resumable uploads in the core: pieces, resume after a cut or a restart, clear refusals."""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from recordroute.app.links import LinksService
from recordroute.errors import (
    ConfigError,
    ConflictError,
    DiskFullError,
    DuplicateRecordingError,
    EmptyFileError,
    InvalidInputError,
    NotFoundError,
    TooLargeError,
    UnsupportedFileError,
)

DATA = bytes(range(256)) * 4096  # 1 MiB, not compressible into a duplicate of anything else


def _send(
    app: RecordRoute, upload_id: str, data: bytes, offset: int, cut: int | None = None
) -> int:
    """Write ``data`` at ``offset`` in small writes; stop after ``cut`` bytes (a dropped piece)."""
    writer = app.uploads.open_piece(upload_id, offset, len(data))
    try:
        end = len(data) if cut is None else cut
        for start in range(0, end, 100_000):
            writer.write(data[start : min(end, start + 100_000)])
    finally:
        session = app.uploads.close_piece(writer)
    return session.received_bytes


def _part(app: RecordRoute, upload_id: str) -> Path:
    return app.data_dir / "tmp" / f"upload-part-{upload_id}"


def test_pieces_become_a_recording_and_its_job_at_once(app: RecordRoute) -> None:
    session = app.uploads.begin(
        "긴 회의.wav", len(DATA), tags=["회의"], steps=["transcribe"], options={"language": "ko"}
    )
    assert session.received_bytes == 0 and session.state == "open"
    assert _send(app, session.id, DATA[:300_000], 0) == 300_000
    assert _send(app, session.id, DATA[300_000:], 300_000) == len(DATA)
    outcome = app.uploads.finish(session.id)
    rec = outcome.recording
    assert rec.original_name == "긴 회의.wav" and rec.tags == ("회의",)
    assert rec.sha256 == hashlib.sha256(DATA).hexdigest() and rec.size_bytes == len(DATA)
    source = app.recordings.latest_artifact(rec.id, "source")
    assert source is not None
    assert app.recordings.artifact_path(source.id).read_bytes() == DATA
    assert outcome.job is not None and outcome.job.state == "queued"
    assert "transcribe" in outcome.job.steps and outcome.job.options == {"language": "ko"}
    assert not _part(app, session.id).exists()
    # a repeated finish (the reply was lost) gets the same answer, nothing new is made
    again = app.uploads.finish(session.id)
    assert again.recording.id == rec.id and again.job is not None
    assert again.job.id == outcome.job.id
    assert app.uploads.get(session.id).state == "finished"
    assert len(app.recordings.list()) == 1


def test_a_piece_cut_off_keeps_what_arrived_and_the_next_continues(app: RecordRoute) -> None:
    session = app.uploads.begin("cut.wav", len(DATA))
    held = _send(app, session.id, DATA, 0, cut=450_000)
    assert held == 450_000 == app.uploads.get(session.id).received_bytes
    with pytest.raises(ConflictError, match="starts at byte 0, but the server holds 450000"):
        app.uploads.open_piece(session.id, 0)
    with pytest.raises(ConflictError, match="has 450000 of 1048576 bytes"):
        app.uploads.finish(session.id)
    assert _send(app, session.id, DATA[held:], held) == len(DATA)
    rec = app.uploads.finish(session.id).recording
    assert rec.sha256 == hashlib.sha256(DATA).hexdigest()


def test_an_unfinished_upload_survives_a_restart(settings: Settings) -> None:
    with RecordRoute(settings) as first:
        upload_id = first.uploads.begin("restart.wav", len(DATA), steps=[]).id
        _send(first, upload_id, DATA, 0, cut=600_000)
    with RecordRoute(settings) as second:  # a new process: no hash state in memory
        assert second.uploads.get(upload_id).received_bytes == 600_000
        _send(second, upload_id, DATA[600_000:], 600_000)
        outcome = second.uploads.finish(upload_id)
        assert outcome.recording.sha256 == hashlib.sha256(DATA).hexdigest()
        assert outcome.job is not None  # steps=[] means every step


def test_refusals_before_a_byte_is_sent(tmp_path: Path) -> None:
    small = Settings(data_dir=tmp_path / "db", min_free_mb=0, max_upload_mb=1)
    with RecordRoute(small) as app:
        with pytest.raises(TooLargeError, match=r"'big.wav' is 2 MB; the limit is 1 MB"):
            app.uploads.begin("big.wav", 2 * 2**20)
        with pytest.raises(UnsupportedFileError, match=r"'setup.exe' has a file type"):
            app.uploads.begin("setup.exe", 10)
        with pytest.raises(InvalidInputError, match="'speak' is not a pipeline step"):
            app.uploads.begin("a.wav", 10, steps=["speak"])
        with pytest.raises(InvalidInputError, match="Unknown job options: colour"):
            app.uploads.begin("a.wav", 10, options={"colour": "red"})
        with pytest.raises(InvalidInputError, match="-1 is not a number of bytes"):
            app.uploads.begin("a.wav", -1)
        assert not list((tmp_path / "db" / "tmp").iterdir())
    full = Settings(data_dir=tmp_path / "db", min_free_mb=1 << 23)
    with RecordRoute(full) as app, pytest.raises(DiskFullError, match="nearly full"):
        app.uploads.begin("a.wav", 10)


def test_a_duplicate_is_refused_at_the_end_with_the_recording_it_repeats(
    app: RecordRoute, tmp_path: Path
) -> None:
    original = tmp_path / "first.wav"
    original.write_bytes(DATA)
    existing = app.add_file(original)
    session = app.uploads.begin("second.wav", len(DATA), steps=["transcribe"])
    _send(app, session.id, DATA, 0)
    for _ in range(2):  # the same answer when asked again
        with pytest.raises(DuplicateRecordingError, match=existing.id) as caught:
            app.uploads.finish(session.id)
        assert caught.value.existing_id == existing.id
    assert not _part(app, session.id).exists()
    assert [r.id for r in app.recordings.list()] == [existing.id]
    assert app.jobs.list() == []


def test_an_abandoned_upload_is_removed_whole_and_says_so(app: RecordRoute) -> None:
    first = app.uploads.begin("left.wav", len(DATA))
    _send(app, first.id, DATA, 0, cut=1000)
    old = time.time() - 2 * 3600
    os.utime(_part(app, first.id), (old, old))
    assert app.uploads.clean_expired() == 1
    assert not _part(app, first.id).exists()
    with pytest.raises(NotFoundError, match="Start the upload again"):
        app.uploads.get(first.id)
    # the temp cleaner removed the part file while the server was down: refused clearly
    second = app.uploads.begin("gone.wav", len(DATA))
    _part(app, second.id).unlink()
    with pytest.raises(NotFoundError, match=r"expired: nothing arrived for 60 minutes"):
        app.uploads.open_piece(second.id, 0)
    with pytest.raises(NotFoundError, match="no upload"):
        app.uploads.get(second.id)


def test_cancel_removes_what_arrived(app: RecordRoute) -> None:
    session = app.uploads.begin("cancel.wav", len(DATA))
    _send(app, session.id, DATA, 0, cut=5000)
    app.uploads.cancel(session.id)
    assert not _part(app, session.id).exists()
    with pytest.raises(NotFoundError):
        app.uploads.get(session.id)
    done = app.uploads.begin("done.wav", 3)
    _send(app, done.id, b"abc", 0)
    app.uploads.finish(done.id)
    with pytest.raises(ConflictError, match="already ended; it is recording"):
        app.uploads.cancel(done.id)
    with pytest.raises(ConflictError, match="already ended"):
        app.uploads.open_piece(done.id, 3)


def test_one_writer_at_a_time_and_never_past_the_declared_size(app: RecordRoute) -> None:
    session = app.uploads.begin("one.wav", 10)
    writer = app.uploads.open_piece(session.id, 0)
    with pytest.raises(ConflictError, match="Another request is sending"):
        app.uploads.open_piece(session.id, 0)
    with pytest.raises(ConflictError, match="Another request is sending"):
        app.uploads.finish(session.id)
    writer.write(b"12345")
    with pytest.raises(InvalidInputError, match=r"past the declared size .*10 bytes"):
        writer.write(b"1234567")
    assert app.uploads.close_piece(writer).received_bytes == 5
    with pytest.raises(InvalidInputError, match="A piece of 6 bytes at byte 5 goes past"):
        app.uploads.open_piece(session.id, 5, 6)


def test_a_full_disk_mid_piece_keeps_only_whole_writes(
    app: RecordRoute, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = app.uploads.begin("full.wav", len(DATA))
    writer = app.uploads.open_piece(session.id, 0)
    writer.write(DATA[:1000])
    real_write = os.write

    def half_then_full(fd: int, data: object) -> int:
        monkeypatch.setattr(os, "write", real_write)
        real_write(fd, bytes(data)[:10])  # type: ignore[call-overload]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(DiskFullError, match="1000 of 1048576 bytes are kept"):
        writer.write(DATA[1000:2000])
    assert app.uploads.close_piece(writer).received_bytes == 1000
    _send(app, session.id, DATA[1000:], 1000)
    assert app.uploads.finish(session.id).recording.sha256 == hashlib.sha256(DATA).hexdigest()


def test_a_finish_interrupted_after_the_move_is_completed_on_retry(app: RecordRoute) -> None:
    session = app.uploads.begin("crash.wav", len(DATA), steps=["transcribe"])
    _send(app, session.id, DATA, 0)
    outcome = app.uploads.finish(session.id)
    with _raw(app) as conn:
        conn.execute(
            "UPDATE upload_sessions SET state = 'committing', job_id = NULL, recording_id = NULL"
        )
    again = app.uploads.finish(session.id)
    assert again.recording.id == outcome.recording.id
    assert again.job is not None


def _raw(app: RecordRoute) -> closing[sqlite3.Connection]:
    """The library database behind the facade's back (to stage a crash)."""
    return closing(sqlite3.connect(app.data_dir / "recordroute.sqlite3", isolation_level=None))


def test_media_links_open_one_file_until_they_expire() -> None:
    links = LinksService("a-token-of-the-server")
    query = dict(part.split("=") for part in links.media_query("art-1", now=1000).split("&"))
    assert query["exp"] == str(1000 + 3600)
    assert links.verify_media("art-1", query["exp"], query["sig"], now=1000)
    assert not links.verify_media("art-2", query["exp"], query["sig"], now=1000)
    assert not links.verify_media("art-1", query["exp"], query["sig"], now=1000 + 3601)
    assert not links.verify_media("art-1", "later", query["sig"], now=1000)
    other = LinksService("another-token")
    assert not other.verify_media("art-1", query["exp"], query["sig"], now=1000)
    none = LinksService("")
    assert not none.available and not none.verify_media("art-1", query["exp"], query["sig"])
    with pytest.raises(ConfigError, match="need the server's token"):
        none.media_query("art-1")


def test_an_empty_file_is_refused_before_anything_is_kept(app: RecordRoute) -> None:
    with pytest.raises(EmptyFileError, match=r"'notes\.txt' is empty \(0 bytes\)") as caught:
        app.uploads.begin("notes.txt", 0)
    assert "finished saving or downloading" in caught.value.fix
    assert app.recordings.list() == []
    assert not any((app.data_dir / "tmp").glob("upload-part-*"))
