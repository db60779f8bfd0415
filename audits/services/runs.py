"""Writes for audit runs: a person's request and the queueing, then the worker protocol (claim,
plan, chunk statistics, progress, complete, error, integrity). Every state change of a run
(requested, started, requeued, completed, errored) records one trail event in its transaction;
progress and heartbeats are telemetry that the sweeper reads, not records, and write no event."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from audits import battery, contract
from audits.artifact_rules import CHAT, artifact_can
from audits.errors import QueueUnavailable, UploadRejected
from audits.models import (
    RUN_TRANSITIONS,
    AuditRun,
    ChunkStats,
    EvaluationSet,
    Monitor,
    MonitorBatch,
    RunStatus,
    SetRole,
    Verdict,
)
from audits.policies import policy_in_force
from governance.errors import Conflict, InvalidInput
from governance.models import EventVerb, ModelVersion, User
from governance.permissions import require_start_audit
from governance.services import version_integrity_alert
from governance.stored_files import stored_uri
from governance.trail import event_record, snapshot

logger = logging.getLogger(__name__)

RUN_FIELDS = ["status", "attempt", "verdict", "result_sha256", "error", "chunks_total"]
# A monitoring audit with one of these verdicts alerts (governance.outbox: `monitor.alert`).
ALERTING_VERDICTS = (Verdict.FAIL,)


def require_auditable(
    actor: User,
    version: ModelVersion,
    evaluation_set: EvaluationSet,
    reference_set: EvaluationSet | None,
    training_set: EvaluationSet | None = None,
) -> None:
    """The actor may audit the version, the model has a tier to judge under, the current set is
    this version's, the reference set (if any) is a reference set of the same model and the
    training sample (if any) one of this version's."""
    require_start_audit(actor, version)
    require_tier(version)
    if evaluation_set.version_id != version.pk or evaluation_set.role != SetRole.CURRENT:
        raise InvalidInput("name a current evaluation set of this version", field="evaluation_set")
    if reference_set is not None and (
        reference_set.role != SetRole.REFERENCE
        or reference_set.version.model_id != version.model_id
    ):
        raise InvalidInput("name a reference set of this model", field="reference_set")
    if training_set is not None and (
        training_set.role != SetRole.TRAINING or training_set.version_id != version.pk
    ):
        raise InvalidInput("name a training sample of this version", field="training_set")


def require_tier(version: ModelVersion) -> int:
    """The tier the version's audits are judged under; a model without one is refused."""
    tier = version.model.risk_tier
    if tier is None:
        raise InvalidInput(
            "the model has no risk tier yet: file its risk assessment first", field="version"
        )
    return tier


def require_model_fits(version: ModelVersion, evaluation_set: EvaluationSet) -> None:
    """The version's artifact loads and scores the evaluation set's first rows, or the request
    is refused naming the problem (a feature count, an input name, a damaged file)."""
    problems = battery.model_problems(
        stored_uri(version.artifact.name),
        version.artifact_format,
        stored_uri(evaluation_set.parquet.name),
        evaluation_set.mapping,
        settings.WARDEN_ARCHIVE_LIMITS,
    )
    if problems:
        raise UploadRejected(problems, field="with_model")


def audit_run_request(
    *,
    actor: User,
    version: ModelVersion,
    evaluation_set: EvaluationSet | None,
    reference_set: EvaluationSet | None = None,
    training_set: EvaluationSet | None = None,
    with_model: bool = True,
) -> AuditRun:
    """Queue a run of the battery under the model's tier, with the model checks on the
    version's artifact unless ``with_model`` is false; an LLM version (its endpoint, no set) or
    a transcripts set is an LLM audit (audits.services.llm). If the task queue does not take
    it, the run is marked errored with the reason and QueueUnavailable (503) is raised."""
    if (
        evaluation_set is None
        or evaluation_set.is_transcripts
        or artifact_can(version.artifact_format, CHAT)
    ):
        from audits.services.llm import llm_audit_request  # it builds on this module

        return llm_audit_request(
            actor=actor,
            version=version,
            evaluation_set=evaluation_set,
            reference_set=reference_set,
            training_set=training_set,
        )
    require_auditable(actor, version, evaluation_set, reference_set, training_set)
    if training_set is not None and not with_model:
        raise InvalidInput(
            "a training sample is only used by the model checks", field="training_set"
        )
    if with_model:
        require_model_fits(version, evaluation_set)
    return audit_run_queue(
        actor=actor,
        version=version,
        evaluation_set=evaluation_set,
        reference_set=reference_set,
        training_set=training_set,
        with_model=with_model,
    )


