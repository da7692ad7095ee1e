"""Screens that show many recordings read them set-based: the number of queries does not
grow with the number of recordings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from recordroute import RecordRoute
from tests.conftest import write


@contextmanager
def counted(app: RecordRoute) -> Iterator[list[str]]:
    """The SELECT statements this thread sends to the library database meanwhile."""
    statements: list[str] = []
    conn: sqlite3.Connection = app._library.db.conn

    def trace(sql: str) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append(sql)

    conn.set_trace_callback(trace)
    try:
        yield statements
    finally:
        conn.set_trace_callback(None)


def _archive(app: RecordRoute, tmp_path: Path, count: int) -> list[str]:
    ids = []
    for i in range(count):
        rec = app.add_file(write(tmp_path / f"n{count}" / f"note-{i}.txt", f"note {count} {i}"))
        app.recordings.save_artifact(rec.id, "transcript", "md", f"text {i}")
        app.recordings.add_tags(rec.id, ["t"])
        ids.append(rec.id)
    return ids


def _queries(app: RecordRoute, action: Callable[[], object]) -> int:
    with counted(app) as statements:
        action()
    return len(statements)


def test_history_is_built_in_the_same_few_queries_for_3_or_30_recordings(
    app: RecordRoute, tmp_path: Path
) -> None:
    _archive(app, tmp_path, 3)
    few = _queries(app, app.legacy.history)
    _archive(app, tmp_path, 27)
    many = _queries(app, app.legacy.history)
    assert few == many <= 6
    stamp, records = app.legacy.history()
    assert len(records) == 30 and all(r["stt_done"] for r in records)
    assert stamp == app.legacy.history_stamp()


def test_step_statuses_of_many_recordings_take_the_same_few_queries(
    app: RecordRoute, tmp_path: Path
) -> None:
    _archive(app, tmp_path, 3)
    recs = app.recordings.list()
    few = _queries(app, lambda: app.steps.statuses(recs))
    _archive(app, tmp_path, 27)
    recs = app.recordings.list()
    many = _queries(app, lambda: app.steps.statuses(recs))
    assert few == many <= 2
    statuses = app.steps.statuses(recs)
    assert statuses[recs[0].id] == app.steps.status(recs[0].id)
    assert statuses[recs[0].id]["ingest"] == "done"


def test_the_change_stamp_moves_with_every_write_that_history_shows(
    app: RecordRoute, tmp_path: Path
) -> None:
    [rid] = _archive(app, tmp_path, 1)
    seen = {app.legacy.history_stamp()}
    for change in (
        lambda: app.recordings.rename(rid, "new name"),
        lambda: app.recordings.add_tags(rid, ["x"]),
        lambda: app.recordings.save_artifact(rid, "summary", "md", "## 요약\n- a"),
        lambda: app.recordings.delete(rid),
        lambda: app.recordings.restore(rid),
    ):
        change()
        stamp = app.legacy.history_stamp()
        assert stamp not in seen
        seen.add(stamp)
    app.jobs.list()  # reading changes nothing
    assert app.legacy.history_stamp() in seen
