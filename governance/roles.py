"""The four roles, each a Django group with the model permissions it holds. Row-level rules
(an engineer changes only their own team's models) live in governance.permissions."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models

VIEW_ALL = (
    "view_mlmodel",
    "view_riskassessment",
    "view_modelversion",
    "view_event",
    "view_team",
    "view_approval",
    "view_deployment",
    "view_incident",
    "view_authorityreport",
    "view_finding",
    "view_remediation",
    "view_acceptedfinding",
    "view_attestation",
    "view_evaluationset",
    "view_auditrun",
    "view_monitor",
    "view_redteamcampaign",
    "view_redteamattempt",
    "view_policyversion",
    "view_questionnaireversion",
    "view_rejudgement",
)


class Role(models.TextChoices):
    ENGINEER = "engineer", "Engineer"
    RISK_OFFICER = "risk_officer", "Risk officer"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"
    GATE = "gate", "Deployment gate (CI/CD pipelines: asks the gate, reads nothing else)"


# Roles one account never holds together: a validator must not validate their own work.
EXCLUSIVE_ROLES = frozenset({Role.ENGINEER, Role.RISK_OFFICER})

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.ENGINEER: (
        *VIEW_ALL,
        "add_mlmodel",
        "change_mlmodel",
        "add_riskassessment",
        "add_modelversion",
        "change_modelversion",
        "add_deployment",
        "add_incident",
    ),
    Role.RISK_OFFICER: (
        *VIEW_ALL,
        "add_riskassessment",
        "change_modelversion",
        "add_approval",
        "add_incident",
        "change_incident",
        "add_authorityreport",
    ),
    Role.AUDITOR: VIEW_ALL,
    Role.GATE: (),
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
