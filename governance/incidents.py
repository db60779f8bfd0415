"""The incident register: reporting, the Art. 73 deadline, the status flow, corrective actions,
reports to authorities (or a signed "not reportable"), and the suspension a critical incident
brings. Only a risk officer closes a serious incident, and only once its report is settled."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.errors import Conflict, Forbidden, InvalidInput
from governance.lifecycle import locked, suspend
from governance.models import (
    INCIDENT_TRANSITIONS,
    REPORTING_DAYS,
    AuthorityReport,
    EventVerb,
    Incident,
    IncidentStatus,
    ModelVersion,
    SeriousKind,
    Severity,
    User,
)
from governance.notifications import notify, risk_officers
from governance.permissions import (
    require_record_authority_report,
    require_report_incidents,
    require_update_incident,
    user_can_change_team_models,
)
from governance.roles import Role
from governance.signatures import signature_check
from governance.trail import event_record, snapshot

INCIDENT_FIELDS = [
    "title",
    "severity",
    "category",
    "aware_at",
    "serious_kind",
    "report_deadline",
    "status",
    "corrective_actions",
    "owner",
    "versions",
    "not_reportable_by",
    "not_reportable_at",
]


def report_deadline(aware_at: datetime, serious_kind: str) -> datetime | None:
    """EU AI Act Art. 73: 15 days after awareness, 10 for a death, 2 for a widespread
    infringement or a critical infrastructure disruption; None for a non-serious incident."""
    if not serious_kind:
        return None
    return aware_at + timedelta(days=REPORTING_DAYS[SeriousKind(serious_kind)])


def _require_reporter(actor: User, versions: list[ModelVersion]) -> None:
    require_report_incidents(actor)
    if actor.has_role(Role.RISK_OFFICER) or actor.has_role(Role.ADMIN):
        return
    if all(user_can_change_team_models(actor, version.model.team) for version in versions):
        return
    raise Forbidden("engineers report incidents of their own team's models; risk officers any")


def incident_report(
    *,
    actor: User,
    versions: list[ModelVersion],
    title: str,
    severity: str,
    category: str,
    description: str,
    aware_at: datetime,
    serious_kind: str = "",
    owner: User | None = None,
) -> Incident:
    """Open an incident. A critical one suspends every affected live version at once, each
    suspension its own trail event beside the incident's."""
    if not versions:
        raise InvalidInput("name at least one affected version", field="versions")
    if aware_at > timezone.now():
        raise InvalidInput("the awareness time is in the future", field="aware_at")
    if owner is not None and not owner.has_role(Role.RISK_OFFICER):
        raise InvalidInput("an incident's owner must be a risk officer", field="owner")
    _require_reporter(actor, versions)
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            severity=severity,
            category=category,
            description=description,
            aware_at=aware_at,
            serious_kind=serious_kind,
            report_deadline=report_deadline(aware_at, serious_kind),
            reported_by=actor,
            owner=owner,
        )
        incident.versions.set(versions)
        event_record(
            actor=actor,
            verb=EventVerb.INCIDENT_REPORTED,
            target=incident,
            after=snapshot(incident, INCIDENT_FIELDS),
        )
        if severity == Severity.CRITICAL:
            for version in map(locked, versions):
                if version.is_live:
                    suspend(
                        version, actor=actor, note=f"suspended by critical incident #{incident.pk}"
                    )
        recipients = [owner] if owner else risk_officers()
        transaction.on_commit(
            lambda: notify(
                recipients,
                f"incident #{incident.pk} ({severity}): {title}",
                f"{description}\n\nReport deadline: {incident.report_deadline or 'not serious'}.",
            )
        )
    return incident


def incident_update(*, actor: User, incident: Incident, changes: dict[str, Any]) -> Incident:
    """Move the status along INCIDENT_TRANSITIONS, record corrective actions, take ownership.
    Risk officers update any incident; the reporter their own."""
    require_update_incident(actor, incident)
    owner = changes.get("owner")
    if owner is not None and not owner.has_role(Role.RISK_OFFICER):
        raise InvalidInput("an incident's owner must be a risk officer", field="owner")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        before = snapshot(incident, INCIDENT_FIELDS)
        status = changes.pop("status", None)
        if status and status != incident.status:
            if status not in INCIDENT_TRANSITIONS[incident.status]:
                raise Conflict(
                    f"incident #{incident.pk} is {incident.status} and cannot become {status}"
                )
            if status == IncidentStatus.CLOSED:
                _require_can_close(actor, incident)
            incident.status = status
            incident.closed_at = timezone.now() if status == IncidentStatus.CLOSED else None
        for name, value in changes.items():
            setattr(incident, name, value)
        incident.save()
        event_record(
            actor=actor,
            verb=EventVerb.INCIDENT_UPDATED,
            target=incident,
            before=before,
            after=snapshot(incident, INCIDENT_FIELDS),
        )
    return incident


