"""Plotly figures for the insights tab and the notebooks: pure functions of plain data.

Figures are plain ``go.Figure`` objects shown by replacing an ``Output`` widget's outputs
(never ``FigureWidget``: its updates were lost in Voila).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..models import Recording

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PERIOD_FORMATS = {"week": "%G-W%V", "month": "%Y-%m"}


def recordings_frame(recordings: Iterable[Recording]) -> pd.DataFrame:
    """One row per recording: id, name, title, kind, created (local time), duration and hours."""
    rows = [
        {
            "id": r.id,
            "name": r.display_name,
            "title": r.title,
            "kind": r.kind,
            "created": pd.Timestamp(r.created_at.astimezone().replace(tzinfo=None)),
            "duration_s": float(r.duration_s or 0.0),
            "tags": ", ".join(r.tags),
        }
        for r in recordings
    ]
    frame = pd.DataFrame(
        rows, columns=["id", "name", "title", "kind", "created", "duration_s", "tags"]
    )
    frame["hours"] = frame["duration_s"] / 3600.0
    return frame


def period_labels(created: pd.Series, period: str) -> pd.Series:
    """``2026-W07`` (ISO week) or ``2026-02`` labels for timestamps."""
    return pd.to_datetime(created).dt.strftime(PERIOD_FORMATS[period])


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title,
        height=300,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14}}],
    )
    return fig


def _style(fig: go.Figure, title: str, height: int = 340) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def timeline_figure(
    frame: pd.DataFrame, period: str, title: str, empty: str, axis: str = "recordings"
) -> go.Figure:
    """Recordings per period, one stacked bar trace per type."""
    if frame.empty:
        return _empty(title, empty)
    data = frame.assign(period=period_labels(frame["created"], period))
    counts = data.groupby(["period", "kind"]).size().unstack(fill_value=0).sort_index()
    fig = go.Figure(
        [
            go.Bar(name=str(kind), x=list(counts.index), y=counts[kind].tolist())
            for kind in counts.columns
        ]
    )
    fig.update_layout(barmode="stack", yaxis_title=axis, xaxis={"type": "category"})
    return _style(fig, title)


def hours_figure(
    frame: pd.DataFrame, title: str, empty: str, axis: str = "hours", minutes_axis: str = "minutes"
) -> go.Figure:
    """Hours of audio and video per ISO week (minutes while every week is under an hour)."""
    timed = frame[frame["duration_s"] > 0] if not frame.empty else frame
    if timed.empty:
        return _empty(title, empty)
    hours = (
        timed.assign(week=period_labels(timed["created"], "week")).groupby("week")["hours"].sum()
    )
    in_minutes = float(hours.max()) < 1.0
    values = [round(h * 60 if in_minutes else h, 2) for h in hours.tolist()]
    fig = go.Figure([go.Bar(x=list(hours.index), y=values, marker_color="#4c78a8")])
    fig.update_layout(yaxis_title=minutes_axis if in_minutes else axis, xaxis={"type": "category"})
    return _style(fig, title)


def keywords_figure(
    counts: Mapping[str, int], title: str, empty: str, axis: str = "mentions"
) -> go.Figure:
    """The most mentioned keywords as horizontal bars, the top one on top."""
    if not counts:
        return _empty(title, empty)
    terms = list(counts)[::-1]
    fig = go.Figure(
        [go.Bar(x=[counts[t] for t in terms], y=terms, orientation="h", marker_color="#f58518")]
    )
    fig.update_layout(xaxis_title=axis)
    return _style(fig, title, height=max(300, 24 * len(terms) + 100))


def speaking_figure(stats: Sequence[Any], title: str, empty: str, axis: str, wpm: str) -> go.Figure:
    """Minutes spoken per person (most on top), words per minute beside each bar."""
    if not stats:
        return _empty(title, empty)
    rows = list(stats)[::-1]
    fig = go.Figure(
        [
            go.Bar(
                x=[round(s.seconds / 60, 2) for s in rows],
                y=[s.speaker for s in rows],
                orientation="h",
                marker_color="#54a24b",
                text=[f"{s.words_per_minute:.0f} {wpm}" for s in rows],
                textposition="auto",
            )
        ]
    )
    fig.update_layout(xaxis_title=axis)
    return _style(fig, title, height=max(300, 32 * len(rows) + 100))


def turns_figure(rows: Sequence[Any], title: str, empty: str, axis: str) -> go.Figure:
    """Who spoke when in one recording: a bar per turn, a row per speaker."""
    if not rows:
        return _empty(title, empty)
    speakers = list(dict.fromkeys(r.speaker for r in rows))
    traces = [
        go.Bar(
            x=[r.end - r.start for r in rows if r.speaker == name],
            base=[r.start for r in rows if r.speaker == name],
            y=[name] * sum(1 for r in rows if r.speaker == name),
            orientation="h",
            name=name,
        )
        for name in speakers
    ]
    fig = go.Figure(traces)
    fig.update_layout(xaxis_title=axis, barmode="overlay", showlegend=False)
    return _style(fig, title, height=max(260, 40 * len(speakers) + 120))


def keywords_by_period_figure(
    by_period: Mapping[str, Mapping[str, int]], title: str, empty: str, top: int = 12
) -> go.Figure:
    """A heat map: the archive's top terms (rows) against periods (columns)."""
    if not by_period:
        return _empty(title, empty)
    totals: dict[str, int] = {}
    for terms in by_period.values():
        for term, count in terms.items():
            totals[term] = totals.get(term, 0) + count
    chosen = sorted(totals, key=lambda t: (-totals[t], t))[:top]
    periods = list(by_period)
    z = [[by_period[p].get(term, 0) for p in periods] for term in chosen]
    fig = go.Figure([go.Heatmap(z=z, x=periods, y=chosen, colorscale="Blues")])
    fig.update_xaxes(type="category")
    fig.update_yaxes(autorange="reversed", type="category")
    return _style(fig, title, height=max(300, 26 * len(chosen) + 120))


