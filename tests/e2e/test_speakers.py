"""Speakers in the browser: name a speaker in the viewer, see the name in the exported SRT,
and the Insights speaking-time chart.

Run on its own: ``python -m pytest -m e2e tests/e2e``.  With ``RECORDROUTE_UPDATE_SCREENSHOTS=1``
the screenshots ``viewer-speakers.png`` and ``insights-speakers.png`` go to docs/screenshots.
"""

from __future__ import annotations

import base64
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recordroute import RecordRoute, Settings
from recordroute.providers.media import decode_audio
from tests.e2e.conftest import SHARED_AUDIO, Dashboard
from tests.e2e.test_dashboard import FIRST_RENDER_MS, STEP_MS, _shoot, _tab

pytestmark = pytest.mark.e2e


def _two_readers(path: Path) -> Path:
    """28 s of the two readers of multilingual.mp3 (14 s English, then 14 s German)."""
    source = SHARED_AUDIO / "multilingual.mp3"
    if not source.is_file():
        pytest.skip(f"real recording not available: {source} is absent (../shared/data/audio)")
    samples = decode_audio(source)
    rate = 16_000
    both = np.concatenate([samples[: 14 * rate], samples[31 * rate : 45 * rate]])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(both, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def test_rename_a_speaker_in_the_viewer_and_export_srt(
    dashboard: Dashboard, chromium: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=dashboard.data_dir, min_free_mb=0, whisper_model="bundled-tiny.en")
    with RecordRoute(settings) as app:  # another process on the same data folder
        rec = app.add_file(_two_readers(tmp_path / "two-readers.wav"))
        job = app.process(rec.id, ["transcribe", "diarize"])
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
        page.locator(".rr-lib-row", has_text="two-readers.wav").wait_for()
        _tab(page, "Viewer")
        pick = page.locator(".rr-viewer-pick select")
        label = next(o for o in pick.locator("option").all_inner_texts() if "two-readers" in o)
        pick.select_option(label=label)
        page.wait_for_selector(".rr-speakers-table:has-text('Speaker 2')")
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
