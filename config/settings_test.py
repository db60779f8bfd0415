"""Test override: fast password hashing, media in a temporary folder, mail kept in memory.

The database is the one DATABASE_URL names (SQLite by default); `make test` runs the suite
a second time on PostgreSQL when it answers on localhost."""

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="warden-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="warden-test-static-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # Lets the test runner TRUNCATE the trail between transactional tests (see governance
    # migration 0002); UPDATE and DELETE on the trail stay refused.
    DATABASES["default"]["OPTIONS"] = {"options": "-c warden.trail_maintenance=on"}  # noqa: F405
