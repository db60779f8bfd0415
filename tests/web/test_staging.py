"""The web upload's first step: only someone who may upload stores a file (checked before a
byte is kept), the step shares the API's upload throttle, a mapped upload leaves nothing in
staging, and the sweeper removes what an abandoned mapping step left behind."""

import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle

from audits.tasks import staging_sweep
from governance.permissions import can_upload
from tests.factories import classifier_csv, tiered_model_make, version_make

pytestmark = pytest.mark.django_db
VERSION = "/models/credit-default/versions/1.0.0/"
NEW = VERSION + "evaluation-sets/new/"


@pytest.fixture
def draft(cast, media_root):
    return version_make(tiered_model_make(cast.erin, 3), cast.erin)


def staged_files(media_root) -> list:
    return [path for path in (media_root / "staging").rglob("*") if path.is_file()]


def post_file(client, name: str = "current.csv"):
    upload = SimpleUploadedFile(name, classifier_csv())
    return client.post(NEW, {"file": upload, "role": "current"})


@pytest.mark.parametrize("who", ["erin", "eli", "bob", "rita", "ada", "root"])
def test_one_rule_says_who_may_upload(cast, draft, who):
    expected = {"erin": True, "eli": True, "bob": False, "rita": True, "ada": False, "root": True}
    assert can_upload(getattr(cast, who), draft) is expected[who]


@pytest.mark.parametrize("who", ["ada", "bob"])
def test_someone_who_may_not_upload_stores_no_file(cast, login, draft, media_root, who):
    response = post_file(login(getattr(cast, who)))
    assert response.status_code == 403
    assert not (media_root / "staging").exists()


def test_the_version_page_offers_the_upload_by_the_same_rule(cast, login, draft):
    for who, offered in (("erin", True), ("rita", True), ("ada", False), ("bob", False)):
        page = login(getattr(cast, who)).get(VERSION).content.decode()
        assert ("Upload an evaluation set" in page) is offered, who


@pytest.fixture
def two_a_minute(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"uploads": "2/min"})
    yield
    cache.clear()


def test_the_upload_step_shares_the_apis_throttle(
    cast, login, api, draft, media_root, two_a_minute
):
    client = login(cast.erin)
    assert post_file(client).status_code == 302
    assert post_file(client).status_code == 302
    throttled = post_file(client)
    assert throttled.status_code == 302 and throttled.url == NEW
    assert "Too many uploads" in client.get(NEW).content.decode()
    assert len(staged_files(media_root)) == 2
    api_upload = api.as_user(cast.erin).post(
        "/api/models/credit-default/versions/1.0.0/evaluation-sets/",
        {"file": SimpleUploadedFile("x.csv", classifier_csv()), "mapping": "{}"},
        format="multipart",
    )
    assert api_upload.status_code == 429  # the page's uploads used the allowance


def test_a_mapped_upload_leaves_nothing_in_staging(cast, login, draft, media_root):
    client = login(cast.erin)
    mapping_page = post_file(client).url
    response = client.post(mapping_page, {"label": "label", "prediction": "predicted"})
    assert response.status_code == 302
    assert staged_files(media_root) == []
    assert list((media_root / "staging").iterdir()) == []


def test_the_sweeper_removes_only_abandoned_staged_uploads(
    cast, login, draft, media_root, settings
):
    settings.WARDEN_STAGING_HOURS = 24
    client = login(cast.erin)
    post_file(client, "old.csv")
    post_file(client, "new.csv")
    (old,) = [path for path in staged_files(media_root) if path.name == "old.csv"]
    day_ago = time.time() - 25 * 3600
    for path in (old, old.parent):
        os.utime(path, (day_ago, day_ago))
    assert staging_sweep.delay().get() == "removed 1 staged upload(s)"
    assert [path.name for path in staged_files(media_root)] == ["new.csv"]
    assert not old.parent.exists()


def test_an_unreadable_file_is_not_kept_in_staging(cast, login, draft, media_root):
    client = login(cast.erin)
    upload = SimpleUploadedFile("broken.parquet", b"PAR1 not really")
    response = client.post(NEW, {"file": upload, "role": "current"})
    assert response.status_code == 200 and "Parquet" in response.content.decode()
    assert staged_files(media_root) == []


def test_on_object_storage_no_staged_key_outlives_its_mapping_or_the_sweeper(
    cast, login, draft, settings, object_store
):
    """S3 has no folders, only keys under a prefix: the mapped upload's key goes, and the
    sweeper finds an abandoned one by its key's age."""
    settings.STORAGES = object_store.storages()
    settings.WARDEN_STAGING_HOURS = 24

    def staged() -> list[str]:
        keys = object_store.keys()  # the bucket's, listed by the S3 API
        return [key.rsplit("/", 1)[1] for key in keys if key.startswith("staging/")]

    client = login(cast.erin)
    mapping_page = post_file(client, "mapped.csv").url
    assert staged() == ["mapped.csv"]
    assert (
        client.post(mapping_page, {"label": "label", "prediction": "predicted"}).status_code == 302
    )
    assert staged() == []
    post_file(client, "old.csv")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        post_file(login(cast.erin), "new.csv")
        assert staging_sweep.delay().get() == "removed 1 staged upload(s)"
    assert staged() == ["new.csv"]
