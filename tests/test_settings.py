import os
import subprocess
import sys

import pytest
from django.conf import settings


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "justedroit.settings_production",
        "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-0123456789!",
        "DEBUG": "0",
    }
    env.pop("JUSTEDROIT_TODAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "justedroit.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_without_debug():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "justedroit.settings", "DEBUG": "0"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "justedroit.manage", "check"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_base_settings_hash_with_argon2_and_expire_sessions():
    from justedroit import settings as base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.LANGUAGE_CODE == "fr"


def _import_production_settings(**variables) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    return subprocess.run(
        [sys.executable, "-c", "import justedroit.settings_production"],
        env={**env, **variables},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("debug", ["0", "1"])
def test_production_refuses_a_missing_or_development_secret_key(debug):
    from justedroit.settings import _DEV_SECRET_KEY

    for key in ({}, {"SECRET_KEY": ""}, {"SECRET_KEY": _DEV_SECRET_KEY}):
        result = _import_production_settings(DEBUG=debug, **key)
        assert result.returncode != 0, key
        assert "ImproperlyConfigured: " in result.stderr and "SECRET_KEY" in result.stderr
    accepted = _import_production_settings(DEBUG=debug, SECRET_KEY="s" * 50)
    assert accepted.returncode == 0, accepted.stderr
