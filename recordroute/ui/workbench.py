"""The whole dashboard: tabs for every panel, a language switch, and the browser bridge."""

from __future__ import annotations

import logging
from pathlib import Path

import ipywidgets as widgets

from ..app import RecordRoute
from ..config import Settings
from .ask import AskPanel
from .common import css
from .i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from .insights import InsightsPanel
from .library import LibraryPanel
from .queue import QueuePanel
from .search import SearchPanel
from .shell import Shell
from .upload import UploadPanel
from .viewer import ViewerPanel

log = logging.getLogger(__name__)

TABS = ("upload", "library", "viewer", "search", "ask", "insights")

#: Runs once in the page: a click on a point of the similarity graph writes
#: ``open:<recording id>`` into the hidden bridge box, which the kernel observes.
BRIDGE_JS = """
(function () {
  if (window.__rrBridge) { return; }
  window.__rrBridge = true;
  function send(value) {
    var input = document.querySelector('.rr-bridge input');
    if (!input) { return; }
    input.value = value + '|' + Date.now();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function attach() {
    document.querySelectorAll('.rr-ins-graph .js-plotly-plot').forEach(function (plot) {
      if (plot.__rrClick || !plot.on) { return; }
      plot.__rrClick = true;
      plot.on('plotly_click', function (event) {
        var point = event.points && event.points[0];
        if (point && typeof point.customdata === 'string') { send('open:' + point.customdata); }
      });
    });
  }
  new MutationObserver(attach).observe(document.body, { childList: true, subtree: true });
  attach();
})();
"""

STYLE = """<style>
.rr-workbench { font-size: 14px; }
.rr-workbench-title h2 { margin: 4px 0; }
.rr-lib-grid { display: grid; grid-template-columns: 34% 15% 8% 8% 35%; gap: 8px;
  align-items: center; width: 960px; }
.rr-lib-head { font-weight: bold; color: #555; }
.rr-lib-row { border-bottom: 1px solid #eee; }
.rr-lib-title { color: #555; font-size: 12px; line-height: 1.3; display: -webkit-box;
  -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.rr-workbench button.jupyter-button { width: auto; min-width: 90px; padding: 0 12px;
  flex-shrink: 0; }
.rr-hit-open, .rr-similar-item, .rr-viewer-edit, .rr-viewer-refresh, .rr-queue-hide,
.rr-upload-start {
  align-self: flex-start; }
.rr-downloads a { display: inline-block; padding: 2px 10px; border: 1px solid #ced4da;
  border-radius: 4px; text-decoration: none; color: #1864ab; }
.rr-badge { display: inline-block; padding: 1px 6px; margin: 1px 2px; border-radius: 8px;
  font-size: 11px; background: #e9ecef; color: #495057; }
.rr-badge-done { background: #d1e7dd; color: #0f5132; }
.rr-badge-running, .rr-badge-queued { background: #cfe2ff; color: #084298; }
.rr-badge-failed { background: #f8d7da; color: #842029; }
.rr-badge-cancelled { background: #fff3cd; color: #664d03; }
.rr-badge-missing { background: #f1f3f5; color: #868e96; }
.rr-tag { margin-left: 6px; color: #1864ab; font-size: 12px; }
.rr-error { color: #842029; background: #f8d7da; padding: 6px 10px; border-radius: 4px;
  margin: 4px 0; }
.rr-error-fix { font-size: 12px; margin-top: 2px; }
.rr-info { color: #0f5132; background: #d1e7dd; padding: 6px 10px; border-radius: 4px;
  margin: 4px 0; }
.rr-job { border-bottom: 1px solid #eee; padding: 4px 0; }
.rr-job-name { min-width: 200px; }
.rr-lines { max-height: 440px; overflow: auto; border: 1px solid #ddd; border-radius: 4px;
  padding: 6px; }
.rr-line { cursor: pointer; padding: 2px 4px; border-radius: 3px; }
.rr-line:hover { background: #e7f1ff; }
.rr-line-current { background: #fff3bf; }
.rr-line-plain { cursor: default; }
.rr-time { color: #868e96; font-family: monospace; margin-right: 6px; }
a.rr-summary-time { color: #1c7ed6; cursor: pointer; text-decoration: none; }
a.rr-summary-time:hover { text-decoration: underline; }
.rr-note { background: #f1f3f5; border-left: 3px solid #adb5bd; padding: 4px 8px;
  font-size: 13px; }
.rr-hint { color: #868e96; font-size: 12px; }
.rr-downloads a { margin-right: 8px; }
.rr-hit { border-bottom: 1px solid #eee; padding: 6px 0; }
.rr-hit-meta { color: #868e96; font-size: 12px; }
.rr-hit-snippet mark { background: #ffe066; padding: 0 1px; }
.rr-hit-more { color: #555; font-size: 12px; }
.rr-ask-turn { border-bottom: 1px solid #eee; padding: 6px 0; }
.rr-ask-lead { font-weight: bold; }
.rr-ask-line { align-items: center; }
.rr-ask-cite button, button.rr-ask-cite { color: #1864ab; }
</style>"""


