"""The Ask tab in headless Chromium: ask a question, follow a citation to the viewer.

Run on its own: ``python -m pytest -m e2e tests/e2e``.  With
``RECORDROUTE_UPDATE_SCREENSHOTS=1`` the Ask tab's screenshot is copied to
``docs/screenshots/ask.png`` for the README.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from recordroute import RecordRoute, Settings
from tests.ask_support import BUDGET
from tests.e2e.conftest import Dashboard
from tests.e2e.test_dashboard import FIRST_RENDER_MS, STEP_MS, _shoot, _tab

pytestmark = pytest.mark.e2e


def test_ask_a_question_and_follow_a_citation(
    dashboard: Dashboard, chromium: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    # a timed transcript, added beside the seeded documents (another process, same folder)
    meeting = tmp_path / "planning-meeting.md"
    meeting.write_text(BUDGET, encoding="utf-8")
    with RecordRoute(Settings(data_dir=dashboard.data_dir, min_free_mb=0)) as app:
        rec = app.add_file(meeting, tags=["meeting"])
        job = app.jobs.submit(rec.id, ["embed"])  # the server's worker may take it
        deadline = time.monotonic() + 300
        while app.jobs.get(job.id).state in ("queued", "running"):
            assert time.monotonic() < deadline, "the embed job did not finish"
            if app.jobs.get(job.id).state == "queued":
                app.jobs.run(job.id)
            time.sleep(0.2)
        assert app.jobs.get(job.id).state == "done"
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        page.goto(dashboard.url, timeout=FIRST_RENDER_MS)
        page.wait_for_selector(".rr-workbench .rr-ask", state="attached", timeout=FIRST_RENDER_MS)
        page.locator(".rr-lang button", has_text="English").click()
        page.wait_for_selector(".rr-tabs .lm-TabBar-tab:has-text('Ask')")
        _tab(page, "Ask")
        page.locator(".rr-ask-question input").fill("What did we decide about the travel budget?")
        page.locator(".rr-ask-go").click()
        turn = page.locator(".rr-ask-turn").first
        turn.wait_for(timeout=STEP_MS * 2)
        assert "Extractive answer" in turn.locator(".rr-ask-mode").inner_text()
        lead = turn.locator(".rr-ask-line").first
        assert "cut the travel budget by ten percent" in lead.inner_text()
        cite = lead.locator(".rr-ask-cite")
        assert cite.inner_text().strip() == "▶ [planning-meeting.md, 00:00:14]"
        _shoot(page, screenshot_dir, "ask")
        cite.click()
        # the viewer shows the recording, with the cited moment's line marked
        page.wait_for_selector(".rr-viewer .rr-viewer-title:has-text('planning-meeting.md')")
        current = page.locator(".rr-viewer .rr-line-current")
        current.wait_for()
        assert "cut the travel budget by ten percent" in current.inner_text()
        assert current.inner_text().startswith("0:14 ")
    finally:
        page.screenshot(path=str(screenshot_dir / "last-ask.png"), full_page=True)
        context.close()