def audit_run_queue(
    *,
    actor: User | None,
    version: ModelVersion,
    evaluation_set: EvaluationSet | None,
    reference_set: EvaluationSet | None,
    training_set: EvaluationSet | None = None,
    with_model: bool = True,
    on_created: Callable[[AuditRun], None] | None = None,
) -> AuditRun:
    """Create the queued run with its event and hand it to the task queue after commit. Callers
    check rights first (audit_run_request for people, the monitor schedule for the system).
    The run records the policy version in force now; the worker judges under it."""
    try:
        with transaction.atomic():
            policy = policy_in_force()
            run = AuditRun.objects.create(
                version=version,
                evaluation_set=evaluation_set,
                reference_set=reference_set,
                training_set=training_set,
                with_model=with_model,
                tier=require_tier(version),
                policy=policy,
                policy_name=policy.name,
                policy_version=policy.version,
                requested_by=actor,
            )
            event_record(
                actor=actor,
                verb=EventVerb.AUDIT_REQUESTED,
                target=run,
                after=snapshot(
                    run,
                    [
                        "tier",
                        "policy",
                        "policy_name",
                        "policy_version",
                        "evaluation_set",
                        "reference_set",
                        "training_set",
                        "with_model",
                    ],
                ),
            )
            if on_created:
                on_created(run)
            transaction.on_commit(lambda: _enqueue_plan(run.pk))
    except (BrokerError, OSError) as error:
        audit_run_error(run_id=run.pk, reason=f"the task queue did not answer: {error}")
        raise QueueUnavailable(
            "the task queue is unavailable; the audit was not started, try again shortly"
        ) from None
    return run


def _enqueue_plan(run_id: int) -> None:
    from audits.tasks import audit_run_plan

    audit_run_plan.delay(run_id)


def _transition(run: AuditRun, to: str) -> None:
    if to not in RUN_TRANSITIONS[run.status]:
        raise Conflict(f"audit #{run.pk} is {run.status} and cannot become {to}")
    run.status = to


def audit_run_claim(*, run_id: int, orphaned_after: int) -> AuditRun | None:
    """Take a queued run (or a running one whose heartbeat stopped `orphaned_after` seconds ago)
    for this worker: a new attempt. None when the run is someone else's or finished."""
    now = timezone.now()
    with transaction.atomic():
        run = AuditRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_finished:
            return None
        if run.status == RunStatus.RUNNING:
            if run.heartbeat_at and (now - run.heartbeat_at).total_seconds() < orphaned_after:
                return None
            _transition(run, RunStatus.QUEUED)
        before = snapshot(run, RUN_FIELDS)
        _transition(run, RunStatus.RUNNING)
        run.attempt += 1
        run.started_at = run.started_at or now
        run.heartbeat_at = now
        run.chunks_total = run.chunks_done = 0
        run.progress = {"stage": "planning"}
        run.save()
        event_record(
            actor=None,
            verb=EventVerb.AUDIT_STARTED,
            target=run,
            before=before,
            after=snapshot(run, RUN_FIELDS),
        )
    return run


def audit_run_planned(*, run_id: int, attempt: int, spec: dict, chunks_total: int) -> bool:
    """Keep the run's spec and chunk count (telemetry); False when the attempt is stale."""
    updated = AuditRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).update(
        spec=spec,
        chunks_total=chunks_total,
        heartbeat_at=timezone.now(),
        progress={"stage": "statistics", "chunks_done": 0, "chunks_total": chunks_total},
    )
    return updated == 1


def chunk_stats_record(*, run_id: int, attempt: int, index: int, stats: dict) -> bool:
    """Keep one chunk's statistics (a repeat delivery keeps the first) and update progress.
    True exactly once per attempt: for the call that brings the last missing chunk."""
    with transaction.atomic():
        run = AuditRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != RunStatus.RUNNING or run.attempt != attempt:
            return False
        try:
            with transaction.atomic():
                ChunkStats.objects.create(run=run, attempt=attempt, index=index, stats=stats)
        except IntegrityError:
            return False  # a redelivered task: this chunk is in already
        done = ChunkStats.objects.filter(run=run, attempt=attempt).count()
        run.chunks_done, run.heartbeat_at = done, timezone.now()
        run.progress = {
            "stage": "statistics",
            "chunks_done": done,
            "chunks_total": run.chunks_total,
        }
        run.save(update_fields=["chunks_done", "heartbeat_at", "progress"])
        return done == run.chunks_total


