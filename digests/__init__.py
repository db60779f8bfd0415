"""Content fingerprints every layer shares, the audit battery included: canonical JSON (the
bytes Warden's hashes are taken over) and a file's sha256. Standard library only, so the battery
(no Django) and the registry (no audits) may both import it."""

import hashlib
import json
from typing import IO, Any

BLOCK_SIZE = 1 << 22


def canonical_json(
    value: Any, *, encoder: type[json.JSONEncoder] | None = None, allow_nan: bool = False
) -> str:
    """Sorted keys, separators "," and ":", characters unescaped (UTF-8 once encoded); NaN and
    infinity refused unless `allow_nan`. `encoder` widens the types it takes (dates, decimals)."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=allow_nan,
        cls=encoder,
    )


def file_sha256(handle: IO[bytes]) -> tuple[str, int]:
    """sha256 hex digest and size of a file's bytes from its start, read in blocks; the handle
    is rewound after, so the caller can read it again."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while block := handle.read(BLOCK_SIZE):
        digest.update(block)
        size += len(block)
    handle.seek(0)
    return digest.hexdigest(), size
