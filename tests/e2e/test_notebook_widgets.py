"""The notebook widgets in JupyterLab: upload a file from the browser, then play it.

Inside JupyterLab there is no ``recordroute serve``: the widgets find the API that the
recordroute server extension mounts in the lab server, under the lab's own login.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from recordroute import RecordRoute, Settings
from tests.e2e.conftest import REPO, _free_port
from tests.test_ui_helpers import tiny_wav

pytestmark = pytest.mark.e2e

START_S = 240
STEP_MS = 180_000
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "upload",
            "metadata": {},
            "outputs": [],
            "source": [
                "from recordroute import RecordRoute\n",
                "from recordroute.ui import player, uploader\n",
                "app = RecordRoute.open()  # RECORDROUTE_DATA_DIR: the lab's data folder\n",
                "box = uploader(app, process=False, language='en')\n",
                "box",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "play",
            "metadata": {},
            "outputs": [],
            "source": [
                "player(app, box.recordings[-1], at=0.5) if box.recordings else 'nothing yet'"
            ],
        },
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port, token = _free_port(), "lab-e2e-token-1234567890"
    (tmp_path / "uploads.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
    env.update(
        RECORDROUTE_DATA_DIR=str(tmp_path / "db"),
        RECORDROUTE_MIN_FREE_MB="0",
        JUPYTER_CONFIG_PATH=str(REPO / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        PYTHONPATH=str(REPO),
        HF_HUB_OFFLINE="1",
    )
    # open the notebook on its own kernel, with no "Select Kernel" dialog in the way
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(
        json.dumps({"autoStartDefaultKernel": True}), encoding="utf-8"
    )
    log = (tmp_path / "lab.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--allow-root",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={tmp_path}",
            "--ServerApp.port_retries=0",
            f"--LabApp.user_settings_dir={tmp_path / 'lab-settings'}",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + START_S
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}"):
                    break
            except OSError:
                assert proc.poll() is None, "jupyter lab exited"
                assert time.monotonic() < deadline, "jupyter lab did not start"
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/lab/tree/uploads.ipynb?token={token}", tmp_path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _menu(page: Any, item: str) -> None:
    """Run menu -> ``item``, once the notebook is the current panel (before that it is greyed)."""
    label = re.compile(f"^{re.escape(item)}$")
    deadline = time.monotonic() + STEP_MS / 1000
    while True:
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        entry = page.locator(".lm-Menu-item").filter(
            has=page.locator(".lm-Menu-itemLabel", has_text=label)
        )
        entry.first.wait_for()
        if "lm-mod-disabled" not in (entry.first.get_attribute("class") or ""):
            entry.first.click()
            return
        page.keyboard.press("Escape")
        assert time.monotonic() < deadline, f"the Run menu's {item!r} stayed disabled"
        page.locator(".jp-Notebook .jp-Cell").first.click()  # make the notebook current


def _run_all(page: Any) -> None:
    """Run menu -> Run All Cells, until the uploader is drawn.

    On a loaded machine JupyterLab's connection to a new kernel can still be settling when
    the menu is first usable: the command then runs nothing, or the widget's model arrives
    before JupyterLab's widget manager listens ("Error displaying widget: model not
    found"). Either way the cells are run again, as a user would.
    """
    outcome = (
        "() => document.querySelector('.rr-uploader .rr-upl-pick') ? 'drawn'"
        " : [...document.querySelectorAll('.jp-OutputArea-output')].some("
        "o => o.textContent.includes('Error displaying widget')) ? 'lost' : ''"
    )
    prompt = "() => document.querySelector('.jp-Notebook .jp-Cell .jp-InputPrompt').textContent"
    deadline = time.monotonic() + 2 * STEP_MS / 1000
    run = True
    while True:
        if run:
            _menu(page, "Run All Cells")
        try:
            if page.wait_for_function(outcome, timeout=45_000).json_value() == "drawn":
                return
            run = True  # the model was lost: run the cells again
        except PlaywrightTimeout:
            run = "*" not in page.evaluate(prompt)  # still running: wait for it, never re-queue
        assert time.monotonic() < deadline, "Run All Cells never drew the uploader"


@pytest.mark.skipif(
    os.environ.get("RECORDROUTE_E2E_JUPYTERLAB") != "1",
    reason="flaky on a loaded machine (JupyterLab's connection to a new kernel races the first "
    "run: the cells run nothing, or the widget's model is lost); run it with "
    "RECORDROUTE_E2E_JUPYTERLAB=1",
)
def test_the_uploader_and_the_player_work_in_jupyterlab(
    lab: tuple[str, Path], chromium: Any, screenshot_dir: Path
) -> None:
    url, folder = lab
    wav = tiny_wav(folder / "from-the-lab.wav", seconds=3.0)
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STEP_MS)
    try:
        page.goto(url, timeout=STEP_MS)
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        _run_all(page)
        with page.expect_file_chooser() as chooser:
            page.locator(".rr-uploader .rr-upl-pick").click()
        chooser.value.set_files(str(wav))  # starts at once (a notebook uploader)
        page.wait_for_selector(".rr-upl-row[data-state='done']")
        assert "uploaded" in page.locator(".rr-upl-row").inner_text()
        page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-InputArea-editor").click()
        _menu(page, "Run Selected Cell")
        media = page.locator(".rr-player .rr-media")
        media.wait_for(state="attached")
        src = media.evaluate("m => m.src")
        assert src.startswith(url.split("/lab/")[0] + "/recordroute/api/v1/media/"), src
        page.wait_for_function(
            "() => { const m = document.querySelector('.rr-player .rr-media');"
            " return m && m.duration > 2.5; }"
        )
    finally:
        page.screenshot(path=str(screenshot_dir / "jupyterlab-widgets.png"))
        context.close()
    with RecordRoute(Settings(data_dir=folder / "db", min_free_mb=0)) as app:
        (rec,) = app.recordings.list()
        assert rec.original_name == "from-the-lab.wav" and rec.size_bytes == wav.stat().st_size
        assert app.jobs.list() == []  # process=False: stored only