def spring_layout(
    count: int, edges: Sequence[tuple[int, int, float]], seed: int = 7, steps: int = 200
) -> np.ndarray:
    """2-D positions by a small force-directed layout (linked points attract, all repel)."""
    rng = np.random.default_rng(seed)
    if count == 0:
        return np.zeros((0, 2))
    if count == 1:
        return np.zeros((1, 2))
    pos = rng.uniform(-1, 1, size=(count, 2))
    ideal = 1.0 / np.sqrt(count)
    gravity = 0.5 * ideal
    for step in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=-1), 1e-3)
        force = (delta / dist[..., None] * (ideal**2 / dist)[..., None]).sum(axis=1)
        force -= gravity * pos  # keeps unlinked points from drifting to the corners
        for a, b, weight in edges:
            d = pos[a] - pos[b]
            length = max(float(np.linalg.norm(d)), 1e-3)
            pull = d / length * (length**2 / ideal) * max(weight, 0.05)
            force[a] -= pull
            force[b] += pull
        temperature = 0.1 * (1 - step / steps) + 0.005
        length = np.maximum(np.linalg.norm(force, axis=1), 1e-9)
        pos += force / length[:, None] * np.minimum(length, temperature)[:, None]
    pos -= pos.mean(axis=0)
    scale = float(np.abs(pos).max()) or 1.0
    return pos / scale


def similarity_figure(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str, float]],
    names: Mapping[str, str],
    title: str,
    empty: str,
) -> go.Figure:
    """Recordings as points (``customdata`` holds their ids), similar pairs as lines."""
    if not nodes:
        return _empty(title, empty)
    index = {rid: i for i, rid in enumerate(nodes)}
    linked = [(index[a], index[b], s) for a, b, s in edges if a in index and b in index]
    pos = spring_layout(len(nodes), linked)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b, _ in linked:
        xs += [float(pos[a, 0]), float(pos[b, 0]), None]
        ys += [float(pos[a, 1]), float(pos[b, 1]), None]
    degree = [0] * len(nodes)
    for a, b, _ in linked:
        degree[a] += 1
        degree[b] += 1
    fig = go.Figure(
        [
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 1, "color": "#9aa5b1"},
                hoverinfo="skip",
                name="links",
            ),
            go.Scatter(
                x=pos[:, 0].tolist(),
                y=pos[:, 1].tolist(),
                mode="markers+text",
                text=[names.get(rid, rid)[:28] for rid in nodes],
                textposition="top center",
                customdata=list(nodes),
                hovertemplate="%{text}<extra></extra>",
                marker={
                    "size": [12 + 3 * d for d in degree],
                    "color": degree,
                    "colorscale": "Viridis",
                    "line": {"width": 1, "color": "#333"},
                },
                name="recordings",
            ),
        ]
    )
    fig.update_layout(
        showlegend=False, xaxis={"visible": False}, yaxis={"visible": False}, clickmode="event"
    )
    return _style(fig, title, height=460)


def show_figure(output: widgets.Output, fig: go.Figure) -> None:
    """Replace what ``output`` shows with ``fig`` (works with or without a kernel)."""
    output.outputs = (
        {
            "output_type": "display_data",
            "data": {
                PLOTLY_MIME: json.loads(fig.to_json()),
                "text/plain": f"<Figure: {fig.layout.title.text}>",
            },
            "metadata": {},
        },
    )


def trace_count(output: widgets.Output) -> int:
    """How many traces the figure shown in ``output`` has (0 when none is shown)."""
    for item in output.outputs:
        data = item.get("data", {}).get(PLOTLY_MIME)
        if data is not None:
            return len(data.get("data", []))
    return 0
