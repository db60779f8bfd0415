"""Who may do what to which record: the row-level rules on top of the role groups.

Auditors change nothing; engineers change only their own team's models and versions; only a
risk officer (or an admin) may override a computed risk tier."""

from governance.errors import Forbidden
from governance.models import MLModel, ModelVersion, Team, User
from governance.roles import Role

READER_ROLES = (Role.ENGINEER, Role.RISK_OFFICER, Role.AUDITOR, Role.ADMIN)


def user_can_read(user: User) -> bool:
    """Every person's role reads the whole inventory and trail; a user with no role, or only
    the pipelines' gate role, reads nothing."""
    return user.is_active and any(user.has_role(role) for role in READER_ROLES)


def user_can_ask_gate(user: User) -> bool:
    return user.is_active and (user_can_read(user) or user.has_role(Role.GATE))


def user_can_change_team_models(user: User, team: Team) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.ENGINEER) and user.team_id == team.pk


def require_change_model(user: User, model: MLModel) -> None:
    """Raise Forbidden unless the user may change this model and add versions to it."""
    if not user_can_change_team_models(user, model.team):
        raise Forbidden("only engineers of the model's team may change it")


def require_register_model(user: User, team: Team) -> None:
    if not user_can_change_team_models(user, team):
        raise Forbidden("engineers register models for their own team only", field="team")


def require_assess_risk(user: User, model: MLModel, *, overriding: bool) -> None:
    """Engineers of the team fill the questionnaire; overriding the tier is a risk officer's."""
    if user.has_role(Role.ADMIN) or user.has_role(Role.RISK_OFFICER):
        return
    if overriding:
        raise Forbidden("only a risk officer may override the computed tier", field="tier")
    if not user_can_change_team_models(user, model.team):
        raise Forbidden("only engineers of the model's team or risk officers may assess it")


def can_upload(user: User, version: ModelVersion) -> bool:
    """Evaluation sets of a version are uploaded by the model's team (and admins) and by risk
    officers, whose independent validation needs the same tools; never by auditors. The API,
    the pages and the services all ask this one rule."""
    return user.is_active and (
        user.has_role(Role.RISK_OFFICER) or user_can_change_team_models(user, version.model.team)
    )


def can_start_audit(user: User, version: ModelVersion) -> bool:
    """The people who may upload a version's evaluation sets may audit the version on them."""
    return can_upload(user, version)


def require_upload(user: User, version: ModelVersion) -> None:
    if not can_upload(user, version):
        raise Forbidden("only the model's team or a risk officer may upload evaluation sets")


def require_start_audit(user: User, version: ModelVersion) -> None:
    if not can_start_audit(user, version):
        raise Forbidden("only the model's team or a risk officer may audit this version")
