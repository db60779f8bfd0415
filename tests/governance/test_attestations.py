"""Periodic attestation: the owner signs, password re-entered; an overdue attestation shows on
the risk officer's home and in the gate's answer, as a warning or a refusal by the setting."""

import importlib
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from governance import attestations, decisions
from governance.apps import attestation_setting_check
from governance.models import Approval, Event, EventVerb, MLModel
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


def test_the_models_clock_restarts_with_each_approval_and_attestation(cast, approved):
    """MLModel.attestation_clock_at, which the gate and the due lists read, follows the
    signatures: the approval starts it, an attestation restarts it, a refusal leaves alone
    the clock of a model that was never approved."""
    model = approved.model
    model.refresh_from_db()
    assert model.attestation_clock_at == Approval.objects.get(version=approved).signed_at
    with later(2):
        signed = attestations.attestation_sign(actor=cast.erin, model=model, password=PASSWORD)
    model.refresh_from_db()
    assert model.attestation_clock_at == signed.signed_at
    refused = submitted_version_make(cast.erin, 3, slug="churn")
    decisions.decision_record(
        actor=cast.rita,
        version=refused,
        decision="reject",
        meaning="review",
        comment="too weak",
        password=PASSWORD,
    )
    refused.model.refresh_from_db()
    assert refused.model.attestation_clock_at is None
    assert attestations.attestations_due(model=refused.model) == []


def test_the_migration_sets_each_clock_from_the_models_signatures():
    """The clocks the migration writes for models registered before the column existed are
    those kept as the portfolio's signatures were made (tiers 1-3, one or two approvals)."""
    from django.apps import apps
    from django.core.management import call_command

    migration = importlib.import_module("governance.migrations.0021_attestation_clock")
    call_command("portfolio_build", "--models", "40", "--teams", "2")
    kept = dict(MLModel.objects.values_list("pk", "attestation_clock_at"))
    assert sum(at is not None for at in kept.values()) > 10
    MLModel.objects.update(attestation_clock_at=None)
    migration.clocks_from_signatures(apps, None)
    assert dict(MLModel.objects.values_list("pk", "attestation_clock_at")) == kept


@pytest.mark.parametrize(
    ("approved_at", "months", "due"),
    [
        ("2026-01-31T10:00:00+00:00", 1, "2026-02-28T10:00:00+00:00"),
        ("2027-12-31T23:00:00+00:00", 2, "2028-02-29T23:00:00+00:00"),
        ("2026-05-31T08:00:00+00:00", 1, "2026-06-30T08:00:00+00:00"),
    ],
)
def test_a_clock_started_at_a_months_end_is_due_on_the_shorter_months_last_day(
    cast, settings, approved_at, months, due
):
    """The query's narrowing by tier and clock (a cadence less MONTH_END_SLACK before the
    date asked) keeps the models a month's end makes due early: due at that moment, not
    a second before."""
    settings.WARDEN_ATTESTATION_MONTHS = {1: months, 2: months, 3: months}
    with time_machine.travel(datetime.fromisoformat(approved_at), tick=False):
        version = submitted_version_make(cast.erin, 3)
        decisions.decision_record(
            actor=cast.rita,
            version=version,
            decision="approve",
            meaning="approval",
            password=PASSWORD,
        )
    due_at = datetime.fromisoformat(due)
    assert attestations.attestations_due(by=due_at - timedelta(seconds=1)) == []
    [row] = attestations.attestations_due(by=due_at)
    assert row.due_at == due_at
    assert [r.model for r in attestations.attestations_overdue(now=due_at)] == [version.model]


def test_saving_a_copy_read_before_the_approval_keeps_the_clock(cast):
    """The clock is written only by its keeper: an edit saved from a copy of the model read
    before the approval (a form opened earlier) does not set it back to nothing."""
    version = submitted_version_make(cast.erin, 3)
    stale = MLModel.objects.get(pk=version.model_id)
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    stale.purpose = "Scores credit applications, reworded."
    stale.save()
    stale.refresh_from_db()
    assert stale.purpose == "Scores credit applications, reworded."
    assert stale.attestation_clock_at == Approval.objects.get(version=version).signed_at
