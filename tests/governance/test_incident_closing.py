"""Closing a serious incident takes a risk officer and a settled report: a recorded report to
the authority, or a signed, reasoned "not reportable". Closing never silences Art. 73."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from governance import incidents
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.models import Event, Incident
from tests.factories import PASSWORD, mlmodel_make, version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def serious(cast) -> Incident:
    """A critical, serious incident the engineer erin reported on her own model."""
    version = version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    return incidents.incident_report(
        actor=cast.erin,
        versions=[version],
        title="Wrong denials",
        severity="critical",
        category="bias",
        description="d",
        aware_at=timezone.now() - timedelta(hours=1),
        serious_kind="general",
    )


def close(actor, incident):  # type: ignore[no-untyped-def]
    return incidents.incident_update(actor=actor, incident=incident, changes={"status": "closed"})


def sign_not_reportable(actor, incident, password=PASSWORD, reason="No person was affected."):  # type: ignore[no-untyped-def]
    return incidents.incident_not_reportable_sign(
        actor=actor, incident=incident, reason=reason, password=password
    )


def test_the_reporting_engineer_cannot_close_their_serious_incident(cast, serious):
    with pytest.raises(Forbidden, match="only a risk officer closes a serious incident"):
        close(cast.erin, serious)
    serious.refresh_from_db()
    assert serious.status == "open"


def test_a_risk_officer_cannot_close_a_serious_incident_before_its_report(cast, serious):
    with pytest.raises(Conflict, match="record its report to the authority") as refused:
        close(cast.rita, serious)
    assert refused.value.field == "status"


def test_a_risk_officer_closes_a_serious_incident_once_reported(cast, serious):
    incidents.authority_report_record(
        actor=cast.rita, incident=serious, authority="AI Office", reported_at=timezone.now()
    )
    assert close(cast.rita, serious).status == "closed"


def test_a_signed_not_reportable_finding_lets_a_risk_officer_close_it(cast, serious):
    signed = sign_not_reportable(cast.rita, serious)
    assert (signed.not_reportable_by_name, signed.not_reportable_reason) == (
        "Rita Tester",
        "No person was affected.",
    )
    event = Event.objects.get(verb="incident_found_not_reportable")
    assert event.note == "No person was affected." and "Rita Tester" in event.after["manifestation"]
    assert close(cast.rita, serious).status == "closed"


def test_a_not_reportable_finding_with_a_wrong_password_is_refused_and_recorded(cast, serious):
    with pytest.raises(Forbidden, match="password is not correct"):
        sign_not_reportable(cast.rita, serious, password="not it")
    assert Event.objects.get(verb="signature_refused").target_id == str(serious.pk)
    serious.refresh_from_db()
    assert serious.not_reportable_at is None


def test_a_not_reportable_finding_needs_a_reason(cast, serious):
    with pytest.raises(InvalidInput, match="why") as refused:
        sign_not_reportable(cast.rita, serious, reason="  ")
    assert refused.value.field == "reason"


def test_an_engineer_cannot_sign_an_incident_not_reportable(cast, serious):
    with pytest.raises(Forbidden, match="only a risk officer"):
        sign_not_reportable(cast.erin, serious)


def test_a_not_reportable_finding_stops_the_deadline_reminders(cast, serious):
    assert incidents.incident_deadlines_due(within=timedelta(days=30)) == [serious.pk]
    sign_not_reportable(cast.rita, serious)
    assert incidents.incident_deadlines_due(within=timedelta(days=30)) == []


def test_the_reporter_still_closes_their_own_non_serious_incident(cast):
    version = version_make(mlmodel_make(cast.erin, slug="beta"), cast.erin)
    minor = incidents.incident_report(
        actor=cast.erin,
        versions=[version],
        title="Slow",
        severity="low",
        category="outage",
        description="d",
        aware_at=timezone.now(),
    )
    assert close(cast.erin, minor).status == "closed"


def test_closing_a_serious_incident_over_the_api_before_its_report_is_a_409_on_status(
    cast, serious, api
):
    response = api.as_user(cast.rita).patch(
        f"/api/incidents/{serious.pk}/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 409
    assert "status" in response.data


def test_the_api_signs_an_incident_not_reportable(cast, serious, api):
    response = api.as_user(cast.rita).post(
        f"/api/incidents/{serious.pk}/not-reportable/",
        {"reason": "No person was affected.", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["not_reportable_by_name"] == "Rita Tester"


def test_the_incident_page_shows_the_refused_close_on_the_status_field(cast, serious):
    client = Client()
    client.force_login(cast.rita)
    body = {"form": "update", "update-status": "closed"}
    response = client.post(f"/incidents/{serious.pk}/", body)
    assert response.status_code == 200
    assert "record its report to the authority" in response.context["update"].errors["status"][0]
