"""Labels that arrive after their batch: a file of row id and label joined to the batch's rows
by row id, every id it could not use reported by name, the labelled rows taken in as a set by
the evaluation-set intake and audited for performance, fairness and calibration."""

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction

from audits.battery.value_keys import MISSING, key_of
from audits.models import MonitorBatch, SetRole
from audits.monitoring.batch_mapping import DEFAULT_LABEL_COLUMN
from audits.monitoring.batches import NAMED_IDS, batch_audit_queue, mapping_of
from audits.services.evaluation_sets import evaluation_set_upload
from governance.errors import Conflict, InvalidInput
from governance.models import EventVerb, User
from governance.permissions import require_upload
from governance.trail import event_record

_READERS = {".csv": "csv", ".parquet": "parquet"}


def _read_labels(file: UploadedFile, row_id: str, label: str) -> pd.DataFrame:
    """The labels file's row id and label columns, or InvalidInput naming the problem."""
    reader = _READERS.get(Path(file.name or "").suffix.lower())
    if reader is None:
        raise InvalidInput("send the labels as a .csv or .parquet file", field="file")
    try:
        if reader == "csv":
            frame = pd.read_csv(file, keep_default_na=False, na_values=[""])
        else:
            frame = pq.read_table(pa.BufferReader(file.read())).to_pandas()
    except (ValueError, OSError, pa.ArrowException, UnicodeDecodeError) as error:
        raise InvalidInput(f"the labels file could not be read: {error}", field="file") from None
    for column in (row_id, label):
        if column not in frame.columns:
            raise InvalidInput(f"the labels file has no column {column!r}", field="file")
    if frame.empty:
        raise InvalidInput("the labels file has no rows", field="file")
    return frame[[row_id, label]]


def _named(ids: list[str]) -> dict[str, Any]:
    return {"count": len(ids), "ids": ids[:NAMED_IDS], "more": max(len(ids) - NAMED_IDS, 0)}


def join_report(batch_ids: list[str], label_ids: list[str], missing_labels: int) -> dict:
    """What joining labels to a batch found: matched ids, ids not in the batch, ids given more
    than once (left out: which label is meant?), rows with an empty label, rows still unlabelled."""
    known = set(batch_ids)
    seen: dict[str, int] = {}
    for key in label_ids:
        seen[key] = seen.get(key, 0) + 1
    duplicates = sorted(k for k, n in seen.items() if n > 1)
    unknown = sorted(k for k in seen if k not in known)
    matched = [k for k, n in seen.items() if n == 1 and k in known]
    return {
        "matched": len(matched),
        "unknown_ids": _named(unknown),
        "duplicate_ids": _named(duplicates),
        "empty_labels": missing_labels,
        "unlabelled_rows": len(known) - len(matched),
    }


def monitor_batch_labels(
    *, actor: User, batch: MonitorBatch, file: UploadedFile, label: str = DEFAULT_LABEL_COLUMN
) -> MonitorBatch:
    """Join a labels file (row id column as the monitor names it, and `label`) to the batch,
    keep the file, take the labelled rows in as a set and queue their audit; the batch's
    labels report names every id not used. Labels come once per batch (409 after)."""
    monitor = batch.monitor
    mapping = mapping_of(monitor)
    require_upload(actor, monitor.version)
    if batch.labelled_set_id is not None:
        raise Conflict(f"batch #{batch.pk} has its labels already", field="file")
    labels = _read_labels(file, mapping.row_id, label)
    with batch.evaluation_set.parquet.open("rb") as handle:
        rows = pq.read_table(handle).to_pandas()
    if label in rows.columns:
        raise InvalidInput(f"the batch has a column {label!r} already: name another", field="label")
    keys = rows[mapping.row_id].map(key_of)
    label_keys = labels[mapping.row_id].map(key_of).tolist()
    empty = labels[label].map(key_of) == MISSING
    report = join_report(keys.tolist(), label_keys, int(empty.sum()))
    usable = labels.assign(_key=label_keys)[~empty]
    usable = usable[~usable["_key"].duplicated(keep=False)]
    joined = rows.assign(_key=keys).merge(usable[["_key", label]], on="_key", how="inner")
    if joined.empty:
        raise InvalidInput("no label matches a row id of the batch", field="file")
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(joined.drop(columns="_key"), preserve_index=False), buffer)
    file.seek(0)
    folder = f"monitor-labels/{monitor.pk}/{batch.pk}"
    kept = default_storage.save(f"{folder}/{Path(file.name or 'labels').name}", file)
    report["file"] = kept
    try:
        with transaction.atomic():
            labelled = evaluation_set_upload(
                actor=actor,
                version=monitor.version,
                file=SimpleUploadedFile("labelled.parquet", buffer.getvalue()),
                mapping=mapping.labelled(label),
                role=SetRole.BATCH,
                name=f"monitor #{monitor.pk} batch #{batch.pk} with labels",
            )
            locked = MonitorBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.labelled_set_id is not None:
                raise Conflict(f"batch #{batch.pk} has its labels already", field="file")
            locked.labelled_set, locked.labels_report = labelled, report
            locked.save(update_fields=["labelled_set", "labels_report"])
            event_record(
                actor=actor,
                verb=EventVerb.MONITOR_LABELS_RECEIVED,
                target=locked,
                after={"labelled_set": labelled.pk, **report},
            )
    except BaseException:
        default_storage.delete(kept)
        raise

    return batch_audit_queue(
        actor=actor, batch=batch, evaluation_set=labelled, run_field="labelled_run"
    )
