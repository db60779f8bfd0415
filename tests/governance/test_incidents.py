"""The incident register: Art. 73 deadlines with time pinned, the status flow, reports to
authorities, reminders, and bad input refused with nothing written."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from governance import incidents
from governance.errors import Conflict, InvalidInput
from governance.models import Event, Incident, VersionStatus
from governance.tasks import incident_deadline_reminders_send
from tests.factories import mlmodel_make, version_make

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def version(cast):
    return version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)


def report(actor, versions, **changes):
    """An incident as a test needs it: a low-severity one unless the test says otherwise."""
    values = {
        "title": "t",
        "severity": "low",
        "category": "other",
        "description": "d",
        "aware_at": timezone.now(),
        **changes,
    }
    return incidents.incident_report(actor=actor, versions=versions, **values)


@pytest.mark.parametrize(
    ("kind", "days"),
    [("general", 15), ("death", 10), ("widespread_or_critical_infrastructure", 2)],
)
def test_the_reporting_deadline_follows_article_73(cast, version, kind, days):
    aware = NOW - timedelta(hours=5)
    with time_machine.travel(NOW, tick=False):
        incident = report(
            cast.erin,
            [version],
            severity="high",
            category="bias",
            aware_at=aware,
            serious_kind=kind,
        )
    assert incident.report_deadline == aware + timedelta(days=days)


def test_a_non_serious_incident_has_no_deadline(cast, version):
    incident = report(cast.erin, [version])
    assert incident.report_deadline is None


def report_body(version, **changes):
    return {
        "title": "Disparity found",
        "versions": [f"{version.model.slug}:{version.version}"],
        "severity": "high",
        "category": "bias",
        "description": "FPR gap of 0.2.",
        "aware_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **changes,
    }


def test_an_engineer_reports_over_the_api(cast, api, version):
    response = api.as_user(cast.erin).post(
        "/api/incidents/", report_body(version, serious_kind="general"), format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["versions"] == ["alpha:1.0.0"]
    assert response.data["report_deadline"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"aware_at": "2999-01-01T00:00:00Z"}, "aware_at"),
        ({"versions": ["alpha:9.9"]}, "versions"),
        ({"versions": ["not a ref"]}, "versions"),
        ({"serious_kind": "meteor"}, "serious_kind"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"owner": "erin"}, "owner"),
    ],
)
def test_bad_incident_input_is_refused_and_nothing_written(cast, api, version, changes, field):
    events = Event.objects.count()
    response = api.as_user(cast.erin).post(
        "/api/incidents/", report_body(version, **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.data
    assert not Incident.objects.exists()
    assert Event.objects.count() == events


def test_another_team_cannot_report_on_our_version(cast, api, version):
    assert (
        api.as_user(cast.bob)
        .post("/api/incidents/", report_body(version), format="json")
        .status_code
        == 403
    )


def test_the_status_flows_open_investigating_mitigated_closed(cast, api, version):
    created = api.as_user(cast.erin).post("/api/incidents/", report_body(version), format="json")
    url = f"/api/incidents/{created.data['id']}/"
    rita = api.as_user(cast.rita)
    for status in ("investigating", "mitigated", "closed"):
        response = rita.patch(
            url, {"status": status, "corrective_actions": "Retrained."}, format="json"
        )
        assert response.status_code == 200, response.data
    assert response.data["closed_at"]
    reopened = rita.patch(url, {"status": "open"}, format="json")
    assert reopened.status_code == 409


def test_skipping_a_status_is_refused(cast, version):
    incident = report(cast.erin, [version])
    with pytest.raises(Conflict, match="cannot become mitigated"):
        incidents.incident_update(
            actor=cast.rita, incident=incident, changes={"status": "mitigated"}
        )


def test_a_report_to_the_authority_is_recorded_with_lateness(cast, api, version):
    aware = timezone.now() - timedelta(days=3)
    incident = report(
        cast.erin,
        [version],
        severity="high",
        category="outage",
        aware_at=aware,
        serious_kind="widespread_or_critical_infrastructure",
    )
    response = api.as_user(cast.rita).post(
        f"/api/incidents/{incident.pk}/authority-reports/",
        {"authority": "BNetzA", "reported_at": timezone.now().isoformat(), "reference": "X-1"},
        format="json",
    )
    assert response.status_code == 201, response.data
    event = Event.objects.get(verb="incident_reported_to_authority")
    assert event.after["after_deadline"] is True


def test_owners_are_reminded_before_the_deadline_once(
    cast, version, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        report(
            cast.erin,
            [version],
            severity="high",
            category="bias",
            aware_at=NOW - timedelta(days=9),
            serious_kind="death",
            owner=cast.rita,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert incident_deadline_reminders_send.apply().get() == "sent 1 reminder(s)"
        assert incident_deadline_reminders_send.apply().get() == "sent 0 reminder(s)"
    assert mail.outbox[-1].to == ["rita@warden.test"]


def test_a_critical_incident_leaves_a_draft_alone(cast, version):
    report(cast.erin, [version], severity="critical", category="security")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_an_incident_with_no_version_is_refused(cast):
    with pytest.raises(InvalidInput, match="at least one"):
        report(cast.rita, [])
