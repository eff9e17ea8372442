"""Settings: flag > environment > default, every bad value a one-line ConfigError, and the key never shown."""

from __future__ import annotations

import argparse
import logging
import pickle

import pytest

from ftwatch.config import Secret, Settings, from_env, parse_smoothing
from ftwatch.errors import ConfigError

KEY = "sk-proj-SECRETSECRET1234567890"


def args(**values) -> argparse.Namespace:
    return argparse.Namespace(**values)


def test_flag_beats_environment_beats_default():
    env = {"OPENAI_BASE_URL": "http://env.example/v1", "OPENAI_ORG_ID": "org-env", "OPENAI_API_KEY": KEY}
    assert from_env(args(), env).base_url == "http://env.example/v1"
    assert from_env(args(base_url="http://flag.example/v1"), env).base_url == "http://flag.example/v1"
    assert from_env(args(), {}).base_url is None
    assert from_env(args(organization="org-flag"), env).organization == "org-flag"
    assert from_env(args(), env).organization == "org-env"
    assert from_env(args(), {"OPENAI_PROJECT_ID": "proj_1"}).project == "proj_1"
    assert from_env(args(), {}).poll_interval == 2.0
    assert from_env(args(poll_interval=0.5), {}).idle_interval == 2.5


def test_key_never_appears_in_repr_str_format_or_pickle():
    settings = from_env(args(), {"OPENAI_API_KEY": KEY, "AZURE_OPENAI_API_KEY": KEY + "az"})
    for shown in (repr(settings), str(settings), f"{settings}", f"{settings.api_key}"):
        assert KEY not in shown
    assert settings.api_key.reveal() == KEY
    assert settings.secrets() == (KEY, KEY + "az")
    with pytest.raises(TypeError):
        pickle.dumps(settings.api_key)


def test_missing_key_suggests_the_demo():
    with pytest.raises(ConfigError) as caught:
        from_env(args(), {}).require_credentials()
    assert "OPENAI_API_KEY" in caught.value.message and "ftwatch --demo" in caught.value.message
    assert "\n" not in caught.value.message


def test_azure_needs_its_key_and_an_api_version():
    azure = {"AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com"}
    with pytest.raises(ConfigError, match="AZURE_OPENAI_API_KEY"):
        from_env(args(), azure).require_credentials()
    with pytest.raises(ConfigError, match="OPENAI_API_VERSION"):
        from_env(args(), {**azure, "AZURE_OPENAI_API_KEY": KEY}).require_credentials()
    settings = from_env(args(), {**azure, "AZURE_OPENAI_API_KEY": KEY, "OPENAI_API_VERSION": "2025-04-01-preview"})
    settings.require_credentials()
    assert settings.is_azure and settings.description == "res.openai.azure.com"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"poll_interval": -1.0}, "--poll-interval"),
        ({"poll_interval": 0.0}, "--poll-interval"),
        ({"timeout": float("nan")}, "--timeout"),
        ({"smoothing": 1.0}, "[0, 1)"),
        ({"smoothing": -0.1}, "[0, 1)"),
        ({"base_url": "api.openai.com"}, "http(s) URL"),
        ({"base_url": "ftp://x/v1"}, "http(s) URL"),
    ],
)
def test_bad_values_are_one_line_config_errors(flags, message):
    with pytest.raises(ConfigError) as caught:
        from_env(args(**flags), {})
    assert message in caught.value.message and "\n" not in caught.value.message


def test_smoothing_accepts_auto_and_weights():
    assert parse_smoothing("auto") is None
    assert parse_smoothing("0") == 0.0
    assert parse_smoothing("0.9") == 0.9
    with pytest.raises(ConfigError):
        parse_smoothing("heavy")


def test_secret_equality_and_falsiness():
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert not Secret("") and Secret("x")
    assert Settings().api_key is None


def test_redacting_filter_masks_keys_and_auth_headers(capsys):
    from ftwatch.cli import RedactingFilter

    record = logging.LogRecord("openai", logging.DEBUG, __file__, 1, "headers %s key %s", (
        {"Authorization": f"Bearer {KEY}", "api-key": "azure-secret-123"}, KEY), None)
    RedactingFilter([KEY]).filter(record)
    text = record.getMessage()
    assert KEY not in text and "azure-secret-123" not in text
    assert "Authorization" in text and "***" in text
