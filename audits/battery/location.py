"""Where the battery's files are: a local path, or an object ``s3://bucket/key`` in an
S3-compatible store, opened through pyarrow's filesystem (random access, so a Parquet chunk
reads its footer and its own row groups by ranged GETs, never the whole set).

A location crosses processes as its text (the URI or path) only; the store's endpoint and
credentials stay in the process that reads, configured once by ``object_store_use`` (Warden's
audits app does so from its settings; the command line from ``WARDEN_S3_*``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from .errors import BatteryInputError

S3_SCHEME = "s3://"


@dataclass(frozen=True)
class ObjectStore:
    """An S3-compatible store: its endpoint (None: AWS), region and credentials (never printed,
    never in a document or a run spec)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls) -> ObjectStore:
        """The store the ``WARDEN_S3_*`` variables name (the command line's)."""
        return cls(
            endpoint_url=os.environ.get("WARDEN_S3_ENDPOINT_URL") or None,
            region=os.environ.get("WARDEN_S3_REGION") or None,
            access_key=os.environ.get("WARDEN_S3_ACCESS_KEY") or None,
            secret_key=os.environ.get("WARDEN_S3_SECRET_KEY") or None,
        )


@lru_cache(maxsize=8)
def _filesystem(store: ObjectStore) -> pafs.S3FileSystem:
    options: dict = {"region": store.region or "us-east-1"}
    if store.endpoint_url:
        parts = urlsplit(store.endpoint_url)
        options.update(endpoint_override=parts.netloc or parts.path, scheme=parts.scheme or "https")
    if store.access_key and store.secret_key:
        options.update(access_key=store.access_key, secret_key=store.secret_key)
    return pafs.S3FileSystem(**options)


_store: list[Callable[[], ObjectStore]] = [ObjectStore.from_environment]


def object_store_use(provider: Callable[[], ObjectStore]) -> Callable[[], ObjectStore]:
    """Name where this process finds its store (a callable, read at every open, so changed
    settings take effect) and return the one it replaces; Warden's audits app calls it at
    start-up."""
    previous = _store[0]
    _store[:] = [provider]
    return previous


@dataclass(frozen=True)
class Location:
    """One file: ``uri`` is a local path or ``s3://bucket/key``."""

    uri: str

    @property
    def remote(self) -> bool:
        return self.uri.startswith(S3_SCHEME)

    @property
    def name(self) -> str:
        """The file's own name (the key's last part), for messages."""
        return self.uri.rstrip("/").rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def _fs_path(self) -> tuple[pafs.FileSystem, str]:
        if self.remote:
            return _filesystem(_store[0]()), self.uri[len(S3_SCHEME) :]
        return pafs.LocalFileSystem(), str(Path(self.uri).absolute())

    def size(self) -> int | None:
        """The file's size in bytes, or None when there is no such file."""
        filesystem, path = self._fs_path()
        info = filesystem.get_file_info(path)
        return info.size if info.type == pafs.FileType.File else None

    def open(self) -> pa.NativeFile:
        """A seekable binary file; on S3 each read is a ranged GET of what it asks for."""
        filesystem, path = self._fs_path()
        return filesystem.open_input_file(path)

    def readable(self) -> str | pa.NativeFile:
        """What pandas reads: the local path itself, or the object opened."""
        return self.open() if self.remote else self.uri

    def head(self, size: int = 8) -> bytes:
        """The file's first bytes (its magic)."""
        with self.open() as handle:
            return handle.read(size)

    def parquet(self, **options) -> pq.ParquetFile:
        """The Parquet file, reading its footer now and row groups as they are asked for."""
        return pq.ParquetFile(self.open(), **options)

    @contextmanager
    def local_file(self) -> Iterator[str]:
        """A local path to the file's bytes while the block runs: the file itself, or for an
        object a temporary copy (for loaders that need a file: small model artifacts)."""
        if not self.remote:
            yield self.uri
            return
        with tempfile.TemporaryDirectory(prefix="warden-object-") as folder:
            copy = Path(folder) / self.name
            with self.open() as source, copy.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 22)
            yield str(copy)


def located(value: str | Path | Location) -> Location:
    """A Location from a path, a URI or a Location."""
    return value if isinstance(value, Location) else Location(str(value))


def existing(value: str | Path | Location) -> Location:
    """The Location of a file that exists and is not empty, or BatteryInputError saying which."""
    location = located(value)
    try:
        size = location.size()
    except OSError as error:
        raise BatteryInputError(f"cannot read {location.name}: {error}") from None
    if size is None:
        raise BatteryInputError(f"file not found: {location.uri}")
    if size == 0:
        raise BatteryInputError(f"the file {location.name} is empty")
    return location
