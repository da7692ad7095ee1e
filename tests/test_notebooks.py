"""Every notebook runs top to bottom (nbval, lax: only cells marked NBVAL_CHECK_OUTPUT compare).

Each runs in its own ``pytest --nbval-lax`` process, on the bundled offline models and a
sample archive the notebook builds in a temporary folder.  The dashboard notebook runs too,
on a throw-away data folder (it would otherwise open the project's ``db/``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED_AUDIO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
DASHBOARDS = sorted((REPO / "dashboards").glob("*.ipynb"))


def _run_nbval(notebook: Path, env: dict[str, str], timeout: float = 300) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            str(notebook),
            "-p",
            "no:cacheprovider",
            "-q",
            "--no-header",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"{notebook.name} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}"
    )


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
    env.update(HF_HUB_OFFLINE="1", **extra)
    return env


def test_the_notebooks_exist_and_are_stored_without_outputs() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert names == [
        "01-quickstart",
        "02-explore-transcripts",
        "03-search-quality",
        "04-similarity-graph",
        "05-speakers",
        "06-ask-the-archive",
    ]
    for path in [*NOTEBOOKS, *DASHBOARDS]:
        book = json.loads(path.read_text(encoding="utf-8"))
        for cell in book["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
        assert "widgets" not in book["metadata"], f"{path.name} carries widget state"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(notebook: Path) -> None:
    if "find_shared_audio(" in notebook.read_text(encoding="utf-8") and not SHARED_AUDIO.is_dir():
        pytest.skip(
            f"{notebook.name} reads real recordings, and {SHARED_AUDIO} "
            "(../shared/data/audio) is absent"
        )
    _run_nbval(notebook, _env())


@pytest.mark.slow
@pytest.mark.parametrize("notebook", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_notebook_runs(notebook: Path, tmp_path: Path) -> None:
    _run_nbval(
        notebook, _env(RECORDROUTE_DATA_DIR=str(tmp_path / "db"), RECORDROUTE_MIN_FREE_MB="0")
    )
    assert (tmp_path / "db").is_dir()  # it opened the data folder it was given, not ./db
