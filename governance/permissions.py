"""Who may do what to which record: the row-level rules on top of the role groups.

Reading is not scoped by team: every person with a role reads every model, every version and
every record of it (evaluation sets, audits, decisions, deployments, monitors, model cards,
CycloneDX, the trail). A team depends on other teams' models and must read their evidence; the
trail, which everyone reads and verifies, carries every record's before/after snapshot anyway;
and a model card is a document meant to be handed out. Writing is scoped: auditors change
nothing; engineers change only their own team's models and versions; only a risk officer (or an
admin) may override a computed risk tier. The pipelines' gate account reads nothing."""

from governance.errors import Forbidden
from governance.models import (
    Finding,
    Incident,
    MLModel,
    ModelVersion,
    RedTeamAttempt,
    RedTeamCampaign,
    Team,
    User,
)
from governance.roles import Role

READER_ROLES = (Role.ENGINEER, Role.RISK_OFFICER, Role.AUDITOR, Role.ADMIN)


def user_can_read(user: User) -> bool:
    """Every person's role reads the whole registry, every version's records and the trail (see
    above); a user with no role, or only the pipelines' gate role, reads nothing."""
    return user.is_active and any(user.has_role(role) for role in READER_ROLES)


def read_refusal(user: User) -> str:
    """Why this account may not read the registry, in words it can act on; empty if it may."""
    if user_can_read(user):
        return ""
    if user.has_role(Role.GATE):
        return "a gate account may only ask the deployment gate (GET /api/gate/)"
    return "your account has no Warden role: ask an administrator for one"


def require_read(user: User) -> None:
    """Raise Forbidden, saying why, unless the user may read the registry's records."""
    refusal = read_refusal(user)
    if refusal:
        raise Forbidden(refusal)


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
    require_register_models(user)
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


# Role-level rules of the write actions. Each service requires its rule; each API view requires
# it too before reading the body, so a caller who may not act hears 403, not a 400 about fields.


def require_register_models(user: User) -> None:
    """Registering a model is an engineer's (for their team) or an admin's."""
    if not (user.has_role(Role.ADMIN) or user.has_role(Role.ENGINEER)):
        raise Forbidden("only engineers and admins register models")


def require_define_fields(user: User) -> None:
    """The inventory's custom fields are the same for every model, so an admin defines them."""
    if not user.has_role(Role.ADMIN):
        raise Forbidden("only admins define the inventory's custom fields")


def require_suspend(user: User, model: MLModel) -> None:
    """Suspending a live version is a risk officer's call, whoever's model it is."""
    if not user.has_role(Role.RISK_OFFICER):
        raise Forbidden("only a risk officer may suspend a version")


def require_retire(user: User, model: MLModel) -> None:
    """The model's team or a risk officer retires a version."""
    if not user.has_role(Role.RISK_OFFICER):
        require_change_model(user, model)


def require_decide(user: User) -> None:
    if not user.has_role(Role.RISK_OFFICER):
        raise Forbidden("only risk officers decide on versions")


def require_report_incidents(user: User) -> None:
    """Engineers (for their team's versions), risk officers and admins report incidents."""
    if not any(user.has_role(role) for role in (Role.ENGINEER, Role.RISK_OFFICER, Role.ADMIN)):
        raise Forbidden("engineers and risk officers report incidents")


def require_update_incident(user: User, incident: Incident) -> None:
    if not (user.has_role(Role.RISK_OFFICER) or user.pk == incident.reported_by_id):
        raise Forbidden("risk officers and the reporter update an incident")


def require_record_authority_report(user: User) -> None:
    if not user.has_role(Role.RISK_OFFICER):
        raise Forbidden("risk officers record reports to authorities")


# Validation findings: a risk officer raises them; the owner or the model's team answers; a
# risk officer who did not answer validates (closes or reopens). Auditors read only.


def can_raise_finding(user: User) -> bool:
    return user.is_active and user.has_role(Role.RISK_OFFICER)


def require_raise_finding(user: User) -> None:
    if not can_raise_finding(user):
        raise Forbidden("only risk officers raise findings")


def can_remediate_finding(user: User, finding: Finding) -> bool:
    """The finding's owner, or an engineer of the model's team, answers it."""
    return user.is_active and (
        user.pk == finding.owner_id or user_can_change_team_models(user, finding.model.team)
    )


def require_remediate_finding(user: User, finding: Finding) -> None:
    if not can_remediate_finding(user, finding):
        raise Forbidden("only the finding's owner or the model's team answer a finding")


