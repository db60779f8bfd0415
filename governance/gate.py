"""The deployment gate: may this version go to this environment now, and if not, why not."""

from django.utils import timezone

from governance.evidence import latest_audit
from governance.models import IncidentStatus, ModelVersion, Severity, VersionStatus

DEPLOYABLE = (VersionStatus.APPROVED, VersionStatus.DEPLOYED)


def gate_reasons(version: ModelVersion) -> list[str]:
    """Every reason the version may not be deployed; empty when it may."""
    reasons = []
    if version.status == VersionStatus.RETIRED:
        reasons.append("retired: the version has been taken out of use")
    elif version.status == VersionStatus.SUSPENDED:
        reasons.append("suspended: a risk officer or a critical incident stopped this version")
    elif version.status not in DEPLOYABLE:
        reasons.append(f"not approved: the version is {version.status}")
    if version.approval_expires_at and version.approval_expires_at <= timezone.now():
        reasons.append(
            f"expired: the approval lapsed on {version.approval_expires_at:%Y-%m-%d}; "
            "revalidate the version"
        )
    open_critical = version.incidents.filter(severity=Severity.CRITICAL).exclude(
        status=IncidentStatus.CLOSED
    )
    for incident in open_critical.order_by("pk"):
        reasons.append(f"open critical incident #{incident.pk}: {incident.title}")
    evidence = latest_audit(version)
    if evidence is not None and not evidence.passes:  # e.g. a monitoring audit found drift
        reasons.append(f"failed audit: the latest audit (#{evidence.run_id}) is {evidence.verdict}")
    return reasons
