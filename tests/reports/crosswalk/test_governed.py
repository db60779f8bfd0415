"""The crosswalk reads findings, attestations and policy versions made through their services:
findings evidence effective challenge unless one blocks unaccepted or is overdue, an attestation
counts while it is the owner's and not overdue, a policy version once a second officer signed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import attestations, decisions, rulebooks
from governance.models import PolicyVersion
from governance.rulebook_selectors import rule_version_in_force
from reports.crosswalk.evidence import Coverage, Need
from reports.crosswalk.resolvers import Subject, resolve
from tests.factories import PASSWORD, finding_make, submitted_version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(cast):  # type: ignore[no-untyped-def]
    return submitted_version_make(cast.erin, 3)


def found(version, kind: str):  # type: ignore[no-untyped-def]
    return resolve(Subject(version.model, version), Need(kind))


def raise_finding(cast, version, severity: str = "high", days: int = 30):  # type: ignore[no-untyped-def]
    return finding_make(
        cast.rita, cast.erin, version.model, version, severity=severity, due_in_days=days
    )


def approve(cast, version, accepted: list[int] | None = None):  # type: ignore[no-untyped-def]
    decision = "approve_with_conditions" if accepted else "approve"
    decisions.decision_record(
        actor=cast.rita,
        version=version,
        decision=decision,
        meaning="approval",
        password=PASSWORD,
        accepted_findings=accepted,
        conditions="Recalibrate next quarter." if accepted else "",
    )
    version.refresh_from_db()
    return version


def test_no_finding_raised_is_no_evidence_of_challenge(version):
    evidence = found(version, "finding")
    assert evidence.status == Coverage.MISSING and "no validation finding" in evidence.note


def test_a_standing_high_finding_nobody_accepted_is_partial(cast, version):
    finding = raise_finding(cast, version)
    evidence = found(version, "finding")
    assert evidence.status == Coverage.PARTIAL and f"#{finding.pk} high unaccepted" in evidence.note
    assert evidence.links[0].url == f"/findings/{finding.pk}/"


def test_a_low_finding_standing_within_its_due_date_is_challenge_enough(cast, version):
    raise_finding(cast, version, severity="low")
    evidence = found(version, "finding")
    assert evidence.status == Coverage.SATISFIED and "1 standing" in evidence.note


def test_an_overdue_finding_is_partial(cast, version):
    raise_finding(cast, version, severity="low", days=1)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        evidence = found(version, "finding")
    assert evidence.status == Coverage.PARTIAL and "overdue since" in evidence.note


def test_a_high_finding_the_approval_accepts_no_longer_counts_against(cast, version):
    finding = raise_finding(cast, version)
    approve(cast, version, accepted=[finding.pk])
    assert found(version, "finding").status == Coverage.SATISFIED


def test_no_attestation_is_missing_and_the_owners_is_satisfied(cast, version):
    assert found(version, "attestation").status == Coverage.MISSING
    approve(cast, version)
    attestations.attestation_sign(actor=cast.erin, model=version.model, password=PASSWORD)
    evidence = found(version, "attestation")
    assert evidence.status == Coverage.SATISFIED and "Erin" in evidence.note
    assert "next due" in evidence.note


def test_an_overdue_attestation_is_partial(cast, version):
    approve(cast, version)
    attestations.attestation_sign(actor=cast.erin, model=version.model, password=PASSWORD)
    with time_machine.travel(timezone.now() + timedelta(days=31 * 40)):
        evidence = found(version, "attestation")
    assert evidence.status == Coverage.PARTIAL and "was due" in evidence.note


def test_the_built_in_policy_nobody_signed_is_partial(version):
    evidence = found(version, "policy_version")
    assert evidence.status == Coverage.PARTIAL and "built-in" in evidence.note


def test_an_audit_under_a_policy_a_second_officer_signed_is_satisfied(cast):
    current = rule_version_in_force(PolicyVersion)
    assert current is not None
    proposal = rulebooks.policy_version_propose(
        actor=cast.rita,
        content={**current.content, "version": "2027.1.0"},
        review_months={"1": 12, "2": 24, "3": 36},
    )
    rulebooks.rule_version_approve(
        actor=cast.raj, record=proposal, password=PASSWORD, meaning="approval"
    )
    version = submitted_version_make(cast.erin, 3)
    evidence = found(version, "policy_version")
    assert evidence.status == Coverage.SATISFIED, evidence.note
    assert "Raj" in evidence.note and evidence.links[0].url == f"/rules/policies/{proposal.pk}/"
