"""The red-team register's writes: start and end a campaign, log an attempt (append-only), re-try
it, withdraw it, promote it to the version's probe set, report it as an incident. Each checks
who may act (governance.permissions.can_red_team) and records one trail event; the trail keeps
an attempt's texts as sha256 digests, so it proves them unchanged without showing them to all."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.errors import Conflict, Forbidden, InvalidInput
from governance.incidents import incident_report
from governance.models import (
    INCIDENT_CATEGORY_OF,
    AttackCategory,
    AttackSeverity,
    EventVerb,
    Incident,
    ModelType,
    ModelVersion,
    RedTeamAttempt,
    RedTeamCampaign,
    User,
    VersionStatus,
)
from governance.permissions import (
    can_red_team,
    require_log_attempt,
    require_red_team,
    require_withdraw_attempt,
)
from governance.trail import event_record, snapshot

CAMPAIGN_FIELDS = ["version", "name", "scope", "members", "started_at", "ended_at"]
ATTEMPT_TEXTS = ["prompt", "system", "context", "reply"]
ATTEMPT_FIELDS = [
    "campaign",
    "category",
    "severity",
    "succeeded",
    "success_marker",
    "logged_at",
    "reproduced",
    "reproduced_by",
    "promoted_at",
    "incident",
    "withdrawn_at",
]


def attempt_snapshot(attempt: RedTeamAttempt) -> dict[str, Any]:
    """The attempt for the trail: its facts, and its texts as sha256 (and length) only."""
    values = snapshot(attempt, ATTEMPT_FIELDS)
    for name in ATTEMPT_TEXTS:
        text = getattr(attempt, name)
        values[f"{name}_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        values[f"{name}_length"] = len(text)
    return values


def red_team_campaign_start(
    *, actor: User, version: ModelVersion, name: str, scope: str = "", members: Sequence[User] = ()
) -> RedTeamCampaign:
    """Open a campaign on an LLM version; the actor is a member, and so is everyone named, each
    of whom must be allowed to red-team it."""
    require_red_team(actor, version)
    if version.model.model_type != ModelType.LLM:
        raise InvalidInput("red-team campaigns are run on versions of LLM models", field="version")
    if version.status == VersionStatus.RETIRED:
        raise Conflict(f"version {version.version} is retired", field="version")
    if not name.strip():
        raise InvalidInput("name the campaign", field="name")
    refused = [m.username for m in members if not can_red_team(m, version)]
    if refused:
        raise InvalidInput(
            f"{', '.join(sorted(refused))} may not red-team this version (the model's owner and "
            "team, auditors and admins do not)",
            field="members",
        )
    with transaction.atomic():
        campaign = RedTeamCampaign.objects.create(
            version=version,
            name=name.strip(),
            scope=scope,
            started_by=actor,
            started_at=timezone.now(),
        )
        campaign.members.set({actor, *members})
        event_record(
            actor=actor,
            verb=EventVerb.RED_TEAM_CAMPAIGN_STARTED,
            target=campaign,
            after=snapshot(campaign, CAMPAIGN_FIELDS),
        )
    return campaign


def _locked_campaign(campaign: RedTeamCampaign) -> RedTeamCampaign:
    return (
        RedTeamCampaign.objects.select_for_update()
        .select_related("version__model")
        .get(pk=campaign.pk)
    )


def red_team_campaign_end(*, actor: User, campaign: RedTeamCampaign) -> RedTeamCampaign:
    """A member closes the campaign: no attempt is logged in it after."""
    require_log_attempt(actor, campaign)
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        if not campaign.is_open:
            raise Conflict(f"campaign #{campaign.pk} has ended already")
        before = snapshot(campaign, CAMPAIGN_FIELDS)
        campaign.ended_at = timezone.now()
        campaign.save(update_fields=["ended_at"])
        event_record(
            actor=actor,
            verb=EventVerb.RED_TEAM_CAMPAIGN_ENDED,
            target=campaign,
            before=before,
            after=snapshot(campaign, CAMPAIGN_FIELDS),
        )
    return campaign


def _attempt_refusal(
    prompt: str, reply: str, category: str, severity: str, succeeded: bool, success_marker: str
) -> InvalidInput | None:
    if not prompt.strip():
        return InvalidInput("give the prompt that was sent", field="prompt")
    if not reply.strip():
        return InvalidInput("give the reply that came back", field="reply")
    if category not in AttackCategory.values:
        return InvalidInput(f"{category!r} is not a red-team category", field="category")
    if severity not in AttackSeverity.values:
        return InvalidInput(f"{severity!r} is not a severity", field="severity")
    marker = success_marker.strip()
    if succeeded and marker and marker.casefold() not in reply.casefold():
        return InvalidInput(
            "the reply does not contain the success marker, so the attack cannot have worked by it",
            field="success_marker",
        )
    return None


def red_team_attempt_log(
    *,
    actor: User,
    campaign: RedTeamCampaign,
    prompt: str,
    reply: str,
    category: str,
    severity: str,
    succeeded: bool,
    system: str = "",
    context: str = "",
    success_marker: str = "",
) -> RedTeamAttempt:
    """Record what a member sent and what came back, once: it is never edited after."""
    require_log_attempt(actor, campaign)
    refusal = _attempt_refusal(prompt, reply, category, severity, succeeded, success_marker)
    if refusal:
        raise refusal
    with transaction.atomic():
        campaign = _locked_campaign(campaign)
        if not campaign.is_open:
            raise Conflict(f"campaign #{campaign.pk} has ended: start a new one", field="campaign")
        attempt = RedTeamAttempt.objects.create(
            campaign=campaign,
            prompt=prompt,
            system=system,
            context=context,
            reply=reply,
            category=category,
            severity=severity,
            succeeded=succeeded,
            success_marker=success_marker.strip(),
            logged_by=actor,
            logged_at=timezone.now(),
        )
        event_record(
            actor=actor,
            verb=EventVerb.RED_TEAM_ATTEMPT_LOGGED,
            target=attempt,
            after=attempt_snapshot(attempt),
        )
    return attempt


def _changed(
    attempt: RedTeamAttempt, actor: User, verb: EventVerb, note: str, **values: Any
) -> RedTeamAttempt:
    """Set the attempt's after-the-fact fields under a lock and record `verb`."""
    with transaction.atomic():
        locked = RedTeamAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_withdrawn:
            raise Conflict(f"attempt #{locked.pk} was withdrawn")
        before = attempt_snapshot(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(values))
        event_record(
            actor=actor, verb=verb, target=locked, before=before,
            after=attempt_snapshot(locked), note=note,
        )  # fmt: skip
    return locked