def _require_can_close(actor: User, incident: Incident) -> None:
    """A serious incident closes only by a risk officer, once reported to an authority or
    signed off as not reportable: closing must never be how the Art. 73 reminders stop."""
    if not incident.is_serious:
        return
    if not actor.has_role(Role.RISK_OFFICER):
        raise Forbidden("only a risk officer closes a serious incident", field="status")
    if not incident.report_settled:
        raise Conflict(
            f"incident #{incident.pk} is serious: record its report to the authority, or sign "
            "that it is not reportable, before closing it",
            field="status",
        )


def incident_not_reportable_sign(
    *, actor: User, incident: Incident, reason: str, password: str
) -> Incident:
    """A risk officer signs (password re-entered) that a serious incident need not be reported
    to the authority, and why; the deadline reminders stop and the incident may close."""
    if not actor.has_role(Role.RISK_OFFICER):
        raise Forbidden("only a risk officer finds an incident not reportable")
    if not reason.strip():
        raise InvalidInput("say why it is not reportable", field="reason")
    signature_check(actor=actor, password=password, target=incident)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_serious:
            raise Conflict(f"incident #{incident.pk} is not serious: there is nothing to report")
        if incident.not_reportable_at is not None:
            raise Conflict(f"incident #{incident.pk} was signed off as not reportable already")
        before = snapshot(incident, INCIDENT_FIELDS)
        incident.not_reportable_reason = reason.strip()
        incident.not_reportable_by = actor
        incident.not_reportable_by_name = actor.printed_name
        incident.not_reportable_at = timezone.now()
        incident.save()
        event_record(
            actor=actor,
            verb=EventVerb.INCIDENT_FOUND_NOT_REPORTABLE,
            target=incident,
            before=before,
            after={
                **snapshot(incident, INCIDENT_FIELDS),
                "manifestation": f"{actor.printed_name} ({actor.username}), "
                f"{incident.not_reportable_at:%Y-%m-%d %H:%M:%S} UTC, not reportable",
            },
            note=incident.not_reportable_reason,
        )
    return incident


def authority_report_record(
    *, actor: User, incident: Incident, authority: str, reported_at: datetime, reference: str = ""
) -> AuthorityReport:
    """Record that the incident was reported to an authority, and when."""
    require_record_authority_report(actor)
    if reported_at > timezone.now():
        raise InvalidInput("the report time is in the future", field="reported_at")
    with transaction.atomic():
        report = AuthorityReport.objects.create(
            incident=incident,
            authority=authority,
            reported_at=reported_at,
            reference=reference,
            recorded_by=actor,
        )
        late = bool(incident.report_deadline and reported_at > incident.report_deadline)
        event_record(
            actor=actor,
            verb=EventVerb.INCIDENT_REPORTED_TO_AUTHORITY,
            target=incident,
            after={
                "authority": authority,
                "reported_at": reported_at.isoformat(),
                "reference": reference,
                "after_deadline": late,
            },
        )
    return report


def incident_deadlines_due(*, within: timedelta) -> list[int]:
    """Ids of unreported serious incidents whose deadline falls within `within`, not reminded."""
    horizon = timezone.now() + within
    return list(
        Incident.objects.filter(
            report_deadline__lte=horizon,
            deadline_reminded_at__isnull=True,
            reports__isnull=True,
            not_reportable_at__isnull=True,
        )
        .exclude(status=IncidentStatus.CLOSED)
        .values_list("pk", flat=True)
    )


def incident_deadline_remind(*, incident_id: int) -> bool:
    """E-mail the incident's owner (or every risk officer) that the report is due, once."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        deadline = incident.report_deadline
        if incident.deadline_reminded_at or deadline is None:  # nothing is due without a deadline
            return False
        incident.deadline_reminded_at = timezone.now()
        incident.save(update_fields=["deadline_reminded_at"])
        event_record(
            actor=None,
            verb=EventVerb.INCIDENT_DEADLINE_REMINDER_SENT,
            target=incident,
            after={"report_deadline": deadline.isoformat()},
        )
        recipients = [incident.owner] if incident.owner else risk_officers()
        transaction.on_commit(
            lambda: notify(
                recipients,
                f"incident #{incident.pk} must be reported by "
                f"{incident.report_deadline:%Y-%m-%d %H:%M} UTC",
                f"{incident.title}\n\nEU AI Act Art. 73 deadline: {incident.report_deadline} UTC.",
            )
        )
    return True
