"""Writes for evaluation sets: an upload is stored, validated by the battery and recorded with
its trail event, or refused leaving nothing behind."""

import contextvars
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from audits import intake
from audits.battery import BatteryInputError
from audits.errors import UploadRejected
from audits.models import EvaluationSet
from config.worker_priority import lower_thread_priority
from governance.artifacts import stored_sha256
from governance.errors import DISK_FULL_MESSAGE, StorageFull, is_disk_full
from governance.models import EventVerb, ModelVersion, User
from governance.permissions import require_upload
from governance.trail import event_record, snapshot

SET_FIELDS = ["name", "role", "original_sha256", "original_format", "rows", "columns", "mapping"]

# Intake (validating, scanning and converting an upload: seconds of CPU for millions of rows)
# is a worker's kind of work done inside a web request: it runs on threads of their own at the
# workers' niceness (WARDEN_WORKER_NICE), so a web process taking in a file yields the cores to
# those answering the deployment gate (issue #21). Threads start when first needed, never in
# gunicorn's master, so none is lost to a fork.
_INTAKE_THREADS = ThreadPoolExecutor(
    max_workers=4,
    thread_name_prefix="warden-intake",
    initializer=lambda: lower_thread_priority(settings.WARDEN_WORKER_NICE),
)


def evaluation_set_upload(
    *,
    actor: User,
    version: ModelVersion,
    file: UploadedFile,
    mapping: Any,
    role: str,
    name: str = "",
) -> EvaluationSet:
    """Store the original, check it with the battery's validator, write its Parquet copy (an
    image / tensor archive is read as stored, so it is its own copy) and record the set. On any
    refusal nothing stays behind: no file, no row, no event."""
    filename = upload_filename(actor=actor, version=version, file=file)
    folder = (
        f"evaluation-sets/{version.model.slug}/{version.version}/{timezone.now():%Y%m%d%H%M%S%f}"
    )
    stored: list[str] = []
    try:
        # checked and converted in a scratch folder of this process, then kept in storage:
        # the media folder or a bucket, whichever the settings name
        with tempfile.TemporaryDirectory(prefix="warden-intake-") as scratch:
            original_path = Path(scratch) / filename
            with original_path.open("wb") as copy:
                for piece in file.chunks():
                    copy.write(piece)
            parquet_path = Path(scratch) / "data.parquet"
            try:
                accepted = _intake_at_worker_priority(
                    original_path,
                    mapping,
                    parquet_path,
                    limits=intake_limits(),
                    row_group_rows=settings.WARDEN_PARQUET_ROW_GROUP_ROWS,
                )
            except BatteryInputError as error:
                raise UploadRejected(error.problems) from None
            original_size = original_path.stat().st_size
            original_name = _keep(f"{folder}/{filename}", original_path, stored)
            sha256 = stored_sha256(original_name)
            parquet_name = f"{Path(original_name).parent}/data.parquet"
            if accepted.copied:
                parquet_name = _keep(parquet_name, parquet_path, stored)
        read_name = parquet_name if accepted.copied else original_name
        with transaction.atomic():
            evaluation_set = EvaluationSet.objects.create(
                version=version,
                name=name or filename,
                role=role,
                original=original_name,
                original_format=accepted.format,
                original_sha256=sha256,
                original_size=original_size,
                parquet=read_name,
                parquet_sha256=stored_sha256(read_name),
                mapping=accepted.mapping,
                rows=accepted.rows,
                columns=accepted.columns,
                uploaded_by=actor,
            )
            event_record(
                actor=actor,
                verb=EventVerb.EVALUATION_SET_UPLOADED,
                target=evaluation_set,
                after=snapshot(evaluation_set, SET_FIELDS),
            )
    except BaseException as error:
        for name_ in stored:
            default_storage.delete(name_)
        if is_disk_full(error):
            raise StorageFull(DISK_FULL_MESSAGE, field="file") from None
        raise
    return evaluation_set


def _intake_at_worker_priority(*args: Any, **kwargs: Any) -> intake.Intake:
    """intake.intake on an intake thread, in this request's context (its request id), while
    the request's own thread waits."""
    context = contextvars.copy_context()
    return _INTAKE_THREADS.submit(context.run, intake.intake, *args, **kwargs).result()


def _keep(name: str, local: Path, stored: list[str]) -> str:
    """Save the local file in storage under `name` and note its stored name in `stored`, so
    a refusal later removes it; a save that fails (a full disk) leaves no partial file."""
    with local.open("rb") as handle:
        try:
            kept = default_storage.save(name, File(handle))
        except OSError:
            _remove_partial_file(default_storage.generate_filename(name))
            raise
    stored.append(kept)
    return kept


def upload_filename(*, actor: User, version: ModelVersion, file: UploadedFile) -> str:
    """The file's own name, once the actor may upload to the version and the name is of a
    format the battery reads (UploadRejected saying why not): both upload steps start here."""
    require_upload(actor, version)
    filename = Path(file.name or "upload").name
    try:
        intake.upload_format(filename)
    except BatteryInputError as error:
        raise UploadRejected(error.problems) from None
    return filename


def intake_limits() -> intake.IntakeLimits:
    """The upload limits from the settings (WARDEN_MAX_PARQUET_EXPANDED_BYTES, _COLUMNS,
    _CELL_CHARS, _TRANSCRIPT_BYTES and WARDEN_ARCHIVE_LIMITS)."""
    return intake.IntakeLimits(
        expanded_bytes=settings.WARDEN_MAX_PARQUET_EXPANDED_BYTES,
        columns=settings.WARDEN_MAX_COLUMNS,
        cell_chars=settings.WARDEN_MAX_CELL_CHARS,
        archive=settings.WARDEN_ARCHIVE_LIMITS,
        transcript_bytes=settings.WARDEN_MAX_TRANSCRIPT_BYTES,
    )


def _remove_partial_file(name: str) -> None:
    """A save that ran out of disk can leave a truncated file behind under its intended name."""
    if default_storage.exists(name):
        default_storage.delete(name)
