"""Reads of the registry for the web pages: each list is a fixed number of queries, however
many rows it holds (related rows joined or prefetched, never fetched one row at a time)."""

from django.db.models import Count, F, Prefetch, Q, QuerySet

from governance.models import (
    APPROVING_DECISIONS,
    Delivery,
    Event,
    Incident,
    IncidentStatus,
    MLModel,
    ModelVersion,
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
    return models.prefetch_related(Prefetch("versions", queryset=versions)).order_by("name")


def review_queue() -> QuerySet[ModelVersion]:
    """Versions awaiting a risk officer: submitted ones, and suspended ones awaiting
    re-approval, oldest first, each with the number of approvals its current review has."""
    current = Q(
        approvals__decision__in=APPROVING_DECISIONS,
        approvals__signed_at__gte=F("review_started_at"),
        approvals__artifact_sha256=F("artifact_sha256"),
        approvals__audit_result_sha256=F("submitted_audit_sha256"),
    )
    return (
        ModelVersion.objects.filter(status__in=AWAITING_DECISION_STATUSES)
        .select_related("model__team", "model__owner", "submitted_by")
        .prefetch_related("model__assessments")  # for decisions.decision_tier
        .annotate(approvals_so_far=Count("approvals", filter=current))
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