class Workbench:
    """Every panel on one shell; :attr:`widget` is what the dashboard displays."""

    def __init__(self, app: RecordRoute, *, language: str = DEFAULT_LANGUAGE) -> None:
        self.app = app
        self.shell = Shell(app, Translator(language))
        tr = self.shell.tr
        self.queue = QueuePanel(self.shell)
        self.upload = UploadPanel(self.shell, self.queue)
        self.library = LibraryPanel(self.shell)
        self.viewer = ViewerPanel(self.shell)
        self.search = SearchPanel(self.shell)
        self.ask = AskPanel(self.shell)
        self.insights = InsightsPanel(self.shell)
        panels = (self.upload, self.library, self.viewer, self.search, self.ask, self.insights)
        self.tabs = css(widgets.Tab(children=[p.widget for p in panels]), "rr-tabs")
        self.tabs.observe(self._tab_changed, "selected_index")
        self.shell.on_tab_switch(self.show_tab)
        self.language = css(
            widgets.ToggleButtons(
                options=list(LANGUAGES), value=tr.language, style={"button_width": "80px"}
            ),
            "rr-lang",
        )
        self.language.observe(lambda change: tr.set_language(str(change["new"])), "value")
        self.title = css(widgets.HTML(), "rr-workbench-title")
        self.bridge = css(widgets.Text(layout=widgets.Layout(display="none")), "rr-bridge")
        self.bridge.observe(self._bridged, "value")
        self.script = css(widgets.Output(layout=widgets.Layout(display="none")), "rr-script")
        self.script.outputs = (
            {
                "output_type": "display_data",
                "data": {"application/javascript": BRIDGE_JS},
                "metadata": {},
            },
        )
        self.widget = css(
            widgets.VBox(
                [
                    widgets.HTML(STYLE),
                    widgets.HBox(
                        [self.title, self.language],
                        layout=widgets.Layout(
                            justify_content="space-between", align_items="center"
                        ),
                    ),
                    self.tabs,
                    self.bridge,
                    self.script,
                ]
            ),
            "rr-workbench",
        )
        tr.on_change(self._relabel)
        self._relabel()

    def _relabel(self) -> None:
        tr = self.shell.tr
        self.title.value = f"<h2>{tr.t('app.title')}</h2>"
        self.tabs.titles = tuple(tr.t(f"tab.{name}") for name in TABS)

    def show_tab(self, name: str) -> None:
        self.tabs.selected_index = TABS.index(name)

    def _tab_changed(self, change: dict[str, object]) -> None:
        if change["new"] == TABS.index("insights"):
            try:
                self.insights.refresh()
            except Exception as exc:
                self.insights.notice.error(exc)

    def _bridged(self, change: dict[str, object]) -> None:
        action, _, rest = str(change["new"]).partition(":")
        recording_id = rest.split("|", 1)[0]
        if action == "open" and recording_id:
            try:
                self.shell.open_recording(recording_id)
            except Exception as exc:
                self.viewer.notice.error(exc)
                self.show_tab("viewer")

    def start(self, *, workers: bool | None = None) -> Workbench:
        """Start live job updates and, where no server runs jobs, workers in this kernel.

        ``workers=None`` decides: under ``recordroute serve`` (which hands Voila its
        ``RECORDROUTE_TOKEN``) the server's worker processes run the jobs, so none start
        here; in a stand-alone Voila or JupyterLab one worker thread starts in this
        kernel.  Either way jobs run off the kernel's main thread and the watcher thread
        polls their progress from the store, so widgets stay responsive.
        """
        if workers if workers is not None else not self.app.settings.token:
            self.app.jobs.start_workers()
        self.shell.watcher.start()
        return self

    def close(self) -> None:
        self.shell.watcher.stop()


def open_dashboard_app(root: Path | str) -> RecordRoute:
    """The facade for a dashboard whose project folder is ``root``.

    Settings come from the environment and ``root/.env``; a relative data folder is taken
    relative to ``root`` (Voila runs kernels in the notebook's folder, not the project's).
    """
    root = Path(root).resolve()
    settings = Settings.load(env_file=root / ".env")
    if not Path(settings.data_dir).is_absolute():
        settings = settings.replace(data_dir=root / settings.data_dir)
    return RecordRoute(settings)


def workbench(app: RecordRoute, *, language: str = DEFAULT_LANGUAGE) -> widgets.Widget:
    """The whole dashboard as one widget (no workers started; see :meth:`Workbench.start`)."""
    return Workbench(app, language=language).widget
