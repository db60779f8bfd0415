"""The findings register through its services: raising, answering with evidence, validating,
the permissions of each step, the trail, and the overdue reminder."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import findings, selectors
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.models import Event, EventVerb, Finding, FindingStatus
from governance.tasks import finding_overdue_reminders_send
from tests.factories import tiered_model_make, version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(cast):  # type: ignore[no-untyped-def]
    return version_make(tiered_model_make(cast.erin, 3), cast.erin)


def raise_finding(cast, target, **fields):  # type: ignore[no-untyped-def]
    values = {
        "version": target,
        "title": "Calibration drifts on group b",
        "severity": "high",
        "description": "ECE on group b is twice the tier's warning.",
        "owner": cast.erin,
        "due_on": timezone.localdate() + timedelta(days=30),
        "basis_audit_run_id": 7,
        "basis_check_id": "calibration",
        **fields,
    }
    return findings.finding_raise(actor=cast.rita, model=target.model, **values)


def remediate(cast, finding, **fields):  # type: ignore[no-untyped-def]
    values = {"note": "Recalibrated with isotonic regression.", **fields}
    return findings.finding_remediate(actor=cast.erin, finding=finding, **values)


def test_a_risk_officer_raises_a_finding_on_the_trail(cast, version):
    finding = raise_finding(cast, version)
    assert finding.status == FindingStatus.OPEN
    event = Event.objects.get(verb=EventVerb.FINDING_RAISED)
    assert event.after["severity"] == "high"
    assert event.target_id == str(finding.pk)


def test_an_engineer_may_not_raise_a_finding(cast, version):
    with pytest.raises(Forbidden):
        findings.finding_raise(
            actor=cast.erin,
            model=version.model,
            title="t",
            severity="low",
            description="d",
            owner=cast.erin,
            due_on=timezone.localdate(),
            basis_reference="memo 12",
        )
    assert not Finding.objects.exists()


def test_a_finding_must_rest_on_something(cast, version):
    with pytest.raises(InvalidInput) as refused:
        raise_finding(cast, version, basis_audit_run_id=None, basis_check_id="")
    assert refused.value.field == "basis_reference"


def test_a_finding_due_in_the_past_is_refused(cast, version):
    with pytest.raises(InvalidInput) as refused:
        raise_finding(cast, version, due_on=timezone.localdate() - timedelta(days=1))
    assert refused.value.field == "due_on"


def test_an_auditor_cannot_own_a_finding(cast, version):
    with pytest.raises(InvalidInput) as refused:
        raise_finding(cast, version, owner=cast.ada)
    assert refused.value.field == "owner"


def test_the_owner_answers_with_a_file_kept_with_its_sha256(cast, version, media_root):
    finding = raise_finding(cast, version)
    content = b"reliability bins after recalibration\n"
    remediation = remediate(
        cast, finding, audit_run_id=8, evidence=SimpleUploadedFile("memo.txt", content)
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.REMEDIATED
    assert remediation.evidence_sha256 == hashlib.sha256(content).hexdigest()
    assert remediation.evidence.read() == content
    event = Event.objects.get(verb=EventVerb.FINDING_REMEDIATED)
    assert event.after["evidence_sha256"] == remediation.evidence_sha256


def test_an_evidence_file_over_the_cap_is_refused_and_nothing_kept(
    cast, version, settings, media_root
):
    settings.WARDEN_MAX_EVIDENCE_BYTES = 10
    finding = raise_finding(cast, version)
    with pytest.raises(InvalidInput) as refused:
        remediate(cast, finding, evidence=SimpleUploadedFile("big.bin", b"x" * 11))
    assert refused.value.field == "evidence"
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not finding.remediations.exists()


def test_an_engineer_of_another_team_may_not_answer(cast, version):
    finding = raise_finding(cast, version)
    with pytest.raises(Forbidden):
        findings.finding_remediate(actor=cast.bob, finding=finding, note="n")


def test_an_auditor_may_not_answer_or_validate(cast, version):
    finding = raise_finding(cast, version)
    with pytest.raises(Forbidden):
        findings.finding_remediate(actor=cast.ada, finding=finding, note="n")
    remediate(cast, finding)
    with pytest.raises(Forbidden):
        findings.finding_close(actor=cast.ada, finding=finding)


def test_a_risk_officer_who_answered_may_not_close_it(cast, version):
    finding = raise_finding(cast, version, owner=cast.raj)
    findings.finding_remediate(actor=cast.raj, finding=finding, note="fixed")
    with pytest.raises(Forbidden):
        findings.finding_close(actor=cast.raj, finding=finding)
    assert findings.finding_close(actor=cast.rita, finding=finding).status == "closed"


def test_the_validator_closes_then_reopens_it_with_a_reason(cast, version):
    finding = raise_finding(cast, version)
    remediate(cast, finding)
    closed = findings.finding_close(actor=cast.rita, finding=finding, note="verified")
    assert closed.closed_by == cast.rita
    reopened = findings.finding_reopen(actor=cast.raj, finding=finding, reason="drift is back")
    assert reopened.status == FindingStatus.OPEN
    assert reopened.closed_at is None
    verbs = list(
        Event.objects.filter(target_type="governance.finding").values_list("verb", flat=True)
    )
    assert verbs == ["finding_raised", "finding_remediated", "finding_closed", "finding_reopened"]


def test_an_unanswered_finding_cannot_be_closed(cast, version):
    finding = raise_finding(cast, version)
    with pytest.raises(Conflict):
        findings.finding_close(actor=cast.rita, finding=finding)


def test_reopening_needs_a_reason(cast, version):
    finding = raise_finding(cast, version)
    remediate(cast, finding)
    with pytest.raises(InvalidInput) as refused:
        findings.finding_reopen(actor=cast.rita, finding=finding, reason=" ")
    assert refused.value.field == "reason"


def test_an_overdue_finding_reminds_its_owner_once(
    cast, version, django_capture_on_commit_callbacks
):
    finding = raise_finding(cast, version, due_on=timezone.localdate() + timedelta(days=1))
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + timedelta(days=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert list(selectors.findings_overdue()) == [finding]
        assert finding_overdue_reminders_send() == "sent 1 reminder(s)"
        assert finding_overdue_reminders_send() == "sent 0 reminder(s)"
    assert [message.to for message in mail.outbox] == [["erin@warden.test"]]
    assert Event.objects.filter(verb=EventVerb.FINDING_OVERDUE_REMINDER_SENT).count() == 1


def test_a_finding_due_later_is_not_overdue(cast, version):
    raise_finding(cast, version)
    assert not selectors.findings_overdue().exists()


def test_a_model_level_finding_blocks_every_version(cast, version):
    finding = raise_finding(cast, version, version=None)
    other = version_make(version.model, cast.erin, version="2.0.0")
    assert list(selectors.findings_blocking(other)) == [finding]


def test_a_medium_finding_blocks_nothing(cast, version):
    raise_finding(cast, version, severity="medium")
    assert not selectors.findings_blocking(version).exists()
