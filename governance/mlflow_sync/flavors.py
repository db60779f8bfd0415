"""Which file of an MLflow model Warden takes, read from its MLmodel file: the ONNX flavor's
`data`, or the sklearn flavor's file when it was saved with skops. Nothing else comes across.

The MLmodel's own `skops_trusted_types` are never read: a crafted MLmodel can allow-list any type
(GHSA-w582-9x45-8mpx), so the taken file is loaded by Warden's artifact rules, its trusted types."""

from dataclasses import dataclass

import yaml

MLMODEL = "MLmodel"
MLMODEL_MAX_BYTES = 64 * 1024
NOT_IMPORTABLE = "artifact not importable: export with skops or ONNX"


class FlavorRefused(Exception):
    """The MLflow model offers no file Warden will take; the message says why."""


@dataclass(frozen=True)
class TakenFile:
    """The file of the MLflow model to import, and the name Warden stores it under (its suffix
    names the format to the artifact rules)."""

    path: str
    stored_name: str


def _plain_name(value: object) -> str:
    """A file name inside the model folder: relative, no `..`, no backslash."""
    if not isinstance(value, str) or not value:
        raise FlavorRefused("the MLmodel file names no model file")
    parts = value.split("/")
    if value.startswith("/") or "\\" in value or any(p in ("", ".", "..") for p in parts):
        raise FlavorRefused(f"the MLmodel file names {value!r}, which is outside the model folder")
    return value


def file_taken(mlmodel: bytes) -> TakenFile:
    """The one file to import from an MLmodel file's flavors, or FlavorRefused saying why none."""
    if len(mlmodel) > MLMODEL_MAX_BYTES:
        raise FlavorRefused(f"the MLmodel file is over {MLMODEL_MAX_BYTES} bytes")
    try:
        document = yaml.safe_load(mlmodel)
    except yaml.YAMLError:
        raise FlavorRefused("the MLmodel file is not valid YAML") from None
    flavors = document.get("flavors") if isinstance(document, dict) else None
    if not isinstance(flavors, dict):
        raise FlavorRefused("the MLmodel file lists no flavors")
    onnx = flavors.get("onnx")
    if isinstance(onnx, dict):
        path = _plain_name(onnx.get("data"))
        return TakenFile(path, "model.onnx")
    sklearn = flavors.get("sklearn")
    if isinstance(sklearn, dict) and sklearn.get("serialization_format") == "skops":
        path = _plain_name(sklearn.get("pickled_model"))
        return TakenFile(path, "model.skops")
    named = ", ".join(sorted(str(name) for name in flavors)) or "none"
    raise FlavorRefused(f"{NOT_IMPORTABLE} (flavors: {named})")
