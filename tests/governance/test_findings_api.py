"""Findings over HTTP: raising, answering with a file, validating, the filters, and the block
an open high finding puts on an approval unless an approval with conditions names it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance.models import AcceptedFinding, Approval, Finding
from tests.factories import PASSWORD, submitted_version_make, tiered_model_make, version_make

pytestmark = pytest.mark.django_db
BASE = "/api/models/credit-default/versions/1.0.0/"


def due(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def raise_finding(api, user, **body):  # type: ignore[no-untyped-def]
    payload = {
        "model": "credit-default",
        "version": "1.0.0",
        "title": "Group b is under-served",
        "severity": "high",
        "description": "TPR gap of 0.12 between groups.",
        "owner": "erin",
        "due_on": due(),
        "basis_audit_run_id": 1,
        "basis_check_id": "fairness",
        **body,
    }
    return api.as_user(user).post("/api/findings/", payload, format="json")


def sign(api, user, **body):  # type: ignore[no-untyped-def]
    payload = {"decision": "approve", "meaning": "approval", "password": PASSWORD, **body}
    return api.as_user(user).post(f"{BASE}decisions/", payload, format="json")


def test_an_open_high_finding_blocks_an_approval_naming_it(cast, api):
    submitted_version_make(cast.erin, 3)
    finding = raise_finding(api, cast.rita).data
    refused = sign(api, cast.raj)
    assert refused.status_code == 409, refused.data
    assert f"#{finding['id']} high 'Group b is under-served' due {due()}" in str(
        refused.data["accepted_findings"]
    )
    assert not Approval.objects.exists()


def test_an_approval_with_conditions_names_the_finding_and_its_due_date(cast, api):
    submitted_version_make(cast.erin, 3)
    finding = raise_finding(api, cast.rita).data
    signed = sign(
        api,
        cast.raj,
        decision="approve_with_conditions",
        conditions="Close the TPR gap by the due date.",
        accepted_findings=[finding["id"]],
    )
    assert signed.status_code == 201, signed.data
    assert signed.data["accepted_findings"] == [{"finding": finding["id"], "due_on": due()}]
    assert api.get(BASE).data["status"] == "approved"
    assert AcceptedFinding.objects.get().finding_id == finding["id"]


def test_conditions_that_do_not_name_the_blocking_finding_are_refused(cast, api):
    submitted_version_make(cast.erin, 3)
    raise_finding(api, cast.rita)
    refused = sign(api, cast.raj, decision="approve_with_conditions", conditions="Fix it.")
    assert refused.status_code == 409
    assert "accepted_findings" in refused.data


def test_a_plain_approval_cannot_accept_findings(cast, api):
    submitted_version_make(cast.erin, 3)
    finding = raise_finding(api, cast.rita).data
    refused = sign(api, cast.raj, accepted_findings=[finding["id"]])
    assert refused.status_code == 400
    assert "accepted_findings" in refused.data


def test_a_model_level_finding_blocks_its_versions(cast, api):
    submitted_version_make(cast.erin, 3)
    created = api.as_user(cast.rita).post(
        "/api/findings/",
        {
            "model": "credit-default",
            "title": "No monitoring plan",
            "severity": "critical",
            "description": "Nothing watches drift.",
            "owner": "erin",
            "due_on": due(),
            "basis_reference": "validation report VR-2026-14",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["version"] is None
    assert sign(api, cast.raj).status_code == 409


def test_a_closed_finding_no_longer_blocks(cast, api):
    submitted_version_make(cast.erin, 3)
    finding = raise_finding(api, cast.rita).data
    url = f"/api/findings/{finding['id']}/"
    answered = api.as_user(cast.erin).post(f"{url}remediations/", {"note": "Reweighed."})
    assert answered.status_code == 201, answered.data
    closed = api.as_user(cast.rita).post(f"{url}close/", {"note": "verified"}, format="json")
    assert closed.data["status"] == "closed"
    assert sign(api, cast.raj).status_code == 201


def test_the_owner_answers_with_an_uploaded_file(cast, api, media_root):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    finding = raise_finding(api, cast.rita).data
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("retrain.txt", b"retrained on 2026 data")
    answered = api.as_user(cast.erin).post(
        f"/api/findings/{finding['id']}/remediations/",
        {"note": "Retrained.", "audit_run_id": 2, "evidence": upload},
        format="multipart",
    )
    assert answered.status_code == 201, answered.data
    [remediation] = answered.data["remediations"]
    assert len(remediation["evidence_sha256"]) == 64
    assert remediation["audit_run_id"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"severity": "dire"}, "severity"),
        ({"owner": "nobody"}, "owner"),
        ({"due_on": "soon"}, "due_on"),
        ({"version": "9.9.9"}, "version"),
        ({"owner": "ada"}, "owner"),
        ({"basis_check_id": "Not A Check"}, "basis_check_id"),
    ],
)
def test_bad_findings_are_400_naming_the_field(cast, api, body, field):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    response = raise_finding(api, cast.rita, **body)
    assert response.status_code == 400
    assert field in response.data
    assert not Finding.objects.exists()


def test_an_auditor_reads_findings_but_raises_none(cast, api):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    raise_finding(api, cast.rita)
    assert raise_finding(api, cast.ada).status_code == 403
    assert api.as_user(cast.ada).get("/api/findings/").data["count"] == 1


def test_the_list_filters_overdue_findings(cast, api):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    raise_finding(api, cast.rita, due_on=due(1))
    raise_finding(api, cast.rita, due_on=due(60))
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        listed = api.as_user(cast.ada).get("/api/findings/?overdue=true&status=open")
    assert [row["overdue"] for row in listed.data["results"]] == [True]
