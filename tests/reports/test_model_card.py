"""The model card end to end: approval -> the worker issues the card -> a Report row and a
trail event -> download -> pdfsig and pyHanko say valid, one changed byte invalid -> the card's
text names the signer, each approval's manifestation, the trail head and the development key."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from audits.models import AuditRun
from governance import hooks, lifecycle
from governance.models import Event
from reports.models import Report
from reports.pdf.verify import read_attachments, verify_pdf
from reports.signer import organisation_signer
from tests.factories import submitted_version_make
from tests.reports.conftest import flip_byte_in_a_stream
from tests.reports.issued import approve, approved_version, pdf_text, pdfsig

pytestmark = pytest.mark.django_db
VALID = "- Signature Validation: Signature is Valid."


def card_url(version) -> str:  # type: ignore[no-untyped-def]
    return f"/api/models/{version.model.slug}/versions/{version.version}/model-card.pdf"


def download(api, user, version) -> bytes:  # type: ignore[no-untyped-def]
    response = api.as_user(user).get(card_url(version))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_approving_a_tier_1_version_issues_its_signed_card(
    cast, api, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks, tier=1)
    report = Report.objects.get(version=version)
    assert report.kind == "model_card" and report.issued_by is None  # issued by the worker
    assert report.record.startswith("model-card:credit-default:1.0.0:")
    event = Event.objects.get(verb="model_card_issued")
    assert event.target_id == str(report.pk) and event.after["sha256"] == report.sha256
    assert event.seq == report.trail_head_seq + 1  # the card attests the trail up to before it

    pdf = download(api, cast.ada, version)
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    assert Report.objects.count() == 1  # the download served the current card

    signer = organisation_signer()
    checked = verify_pdf(pdf, trusted_certificates=[signer.certificate])
    assert checked.valid and checked.record == report.record
    assert VALID in pdfsig(pdf, tmp_path)
    changed = flip_byte_in_a_stream(pdf)
    assert VALID not in pdfsig(changed, tmp_path)
    assert not verify_pdf(changed, trusted_certificates=[signer.certificate]).intact

    text = pdf_text(pdf, tmp_path)
    assert f"Signed by {signer.name}" in text
    assert f"event #{report.trail_head_seq}, {report.trail_head_hash}" in text
    assert "Development key." in text
    for approval in version.approvals.all():
        assert approval.manifestation in text
    assert "Rita Tester (rita)" in text and "Raj Tester (raj)" in text


def test_the_card_carries_every_audit_result_document_as_json(
    cast, django_capture_on_commit_callbacks
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    report = Report.objects.get(version=version)
    attached = read_attachments(report.file.read())
    run = AuditRun.objects.get(version=version)
    assert [a.name for a in attached] == [f"audit-{run.pk}-result.json"]
    assert attached[0].mime == "application/json"
    assert json.loads(attached[0].data) == run.result


def test_the_card_shows_the_audit_with_its_charts(
    cast, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    report = Report.objects.get(version=version)
    run = AuditRun.objects.get(version=version)
    text = pdf_text(report.file.read(), tmp_path)
    assert f"Audit #{run.pk}, the audit this version was submitted and approved with" in text
    assert run.result_sha256 in text
    assert version.artifact_sha256 in text
    for caption in (
        "Confusion matrix",
        "Rates by group: group",
        "Reliability diagram",
        "Accuracy by perturbation size",  # robustness and adversarial, from the model checks
        "Feature importance",
    ):
        assert caption in text
    assert "not measured" not in text
    for evaluation_set in version.evaluation_sets.all():
        assert evaluation_set.original_sha256 in text


def test_a_download_after_the_version_changed_issues_and_signs_nothing(
    cast, api, django_capture_on_commit_callbacks
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    lifecycle.version_suspend(actor=cast.rita, version=version, reason="drift seen in production")
    issued = Event.objects.filter(verb="model_card_issued").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.ada).get(card_url(version))
    assert response.status_code == 404
    assert Report.objects.filter(version=version).count() == 1
    assert Event.objects.filter(verb="model_card_issued").count() == issued


def test_a_download_with_no_current_card_says_how_to_ask_for_one(cast, api) -> None:
    version = approve(submitted_version_make(cast.erin, tier=2), cast.rita)  # callbacks not run
    response = api.as_user(cast.ada).get(card_url(version))
    assert response.status_code == 404
    assert response.json() == {
        "detail": [
            "no model card states this version as it is yet: one is issued when the version is "
            "approved, or ask for one with POST /api/models/credit-default/versions/1.0.0/"
            "model-cards/"
        ]
    }


def test_asking_after_the_version_changed_issues_the_card_a_download_then_serves(
    cast, api, django_capture_on_commit_callbacks
) -> None:
    version = approved_version(cast, django_capture_on_commit_callbacks)
    first = Report.objects.get(version=version)
    lifecycle.version_suspend(actor=cast.rita, version=version, reason="drift seen in production")
    cards = card_url(version).removesuffix("model-card.pdf") + "model-cards/"
    assert api.as_user(cast.rita).post(cards).status_code == 202  # the eager worker issues it
    second = Report.objects.exclude(pk=first.pk).get(version=version)
    assert second.state_sha256 != first.state_sha256 and second.issued_by is None
    pdf = download(api, cast.ada, version)
    assert hashlib.sha256(pdf).hexdigest() == second.sha256


def test_the_worker_issues_nothing_twice_for_the_same_state(
    cast, django_capture_on_commit_callbacks
) -> None:
    from reports.tasks import model_card_generate

    version = approved_version(cast, django_capture_on_commit_callbacks)
    assert model_card_generate.apply(args=[version.pk]).get() == "skipped: a current card exists"
    assert Report.objects.filter(version=version).count() == 1


def test_a_failing_listener_never_undoes_the_approval(
    cast, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    def broken(version_id: int) -> None:
        raise RuntimeError("broker down")

    monkeypatch.setattr(hooks, "_version_approved", [broken])
    version = submitted_version_make(cast.erin, tier=2)
    with django_capture_on_commit_callbacks(execute=True):
        approve(version, cast.rita)
    assert version.status == "approved"
    assert not Report.objects.exists()
