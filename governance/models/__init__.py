"""The registry's records, one module per concern."""

from governance.models.accounts import Team, User
from governance.models.registry import (
    MLModel,
    ModelType,
    ModelVersion,
    RegulatoryRegime,
    RiskAssessment,
    VersionStatus,
)
from governance.models.trail import Event, TrailHead

__all__ = [
    "Event",
    "MLModel",
    "ModelType",
    "ModelVersion",
    "RegulatoryRegime",
    "RiskAssessment",
    "Team",
    "TrailHead",
    "User",
    "VersionStatus",
]
