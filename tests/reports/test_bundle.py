"""The evidence bundle: one ZIP with every card, result document, approval, incident, the trail
and its verification, and a manifest whose sha256s match every file in it."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from audits.models import AuditRun
from governance.models import Event
from governance.trail import event_content, event_hash
from reports.models import Report
from tests.reports.issued import approved_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(api, cast, django_capture_on_commit_callbacks) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    approved_version(cast, django_capture_on_commit_callbacks)
    response = api.as_user(cast.ada).get("/api/reports/evidence.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_manifest_names_every_file_with_its_sha256(bundle: zipfile.ZipFile) -> None:
    manifest = json.loads(bundle.read("manifest.json"))
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(bundle.namelist()) - {"manifest.json", "SHA256SUMS"}
    for name, entry in listed.items():
        data = bundle.read(name)
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
        assert len(data) == entry["size"]
    lines = bundle.read("SHA256SUMS").decode().splitlines()
    sums = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    assert sums == {name: entry["sha256"] for name, entry in listed.items()}


def test_it_holds_every_card_the_compliance_report_and_every_result_document(
    bundle: zipfile.ZipFile,
) -> None:
    names = bundle.namelist()
    for report in Report.objects.all():
        (name,) = [n for n in names if n.endswith(report.file.name.rsplit("/", 1)[-1])]
        assert hashlib.sha256(bundle.read(name)).hexdigest() == report.sha256
    assert Report.objects.filter(kind="compliance").count() == 1
    assert {r.kind for r in Report.objects.all()} == {"model_card", "compliance"}
    for run in AuditRun.objects.filter(status="completed"):
        document = json.loads(bundle.read(f"audits/credit-default/1.0.0/audit-{run.pk}.json"))
        assert document == run.result
    (approval,) = json.loads(bundle.read("approvals.json"))
    assert approval["manifestation"].startswith("Rita Tester (rita), ")
    assert "compliance/portfolio.csv" in names


def test_the_trail_export_rechains_and_its_verification_says_intact(
    bundle: zipfile.ZipFile,
) -> None:
    lines = [json.loads(line) for line in bundle.read("trail/events.jsonl").splitlines()]
    previous = "0" * 64
    for line in lines:
        content = {k: v for k, v in line.items() if k not in ("prev_hash", "hash")}
        assert line["prev_hash"] == previous
        assert event_hash(previous, content) == line["hash"]
        previous = line["hash"]
    verification = json.loads(bundle.read("trail/verification.json"))
    assert verification["intact"] is True
    assert verification["head_hash"] == previous
    assert len(lines) == Event.objects.count()
    assert event_content(Event.objects.last())["seq"] == lines[-1]["seq"]


def test_it_holds_every_rules_version_the_records_name(bundle: zipfile.ZipFile) -> None:
    policy = json.loads(bundle.read("rules/policies/warden-default-2026.12.5.json"))
    questionnaire = json.loads(bundle.read("rules/questionnaires/warden-risk-2026.12.1.json"))
    run = AuditRun.objects.filter(status="completed").first()
    assert run is not None and run.policy is not None
    assert policy["content_sha256"] == run.policy.content_sha256
    assert policy["status"] == questionnaire["status"] == "approved"
    assert policy["review_months"] == {"1": 12, "2": 24, "3": 36}
