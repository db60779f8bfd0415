"""Staging: the web upload's first step keeps the file aside while its header is read and its
column mapping asked for. Only someone who may upload stages a file, and a staged file is not
a record (no row, no trail event: nothing is governed until `evaluation_set_upload` takes it);
`staging_sweep` removes what was left behind."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from audits import intake
from audits.battery import BatteryInputError
from audits.battery import io as battery_io
from audits.errors import UploadRejected
from audits.services.evaluation_sets import intake_limits, upload_filename
from governance.errors import DISK_FULL_MESSAGE, StorageFull, is_disk_full
from governance.models import ModelVersion, User
from governance.stored_files import stored_uri

STAGING = "staging"


@dataclass(frozen=True)
class Staged:
    """A staged upload: its token (the folder under staging/), stored name, and header."""

    token: str
    stored: str
    filename: str
    columns: list[str]


def staging_store(*, actor: User, version: ModelVersion, file: UploadedFile) -> Staged:
    """Keep the file under staging/<token>/ and read its header, once the actor is known to
    be allowed to upload: UploadRejected for a file that cannot be a set, StorageFull (507)
    when the disk is full; either way nothing stays behind."""
    filename = upload_filename(actor=actor, version=version, file=file)
    token = uuid.uuid4().hex
    try:
        stored = default_storage.save(f"{STAGING}/{token}/{filename}", file)
        limits = intake_limits()
        source = battery_io.open_source(stored_uri(stored), limits=limits.archive)
        columns = source.columns
        if not columns:
            raise BatteryInputError(f"{filename} has no columns")
        intake.header_check(columns, limits)
    except BatteryInputError as error:
        staging_discard(token)
        raise UploadRejected(error.problems) from None
    except OSError as error:
        staging_discard(token)  # a save that ran out of disk leaves a truncated file
        if is_disk_full(error):
            raise StorageFull(DISK_FULL_MESSAGE, field="file") from None
        raise
    return Staged(token, stored, filename, columns)


def staging_discard(token: str) -> None:
    """Remove a staged upload's files and, on disk, its folder (object storage has no
    folders: its keys share a prefix)."""
    folder = f"{STAGING}/{token}"
    for name in _files_in(folder):
        default_storage.delete(f"{folder}/{name}")
    if default_storage.exists(folder):
        default_storage.delete(folder)


def staging_sweep(*, older_than: timedelta) -> int:
    """Remove the staged uploads whose files nobody has touched for `older_than` (their
    mapping step was abandoned); the number removed."""
    cutoff = timezone.now() - older_than
    removed = 0
    for token in _stored_in(STAGING)[0]:
        folder = f"{STAGING}/{token}"
        names = [f"{folder}/{name}" for name in _files_in(folder)]
        if all(default_storage.get_modified_time(name) < cutoff for name in names):
            staging_discard(token)
            removed += 1
    return removed


def _stored_in(folder: str) -> tuple[list[str], list[str]]:
    """(folders, files) in `folder` of the storage; none when a disk has no such folder."""
    try:
        return default_storage.listdir(folder)
    except FileNotFoundError:
        return [], []


def _files_in(folder: str) -> list[str]:
    return _stored_in(folder)[1]
