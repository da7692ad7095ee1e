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


#: private names that belong to other libraries' public ways (namedtuple's API) or that a
#: third-party engine gives no public way to reach
ALLOWED_PRIVATE = {"_replace", "_asdict", "_fields", "_MODELS"}


def test_no_module_reaches_into_another_objects_private_state() -> None:
    """Services and modules talk through public methods: ``x._name`` only for ``self``."""
    found = []
    for path in sorted((REPO / "recordroute").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__") or node.attr in ALLOWED_PRIVATE:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


def test_modules_stay_small() -> None:
    """A module over about 400 lines is a sign that it does two things."""
    long = {
        str(p.relative_to(REPO))
        for p in (REPO / "recordroute").rglob("*.py")
        if len(p.read_text(encoding="utf-8").splitlines()) > 420
    }
    assert not long, sorted(long)
