"""The deployment gate over the API: the right answer and every reason, and a pipeline token
that may ask the gate and nothing else."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import decisions, incidents, lifecycle
from tests.factories import (
    PASSWORD,
    audit_make,
    critical_incident_make,
    submitted_version_make,
    user_make,
)

pytestmark = pytest.mark.django_db


def ask(api, user, version, environment="prod"):
    query = f"?model={version.model.slug}&version={version.version}&environment={environment}"
    return api.as_user(user).get(f"/api/gate/{query}")


@pytest.fixture
def approved(cast):
    version = submitted_version_make(cast.erin, 3)
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    version.refresh_from_db()
    return version


def test_an_approved_version_may_be_deployed(cast, api, approved):
    assert ask(api, cast.erin, approved).data == {"allowed": True, "reasons": [], "warnings": []}


def test_a_submitted_version_is_not_approved(cast, api):
    version = submitted_version_make(cast.erin, 3)
    answer = ask(api, cast.erin, version).data
    assert answer["allowed"] is False
    assert answer["reasons"][0].startswith("not approved")


def test_an_expired_approval_is_refused(cast, api, approved):
    with time_machine.travel(approved.approval_expires_at + timedelta(days=1)):
        answer = ask(api, cast.erin, approved).data
    assert answer["allowed"] is False
    assert answer["reasons"][0].startswith("expired")


def test_a_suspended_version_is_refused(cast, api, approved):
    lifecycle.version_suspend(actor=cast.rita, version=approved, reason="Under review.")
    assert ask(api, cast.erin, approved).data["reasons"][0].startswith("suspended")


def test_a_retired_version_is_refused(cast, api, approved):
    lifecycle.version_retire(actor=cast.erin, version=approved, reason="Replaced.")
    assert ask(api, cast.erin, approved).data["reasons"][0].startswith("retired")


def test_a_critical_incident_suspends_and_is_named(cast, api, approved):
    critical_incident_make(cast.erin, [approved], title="Scores all zero")
    reasons = ask(api, cast.erin, approved).data["reasons"]
    assert reasons[0].startswith("suspended")
    assert any(reason.startswith("open critical incident") for reason in reasons)


def test_a_failing_later_audit_is_named(cast, api, approved):
    audit_make(approved, cast.erin, accurate=False)  # e.g. a monitoring audit
    answer = ask(api, cast.erin, approved).data
    assert answer["allowed"] is False
    assert answer["reasons"][0].startswith("failed audit")


def test_a_gate_token_asks_the_gate_and_reads_nothing_else(cast, api, approved):
    pipeline = user_make("pipeline", "gate")
    assert ask(api, pipeline, approved).status_code == 200
    assert api.as_user(pipeline).get("/api/models/").status_code == 403
    assert api.as_user(pipeline).get("/api/events/").status_code == 403


def test_the_gate_names_a_missing_parameter(cast, api):
    response = api.as_user(cast.erin).get("/api/gate/?model=x&version=1")
    assert response.status_code == 400
    assert "environment" in response.data


def test_the_gate_refuses_anonymous_callers(api, approved):
    assert ask(api, None, approved).status_code == 401


def test_an_unknown_model_is_a_404_naming_the_model(cast, api):
    response = api.as_user(cast.erin).get("/api/gate/?model=nope&version=1&environment=prod")
    assert response.status_code == 404
    assert response.json() == {"model": ["no model has the slug 'nope'"]}


def test_an_unknown_version_of_a_known_model_is_a_404_naming_the_version(cast, api, approved):
    path = "/api/gate/?model=credit-default&version=9.9&environment=prod"
    response = api.as_user(cast.erin).get(path)
    assert response.status_code == 404
    assert response.json() == {"version": ["model 'credit-default' has no version '9.9'"]}


def test_a_gate_account_is_told_it_may_only_ask_the_gate(cast, api):
    response = api.as_user(user_make("gil", "gate")).get("/api/models/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "a gate account may only ask the deployment gate (GET /api/gate/)"
    }


def test_a_high_incident_does_not_refuse(cast, api, approved):
    incidents.incident_report(
        actor=cast.erin,
        versions=[approved],
        title="Slow scores",
        severity="high",
        category="outage",
        description="Slow.",
        aware_at=timezone.now(),
    )
    assert ask(api, cast.erin, approved).data == {"allowed": True, "reasons": [], "warnings": []}


def test_the_gate_reads_the_version_and_its_facts_in_one_query(
    cast, api, approved, settings, django_assert_num_queries
):
    settings.WARDEN_TOKEN_CACHE_SECONDS = 60  # the pipeline's token, read once, then cached
    pipeline = user_make("pipeline", "gate")
    ask(api, pipeline, approved)
    query = f"?model=credit-default&version={approved.version}&environment=prod"
    with django_assert_num_queries(1):
        assert api.get(f"/api/gate/{query}").data["allowed"] is True
