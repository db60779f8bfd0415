"""The review lifecycle: every transition, submission guards, signed decisions with four eyes,
expiry by tier, deployments and notifications."""

import itertools
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.db import connections

from governance import decisions, lifecycle
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.models import Approval, Event, ModelVersion, VersionStatus
from governance.models.registry import TRANSITIONS
from tests.factories import (
    PASSWORD,
    audit_make,
    submitted_version_make,
    tiered_model_make,
    version_make,
)

pytestmark = pytest.mark.django_db
STATUSES = list(VersionStatus.values)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(STATUSES, STATUSES)))
def test_every_transition_is_allowed_exactly_when_the_table_lists_it(source, target):
    version = ModelVersion(status=source, version="1")
    if target in TRANSITIONS[source]:
        lifecycle.move(version, target)
        assert version.status == target
    else:
        with pytest.raises(Conflict, match=f"is {source} and cannot become {target}"):
            lifecycle.move(version, target)


def approve(version, officer, decision="approve", **extra):
    return decisions.decision_record(
        actor=officer,
        version=version,
        decision=decision,
        meaning="approval",
        password=PASSWORD,
        **extra,
    )


def test_a_version_without_an_audit_cannot_be_submitted(cast):
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    with pytest.raises(Conflict, match="run an audit"):
        lifecycle.version_submit(actor=cast.erin, version=version)


def test_a_failing_audit_blocks_submission_naming_the_check(cast):
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    audit_make(version, cast.erin, accurate=False)
    with pytest.raises(Conflict, match="required check performance failed"):
        lifecycle.version_submit(actor=cast.erin, version=version)


def test_submission_notifies_the_risk_officers(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = submitted_version_make(cast.erin, 3)
    assert version.status == VersionStatus.SUBMITTED
    assert version.submitted_audit_sha256
    assert {"rita@warden.test", "raj@warden.test"} <= set(mail.outbox[-1].to)


def test_the_submitter_cannot_approve_even_as_a_risk_officer(cast):
    from django.contrib.auth.models import Group

    from tests.factories import user_make

    sam = user_make("sam", "engineer", team="team-a")  # an engineer who is also a risk officer
    sam.groups.add(Group.objects.get(name="risk_officer"))
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    audit_make(version, cast.erin)
    version = lifecycle.version_submit(actor=sam, version=version)
    with pytest.raises(Forbidden, match="you submitted this version"):
        approve(version, sam)
    assert not Approval.objects.exists()


def test_the_owner_cannot_approve_even_as_a_risk_officer(cast):
    from governance.models import MLModel

    version = submitted_version_make(cast.erin, 3)
    MLModel.objects.filter(pk=version.model_id).update(owner=cast.rita)
    with pytest.raises(Forbidden, match="you own this model"):
        approve(version, cast.rita)
    assert not Approval.objects.exists()


def test_an_engineer_cannot_decide(cast):
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Forbidden, match="only risk officers"):
        approve(version, cast.eli)


def test_a_tier_1_version_needs_two_risk_officers(cast):
    version = submitted_version_make(cast.erin, 1)
    approve(version, cast.rita)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    with pytest.raises(Conflict, match="approved this version already"):
        approve(version, cast.rita)
    approve(version, cast.raj)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


@pytest.mark.parametrize(("tier", "months"), [(1, 12), (2, 24), (3, 36)])
def test_an_approval_expires_by_tier(cast, tier, months):
    version = submitted_version_make(cast.erin, tier)
    with time_machine.travel(datetime(2027, 1, 31, 9, 0, tzinfo=UTC), tick=False):
        approve(version, cast.rita)
        if tier == 1:
            approve(version, cast.raj)
    version.refresh_from_db()
    expected = {
        12: datetime(2028, 1, 31, 9, 0, tzinfo=UTC),
        24: datetime(2029, 1, 31, 9, 0, tzinfo=UTC),
        36: datetime(2030, 1, 31, 9, 0, tzinfo=UTC),
    }[months]
    assert version.approval_expires_at == expected


def test_a_signature_stores_its_manifestation_and_what_it_covers(cast):
    version = submitted_version_make(cast.erin, 3)
    approval = approve(version, cast.rita, comment="Meets the policy.")
    assert approval.signer_printed_name == "Rita Tester"
    assert approval.signer_username == "rita"
    assert approval.artifact_sha256 == version.artifact_sha256
    assert approval.audit_result_sha256 == version.submitted_audit_sha256
    assert approval.signed_sha256 == decisions.signed_digest(
        version.artifact_sha256, version.submitted_audit_sha256
    )
    assert "Rita Tester (rita)" in approval.manifestation and "UTC" in approval.manifestation
    event = Event.objects.get(verb="approval_granted")
    assert event.after["manifestation"] == approval.manifestation


