"""Accepting a model artifact without ever unpickling it: the battery's artifact rules
(audits/battery/artifacts.py) name the format, refuse pickle and joblib files, refuse skops
files naming untrusted types and damaged files; here their refusals become InvalidInput."""

import hashlib
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage

from audits.battery.artifacts import ArchiveLimits, ArtifactError, detect_format, open_artifact
from governance.errors import InvalidInput


def artifact_format_detect(filename: str, head: bytes) -> str:
    """The artifact's format from its name and first bytes, or InvalidInput saying why not."""
    try:
        return detect_format(filename, head)
    except ArtifactError as error:
        raise InvalidInput(error.problems[0].reason, field="artifact") from None


def artifact_check(path: str, artifact_format: str, filename: str) -> None:
    """The stored artifact loads as a model (trusted types only, a skops file unpacking within
    WARDEN_MAX_SKOPS_UNPACKED_BYTES and WARDEN_MAX_SKOPS_MEMBERS), or InvalidInput saying why."""
    limits = ArchiveLimits(
        unpacked_bytes=settings.WARDEN_MAX_SKOPS_UNPACKED_BYTES,
        members=settings.WARDEN_MAX_SKOPS_MEMBERS,
    )
    try:
        open_artifact(path, artifact_format, limits)
    except ArtifactError as error:
        raise InvalidInput(f"{filename}: {error.problems[0].reason}", field="artifact") from None


def file_sha256(handle: IO[bytes], chunk_size: int = 1024 * 1024) -> tuple[str, int]:
    """sha256 hex digest and size of a file, read in chunks; the handle is rewound after."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(chunk_size):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def stored_sha256(name: str) -> str:
    """sha256 hex digest of a file as it is in storage now (OSError if it is gone)."""
    with default_storage.open(name, "rb") as handle:
        return file_sha256(handle)[0]
