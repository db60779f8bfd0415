"""Writes for batch monitors: a monitor of a version that takes production batches, and each
batch received (pushed through the API or pulled from an allow-listed source), taken in by
the evaluation-set intake and audited against the version's reference by a worker."""

import hashlib
import logging
from datetime import datetime
from typing import Any

import pyarrow.parquet as pq
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audits.battery.value_keys import MISSING, key_of
from audits.models import EvaluationSet, Monitor, MonitorBatch, SetRole
from audits.monitoring.batch_mapping import BatchMapping
from audits.monitoring.sources import pull_source_check, pull_source_read
from audits.services.evaluation_sets import evaluation_set_upload
from audits.services.runs import audit_run_queue, require_tier
from governance.errors import InvalidInput, ServiceError
from governance.models import EventVerb, ModelVersion, User
from governance.permissions import require_start_audit
from governance.trail import event_record, snapshot

logger = logging.getLogger(__name__)

MONITOR_FIELDS = ["version", "reference_set", "batch_mapping", "row_id", "pull_from",
                  "every_hours"]  # fmt: skip
BATCH_FIELDS = ["monitor", "evaluation_set", "batch_time"]
# Duplicate or missing row ids named in a refusal, at most.
NAMED_IDS = 20


def batch_monitor_create(
    *,
    actor: User,
    version: ModelVersion,
    reference_set: EvaluationSet,
    mapping: Any,
    pull_from: str = "",
    every_hours: int = 24,
) -> Monitor:
    """A monitor of the version that audits the batches it receives against a reference set
    of the model; `pull_from`, when given, must be on WARDEN_MONITOR_PULL_ALLOWLIST."""
    require_start_audit(actor, version)
    require_tier(version)
    same_model = reference_set.version.model_id == version.model_id
    if reference_set.role != SetRole.REFERENCE or not same_model:
        raise InvalidInput("name a reference set of this model", field="reference_set")
    batch_mapping = BatchMapping.from_json(mapping)
    if pull_from:
        pull_source_check(pull_from)
    with transaction.atomic():
        monitor = Monitor.objects.create(
            model=version.model,
            version=version,
            reference_set=reference_set,
            batch_mapping=batch_mapping.to_json(),
            row_id=batch_mapping.row_id,
            pull_from=pull_from,
            every_hours=every_hours,
            created_by=actor,
        )
        event_record(
            actor=actor,
            verb=EventVerb.MONITOR_CREATED,
            target=monitor,
            after=snapshot(monitor, MONITOR_FIELDS),
        )
    return monitor


def mapping_of(monitor: Monitor) -> BatchMapping:
    """The monitor's batch mapping; InvalidInput when it re-audits a fixed set instead."""
    if not monitor.takes_batches:
        raise InvalidInput(
            "this monitor re-audits a fixed set and takes no batches", field="monitor"
        )
    return BatchMapping.from_json(monitor.batch_mapping)


def monitor_batch_receive(
    *,
    actor: User,
    monitor: Monitor,
    file: UploadedFile,
    batch_time: datetime | None = None,
) -> MonitorBatch:
    """Take a batch in through the evaluation-set intake (the actor must be allowed to upload
    to the version), refuse it if its row ids are missing or repeated, record it and queue its
    audit against the monitor's reference. A refused batch leaves no row, file or event."""
    batch_mapping = mapping_of(monitor)
    if not monitor.active:
        raise InvalidInput("the monitor is not active", field="monitor")
    when = batch_time or timezone.now()
    if when > timezone.now():
        raise InvalidInput("the batch time is in the future", field="batch_time")
    stored: EvaluationSet | None = None
    try:
        with transaction.atomic():
            stored = evaluation_set_upload(
                actor=actor,
                version=monitor.version,
                file=file,
                mapping=batch_mapping.unlabelled(),
                role=SetRole.BATCH,
                name=f"monitor #{monitor.pk} batch of {when:%Y-%m-%d %H:%M}",
            )
            row_ids_check(stored, batch_mapping.row_id)
            batch = MonitorBatch.objects.create(
                monitor=monitor, evaluation_set=stored, batch_time=when, received_by=actor
            )
            event_record(
                actor=actor,
                verb=EventVerb.MONITOR_BATCH_RECEIVED,
                target=batch,
                after={**snapshot(batch, BATCH_FIELDS), "rows": stored.rows},
            )
    except BaseException:
        if stored is not None:  # the rows were rolled back; the files are not transactional
            for field in (stored.original, stored.parquet):
                if field.name:
                    field.storage.delete(field.name)
        raise

    return batch_audit_queue(actor=actor, batch=batch, evaluation_set=stored, run_field="run")


def batch_audit_queue(
    *, actor: User, batch: MonitorBatch, evaluation_set: EvaluationSet, run_field: str
) -> MonitorBatch:
    """Queue the audit of a batch's set against its monitor's reference set, and record the
    run on the batch's `run_field` once it exists (`run` for the batch as received,
    `labelled_run` for it joined with its labels); the batch, refreshed."""
    monitor = batch.monitor

    def remember(run: Any) -> None:
        MonitorBatch.objects.filter(pk=batch.pk).update(**{run_field: run})

    audit_run_queue(
        actor=actor,
        version=monitor.version,
        evaluation_set=evaluation_set,
        reference_set=monitor.reference_set,
        with_model=False,
        on_created=remember,
    )
    batch.refresh_from_db()
    return batch


def batch_row_ids(evaluation_set: EvaluationSet, row_id: str) -> list[str]:
    """The set's row ids as value keys (1, 1.0 and "1" are one id), in row order."""
    with evaluation_set.parquet.open("rb") as handle:
        column = pq.read_table(handle, columns=[row_id]).column(row_id).to_pylist()
    return [key_of(value) for value in column]


def row_ids_check(evaluation_set: EvaluationSet, row_id: str) -> None:
    """InvalidInput naming them when a row has no id or two rows share one."""
    ids = batch_row_ids(evaluation_set, row_id)
    missing = ids.count(MISSING)
    if missing:
        raise InvalidInput(f"{missing} rows have no row id", field=row_id)
    seen: set[str] = set()
    repeated: list[str] = []
    for key in ids:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    if repeated:
        named = ", ".join(repeated[:NAMED_IDS])
        raise InvalidInput(f"{len(repeated)} row ids occur more than once: {named}", field=row_id)


def monitor_batch_pull(*, monitor_id: int) -> MonitorBatch | None:
    """Pull the monitor's source as a new batch, received on behalf of the monitor's creator
    (whose right to upload is checked again). None when the file is the last batch again or
    cannot be read or taken in (logged: the next pull tries again)."""
    monitor = Monitor.objects.select_related("version__model", "created_by").get(pk=monitor_id)
    if not monitor.pull_from or monitor.created_by is None:
        return None
    try:
        file = pull_source_read(monitor.pull_from)
    except (OSError, InvalidInput) as error:
        logger.warning("monitor #%s: could not pull %s: %s", monitor.pk, monitor.pull_from, error)
        return None
    sha256 = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    last = monitor.batches.select_related("evaluation_set").order_by("-received_at", "-id").first()
    if last is not None and last.evaluation_set.original_sha256 == sha256:
        return None
    try:
        return monitor_batch_receive(actor=monitor.created_by, monitor=monitor, file=file)
    except ServiceError as error:
        logger.warning("monitor #%s: pulled batch refused: %s", monitor.pk, error)
        return None
