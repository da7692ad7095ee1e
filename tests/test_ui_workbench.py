"""The assembled dashboard: tabs, language switch, navigation, the browser bridge, start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordroute import RecordRoute
from recordroute.ui import Workbench, find, find_all, open_dashboard_app, workbench
from recordroute.ui.i18n import STRINGS
from recordroute.ui.workbench import BRIDGE_JS, TABS
from tests.test_ui_helpers import DOCS, indexed

#: every error a panel can raise itself (an i18n key with a ``.fix``) and the test that
#: triggers it; errors from the core are shown by the same Notice (tested in each module)
UI_ERRORS = {
    "upload.no_files": "test_ui_upload.py::test_upload_errors_are_shown_in_plain_words",
    "upload.no_steps": "test_ui_upload.py::test_upload_errors_are_shown_in_plain_words",
    "library.no_selection": "test_ui_library.py::test_library_errors_are_shown_in_plain_words",
    "library.one_selection": "test_ui_library.py::test_library_errors_are_shown_in_plain_words",
    "library.no_reset_steps": "test_ui_library.py::test_library_errors_are_shown_in_plain_words",
    "viewer.empty_edit": "test_ui_viewer.py::test_viewer_errors_are_shown_in_plain_words",
    "viewer.no_recording": "test_ui_viewer.py::test_viewer_errors_are_shown_in_plain_words",
    "search.empty": "test_ui_search.py::test_search_errors_are_shown_in_plain_words",
    "ask.empty": "test_ui_ask.py::test_ask_errors_are_shown_in_plain_words",
    "ask.nothing_chosen": "test_ui_ask.py::test_ask_errors_are_shown_in_plain_words",
    "uploader.unreachable": "e2e/test_large_files.py::test_an_unreachable_api_is_said_plainly",
    "error.unexpected": "test_ui_helpers.py::test_notice_shows_message_and_fix_and_never_a_"
    "traceback",
}


def test_every_panel_error_has_a_test_that_triggers_it() -> None:
    keys = {key.removesuffix(".fix") for key in STRINGS if key.endswith(".fix")}
    assert keys == set(UI_ERRORS)
    here = Path(__file__).parent
    for key, where in UI_ERRORS.items():
        module, test = where.split("::")
        source = (here / module).read_text(encoding="utf-8")
        assert f"def {test}(" in source, key
        if key != "error.unexpected":
            assert STRINGS[key][1][:20] in source, f"{module} does not check the {key} message"


def test_the_workbench_has_six_tabs_in_korean_first(app: RecordRoute) -> None:
    bench = Workbench(app)
    assert bench.tabs.titles == ("업로드", "보관함", "보기", "검색", "질문", "통계")
    assert "RecordRoute 작업대" in bench.title.value
    find(bench.widget, "rr-lang").value = "en"
    assert bench.tabs.titles == ("Upload", "Library", "Viewer", "Search", "Ask", "Insights")
    assert find(bench.widget, "rr-upload-start").description == "Upload and process"
    assert find(bench.widget, "rr-lib-delete").description == "Delete"
    script = find(bench.widget, "rr-script").outputs[0]["data"]["application/javascript"]
    assert script == BRIDGE_JS and "plotly_click" in script and ".rr-bridge input" in script
    assert len(find_all(bench.widget, "rr-tabs")) == 1 and workbench(app) is not None


def test_navigation_and_the_bridge_open_recordings(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(app, tmp_path, DOCS)
    bench = Workbench(app, language="en")
    bench.tabs.selected_index = TABS.index("insights")  # drawn when shown
    assert bench.insights.trace_counts()["graph"] == 2
    budget = docs["budget.txt"].id
    bench.bridge.value = f"open:{budget}|1712345678"  # what a click on a graph point sends
    assert bench.viewer.recording is not None and bench.viewer.recording.id == budget
    assert bench.tabs.selected_index == TABS.index("viewer")
    bench.tabs.selected_index = 0
    bench.bridge.value = "open:3f2b8c1e-0c4d-4a7e-9b1a-2d5e6f708192|2"
    assert bench.tabs.selected_index == TABS.index("viewer")
    assert bench.viewer.notice.text.startswith("There is no recording with id '3f2b8c1e-")
    bench.bridge.value = "open:../../etc|3"  # ids from the page are checked, never paths
    assert "'../../etc' is not a valid identifier" in bench.viewer.notice.text
    bench.bridge.value = "noise"
    find_all(bench.widget, "rr-lib-open")[0].click()
    assert bench.viewer.recording is not None


def test_an_unexpected_failure_is_shown_without_a_traceback(
    app: RecordRoute, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Workbench(app, language="en")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("index file vanished")

    monkeypatch.setattr(app.search, "find", broken)
    bench.search.query.value = "anything"
    shown = find(bench.widget, "rr-search-status").value
    assert "An unexpected error happened: RuntimeError: index file vanished" in shown
    assert "Traceback" not in shown and 'File "' not in shown


def test_start_runs_workers_and_live_updates_off_the_main_thread(app: RecordRoute) -> None:
    bench = Workbench(app).start()  # stand-alone (no server token): a worker thread here
    try:
        assert app.jobs.workers_running and bench.shell.watcher._thread is not None
        assert bench.shell.watcher._thread.daemon
    finally:
        bench.close()
    assert bench.shell.watcher._thread is None


def test_the_dashboard_opens_the_projects_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    with open_dashboard_app(project) as app:  # default: ./db of the project, not of cwd
        assert app.data_dir == (project / "db").resolve()
    (project / ".env").write_text("RECORDROUTE_DATA_DIR=archive\n", encoding="utf-8")
    with open_dashboard_app(project) as app:
        assert app.data_dir == (project / "archive").resolve()
    monkeypatch.setenv("RECORDROUTE_DATA_DIR", str(tmp_path / "elsewhere"))
    with open_dashboard_app(project) as app:
        assert app.data_dir == (tmp_path / "elsewhere").resolve()


def test_under_the_server_its_workers_run_the_jobs(tmp_path: Path) -> None:
    from recordroute import Settings

    served = Settings(data_dir=tmp_path / "db", min_free_mb=0, token="from-the-launcher")
    with RecordRoute(served) as app:
        bench = Workbench(app).start()  # auto: `recordroute serve` gave the kernel its token
        try:
            assert not app.jobs.workers_running and bench.shell.watcher._thread is not None
        finally:
            bench.close()
