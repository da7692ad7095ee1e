"""Index storage: persistence, two processes, crash safety, corruption, compaction, rebuild."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from recordroute.errors import (
    CorruptDataError,
    InvalidInputError,
    NotFoundError,
    StorageBusyError,
    StorageError,
)
from recordroute.search import RecordingInfo, SearchIndex
from recordroute.search import writer as writer_module
from recordroute.search.matrix import matrix_path, model_slug
from recordroute.search.schema import DB_NAME, MIGRATIONS
from tests.search_support import (
    BASE_DATE,
    MODEL,
    REPO,
    HashEmbedder,
    chunks_for,
    fill,
    info_for,
    run_child,
    unit,
)

CHILD_ADD_AND_SEARCH = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from recordroute.search import SearchIndex
    from tests.search_support import MODEL, chunks_for, info_for, unit

    folder, number = sys.argv[1], int(sys.argv[2])
    with SearchIndex(folder) as index:
        seen = [h.recording_id for h in index.vector_search(np.ones(8), model=MODEL, k=50)]
        vector = unit(np.eye(8)[number % 8] + 0.01)
        index.add_recording(info_for(number), model=MODEL, chunks=chunks_for(f"rec-{number}", 1),
                            vectors=vector)
        index.index_text(f"rec-{number}", "transcript", f"child wrote 회의록 {number}")
        print(json.dumps({"seen": sorted(seen), "revision": index.revision}))
    """
)

