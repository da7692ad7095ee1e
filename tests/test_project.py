"""The project's own promises: two commands, CI runs the README's, pins in one place."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib

import yaml

from tests.conftest import REPO


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    commands = [
        line.strip()
        for line in (REPO / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["make test"]


def test_environment_yml_delegates_to_the_same_pins() -> None:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert "-c requirements/constraints.txt" in pip
    assert any(line.startswith("-e .[") for line in pip)
    conda_names = {re.split(r"[=<>]", d)[0] for d in deps if isinstance(d, str)}
    constraints = (REPO / "requirements" / "constraints.txt").read_text().lower()
    pinned = {line.split("==")[0] for line in constraints.splitlines() if "==" in line}
    assert not (conda_names - {"python", "pip"}) & pinned  # nothing pinned twice


def test_direct_dependencies_are_pinned_and_agree_with_the_constraints() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    constraints = (REPO / "requirements" / "constraints.txt").read_text().lower()
    locked = {
        name.replace("_", "-"): version
        for name, version in (
            line.split("==", 1) for line in constraints.splitlines() if "==" in line
        )
    }
    deps = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        deps.extend(extra)
    for dep in deps:
        name, _, version = dep.partition("==")
        assert version, f"{dep} is not pinned"
        key = name.lower().replace("_", "-")
        assert locked.get(key) == version, dep


def test_importing_the_package_has_no_side_effects(tmp_path: object) -> None:
    code = (
        "import os, sys; before = set(os.listdir('.')); import recordroute, recordroute.cli;"
        "heavy = [m for m in ('torch', 'faster_whisper', 'llama_cpp', 'tornado', 'ipywidgets')"
        " if m in sys.modules]; assert not heavy, heavy; assert set(os.listdir('.')) == before"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        check=True,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    )


def test_only_config_reads_the_environment() -> None:
    for path in (REPO / "recordroute").rglob("*.py"):
        if path.name == "config.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                assert isinstance(node.value, ast.Name) and node.value.id != "os", path
