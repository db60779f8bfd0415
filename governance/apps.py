"""App configuration for the registry."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GovernanceConfig(AppConfig):
    """Registers the role groups after every migrate, so roles and their permissions exist
    on a fresh database without a manual step, and keeps the token cache honest."""

    name = "governance"
    verbose_name = "Governance registry"

    def ready(self) -> None:
        from governance.api.authentication import token_cache_connect
        from governance.roles import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, sender=self)
        token_cache_connect()
