from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recordroute.cli import build_parser, main
from tests.conftest import REPO, write
from tests.legacy_fixture import build_legacy_folder

SUBCOMMANDS = [
    "add",
    "list",
    "show",
    "rename",
    "tag",
    "delete",
    "restore",
    "purge",
    "import-legacy",
    "export-legacy",
    "doctor",
]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "recordroute", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_python_m_and_exit_codes(tmp_path: Path) -> None:
    src = write(tmp_path / "memo.txt", "회의 메모")
    ok = run("--data-dir", "db", "add", str(src), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "memo.txt" in ok.stdout and (tmp_path / "db" / "recordroute.sqlite3").exists()
    dup = run("--data-dir", "db", "add", str(src), cwd=tmp_path)
    assert dup.returncode == 1
    assert dup.stderr.startswith("error: 'memo.txt' has the same content") and "fix:" in dup.stderr
    assert "Traceback" not in dup.stderr
    usage = run("list", "--bogus", cwd=tmp_path)
    assert usage.returncode == 2 and "unrecognized arguments: --bogus" in usage.stderr
    assert run(cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([command, "--help"])
    assert info.value.code == 0
    assert "usage: recordroute " + command in capsys.readouterr().out


def test_library_commands_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "db")
    src = write(tmp_path / "a.mp3", b"a")
    assert main(["--data-dir", db, "--json", "add", str(src), "--tag", "x"]) == 0
    rid = json.loads(capsys.readouterr().out)[0]["id"]
    assert main(["rename", rid, "새 이름", "--data-dir", db]) == 0
    assert main(["tag", rid, "--add", "y", "z", "--remove", "x", "--data-dir", db]) == 0
    assert "새 이름  #y #z" in capsys.readouterr().out
    assert main(["show", rid, "--data-dir", db]) == 0
    assert "source" in capsys.readouterr().out
    assert main(["list", "--data-dir", db, "--search", "새"]) == 0
    assert rid in capsys.readouterr().out
    assert main(["delete", rid, "--data-dir", db]) == 0
    assert main(["list", "--data-dir", db]) == 0
    assert "(no recordings)" in capsys.readouterr().out
    assert main(["list", "--deleted", "--data-dir", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["deleted_at"]
    assert main(["restore", rid, "--data-dir", db]) == 0
    assert main(["delete", rid, "--data-dir", db, "--json"]) == 0
    assert main(["purge", rid, "--data-dir", db]) == 0
    assert f"{rid}  purged" in capsys.readouterr().out
    assert main(["show", rid, "--data-dir", db]) == 1
    assert "There is no recording" in capsys.readouterr().err
    assert main(["doctor", "--data-dir", db]) == 0
    assert "recordings: 0 (0 deleted)" in capsys.readouterr().out


def test_import_and_export_legacy_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = build_legacy_folder(tmp_path / "DB")
    db = str(tmp_path / "db")
    assert main(["import-legacy", str(legacy.root), "--data-dir", db]) == 0
    assert "imported 3 recordings" in capsys.readouterr().out
    assert main(["import-legacy", str(legacy.root), "--data-dir", db]) == 0
    assert "imported 0 recordings" in capsys.readouterr().out
    target = tmp_path / "export.json"
    assert main(["export-legacy", str(target), "--data-dir", db]) == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 3
    assert main(["export-legacy", str(target), "--data-dir", db]) == 1
    assert "--force" in capsys.readouterr().err
    (legacy.root / "upload_history.json").write_text("[", encoding="utf-8")
    assert main(["import-legacy", str(legacy.root), "--data-dir", str(tmp_path / "db2")]) == 1
    assert "is not valid JSON" in capsys.readouterr().err


def test_bad_setting_in_environment_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECORDROUTE_MIN_FREE_MB", "lots")
    assert main(["list", "--data-dir", str(tmp_path)]) == 1
    assert "RECORDROUTE_MIN_FREE_MB='lots' is not a whole number" in capsys.readouterr().err
