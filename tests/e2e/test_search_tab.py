"""The Search tab in headless Chromium: one matching recording is one result; nothing is nothing.

Runs on the seeded archive of the session's dashboard (four short notes, see conftest).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Dashboard

pytestmark = pytest.mark.e2e

FIRST_RENDER_MS = 180_000  # 13-65 s measured under load; generous
STEP_MS = 90_000


def test_search_tab_shows_only_what_is_relevant(dashboard: Dashboard, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        page.goto(dashboard.url, timeout=FIRST_RENDER_MS)
        page.wait_for_selector(".rr-workbench .rr-upload-start", timeout=FIRST_RENDER_MS)
        page.locator(".rr-lang button", has_text="English").click()
        page.locator(".rr-tabs .lm-TabBar-tab", has_text="Search").first.click()

        # a query that matches one recording shows exactly that one
        page.locator(".rr-search-query input").fill("rain in Seoul")
        page.locator(".rr-search-go").click()
        page.wait_for_selector(".rr-search-summary:has-text('Found in 1 recording(s).')")
        hits = page.locator(".rr-search-results .rr-hit")
        assert hits.count() == 1
        assert "weather.txt" in hits.first.inner_text()
        assert hits.first.locator("mark").count() == 2  # «rain», «Seoul»

        # a query that matches nothing says so; weaker matches only on request
        page.locator(".rr-search-query input").fill("quantum chromodynamics lattice")
        page.locator(".rr-search-go").click()
        page.wait_for_selector(".rr-search-summary:has-text('Nothing found.')")
        assert page.locator(".rr-search-results .rr-hit").count() == 0
        page.locator(".rr-search-weaker input[type=checkbox]").check()
        page.wait_for_selector(".rr-search-results .rr-hit.rr-hit-weaker")
        weaker = page.locator(".rr-search-results .rr-hit")
        assert weaker.count() == page.locator(".rr-hit.rr-hit-weaker").count() >= 1
        assert "weaker match" in weaker.first.inner_text()
    finally:
        context.close()
