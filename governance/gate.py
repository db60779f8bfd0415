"""The deployment gate: may this version go to this environment now, and if not, why not."""

from enum import StrEnum
from functools import cache

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from prometheus_client import Counter

from governance.attestations import attestation_due_at
from governance.evidence import PASSING_VERDICTS, latest_audit_annotations
from governance.models import (
    Incident,
    IncidentStatus,
    ModelVersion,
    OverdueAttestation,
    Severity,
    VersionStatus,
)


def open_critical_incidents() -> QuerySet[Incident]:
    return Incident.objects.filter(severity=Severity.CRITICAL).exclude(status=IncidentStatus.CLOSED)


def gate_versions() -> QuerySet[ModelVersion]:
    """Versions with what the gate weighs read in the same query (the gate is asked on every
    pipeline run): whether an open critical incident names them, and their latest audit."""
    return _gate_versions().all()


@cache
def _gate_versions() -> QuerySet[ModelVersion]:
    """Built once per process, copied per call: resolving the subqueries costs more than
    copying them. Never evaluated itself, so it holds no rows."""
    return ModelVersion.objects.only("status", "approval_expires_at", "integrity_alert").annotate(
        has_open_critical=Exists(open_critical_incidents().filter(versions=OuterRef("pk"))),
        model_tier=F("model__risk_tier"),
        model_clock_at=F("model__attestation_clock_at"),
        **latest_audit_annotations(),
    )


class GateRefusal(StrEnum):
    """The kinds of reason the gate refuses (counted by kind in the gate's metrics)."""

    ATTESTATION = "attestation"
    RETIRED = "retired"
    SUSPENDED = "suspended"
    NOT_APPROVED = "not_approved"
    EXPIRED = "expired"
    INTEGRITY = "integrity"
    CRITICAL_INCIDENT = "critical_incident"
    FAILED_AUDIT = "failed_audit"


GATE_DECISIONS = Counter(
    "warden_gate_decisions", "Answers of the deployment gate API.", ["decision"]
)
GATE_REFUSALS = Counter(
    "warden_gate_refusals",
    "Reasons the gate API refused, by kind (one answer may give several).",
    ["reason"],
)


def gate_decision_count(refusals: list[tuple[GateRefusal, str]]) -> None:
    """Count one gate answer: allowed or refused, and each kind of reason it refused for."""
    GATE_DECISIONS.labels("refused" if refusals else "allowed").inc()
    for kind in sorted({kind for kind, _ in refusals}):
        GATE_REFUSALS.labels(kind.value).inc()


def gate_reasons(version: ModelVersion) -> list[str]:
    """Every reason the version (read through gate_versions()) may not be deployed; empty
    when it may."""
    return [text for _, text in gate_refusals(version)]


def gate_refusals(version: ModelVersion) -> list[tuple[GateRefusal, str]]:
    """Every reason the version may not be deployed, each with its kind."""
    refusals = [
        (GateRefusal.ATTESTATION, text)
        for text in gate_attestation(version, OverdueAttestation.BLOCK)
    ]
    if version.status == VersionStatus.RETIRED:
        refusals.append((GateRefusal.RETIRED, "retired: the version has been taken out of use"))
    elif version.status == VersionStatus.SUSPENDED:
        refusals.append(
            (
                GateRefusal.SUSPENDED,
                "suspended: a risk officer or a critical incident stopped this version",
            )
        )
    elif not version.is_live:
        refusals.append(
            (GateRefusal.NOT_APPROVED, f"not approved: the version is {version.status}")
        )
    if version.approval_lapsed():
        refusals.append(
            (
                GateRefusal.EXPIRED,
                f"expired: the approval lapsed on {version.approval_expires_at:%Y-%m-%d}; "
                "revalidate the version",
            )
        )
    if version.integrity_alert:
        refusals.append((GateRefusal.INTEGRITY, f"integrity: {version.integrity_alert}"))
    if version.has_open_critical:  # type: ignore[attr-defined]
        incidents = open_critical_incidents().filter(versions=version).order_by("pk")
        for pk, title in incidents.values_list("pk", "title"):
            refusals.append(
                (GateRefusal.CRITICAL_INCIDENT, f"open critical incident #{pk}: {title}")
            )
    run_id, verdict = version.latest_audit_id, version.latest_audit_verdict  # type: ignore[attr-defined]
    if run_id is not None and verdict not in PASSING_VERDICTS:  # e.g. drift found by a monitor
        refusals.append(
            (GateRefusal.FAILED_AUDIT, f"failed audit: the latest audit (#{run_id}) is {verdict}")
        )
    return refusals


def gate_warnings(version: ModelVersion) -> list[str]:
    """What the gate allows but reports (read through gate_versions()): an overdue attestation
    under WARDEN_ATTESTATION_OVERDUE = "warn"."""
    return gate_attestation(version, OverdueAttestation.WARN)


def gate_attestation(version: ModelVersion, action: str) -> list[str]:
    """The overdue attestation of a live version's model, when the setting's action is
    `action`; else nothing."""
    if action != settings.WARDEN_ATTESTATION_OVERDUE or not version.is_live:
        return []
    due_at = attestation_due_at(
        version.model_tier,  # type: ignore[attr-defined]
        version.model_clock_at,  # type: ignore[attr-defined]
    )
    if due_at is None or due_at > timezone.now():
        return []
    return [f"attestation overdue: the owner's attestation was due on {due_at:%Y-%m-%d}"]
