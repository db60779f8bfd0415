"""Reads of the registry for the web pages: each list is a fixed number of queries, however
many rows it holds (related rows joined or prefetched, never fetched one row at a time)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.models import (
    APPROVING_DECISIONS,
    BLOCKING_SEVERITIES,
    OPEN_FINDING_STATUSES,
    Approval,
    AttackSeverity,
    Delivery,
    Event,
    Finding,
    FindingStatus,
    Incident,
    IncidentStatus,
    MLModel,
    ModelVersion,
    RedTeamAttempt,
    RedTeamCampaign,
    Team,
    User,
)
from governance.models.registry import AWAITING_DECISION_STATUSES


def mlmodel_list(
    *, team: Team | None = None, tier: str = "", status: str = ""
) -> QuerySet[MLModel]:
    """The inventory: models with their owner, team and versions (newest first), filtered by
    team, risk tier ("none" for not yet assessed) and the status of any of their versions."""
    versions = ModelVersion.objects.order_by("-created_at", "-id")
    models = MLModel.objects.select_related("owner", "team")
    if team is not None:
        models = models.filter(team=team)
    if tier == "none":
        models = models.filter(risk_tier__isnull=True)
    elif tier:
        models = models.filter(risk_tier=int(tier))
    if status:
        models = models.filter(versions__status=status).distinct()
        versions = versions.filter(status=status)
    return models.prefetch_related(Prefetch("versions", queryset=versions), "tags").order_by("name")


def review_queue() -> QuerySet[ModelVersion]:
    """Versions awaiting a risk officer: submitted ones, and suspended ones awaiting
    re-approval, oldest first, each with the number of approvals its current review has
    (a subquery, which PostgreSQL runs for the rows of the page only, where a join and
    GROUP BY counted every version awaiting before it could page)."""
    current = Approval.objects.filter(
        version=OuterRef("pk"),
        decision__in=APPROVING_DECISIONS,
        signed_at__gte=OuterRef("review_started_at"),
        artifact_sha256=OuterRef("artifact_sha256"),
        audit_result_sha256=OuterRef("submitted_audit_sha256"),
    )
    counted = current.order_by().values("version").annotate(n=Count("pk")).values("n")
    return (
        ModelVersion.objects.filter(status__in=AWAITING_DECISION_STATUSES)
        .select_related("model__team", "model__owner", "submitted_by")
        .prefetch_related("model__assessments")  # for decisions.decision_tier
        .annotate(approvals_so_far=Coalesce(Subquery(counted), 0))
        .order_by("review_started_at", "id")
    )


def incident_list(*, open_only: bool = False) -> QuerySet[Incident]:
    """Incidents with their reporter, owner, affected versions and authority reports; the
    open ones with the nearest reporting deadline first."""
    incidents = Incident.objects.select_related("reported_by", "owner").prefetch_related(
        Prefetch("versions", queryset=ModelVersion.objects.select_related("model")), "reports"
    )
    if open_only:
        incidents = incidents.exclude(status=IncidentStatus.CLOSED)
    return incidents.order_by(F("report_deadline").asc(nulls_last=True), "-aware_at", "-id")


def versions_of_team(user: User) -> QuerySet[MLModel]:
    """An engineer's home: their team's models with versions, newest version first."""
    return mlmodel_list(team=user.team) if user.team_id else MLModel.objects.none()


def event_list() -> QuerySet[Event]:
    """The trail, newest first."""
    return Event.objects.order_by("-seq")


def risk_officer_list() -> QuerySet[User]:
    """Active risk officers: who may own an incident."""
    return User.objects.filter(groups__name="risk_officer", is_active=True).order_by("username")


def finding_list(
    *,
    status: str = "",
    severity: str = "",
    model: MLModel | None = None,
    owner: User | None = None,
    overdue: bool = False,
) -> QuerySet[Finding]:
    """Findings with their model, version, owner and remediations, soonest due first, filtered
    by status ("open" for every standing one), severity, model, owner and overdue."""
    findings = Finding.objects.select_related(
        "model", "version__model", "owner", "raised_by", "closed_by"
    ).prefetch_related("remediations__remediated_by")
    if status == "open":
        findings = findings.filter(status__in=OPEN_FINDING_STATUSES)
    elif status:
        findings = findings.filter(status=status)
    if severity:
        findings = findings.filter(severity=severity)
    if model is not None:
        findings = findings.filter(model=model)
    if owner is not None:
        findings = findings.filter(owner=owner)
    if overdue:
        findings = findings.filter(findings_overdue_filter())
    return findings.order_by("due_on", "id")


def findings_overdue_filter(today: date | None = None) -> Q:
    """Finding.is_overdue as a query filter: unanswered after the due date."""
    return Q(status=FindingStatus.OPEN, due_on__lt=today or timezone.localdate())


def findings_overdue(*, today: date | None = None) -> QuerySet[Finding]:
    """Every overdue finding, soonest due first (the risk officer's home, reminders, and the
    outbox's "finding overdue" messages read this)."""
    return finding_list().filter(findings_overdue_filter(today))


def findings_blocking(version: ModelVersion) -> QuerySet[Finding]:
    """Standing high and critical findings against the version or against its model: each
    blocks the version's approval unless an approval with conditions accepts it."""
    return Finding.objects.filter(
        Q(version=version) | Q(model_id=version.model_id, version__isnull=True),
        status__in=OPEN_FINDING_STATUSES,
        severity__in=BLOCKING_SEVERITIES,
    ).order_by("due_on", "id")


def findings_standing(version: ModelVersion) -> QuerySet[Finding]:
    """The version's findings (its own and its model's) not yet closed: what an approval with
    conditions may accept."""
    return findings_of_version(version).filter(status__in=OPEN_FINDING_STATUSES)


def findings_of_version(version: ModelVersion) -> QuerySet[Finding]:
    """Every finding on the version and on its model, for its card, page and reports."""
    return finding_list().filter(
        Q(version=version) | Q(model_id=version.model_id, version__isnull=True)
    )


@dataclass(frozen=True)
class RedTeamCounts:
    """What the red-team register holds for some versions, withdrawn attempts left out: the
    model card, the compliance report and the version page print these, computed here once."""

    campaigns: int
    attempts: int
    successful: int
    successful_by_severity: tuple[tuple[str, int], ...]  # low to critical, kept in order
    reproduced: int
    promoted: int
    incidents: int
    open_incidents: int
    findings: int  # validation findings raised from the attempts


def red_team_counts(versions: QuerySet[ModelVersion] | list[ModelVersion]) -> RedTeamCounts:
    """The register's counts over `versions` (a fixed number of queries)."""
    attempts = RedTeamAttempt.objects.filter(
        campaign__version__in=versions, withdrawn_at__isnull=True
    )
    totals = attempts.aggregate(
        attempts=Count("id"),
        successful=Count("id", filter=Q(succeeded=True)),
        reproduced=Count("id", filter=Q(reproduced=True)),
        promoted=Count("id", filter=Q(promoted_at__isnull=False)),
        incidents=Count("incident", distinct=True),
        open_incidents=Count(
            "incident", distinct=True, filter=~Q(incident__status=IncidentStatus.CLOSED)
        ),
        findings=Count("findings", distinct=True),
    )
    by_severity = dict(
        attempts.filter(succeeded=True)
        .values_list("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
    )
    return RedTeamCounts(
        campaigns=RedTeamCampaign.objects.filter(version__in=versions).count(),
        successful_by_severity=tuple((s, by_severity.get(s, 0)) for s in AttackSeverity.values),
        **totals,
    )


def red_team_campaign_list(version: ModelVersion | None = None) -> QuerySet[RedTeamCampaign]:
    """Campaigns (a version's, when given), newest first, with their version, members and
    attempt counts (withdrawn attempts left out)."""
    campaigns = RedTeamCampaign.objects.all() if version is None else version.red_team_campaigns
    return (
        campaigns.select_related("started_by", "version__model")
        .prefetch_related("members")
        .annotate(
            attempt_count=Count("attempts", filter=Q(attempts__withdrawn_at__isnull=True)),
            successful_count=Count(
                "attempts",
                filter=Q(attempts__withdrawn_at__isnull=True, attempts__succeeded=True),
            ),
        )
        .order_by("-started_at", "-id")
    )


def red_team_attempt_list(campaign: RedTeamCampaign) -> QuerySet[RedTeamAttempt]:
    """A campaign's attempts in the order they were logged, with who logged and re-tried them
    and the findings raised from them."""
    return (
        campaign.attempts.select_related("logged_by", "reproduced_by", "promoted_by", "incident")
        .prefetch_related("findings")
        .order_by("logged_at", "id")
    )


def events_after(after_seq: int, *, limit: int | None = None) -> QuerySet[Event]:
    """The trail after a sequence number, in order: the SIEM cursor's page (`limit` rows) or,
    without a limit, the whole tail for the JSONL export."""
    events = Event.objects.filter(seq__gt=after_seq).order_by("seq")
    return events[:limit] if limit is not None else events


def delivery_list(*, status: str = "") -> QuerySet[Delivery]:
    """Deliveries newest first with their message, subscriber and log, optionally of one status."""
    deliveries = Delivery.objects.select_related(
        "message__event", "endpoint", "subscription"
    ).prefetch_related("log")
    return deliveries.filter(status=status) if status else deliveries
