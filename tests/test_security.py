"""Hardening that must hold: login lockout, throttled token and upload endpoints, upload names
that cannot leave the media folder, security headers."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.throttling import ScopedRateThrottle

from governance.models import ModelVersion
from tests.factories import PASSWORD, mlmodel_make, skops_model_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Tight throttle rates for one test, with a clean throttle cache before and after."""
    cache.clear()

    def set_rates(**scopes: str) -> None:
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", scopes)

    yield set_rates
    cache.clear()


def token_request(api, username, password):
    return api.post("/api/auth/token/", {"username": username, "password": password}, format="json")


def test_the_token_endpoint_is_throttled(cast, api, rates):
    rates(auth="3/min", uploads="100/min")
    codes = [token_request(api, "erin", PASSWORD).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_repeated_failed_logins_lock_the_account(cast, api, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    codes = [token_request(api, "erin", "wrong").status_code for _ in range(3)]
    assert codes == [400, 400, 429]  # the third failure reaches the limit
    locked = token_request(api, "erin", PASSWORD)  # the right password, but locked out
    assert locked.status_code == 429
    assert "locked" in locked.data["detail"][0]
    other = api.post(
        "/api/auth/token/",
        {"username": "eli", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.2",
    )
    assert other.status_code == 200  # another person, from another address, is not affected


@pytest.fixture
def lockout(settings):
    """django-axes on, locking after three failures."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def login_from(api, username, password, address, forwarded_for=None):
    """A token request arriving from `address`, optionally carrying X-Forwarded-For."""
    headers = {"REMOTE_ADDR": address}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    body = {"username": username, "password": password}
    return api.post("/api/auth/token/", body, format="json", **headers)


def fail_three_times(api, username, address, forwarded_for=None):
    for _ in range(3):
        login_from(api, username, "wrong", address, forwarded_for)


def test_a_locked_out_user_does_not_lock_out_a_colleague_behind_the_same_proxy(cast, api, lockout):
    fail_three_times(api, "erin", "10.0.0.1")
    assert login_from(api, "erin", PASSWORD, "10.0.0.1").status_code == 429
    assert login_from(api, "eli", PASSWORD, "10.0.0.1").status_code == 200


def test_failures_from_one_address_do_not_lock_the_user_out_everywhere(cast, api, lockout):
    fail_three_times(api, "erin", "10.0.0.66")
    assert login_from(api, "erin", PASSWORD, "10.0.0.7").status_code == 200


def test_behind_a_trusted_proxy_the_lockout_counts_the_forwarded_client(
    cast, api, lockout, settings
):
    settings.WARDEN_TRUSTED_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    fail_three_times(api, "erin", "10.0.0.1", forwarded_for="203.0.113.9")
    assert login_from(api, "erin", PASSWORD, "10.0.0.1", "203.0.113.9").status_code == 429
    assert login_from(api, "erin", PASSWORD, "10.0.0.1", "198.51.100.4").status_code == 200


def test_without_trusted_proxies_a_forged_forwarded_header_does_not_dodge_the_lockout(
    cast, api, lockout
):
    for forged in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        login_from(api, "erin", "wrong", "10.0.0.5", forwarded_for=forged)
    assert login_from(api, "erin", PASSWORD, "10.0.0.5", "203.0.113.4").status_code == 429


def test_uploads_are_throttled_but_reads_are_not(cast, api, rates):
    rates(auth="100/min", uploads="2/min")
    mlmodel_make(cast.erin, slug="alpha")
    client = api.as_user(cast.erin)
    codes = [
        client.post(
            "/api/models/alpha/versions/",
            {"version": f"1.{i}", "artifact": skops_model_file()},
            format="multipart",
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert all(client.get("/api/models/alpha/versions/").status_code == 200 for _ in range(5))


@pytest.mark.parametrize(
    "name", ["../../../escape.skops", "/etc/cron.d/escape.skops", "..\\..\\escape.skops"]
)
def test_an_upload_name_cannot_leave_the_media_folder(cast, api, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path / "media"
    mlmodel_make(cast.erin, slug="alpha")
    upload = skops_model_file(name=name)
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/", {"version": "1", "artifact": upload}, format="multipart"
    )
    assert response.status_code == 201, response.data
    stored = ModelVersion.objects.get().artifact.path
    assert stored.startswith(str(settings.MEDIA_ROOT) + "/")
    assert ".." not in stored
    assert not (tmp_path / "escape.skops").exists()


def test_evaluation_set_names_cannot_leave_the_media_folder(cast, api, settings, tmp_path):
    from tests.factories import classifier_csv, version_make

    settings.MEDIA_ROOT = tmp_path / "media"
    version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    body = {
        "file": SimpleUploadedFile("../../escape.csv", classifier_csv()),
        "mapping": '{"label": "label", "prediction": "predicted"}',
    }
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/1.0.0/evaluation-sets/", body, format="multipart"
    )
    assert response.status_code == 201, response.data
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert files and all(str(path).startswith(str(settings.MEDIA_ROOT)) for path in files)


def test_production_headers(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/api/schema/", secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
