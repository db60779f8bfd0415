"""Revalidation: an approved or deployed version is resubmitted with a new audit, stays
deployable until its approval expires, and is decided like any submission."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import decisions, lifecycle
from governance.errors import Conflict
from governance.gate import gate_reasons, gate_versions
from governance.models import Event, EventVerb, ModelVersion, VersionStatus
from tests.factories import PASSWORD, audit_make, critical_incident_make, submitted_version_make

pytestmark = pytest.mark.django_db


def decide(version, officer, decision="approve", comment=""):  # type: ignore[no-untyped-def]
    decisions.decision_record(
        actor=officer,
        version=version,
        decision=decision,
        meaning="approval",
        password=PASSWORD,
        comment=comment,
    )
    version.refresh_from_db()
    return version


def approved(cast, tier: int = 3) -> ModelVersion:
    version = submitted_version_make(cast.erin, tier)
    version = decide(version, cast.rita)
    if tier == 1:
        version = decide(version, cast.raj)
    assert version.status == VersionStatus.APPROVED
    return version


def resubmitted(cast, version: ModelVersion) -> ModelVersion:
    audit_make(version, cast.erin)
    return lifecycle.version_submit(actor=cast.erin, version=version)


def reasons(version: ModelVersion) -> list[str]:
    return gate_reasons(gate_versions().get(pk=version.pk))


def test_an_approved_version_is_resubmitted_for_revalidation_with_a_new_audit(cast):
    version = approved(cast)
    first_audit = version.submitted_audit_run_id
    version = resubmitted(cast, version)
    assert version.status == VersionStatus.SUBMITTED
    assert version.submitted_audit_run_id != first_audit
    assert version.is_revalidating


def test_revalidation_without_a_new_audit_is_refused(cast):
    version = approved(cast)
    with pytest.raises(Conflict, match="revalidation needs a new audit"):
        lifecycle.version_submit(actor=cast.erin, version=version)


def test_a_version_under_revalidation_stays_deployable_until_its_expiry(cast):
    version = resubmitted(cast, approved(cast))
    assert reasons(version) == []
    with time_machine.travel(version.approval_expires_at + timedelta(minutes=1)):
        assert any(reason.startswith("expired") for reason in reasons(version))


def test_a_deployed_version_is_revalidated_and_may_still_be_deployed(cast):
    version = approved(cast)
    lifecycle.deployment_record(actor=cast.erin, version=version, environment="prod")
    version = resubmitted(cast, ModelVersion.objects.get(pk=version.pk))
    lifecycle.deployment_record(actor=cast.erin, version=version, environment="eu-prod")
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert version.deployments.count() == 2


def test_a_revalidation_of_a_tier_1_version_needs_two_new_approvals_and_renews_the_expiry(cast):
    version = approved(cast, tier=1)
    old_expiry = version.approval_expires_at
    with time_machine.travel(timezone.now() + timedelta(days=300)):
        version = resubmitted(cast, version)
        assert decide(version, cast.rita).status == VersionStatus.SUBMITTED
        version = decide(version, cast.raj)
    assert version.status == VersionStatus.APPROVED
    assert version.approval_expires_at > old_expiry + timedelta(days=290)


def test_changes_requested_on_revalidation_withdraw_the_approval(cast):
    version = resubmitted(cast, approved(cast))
    version = decide(version, cast.rita, "request_changes", comment="Drift on the new data.")
    assert version.status == VersionStatus.CHANGES_REQUESTED
    assert version.approval_expires_at is None
    assert reasons(version) == ["not approved: the version is changes_requested"]


def test_a_critical_incident_suspends_a_version_under_revalidation(cast):
    version = resubmitted(cast, approved(cast))
    critical_incident_make(cast.erin, [version])
    version.refresh_from_db()
    assert version.status == VersionStatus.SUSPENDED


def test_a_critical_incident_suspends_as_a_risk_officer_does(cast):
    by_officer, by_incident = (
        decide(submitted_version_make(cast.erin, 3, slug=slug), cast.rita) for slug in "ab"
    )
    lifecycle.version_suspend(actor=cast.rita, version=by_officer, reason="Drift.")
    critical_incident_make(cast.erin, [by_incident])
    events = [
        Event.objects.get(verb=EventVerb.VERSION_SUSPENDED, target_id=str(v.pk))
        for v in (by_officer, by_incident)
    ]
    assert [sorted(e.after) for e in events] == [sorted(events[0].before)] * 2
    assert [e.after["status"] for e in events] == ["suspended", "suspended"]
    for version in (by_officer, by_incident):
        version.refresh_from_db()
        assert version.review_started_at is not None and version.status == "suspended"


def test_a_fresh_submission_cannot_be_suspended(cast):
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Conflict, match="nothing to suspend"):
        lifecycle.version_suspend(actor=cast.rita, version=version, reason="Why not.")


def test_a_version_under_revalidation_is_still_listed_for_revalidation(cast):
    version = resubmitted(cast, approved(cast))
    with time_machine.travel(version.approval_expires_at - timedelta(days=1)):
        assert version in lifecycle.revalidations()["due"]


def test_the_version_page_offers_the_team_to_submit_for_revalidation(cast):
    from django.test import Client
    from django.urls import reverse

    version = approved(cast)
    client = Client()
    client.force_login(cast.erin)
    page = client.get(reverse("version-page", args=[version.model.slug, version.version]))
    assert "Submit for revalidation" in page.content.decode()
    assert page.context["can_audit"] and page.context["can_upload"]
