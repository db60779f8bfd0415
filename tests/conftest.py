"""Fixtures shared by the whole suite: where the shared contract and public data sets live."""

import json
import os
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("WARDEN_SHARED_DIR", REPO_DIR.parent / "shared"))
DATASETS_DIR = SHARED_DIR / "datasets"
CONTRACT_PATH = SHARED_DIR / "contracts" / "audit-result.schema.json"


@pytest.fixture(scope="session")
def contract_schema() -> dict:
    """The audit result JSON schema every result document must validate against."""
    return json.loads(CONTRACT_PATH.read_text())


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The folder of real public data sets (see its SOURCES.md)."""
    if not DATASETS_DIR.is_dir():
        pytest.skip(f"shared data sets not found at {DATASETS_DIR}")
    return DATASETS_DIR
