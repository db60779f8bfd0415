"""Reads of audit runs that other parts of Warden need."""

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet, Subquery

from audits.models import TRANSCRIPTS, AuditRun, EvaluationSet, RunStatus
from audits.transcript_sets import transcripts_shown
from governance.errors import NotFound
from governance.evidence import AuditEvidence
from governance.models import ModelVersion


def completed_runs(version: Any) -> QuerySet[AuditRun]:
    """The version's (a ModelVersion, its id or an OuterRef) completed audits, latest first."""
    return AuditRun.objects.filter(version=version, status=RunStatus.COMPLETED).order_by(
        "-finished_at", "-id"
    )


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
