"""Settings read from the environment: production values pass Django's deployment check."""

import os
import secrets
import subprocess
import sys

from tests.conftest import REPO_DIR

PRODUCTION = {
    "DEBUG": "false",
    "WARDEN_HTTPS": "true",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "warden.example.org",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def test_check_deploy_is_clean_with_production_values(tmp_path):
    env = {**os.environ, **PRODUCTION, "WARDEN_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_default_generates_and_keeps_a_secret_key(tmp_path):
    from config.env import env_secret

    first = env_secret("WARDEN_TEST_UNSET_SECRET", keep_in=tmp_path / "secret_key")
    again = env_secret("WARDEN_TEST_UNSET_SECRET", keep_in=tmp_path / "secret_key")
    assert first == again and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_manage_py_commands_print_no_lockout_banner(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WARDEN_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "AXES" not in result.stdout + result.stderr
