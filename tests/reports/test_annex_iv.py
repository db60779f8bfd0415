"""The Annex IV technical documentation end to end: issued through the API, stored as a
Report on the trail, downloaded, valid in pdfsig and in the verify endpoint, invalid with one
changed byte, and stating plainly what the records do not hold (here: a monitoring plan)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import attestations
from governance.models import Event
from reports.annex_iv import annex_iv_facts
from reports.models import Report, ReportKind
from tests.factories import PASSWORD, finding_make, submitted_version_make
from tests.reports.conftest import flip_byte_in_a_stream
from tests.reports.issued import approve, pdf_text, pdfsig

pytestmark = pytest.mark.django_db
VALID = "- Signature Validation: Signature is Valid."
VERSION = "/api/models/credit-default/versions/1.0.0/"


@pytest.fixture
def version(cast):  # type: ignore[no-untyped-def]
    return submitted_version_make(cast.erin, 1, regulatory_regimes=["eu_ai_act"])


def issue(api, user):  # type: ignore[no-untyped-def]
    return api.as_user(user).post(f"{VERSION}annex-iv/")


def test_the_signed_annex_iv_verifies_and_lists_the_missing_monitoring_plan(
    cast, api, version, tmp_path: Path
) -> None:
    response = issue(api, cast.erin)
    assert response.status_code == 201, response.content[:300]
    report = Report.objects.get(kind=ReportKind.ANNEX_IV)
    assert response.json()["record"] == report.record and report.version == version
    event = Event.objects.get(verb="annex_iv_issued")
    assert event.target_id == str(report.pk) and event.actor_name == cast.erin.printed_name

    download = api.as_user(cast.ada).get(f"{VERSION}annex-iv.pdf")
    assert download.status_code == 200 and download["X-Warden-Record"] == report.record
    pdf = b"".join(download.streaming_content)
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    assert VALID in pdfsig(pdf, tmp_path)
    assert VALID not in pdfsig(flip_byte_in_a_stream(pdf), tmp_path)

    text = pdf_text(pdf, tmp_path)
    assert (
        "9. Post-market monitoring plan Missing from the records: "
        "• Post-market monitoring plan: no monitor is scheduled for this model"
    ) in text
    assert f"Audit #{version.submitted_audit_run_id} finished" in text  # the test log, dated

    upload = SimpleUploadedFile("annex.pdf", pdf, content_type="application/pdf")
    answer = api.as_user(cast.ada).post("/api/reports/verify/", {"file": upload}).json()
    assert answer["valid"] is True and answer["report"]["kind"] == ReportKind.ANNEX_IV


def test_every_section_from_1_to_9_is_stated(version) -> None:
    sections = annex_iv_facts(version)["sections"]
    assert [s["number"] for s in sections] == list(range(1, 10))
    general = dict(sections[0]["facts"])
    assert general["Intended purpose"] == "Scores things."
    assert "Intended use: not stated" in sections[0]["missing"]


def test_the_sections_say_plainly_which_governed_records_do_not_exist(version) -> None:
    sections = annex_iv_facts(version)["sections"]
    assert (
        "Validation findings: no validation finding raised on this version or its model"
    ) in sections[4]["missing"]
    assert (
        "Attestation of use as approved: no attestation signed for this model"
        in (sections[5]["missing"])
    )
    assert any("judged under the built-in" in gap for gap in sections[6]["missing"])


def test_the_risk_section_lists_the_findings_raised(cast, version) -> None:
    finding = finding_make(cast.rita, cast.erin, version.model, version, severity="low")
    risk = annex_iv_facts(version)["sections"][4]
    listed = dict(risk["lists"])["Validation findings"]
    assert listed == [
        f"#{finding.pk} Calibration drifts on group b: Low, Open, due {finding.due_on.isoformat()}"
    ]
    assert not any(gap.startswith("Validation findings") for gap in risk["missing"])


def test_the_changes_section_lists_the_owners_attestation(cast, version) -> None:
    approve(version, cast.rita, cast.raj)
    attestations.attestation_sign(actor=cast.erin, model=version.model, password=PASSWORD)
    changes = annex_iv_facts(version)["sections"][5]
    [attested] = dict(changes["lists"])["Attestations of no material change"]
    assert "Erin Tester" in attested and attested.endswith("over 1.0.0")
    assert not any(gap.startswith("Attestation") for gap in changes["missing"])


def test_an_auditor_issues_nothing(cast, api, version) -> None:
    assert issue(api, cast.ada).status_code == 403
    assert not Report.objects.filter(kind=ReportKind.ANNEX_IV).exists()


def test_the_download_says_how_to_issue_one_before_any_is(cast, api, version) -> None:
    response = api.as_user(cast.ada).get(f"{VERSION}annex-iv.pdf")
    assert response.status_code == 404 and "POST" in response.json()["detail"][0]


def test_the_coverage_page_issues_it_for_the_team(cast, client, version) -> None:
    client.force_login(cast.erin)
    page = client.post("/models/credit-default/versions/1.0.0/coverage/", follow=True)
    assert (
        "Annex IV documentation issued as annex-iv:credit-default:1.0.0:" in page.content.decode()
    )
    assert Report.objects.filter(kind=ReportKind.ANNEX_IV, issued_by=cast.erin).count() == 1


def test_the_evidence_bundle_carries_it(cast, api, version) -> None:
    assert issue(api, cast.rita).status_code == 201
    response = api.as_user(cast.ada).get("/api/reports/evidence.zip")
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert [n for n in names if n.startswith("annex-iv/")] == [
        f"annex-iv/{(Report.objects.get(kind=ReportKind.ANNEX_IV).file.name or '').rsplit('/')[-1]}"
    ]
