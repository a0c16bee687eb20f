"""Settings: defaults derived from the data dir; bad values stop the start, naming the variable."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from core.settings import ConfigError, get_settings, reset_settings_cache


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CLEARVIEW_REDIS_URL", "not a url"),
        ("CLEARVIEW_REDIS_URL", "http://127.0.0.1:6379"),
        ("CLEARVIEW_DATABASE_URL", "mysql://root@localhost/x"),
        ("CLEARVIEW_MODE", "staging"),
        ("CLEARVIEW_PORT", "eighty"),
        ("CLEARVIEW_LLM_BASE_URL", "::nonsense::"),
        ("CLEARVIEW_STREAM_MAX_DELIVERIES", "0"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    reset_settings_cache()
    with pytest.raises(ConfigError) as caught:
        get_settings()
    assert variable in str(caught.value)
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize(
    "secret",
    [
        None,  # the development default
        "",
        "x",
        "changeme",
        "a-long-random-production-secret",  # 31 bytes
        "changemechangemechangemechangeme",  # long, but a repeated word
        "a" * 64,
    ],
)
def test_prod_mode_refuses_weak_secrets_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("CLEARVIEW_MODE", "prod")
    if secret is not None:
        monkeypatch.setenv("CLEARVIEW_SECRET_KEY", secret)
    reset_settings_cache()
    with pytest.raises(ConfigError, match="CLEARVIEW_SECRET_KEY") as caught:
        get_settings()
    if secret and len(secret) > 4:  # a secret never reaches a log
        assert secret not in str(caught.value)


# Drawn in the test, not at collection: xdist workers must collect the same test ids.
@pytest.mark.parametrize(
    "make_secret", [secrets.token_hex, secrets.token_urlsafe], ids=["hex", "urlsafe"]
)
def test_prod_mode_accepts_random_secrets(
    monkeypatch: pytest.MonkeyPatch, make_secret: Callable[[int], str]
) -> None:
    monkeypatch.setenv("CLEARVIEW_MODE", "prod")
    monkeypatch.setenv("CLEARVIEW_SECRET_KEY", make_secret(32))
    reset_settings_cache()
    assert get_settings().mode.value == "prod"


def test_public_origin_is_scheme_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARVIEW_PUBLIC_URL", "https://jobs.example.org/career/")
    reset_settings_cache()
    assert get_settings().public_origin == "https://jobs.example.org"
    assert get_settings().public_base_url == "https://jobs.example.org/career"
    monkeypatch.setenv("CLEARVIEW_PUBLIC_URL", "http://127.0.0.1:8080")
    reset_settings_cache()
    assert get_settings().public_origin == "http://127.0.0.1:8080"


def test_defaults_live_in_the_data_dir(isolated_settings: Path) -> None:
    settings = get_settings()
    assert settings.effective_database_url == (
        f"sqlite+aiosqlite:///{isolated_settings.resolve() / 'clearview.db'}"
    )
    assert settings.chroma_location == str(isolated_settings.resolve() / "chroma")
    assert not settings.chroma_is_server
    assert settings.redis_url is None  # embedded Valkey


def test_plain_database_urls_get_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARVIEW_DATABASE_URL", "postgresql://u:p%40ss@db:5432/cv")
    reset_settings_cache()
    assert get_settings().effective_database_url == "postgresql+asyncpg://u:p%40ss@db:5432/cv"
    assert get_settings().is_postgres


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("CLEARVIEW_CHROMA=http://127.0.0.1:8765\n")
    reset_settings_cache()
    assert get_settings().chroma_is_server
