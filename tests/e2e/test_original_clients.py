"""The original RecordRoute's two clients, unchanged, in Chromium against `recordroute serve`
on the ports they call (8080 and 8765), each driven through its own buttons: upload a real
recording and a text file, process all (progress frames on the socket), the STT and summary
badges turn green, open the transcript and the summary, edit and save the transcript,
rename, search, similar documents, delete a record, reload.

* the Electron renderer, opened from ``file://`` as the shell opens it, with the shell's
  User-Agent (Electron's default names the app; the server recognises the shell by it);
* the web page, served by ``recordroute serve --frontend`` (progress on
  ``ws://localhost:8765`` from a page of ``http://127.0.0.1:8080``).

The clients are read from ``../shared/clients/`` (skipped when absent); both tests hold the
fixed-ports lock for their whole run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clients_support import ALL_GREEN, BASE, GREEN, GREY, QUEUE_IDLE, Served
from tests.server_support import ELECTRON_UA

pytestmark = pytest.mark.e2e

PIPELINE_MS = 2_400_000  # transcription, two summaries, titles, the index: a busy 2-core machine
STEP_MS = 90_000
NOTES = (
    "Budget notes. The committee approved the travel budget for the spring conference "
    "and asked the finance team to review the budget every quarter."
)
RENAMED = "예산 메모.txt"  # keeps its suffix: the renderer tells text from audio by the name


class Flow:
    """One client page and what it sent and received."""

    def __init__(self, page: Any, served: Served, client: str) -> None:
        self.page = page
        self.served = served
        self.client = client
        self.frames: list[dict[str, Any]] = []
        self.process_requests: list[Any] = []
        self.process_responses: list[Any] = []
        page.on("websocket", self._socket)
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("dialog", lambda dialog: dialog.accept())  # alerts and "delete?" confirms

    def _socket(self, ws: Any) -> None:
        ws.on("framereceived", lambda payload: self.frames.append(json.loads(payload)))

    def _request(self, request: Any) -> None:
        if request.url.endswith("/process"):
            self.process_requests.append(request)

    def _response(self, response: Any) -> None:
        if response.url.endswith("/process"):
            self.process_responses.append(response)

    def badge(self, rid: str, task: str) -> Any:
        return self.page.locator(f"#task-{rid}-{task}")

    def color(self, rid: str, task: str) -> str:
        return str(self.badge(rid, task).evaluate("e => getComputedStyle(e).backgroundColor"))

    def overlay_text(self) -> str:
        self.page.wait_for_selector("#textOverlay", state="visible")
        self.page.wait_for_function(
            "() => document.getElementById('overlayContent').textContent !== '로딩중...'"
        )
        return str(self.page.locator("#overlayContent").text_content())

    def close_overlay(self) -> None:
        self.page.locator("#overlayClose").click()
        self.page.wait_for_selector("#textOverlay", state="hidden")

    def task_ids(self) -> set[str]:
        """The task ids the client's /process calls were answered with (renderer) or sent."""
        if self.client == "renderer":
            return {r.json()["task_id"] for r in self.process_responses if r.ok}
        return {r.post_data_json["task_id"] for r in self.process_requests}


def run_flow(flow: Flow, jfk: Path, notes: Path) -> None:
    page, served = flow.page, flow.served
    page.wait_for_function("() => progressSocket && progressSocket.readyState === 1")

    # -- upload a real recording and a text file ------------------------------------------
    page.set_input_files("#fileInput", [str(jfk), str(notes)])
    page.locator("#uploadBtn").click()
    page.wait_for_selector("#history-list .history-item:has-text('jfk.flac')")
    page.wait_for_selector("#history-list .history-item:has-text('notes.txt')")
    audio, text = served.record("jfk.flac")["id"], served.record("notes.txt")["id"]

    # -- process all: every step done, progress frames on the socket ----------------------
    page.locator("#processAllBtn").click()
    done = [f"task-{audio}-stt", f"task-{audio}-summary", f"task-{text}-summary"]
    page.wait_for_function(ALL_GREEN, arg=done, timeout=PIPELINE_MS)
    page.wait_for_function(QUEUE_IDLE, timeout=PIPELINE_MS)
    ids = flow.task_ids()
    assert len(ids) == 5, ids  # audio: stt, embedding, summary; text: embedding, summary
    framed = {f["task_id"] for f in flow.frames if f["task_id"] in ids and "%" in f["message"]}
    assert framed == ids, (ids, flow.frames)
    records = {r["id"]: r for r in served.history()}
    assert all(
        records[rid]["completed_tasks"] == {"stt": True, "embedding": True, "summary": True}
        for rid in (audio, text)
    )
    if flow.client == "renderer":
        # the renderer never gets an index link (its own limitation): its index badge stays
        # grey although the record is indexed; a click would only index it again
        assert flow.color(audio, "embedding") == GREY and records[audio]["embed_done"] is True
    else:
        assert flow.color(audio, "embedding") == GREEN

    # -- the transcript and the summary open -----------------------------------------------
    flow.badge(audio, "stt").click()
    transcript = flow.overlay_text()
    assert "country" in transcript.lower()
    assert transcript == served.text(served.record("jfk.flac")["download_links"]["stt"])
    # -- edit and save the transcript ---------------------------------------------------------
    page.locator("#overlayEdit").click()
    edited = transcript.replace("country", f"country (edited in the {flow.client})", 1)
    page.locator("#overlayEditor").fill(edited)
    page.locator("#overlaySave").click()
    # the client offers to reset the index and summary (its popup opens behind the overlay,
    # and closing the overlay closes it too: the summary and the index are kept)
    page.wait_for_selector("#sttEditResetPopup", state="visible")
    assert served.text(served.record("jfk.flac")["download_links"]["stt"]) == edited
    flow.close_overlay()
    page.wait_for_selector("#sttEditResetPopup", state="hidden")
    flow.badge(audio, "summary").click()
    summary = flow.overlay_text()
    assert summary.strip() and summary == served.text(records[audio]["download_links"]["summary"])
    flow.close_overlay()

    # -- rename -------------------------------------------------------------------------------
    page.locator(f"#filename-{text}").click()
    page.locator("input.filename-input").fill(RENAMED)
    page.locator("input.filename-input").press("Enter")
    page.wait_for_selector(f"#filename-{text}:has-text('{RENAMED}')")
    assert {r["id"]: r["filename"] for r in served.history()}[text] == RENAMED

    # -- search finds the recording -------------------------------------------------------
    page.locator("#searchInput").fill("travel budget")
    page.locator("#searchBtn").click()
    page.wait_for_selector(f"#keywordResults li:has-text('{RENAMED}')")

    # -- similar documents ----------------------------------------------------------------
    if flow.client == "renderer":
        # no button of the renderer reaches it (see above): call what its index badge would
        link = page.evaluate(f"globalHistory.find(r => r.id === '{audio}').stt_path")
        assert link.startswith(f"{BASE}/download/")
        page.evaluate("([link, name]) => showSimilarDocuments(link, name)", [link, "jfk.flac"])
    else:
        flow.badge(audio, "embedding").click()
    item = page.locator("#similarDocsList .similar-doc-item", has_text=RENAMED.removesuffix(".txt"))
    item.wait_for()
    item.click()
    assert "travel budget" in flow.overlay_text()
    flow.close_overlay()

    # -- delete a record, reload: the history is intact -----------------------------------
    page.locator(f".history-select[data-record-id='{audio}']").check()
    page.locator("#deleteSelectedBtn").click()
    page.wait_for_selector(f"#filename-{audio}", state="detached")
    page.reload()
    page.wait_for_selector(f"#filename-{text}:has-text('{RENAMED}')")
    assert page.locator(f"#filename-{audio}").count() == 0
    page.wait_for_function(ALL_GREEN, arg=[f"task-{text}-summary"])
    assert [r["id"] for r in served.history()] == [text]


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text(NOTES, encoding="utf-8")
    return path


def _run(
    served: Served,
    chromium: Any,
    url: str,
    client: str,
    jfk: Path,
    notes: Path,
    shots: Path,
    **context_args: Any,
) -> None:
    served.start()
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, **context_args)
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        # the shell opens its window as soon as it reads this line: the server answers by then
        assert served.first_line == f"Server listening on {BASE}"
        assert served.history() == []
        page.goto(url)
        run_flow(Flow(page, served, client), jfk, notes)
    finally:
        page.screenshot(path=str(shots / f"original-{client}.png"), full_page=True)
        context.close()
        served.stop()


def test_desktop_renderer_from_file_url(
    clients: Path,
    fixed_ports: None,
    chromium: Any,
    jfk: Path,
    notes: Path,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    page = clients / "electron-rust" / "frontend" / "upload.html"
    served = Served(tmp_path)
    _run(
        served,
        chromium,
        page.as_uri(),
        "renderer",
        jfk,
        notes,
        screenshot_dir,
        user_agent=ELECTRON_UA,
    )


def test_web_page_served_by_frontend(
    clients: Path,
    fixed_ports: None,
    chromium: Any,
    jfk: Path,
    notes: Path,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    served = Served(tmp_path, frontend=clients / "web-main")
    _run(served, chromium, f"{BASE}/", "web", jfk, notes, screenshot_dir)


def test_clients_folder_is_read_in_place() -> None:
    """The clients are fixtures read from ../shared: no copy of them is in the repository."""
    from tests.e2e.conftest import REPO

    names = {"upload.js", "upload.html", "upload.css"}
    inside = [p for p in REPO.rglob("*") if p.name in names and ".venv" not in p.parts]
    assert inside == [], inside
