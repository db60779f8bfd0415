"""Test override: fast password hashing, media in a temporary folder, mail kept in memory, and
Celery tasks run inline (eager) unless a test starts a real worker (tests/workers.py).

The database is the one DATABASE_URL names (SQLite by default); `make test` runs the suite
a second time on PostgreSQL when it answers on localhost, migrating as the owner and running
the tests as the restricted application role (tests/database_roles.py)."""

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="warden-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="warden-test-static-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so a real worker process can open the same test database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"warden-test-{os.getpid()}.sqlite3")
    }

CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Lockout and throttles are tested on purpose (tests/test_security.py), not tripped by accident.
AXES_ENABLED = False
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"auth": "100000/min", "uploads": "100000/min"},
}

# The model checks on small samples: the suite audits hundreds of times; tests/audits/battery
# measures them at full size.
WARDEN_MODEL_CHECK_OPTIONS = {
    "model_rows": 1000,
    "attack_rows": 150,
    "black_box_rows": 3,
    "importance_rows": 400,
    "importance_repeats": 2,
}
