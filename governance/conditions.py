"""Approvals with conditions: which standing findings a decision accepts, checked against the
findings that block the version, and the structured link (approval -> finding, due date)."""

from governance.errors import Conflict, InvalidInput
from governance.models import (
    APPROVING_DECISIONS,
    AcceptedFinding,
    Approval,
    DecisionKind,
    Finding,
    ModelVersion,
)
from governance.selectors import findings_blocking, findings_standing


def findings_to_accept(
    version: ModelVersion, decision: str, accepted_ids: list[int]
) -> list[Finding]:
    """The findings a decision accepts, checked: only an approval with conditions accepts any,
    each must stand on the version (or its model), and an approval must accept every blocking
    one. Refusals name the blocking findings and their due dates."""
    accepted = set(accepted_ids)
    if accepted and decision != DecisionKind.APPROVE_WITH_CONDITIONS:
        raise InvalidInput(
            "only an approval with conditions accepts findings", field="accepted_findings"
        )
    standing = {f.pk: f for f in findings_standing(version)}
    unknown = sorted(accepted - set(standing))
    if unknown:
        raise InvalidInput(
            "not a standing finding of this version: " + ", ".join(f"#{pk}" for pk in unknown),
            field="accepted_findings",
        )
    if decision not in APPROVING_DECISIONS:
        return []
    unaccepted = [f for f in findings_blocking(version) if f.pk not in accepted]
    if unaccepted:
        named = "; ".join(
            f"#{f.pk} {f.severity} {f.title!r} due {f.due_on:%Y-%m-%d}" for f in unaccepted
        )
        raise Conflict(
            f"open findings block the approval: {named}. Approve with conditions naming them "
            "(accepted_findings) or have them closed first",
            field="accepted_findings",
        )
    return [standing[pk] for pk in sorted(accepted)]


def findings_accepted_record(
    approval: Approval, accepted: list[Finding]
) -> list[dict[str, object]]:
    """Link the approval to the findings it accepts, with their due dates; their description
    for the decision's trail event."""
    AcceptedFinding.objects.bulk_create(
        AcceptedFinding(approval=approval, finding=f, due_on=f.due_on) for f in accepted
    )
    return [{"finding": f.pk, "due_on": f.due_on.isoformat()} for f in accepted]
