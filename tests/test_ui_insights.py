"""Insights panel and its figures: traces counted, empty states, the similarity graph."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from recordroute import Recording, RecordRoute
from recordroute.ui import InsightsPanel, charts, find, insights_panel
from tests.test_ui_helpers import DOCS, english_shell, indexed, tiny_wav


def _recording(kind: str, when: str, seconds: float | None) -> Recording:
    moment = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return Recording(
        id=f"id-{when}-{kind}",
        display_name=f"{kind} {when}",
        original_name="x",
        kind=kind,
        sha256="",
        size_bytes=1,
        created_at=moment,
        updated_at=moment,
        duration_s=seconds,
    )


def test_figures_from_plain_data() -> None:
    frame = charts.recordings_frame(
        [
            _recording("audio", "2026-01-05T12:00", 5400.0),
            _recording("audio", "2026-01-20T12:00", 1800.0),
            _recording("text", "2026-02-02T12:00", None),
        ]
    )
    assert list(frame["hours"]) == [1.5, 0.5, 0.0]
    timeline = charts.timeline_figure(frame, "month", "t", "empty")
    assert [t.name for t in timeline.data] == ["audio", "text"]
    assert list(timeline.data[0].x) == ["2026-01", "2026-02"] and list(timeline.data[0].y) == [2, 0]
    weekly = charts.timeline_figure(frame, "week", "t", "empty")
    assert list(weekly.data[0].x) == ["2026-W02", "2026-W04", "2026-W06"]
    hours = charts.hours_figure(frame, "h", "empty")
    assert list(hours.data[0].y) == [1.5, 0.5] and hours.layout.yaxis.title.text == "hours"
    short = charts.hours_figure(frame[frame["hours"] < 1], "h", "empty")
    assert list(short.data[0].y) == [30.0] and short.layout.yaxis.title.text == "minutes"
    words = charts.keywords_figure({"예산": 5, "budget": 3}, "k", "empty")
    assert list(words.data[0].y) == ["budget", "예산"]  # the top one drawn on top
    heat = charts.keywords_by_period_figure(
        {"2026-01": {"a": 2, "b": 1}, "2026-02": {"b": 4}}, "kp", "empty"
    )
    assert [list(row) for row in heat.data[0].z] == [[1, 4], [2, 0]]  # rows: b, a
    for empty in (
        charts.timeline_figure(frame.iloc[0:0], "week", "t", "nothing"),
        charts.hours_figure(frame.iloc[2:], "h", "nothing"),
        charts.keywords_figure({}, "k", "nothing"),
        charts.keywords_by_period_figure({}, "kp", "nothing"),
        charts.similarity_figure([], [], {}, "g", "nothing"),
    ):
        assert len(empty.data) == 0 and empty.layout.annotations[0].text == "nothing"


def test_similarity_figure_and_layout() -> None:
    nodes = ["a", "b", "c"]
    fig = charts.similarity_figure(nodes, [("a", "b", 0.8), ("b", "z", 0.9)], {"a": "A"}, "g", "e")
    lines, points = fig.data
    assert list(lines.x).count(None) == 1  # one link: the one to an unknown node is dropped
    assert list(points.customdata) == nodes and list(points.text) == ["A", "b", "c"]
    pos = charts.spring_layout(3, [(0, 1, 0.8)])
    assert pos.shape == (3, 2) and np.abs(pos).max() <= 1.0
    near = np.linalg.norm(pos[0] - pos[1])
    assert near < np.linalg.norm(pos[0] - pos[2]) and near < np.linalg.norm(pos[1] - pos[2])
    assert charts.spring_layout(0, []).shape == (0, 2) and charts.spring_layout(1, []).shape == (
        1,
        2,
    )
    assert isinstance(charts.period_labels(pd.Series([pd.Timestamp("2026-03-02")]), "week")[0], str)


def test_panel_draws_every_chart(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(app, tmp_path, DOCS)
    audio = app.add_file(tiny_wav(tmp_path / "talk.wav", seconds=90.0))
    app.process(audio.id, ["ingest"])
    widget = insights_panel(english_shell(app))
    panel_outputs = {
        name: find(widget, f"rr-ins-{name}")
        for name in ("timeline", "hours", "keywords", "keywords-period", "graph")
    }
    counts = {name: charts.trace_count(out) for name, out in panel_outputs.items()}
    assert counts == {"timeline": 2, "hours": 1, "keywords": 1, "keywords-period": 1, "graph": 2}
    plotly = panel_outputs["graph"].outputs[0]["data"][charts.PLOTLY_MIME]
    assert sorted(plotly["data"][1]["customdata"]) == sorted(r.id for r in docs.values())
    assert "3 recordings" in find(widget, "rr-ins-graph-stats").value


def test_threshold_period_and_opening_a_node(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(app, tmp_path, DOCS)
    shell = english_shell(app)
    panel = InsightsPanel(shell)
    opened: list[str] = []
    shell.on_open(lambda rid, _start: opened.append(rid))
    panel.refresh()
    panel.threshold.value = 0.0
    assert len(panel.graph[1]) >= 1
    panel.threshold.value = 1.0
    assert panel.graph[1] == [] and "0 links" in panel.graph_stats.value
    assert panel.figures["graph"].data[0].x == ()  # no link lines
    panel.period.value = "week"
    assert panel.figures["timeline"].data[0].x[0].count("-W") == 1
    panel.node_pick.value = docs["weather.txt"].id
    find(panel.widget, "rr-ins-open").click()
    assert opened == [docs["weather.txt"].id]
    shell.tr.set_language("ko")
    assert panel.figures["timeline"].layout.title.text == "기간별 녹음 수"
    assert panel.period.options == (("주", "week"), ("월", "month"))


def test_empty_archive_draws_empty_charts_without_errors(app: RecordRoute) -> None:
    panel = InsightsPanel(english_shell(app))
    find(panel.widget, "rr-ins-refresh").click()
    assert panel.notice.kind == ""
    assert panel.trace_counts() == dict.fromkeys(
        ("timeline", "hours", "keywords", "keywords_period", "speaking", "turns", "graph"), 0
    )
    assert panel.figures["graph"].layout.annotations[0].text == "Nothing to show yet."
