"""App configuration for the registry."""

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_migrate


def _questionnaire_seed_after_migrate(sender, **kwargs) -> None:
    from governance.models import QuestionnaireVersion
    from governance.models.rulebooks import QUESTIONNAIRE_SEED, rule_version_seed

    rule_version_seed(QuestionnaireVersion, QUESTIONNAIRE_SEED)


class GovernanceConfig(AppConfig):
    """Registers the role groups and the first questionnaire version after every migrate, so
    they exist on a fresh (or flushed) database without a manual step, keeps the token cache
    honest, and gives trail verification the checkpoint files to compare the chain with."""

    name = "governance"
    verbose_name = "Governance registry"

    def ready(self) -> None:
        from governance.api.authentication import token_cache_connect
        from governance.checkpoints import checkpoint_anchors
        from governance.hooks import on_trail_anchors
        from governance.roles import roles_sync_after_migrate

        attestation_setting_check()
        post_migrate.connect(roles_sync_after_migrate, sender=self)
        post_migrate.connect(_questionnaire_seed_after_migrate, sender=self)
        token_cache_connect()
        on_trail_anchors(checkpoint_anchors)


def attestation_setting_check() -> None:
    """Refuse to start with a WARDEN_ATTESTATION_OVERDUE the gate would not understand."""
    from governance.models import OverdueAttestation

    if settings.WARDEN_ATTESTATION_OVERDUE not in OverdueAttestation.values:
        raise ImproperlyConfigured(
            f"WARDEN_ATTESTATION_OVERDUE must be one of {', '.join(OverdueAttestation.values)}, "
            f"not {settings.WARDEN_ATTESTATION_OVERDUE!r}"
        )