def can_validate_finding(user: User, finding: Finding) -> bool:
    """A risk officer who answered none of the finding's remediations closes or reopens it."""
    return (
        user.is_active
        and user.has_role(Role.RISK_OFFICER)
        and not finding.remediations.filter(remediated_by=user).exists()
    )


def require_validate_finding(user: User, finding: Finding) -> None:
    if not user.has_role(Role.RISK_OFFICER):
        raise Forbidden("only risk officers close or reopen findings")
    if not can_validate_finding(user, finding):
        raise Forbidden("you answered this finding; another risk officer must validate it")


def can_attest(user: User, model: MLModel) -> bool:
    """The model's owner attests that it is used as approved."""
    return user.is_active and user.pk == model.owner_id


def require_attest(user: User, model: MLModel) -> None:
    if not can_attest(user, model):
        raise Forbidden("only the model's owner attests to its use")


# Red-teaming (issue #16) is independent testing: its register is evidence that someone other
# than the model's makers tried to break it, so the makers do not fill it.


def can_red_team(user: User, version: ModelVersion) -> bool:
    """Risk officers and engineers of other teams run campaigns on a version, log, re-try and
    promote attempts; never the model's owner or its team's engineers (their own testing is not
    independent), auditors or admins. The API, the pages and the services all ask this rule."""
    model = version.model
    if not user.is_active or user.pk == model.owner_id:
        return False
    if user.has_role(Role.RISK_OFFICER):
        return True
    return user.has_role(Role.ENGINEER) and user.team_id != model.team_id


def require_red_team(user: User, version: ModelVersion) -> None:
    if not can_red_team(user, version):
        raise Forbidden(
            "risk officers and engineers of other teams red-team a version; never the model's "
            "owner or team"
        )


def can_log_attempt(user: User, campaign: RedTeamCampaign) -> bool:
    """A campaign's members log its attempts (and end it), while they may red-team the version."""
    return can_red_team(user, campaign.version) and campaign.members.filter(pk=user.pk).exists()


def can_read_attacks_in_full(user: User, campaign: RedTeamCampaign) -> bool:
    """Who reads a harmful attempt's prompt and reply unmasked: the people who may download the
    evidence bundle, which carries them whole for regulators (auditors, risk officers, admins:
    reports.permissions), and the campaign's members, who wrote them. Every other reader (the
    model's team, other engineers) sees them masked; other categories are shown to all."""
    if any(user.has_role(role) for role in (Role.RISK_OFFICER, Role.AUDITOR, Role.ADMIN)):
        return user.is_active
    return campaign.members.filter(pk=user.pk).exists()


def require_log_attempt(user: User, campaign: RedTeamCampaign) -> None:
    if not can_log_attempt(user, campaign):
        raise Forbidden("only the campaign's members log its attempts and end it")


def can_withdraw_attempt(user: User, attempt: RedTeamAttempt) -> bool:
    """An attempt logged in error is withdrawn by its author or a risk officer."""
    return user.is_active and (user.pk == attempt.logged_by_id or user.has_role(Role.RISK_OFFICER))


def require_withdraw_attempt(user: User, attempt: RedTeamAttempt) -> None:
    if not can_withdraw_attempt(user, attempt):
        raise Forbidden("the attempt's author or a risk officer withdraws it")


def can_manage_notifications(user: User) -> bool:
    """Webhook endpoints, e-mail subscriptions and redeliveries are an admin's or a risk
    officer's: they decide who outside Warden hears of its events."""
    return user.is_active and (user.has_role(Role.ADMIN) or user.has_role(Role.RISK_OFFICER))


def require_manage_notifications(user: User) -> None:
    if not can_manage_notifications(user):
        raise Forbidden("only admins and risk officers manage webhooks and e-mail subscriptions")


def can_propose_rules(user: User) -> bool:
    """A risk officer or an admin proposes a policy or questionnaire version."""
    return user.is_active and (user.has_role(Role.RISK_OFFICER) or user.has_role(Role.ADMIN))


def require_propose_rules(user: User) -> None:
    if not can_propose_rules(user):
        raise Forbidden("only a risk officer or an admin may propose or withdraw the rules")


def can_approve_rules(user: User, proposed_by_id: int | None) -> bool:
    """A second risk officer signs a rules version into force: never the one who proposed it."""
    return user.is_active and user.has_role(Role.RISK_OFFICER) and user.pk != proposed_by_id


def require_approve_rules(user: User, proposed_by_id: int | None) -> None:
    if user.pk == proposed_by_id:
        raise Forbidden("a second risk officer must approve it, not its proposer")
    if not can_approve_rules(user, proposed_by_id):
        raise Forbidden("only a risk officer may approve the rules")
