"""A ZIP written entry by entry, each entry streamed from chunks and hashed as it goes, so a
bundle of any size needs the memory of one chunk; the sha256 and size of every entry are kept
for the manifest."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from functools import partial
from typing import IO, Any

READ_CHUNK = 1 << 20


class Entries:
    """The entries written to `archive` so far, with their sha256 and size."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.sums: list[tuple[str, str, int]] = []

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        digest, size = hashlib.sha256(), 0
        with self.archive.open(name, "w", force_zip64=True) as entry:
            for chunk in chunks:
                entry.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        self.sums.append((name, digest.hexdigest(), size))

    def add(self, name: str, data: bytes) -> None:
        self.write(name, [data])

    def copy(self, name: str, handle: IO[bytes]) -> None:
        """Copy an open file (from storage) into the entry, a megabyte at a time."""
        self.write(name, iter(partial(handle.read, READ_CHUNK), b""))


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode()


def json_array(items: Iterable[Any]) -> Iterator[bytes]:
    """A JSON array, one item at a time (the same document `json_bytes(list(items))` states)."""
    yield b"["
    separator = b"\n"
    for item in items:
        yield separator + json_bytes(item)
        separator = b",\n"
    yield b"\n]"
