"""Findings and attestations wherever evidence goes: the signed model card, the compliance
report, and the evidence bundle."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import attestations, decisions, findings
from governance.models import ModelVersion
from tests.factories import PASSWORD, submitted_version_make
from tests.reports.issued import pdf_text

pytestmark = pytest.mark.django_db


def accepted_finding_version(cast, capture) -> ModelVersion:  # type: ignore[no-untyped-def]
    """A tier-2 version approved with conditions accepting a high finding erin answered."""
    version = submitted_version_make(cast.erin, 2)
    finding = findings.finding_raise(
        actor=cast.rita,
        model=version.model,
        version=version,
        title="Thin slice for applicants over 70",
        severity="high",
        description="Fewer than 30 rows.",
        owner=cast.erin,
        due_on=timezone.localdate() + timedelta(days=20),
        basis_audit_run_id=version.submitted_audit_run_id,
        basis_check_id="slices",
    )
    findings.finding_remediate(
        actor=cast.erin,
        finding=finding,
        note="Collected 200 more rows.",
        evidence=SimpleUploadedFile("rows.csv", b"age,rows\n70,230\n"),
    )
    with capture(execute=True):
        decisions.decision_record(
            actor=cast.raj,
            version=version,
            decision="approve_with_conditions",
            meaning="approval",
            password=PASSWORD,
            conditions="Validate the new rows.",
            accepted_findings=[finding.pk],
        )
    version.refresh_from_db()
    return version


def test_the_model_card_lists_the_finding_its_remediation_and_acceptance(
    cast, api, django_capture_on_commit_callbacks, media_root, tmp_path: Path
) -> None:
    version = accepted_finding_version(cast, django_capture_on_commit_callbacks)
    url = f"/api/models/{version.model.slug}/versions/{version.version}/model-card.pdf"
    response = api.as_user(cast.ada).get(url)
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    findings_part = text.split("Validation findings")[1].split("How to check this card")[0]
    finding = version.findings.get()  # its id is not 1 on PostgreSQL (sequences run on)
    assert f"#{finding.pk} Thin" in findings_part  # pdftotext reads the table's cells line by line
    assert "accepted by" in findings_part
    assert "Collected 200" in findings_part


def test_the_compliance_report_names_standing_findings_and_overdue_attestations(
    cast, api, django_capture_on_commit_callbacks, media_root, tmp_path: Path
) -> None:
    accepted_finding_version(cast, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(days=200)):
        assert attestations.attestations_overdue()
        response = api.as_user(cast.ada).get("/api/reports/compliance.pdf")
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    standing = text.split("Standing validation findings")[1].split("Overdue attestations")[0]
    assert "Thin slice" in standing
    assert "Remediated, awaiting" in standing
    assert "Overdue attestations" in text
    assert "Every model in use is attested on time." not in text


def test_the_evidence_bundle_holds_findings_and_attestations(
    cast, api, django_capture_on_commit_callbacks, media_root
) -> None:
    version = accepted_finding_version(cast, django_capture_on_commit_callbacks)
    attestations.attestation_sign(actor=cast.erin, model=version.model, password=PASSWORD)
    response = api.as_user(cast.ada).get("/api/reports/evidence.zip")
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [finding] = json.loads(bundle.read("findings.json"))
    assert finding["title"] == "Thin slice for applicants over 70"
    assert len(finding["remediations"][0]["evidence_sha256"]) == 64
    assert finding["accepted_by_approvals"] == [version.approvals.get().pk]
    [attested] = json.loads(bundle.read("attestations.json"))
    assert attested["versions"][0]["version"] == version.version
    assert "findings.json" in bundle.read("SHA256SUMS").decode()
