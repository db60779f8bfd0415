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


def settings_read(monkeypatch, tmp_path, **env: str) -> dict:
    import runpy

    monkeypatch.setenv("WARDEN_VAR_DIR", str(tmp_path))
    for name in ("WARDEN_S3_BUCKET", "WARDEN_S3_ENDPOINT_URL", "WARDEN_S3_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(REPO_DIR / "config" / "settings.py"))


def test_a_bucket_makes_object_storage_the_default_storage(monkeypatch, tmp_path):
    read = settings_read(monkeypatch, tmp_path, WARDEN_S3_BUCKET="warden",
                         WARDEN_S3_ENDPOINT_URL="http://object-store:9000",
                         WARDEN_S3_SECRET_KEY="s3-secret")  # fmt: skip
    default = read["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "warden"
    assert default["OPTIONS"]["endpoint_url"] == "http://object-store:9000"
    assert default["OPTIONS"]["secret_key"] == "s3-secret"
    assert default["OPTIONS"]["file_overwrite"] is False  # a stored file is never replaced


def test_without_a_bucket_files_stay_in_the_media_folder(monkeypatch, tmp_path):
    read = settings_read(monkeypatch, tmp_path)
    assert read["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