def red_team_attempt_reproduce(
    *, actor: User, attempt: RedTeamAttempt, reproduced: bool, note: str = ""
) -> RedTeamAttempt:
    """Someone other than its author re-tried the attempt: whether it worked again, and how."""
    require_red_team(actor, attempt.campaign.version)
    if actor.pk == attempt.logged_by_id:
        raise Forbidden("an attempt is reproduced by someone other than who logged it")
    return _changed(
        attempt, actor, EventVerb.RED_TEAM_ATTEMPT_REPRODUCED, note,
        reproduced=reproduced, reproduced_by=actor, reproduced_at=timezone.now(),
    )  # fmt: skip


def red_team_attempt_promote(*, actor: User, attempt: RedTeamAttempt) -> RedTeamAttempt:
    """Add a successful attack to the version's probe set: every later LLM audit re-tries it
    (audits.red_team.red_team_probes, the red_team_regression check)."""
    require_red_team(actor, attempt.campaign.version)
    if attempt.promotion_refusal:
        raise Conflict(attempt.promotion_refusal)
    return _changed(
        attempt, actor, EventVerb.RED_TEAM_ATTEMPT_PROMOTED, "",
        promoted_by=actor, promoted_at=timezone.now(),
    )  # fmt: skip


def red_team_attempt_withdraw(
    *, actor: User, attempt: RedTeamAttempt, reason: str
) -> RedTeamAttempt:
    """Its author or a risk officer withdraws an attempt logged in error, saying why: it stays in
    the register, uncounted and never re-tried; the correction is a new attempt."""
    require_withdraw_attempt(actor, attempt)
    if not reason.strip():
        raise InvalidInput("say why the attempt is withdrawn", field="reason")
    return _changed(
        attempt, actor, EventVerb.RED_TEAM_ATTEMPT_WITHDRAWN, reason.strip(),
        withdrawn_reason=reason.strip(), withdrawn_at=timezone.now(),
    )  # fmt: skip


def attempt_summary(attempt: RedTeamAttempt) -> str:
    """The attempt in one sentence for an incident or finding: it names, never quotes, it."""
    campaign = attempt.campaign
    return (
        f"Red-team attempt #{attempt.pk} ({attempt.get_category_display()}, {attempt.severity}) "
        f"in campaign #{campaign.pk} “{campaign.name}” succeeded against {campaign.version}."
    )


def red_team_incident_report(
    *,
    actor: User,
    attempt: RedTeamAttempt,
    title: str,
    severity: str,
    aware_at: datetime | None = None,
    serious_kind: str = "",
) -> Incident:
    """Open an incident from a successful attempt (the incident rules decide who may) and link
    it: the incident names the attempt, never quotes its texts."""
    if not attempt.succeeded:
        raise Conflict("only a successful attack is reported as an incident")
    if attempt.incident_id is not None:
        raise Conflict(f"attempt #{attempt.pk} is reported as incident #{attempt.incident_id}")
    campaign = attempt.campaign
    with transaction.atomic():
        incident = incident_report(
            actor=actor,
            versions=[campaign.version],
            title=title,
            severity=severity,
            category=INCIDENT_CATEGORY_OF[AttackCategory(attempt.category)],
            description=attempt_summary(attempt),
            aware_at=aware_at or timezone.now(),
            serious_kind=serious_kind,
        )
        _changed(attempt, actor, EventVerb.RED_TEAM_ATTEMPT_INCIDENT_LINKED, "", incident=incident)
    return incident
