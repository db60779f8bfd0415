"""App configuration for evaluation sets and audit runs."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _policy_seed_after_migrate(sender, **kwargs) -> None:
    from audits.policies import policy_seed

    policy_seed()


class AuditsConfig(AppConfig):
    """Tells the registry how to find a version's latest audit, which artifacts it may accept
    and how to check a proposed policy (governance cannot import us), and the battery which object
    store its s3:// locations are in; seeds the first policy
    version after every migrate (a flushed test database included)."""

    name = "audits"
    verbose_name = "Audits"

    def ready(self) -> None:
        from audits.artifact_rules import BATTERY_ARTIFACT_RULES
        from audits.battery.location import ObjectStore, object_store_use
        from audits.policies import policy_content_check
        from audits.selectors import audit_evidence, latest_audit_annotations, version_contributors
        from governance.artifacts import register_artifact_rules
        from governance.evidence import register_audit_evidence
        from governance.rulebooks import register_policy_check
        from governance.stored_files import stored_store_options

        register_audit_evidence(audit_evidence, latest_audit_annotations, version_contributors)
        register_artifact_rules(BATTERY_ARTIFACT_RULES)
        register_policy_check(policy_content_check)
        # the battery reads s3:// locations with the storage backend's own endpoint and keys
        object_store_use(lambda: ObjectStore(**stored_store_options()))
        post_migrate.connect(_policy_seed_after_migrate, sender=self)
