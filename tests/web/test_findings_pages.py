"""The findings pages: raising one from a version, answering and validating it, the register's
filters, the risk officer's home, and the decision page's block and conditions."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import findings
from governance.models import Event, EventVerb, Finding, FindingStatus
from tests.factories import PASSWORD, submitted_version_make, tiered_model_make, version_make

pytestmark = pytest.mark.django_db
VERSION = "/models/credit-default/versions/1.0.0/"


def finding_make(cast, version, days=30, **fields):  # type: ignore[no-untyped-def]
    values = {
        "title": "Slices below support",
        "severity": "high",
        "description": "Two slices have under 30 rows.",
        "owner": cast.erin,
        "due_on": timezone.localdate() + timedelta(days=days),
        "basis_reference": "validation memo 7",
        **fields,
    }
    return findings.finding_raise(actor=cast.rita, model=version.model, version=version, **values)


def test_a_risk_officer_raises_a_finding_from_the_version(cast, login):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    officer = login(cast.rita)
    assert "Raise a finding" in officer.get(VERSION).content.decode()
    response = officer.post(
        f"{VERSION}findings/new/",
        {
            "title": "No drift check",
            "severity": "medium",
            "description": "No reference set.",
            "basis_reference": "memo 3",
            "owner": cast.erin.pk,
            "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert response.url == f"/findings/{finding.pk}/"
    assert finding.version is not None


def test_an_engineer_is_refused_raising_a_finding_on_the_form(cast, login):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    engineer = login(cast.erin)
    assert "Raise a finding" not in engineer.get(VERSION).content.decode()
    response = engineer.post(
        f"{VERSION}findings/new/",
        {
            "title": "t",
            "severity": "low",
            "description": "d",
            "basis_reference": "m",
            "owner": cast.erin.pk,
            "due_on": timezone.localdate().isoformat(),
        },
    )
    assert "only risk officers raise findings" in response.content.decode()
    assert not Finding.objects.exists()


def test_the_owner_answers_with_a_file_and_another_officer_closes(cast, login, media_root):
    finding = finding_make(cast, version_make(tiered_model_make(cast.erin, 3), cast.erin))
    page = f"/findings/{finding.pk}/"
    engineer = login(cast.erin)
    assert "Answer with a remediation" in engineer.get(page).content.decode()
    answered = engineer.post(
        page,
        {
            "form": "remedy",
            "remedy-note": "Merged the slices.",
            "remedy-evidence": SimpleUploadedFile("slices.csv", b"slice,rows\na,40\n"),
        },
    )
    assert answered.status_code == 302
    closed = login(cast.raj).post(page, {"form": "close", "close-note": "ok"})
    assert closed.status_code == 302
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    assert Event.objects.filter(verb=EventVerb.FINDING_CLOSED, actor=cast.raj).exists()


def test_an_auditor_reads_a_finding_with_no_forms(cast, login):
    finding = finding_make(cast, version_make(tiered_model_make(cast.erin, 3), cast.erin))
    page = login(cast.ada).get(f"/findings/{finding.pk}/").content.decode()
    assert "Slices below support" in page
    assert "Answer with a remediation" not in page
    assert "Close the finding" not in page


def test_the_register_filters_overdue_findings(cast, login):
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    finding_make(cast, version, days=1, title="Soon late")
    finding_make(cast, version, days=90, title="Far off")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        page = login(cast.ada).get("/findings/?status=open&overdue=on").content.decode()
    assert "Soon late" in page
    assert "Far off" not in page


def test_the_risk_officers_home_lists_overdue_findings(cast, login):
    finding_make(cast, version_make(tiered_model_make(cast.erin, 3), cast.erin), days=1)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        page = login(cast.raj).get("/review/").content.decode()
    assert "Overdue findings" in page
    assert "Slices below support" in page


def test_the_decision_page_refuses_an_approval_a_finding_blocks(cast, login):
    finding = finding_make(cast, submitted_version_make(cast.erin, 3))
    body = {"decision": "approve", "meaning": "approval", "password": PASSWORD}
    page = login(cast.raj).post(f"{VERSION}decide/", body).content.decode()
    assert f"#{finding.pk} high" in page
    assert "open findings block the approval" in page


def test_the_decision_page_approves_with_conditions_naming_the_finding(cast, login):
    version = submitted_version_make(cast.erin, 3)
    finding = finding_make(cast, version)
    body = {
        "decision": "approve_with_conditions",
        "meaning": "approval",
        "password": PASSWORD,
        "conditions": "Merge the slices by the due date.",
        "accepted_findings": [finding.pk],
    }
    assert login(cast.raj).post(f"{VERSION}decide/", body).status_code == 302
    version.refresh_from_db()
    assert version.status == "approved"
    assert version.approvals.get().accepted.get().finding == finding
    assert (
        f'Accepts <a href="/findings/{finding.pk}/">'
        in login(cast.ada).get(VERSION).content.decode()
    )
