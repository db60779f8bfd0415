"""The registry's records, one module per concern."""

from governance.models.accounts import Team, User
from governance.models.attestations import Attestation, OverdueAttestation
from governance.models.decisions import (
    APPROVING_DECISIONS,
    DECISION_MEANINGS,
    Approval,
    DecisionKind,
    Deployment,
    SignatureMeaning,
)
from governance.models.findings import (
    BLOCKING_SEVERITIES,
    FINDING_TRANSITIONS,
    OPEN_FINDING_STATUSES,
    AcceptedFinding,
    Finding,
    FindingSeverity,
    FindingStatus,
    Remediation,
)
from governance.models.incidents import (
    INCIDENT_TRANSITIONS,
    REPORTING_DAYS,
    AuthorityReport,
    Incident,
    IncidentCategory,
    IncidentStatus,
    SeriousKind,
    Severity,
)
from governance.models.registry import (
    MLModel,
    ModelType,
    ModelVersion,
    RegulatoryRegime,
    RiskAssessment,
    VersionStatus,
)
from governance.models.trail import Event, EventVerb, TrailHead

__all__ = [
    "APPROVING_DECISIONS",
    "BLOCKING_SEVERITIES",
    "DECISION_MEANINGS",
    "FINDING_TRANSITIONS",
    "INCIDENT_TRANSITIONS",
    "OPEN_FINDING_STATUSES",
    "REPORTING_DAYS",
    "AcceptedFinding",
    "Approval",
    "Attestation",
    "AuthorityReport",
    "DecisionKind",
    "Deployment",
    "Event",
    "EventVerb",
    "Finding",
    "FindingSeverity",
    "FindingStatus",
    "Incident",
    "IncidentCategory",
    "IncidentStatus",
    "MLModel",
    "ModelType",
    "ModelVersion",
    "OverdueAttestation",
    "RegulatoryRegime",
    "Remediation",
    "RiskAssessment",
    "SeriousKind",
    "Severity",
    "SignatureMeaning",
    "Team",
    "TrailHead",
    "User",
    "VersionStatus",
]
