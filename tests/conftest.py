"""Fixtures shared by the whole suite: the result contract, the shared public data sets (tests
needing them skip, with the reason, when ../shared is absent) and the cast of people."""

import json
import os
import shutil
from pathlib import Path

import pytest
from rest_framework.test import APIClient

pytest_plugins = [
    "tests.workers",
    "tests.database_roles",
    "tests.receivers",
    "tests.sso",
    "tests.object_store",
]

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("WARDEN_SHARED_DIR", REPO_DIR.parent / "shared"))
DATASETS_DIR = SHARED_DIR / "datasets"


@pytest.fixture(scope="session")
def contract_schema() -> dict:
    """The audit result JSON schema every result document must validate against: the
    project's own copy (tests/audits/test_contract.py keeps it equal to the shared one)."""
    from audits.contract import CONTRACT_PATH

    return json.loads(CONTRACT_PATH.read_text())


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The folder of real public data sets (see its SOURCES.md)."""
    if not DATASETS_DIR.is_dir():
        pytest.skip(f"shared data sets not found at {DATASETS_DIR}")
    return DATASETS_DIR


@pytest.fixture
def cast(db):  # type: ignore[no-untyped-def]
    """The named people most tests use: erin and eli engineer in team A, bob in team B, rita and
    raj are risk officers, ada audits, root administers."""
    from tests.factories import user_make

    class Cast:
        erin = user_make("erin", "engineer", team="team-a")
        eli = user_make("eli", "engineer", team="team-a")
        bob = user_make("bob", "engineer", team="team-b")
        rita = user_make("rita", "risk_officer")
        raj = user_make("raj", "risk_officer")
        ada = user_make("ada", "auditor")
        root = user_make("root", "admin")

    return Cast


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    """An API client; `api.as_user(user)` authenticates it with the user's token."""
    from rest_framework.authtoken.models import Token

    client = APIClient()

    def as_user(user):  # type: ignore[no-untyped-def]
        if user is None:
            client.credentials()
        else:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    """This test's uploads in a folder of its own, so a test sees only the files it made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def trail_checkpoints_cleared(settings):  # type: ignore[no-untyped-def]
    """Each test's checkpoint files go with its database rows: left behind, they would state
    heads a later test's trail never had."""
    from governance.checkpoints import CHECKPOINT_DIR

    yield
    shutil.rmtree(Path(settings.MEDIA_ROOT) / CHECKPOINT_DIR, ignore_errors=True)