def audit_run_progress(*, run_id: int, attempt: int, progress: dict) -> None:
    """Telemetry: the per-check progress of the finalising worker, and a heartbeat."""
    AuditRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).update(
        progress=progress, heartbeat_at=timezone.now()
    )


def audit_run_complete(*, run_id: int, attempt: int, document: dict) -> bool:
    """Store the result document and verdict, once: only the run's current attempt, while
    running, may complete it. False when another attempt or worker got there first. A document
    that breaks the contract is not stored: the run is errored with the reason, and
    ContractViolation raised."""
    try:
        contract.document_validate(document)
    except contract.ContractViolation as violation:
        audit_run_error(run_id=run_id, attempt=attempt, reason=str(violation))
        raise
    with transaction.atomic():
        run = AuditRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING or run.attempt != attempt:
            return False
        before = snapshot(run, RUN_FIELDS)
        _transition(run, RunStatus.COMPLETED)
        run.result, run.result_sha256 = document, document["result_sha256"]
        run.verdict, run.finished_at = document["status"], timezone.now()
        checks = {check["id"]: check["status"] for check in document["checks"]}
        run.progress = {"stage": "completed", "checks": checks}
        run.save()
        ChunkStats.objects.filter(run=run).delete()
        event_record(
            actor=None,
            verb=EventVerb.AUDIT_COMPLETED,
            target=run,
            before=before,
            after=snapshot(run, RUN_FIELDS),
        )
        _monitors_alert(run)
        _batch_measure_after_commit(run)
    return True


def _batch_measure_after_commit(run: AuditRun) -> None:
    """A monitor batch's audit goes into its history once the completion commits (a broker
    that is down loses nothing: the monitors' beat measures completed batches later)."""
    if not MonitorBatch.objects.filter(Q(run=run) | Q(labelled_run=run)).exists():
        return

    def enqueue() -> None:
        from audits.tasks import monitor_batch_measure

        try:
            monitor_batch_measure.delay(run.pk)
        except (BrokerError, OSError):
            logger.warning("audit #%s: batch measure not queued; the beat will", run.pk)

    transaction.on_commit(enqueue)


def _monitors_alert(run: AuditRun) -> None:
    """A failing monitoring audit alerts its monitor, in the run's own transaction, naming the
    checks that failed."""
    if run.verdict not in ALERTING_VERDICTS:
        return
    failed = sorted(check for check, status in run.progress["checks"].items() if status == "fail")
    for monitor in Monitor.objects.filter(last_run=run):
        event_record(
            actor=None,
            verb=EventVerb.MONITOR_ALERTED,
            target=monitor,
            after={"run": run.pk, "verdict": run.verdict, "failed_checks": failed},
            note=f"monitoring audit #{run.pk} failed: {', '.join(failed) or 'policy'}",
        )


def audit_run_error(*, run_id: int, reason: str, attempt: int | None = None) -> bool:
    """Mark the run errored with the reason (for the given attempt, when one is named)."""
    with transaction.atomic():
        run = AuditRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished:
            return False
        if attempt is not None and run.attempt != attempt:
            return False
        before = snapshot(run, RUN_FIELDS)
        _transition(run, RunStatus.ERRORED)
        run.error, run.finished_at = reason[:5000], timezone.now()
        run.save()
        ChunkStats.objects.filter(run=run).delete()
        event_record(
            actor=None,
            verb=EventVerb.AUDIT_ERRORED,
            target=run,
            before=before,
            after=snapshot(run, RUN_FIELDS),
            note=reason[:5000],
        )
    return True


def audit_run_integrity_error(*, run_id: int, attempt: int, problems: list[str]) -> bool:
    """A file the run needs no longer matches the sha256 recorded on upload: error the run with
    the reason and raise the version's integrity alert (which the gate reports), together."""
    reason = "integrity: " + "; ".join(problems)
    with transaction.atomic():
        errored = audit_run_error(run_id=run_id, attempt=attempt, reason=reason)
        if errored:
            version_id = AuditRun.objects.values_list("version_id", flat=True).get(pk=run_id)
            version_integrity_alert(
                actor=None, version_id=version_id, reason=f"audit #{run_id}: " + "; ".join(problems)
            )
    return errored


def missing_chunks(run: AuditRun) -> list[int]:
    """Indexes of the current attempt's chunks with no statistics yet."""
    have = set(
        ChunkStats.objects.filter(run=run, attempt=run.attempt).values_list("index", flat=True)
    )
    return [index for index in range(run.chunks_total) if index not in have]


def audit_run_heartbeat(*, run_id: int, attempt: int) -> None:
    """Telemetry: the sweeper has re-sent the run's missing chunks; give them time to finish."""
    AuditRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )
