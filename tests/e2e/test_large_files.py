"""Real recordings in the workbench: a 200 MB upload, a cut-off upload that resumes, a
30-minute recording played from a clicked line, a 2,000-line transcript.

All audio is generated with ffmpeg (no shared data needed).  Everything is done through
the workbench's own controls in headless Chromium; the browser reaches the API through
a relay (``tests/e2e/relay.py``) that sees each request and can cut a connection.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from recordroute import RecordRoute, Segment, Settings
from recordroute.pipeline import formats
from recordroute.ui.upload import STEP_GROUPS
from tests.e2e.conftest import Dashboard
from tests.e2e.relay import Relay

pytestmark = pytest.mark.e2e

FIRST_RENDER_MS = 180_000
STEP_MS = 60_000
UPLOAD_MS = 600_000
PIPELINE_MS = 900_000
LONG_LINES = 2000
#: a phrase only one line of the long transcript has (search must open there)
NEEDLE_LINE = 1234
NEEDLE = "the harbour tunnel contract was signed"

#: records each state and byte count the upload rows show, as the browser draws them
WATCH_ROWS = """() => {
  window.__rrRows = [];
  new MutationObserver(() => {
    document.querySelectorAll('.rr-upl-row').forEach((row) => {
      window.__rrRows.push({state: row.dataset.state, sent: Number(row.dataset.sent),
        size: Number(row.dataset.size), text: row.querySelector('.rr-upl-text').textContent,
        note: row.querySelector('.rr-upl-message').textContent});
    });
  }).observe(document.body, {subtree: true, attributes: true, childList: true});
}"""


@dataclass(frozen=True)
class Seeded:
    half_hour: str  # a 30-minute recording, a line every 3 s
    long: str  # a two-hour recording with 2,000 lines


def _ffmpeg(*args: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is absent: apt-get install -y ffmpeg")
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=600)


def _tone(path: Path, seconds: int, *, rate: int, channels: int = 1, hz: int = 220) -> Path:
    """A quiet tone of ``seconds`` as 16-bit WAV (a distinct pitch makes distinct content)."""
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={hz}:sample_rate={rate}:duration={seconds}",
        "-af",
        "volume=0.05",
        "-ac",
        str(channels),
        "-c:a",
        "pcm_s16le",
        str(path),
    )
    return path


def _speech(path: Path, text: str, total_s: int) -> Path:
    """Spoken ``text`` (ffmpeg's flite voice), then silence up to ``total_s``: 48 kHz stereo."""
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"flite=text='{text}'",
        "-af",
        f"aresample=48000,apad=whole_dur={total_s}",
        "-ac",
        "2",
        "-c:a",
        "pcm_s16le",
        str(path),
    )
    return path


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def seeded(dashboard: Dashboard, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """Two long recordings with their transcripts, added while the server runs."""
    folder = tmp_path_factory.mktemp("long-media")
    half_hour = _tone(folder / "half-hour-lecture.wav", 1800, rate=16000, hz=330)
    two_hours = _tone(folder / "two-hour-meeting.wav", 7200, rate=8000, hz=262)
    with RecordRoute(Settings(data_dir=dashboard.data_dir, min_free_mb=0)) as app:
        lecture = app.add_file(half_hour)
        lines = [Segment(i * 3.0, i * 3.0 + 3.0, f"lecture line {i}") for i in range(600)]
        app.transcripts.edit(lecture.id, formats.to_markdown(lines))
        meeting = app.add_file(two_hours)
        words = ["budget", "hiring", "schedule", "travel", "review", "office", "plan"]
        lines = [
            Segment(
                i * 3.6,
                i * 3.6 + 3.4,
                NEEDLE if i == NEEDLE_LINE else f"meeting line {i} about the {words[i % 7]}",
            )
            for i in range(LONG_LINES)
        ]
        app.transcripts.edit(meeting.id, formats.to_markdown(lines))
        job = app.jobs.submit(meeting.id, ["embed"])  # the server's worker indexes it
        deadline = time.monotonic() + PIPELINE_MS / 1000
        while app.jobs.get(job.id).state not in ("done", "failed", "cancelled"):
            assert time.monotonic() < deadline, "indexing the long transcript timed out"
            time.sleep(1)
        assert app.jobs.get(job.id).state == "done", app.jobs.get(job.id).error
    return Seeded(lecture.id, meeting.id)


@pytest.fixture
def page(dashboard: Dashboard, chromium: Any, screenshot_dir: Path) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        page.goto(dashboard.url, timeout=FIRST_RENDER_MS)
        page.wait_for_selector(".rr-workbench .rr-upl-pick", timeout=FIRST_RENDER_MS)
        page.locator(".rr-lang button", has_text="English").click()
        page.wait_for_selector(".rr-tabs .lm-TabBar-tab:has-text('Upload')")
        yield page
    finally:
        page.screenshot(path=str(screenshot_dir / "last-large-files.png"), full_page=True)
        context.close()


def _relay(dashboard: Dashboard) -> Relay:
    if dashboard.relay is None or dashboard.how != "recordroute serve":
        pytest.skip("needs `recordroute serve` (the API beside Voila)")
    return dashboard.relay


def _pick(page: Any, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(".rr-upload .rr-upl-pick").click()
    chooser.value.set_files(str(path))
    page.wait_for_selector(f".rr-upl-row[data-state='ready']:has-text('{path.name}')")


def _only_steps(page: Any, keep: set[str]) -> None:
    for name in STEP_GROUPS:
        box = page.locator(f".rr-step-{name} input")
        if box.is_checked() != (name in keep):
            box.click()


def _tab(page: Any, label: str) -> None:
    page.locator(".rr-tabs .lm-TabBar-tab", has_text=label).first.click()


def _recording(dashboard: Dashboard, name: str) -> Any:
    with RecordRoute(Settings(data_dir=dashboard.data_dir, min_free_mb=0)) as app:
        (rec,) = [r for r in app.recordings.list() if r.original_name == name]
        return rec, app.transcripts.segments(rec.id)


def test_a_200_mb_recording_uploads_with_visible_progress_and_is_processed(
    dashboard: Dashboard, page: Any, tmp_path: Path, screenshot_dir: Path
) -> None:
    _relay(dashboard)
    big = _speech(tmp_path / "lecture-200mb.wav", "Welcome to the annual budget lecture", 1100)
    size = big.stat().st_size
    assert size > 200 * 1024 * 1024
    _pick(page, big)
    _only_steps(page, {"transcribe", "index"})
    page.evaluate(WATCH_ROWS)
    page.locator(".rr-upload-start").click()
    page.wait_for_selector(".rr-upload-status .rr-info")
    page.wait_for_selector(".rr-upl-row[data-state='done']", timeout=UPLOAD_MS)
    # the queue shows the processing job as soon as the file has arrived
    page.wait_for_selector(".rr-job:has-text('lecture-200mb.wav')", timeout=STEP_MS)
    rows = page.evaluate("window.__rrRows")
    moving = {r["sent"] for r in rows if r["state"] == "uploading" and 0 < r["sent"] < size}
    assert len(moving) >= 3, f"progress seen: {sorted(moving)[:10]}"
    assert any("MB/s" in r["text"] and "left" in r["text"] for r in rows), rows[-5:]
    page.screenshot(path=str(screenshot_dir / "upload-200mb.png"))
    page.wait_for_selector(".rr-job.rr-job-done:has-text('lecture-200mb.wav')", timeout=PIPELINE_MS)
    rec, segments = _recording(dashboard, "lecture-200mb.wav")
    assert rec.size_bytes == size and rec.sha256 == _sha(big)
    assert "budget" in " ".join(s.text for s in segments).lower()


def test_an_upload_cut_off_mid_way_resumes_and_finishes(
    dashboard: Dashboard, page: Any, tmp_path: Path
) -> None:
    relay = _relay(dashboard)
    wav = _tone(tmp_path / "interrupted-call.wav", 1500, rate=22050, hz=440)  # about 66 MB
    size = wav.stat().st_size
    _pick(page, wav)
    _only_steps(page, {"transcribe"})
    page.evaluate(WATCH_ROWS)
    before = relay.piece_bytes()
    relay.cut_piece_after(9 * 1024 * 1024)  # in the first 16 MB piece
    page.locator(".rr-upload-start").click()
    row = page.locator(".rr-upl-row", has_text="interrupted-call.wav")
    page.wait_for_selector(
        ".rr-upl-row[data-state='done']:has-text('interrupted-call.wav')", timeout=UPLOAD_MS
    )
    assert relay.cuts >= 1
    states = [r["state"] for r in page.evaluate("window.__rrRows")]
    assert "retrying" in states  # the row said the connection was lost, then went on
    resumed_from = int(row.get_attribute("data-resumed-from") or -1)
    assert 0 < resumed_from <= 9 * 1024 * 1024
    assert int(row.get_attribute("data-resumes") or 0) >= 1
    # nothing that arrived was sent again: the pieces forwarded add up to the file
    forwarded = relay.piece_bytes() - before
    assert size <= forwarded <= size + 256 * 1024, (forwarded, size)
    rec, _ = _recording(dashboard, "interrupted-call.wav")
    assert rec.sha256 == _sha(wav)
    # its job is not what this test is about: cancel it from the queue, freeing the worker
    job = page.locator(".rr-job", has_text="interrupted-call.wav")
    job.locator(".rr-job-cancel").click()
    page.wait_for_selector(".rr-job.rr-job-cancelled:has-text('interrupted-call.wav')")


def test_an_unreachable_api_is_said_plainly(
    dashboard: Dashboard, page: Any, tmp_path: Path
) -> None:
    relay = _relay(dashboard)
    page.route(f"http://127.0.0.1:{relay.port}/**", lambda route: route.abort())
    note = tmp_path / "note.txt"
    note.write_text("a short note", encoding="utf-8")
    _pick(page, note)
    page.locator(".rr-upload-start").click()
    error = page.locator(".rr-upl-row[data-state='failed'] .rr-error")
    error.wait_for()
    assert "Cannot reach the RecordRoute API at" in error.inner_text()
    assert "recordroute serve" in error.inner_text()
    page.wait_for_selector(".rr-upload-status .rr-error:has-text('Could not add')")


def _scroll_to_line(page: Any, index: int) -> Any:
    """Scroll the transcript to line ``index`` (as dragging the scroll bar there would)."""
    page.wait_for_function(
        "(i) => { const s = document.querySelector('.rr-viewer .rr-lines');"
        ' if (s.querySelector(`.rr-line[data-i="${i}"]`)) return true;'
        ' const block = s.querySelector(`.rr-block[data-b="${Math.floor(i / 50)}"]`);'
        " if (block) block.scrollIntoView(); return false; }",
        arg=index,
        polling=100,
    )
    line = page.locator(f".rr-viewer .rr-line[data-i='{index}']")
    line.scroll_into_view_if_needed()
    return line


def _open_in_viewer(page: Any, name: str) -> None:
    _tab(page, "Viewer")
    select = page.locator(".rr-viewer-pick select")
    value = select.locator("option", has_text=name).first.get_attribute("value")
    select.select_option(value)


def test_a_30_minute_recording_plays_from_a_clicked_line_at_the_right_time(
    dashboard: Dashboard, seeded: Seeded, page: Any
) -> None:
    relay = _relay(dashboard)
    _open_in_viewer(page, "half-hour-lecture.wav")
    page.wait_for_selector(".rr-viewer-player[data-lines='600'] .rr-line")
    src = page.evaluate("document.querySelector('.rr-viewer .rr-media').src")
    assert src.startswith(f"http://127.0.0.1:{relay.port}/recordroute/api/v1/media/")
    assert "exp=" in src and "sig=" in src and "token" not in src
    line = _scroll_to_line(page, 500)  # 25:00
    line.click()
    page.wait_for_function(
        "() => { const m = document.querySelector('.rr-viewer .rr-media');"
        " return m && !m.paused && m.currentTime > 1500.2; }",
        timeout=STEP_MS,
    )
    at = page.evaluate("document.querySelector('.rr-viewer .rr-media').currentTime")
    assert 1500 <= at < 1510, at
    assert "rr-line-current" in (line.get_attribute("class") or "")
    # the line being spoken is highlighted as it plays: 25:03 is the next line
    page.wait_for_selector(".rr-viewer .rr-line[data-i='501'].rr-line-current", timeout=STEP_MS)
    assert "rr-line-current" not in (line.get_attribute("class") or "")
    ranges = [r for r in relay.seen("/media/") if r.headers.get("range")]
    assert ranges, "the player read no ranges from the API"


def test_a_2000_line_transcript_opens_fast_scrolls_edits_and_search_opens_at_the_line(
    dashboard: Dashboard, seeded: Seeded, page: Any
) -> None:
    _relay(dashboard)
    timings = []
    for _ in range(3):  # the other recording first, so each measured open is a real change
        _open_in_viewer(page, "half-hour-lecture.wav")
        page.wait_for_selector(".rr-viewer-player[data-lines='600'] .rr-line")
        page.evaluate(
            "() => { window.__rrOpened = null; const sel = document.querySelector("
            "'.rr-viewer-pick select'); sel.addEventListener('change', () => {"
            " window.__rrOpened = performance.now(); }, {once: true, capture: true}); }"
        )
        _open_in_viewer(page, "two-hour-meeting.wav")
        page.wait_for_selector(f".rr-viewer-player[data-lines='{LONG_LINES}'] .rr-line")
        timings.append(page.evaluate("performance.now() - window.__rrOpened"))
    print(f"\n2,000-line transcript opened in {', '.join(f'{t:.0f}' for t in timings)} ms")
    assert min(timings) < 2000, timings
    # drawn in blocks: far fewer line elements than lines until they scroll into view
    assert page.locator(".rr-viewer .rr-line").count() < 400
    page.evaluate(
        "() => { const s = document.querySelector('.rr-viewer .rr-lines');"
        " s.scrollTop = s.scrollHeight; }"
    )
    page.wait_for_selector(".rr-viewer .rr-line[data-i='1999']", state="visible")

    # edit: one line changed among 2,000, saved, shown
    page.locator(".rr-viewer-edit").click()
    editor = page.locator(".rr-viewer-editor textarea")
    editor.wait_for()
    text = editor.input_value()
    assert text.count("\n") >= LONG_LINES
    editor.fill(text.replace("meeting line 1500 about", "meeting line 1500 (edited) about"))
    page.locator(".rr-viewer-save").click()
    page.wait_for_selector(".rr-viewer-status .rr-info")
    assert "(edited)" in _scroll_to_line(page, 1500).inner_text()

    # search: the hit opens the viewer at its line, scrolled into view and marked
    _tab(page, "Search")
    page.locator(".rr-search-query input").fill(NEEDLE)
    page.locator(".rr-search-go").click()
    hit = page.locator(".rr-hit", has_text="two-hour-meeting.wav").first
    hit.wait_for()
    label = hit.locator(".rr-hit-open").inner_text()  # "▶ Open at 1:14:02"
    hours, minutes, seconds = (int(x) for x in label.rsplit(" ", 1)[1].split(":"))
    moment = hours * 3600 + minutes * 60 + seconds
    hit.locator(".rr-hit-open").click()
    current = page.locator(".rr-viewer .rr-line.rr-line-current")
    current.wait_for()
    start = float(current.get_attribute("data-start") or -1)
    assert start <= moment < start + 3.6
    assert abs(int(current.get_attribute("data-i") or 0) - NEEDLE_LINE) <= 40
    assert page.evaluate(
        "() => { const s = document.querySelector('.rr-viewer .rr-lines').getBoundingClientRect();"
        " const l = document.querySelector('.rr-viewer .rr-line-current').getBoundingClientRect();"
        " return l.top >= s.top && l.bottom <= s.bottom; }"
    )


def test_a_dropped_file_uploads_and_a_slow_upload_can_be_cancelled(
    dashboard: Dashboard, page: Any, tmp_path: Path
) -> None:
    relay = _relay(dashboard)
    # dropping a file anywhere on the Upload tab adds it (here: on the steps' label)
    page.evaluate(
        "() => { const data = new DataTransfer();"
        " data.items.add(new File(['minutes of the dropped meeting'], 'dropped-notes.txt',"
        " {type: 'text/plain'}));"
        " const target = document.querySelector('.rr-upload-steps-label');"
        " for (const type of ['dragover', 'drop']) target.dispatchEvent(new DragEvent(type,"
        " {dataTransfer: data, bubbles: true, cancelable: true})); }"
    )
    page.wait_for_selector(".rr-upl-row[data-state='ready']:has-text('dropped-notes.txt')")
    _only_steps(page, {"index"})
    page.locator(".rr-upload-start").click()
    page.wait_for_selector(".rr-upl-row[data-state='done']:has-text('dropped-notes.txt')")

    # a slow connection: cancel half way, and nothing of the upload is left on the server
    wav = _tone(tmp_path / "cancelled-call.wav", 900, rate=22050, hz=550)  # about 40 MB
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 2 << 20},
    )
    _pick(page, wav)
    page.locator(".rr-upload-start").click()
    row = page.locator(".rr-upl-row", has_text="cancelled-call.wav")
    page.wait_for_function(
        "() => { const r = [...document.querySelectorAll('.rr-upl-row')].find("
        "e => e.textContent.includes('cancelled-call.wav'));"
        " return r && Number(r.dataset.sent) > 4 * 1048576; }"
    )
    upload_id = row.get_attribute("data-upload")
    row.locator(".rr-upl-cancel").click()
    page.wait_for_selector(".rr-upl-row[data-state='cancelled']:has-text('cancelled-call.wav')")
    deadline = time.monotonic() + 60
    assert relay.seen(f"/uploads/sessions/{upload_id}"), "the upload never reached the server"
    while not any(r.method == "DELETE" for r in relay.seen(f"/uploads/sessions/{upload_id}")):
        assert time.monotonic() < deadline, "the cancel never reached the server"
        time.sleep(0.2)
    deadline = time.monotonic() + 60
    part = dashboard.data_dir / "tmp" / f"upload-part-{upload_id}"
    while part.exists():
        assert time.monotonic() < deadline, "the cancelled upload's data was left behind"
        time.sleep(0.2)
    with RecordRoute(Settings(data_dir=dashboard.data_dir, min_free_mb=0)) as app:
        names = [r.original_name for r in app.recordings.list()]
        assert "dropped-notes.txt" in names and "cancelled-call.wav" not in names
