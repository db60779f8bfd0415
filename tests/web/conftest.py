"""Fixtures for the web pages: a logged-in Django test client per person, and each test's
uploads in a folder of its own."""

import os
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test's uploads in a folder of its own (the workers fixture shares it with workers)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    """`login(user)`: a test client with that person's session."""

    def as_user(user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):  # type: ignore[no-untyped-def]
    """Debian's headless Chromium driven by Playwright, for one test: Playwright's event loop
    and the setting below must not outlive it (later tests run asyncio themselves). Without
    Chromium the browser tests are skipped with the reason, except in CI (CI set): they fail."""
    if not CHROMIUM.exists():
        reason = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # beside it are synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the browser tests save screenshots: WARDEN_SCREENSHOTS (e.g. docs/screenshots)
    when set, else the test's temporary folder."""
    folder = Path(os.environ.get("WARDEN_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
