"""The project secret: from the environment or a private file, never shorter than 32 bytes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cxscore.errors import ConfigError
from cxscore.service.secrets import SECRET_ENV, derive_key, project_secret


def test_a_secret_file_is_made_once_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = project_secret(tmp_path)
    path = tmp_path / ".cxscore" / "secret"
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert project_secret(tmp_path) == first
    assert project_secret(tmp_path / "other") != first


def test_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "x" * 40)
    assert project_secret(tmp_path) == b"x" * 40
    assert not (tmp_path / ".cxscore").exists()


def test_short_secrets_are_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(ConfigError, match=r"5 characters long.*token_urlsafe"):
        project_secret(tmp_path)
    monkeypatch.delenv(SECRET_ENV)
    (tmp_path / ".cxscore").mkdir()
    (tmp_path / ".cxscore" / "secret").write_bytes(b"tiny")
    with pytest.raises(ConfigError, match="Delete it"):
        project_secret(tmp_path)


def test_derived_keys_differ_by_purpose() -> None:
    secret = b"s" * 32
    assert derive_key(secret, "session") != derive_key(secret, "survey-link")
    assert derive_key(secret, "session") == derive_key(secret, "session")
    assert len(derive_key(secret, "csrf")) == 32