def test_a_wrong_password_is_refused_and_recorded(cast):
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Forbidden, match="password"):
        decisions.decision_record(
            actor=cast.rita,
            version=version,
            decision="approve",
            meaning="approval",
            password="guess",
        )
    assert not Approval.objects.exists()
    refused = Event.objects.get(verb="signature_refused")
    assert (refused.actor_name, refused.target_id) == ("Rita Tester", str(version.pk))


def test_a_rejection_needs_a_reason_and_notifies_the_owner(
    cast, django_capture_on_commit_callbacks
):
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(InvalidInput, match="say why"):
        approve(version, cast.rita, decision="reject")
    with django_capture_on_commit_callbacks(execute=True):
        approve(version, cast.rita, decision="reject", comment="Calibration too weak.")
    version.refresh_from_db()
    assert version.status == VersionStatus.REJECTED
    assert mail.outbox[-1].to == ["erin@warden.test"]


def test_changes_requested_reopen_to_draft(cast):
    version = submitted_version_make(cast.erin, 3)
    approve(version, cast.rita, decision="request_changes", comment="Add slices.")
    version = lifecycle.version_reopen(actor=cast.erin, version=version)
    assert version.status == VersionStatus.DRAFT


def test_a_decision_on_a_draft_is_refused(cast):
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    with pytest.raises(Conflict, match="only a submitted version"):
        approve(version, cast.rita)


def test_only_an_approved_version_is_deployed(cast):
    version = submitted_version_make(cast.erin, 3)
    with pytest.raises(Conflict, match="not approved"):
        lifecycle.deployment_record(actor=cast.erin, version=version, environment="prod")
    approve(version, cast.rita)
    lifecycle.deployment_record(actor=cast.erin, version=version, environment="staging")
    lifecycle.deployment_record(actor=cast.erin, version=version, environment="prod")
    version.refresh_from_db()
    assert version.status == VersionStatus.DEPLOYED
    assert list(version.deployments.values_list("environment", flat=True)) == ["prod", "staging"]


def test_a_suspended_version_is_re_approved_by_a_new_decision(cast):
    version = submitted_version_make(cast.erin, 3)
    approve(version, cast.rita)
    lifecycle.version_suspend(actor=cast.raj, version=version, reason="Drift seen.")
    approve(version, cast.raj)
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_give_one_approved_transition():
    from tests.factories import user_make

    erin = user_make("erin", "engineer", team="team-a")
    officers = [user_make("rita", "risk_officer"), user_make("raj", "risk_officer")]
    version = submitted_version_make(erin, 3)
    barrier, outcomes = threading.Barrier(2), []

    def sign(officer):
        try:
            barrier.wait()
            approve(ModelVersion.objects.get(pk=version.pk), officer)
            outcomes.append("approved")
        except Conflict as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "approved" and "is approved" in sorted(outcomes)[1]
    assert Event.objects.filter(verb="approval_granted").count() == 1
    assert Approval.objects.count() == 1


def test_repeated_wrong_passwords_lock_signing(cast, settings):
    settings.WARDEN_SIGNATURE_MAX_FAILURES = 3
    version = submitted_version_make(cast.erin, 3)
    for _ in range(3):
        with pytest.raises(Forbidden, match="password is not correct"):
            decisions.decision_record(
                actor=cast.rita,
                version=version,
                decision="approve",
                meaning="approval",
                password="guess",
            )
    with pytest.raises(Forbidden, match="signing is locked until"):
        approve(version, cast.rita)  # even the right password, for the lockout window
    assert not Approval.objects.exists()
    approve(version, cast.raj)  # another risk officer is not affected


def test_owners_are_reminded_of_a_lapsing_approval_once(cast, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from governance.tasks import revalidation_reminders_send

    version = submitted_version_make(cast.erin, 3)
    approve(version, cast.rita)
    ModelVersion.objects.filter(pk=version.pk).update(
        approval_expires_at=timezone.now() + timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert revalidation_reminders_send.apply().get() == "sent 1 reminder(s)"
    assert revalidation_reminders_send.apply().get() == "sent 0 reminder(s)"
    assert mail.outbox[-1].to == ["erin@warden.test"]
    assert "revalidation" in mail.outbox[-1].subject
