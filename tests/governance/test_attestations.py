"""Periodic attestation: the owner signs, password re-entered; an overdue attestation shows on
the risk officer's home and in the gate's answer, as a warning or a refusal by the setting."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from governance import attestations, decisions
from governance.apps import attestation_setting_check
from governance.models import Event, EventVerb
from tests.factories import PASSWORD, submitted_version_make, tiered_model_make, version_make

pytestmark = pytest.mark.django_db
ATTEST = "/api/models/credit-default/attestations/"
GATE = "/api/gate/?model=credit-default&version=1.0.0&environment=prod"


@pytest.fixture
def approved(cast):  # type: ignore[no-untyped-def]
    version = submitted_version_make(cast.erin, 3)
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    version.refresh_from_db()
    return version


def later(months: int):  # type: ignore[no-untyped-def]
    return time_machine.travel(timezone.now() + timedelta(days=31 * months))


def test_the_owner_signs_an_attestation_over_the_api(cast, api, approved):
    signed = api.as_user(cast.erin).post(ATTEST, {"password": PASSWORD}, format="json")
    assert signed.status_code == 201, signed.data
    assert "Attestation: the model is used as approved" in signed.data["manifestation"]
    assert signed.data["versions"] == [
        {"version": "1.0.0", "artifact_sha256": approved.artifact_sha256, "status": "approved"}
    ]
    event = Event.objects.get(verb=EventVerb.ATTESTATION_SIGNED)
    assert event.after["signed_sha256"] == signed.data["signed_sha256"]


def test_a_wrong_password_is_refused_and_recorded(cast, api, approved):
    refused = api.as_user(cast.erin).post(ATTEST, {"password": "nope"}, format="json")
    assert refused.status_code == 403
    assert "password" in refused.data
    assert Event.objects.filter(verb=EventVerb.SIGNATURE_REFUSED).count() == 1


def test_only_the_owner_attests(cast, api, approved):
    for person in (cast.eli, cast.rita, cast.ada):
        response = api.as_user(person).post(ATTEST, {"password": PASSWORD}, format="json")
        assert response.status_code == 403
    assert not Event.objects.filter(verb=EventVerb.ATTESTATION_SIGNED).exists()


def test_a_model_with_nothing_in_use_has_nothing_to_attest(cast, api):
    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    response = api.as_user(cast.erin).post(ATTEST, {"password": PASSWORD}, format="json")
    assert response.status_code == 409


def test_a_decision_cannot_mean_an_attestation(cast, api):
    submitted_version_make(cast.erin, 3)
    response = api.as_user(cast.rita).post(
        "/api/models/credit-default/versions/1.0.0/decisions/",
        {"decision": "approve", "meaning": "attestation", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert "meaning" in response.data


def test_the_attestation_falls_due_by_the_tiers_cadence(cast, approved, settings):
    settings.WARDEN_ATTESTATION_MONTHS = {1: 3, 2: 6, 3: 12}
    with later(11):
        assert attestations.attestations_overdue() == []
    with later(13):
        [row] = attestations.attestations_overdue()
    assert row.model == approved.model


def test_an_attestation_restarts_the_clock(cast, approved):
    with later(13):
        attestations.attestation_sign(actor=cast.erin, model=approved.model, password=PASSWORD)
        assert attestations.attestations_overdue() == []


def test_an_overdue_attestation_is_a_gate_warning_by_default(cast, api, approved):
    with later(13):
        answer = api.as_user(cast.erin).get(GATE).data
    assert answer["allowed"] is True
    assert answer["warnings"][0].startswith("attestation overdue")


def test_an_overdue_attestation_blocks_the_gate_when_set_to(cast, api, approved, settings):
    settings.WARDEN_ATTESTATION_OVERDUE = "block"
    with later(13):
        answer = api.as_user(cast.erin).get(GATE).data
        deploy = api.as_user(cast.erin).post(
            "/api/models/credit-default/versions/1.0.0/deployments/",
            {"environment": "prod"},
            format="json",
        )
    assert answer["allowed"] is False
    assert any(reason.startswith("attestation overdue") for reason in answer["reasons"])
    assert answer["warnings"] == []
    assert deploy.status_code == 409


def test_a_fresh_approval_needs_no_attestation_at_the_gate(cast, api, approved):
    answer = api.as_user(cast.erin).get(GATE).data
    assert answer == {"allowed": True, "reasons": [], "warnings": []}


def test_an_unknown_gate_setting_stops_start_up(settings):
    settings.WARDEN_ATTESTATION_OVERDUE = "shrug"
    with pytest.raises(ImproperlyConfigured):
        attestation_setting_check()


def test_the_due_list_names_every_model_in_use(cast, api, approved):
    [row] = api.as_user(cast.ada).get("/api/attestations/due/").data
    assert row["model"] == "credit-default"
    assert row["overdue"] is False


def test_due_by_a_date_is_the_due_list_cut_at_that_date():
    """attestations_due(by=...) reads the clocks as aggregates and keeps only what is due by
    then: the same rows as the whole list cut at that date, for dates across every tier's
    cadence (3, 6 and 12 months on a portfolio approved one to three months ago)."""
    from django.core.management import call_command

    call_command("portfolio_build", "--models", "90", "--teams", "3")
    whole = attestations.attestations_due()
    assert len({row.model.risk_tier for row in whole}) == 3
    for days in (0, 20, 45, 100, 190, 300, 400):
        by = timezone.now() + timedelta(days=days)
        cut = [row for row in whole if row.due_at <= by]
        assert attestations.attestations_due(by=by) == cut
        overdue = attestations.attestations_overdue(now=by)
        assert [row.model.pk for row in overdue] == [row.model.pk for row in cut]
    some = attestations.attestations_due(by=timezone.now() + timedelta(days=100))
    assert 0 < len(some) < len(whole)
