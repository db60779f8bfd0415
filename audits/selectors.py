"""Reads of audit runs that other parts of Warden need."""

from audits.models import AuditRun, RunStatus
from governance.evidence import AuditEvidence
from governance.models import ModelVersion


def audit_evidence(version: ModelVersion) -> AuditEvidence | None:
    """The version's latest completed audit, as the registry's lifecycle sees it."""
    run = (
        AuditRun.objects.filter(version=version, status=RunStatus.COMPLETED)
        .order_by("-finished_at", "-id")
        .only("id", "result_sha256", "tier", "verdict", "result")
        .first()
    )
    if run is None:
        return None
    reasons = tuple((run.result or {}).get("status_reasons", ()))
    return AuditEvidence(run.pk, run.result_sha256, run.tier, run.verdict, reasons)
