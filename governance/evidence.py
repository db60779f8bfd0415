"""What the registry knows of a version's audits without depending on the audits app: that app
registers its providers at start-up (audits.apps), and the lifecycle and the gate ask through
them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery

from governance.models import ModelVersion

# Verdicts under which no check the tier requires failed, errored or was skipped.
PASSING_VERDICTS = ("pass", "warn")


@dataclass(frozen=True)
class AuditEvidence:
    """The latest completed audit of a version: which run, its result hash, the tier it was
    judged under, its verdict and the reasons the policy gave; for an LLM audit, the sha256 of
    the transcripts it scored (which a signature binds too)."""

    run_id: int
    result_sha256: str
    tier: int
    verdict: str
    reasons: tuple[str, ...] = ()
    transcripts_sha256: str = ""

    @property
    def passes(self) -> bool:
        return self.verdict in PASSING_VERDICTS


Provider = Callable[[ModelVersion], AuditEvidence | None]
# The version (an OuterRef in a query of versions) -> annotations naming its latest completed
# audit: `latest_audit_id` and `latest_audit_verdict`, both None when it has none.
Annotations = Callable[[Any], dict[str, Subquery]]
# The version -> ids of the people who uploaded its evaluation sets or requested its audits.
Contributors = Callable[[ModelVersion], set[int]]
_providers: list[Provider] = []
_annotations: list[Annotations] = []
_contributors: list[Contributors] = []


def register_audit_evidence(
    provider: Provider, annotations: Annotations, contributors: Contributors
) -> None:
    """Called once by the audits app: the function that finds a version's latest audit, the
    one that names it inside a query of versions, and the one naming who produced its evidence
    (audits.apps: audits.selectors' audit_evidence, latest_audit_annotations and
    version_contributors)."""
    _providers[:] = [provider]
    _annotations[:] = [annotations]
    _contributors[:] = [contributors]


def audit_evidence_registered() -> tuple[Provider, Annotations, Contributors] | None:
    """The three functions the audits app registered, or None before it did."""
    if not _providers:
        return None
    return _providers[0], _annotations[0], _contributors[0]


def latest_audit(version: ModelVersion) -> AuditEvidence | None:
    return _providers[0](version) if _providers else None


def latest_audit_annotations() -> dict[str, Subquery]:
    """For ModelVersion.objects.annotate(**...): each version's latest completed audit."""
    return _annotations[0](OuterRef("pk"))


def audit_contributors(version: ModelVersion) -> set[int]:
    """Who uploaded the version's evaluation sets or started its audits (segregation of duties
    keeps them from deciding on it)."""
    return _contributors[0](version) if _contributors else set()
