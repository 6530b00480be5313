import os
import subprocess
import sys

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
