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
