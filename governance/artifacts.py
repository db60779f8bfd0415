"""Accepting a model artifact without ever unpickling it: the format is named by the file's
extension and checked against its first bytes; pickle and joblib files are refused."""

import hashlib
from typing import IO

from governance.errors import InvalidInput
from governance.models.registry import ArtifactFormat

PICKLE_EXTENSIONS = (".pkl", ".pickle", ".joblib", ".sav", ".dill")
EXPORT_ADVICE = (
    "pickle files can run arbitrary code when loaded, so Warden never loads them; export "
    "scikit-learn models with skops (skops.io.dump(model, 'model.skops')) or any model to ONNX"
)
ZIP_MAGIC = b"PK\x03\x04"


def artifact_format_detect(filename: str, head: bytes) -> str:
    """The artifact's format from its name and first bytes, or InvalidInput saying why not."""
    lowered = filename.lower()
    if lowered.endswith(PICKLE_EXTENSIONS) or head[:1] == b"\x80":
        raise InvalidInput(f"{filename}: {EXPORT_ADVICE}", field="artifact")
    if lowered.endswith(".skops"):
        if not head.startswith(ZIP_MAGIC):
            raise InvalidInput(
                f"{filename}: not a skops file (a skops file is a ZIP archive)", field="artifact"
            )
        return ArtifactFormat.SKOPS
    if lowered.endswith(".onnx"):
        if not head:
            raise InvalidInput(f"{filename}: the file is empty", field="artifact")
        return ArtifactFormat.ONNX
    raise InvalidInput(
        f"{filename}: unsupported artifact; upload a .skops or .onnx file", field="artifact"
    )


def file_sha256(handle: IO[bytes], chunk_size: int = 1024 * 1024) -> tuple[str, int]:
    """sha256 hex digest and size of a file, read in chunks; the handle is rewound after."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(chunk_size):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size