CHILD_MANY = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from recordroute.search import SearchIndex
    from tests.search_support import MODEL, chunks_for, info_for, unit

    folder, first = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(first)
    with SearchIndex(folder, busy_timeout_s=60) as index:
        for number in range(first, first + 40):
            index.add_recording(info_for(number), model=MODEL,
                                chunks=chunks_for(f"rec-{number}", 30),
                                vectors=unit(rng.standard_normal((30, 8))))
    print(json.dumps({"done": True}))
    """
)


def matrix_file(folder, generation=1):
    return matrix_path(folder / model_slug(MODEL), generation)


def test_index_persists_across_reopen(tmp_path):
    with SearchIndex(tmp_path) as index:
        stored = fill(index, 6, dim=8)
        index.index_text("rec-1", "transcript", "persisted words")
        revision = index.revision
    with SearchIndex(tmp_path) as index:
        assert index.revision == revision
        assert index.vector_search(stored["rec-4"][2], model=MODEL, k=1)[0].recording_id == "rec-4"
        assert index.keyword_search("persisted")[0].recording_id == "rec-1"
        [info] = index.models()
        assert (info.model, info.dimension, info.rows, info.live_rows) == (MODEL, 8, 24, 24)


def test_two_processes_see_each_others_additions(tmp_path):
    with SearchIndex(tmp_path) as index:
        index.add_recording(
            info_for(0), model=MODEL, chunks=chunks_for("rec-0", 1), vectors=unit(np.ones((1, 8)))
        )
        before = index.vector_search(np.ones(8), model=MODEL, k=50)
        assert [h.recording_id for h in before] == ["rec-0"]
        child = run_child(tmp_path, CHILD_ADD_AND_SEARCH, "1")
        assert child["seen"] == ["rec-0"]  # the child saw the parent's addition
        assert index.revision == child["revision"]
        after = index.vector_search(np.ones(8), model=MODEL, k=50)  # same query: not stale
        assert {h.recording_id for h in after} == {"rec-0", "rec-1"}
        assert index.keyword_search("회의록")[0].recording_id == "rec-1"
        index.add_recording(
            info_for(2), model=MODEL, chunks=chunks_for("rec-2", 1), vectors=unit(np.ones((1, 8)))
        )
        child = run_child(tmp_path, CHILD_ADD_AND_SEARCH, "3")
        assert child["seen"] == ["rec-0", "rec-1", "rec-2"]
        ids = {h.recording_id for h in index.vector_search(np.ones(8), model=MODEL, k=50)}
        assert ids == {"rec-0", "rec-1", "rec-2", "rec-3"}


def test_concurrent_writers_in_two_processes_keep_every_row(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD_MANY, str(tmp_path), str(first)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first in (0, 100)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    with SearchIndex(tmp_path) as index:
        [info] = index.models()
        assert (info.rows, info.live_rows) == (2400, 2400)
        hits = index.vector_search(np.ones(8), model=MODEL, k=1000, per_recording=False)
        assert len(hits) == 1000
        grouped = index.vector_search(np.ones(8), model=MODEL, k=100)
        assert len({h.recording_id for h in grouped}) == 80


def test_growth_replaces_the_matrix_file_under_an_open_reader(tmp_path):
    with SearchIndex(tmp_path) as reader, SearchIndex(tmp_path) as other:
        fill(other, 1, dim=8, chunks=10)
        assert len(reader.vector_search(np.ones(8), model=MODEL, k=5, per_recording=False)) == 5
        rng = np.random.default_rng(0)
        big = unit(rng.standard_normal((1500, 8)))  # beyond the first capacity of 1024 rows
        # a file of a newer, not yet published generation (another writer's) must survive
        matrix_file(tmp_path, 3).write_bytes(b"another writer's work in progress")
        other.add_recording(info_for(1), model=MODEL, chunks=chunks_for("rec-1", 1500), vectors=big)
        assert not matrix_file(tmp_path, 1).exists()
        assert matrix_file(tmp_path, 2).exists()
        assert matrix_file(tmp_path, 3).exists()
        hits = reader.vector_search(big[1234], model=MODEL, k=1, per_recording=False)
        assert (hits[0].recording_id, hits[0].ordinal) == ("rec-1", 1234)


def test_unpublished_rows_after_a_crash_are_ignored_and_overwritten(tmp_path):
    with SearchIndex(tmp_path) as index:
        stored = fill(index, 3, dim=8)
        path = matrix_file(tmp_path)
        # simulate a crash after the matrix write but before the SQLite commit
        garbage = unit(np.ones((5, 8)))
        writer_module.append_rows(path, 12, 1024, garbage)
        hits = index.vector_search(garbage[0], model=MODEL, k=100, per_recording=False)
        assert len(hits) == 12
        fresh = unit(-np.ones((1, 8)))
        index.add_recording(info_for(9), model=MODEL, chunks=chunks_for("rec-9", 1), vectors=fresh)
        top = index.vector_search(garbage[0], model=MODEL, k=13, per_recording=False)
        assert len(top) == 13
        assert top[-1].recording_id == "rec-9"  # row 12 now holds the new vector
        assert top[0].score < 0.99
        assert index.vector_search(stored["rec-1"][0], model=MODEL, k=1)[0].recording_id == "rec-1"


def test_failure_before_commit_rolls_everything_back(tmp_path, monkeypatch):
    with SearchIndex(tmp_path) as index:
        fill(index, 2, dim=8)
        revision = index.revision

        def broken_publish(conn, state):
            raise OSError("disk went away")

        monkeypatch.setattr(writer_module, "_publish", broken_publish)
        with pytest.raises(OSError, match="disk went away"):
            index.add_recording(
                info_for(5), model=MODEL, chunks=chunks_for("rec-5", 2), vectors=np.ones((2, 8))
            )
        monkeypatch.undo()
        assert index.revision == revision
        assert {h.recording_id for h in index.vector_search(np.ones(8), model=MODEL, k=10)} == {
            "rec-0",
            "rec-1",
        }
        index.add_recording(
            info_for(5), model=MODEL, chunks=chunks_for("rec-5", 2), vectors=np.ones((2, 8))
        )
        assert index.models()[0].rows == 10


def test_orphan_generation_from_a_crash_is_replaced(tmp_path):
    with SearchIndex(tmp_path) as index:
        fill(index, 1, dim=8, chunks=4)
        orphan = matrix_file(tmp_path, 2)
        orphan.write_bytes(b"half-written junk")
        big = unit(np.random.default_rng(1).standard_normal((1100, 8)))
        index.add_recording(info_for(1), model=MODEL, chunks=chunks_for("rec-1", 1100), vectors=big)
        assert np.load(orphan, mmap_mode="r").shape == (2048, 8)
        hits = index.vector_search(big[7], model=MODEL, k=1, per_recording=False)
        assert (hits[0].recording_id, hits[0].ordinal) == ("rec-1", 7)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.unlink(), "is missing"),
        (lambda p: p.write_bytes(b"not a numpy file at all"), "cannot be read"),
        (lambda p: p.write_bytes(p.read_bytes()[:200]), "cannot be read"),
        (lambda p: np.save(p, np.zeros((1024, 8), dtype=np.float64)), "float32"),
        (lambda p: np.save(p, np.zeros((1024, 4), dtype=np.float32)), "expects (1024, 8)"),
    ],
)
def test_damaged_matrix_is_corrupt_data_not_an_empty_index(tmp_path, damage, message):
    with SearchIndex(tmp_path) as index:
        fill(index, 2, dim=8)
    damage(matrix_file(tmp_path))
    with SearchIndex(tmp_path) as index:
        with pytest.raises(CorruptDataError) as caught:
            index.vector_search(np.ones(8), model=MODEL)
        assert message in caught.value.message
        assert "recordroute reindex" in caught.value.fix
        assert index.keyword_search("anything") == []  # keyword search does not need it


def test_damaged_matrix_is_reported_when_appending(tmp_path):
    with SearchIndex(tmp_path) as index:
        fill(index, 2, dim=8)
        path = matrix_file(tmp_path)
        path.write_bytes(b"\x93NUMPY" + b"\x01\x00" + b"garbage" * 20)
        with pytest.raises(CorruptDataError, match="damaged header"):
            fill(index, 1, dim=8)
        np.save(path, np.zeros((1024, 4), dtype=np.float32))
        with pytest.raises(CorruptDataError, match=r"expects \(1024, 8\)"):
            fill(index, 1, dim=8)
        path.unlink()
        with pytest.raises(CorruptDataError, match="is missing"):
            fill(index, 1, dim=8)
        index.purge("rec-0")
        with pytest.raises(CorruptDataError, match="is missing"):
            index.compact()


def test_unwritable_matrix_is_a_storage_error(tmp_path):
    with SearchIndex(tmp_path / "a") as index:
        fill(index, 1, dim=8)
        path = matrix_file(tmp_path / "a")
        path.unlink()
        path.mkdir()  # opening it for writing now fails with an OS error
        with pytest.raises(StorageError, match="Cannot append to the search matrix"):
            fill(index, 1, dim=8)
    first = matrix_file(tmp_path / "b")
    first.parent.mkdir(parents=True)
    first.with_name(f".{first.name}.tmp").mkdir()  # the temp file cannot be created
    with SearchIndex(tmp_path / "b") as index:
        with pytest.raises(StorageError, match="Cannot write the search matrix"):
            fill(index, 1, dim=8)
        assert index.models() == []


def test_row_metadata_mismatch_is_corrupt(tmp_path):
    with SearchIndex(tmp_path) as index:
        fill(index, 2, dim=8)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("DELETE FROM vec_rows WHERE pos = 3")
    with SearchIndex(tmp_path) as index, pytest.raises(CorruptDataError, match="lists 7 rows"):
        index.vector_search(np.ones(8), model=MODEL)


def test_live_row_without_chunk_is_corrupt(tmp_path):
    with SearchIndex(tmp_path) as index:
        fill(index, 1, dim=8, chunks=1)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("DELETE FROM chunks")
    with (
        SearchIndex(tmp_path) as index,
        pytest.raises(CorruptDataError, match="has no stored chunk"),
    ):
        index.vector_search(np.ones(8), model=MODEL)


def test_corrupt_database_and_newer_schema_are_reported(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorruptDataError, match="cannot be read"):
        SearchIndex(tmp_path / "bad")
    with SearchIndex(tmp_path / "new"):
        pass
    with sqlite3.connect(tmp_path / "new" / DB_NAME) as conn:
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, ?)", (len(MIGRATIONS) + 1, "new", "")
        )
    with pytest.raises(StorageError, match="newer than this RecordRoute knows"):
        SearchIndex(tmp_path / "new")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="Cannot open the search index database"):
        SearchIndex(tmp_path / "file")


def test_locked_database_is_storage_busy(tmp_path):
    with SearchIndex(tmp_path, busy_timeout_s=0.05) as index:
        blocker = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorageBusyError, match="stayed locked"):
                index.put_recording(info_for(0))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        index.put_recording(info_for(0))


def test_migrations_are_recorded(tmp_path):
    with SearchIndex(tmp_path):
        pass
    with SearchIndex(tmp_path):
        pass
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        versions = [row[0] for row in conn.execute("SELECT number FROM schema_migrations")]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    assert mode == "wal"


def test_edit_replaces_chunks_and_compaction_drops_dead_rows(tmp_path):
    with SearchIndex(tmp_path) as index:
        stored = fill(index, 4, dim=8, chunks=3)
        new = unit(np.random.default_rng(3).standard_normal((2, 8)))
        index.add_recording(info_for(1), model=MODEL, chunks=chunks_for("rec-1", 2), vectors=new)
        hits = index.vector_search(stored["rec-1"][2], model=MODEL, k=100, per_recording=False)
        assert [h.ordinal for h in hits if h.recording_id == "rec-1"] == sorted(
            [0, 1], key=lambda i: -float(new[i] @ stored["rec-1"][2])
        )
        index.purge("rec-3")
        [info] = index.models()
        assert (info.rows, info.live_rows) == (14, 8)
        before = index.vector_search(np.ones(8), model=MODEL, k=100, per_recording=False)
        assert index.compact() == 6
        assert index.compact() == 0
        [info] = index.models()
        assert (info.rows, info.live_rows, info.generation) == (8, 8, 2)
        after = index.vector_search(np.ones(8), model=MODEL, k=100, per_recording=False)
        assert [(h.recording_id, h.ordinal) for h in after] == [
            (h.recording_id, h.ordinal) for h in before
        ]
        assert not matrix_file(tmp_path, 1).exists()
        with pytest.raises(NotFoundError, match="no vectors for embedding model 'nope'"):
            index.compact("nope")


def test_rebuild_reembeds_stored_chunks_and_can_change_dimension(tmp_path):
    small, large = HashEmbedder(dim=16), HashEmbedder(dim=32)
    with SearchIndex(tmp_path) as index:
        for number, text in enumerate(["budget meeting notes", "gardening with tomatoes"]):
            chunks = chunks_for(f"rec-{number}", 1)
            chunks = [type(chunks[0])(text, 0, len(text), 0.0, 5.0)]
            index.add_recording(info_for(number), model=MODEL, chunks=chunks, vectors=small([text]))
        index.set_deleted("rec-1")
        progress = []
        assert (
            index.rebuild(
                MODEL, large, batch_size=1, on_progress=lambda d, t: progress.append((d, t))
            )
            == 2
        )
        assert progress == [(1, 2), (2, 2)]
        [info] = index.models()
        assert (info.dimension, info.rows, info.generation) == (32, 2, 2)
        query = large(["tomatoes"])[0]
        hits = index.vector_search(query, model=MODEL, k=5, filters=None)
        assert [h.recording_id for h in hits] == ["rec-0"]  # rec-1 is still deleted
        index.set_deleted("rec-1", deleted=False)
        assert index.vector_search(query, model=MODEL, k=5)[0].recording_id == "rec-1"
        with pytest.raises(InvalidInputError, match="have 16 dimensions"):
            index.vector_search(small(["x"])[0], model=MODEL)
        # a rebuild for a new model name leaves the old one alone
        assert index.rebuild("second-model", small) == 2
        assert [m.model for m in index.models()] == ["second-model", MODEL]


def test_rebuild_embeds_chunks_added_while_it_ran(tmp_path):
    embed = HashEmbedder(dim=16)
    with SearchIndex(tmp_path) as index, SearchIndex(tmp_path) as other:
        fill(index, 1, dim=16, chunks=2)

        def embed_and_interfere(texts):
            if embed.calls == 0:
                other.add_recording(
                    info_for(7),
                    model=MODEL,
                    chunks=chunks_for("rec-7", 3),
                    vectors=np.ones((3, 16)),
                )
            return embed(texts)

        assert index.rebuild(MODEL, embed_and_interfere) == 5
        assert embed.calls == 2
        hits = index.vector_search(
            embed(["rec-7 chunk 1"])[0], model=MODEL, k=1, per_recording=False
        )
        assert (hits[0].recording_id, hits[0].ordinal) == ("rec-7", 1)


def test_rebuild_errors(tmp_path):
    embed = HashEmbedder(dim=8)
    with SearchIndex(tmp_path) as index:
        with pytest.raises(InvalidInputError, match="no stored chunks to rebuild model"):
            index.rebuild(MODEL, embed)
        with pytest.raises(InvalidInputError, match="batch_size=0 must be at least 1"):
            index.rebuild(MODEL, embed, batch_size=0)
        fill(index, 2, dim=8, chunks=2)
        sizes = iter([8, 4])
        with pytest.raises(InvalidInputError, match=r"different dimensions \[4, 8\]"):
            index.rebuild(MODEL, lambda texts: np.ones((len(texts), next(sizes))), batch_size=2)
        # nothing changed
        assert index.models()[0].generation == 1
        fill(index, 0, dim=8)
        assert index.rebuild(MODEL, embed) == 4


def test_rebuild_of_an_empty_model_keeps_its_dimension(tmp_path):
    with SearchIndex(tmp_path) as index:
        fill(index, 1, dim=8, chunks=2)
        index.purge("rec-0")
        assert index.rebuild(MODEL, HashEmbedder(dim=8)) == 0
        assert index.vector_search(np.ones(8), model=MODEL) == []
        index.add_recording(
            RecordingInfo("late", BASE_DATE),
            model=MODEL,
            chunks=chunks_for("late", 1),
            vectors=np.ones(8),
        )
        assert index.vector_search(np.ones(8), model=MODEL)[0].recording_id == "late"
