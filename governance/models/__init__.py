"""The registry's records, one module per concern."""

from governance.models.accounts import Team, User
from governance.models.decisions import (
    APPROVING_DECISIONS,
    Approval,
    DecisionKind,
    Deployment,
    SignatureMeaning,
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
    ArtifactFormat,
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
    "INCIDENT_TRANSITIONS",
    "REPORTING_DAYS",
    "Approval",
    "ArtifactFormat",
    "AuthorityReport",
    "DecisionKind",
    "Deployment",
    "Event",
    "EventVerb",
    "Incident",
    "IncidentCategory",
    "IncidentStatus",
    "MLModel",
    "ModelType",
    "ModelVersion",
    "RegulatoryRegime",
    "RiskAssessment",
    "SeriousKind",
    "Severity",
    "SignatureMeaning",
    "Team",
    "TrailHead",
    "User",
    "VersionStatus",
]
