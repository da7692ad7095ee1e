"""Insights: recordings over time, hours per week, keywords, and a similarity graph."""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from ..app import RecordRoute
from . import charts
from .common import Mute, Notice, css, guarded, set_choices
from .shell import Shell, shell_for

CHARTS = ("timeline", "hours", "keywords", "keywords_period", "speaking", "turns", "graph")


class InsightsPanel:
    """Charts drawn on demand (when the tab is shown or refreshed), never on a timer."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.figures: dict[str, go.Figure] = {}
        self.mute = Mute()
        self.graph: tuple[list[str], list[tuple[str, str, float]]] = ([], [])
        tr = shell.tr
        self.notice = Notice(tr, "rr-ins-status")
        guard = guarded(self.notice)
        self.period = css(widgets.ToggleButtons(), "rr-ins-period")
        self.threshold = css(
            widgets.FloatSlider(
                value=0.5,
                min=0.0,
                max=1.0,
                step=0.05,
                continuous_update=False,
                readout_format=".2f",
                style={"description_width": "initial"},
            ),
            "rr-ins-threshold",
        )
        self.refresh_button = css(widgets.Button(icon="refresh"), "rr-ins-refresh")
        tr.bind(self.threshold, "description", "insights.threshold")
        tr.bind(self.refresh_button, "description", "insights.refresh")
        self.outputs = {
            name: css(widgets.Output(), "rr-ins-chart", f"rr-ins-{name.replace('_', '-')}")
            for name in CHARTS
        }
        self.graph_stats = css(widgets.HTML(), "rr-ins-graph-stats")
        self.node_pick = css(widgets.Dropdown(layout=widgets.Layout(width="360px")), "rr-ins-node")
        self.open_button = css(widgets.Button(icon="eye"), "rr-ins-open")
        tr.bind(self.open_button, "description", "insights.open")
        self.open_button.on_click(guard(lambda _b: self._open_picked()))
        self.period.observe(guard(self._period_changed), "value")
        self.threshold.observe(guard(lambda _c: self.draw_graph()), "value")
        self.refresh_button.on_click(guard(lambda _b: self.refresh()))
        out = self.outputs
        self.widget = css(
            widgets.VBox(
                [
                    widgets.HBox([self.period, self.refresh_button]),
                    self.notice.widget,
                    widgets.HBox([out["timeline"], out["hours"]]),
                    widgets.HBox([out["keywords"], out["keywords_period"]]),
                    widgets.HBox([out["speaking"], out["turns"]]),
                    self.threshold,
                    out["graph"],
                    widgets.HBox(
                        [self.graph_stats, self.node_pick, self.open_button],
                        layout=widgets.Layout(align_items="center"),
                    ),
                ]
            ),
            "rr-insights",
        )
        for name in ("timeline", "hours", "keywords", "keywords_period", "speaking", "turns"):
            out[name].layout.width = "50%"
        self._relabel()
        tr.on_change(self._relabel_and_draw)

    def _relabel(self) -> None:
        tr = self.shell.tr
        current = self.period.value or "month"
        with self.mute():
            choices = [(tr.t(f"insights.period.{p}"), p) for p in ("week", "month")]
            set_choices(self.period, choices, current)

    def _period_changed(self, _change: dict[str, object]) -> None:
        if not self.mute.on:
            self.draw_time_charts()

    def _relabel_and_draw(self) -> None:
        self._relabel()
        if self.figures:
            self.refresh()

    # -- drawing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the archive again and redraw every chart."""
        self.notice.clear()
        self.draw_time_charts()
        self.draw_speakers()
        self.draw_graph()

    def draw_time_charts(self) -> None:
        tr = self.shell.tr
        app = self.shell.app
        period = self.period.value or "month"
        frame = charts.recordings_frame(app.recordings.list())
        empty = tr.t("insights.empty")
        overall = app.insights.keyword_counts(top=15).get("all", {})
        self._show(
            "timeline",
            charts.timeline_figure(
                frame, period, tr.t("insights.timeline"), empty, tr.t("insights.count")
            ),
        )
        self._show(
            "hours",
            charts.hours_figure(
                frame,
                tr.t("insights.hours"),
                empty,
                tr.t("insights.hours_axis"),
                tr.t("insights.minutes_axis"),
            ),
        )
        self._show(
            "keywords",
            charts.keywords_figure(
                overall, tr.t("insights.keywords"), empty, tr.t("insights.mentions")
            ),
        )
        self._show(
            "keywords_period",
            charts.keywords_by_period_figure(
                app.insights.keyword_counts(period=period, top=15),
                tr.t("insights.keywords_period"),
                empty,
            ),
        )

    def draw_speakers(self) -> None:
        """Speaking time per person over the archive; turns of the newest diarized recording."""
        tr = self.shell.tr
        app = self.shell.app
        empty = tr.t("insights.no_speakers")
        self._show(
            "speaking",
            charts.speaking_figure(
                app.speakers.speaking_time(),
                tr.t("insights.speaking"),
                empty,
                tr.t("insights.minutes_axis"),
                tr.t("insights.wpm"),
            ),
        )
        rows = app.speakers.turns()
        newest = rows[0].recording_id if rows else None
        title = tr.t("insights.turns")
        if newest is not None:
            title = f"{title}: {app.recordings.get(newest).display_name}"
        self._show(
            "turns",
            charts.turns_figure(
                [r for r in rows if r.recording_id == newest],
                title,
                empty,
                tr.t("insights.seconds_axis"),
            ),
        )

    def draw_graph(self) -> None:
        tr = self.shell.tr
        app = self.shell.app
        nodes, edges = app.insights.similarity_graph(threshold=float(self.threshold.value), k=5)
        self.graph = (nodes, edges)
        names = {r.id: r.display_name for r in app.recordings.list()}
        self._show(
            "graph",
            charts.similarity_figure(
                nodes, edges, names, tr.t("insights.graph"), tr.t("insights.empty")
            ),
        )
        self.graph_stats.value = html.escape(
            tr.t("insights.graph_stats", nodes=len(nodes), edges=len(edges))
        )
        with self.mute():
            self.node_pick.options = [(names.get(rid, rid), rid) for rid in nodes]
            self.node_pick.value = nodes[0] if nodes else None

    def _show(self, name: str, fig: go.Figure) -> None:
        self.figures[name] = fig
        charts.show_figure(self.outputs[name], fig)

    def _open_picked(self) -> None:
        if self.node_pick.value:
            self.shell.open_recording(str(self.node_pick.value))

    def trace_counts(self) -> dict[str, int]:
        """Traces of each chart as shown (what the browser test counts as SVG traces)."""
        return {name: charts.trace_count(out) for name, out in self.outputs.items()}


def insights_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The insights charts (drawn at once)."""
    panel = InsightsPanel(shell_for(app))
    panel.refresh()
    return panel.widget
