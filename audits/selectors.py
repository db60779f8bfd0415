"""Reads of audit runs that other parts of Warden need."""

from audits.models import AuditRun, RunStatus
from governance.evidence import AuditEvidence
from governance.models import ModelVersion


def audit_evidence(version: ModelVersion) -> AuditEvidence | None:
    """The version's latest completed audit, as the registry's lifecycle sees it."""
    latest = (
        AuditRun.objects.filter(version=version, status=RunStatus.COMPLETED)
        .order_by("-finished_at", "-id")
        .values("id", "result_sha256", "tier", "verdict", "result__status_reasons")
        .first()
    )
    if latest is None:
        return None
    reasons = tuple(latest["result__status_reasons"] or ())
    return AuditEvidence(latest["id"], latest["result_sha256"], latest["tier"], latest["verdict"],
                         reasons)
