"""The four roles, each a Django group with the model permissions it holds. Row-level rules
(an engineer changes only their own team's models) live in governance.permissions."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models

VIEW_ALL = ("view_mlmodel", "view_riskassessment", "view_modelversion", "view_event", "view_team")


class Role(models.TextChoices):
    ENGINEER = "engineer", "Engineer"
    RISK_OFFICER = "risk_officer", "Risk officer"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.ENGINEER: (
        *VIEW_ALL,
        "add_mlmodel",
        "change_mlmodel",
        "add_riskassessment",
        "add_modelversion",
        "change_modelversion",
    ),
    Role.RISK_OFFICER: (*VIEW_ALL, "add_riskassessment", "change_modelversion"),
    Role.AUDITOR: VIEW_ALL,
    Role.ADMIN: (
        *VIEW_ALL,
        "add_mlmodel",
        "change_mlmodel",
        "add_riskassessment",
        "add_modelversion",
        "change_modelversion",
        "add_team",
        "change_team",
        "add_user",
        "change_user",
        "view_user",
    ),
}


def roles_sync() -> None:
    """Create the role groups and set exactly the permissions ROLE_PERMISSIONS lists."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label__in=["governance", "audits", "reports"], codename__in=codenames
        )
        group.permissions.set(permissions)


def roles_sync_after_migrate(**kwargs: Any) -> None:
    """post_migrate hook: permissions exist only after migrate, so roles are synced then."""
    roles_sync()
