"""Who may read and issue which document. Everyone with a role reads every model card, as
every record of a version (governance.permissions says why); engineers issue the cards of their
own team's models only, since a card is what their team hands out; the portfolio documents
(compliance report, CSV, evidence bundle) are for auditors, risk officers and admins. Anyone
with a role may verify a PDF."""

from governance.errors import Forbidden
from governance.models import MLModel, User
from governance.roles import Role

OVERSIGHT_ROLES = (Role.AUDITOR, Role.RISK_OFFICER, Role.ADMIN)


def _oversees(user: User) -> bool:
    return user.is_active and any(user.has_role(role) for role in OVERSIGHT_ROLES)


def _in_team(user: User, model: MLModel) -> bool:
    return user.is_active and user.has_role(Role.ENGINEER) and user.team_id == model.team_id


def user_can_issue_card(user: User, model: MLModel) -> bool:
    """Issuing a version's documents (a new card, its Annex IV documentation) is the team's,
    risk officers' and admins'; a download only reads the document on record."""
    allowed = user.is_active and (user.has_role(Role.RISK_OFFICER) or user.has_role(Role.ADMIN))
    return allowed or _in_team(user, model)


def require_issue_card(user: User, model: MLModel) -> None:
    if not user_can_issue_card(user, model):
        raise Forbidden("only the model's team, risk officers and admins issue its documents")


def user_can_read_portfolio(user: User) -> bool:
    return _oversees(user)


def require_read_portfolio(user: User) -> None:
    if not user_can_read_portfolio(user):
        raise Forbidden("the portfolio documents are for auditors, risk officers and admins")
