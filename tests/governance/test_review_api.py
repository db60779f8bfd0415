"""The review endpoints over HTTP: submit, sign, deploy, revalidations, and their refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.lifecycle import add_months
from governance.models import Approval, Event, ModelVersion
from tests.factories import (
    PASSWORD,
    audit_make,
    submitted_version_make,
    tiered_model_make,
    version_make,
)

pytestmark = pytest.mark.django_db
BASE = "/api/models/credit-default/versions/1.0.0/"


def sign(api, user, **body):
    payload = {"decision": "approve", "meaning": "approval", "password": PASSWORD, **body}
    return api.as_user(user).post(f"{BASE}decisions/", payload, format="json")


def test_submit_then_sign_then_deploy(cast, api):
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    audit_make(version, cast.erin)
    assert api.as_user(cast.erin).post(f"{BASE}submit/").data["status"] == "submitted"
    signed = sign(api, cast.rita, comment="ok")
    assert signed.status_code == 201, signed.data
    assert "Rita Tester (rita)" in signed.data["manifestation"]
    deployed = api.as_user(cast.erin).post(
        f"{BASE}deployments/", {"environment": "prod"}, format="json"
    )
    assert deployed.status_code == 201, deployed.data
    assert api.get(BASE).data["status"] == "deployed"


def test_submit_without_an_audit_is_a_409_saying_why(cast, api):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    response = api.as_user(cast.erin).post(f"{BASE}submit/")
    assert response.status_code == 409
    assert "run an audit" in response.data["detail"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"meaning": "vibes"}, "meaning"),
        ({"decision": "maybe"}, "decision"),
        ({"password": None}, "password"),
        ({"colour": "red"}, "colour"),
        ({"decision": "approve_with_conditions"}, "conditions"),
    ],
)
def test_bad_decisions_are_400_naming_the_field(cast, api, body, field):
    submitted_version_make(cast.erin, 3)
    response = sign(api, cast.rita, **body)
    assert response.status_code == 400
    assert field in response.data
    assert not Approval.objects.exists()


def test_a_wrong_password_over_the_api_is_a_403_and_an_event(cast, api):
    submitted_version_make(cast.erin, 3)
    response = sign(api, cast.rita, password="nope")
    assert response.status_code == 403
    assert "password" in response.data
    assert Event.objects.filter(verb="signature_refused").count() == 1


def test_a_decision_on_a_draft_is_a_409(cast, api):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    response = sign(api, cast.rita)
    assert response.status_code == 409
    assert "draft" in response.data["detail"][0]


def test_an_auditor_cannot_sign(cast, api):
    submitted_version_make(cast.erin, 3)
    assert sign(api, cast.ada).status_code == 403


def test_revalidations_list_due_and_overdue(cast, api):
    due = submitted_version_make(cast.erin, 3)
    overdue = submitted_version_make(cast.erin, 3, slug="other-model")
    now = timezone.now()
    ModelVersion.objects.filter(pk=due.pk).update(
        status="approved", approval_expires_at=now + timedelta(days=10)
    )
    ModelVersion.objects.filter(pk=overdue.pk).update(
        status="deployed", approval_expires_at=now - timedelta(days=1)
    )
    body = api.as_user(cast.ada).get("/api/revalidations/").data
    assert [row["model"] for row in body["due"]] == ["credit-default"]
    assert [row["model"] for row in body["overdue"]] == ["other-model"]


def test_months_are_added_calendar_wise():
    from datetime import UTC, datetime

    assert add_months(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(2029, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)
