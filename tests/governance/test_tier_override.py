"""A risk officer's tier override stands until a risk officer changes it, and a submitted
version is decided under the highest tier its model held since submission."""

from datetime import UTC, datetime

import pytest
import time_machine

from governance import decisions, lifecycle, services
from governance.errors import Conflict, Forbidden
from governance.models import Event, MLModel, VersionStatus
from tests.factories import (
    PASSWORD,
    TIER_ANSWERS,
    audit_make,
    mlmodel_make,
    tiered_model_make,
    version_make,
)

pytestmark = pytest.mark.django_db


def override(model: MLModel, officer, tier: int, reason: str = "Feeds a credit decision."):  # type: ignore[no-untyped-def]
    services.risk_tier_override(actor=officer, model=model, tier=tier, reason=reason)
    model.refresh_from_db()
    return model


def approve(version, officer):  # type: ignore[no-untyped-def]
    decisions.decision_record(
        actor=officer, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    version.refresh_from_db()
    return version


def test_an_engineers_questionnaire_does_not_undo_a_risk_officers_override(cast):
    model = override(tiered_model_make(cast.erin, 3), cast.rita, 1)
    services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_ANSWERS[3])
    model.refresh_from_db()
    assert model.risk_tier == 1
    assert (model.risk_assessment.computed_tier, model.risk_assessment.override_by_name) == (
        3,
        "Rita Tester",
    )


def test_a_risk_officer_changes_a_standing_override(cast):
    model = override(tiered_model_make(cast.erin, 3), cast.rita, 1)
    assert override(model, cast.raj, 2, "Only advisory after all.").risk_tier == 2


def test_the_trail_shows_the_overrides_reason_not_the_questionnaires_rationale(cast):
    override(tiered_model_make(cast.erin, 3), cast.rita, 1, "Feeds a credit decision.")
    event = Event.objects.get(verb="risk_tier_overridden")
    assert event.note == "Feeds a credit decision."
    assert (event.before["risk_tier"], event.after["risk_tier"]) == (3, 1)


def test_an_override_needs_a_filed_questionnaire(cast):
    with pytest.raises(Conflict, match="questionnaire"):
        services.risk_tier_override(
            actor=cast.rita, model=mlmodel_make(cast.erin), tier=1, reason="High stakes."
        )


def test_an_engineer_cannot_override(cast):
    with pytest.raises(Forbidden, match="only a risk officer"):
        services.risk_tier_override(
            actor=cast.erin, model=tiered_model_make(cast.erin, 1), tier=3, reason="Mine."
        )


def test_a_version_submitted_under_tier_1_still_needs_two_approvals_and_a_tier_1_lifetime(cast):
    model = override(tiered_model_make(cast.erin, 3), cast.rita, 1)
    version = version_make(model, cast.erin)
    audit_make(version, cast.erin)
    version = lifecycle.version_submit(actor=cast.erin, version=version)
    override(model, cast.rita, 3, "Lowered during the review.")
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=UTC), tick=False):
        assert approve(version, cast.raj).status == VersionStatus.SUBMITTED
        version = approve(version, cast.rita)
    assert version.status == VersionStatus.APPROVED
    assert version.approval_expires_at == datetime(2028, 3, 1, 9, 0, tzinfo=UTC)
