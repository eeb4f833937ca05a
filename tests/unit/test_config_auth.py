"""ASSISTANT_AUTH: checked when the settings load, and reported by the CLI as a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings, parse_auth
from assistant.errors import ConfigError
from assistant.interfaces import cli

BAD = ["no-colon", ":hunter2", "joe:", ":"]


def test_parse_auth() -> None:
    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("ann:se:cret") == ("ann", "se:cret")
    with pytest.raises(ConfigError):
        parse_auth("no-colon")


@pytest.mark.parametrize("value", BAD)
def test_a_malformed_auth_fails_when_the_settings_load(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(auth=value)
    message = str(caught.value)
    assert "ASSISTANT_AUTH" in message and "`user:password`" in message
    assert "ASSISTANT_AUTH=ann:s3cret" in message  # an example of the expected form
    if value != ":":
        assert value.strip(":") not in message  # the value may hold a password: not echoed


def test_the_environment_variable_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_AUTH", "ann")
    with pytest.raises(ConfigError, match="ASSISTANT_AUTH is not valid"):
        Settings()
    monkeypatch.setenv("ASSISTANT_AUTH", "ann:s3cret")
    assert Settings().auth == "ann:s3cret" and parse_auth(Settings().auth) == ("ann", "s3cret")


def test_no_auth_means_no_login(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().auth is None
    monkeypatch.setenv("ASSISTANT_AUTH", "")
    assert Settings().auth is None


def test_the_cli_reports_a_bad_auth_as_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ASSISTANT_AUTH", "ann-without-password")
    folders = ["--sources", str(tmp_path / "sources"), "--index", str(tmp_path / "index")]
    assert cli.main([*folders, "sources"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ASSISTANT_AUTH is not valid; use `user:password`")
    assert "e.g. ASSISTANT_AUTH=ann:s3cret" in err and "Traceback" not in err
    assert not (tmp_path / "index").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    ("name", "value"), [("ASSISTANT_TOP_K", "many"), ("ASSISTANT_PORT", "http")]
)
def test_any_bad_setting_is_one_clear_line_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    folders = ["--sources", str(tmp_path / "sources"), "--index", str(tmp_path / "index")]
    assert cli.main([*folders, "sources"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"error: a setting cannot be used ({name}: ")
    assert "fix or unset it" in err and "Traceback" not in err
    assert not (tmp_path / "index").exists()
