"""What the registry knows of a version's audits without depending on the audits app: that app
registers one provider at start-up (audits.apps), and the lifecycle asks through it."""

from collections.abc import Callable
from dataclasses import dataclass

from governance.models import ModelVersion


@dataclass(frozen=True)
class AuditEvidence:
    """The latest completed audit of a version: which run, its result hash, the tier it was
    judged under, its verdict and the reasons the policy gave."""

    run_id: int
    result_sha256: str
    tier: int
    verdict: str
    reasons: tuple[str, ...] = ()

    @property
    def passes(self) -> bool:
        """No check the tier requires failed, errored or was skipped."""
        return self.verdict in ("pass", "warn")


Provider = Callable[[ModelVersion], AuditEvidence | None]
_providers: list[Provider] = []


def register_audit_evidence(provider: Provider) -> None:
    """Called once by the audits app: the function that finds a version's latest audit."""
    _providers[:] = [provider]


def latest_audit(version: ModelVersion) -> AuditEvidence | None:
    return _providers[0](version) if _providers else None
