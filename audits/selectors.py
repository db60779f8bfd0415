"""Reads of audit runs that other parts of Warden need."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from audits.models import (
    TERMINAL_RUN_STATUSES,
    TRANSCRIPTS,
    AuditRun,
    EvaluationSet,
    RunStatus,
    SetRole,
)
from audits.transcript_sets import transcripts_shown
from governance.errors import NotFound
from governance.evidence import AuditEvidence
from governance.models import ModelVersion


def validation_runs() -> QuerySet[AuditRun]:
    """Completed audits that validate a version, so not a batch monitor's audits of production
    rows (an unlabelled batch cannot run the checks that need labels; a batch's breaches are
    alerts and incidents, and its figures the monitor's history). Cards, the compliance report
    and the registry's lifecycle read these; a daily batch neither changes what a card states
    nor becomes a version's latest audit."""
    return AuditRun.objects.filter(status=RunStatus.COMPLETED).exclude(
        evaluation_set__role=SetRole.BATCH
    )


def completed_runs(version: Any) -> QuerySet[AuditRun]:
    """The version's (a ModelVersion, its id or an OuterRef) validation audits, latest first."""
    return validation_runs().filter(version=version).order_by("-finished_at", "-id")


def audit_evidence(version: ModelVersion) -> AuditEvidence | None:
    """The version's latest completed audit, as the registry's lifecycle sees it."""
    latest = (
        completed_runs(version)
        .values(
            "id",
            "result_sha256",
            "tier",
            "verdict",
            "result__status_reasons",
            "evaluation_set__original_sha256",
            "evaluation_set__mapping__kind",
        )
        .first()
    )
    if latest is None:
        return None
    reasons = tuple(latest["result__status_reasons"] or ())
    transcripts = latest["evaluation_set__mapping__kind"] == TRANSCRIPTS
    return AuditEvidence(
        latest["id"],
        latest["result_sha256"],
        latest["tier"],
        latest["verdict"],
        reasons,
        transcripts_sha256=latest["evaluation_set__original_sha256"] if transcripts else "",
    )


def latest_audit_annotations(version: Any) -> dict[str, Subquery]:
    """The latest completed audit's id and verdict as subqueries, for a query of versions."""
    latest = completed_runs(version)[:1]
    return {
        "latest_audit_id": Subquery(latest.values("id")),
        "latest_audit_verdict": Subquery(latest.values("verdict")),
    }


def version_contributors(version: ModelVersion) -> set[int]:
    """Ids of the people who uploaded the version's evaluation sets or requested its audits."""
    uploaders = EvaluationSet.objects.filter(version=version).values_list("uploaded_by", flat=True)
    requesters = AuditRun.objects.filter(version=version, requested_by__isnull=False)
    return set(uploaders) | set(requesters.values_list("requested_by", flat=True))


def latest_completed_run(version: ModelVersion) -> AuditRun | None:
    """The version's most recent completed audit, with its result document."""
    return completed_runs(version).first()


def previous_version(version: ModelVersion) -> ModelVersion | None:
    """The version of the same model created just before this one."""
    return (
        ModelVersion.objects.filter(model_id=version.model_id)
        .filter(created_at__lte=version.created_at, id__lt=version.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def runs_of_version(version: ModelVersion):  # type: ignore[no-untyped-def]
    """A version's audit runs, newest first, without their (large) result documents."""
    return (
        AuditRun.objects.filter(version=version)
        .select_related("evaluation_set", "reference_set", "requested_by")
        .defer("result", "spec")
        .order_by("-requested_at", "-id")
    )


def run_transcripts(run: AuditRun) -> list[dict]:
    """The transcripts an LLM audit scored, as people may see them (harmful prompts masked,
    audits.transcript_sets); NotFound when the run has none (yet)."""
    current = run.evaluation_set
    if current is None or not current.is_transcripts:
        raise NotFound(f"audit #{run.pk} has no transcripts", field="run")
    with default_storage.open(current.original.name or "", "rb") as handle:
        return list(transcripts_shown(handle.read()))


@dataclass(frozen=True)
class AuditDurations:
    """Finished runs of one status as a cumulative histogram: how many took at most each
    bound (seconds), how many in all, and their summed seconds."""

    status: str
    at_most: tuple[tuple[float, int], ...]
    count: int
    total_seconds: float


def audit_run_counts() -> dict[str, int]:
    """How many audit runs are in each status now (every status named, zero included)."""
    counts = dict(AuditRun.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in RunStatus.values}


def audit_durations(bounds: tuple[float, ...]) -> list[AuditDurations]:
    """Start-to-finish times of completed and errored runs, counted in the database against
    `bounds`, so every web process reports the same numbers whichever worker ran the audit."""
    took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    finished = AuditRun.objects.filter(
        status__in=TERMINAL_RUN_STATUSES, started_at__isnull=False, finished_at__isnull=False
    ).annotate(took=took)
    buckets = {
        f"le{index}": Count("pk", filter=Q(took__lte=timedelta(seconds=bound)))
        for index, bound in enumerate(bounds)
    }
    rows: Any = finished.values("status").annotate(n=Count("pk"), total=Sum("took"), **buckets)
    return [
        AuditDurations(
            status=row["status"],
            at_most=tuple((bound, row[f"le{index}"]) for index, bound in enumerate(bounds)),
            count=row["n"],
            total_seconds=row["total"].total_seconds() if row["total"] else 0.0,
        )
        for row in rows.order_by("status")
    ]
