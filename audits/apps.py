"""App configuration for evaluation sets and audit runs."""

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """Tells the registry how to find a version's latest audit and which artifacts it may
    accept (governance cannot import us)."""

    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from audits.artifact_rules import BATTERY_ARTIFACT_RULES
        from audits.selectors import audit_evidence, latest_audit_annotations, version_contributors
        from governance.artifacts import register_artifact_rules
        from governance.evidence import register_audit_evidence

        register_audit_evidence(audit_evidence, latest_audit_annotations, version_contributors)
        register_artifact_rules(BATTERY_ARTIFACT_RULES)
