"""Speakers in the browser: name a speaker in the viewer, see the name in the exported SRT,
and the Insights speaking-time chart.

Run on its own: ``python -m pytest -m e2e tests/e2e``.  With ``RECORDROUTE_UPDATE_SCREENSHOTS=1``
the screenshots ``viewer-speakers.png`` and ``insights-speakers.png`` go to docs/screenshots.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest

from recordroute import RecordRoute, Settings
from tests.e2e.conftest import SHARED_AUDIO, Dashboard
from tests.e2e.test_dashboard import FIRST_RENDER_MS, STEP_MS, _shoot, _tab

pytestmark = pytest.mark.e2e


def _two_readers(folder: Path) -> Path:
    """multilingual.mp3 (an English reader, then a German one) as ``two-readers.mp3``."""
    source = SHARED_AUDIO / "multilingual.mp3"
    if not source.is_file():
        pytest.skip(f"real recording not available: {source} is absent (../shared/data/audio)")
    copy = folder / "two-readers.mp3"
    copy.write_bytes(source.read_bytes())
    return copy


def test_rename_a_speaker_in_the_viewer_and_export_srt(
    dashboard: Dashboard, chromium: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=dashboard.data_dir, min_free_mb=0, whisper_model="bundled-base")
    # another process on the same data folder; the multilingual model hears both readers
    with RecordRoute(settings) as app:
        rec = app.add_file(_two_readers(tmp_path))
        job = app.jobs.submit(rec.id, ["transcribe", "diarize"])
        deadline = time.monotonic() + 600  # the dashboard's worker may be the one to run it
        while job.state not in ("done", "failed", "cancelled") and time.monotonic() < deadline:
            app.jobs.run(job.id)
            time.sleep(0.5)
            job = app.jobs.get(job.id)
        assert job.state == "done", job.error
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        page.goto(dashboard.url, timeout=FIRST_RENDER_MS)
        page.wait_for_selector(".rr-workbench .rr-upload-start", timeout=FIRST_RENDER_MS)
        page.locator(".rr-lang button", has_text="English").click()
        page.wait_for_selector(".rr-tabs .lm-TabBar-tab:has-text('Viewer')")
        _tab(page, "Library")
        page.locator(".rr-lib-row", has_text="two-readers.mp3").wait_for()
        _tab(page, "Viewer")
        pick = page.locator(".rr-viewer-pick select")
        label = next(o for o in pick.locator("option").all_inner_texts() if "two-readers" in o)
        pick.select_option(label=label)
        page.wait_for_selector(".rr-speakers-table:has-text('Speaker 2')")
        # the player draws the transcript in the browser: wait until its lines are there
        page.locator(".rr-viewer-transcript .rr-speaker").nth(1).wait_for()
        assert page.locator(".rr-viewer-transcript .rr-speaker").count() >= 2

        page.locator(".rr-speaker-pick select").select_option(label="Speaker 1")
        page.locator(".rr-speaker-name input").fill("Anna")
        page.locator(".rr-speaker-rename").click()
        page.wait_for_selector(".rr-viewer-transcript .rr-speaker:has-text('Anna')")
        page.wait_for_selector(".rr-speakers-table:has-text('Anna')")
        href = page.locator(".rr-download-srt").get_attribute("href")
        assert href is not None and href.startswith("data:text/plain;charset=utf-8;base64,")
        srt = base64.b64decode(href.split(",", 1)[1]).decode("utf-8")
        assert "[Anna] " in srt and "[Speaker 2] " in srt
        _shoot(page, screenshot_dir, "viewer-speakers")

        _tab(page, "Insights")
        page.locator(".rr-ins-refresh").click()
        page.wait_for_selector(".rr-ins-speaking .js-plotly-plot .trace", timeout=STEP_MS)
        page.wait_for_selector(".rr-ins-speaking:has-text('Anna')")
        assert page.locator(".rr-ins-turns .trace").count() == 2
        _shoot(page, screenshot_dir, "insights-speakers")
    finally:
        page.screenshot(path=str(screenshot_dir / "last-speakers.png"), full_page=True)
        context.close()
