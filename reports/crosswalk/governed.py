"""The resolvers of the governed records issue #17 added: validation findings, attestations and
policy versions. Each says which rule a model-risk validator would hold the record to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from audits.models import AuditRun
from governance.attestations import attestations_due
from governance.models import APPROVING_DECISIONS, AcceptedFinding, Finding, PolicyVersion
from governance.rulebook_selectors import rule_version_in_force
from governance.selectors import finding_list, findings_of_version
from reports.crosswalk.evidence import Coverage, Evidence, Link, Need

if TYPE_CHECKING:
    from reports.crosswalk.resolvers import Subject

S, P, M = Coverage.SATISFIED, Coverage.PARTIAL, Coverage.MISSING


def _finding_link(finding: Finding) -> Link:
    return Link(f"Finding #{finding.pk}", reverse("finding-page", args=[finding.pk]))


def findings_evidence(subject: Subject, need: Need) -> Evidence:
    """Effective challenge: satisfied when a validator raised findings on the version (or its
    model) and none stands unanswered past its due date, nor high/critical without an approving
    decision of this version accepting it; partial when one does; missing when none was raised."""
    v = subject.version
    found = list(findings_of_version(v) if v else finding_list(model=subject.model))
    if not found:
        return Evidence(M, "no validation finding raised on this version or its model")
    links = tuple(_finding_link(f) for f in found)
    accepted = set(
        AcceptedFinding.objects.filter(
            approval__version=v, approval__decision__in=APPROVING_DECISIONS
        ).values_list("finding_id", flat=True)
        if v
        else ()
    )
    unaccepted = [f for f in found if f.blocks_approval and f.pk not in accepted]
    overdue = [f for f in found if f.is_overdue()]
    if unaccepted or overdue:
        gaps = [f"#{f.pk} {f.severity} unaccepted" for f in unaccepted]
        gaps += [f"#{f.pk} overdue since {f.due_on:%Y-%m-%d}" for f in overdue]
        return Evidence(P, "findings standing: " + ", ".join(gaps), links)
    standing = sum(1 for f in found if f.is_open)
    note = f"{len(found)} finding(s) raised, {len(found) - standing} closed, {standing} standing"
    return Evidence(S, note + " (none blocking)", links)


def attestation_evidence(subject: Subject, need: Need) -> Evidence:
    """Use as approved: satisfied by the owner's latest attestation while it is not overdue;
    partial when it is overdue or was signed by someone no longer the owner; missing if none."""
    model = subject.model
    latest = model.attestations.first()
    if latest is None:
        return Evidence(M, "no attestation signed for this model")
    link = subject.model_link("Attestations")
    signed = f"attested by {latest.signer_printed_name} {latest.signed_at:%Y-%m-%d}"
    if latest.signer_id != model.owner_id:
        return Evidence(P, f"{signed}, who is not the model's owner now", (link,))
    due = next(iter(attestations_due(model=model)), None)
    if due is not None and due.overdue:
        return Evidence(P, f"{signed}; the next was due {due.due_at:%Y-%m-%d}", (link,))
    return Evidence(S, signed + (f", next due {due.due_at:%Y-%m-%d}" if due else ""), (link,))


def _policy_link(record: PolicyVersion) -> Link:
    url = reverse("rule-version-page", args=["policies", record.pk])
    return Link(f"Policy {record.name} {record.version}", url)


def policy_version_evidence(subject: Subject, need: Need) -> Evidence:
    """The rules the audit was judged by: satisfied when the latest completed audit was judged
    under the policy version in force when it was requested, and that version carries a second
    risk officer's approval (four eyes); partial when it is the built-in seed nobody approved,
    or was not the one in force; missing with no completed audit naming a policy version."""
    run: AuditRun | None = subject.latest_run
    if run is None or run.policy is None:
        return Evidence(M, "no completed audit judged under a policy version record")
    record = run.policy
    links = (_policy_link(record), Link(f"Audit #{run.pk}", reverse("audit-page", args=[run.pk])))
    in_force = rule_version_in_force(PolicyVersion, at=run.requested_at)
    if in_force is None or in_force.pk != record.pk:
        note = f"audit #{run.pk} was judged under {record}, not the version then in force"
        return Evidence(P, note, links)
    if record.approved_by_id is None:
        return Evidence(P, f"audit #{run.pk} was judged under the built-in {record}", links)
    return Evidence(S, f"audit #{run.pk} judged under {record}: {record.manifestation}", links)


GOVERNED_RESOLVERS = {
    "finding": findings_evidence,
    "attestation": attestation_evidence,
    "policy_version": policy_version_evidence,
}
