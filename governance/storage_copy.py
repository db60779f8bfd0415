"""Copy every file in Django's default storage to a local folder and back, through the storage
API (so the same commands back up a media folder or an S3 bucket), with a manifest of each
file's size and sha256 that the restore checks before and after writing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from digests import file_sha256

MANIFEST = "manifest.json"
FILES_DIR = "files"
BLOCK = 1 << 20


class StorageCopyError(Exception):
    """A copy that would lose or alter a file; the message names it."""


@dataclass(frozen=True)
class StoredFile:
    """One file of the storage as the manifest records it."""

    name: str
    size: int
    sha256: str


def storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under `folder`, depth first, sorted (a missing root holds nothing)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield str(PurePosixPath(folder) / name) if folder else name
    for sub in sorted(folders):
        yield from storage_names(storage, str(PurePosixPath(folder) / sub) if folder else sub)


def _relative(name: str) -> str:
    """`name`, refused when it could leave the export folder."""
    if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
        raise StorageCopyError(f"{name}: not a relative name")
    return name


def _copy(name: str, source: File, target_path: Path) -> StoredFile:
    digest, size = hashlib.sha256(), 0
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with target_path.open("wb") as target:
        while block := source.read(BLOCK):
            digest.update(block)
            size += len(block)
            target.write(block)
    return StoredFile(name=name, size=size, sha256=digest.hexdigest())


def storage_export(folder: Path, storage: Storage = default_storage) -> list[StoredFile]:
    """Copy every stored file into `folder`/files and list them in `folder`/manifest.json."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise StorageCopyError(f"{folder} is not empty")
    copied = []
    for name in storage_names(storage):
        with storage.open(_relative(name), "rb") as handle:
            copied.append(_copy(name, handle, folder / FILES_DIR / name))
    (folder / MANIFEST).write_text(json.dumps([asdict(f) for f in copied], indent=1))
    return copied


def manifest_read(folder: Path) -> list[StoredFile]:
    """The export's manifest: the files it holds, each with its size and sha256."""
    entries = json.loads((folder / MANIFEST).read_text())
    return [
        StoredFile(name=str(e["name"]), size=int(e["size"]), sha256=str(e["sha256"]))
        for e in entries
    ]


def storage_import(folder: Path, storage: Storage = default_storage) -> list[StoredFile]:
    """Write every file of an export into the storage under its own name, after checking each
    against the manifest; refuses to overwrite a file the storage already holds."""
    entries = manifest_read(folder)
    for entry in entries:
        with (folder / FILES_DIR / _relative(entry.name)).open("rb") as handle:
            sha256, size = file_sha256(handle)
        if (size, sha256) != (entry.size, entry.sha256):
            raise StorageCopyError(f"{entry.name}: the exported copy differs from the manifest")
        if storage.exists(entry.name):
            raise StorageCopyError(
                f"{entry.name}: already in the storage (restore into a fresh one)"
            )
    for entry in entries:
        with (folder / FILES_DIR / entry.name).open("rb") as handle:
            saved = storage.save(entry.name, File(handle, name=entry.name))
        if saved != entry.name:
            raise StorageCopyError(f"{entry.name}: the storage renamed it to {saved}")
    return entries
