from __future__ import annotations

from pathlib import Path

import pytest

from recordroute import ConfigError, Settings
from recordroute.config import read_env_file


def test_defaults_put_the_data_folder_in_db() -> None:
    s = Settings.load(environ={}, env_file=None)
    assert s.data_dir == Path("db")
    assert s.log_level == "INFO"


def test_precedence_arguments_over_environment_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nRECORDROUTE_LOG_LEVEL=DEBUG\nexport RECORDROUTE_PORT='9000'\n"
        'RECORDROUTE_LANGUAGE="ko"\nRECORDROUTE_WS_PORT=9100 # inline comment\n',
        encoding="utf-8",
    )
    s = Settings.load(environ={"RECORDROUTE_PORT": "9001"}, env_file=env_file)
    assert (s.log_level, s.port, s.language, s.ws_port) == ("DEBUG", 9001, "ko", 9100)
    s = Settings.load(
        {"port": 9002, "log_level": None}, environ={"RECORDROUTE_PORT": "9001"}, env_file=env_file
    )
    assert s.port == 9002 and s.log_level == "DEBUG"


def test_original_db_folder_path_is_an_alias(tmp_path: Path) -> None:
    s = Settings.load(environ={"DB_FOLDER_PATH": str(tmp_path / "old")}, env_file=None)
    assert s.data_dir == tmp_path / "old"
    s = Settings.load(
        environ={"DB_FOLDER_PATH": "x", "RECORDROUTE_DATA_DIR": str(tmp_path)}, env_file=None
    )
    assert s.data_dir == tmp_path


def test_settings_are_frozen() -> None:
    s = Settings()
    with pytest.raises(AttributeError):
        s.port = 1  # type: ignore[misc]
    assert s.replace(port=1).port == 1


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"RECORDROUTE_LOG_LEVEL": "LOUD"}, "RECORDROUTE_LOG_LEVEL='LOUD' is not allowed"),
        ({"RECORDROUTE_PORT": "eighty"}, "RECORDROUTE_PORT='eighty' is not a whole number"),
        ({"RECORDROUTE_PORT": "70000"}, "RECORDROUTE_PORT=70000 is out of range"),
        ({"RECORDROUTE_BUSY_TIMEOUT_S": "soon"}, "is not a number"),
        ({"RECORDROUTE_SPEECH_ENGINE": "vosk"}, "Use one of: faster-whisper, openai-whisper"),
        ({"RECORDROUTE_OLLAMA_HOST": "localhost:11434"}, "is not an http(s) URL"),
        ({"RECORDROUTE_DATA_DIR": " "}, None),
    ],
)
def test_bad_values_name_the_variable_value_and_fix(
    env: dict[str, str], fragment: str | None
) -> None:
    if fragment is None:  # blank values count as unset
        assert Settings.load(environ=env, env_file=None).data_dir == Path("db")
        return
    with pytest.raises(ConfigError) as info:
        Settings.load(environ=env, env_file=None)
    assert fragment in str(info.value)
    assert info.value.fix


def test_empty_data_dir_argument_is_refused() -> None:
    with pytest.raises(ConfigError, match="RECORDROUTE_DATA_DIR is empty"):
        Settings(data_dir=Path("  "))


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="Unknown setting 'colour'"):
        Settings.load({"colour": "blue"}, environ={}, env_file=None)


def test_env_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / ".env"
    bad.write_text("RECORDROUTE_PORT=1\nthis is not a setting\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.env:2: 'this is not a setting'"):
        read_env_file(bad)
    bad.write_bytes(b"RECORDROUTE_PORT=\xff\n")
    with pytest.raises(ConfigError, match="is not UTF-8"):
        read_env_file(bad)
    assert read_env_file(tmp_path / "missing.env") == {}
