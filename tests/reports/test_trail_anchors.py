"""Every signed document anchors the trail: it leaves a signed checkpoint, its recorded head is
compared by verification, and the evidence bundle carries the checkpoints."""

import io
import json
import zipfile

import pytest
from cryptography import x509
from django.core.files.storage import default_storage

from governance.checkpoints import checkpoint_files
from governance.models import TrailHead
from governance.organisation_key import signature_verifies
from governance.trail import trail_verify
from reports.models import Report
from tests.database_roles import trail_rewrite
from tests.reports.issued import approved_version

pytestmark = pytest.mark.django_db


def test_every_signed_document_leaves_a_checkpoint_of_the_head_that_includes_it(
    cast, django_capture_on_commit_callbacks
):
    approved_version(cast, django_capture_on_commit_callbacks)
    card = Report.objects.get()
    with default_storage.open(checkpoint_files()[-1], "rb") as handle:
        checkpoint = json.load(handle)
    assert checkpoint["reason"] == f"document {card.record}"
    assert checkpoint["seq"] == TrailHead.objects.get(pk=1).seq > card.trail_head_seq


@pytest.mark.django_db(transaction=True)
def test_a_rewrite_before_an_issued_document_is_named_by_that_document(
    cast, django_capture_on_commit_callbacks
):
    approved_version(cast, django_capture_on_commit_callbacks)
    card = Report.objects.get()
    trail_rewrite(2, actor_name="mallory")
    verdict = trail_verify()
    assert not verdict.intact
    assert verdict.reason.startswith(f"document {card.record} states head #{card.trail_head_seq}")


def test_the_evidence_bundle_carries_every_checkpoint_and_the_certificate_to_check_them(
    api, cast, django_capture_on_commit_callbacks
):
    approved_version(cast, django_capture_on_commit_callbacks)
    response = api.as_user(cast.ada).get("/api/reports/evidence.zip")
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    certificate = x509.load_pem_x509_certificate(bundle.read("trail/organisation-certificate.pem"))
    names = [n for n in bundle.namelist() if n.startswith("trail/checkpoints/")]
    checkpoints = [n for n in names if n.endswith(".json")]
    assert len(checkpoints) == len(checkpoint_files()) >= 1
    for name in checkpoints:
        assert signature_verifies(certificate, bundle.read(name), bundle.read(name + ".sig"))
